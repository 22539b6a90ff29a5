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
  type RowAction,
  type SourceRow,
  type ValidatedRow,
} from '../domain';

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
  readonly peopleByKey: ReadonlyMap<string, number>;
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

export async function planFile(
  rows: AsyncIterable<SourceRow>,
  validate: (row: SourceRow) => ValidatedRow,
  defaultAction: RowAction,
): Promise<FilePlan> {
  let count = 0;
  let suspensions = 0;
  const suspendKeys: PersonKey[] = [];
  const peopleByKey = new Map<string, number>();
  const leaversByKey = new Map<string, { row: number; action: RowAction }>();
  const joinersByKey = new Map<string, { row: number; action: RowAction }>();
  const referenced = new Set<string>();
  const rowsByName = new Map<string, number[]>();
  for await (const source of rows) {
    count += 1;
    const checked = validate(source);
    if (!checked.ok) continue;
    const action = checked.action ?? defaultAction;
    const keys = personKeys(checked.user, checked.usernameMade !== undefined);
    if (action === 'suspend') {
      suspensions += 1;
      if (suspendKeys.length < MAX_SUSPEND_LOOKUPS) suspendKeys.push(personKeyOf(checked.user));
      for (const key of keys) if (!leaversByKey.has(key)) leaversByKey.set(key, { row: checked.row, action });
    }
    if (PEOPLE_ACTIONS.has(action)) {
      for (const key of keys) {
        if (!joinersByKey.has(key)) joinersByKey.set(key, { row: checked.row, action });
        if (!peopleByKey.has(key)) peopleByKey.set(key, checked.row);
      }
      // Two people may share a name: a manager named so is resolved only when one row fits.
      const { firstname, lastname } = checked.user;
      if (firstname && lastname) {
        const key = nameKey(firstname, lastname);
        rowsByName.set(key, [...(rowsByName.get(key) ?? []), checked.row].slice(0, 10));
      }
    }
    // A JumpCloud id needs no resolving in the file.
    if (checked.manager && checked.manager.by !== 'id') referenced.add(managerKey(checked.manager));
  }

  const conflicts = new Map<number, { otherRow: number; otherAction: RowAction }>();
  for (const [key, leaver] of leaversByKey) {
    const joiner = joinersByKey.get(key);
    if (!joiner) continue;
    conflicts.set(leaver.row, { otherRow: joiner.row, otherAction: joiner.action });
    conflicts.set(joiner.row, { otherRow: leaver.row, otherAction: leaver.action });
  }
  const ambiguousManagers = new Map<string, readonly number[]>();
  for (const [key, named] of rowsByName) {
    if (!referenced.has(key)) continue;
    if (named.length > 1) ambiguousManagers.set(key, named);
    else if (named[0] !== undefined) peopleByKey.set(key, named[0]);
  }
  const managerRows = new Set<number>();
  for (const key of referenced) {
    const row = peopleByKey.get(key);
    if (row !== undefined && !conflicts.has(row)) managerRows.add(row);
  }
  for (const key of [...peopleByKey.keys()]) if (!referenced.has(key)) peopleByKey.delete(key);
  return { rows: count, suspensions, suspendKeys, conflicts, managerRows, peopleByKey, ambiguousManagers };
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
