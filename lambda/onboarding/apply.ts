/**
 * Apply: one row's intent as a few idempotent steps, each recorded on the row. The person step
 * creates, updates only what changed, suspends or reactivates; the group step adds the person to
 * each named group; the manager is part of the person step (an id, resolved once per run). A dry
 * run takes the same steps with lookups only. Doing a row twice changes nothing the second time:
 * unchanged people get no request, members are not added again, a suspended person stays so.
 */
import type {
  DirectoryOutcome,
  DirectoryPerson,
  ManagerRef,
  NewSystemUser,
  PeopleDirectory,
  PersonKey,
  RowAction,
  RowOutcome,
  RowStatus,
  UserDirectory,
} from '../domain';
import { JumpCloudLookupError } from '../jumpcloud/client';
import { personKeyOf } from './plan';
import type { RunResolver } from './resolve';

export interface ApplyContext {
  readonly directory: UserDirectory & Partial<PeopleDirectory>;
  readonly resolver?: RunResolver;
  readonly dryRun: boolean;
  readonly defaultAction: RowAction;
  /** Set when the file would suspend more people than allowed: every suspend row fails with it. */
  readonly suspendHeld?: string;
  /**
   * Set when an earlier attempt at this file may have brought people in already: a person JumpCloud
   * created at or after this time was created by that attempt, so the row is `created`.
   */
  readonly createdSince?: Date;
}

/** Clock skew allowed between this machine and JumpCloud when comparing creation times. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface ApplyResult {
  outcome: RowOutcome;
  /** The person's JumpCloud id, when the row found or made one. */
  personId?: string;
  /** The row's manager could only be set after the person it names is brought in. */
  managerPendingOnRow?: number;
}

/** The intent of one valid row, as the engine hands it to apply. */
export interface RowIntent {
  readonly row: number;
  readonly user: NewSystemUser;
  readonly action: RowAction;
  readonly groups: readonly string[];
  readonly manager?: ManagerRef;
  /** The username was made from the row: a person found keeps theirs; `fallback` if it is taken. */
  readonly usernameMade?: { readonly fallback?: string };
  /** Why the HR status or end date made the row a leaver. */
  readonly leaver?: string;
}

/** Fields a PUT may not carry (systemuserput has none of these), or that must never change on update. */
const NOT_UPDATED = new Set(['password', 'activated', 'passwordless_sudo', 'recoveryEmail', 'mfa']);

export async function applyRow(intent: RowIntent, context: ApplyContext): Promise<ApplyResult> {
  const { action } = intent;
  const base = { row: intent.row, username: intent.user.username, email: intent.user.email };
  const done = (status: RowStatus, message: string, jumpcloudId = '', extra: Partial<RowOutcome> = {}) => ({
    outcome: { ...base, status, jumpcloudId, message, ...extra },
    ...(jumpcloudId ? { personId: jumpcloudId } : {}),
  });
  try {
    if (action === 'suspend' || action === 'unsuspend') return await changeState(intent, context, done);
    return await bringIn(intent, context, done);
  } catch (error) {
    if (error instanceof JumpCloudLookupError) return done('failed', error.message);
    throw error;
  }
}

type Done = (
  status: RowStatus,
  message: string,
  jumpcloudId?: string,
  extra?: Partial<RowOutcome>,
) => ApplyResult;

/** create, update or upsert: the person with these fields, in these groups, under this manager. */
async function bringIn(intent: RowIntent, context: ApplyContext, done: Done): Promise<ApplyResult> {
  const { directory, dryRun } = context;
  const manager = await resolveManager(intent, context);
  // Never a guess: a manager whose name fits several people stops the row before anything is sent.
  if (manager.ambiguous)
    return done(
      'failed',
      `manager: ${manager.ambiguous}; name the manager by email or employee id instead. Nothing was sent for this row`,
    );
  let user: NewSystemUser = manager.id ? { ...intent.user, manager: manager.id } : { ...intent.user };

  let existing: DirectoryPerson | undefined;
  // A made username says nothing about who the person is: find them by employee id or email first.
  if (intent.action !== 'create' || intent.usernameMade) {
    const found = await findPerson(intent, context);
    if ('failed' in found) return done('failed', found.failed);
    existing = found.person;
    if (!existing && intent.action === 'update')
      return done(
        'failed',
        `nobody in JumpCloud has ${describeKey(matchKeyOf(intent))}; use upsert to create them`,
      );
    if (existing && intent.action === 'create') {
      const identify = { username: existing.username };
      return createdByThisRun(existing.created, context)
        ? done('created', 'created by an earlier, interrupted attempt at this file', existing.id, identify)
        : done('exists', 'already in JumpCloud', existing.id, identify);
    }
  }

  if (!existing && intent.usernameMade) {
    const free = await freeMadeUsername(user.username, intent.usernameMade.fallback, context);
    if (!free) {
      return done(
        'failed',
        'username: the one made from the row belongs to another person in JumpCloud, and the row has no ' +
          'employee id to make another; add a username column',
      );
    }
    user = { ...user, username: free };
  }
  const named = { username: user.username };

  if (!existing) {
    let said: DirectoryOutcome = dryRun ? await directory.planUser(user) : await directory.createUser(user);
    if (said.status === 'exists' && createdByThisRun(said.createdAt, context)) {
      said = {
        ...said,
        status: 'created',
        message: 'created by an earlier, interrupted attempt at this file',
      };
    }
    const id = said.jumpcloudId ?? '';
    // Left alone: a `create` never changes a person who is already there.
    if (said.status === 'failed' || said.status === 'exists')
      return done(said.status, said.message ?? '', id, named);
    const groups = await addToGroups(intent, id, context, true);
    const message = [said.message ?? '', ...groups.notes].filter(Boolean).join('; ');
    return {
      ...done(said.status, message, id, {
        ...named,
        groups: groups.cell,
        ...managerColumn(intent, manager, dryRun ? 'would set' : 'set'),
      }),
      ...(manager.pendingRow !== undefined ? { managerPendingOnRow: manager.pendingRow } : {}),
    };
  }

  const changes = changedFields(user, existing.record);
  // A person found keeps their username; a made one only names new people.
  if (intent.usernameMade) delete changes.username;
  const changed = Object.keys(changes);
  let status: RowStatus = 'exists';
  let message = 'already in JumpCloud; nothing to change';
  if (changed.length === 0 && createdByThisRun(existing.created, context)) {
    status = 'created';
    message = 'created by an earlier, interrupted attempt at this file';
  }
  if (changed.length > 0) {
    if (dryRun) {
      status = 'would_update';
    } else {
      const updated = await (context.directory as PeopleDirectory).updatePerson(existing.id, changes);
      if (!updated.ok) return done('failed', updated.message, existing.id);
      status = 'updated';
    }
    message = `changed: ${[...changed].sort().join(', ')}`;
  }
  const groups = await addToGroups(intent, existing.id, context, false);
  if (groups.changed && status === 'exists') {
    status = dryRun ? 'would_update' : 'updated';
    message = 'group membership changed';
  }
  const managerState = !('manager' in changes) ? 'unchanged' : dryRun ? 'would set' : 'set';
  return {
    ...done(status, [message, ...groups.notes].join('; '), existing.id, {
      username: existing.username,
      groups: groups.cell,
      ...managerColumn(intent, manager, managerState),
    }),
    ...(manager.pendingRow !== undefined ? { managerPendingOnRow: manager.pendingRow } : {}),
  };
}

/** suspend or unsuspend: only `state` changes; nothing is ever deleted. */
async function changeState(intent: RowIntent, context: ApplyContext, done: Done): Promise<ApplyResult> {
  const suspend = intent.action === 'suspend';
  if (suspend && context.suspendHeld) return done('failed', context.suspendHeld);
  const found = await findPerson(intent, context);
  if ('failed' in found) return done('failed', found.failed);
  const person = found.person;
  const why = intent.leaver ? ` (${intent.leaver})` : '';
  if (!person) {
    // A full export lists people who left long ago and never had an account: nothing to do.
    if (intent.leaver) return done('exists', `not in JumpCloud: nobody to suspend${why}`);
    return done('failed', `nobody in JumpCloud has ${describeKey(matchKeyOf(intent))}`);
  }
  const suspended = person.state === 'SUSPENDED';
  const identify = { username: person.username, email: person.email };
  if (suspend && suspended) return done('exists', `already suspended${why}`, person.id, identify);
  if (!suspend && !suspended) return done('exists', 'not suspended; nothing to undo', person.id, identify);
  if (context.dryRun) {
    return done(
      suspend ? 'would_suspend' : 'would_update',
      suspend ? `would be suspended${why}` : 'would be reactivated',
      person.id,
      identify,
    );
  }
  const updated = await (context.directory as PeopleDirectory).updatePerson(person.id, {
    state: suspend ? 'SUSPENDED' : 'ACTIVATED',
  });
  if (!updated.ok) return done('failed', updated.message, person.id, identify);
  return suspend
    ? done('suspended', `suspended: access removed, nothing deleted${why}`, person.id, identify)
    : done('updated', 'reactivated (state ACTIVATED)', person.id, identify);
}

function matchKeyOf(intent: RowIntent): PersonKey {
  return personKeyOf(intent.user);
}

function describeKey(key: PersonKey): string {
  return `${key.field} ${key.value}`;
}

async function findPerson(
  intent: RowIntent,
  context: ApplyContext,
): Promise<{ person?: DirectoryPerson } | { failed: string }> {
  if (!context.resolver) return { failed: 'this run cannot look people up' };
  const key = matchKeyOf(intent);
  const people = await context.resolver.findPeople(key);
  if (people.length > 1)
    return { failed: `${people.length} people in JumpCloud have ${describeKey(key)}; nobody was changed` };
  return people[0] ? { person: people[0] } : {};
}

interface ManagerStep {
  id?: string;
  note?: string;
  pendingRow?: number;
  /** Why the reference fits more than one person. */
  ambiguous?: string;
}

/**
 * The made username, or its fallback when another person in JumpCloud holds it; undefined when
 * both are taken. What JumpCloud holds here is stable: once created, the person is found by
 * employee id or email on every later drop and never renamed.
 */
async function freeMadeUsername(
  made: string,
  fallback: string | undefined,
  context: ApplyContext,
): Promise<string | undefined> {
  if (!context.resolver) return made;
  for (const candidate of [made, fallback]) {
    if (!candidate) continue;
    const holders = await context.resolver.findPeople({ field: 'username', value: candidate });
    if (holders.length === 0) return candidate;
  }
  return undefined;
}

async function resolveManager(intent: RowIntent, context: ApplyContext): Promise<ManagerStep> {
  if (!intent.manager || !context.resolver) return {};
  const resolved = await context.resolver.manager(intent.manager, context.dryRun);
  if (resolved.kind === 'id') return { id: resolved.id, note: `from ${resolved.from}` };
  if (resolved.kind === 'pending') return { pendingRow: resolved.row, note: `row ${resolved.row}` };
  if (resolved.kind === 'ambiguous') return { ambiguous: resolved.reason };
  return { note: `not set: ${resolved.reason}` };
}

function managerColumn(
  intent: RowIntent,
  manager: ManagerStep,
  state: 'set' | 'would set' | 'unchanged',
): Partial<RowOutcome> {
  if (!intent.manager) return {};
  if (manager.pendingRow !== undefined) return { manager: `set after row ${manager.pendingRow}` };
  if (!manager.id) return { manager: manager.note ?? 'not set' };
  return { manager: state === 'unchanged' ? 'unchanged' : `${state} (${manager.note})` };
}

function createdByThisRun(createdAt: string | undefined, context: ApplyContext): boolean {
  if (!context.createdSince || createdAt === undefined) return false;
  return Date.parse(createdAt) >= context.createdSince.getTime() - CLOCK_SKEW_MS;
}

interface GroupsStep {
  cell: string;
  notes: string[];
  changed: boolean;
}

async function addToGroups(
  intent: RowIntent,
  personId: string,
  context: ApplyContext,
  isNew: boolean,
): Promise<GroupsStep> {
  if (intent.groups.length === 0) return { cell: '', notes: [], changed: false };
  const { resolver, dryRun } = context;
  const parts: string[] = [];
  const missing: string[] = [];
  let changed = false;
  for (const name of intent.groups) {
    const group = resolver ? await resolver.group(name) : undefined;
    if (!group) {
      parts.push(`${name}: missing`);
      missing.push(name);
      continue;
    }
    // A new person is in no group yet; an existing one is checked against the listing, so a
    // re-drop sends no membership request at all.
    if (!isNew && personId && (await resolver?.isMember(group.id, personId))) {
      parts.push(`${name}: already a member`);
      continue;
    }
    if (dryRun || !personId) {
      parts.push(`${name}: would add`);
      changed = true;
      continue;
    }
    const added = await (context.directory as PeopleDirectory).addToGroup(group.id, personId);
    if (added === 'added') {
      resolver?.noteMember(group.id, personId);
      parts.push(`${name}: added`);
      changed = true;
    } else if (added === 'already a member') {
      parts.push(`${name}: already a member`);
    } else {
      parts.push(`${name}: failed (${added.failed})`);
    }
  }
  const notes =
    missing.length > 0
      ? [
          `${missing.length === 1 ? 'group' : 'groups'} not in JumpCloud: ${missing.join(', ')} (the person was not added to ${missing.length === 1 ? 'it' : 'them'})`,
        ]
      : [];
  return { cell: parts.join('; '), notes, changed };
}

/**
 * The fields of `wanted` that differ from what JumpCloud holds, as a PUT body. Lists are merged,
 * never shortened: an address or phone of another type, or an attribute the row does not name,
 * stays as it is.
 */
export function changedFields(
  wanted: NewSystemUser,
  record: Record<string, unknown>,
): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(wanted)) {
    if (value === undefined || NOT_UPDATED.has(field)) continue;
    if (field === 'username' || field === 'email') {
      if (value === '' || String(record[field] ?? '').toLowerCase() === String(value).toLowerCase()) continue;
      changes[field] = value;
      continue;
    }
    if (field === 'state') {
      // A PUT takes ACTIVATED or SUSPENDED only; a staged row never un-activates anyone.
      if (value === 'ACTIVATED' && record.state === 'STAGED') changes.state = value;
      continue;
    }
    if (field === 'attributes') {
      const merged = mergeBy(record.attributes, value as { name: string; value: string }[], (a) =>
        a.name.toLowerCase(),
      );
      if (merged) changes.attributes = merged;
      continue;
    }
    if (field === 'addresses' || field === 'phoneNumbers') {
      const merged = mergeBy(record[field], value as { type?: string }[], (item) => item.type ?? '');
      if (merged) changes[field] = merged;
      continue;
    }
    if (!sameValue(record[field], value)) changes[field] = value;
  }
  return changes;
}

function sameValue(held: unknown, wanted: unknown): boolean {
  if (typeof wanted === 'boolean') return held === wanted;
  return String(held ?? '') === String(wanted);
}

/** The held list with the wanted items laid over it (same key: fields merged), or undefined when nothing would change. */
function mergeBy<T extends object>(held: unknown, wanted: T[], keyOf: (item: T) => string): T[] | undefined {
  const list: T[] = Array.isArray(held) ? (held as T[]).map((item) => ({ ...item })) : [];
  let changed = false;
  for (const item of wanted) {
    const index = list.findIndex((candidate) => keyOf(candidate) === keyOf(item));
    const current = index >= 0 ? list[index] : undefined;
    if (!current) {
      list.push(item);
      changed = true;
      continue;
    }
    for (const [field, value] of Object.entries(item)) {
      if (value !== undefined && !sameValue((current as Record<string, unknown>)[field], value)) {
        (current as Record<string, unknown>)[field] = value;
        changed = true;
      }
    }
  }
  return changed ? list : undefined;
}
