/**
 * The JumpCloud client the engine uses: one object over the transport (one retry loop, adaptive
 * concurrency, the fast fails), v1 users (create never twice, lookups, updates) and v2 user
 * groups. Facts about the API it relies on are in the project's API notes (JumpCloud admin API).
 */
import type {
  DirectoryOutcome,
  DirectoryPerson,
  MembershipOutcome,
  NewSystemUser,
  PeopleDirectory,
  PersonKey,
  UpdateOutcome,
  UserGroup,
} from '../domain';
import { silentLog } from '../domain';
import { UserGroups } from './groups';
import { type ClientStats, type JumpCloudClientOptions, Transport } from './transport';
import { type ExistingUser, SystemUsers } from './users';

export { JumpCloudLookupError } from '../errors';
export { refusalMessage } from './refusals';
export type { ClientStats, JumpCloudClientOptions } from './transport';
export type { ExistingUser } from './users';

export class JumpCloudClient implements PeopleDirectory {
  private readonly transport: Transport;
  private readonly users: SystemUsers;
  private readonly userGroups: UserGroups;

  constructor(options: JumpCloudClientOptions) {
    this.transport = new Transport(options);
    this.users = new SystemUsers(this.transport, options.log ?? silentLog);
    this.userGroups = new UserGroups(this.transport);
  }

  get stats(): ClientStats {
    return this.transport.stats;
  }

  createUser(user: NewSystemUser): Promise<DirectoryOutcome> {
    return this.users.createUser(user);
  }

  planUser(user: NewSystemUser): Promise<DirectoryOutcome> {
    return this.users.planUser(user);
  }

  /** The user with exactly this username, if any. Throws JumpCloudLookupError when JumpCloud cannot say. */
  findUserByUsername(username: string): Promise<ExistingUser | undefined> {
    return this.users.findUserByUsername(username);
  }

  /** The user with this email (compared lower-cased), if any. Throws JumpCloudLookupError when JumpCloud cannot say. */
  findUserByEmail(email: string): Promise<ExistingUser | undefined> {
    return this.users.findUserByEmail(email);
  }

  findPeople(key: PersonKey): Promise<DirectoryPerson[]> {
    return this.users.findPeople(key);
  }

  findPeopleByName(firstname: string, lastname: string): Promise<DirectoryPerson[]> {
    return this.users.findPeopleByName(firstname, lastname);
  }

  updatePerson(id: string, changes: Record<string, unknown>): Promise<UpdateOutcome> {
    return this.users.updatePerson(id, changes);
  }

  listUserGroups(): Promise<UserGroup[]> {
    return this.userGroups.listUserGroups();
  }

  groupMemberIds(groupId: string): Promise<ReadonlySet<string>> {
    return this.userGroups.groupMemberIds(groupId);
  }

  addToGroup(groupId: string, personId: string): Promise<MembershipOutcome> {
    return this.userGroups.addToGroup(groupId, personId);
  }
}
