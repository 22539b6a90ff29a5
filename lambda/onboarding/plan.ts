/**
 * Plan: one read of the whole file, before anything is sent, for what no single row can know:
 * which rows name a manager that another row of the file brings in (those people are applied
 * first), which people the file both brings in and suspends (a conflict, invalid on both rows),
 * and how many people it would suspend (held, all of them, when over the limit).
 */
import {
  type ManagerRef,
  PEOPLE_ACTIONS,
  type PersonKey,
  ROW_ACTIONS,
  type RowAction,
  type RowValidator,
  type SourceRow,
} from '../domain';
import { SeenKeys } from '../users/seen-keys';

/** Beyond this many suspend rows a file is held on the row count alone, without looking anyone up. */
const MAX_SUSPEND_LOOKUPS = 1_000;

export interface FilePlan {
  /** Data rows in the file. */
  readonly rows: number;
  /** Valid rows whose action is `suspend`. */
  readonly suspensions: number;
  /** Who those rows name (the key each is found by), kept while there are few enough to look up. */
  readonly suspendKeys: readonly PersonKey[];
  /** Rows that both bring in and suspend one person: each row with the other row's number. */
  readonly conflicts: ReadonlyMap<number, { otherRow: number; otherAction: RowAction }>;
  /** Rows another row names as its manager: applied before the rest, so the id is known. */
  readonly managerRows: ReadonlySet<number>;
  /** Who each in-file manager reference means: `email:x` / `username:y` → the row that brings them. */
  readonly peopleByKey: { get(key: string): number | undefined };
  /** Manager references (by name) that more than one row of the file fits: the rows. Never guessed. */
  readonly ambiguousManagers: ReadonlyMap<string, readonly number[]>;
}

export function managerKey(ref: ManagerRef): string {
  if (ref.by === 'name') return nameKey(ref.firstname ?? '', ref.lastname ?? '');
  return `${ref.by}:${ref.value.toLowerCase()}`;
}

/** `name:margaret ross`: how a person's name is compared across rows (case and spacing aside). */
function nameKey(firstname: string, lastname: string): string {
  const squeeze = (text: string) => text.trim().replace(/\s+/gu, ' ');
  return `name:${squeeze(firstname)} ${squeeze(lastname)}`.toLowerCase();
}

/**
 * Memory never holds the file's text: every key is remembered as a fixed-size hash with a
 * number (SeenKeys; joiners' keys in the validator's own memory), and what the rest of the run
 * needs is worked out row by row
 * (conflicts and manager rows as soon as the second row of a pair is read), so that only the few
 * rows concerned are kept. Names are the exception that proves it: only names two rows share are
 * kept as text, since a manager named so must never be guessed.
 */
export async function planFile(
  rows: AsyncIterable<SourceRow>,
  validate: RowValidator,
  defaultAction: RowAction,
): Promise<FilePlan> {
  let count = 0;
  let suspensions = 0;
  const suspendKeys: PersonKey[] = [];
  // The first valid row per key (validation makes it the only one). Joiners and movers are found
  // in the validator's own memory of them (each key once per file, not twice), with what the plan
  // needs of their rows kept here a byte a row; leavers by row, people named as managers by anyone,
  // and each joiner's name (two people may share one, so names never make a conflict).
  const joinerRows = new JoinerRows();
  const joinerOf = (key: string, upToRow: number) => {
    const row = validate.personRowWith(key, upToRow);
    const joiner = row === undefined ? undefined : joinerRows.get(row);
    // A username made from the row is not a key: two people may make the same, and only one keeps it.
    if (row === undefined || !joiner || (joiner.usernameMade && key.startsWith('username:'))) return;
    return { row, action: joiner.action };
  };
  const leavers = new SeenKeys();
  const names = new SeenKeys();
  const referenced = new SeenKeys();
  const peopleByKey = new SeenKeys();
  const sharedNames = new Map<string, number[]>();
  const conflicts = new Map<number, { otherRow: number; otherAction: RowAction }>();
  const namedRows = new Set<number>();
  const conflict = (leaverRow: number, joinerRow: number, joinerAction: RowAction) => {
    conflicts.set(leaverRow, { otherRow: joinerRow, otherAction: joinerAction });
    conflicts.set(joinerRow, { otherRow: leaverRow, otherAction: 'suspend' });
  };
  for await (const source of rows) {
    count += 1;
    const checked = validate(source);
    if (!checked.ok) continue;
    const { row } = checked;
    const action = checked.action ?? defaultAction;
    const keys = personKeys(checked.user, checked.usernameMade !== undefined);
    if (action === 'suspend') {
      suspensions += 1;
      if (suspendKeys.length < MAX_SUSPEND_LOOKUPS) suspendKeys.push(personKeyOf(checked.user));
      for (const key of keys) leavers.addIfAbsent(key, row);
      for (const key of keys) {
        const joiner = joinerOf(key, row);
        if (joiner) conflict(row, joiner.row, joiner.action);
      }
    }
    if (PEOPLE_ACTIONS.has(action)) {
      joinerRows.set(row, action, checked.usernameMade !== undefined);
      for (const key of keys) {
        const leaver = leavers.get(key);
        if (leaver !== undefined) conflict(leaver, row, action);
        if (referenced.get(key) !== undefined) nameRow(key, row);
      }
      const { firstname, lastname } = checked.user;
      if (firstname && lastname) {
        const key = nameKey(firstname, lastname);
        const first = names.addIfAbsent(key, row);
        if (first !== undefined)
          sharedNames.set(key, [...(sharedNames.get(key) ?? [first]), row].slice(0, 10));
        if (referenced.get(key) !== undefined) nameRow(key, row);
      }
    }
    // A JumpCloud id needs no resolving in the file.
    if (checked.manager && checked.manager.by !== 'id') {
      const key = managerKey(checked.manager);
      referenced.addIfAbsent(key, 0);
      const joiner = checked.manager.by === 'name' ? names.get(key) : joinerOf(key, row)?.row;
      if (joiner !== undefined) nameRow(key, joiner);
    }
  }

  function nameRow(key: string, row: number) {
    if (peopleByKey.addIfAbsent(key, row) === undefined) namedRows.add(row);
  }

  const ambiguousManagers = new Map<string, readonly number[]>();
  for (const [key, sharing] of sharedNames)
    if (referenced.get(key) !== undefined) ambiguousManagers.set(key, sharing);
  const managerRows = new Set([...namedRows].filter((row) => !conflicts.has(row)));
  return { rows: count, suspensions, suspendKeys, conflicts, managerRows, peopleByKey, ambiguousManagers };
}

/**
 * What the plan keeps of each row that brings a person in, a byte a row: its action, and whether
 * its username was made from the row. Rows are numbered from 1, so the array is as long as the file.
 */
class JoinerRows {
  private bytes = new Uint8Array(1024);

  set(row: number, action: RowAction, usernameMade: boolean): void {
    if (row >= this.bytes.length) {
      const grown = new Uint8Array(Math.max(row + 1, this.bytes.length * 2));
      grown.set(this.bytes);
      this.bytes = grown;
    }
    // 0 marks a row that brings nobody in.
    this.bytes[row] = 1 + ROW_ACTIONS.indexOf(action) + (usernameMade ? 8 : 0);
  }

  get(row: number): { action: RowAction; usernameMade: boolean } | undefined {
    const byte = this.bytes[row] ?? 0;
    if (byte === 0) return undefined;
    return { action: ROW_ACTIONS[(byte - 1) % 8] as RowAction, usernameMade: byte > 8 };
  }
}

/** Employee id when the row has one, else email, else username (the contract's match order). */
export function personKeyOf(user: {
  username: string;
  email: string;
  employeeIdentifier?: string;
}): PersonKey {
  if (user.employeeIdentifier) return { field: 'employeeIdentifier', value: user.employeeIdentifier };
  if (user.email) return { field: 'email', value: user.email };
  return { field: 'username', value: user.username };
}

/**
 * The keys a person can be recognised by across rows (lower-cased). A username made from the row
 * is not one: two people may make the same, and only one keeps it.
 */
function personKeys(
  user: { username: string; email: string; employeeIdentifier?: string },
  usernameMade: boolean,
): string[] {
  const keys: string[] = [];
  if (user.username && !usernameMade) keys.push(`username:${user.username.toLowerCase()}`);
  if (user.email) keys.push(`email:${user.email.toLowerCase()}`);
  if (user.employeeIdentifier) keys.push(`employeeIdentifier:${user.employeeIdentifier.toLowerCase()}`);
  return keys;
}

/** The conflict message for one row of a joiner-and-leaver pair. */
export function conflictMessage(
  action: RowAction,
  other: { otherRow: number; otherAction: RowAction },
): string {
  return (
    `the same person is ${other.otherAction === 'suspend' ? 'suspended' : `also in the file to ${other.otherAction}`} ` +
    `in row ${other.otherRow}: a file cannot both ${action} and ${other.otherAction} one person; ` +
    'nothing was done for either row'
  );
}
