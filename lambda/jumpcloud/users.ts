/**
 * JumpCloud v1 system users: create (never twice: a lost answer is confirmed by a lookup before
 * anything is sent again), the dry-run plan, lookups by username, email or employee id, and
 * updates. Requests go through the transport; refusals become safe messages in refusals.ts.
 */
import type {
  DirectoryOutcome,
  DirectoryPerson,
  Log,
  NewSystemUser,
  PersonKey,
  UpdateOutcome,
} from '../domain';
import { JumpCloudLookupError } from '../errors';
import {
  SYSTEM_USER_POST_FIELDS,
  SYSTEM_USER_PUT_FIELDS,
  type SystemUserReturn,
  systemUserReturnSchema,
  systemUsersListSchema,
} from './api-types';
import { errorText, refusalMessage } from './refusals';
import type { Answer, Transport } from './transport';

/** A user found by a lookup: what the create logic compares. */
export interface ExistingUser {
  id: string;
  username: string;
  email: string;
  created?: string;
}

type LookupField = PersonKey['field'];

/** `?fullValidationDetails=password` lists every password rule broken (API notes, "Create a user"). */
const CREATE_PATH = '/api/systemusers?fullValidationDetails=password';
const LOOKUP_FIELDS = ['_id', 'username', 'email', 'created'];
/** More than one match is already ambiguous; ten shows how ambiguous without paging. */
const MATCH_LIMIT = 10;
/** Clocks of this machine and JumpCloud's may disagree by this much. */
const CLOCK_SKEW_MS = 5 * 60_000;
const STATES = new Set(['STAGED', 'ACTIVATED', 'SUSPENDED']);

export class SystemUsers {
  constructor(
    private readonly transport: Transport,
    private readonly log: Log,
  ) {}

  async createUser(user: NewSystemUser): Promise<DirectoryOutcome> {
    this.transport.failFast();
    const { username } = user;
    const firstSentAt = this.transport.now();
    this.log.debug('Creating JumpCloud user', { username });
    const sent = await this.transport.send<DirectoryOutcome>('POST', CREATE_PATH, postBody(user), {
      about: { username },
      idempotent: false,
      // Once an answer is lost after sending, JumpCloud may hold the user: never send blind again.
      beforeResend: (problem) => this.confirmCreated(user, firstSentAt, problem),
    });
    if (sent.kind === 'settled') return sent.value;
    if (sent.kind === 'gave-up') {
      if (!sent.mayHaveActed) return { status: 'failed', message: sent.message };
      return (
        (await this.confirmCreated(user, firstSentAt, sent.message)) ?? {
          status: 'failed',
          message: sent.message,
        }
      );
    }
    const { status } = sent;
    if (status >= 200 && status < 300) return this.created(sent, user);
    if (isDuplicateAnswer(sent))
      return this.resolveDuplicate(user, sent, sent.mayHaveActed ? firstSentAt : undefined);
    this.log.debug('JumpCloud refused the user', { username, status });
    // Which check JumpCloud runs first is not documented: a person already in the directory
    // may be refused for, say, a weak password before the duplicate is noticed. Look first.
    const there = status === 400 ? await this.sameUserThere(user) : undefined;
    return there ?? { status: 'failed', message: this.refusal(sent, user.password) };
  }

  async planUser(user: NewSystemUser): Promise<DirectoryOutcome> {
    this.transport.failFast();
    try {
      const byUsername = await this.findUserByUsername(user.username);
      if (byUsername) {
        return sameEmail(byUsername, user.email) ? alreadyThere(byUsername) : usernameTaken(byUsername);
      }
      const byEmail = await this.findUserByEmail(user.email);
      if (byEmail) return emailTaken(user.email, byEmail);
      if (user.employeeIdentifier) {
        const byEmployeeId = await this.lookup('employeeIdentifier', user.employeeIdentifier);
        if (byEmployeeId) return employeeIdentifierTaken(user.employeeIdentifier, byEmployeeId);
      }
      return { status: 'would_create' };
    } catch (error) {
      if (error instanceof JumpCloudLookupError) return { status: 'failed', message: error.message };
      throw error;
    }
  }

  findUserByUsername(username: string): Promise<ExistingUser | undefined> {
    return this.lookup('username', username);
  }

  findUserByEmail(email: string): Promise<ExistingUser | undefined> {
    return this.lookup('email', normaliseEmail(email));
  }

  /** Every person whose field equals the value exactly (email compared lower-cased). */
  async findPeople(key: PersonKey): Promise<DirectoryPerson[]> {
    const value = key.field === 'email' ? normaliseEmail(key.value) : key.value;
    // Every field: the engine compares what JumpCloud holds with what the row asks for.
    const found = await this.query(key.field, value);
    return found.flatMap((record) => {
      const person = personOf(record);
      return person && sameValue(key.field, person.record[key.field], value) ? [person] : [];
    });
  }

  /**
   * Every person with this first and last name. v1 filters compare case-sensitively (API notes,
   * "Look users up"): the name is looked up as written, then confirmed ignoring case.
   */
  async findPeopleByName(firstname: string, lastname: string): Promise<DirectoryPerson[]> {
    const found = await this.queryWhere('name', [
      ['firstname', firstname],
      ['lastname', lastname],
    ]);
    const same = (stored: unknown, wanted: string) =>
      typeof stored === 'string' && stored.trim().toLowerCase() === wanted.trim().toLowerCase();
    return found.flatMap((record) => {
      const person = personOf(record);
      return person && same(record.firstname, firstname) && same(record.lastname, lastname) ? [person] : [];
    });
  }

  /** PUT is idempotent: a lost answer is simply sent again. Only systemuserput fields are sent. */
  async updatePerson(id: string, changes: Record<string, unknown>): Promise<UpdateOutcome> {
    this.transport.failFast();
    if (changes.state !== undefined && changes.state !== 'ACTIVATED' && changes.state !== 'SUSPENDED') {
      return { ok: false, message: 'state: an existing person can only be made ACTIVATED or SUSPENDED' };
    }
    const body = putBody(changes);
    const left = Object.keys(changes).filter((field) => !(field in body) && changes[field] !== undefined);
    if (left.length > 0) this.log.debug('Fields JumpCloud cannot update were left out', { fields: left });
    const path = `/api/systemusers/${encodeURIComponent(id)}`;
    const sent = await this.transport.send('PUT', path, body, { about: { update: id }, idempotent: true });
    if (sent.kind === 'gave-up') return { ok: false, message: sent.message };
    const password = typeof changes.password === 'string' ? changes.password : undefined;
    if (sent.status < 200 || sent.status >= 300) return { ok: false, message: this.refusal(sent, password) };
    const parsed = systemUserReturnSchema.safeParse(sent.body);
    const person = parsed.success ? personOf(parsed.data) : undefined;
    if (!person)
      return { ok: false, message: 'JumpCloud accepted the update but answered without the person' };
    return { ok: true, person };
  }

  private async created(answer: Answer, user: NewSystemUser): Promise<DirectoryOutcome> {
    const parsed = systemUserReturnSchema.safeParse(answer.body);
    const id = parsed.success ? idOf(parsed.data) : undefined;
    this.log.debug('Created JumpCloud user', { username: user.username });
    if (id) return { status: 'created', jumpcloudId: id, ...createdAt(parsed.data?.created) };
    // A 2xx without an id is not in the spec; find the id rather than leave the results blank.
    const found = await this.lookup('username', user.username).catch((error: unknown) => {
      if (error instanceof JumpCloudLookupError) return undefined;
      throw error;
    });
    if (!found) return { status: 'created', message: 'JumpCloud returned no user id' };
    return { status: 'created', jumpcloudId: found.id, ...createdAt(found.created) };
  }

  /**
   * After a lost answer: did the create go through? Undefined when the user is not there (send
   * again). A lookup failure is reported rather than risking a blind resend.
   */
  private async confirmCreated(
    user: NewSystemUser,
    firstSentAt: number,
    context: string,
  ): Promise<DirectoryOutcome | undefined> {
    let found: ExistingUser | undefined;
    try {
      found = await this.findUserByUsername(user.username);
    } catch (error) {
      if (!(error instanceof JumpCloudLookupError)) throw error;
      return { status: 'failed', message: `${context}; the user may have been created: ${error.message}` };
    }
    if (!found) return undefined;
    if (!sameEmail(found, user.email)) return usernameTaken(found);
    this.log.debug('A lost create went through', { username: user.username });
    return ourCreateOrEarlier(found, firstSentAt);
  }

  /** The same person (username and email) already in JumpCloud, if a lookup can tell; else undefined. */
  private async sameUserThere(user: NewSystemUser): Promise<DirectoryOutcome | undefined> {
    const found = await this.findUserByUsername(user.username).catch((error: unknown) => {
      if (error instanceof JumpCloudLookupError) return undefined;
      throw error;
    });
    return found && sameEmail(found, user.email) ? alreadyThere(found) : undefined;
  }

  /** JumpCloud said "duplicate": find out who holds what (API notes: the answer is unconfirmed, so look). */
  private async resolveDuplicate(
    user: NewSystemUser,
    answer: Answer,
    ambiguousSince: number | undefined,
  ): Promise<DirectoryOutcome> {
    this.log.debug('JumpCloud answered duplicate', { username: user.username, status: answer.status });
    try {
      const byUsername = await this.findUserByUsername(user.username);
      if (byUsername) {
        if (!sameEmail(byUsername, user.email)) return usernameTaken(byUsername);
        if (ambiguousSince !== undefined) return ourCreateOrEarlier(byUsername, ambiguousSince);
        return alreadyThere(byUsername);
      }
      const byEmail = await this.findUserByEmail(user.email);
      if (byEmail) return emailTaken(user.email, byEmail);
    } catch (error) {
      if (!(error instanceof JumpCloudLookupError)) throw error;
      return {
        status: 'failed',
        message: `${this.refusal(answer, user.password)}; could not check who holds it: ${error.message}`,
      };
    }
    // Neither username nor email is taken: another unique field (employeeIdentifier) clashed.
    return { status: 'failed', message: this.refusal(answer, user.password) };
  }

  /** The first user whose field matches, if any. */
  private async lookup(field: LookupField, value: string): Promise<ExistingUser | undefined> {
    const fields = [...new Set([...LOOKUP_FIELDS, field])];
    const found = await this.query(field, value, fields);
    // Trust the filter, but confirm: a proxy or an ignored filter must not turn into a false "exists".
    const wanted = value.toLowerCase();
    const match = found.find((user) => String(user[field] ?? '').toLowerCase() === wanted);
    const id = match ? idOf(match) : undefined;
    if (!match || !id) return undefined;
    return {
      id,
      username: match.username ?? '',
      email: match.email ?? '',
      ...(match.created ? { created: match.created } : {}),
    };
  }

  /** `GET /api/systemusers?filter=field:$eq:value`: the users JumpCloud lists. Throws JumpCloudLookupError. */
  private query(field: LookupField, value: string, fields?: string[]): Promise<SystemUserReturn[]> {
    return this.queryWhere(field, [[field, value]], fields);
  }

  /** Users matching every `field:$eq:value` (ANDed as `filter[N]`). Throws JumpCloudLookupError. */
  private async queryWhere(
    field: string,
    conditions: readonly (readonly [string, string])[],
    fields?: string[],
  ): Promise<SystemUserReturn[]> {
    this.transport.failFast();
    // v1 filters take `$eq` and compare case-sensitively (API notes, "Look users up").
    const filters = conditions.map(([name, value], index) => {
      const param = conditions.length === 1 ? 'filter' : `filter[${index}]`;
      return `${encodeURIComponent(param)}=${name}:$eq:${encodeURIComponent(value)}`;
    });
    const path =
      `/api/systemusers?${filters.join('&')}` +
      (fields ? `&fields=${encodeURIComponent(fields.join(' '))}` : '') +
      `&limit=${MATCH_LIMIT}`;
    const sent = await this.transport.send('GET', path, undefined, {
      about: { lookup: field },
      idempotent: true,
    });
    if (sent.kind === 'gave-up') throw new JumpCloudLookupError(`looking up the ${field}: ${sent.message}`);
    if (sent.status !== 200)
      throw new JumpCloudLookupError(
        `looking up the ${field}: ${refusalMessage(sent, [this.transport.apiKey])}`,
      );
    const list = systemUsersListSchema.safeParse(sent.body);
    if (!list.success)
      throw new JumpCloudLookupError(`JumpCloud answered a ${field} lookup with an unexpected body`);
    return list.data.results;
  }

  private refusal(answer: Answer, password: string | undefined): string {
    return refusalMessage(answer, [password, this.transport.apiKey]);
  }
}

/** Only the fields JumpCloud defines (definitions.systemuserputpost), emails lower-cased as JumpCloud stores them. */
function postBody(user: NewSystemUser): Record<string, unknown> {
  const body = pick(user as unknown as Record<string, unknown>, SYSTEM_USER_POST_FIELDS);
  body.email = normaliseEmail(user.email);
  return body;
}

/** Only the fields definitions.systemuserput defines: never activated, passwordless_sudo or recoveryEmail. */
function putBody(changes: Record<string, unknown>): Record<string, unknown> {
  const body = pick(changes, SYSTEM_USER_PUT_FIELDS);
  if (typeof body.email === 'string') body.email = normaliseEmail(body.email);
  return body;
}

function pick(fields: Record<string, unknown>, allowed: ReadonlySet<string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value !== undefined && allowed.has(field)) body[field] = value;
  }
  return body;
}

/** JumpCloud lower-cases emails while v1 filters are case-sensitive (API notes, "Create a user"). */
function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function sameEmail(found: ExistingUser, email: string): boolean {
  return normaliseEmail(found.email) === normaliseEmail(email);
}

function sameValue(field: LookupField, stored: unknown, value: string): boolean {
  if (typeof stored !== 'string') return false;
  return field === 'email' ? normaliseEmail(stored) === value : stored === value;
}

/** `_id` per the spec; some answers carry `id` (API notes, "Create a user"). */
function idOf(user: SystemUserReturn): string | undefined {
  return user._id || user.id || undefined;
}

function personOf(record: SystemUserReturn): DirectoryPerson | undefined {
  const id = idOf(record);
  if (!id) return undefined;
  const state =
    record.state && STATES.has(record.state) ? (record.state as DirectoryPerson['state']) : undefined;
  return {
    id,
    username: record.username ?? '',
    email: record.email ?? '',
    ...(record.employeeIdentifier ? { employeeIdentifier: record.employeeIdentifier } : {}),
    ...(state ? { state } : {}),
    ...(record.created ? { created: record.created } : {}),
    record: { ...record },
  };
}

/** The user we may have created: ours if JumpCloud stamped it after our first send (minus clock skew). */
function ourCreateOrEarlier(found: ExistingUser, firstSentAt: number): DirectoryOutcome {
  const created = found.created ? Date.parse(found.created) : Number.NaN;
  if (Number.isNaN(created) || created >= firstSentAt - CLOCK_SKEW_MS) {
    return {
      status: 'created',
      jumpcloudId: found.id,
      message: "created (JumpCloud's answer was lost; confirmed by lookup)",
      ...createdAt(found.created),
    };
  }
  return alreadyThere(found);
}

function alreadyThere(found: ExistingUser): DirectoryOutcome {
  return {
    status: 'exists',
    jumpcloudId: found.id,
    message: 'already in JumpCloud',
    ...createdAt(found.created),
  };
}

/** JumpCloud's own creation time, for the engine to tell a resumed run's users from older ones. */
function createdAt(created: string | undefined): { createdAt?: string } {
  return created ? { createdAt: created } : {};
}

function usernameTaken(holder: ExistingUser): DirectoryOutcome {
  return {
    status: 'failed',
    message: `username already belongs to another JumpCloud user (id ${holder.id}) with a different email`,
  };
}

function emailTaken(email: string, holder: ExistingUser): DirectoryOutcome {
  return {
    status: 'failed',
    message: `email ${normaliseEmail(email)} already belongs to another JumpCloud user (${holder.username}, id ${holder.id})`,
  };
}

function employeeIdentifierTaken(employeeIdentifier: string, holder: ExistingUser): DirectoryOutcome {
  return {
    status: 'failed',
    message: `employeeIdentifier ${employeeIdentifier} already belongs to another JumpCloud user (${holder.username}, id ${holder.id})`,
  };
}

/** JumpCloud's duplicate answer is unconfirmed: 409, or a 400 naming the clash (API notes, "Errors"). */
function isDuplicateAnswer(answer: Answer): boolean {
  if (answer.status === 409) return true;
  if (answer.status !== 400) return false;
  return /already exists|duplicate|already (taken|in use)|is taken|must be unique|not unique/i.test(
    errorText(answer),
  );
}
