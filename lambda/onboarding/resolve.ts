/**
 * Resolve: names to ids, once per run. Group names come from one paged listing of JumpCloud's
 * user groups (never one per row); a group's members are listed only when an existing person's
 * membership must be checked; each manager reference is looked up once, or taken from the row of
 * the same file that brought that person in.
 */
import type { DirectoryPerson, ManagerRef, PeopleDirectory, PersonKey, UserGroup } from '../domain';
import { type FilePlan, managerKey } from './plan';

export type ManagerResolution =
  | { kind: 'id'; id: string; from: string }
  | { kind: 'pending'; row: number }
  | { kind: 'unresolved'; reason: string }
  /** More than one person fits a manager named by name: the row is not guessed at. */
  | { kind: 'ambiguous'; reason: string };

export class RunResolver {
  private groups?: Promise<Map<string, UserGroup>>;
  private readonly members = new Map<string, Promise<Set<string>>>();
  private readonly managers = new Map<string, Promise<ManagerResolution>>();
  /** Leavers looked up to count them against the limit: their rows are not asked twice. */
  private readonly counted = new Map<string, Promise<DirectoryPerson[]>>();
  /** JumpCloud ids of people this run brought in or found, by the row that named them. */
  private readonly idsByRow = new Map<number, string>();
  /** Rows of the file whose person could not be brought in: their references fall back to JumpCloud. */
  private readonly settledRows = new Set<number>();

  constructor(
    private readonly directory: PeopleDirectory,
    private readonly plan: FilePlan,
  ) {}

  /** The group of that name (compared ignoring case), or undefined when JumpCloud has none. */
  async group(name: string): Promise<UserGroup | undefined> {
    this.groups ??= this.directory
      .listUserGroups()
      .then((list) => new Map(list.map((group) => [group.name.toLowerCase(), group])));
    return (await this.groups).get(name.toLowerCase());
  }

  /** Whether the person is in the group, as JumpCloud said at the first question this run. */
  async isMember(groupId: string, personId: string): Promise<boolean> {
    let members = this.members.get(groupId);
    if (!members) {
      members = this.directory.groupMemberIds(groupId).then((ids) => new Set(ids));
      this.members.set(groupId, members);
    }
    return (await members).has(personId);
  }

  noteMember(groupId: string, personId: string): void {
    void this.members.get(groupId)?.then((ids) => ids.add(personId));
  }

  /** A row of this file brought its person in (or found them): later references use the id. */
  noteRowPerson(row: number, id: string | undefined): void {
    // Only rows other rows name as their manager are asked about: memory stays flat on long files.
    if (!this.plan.managerRows.has(row)) return;
    if (id) this.idsByRow.set(row, id);
    this.settledRows.add(row);
  }

  /** The manager's id: from this file, or from JumpCloud (one lookup per distinct reference). */
  manager(ref: ManagerRef, dryRun: boolean): Promise<ManagerResolution> {
    if (ref.by === 'id') return Promise.resolve({ kind: 'id', id: ref.value, from: 'JumpCloud id' });
    const key = managerKey(ref);
    const sharing = this.plan.ambiguousManagers.get(key);
    if (sharing) {
      const rows = sharing.join(', ');
      return Promise.resolve({ kind: 'ambiguous', reason: `rows ${rows} of this file have that name` });
    }
    const row = this.plan.peopleByKey.get(key);
    if (row !== undefined) {
      const id = this.idsByRow.get(row);
      if (id) return Promise.resolve({ kind: 'id', id, from: `row ${row}` });
      // Not brought in yet (or, in a dry run, it never will be): the manager is set once it is.
      if (!this.settledRows.has(row) || dryRun) return Promise.resolve({ kind: 'pending', row });
    }
    let found = this.managers.get(key);
    if (!found) {
      found = this.lookUpManager(ref);
      this.managers.set(key, found);
    }
    return found;
  }

  /** Everyone JumpCloud holds under the key: 0, 1, or (a clash) more. */
  findPeople(key: PersonKey): Promise<DirectoryPerson[]> {
    const id = personId(key);
    const counted = this.counted.get(id);
    if (!counted) return this.directory.findPeople(key);
    this.counted.delete(id); // used once, by the row itself: memory stays flat on long files
    return counted;
  }

  /**
   * How many people the file's suspend rows would really suspend: found, one each, not already
   * suspended. Stops counting once past `limit`. Only asked when the row count alone is over it.
   */
  async countSuspensions(limit: number): Promise<number> {
    if (this.plan.suspendKeys.length < this.plan.suspensions) return this.plan.suspensions;
    let count = 0;
    for (const key of this.plan.suspendKeys) {
      const found = this.directory.findPeople(key);
      this.counted.set(personId(key), found);
      const people = await found;
      if (people.length === 1 && people[0]?.state !== 'SUSPENDED') count += 1;
      if (count > limit) break;
    }
    return count;
  }

  private async lookUpManager(ref: ManagerRef): Promise<ManagerResolution> {
    const people =
      ref.by === 'name'
        ? await this.directory.findPeopleByName(ref.firstname ?? '', ref.lastname ?? '')
        : await this.directory.findPeople({
            field: ref.by === 'email' || ref.by === 'employeeIdentifier' ? ref.by : 'username',
            value: ref.value,
          });
    const [only, ...others] = people;
    if (!only)
      return { kind: 'unresolved', reason: `no person with that ${ref.by} in JumpCloud or in this file` };
    if (others.length > 0) {
      const reason = `${people.length} people in JumpCloud have that ${ref.by}`;
      return ref.by === 'name' ? { kind: 'ambiguous', reason } : { kind: 'unresolved', reason };
    }
    return { kind: 'id', id: only.id, from: 'JumpCloud' };
  }
}

function personId(key: PersonKey): string {
  return `${key.field}:${key.value.toLowerCase()}`;
}
