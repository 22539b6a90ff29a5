/**
 * JumpCloud v2 user groups: the whole list (paged), and adding a person to a group.
 * v2 lists are bare arrays with an optional `x-total-count` header; adding a member answers
 * 204, or 409 when the person already is one (API notes, "Groups and associations").
 */
import type { MembershipOutcome, UserGroup } from '../domain';
import { JumpCloudLookupError } from '../errors';
import { groupMembersSchema, userGroupListSchema } from './api-types';
import { refusalMessage } from './refusals';
import type { Transport } from './transport';

/** v2's largest page. */
const PAGE_SIZE = 100;

export class UserGroups {
  constructor(private readonly transport: Transport) {}

  /** Every user group, sorted by name. Throws JumpCloudLookupError when JumpCloud cannot say. */
  async listUserGroups(): Promise<UserGroup[]> {
    this.transport.failFast();
    const groups: UserGroup[] = [];
    for (let skip = 0; ; skip += PAGE_SIZE) {
      const path = `/api/v2/usergroups?limit=${PAGE_SIZE}&skip=${skip}&sort=name`;
      const sent = await this.transport.send('GET', path, undefined, {
        about: { list: 'user groups' },
        idempotent: true,
      });
      if (sent.kind === 'gave-up') throw new JumpCloudLookupError(`listing user groups: ${sent.message}`);
      if (sent.status !== 200)
        throw new JumpCloudLookupError(
          `listing user groups: ${refusalMessage(sent, [this.transport.apiKey])}`,
        );
      const page = userGroupListSchema.safeParse(sent.body);
      if (!page.success)
        throw new JumpCloudLookupError('JumpCloud answered the user-group list with an unexpected body');
      groups.push(...page.data.map(({ id, name }) => ({ id, name })));
      const total = sent.headers.get('x-total-count');
      // The count saves asking for an empty page after a full last one; without it, a short page ends the list.
      const more =
        total !== null && /^\d+$/.test(total)
          ? skip + page.data.length < Number(total)
          : page.data.length === PAGE_SIZE;
      if (!more || page.data.length === 0) return groups;
    }
  }

  /** Ids of the group's members (GraphConnection: the member is `to`). Throws JumpCloudLookupError when JumpCloud cannot say. */
  async groupMemberIds(groupId: string): Promise<ReadonlySet<string>> {
    this.transport.failFast();
    const ids = new Set<string>();
    for (let skip = 0; ; skip += PAGE_SIZE) {
      const path = `/api/v2/usergroups/${encodeURIComponent(groupId)}/members?limit=${PAGE_SIZE}&skip=${skip}`;
      const sent = await this.transport.send('GET', path, undefined, {
        about: { members: groupId },
        idempotent: true,
      });
      if (sent.kind === 'gave-up')
        throw new JumpCloudLookupError(`listing a group's members: ${sent.message}`);
      if (sent.status !== 200)
        throw new JumpCloudLookupError(
          `listing a group's members: ${refusalMessage(sent, [this.transport.apiKey])}`,
        );
      const page = groupMembersSchema.safeParse(sent.body);
      if (!page.success)
        throw new JumpCloudLookupError("JumpCloud answered a group's member list with an unexpected body");
      for (const connection of page.data) if (connection.to.type === 'user') ids.add(connection.to.id);
      if (page.data.length < PAGE_SIZE) return ids;
    }
  }

  /** Adds the person to the group. Adding twice is harmless (409), so a lost answer is simply sent again. */
  async addToGroup(groupId: string, personId: string): Promise<MembershipOutcome> {
    this.transport.failFast();
    const path = `/api/v2/usergroups/${encodeURIComponent(groupId)}/members`;
    const sent = await this.transport.send(
      'POST',
      path,
      { op: 'add', type: 'user', id: personId },
      { about: { group: groupId }, idempotent: true },
    );
    if (sent.kind === 'gave-up') return { failed: sent.message };
    if (sent.status >= 200 && sent.status < 300) return 'added';
    // After an attempt whose answer was lost, a 409 most likely means that attempt added them.
    if (sent.status === 409) return sent.mayHaveActed ? 'added' : 'already a member';
    return { failed: refusalMessage(sent, [this.transport.apiKey]) };
  }
}
