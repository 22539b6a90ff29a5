/**
 * The simulated org's directory, held in memory: users (v1 systemusers) and user groups with
 * their members (v2), and the rules JumpCloud applies to them (systemuserputpost and
 * systemuserput validation, unique username, email and employeeIdentifier, the password policy).
 * Answers are either the stored object or a refusal the server turns into an HTTP error.
 */

import { randomBytes } from 'node:crypto';
import type * as z from 'zod';
import {
  systemUserPostSchema,
  systemUserPutSchema,
  userGroupMemberOperationSchema,
  userGroupPostSchema,
} from '../../lambda/jumpcloud/api-requests';
import { SYSTEM_USER_PUT_FORBIDDEN_FIELDS } from '../../lambda/jumpcloud/api-types';
import { USERNAME_PATTERN } from '../../lambda/users/username';

/** A user as the simulator holds it: every stored field, the password included (never log it). */
export interface SimUser {
  _id: string;
  id: string;
  /** ISO timestamp. */
  created: string;
  username: string;
  email: string;
  password?: string;
  [field: string]: unknown;
}

/** A v2 user group (definitions.UserGroup). */
export interface SimGroup {
  id: string;
  name: string;
  type: 'user_group';
  [field: string]: unknown;
}

/** What the simulated org's password policy requires. */
export interface PasswordPolicy {
  minLength: number;
  requireLowercase?: boolean;
  requireUppercase?: boolean;
  requireDigit?: boolean;
  requireSymbol?: boolean;
}

/** Why the directory said no: the HTTP status and JumpCloud-like message (and extra body fields). */
export interface Refusal {
  refused: 400 | 404 | 409;
  message: string;
  extra?: Record<string, unknown>;
}

export interface DirectoryRules {
  /** `false` accepts any password. */
  passwordPolicy: PasswordPolicy | false;
  /** How a duplicate is answered: 400 naming the field, or 409 "User already exists". */
  duplicateAnswer: 409 | 400;
  /** The org id users carry (`organization`). */
  organization: string;
}

const OBJECT_ID = /^[0-9a-f]{24}$/;

export class Directory {
  private readonly people: SimUser[] = [];
  /**
   * Users by id, and by each unique value (`username:ann`, `email:ann@x.io`, `employeeIdentifier:E1`):
   * a create is checked for clashes without a scan of everyone, which made a long file's run
   * quadratic. A value's holder is checked again on use, since an update may have changed it.
   */
  private readonly byId = new Map<string, SimUser>();
  private readonly holders = new Map<string, SimUser>();
  private readonly userGroups: SimGroup[] = [];
  /** Group id to the ids of its member users, in the order they were added. */
  private readonly members = new Map<string, string[]>();

  constructor(private readonly rules: DirectoryRules) {}

  users(): readonly SimUser[] {
    return this.people;
  }

  user(id: string): SimUser | undefined {
    return this.byId.get(id);
  }

  groups(): readonly SimGroup[] {
    return this.userGroups;
  }

  group(id: string): SimGroup | undefined {
    return this.userGroups.find((candidate) => candidate.id === id);
  }

  groupMembers(groupId: string): string[] {
    return [...(this.members.get(groupId) ?? [])];
  }

  clear(): void {
    this.people.length = 0;
    this.byId.clear();
    this.holders.clear();
    this.userGroups.length = 0;
    this.members.clear();
  }

  /** Stores a user as given, with the defaults a fresh systemuserreturn carries; no validation. */
  storeUser(
    fields: Record<string, unknown>,
    created = new Date().toISOString(),
    id = newObjectId(),
  ): SimUser {
    const state = (fields.state as string | undefined) ?? 'ACTIVATED';
    const user: SimUser = {
      account_locked: false,
      activated: state !== 'STAGED',
      addresses: [],
      allow_public_key: true,
      attributes: [],
      enable_managed_uid: false,
      enable_user_portal_multifactor: false,
      externally_managed: false,
      ldap_binding_user: false,
      mfa: { configured: false, exclusion: false },
      organization: this.rules.organization,
      password_never_expires: false,
      passwordless_sudo: false,
      phoneNumbers: [],
      samba_service_user: false,
      state,
      sudo: false,
      suspended: state === 'SUSPENDED',
      totp_enabled: false,
      ...fields,
      // JumpCloud lower-cases emails (API notes, "Create a user").
      email: normaliseEmail(String(fields.email)),
      username: String(fields.username),
      _id: id,
      id,
      created,
    };
    this.people.push(user);
    this.byId.set(id, user);
    this.noteHolder(user);
    return user;
  }

  private noteHolder(user: SimUser): void {
    for (const key of uniqueKeys(user)) this.holders.set(key, user);
  }

  /** `POST /api/systemusers`: validated against systemuserputpost and the org's rules. */
  createUser(body: unknown, fullValidationDetails: boolean): SimUser | Refusal {
    if (!isObject(body)) return refuse(400, 'The request body must be a JSON object');
    const parsed = systemUserPostSchema.safeParse(body);
    if (!parsed.success) return refuse(400, describeIssue(parsed.error.issues[0], 'a system user'));
    const user = parsed.data;
    const problem = this.fieldProblem(user);
    if (problem) return refuse(400, problem);
    const weak = this.passwordProblem(user.password, fullValidationDetails);
    if (weak) return weak;
    const clash = this.uniqueClash(user);
    if (clash) return this.duplicate(clash);
    return this.storeUser(user);
  }

  /** `PUT /api/systemusers/{id}`: validated against systemuserput; only the fields sent change. */
  updateUser(id: string, body: unknown): SimUser | Refusal {
    const user = this.user(id);
    if (!user) return refuse(404, 'Not Found');
    if (!isObject(body)) return refuse(400, 'The request body must be a JSON object');
    const forbidden = Object.keys(body).find((field) => SYSTEM_USER_PUT_FORBIDDEN_FIELDS.has(field));
    if (forbidden) return refuse(400, `"${forbidden}" cannot be changed on an existing system user`);
    const parsed = systemUserPutSchema.safeParse(body);
    if (!parsed.success) return refuse(400, describeIssue(parsed.error.issues[0], 'a system user update'));
    const changes = parsed.data;
    const problem = this.fieldProblem(changes);
    if (problem) return refuse(400, problem);
    const weak = this.passwordProblem(changes.password, false);
    if (weak) return weak;
    const clash = this.uniqueClash(changes, id);
    if (clash) return this.duplicate(clash);
    Object.assign(user, changes);
    if (changes.email !== undefined) user.email = normaliseEmail(changes.email);
    this.noteHolder(user);
    // `state` and `suspended` say the same thing (API notes, "Suspend and reactivate").
    if (changes.state) user.suspended = changes.state === 'SUSPENDED';
    if (changes.state === 'ACTIVATED') user.activated = true;
    return user;
  }

  /** A group, bypassing validation (a test's "already in the org"). */
  seedGroup(name: string): SimGroup {
    const group: SimGroup = { id: newObjectId(), name, type: 'user_group' };
    this.userGroups.push(group);
    this.members.set(group.id, []);
    return group;
  }

  /** `POST /api/v2/usergroups` (UserGroupPost). A name already taken is a 409. */
  createGroup(body: unknown): SimGroup | Refusal {
    const parsed = userGroupPostSchema.safeParse(body);
    if (!parsed.success) return refuse(400, describeIssue(parsed.error.issues[0], 'a user group'));
    if (this.userGroups.some((group) => group.name === parsed.data.name))
      return refuse(409, 'A user group with this name already exists');
    const group = this.seedGroup(parsed.data.name);
    Object.assign(group, parsed.data);
    return group;
  }

  /** `POST /api/v2/usergroups/{id}/members`: add or remove a user. */
  changeMembership(groupId: string, body: unknown): 'done' | Refusal {
    const current = this.members.get(groupId);
    if (!current) return refuse(404, 'User group not found');
    const parsed = userGroupMemberOperationSchema.safeParse(body);
    if (!parsed.success) return refuse(400, describeIssue(parsed.error.issues[0], 'a membership operation'));
    const { op, id } = parsed.data;
    if (!this.user(id)) return refuse(404, 'User not found');
    const isMember = current.includes(id);
    if (op === 'add') {
      if (isMember) return refuse(409, 'The user is already a member of this group');
      current.push(id);
    } else {
      if (!isMember) return refuse(404, 'The user is not a member of this group');
      current.splice(current.indexOf(id), 1);
    }
    return 'done';
  }

  /** Rules beyond the schema's types, from the API notes ("Create a user"). */
  private fieldProblem(user: {
    username?: string;
    email?: string;
    attributes?: { name?: string }[];
    manager?: string;
  }) {
    if (user.username !== undefined && !USERNAME_PATTERN.test(user.username))
      return 'username must start with a letter and hold only letters, digits, ".", "-" and "_"';
    if (user.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(user.email.trim()))
      return 'email is not a valid email address';
    for (const [index, attribute] of (user.attributes ?? []).entries()) {
      if (!/^[A-Za-z0-9]{1,31}$/.test(attribute.name ?? ''))
        return `attributes[${index}].name must be letters and digits only, under 32 characters`;
    }
    if (user.manager !== undefined && !(OBJECT_ID.test(user.manager) && this.user(user.manager)))
      return 'manager must be the id of an existing user';
    return undefined;
  }

  private passwordProblem(password: string | undefined, fullValidationDetails: boolean): Refusal | undefined {
    const policy = this.rules.passwordPolicy;
    if (password === undefined || !policy) return undefined;
    const broken = passwordViolations(password, policy);
    if (broken.length === 0) return undefined;
    const message = 'Password does not meet the requirements of the password policy';
    if (!fullValidationDetails) return refuse(400, `${message}: ${broken[0]}`);
    return refuse(400, message, {
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.BadRequest',
          fieldViolationsList: broken.map((description) => ({ field: 'password', description })),
        },
      ],
    });
  }

  /** Username, email and employeeIdentifier are unique (spec: employeeIdentifier "Must be unique per user"). */
  private uniqueClash(
    user: { username?: string; email?: string; employeeIdentifier?: string },
    exceptId?: string,
  ): { field: string; value: string } | undefined {
    const wanted = {
      username: user.username,
      email: user.email === undefined ? undefined : normaliseEmail(user.email),
      employeeIdentifier: user.employeeIdentifier || undefined,
    };
    // The earliest-created user holding any of the values, as a scan in creation order finds it.
    let first: { at: number; field: string; value: string } | undefined;
    for (const key of uniqueKeys(wanted)) {
      const holder = this.holders.get(key);
      if (!holder || holder._id === exceptId || !uniqueKeys(holder).includes(key)) continue;
      const at = this.people.indexOf(holder);
      const field = key.slice(0, key.indexOf(':')) as keyof typeof wanted;
      if (at >= 0 && (!first || at < first.at)) first = { at, field, value: String(wanted[field]) };
    }
    return first && { field: first.field, value: first.value };
  }

  private duplicate(clash: { field: string; value: string }): Refusal {
    return this.rules.duplicateAnswer === 409
      ? refuse(409, 'User already exists')
      : refuse(400, `${clash.field} "${clash.value}" already exists`);
  }
}

/** The values no two users may share, as keys: usernames ignore case, emails are already lower-case. */
function uniqueKeys(user: { username?: string; email?: string; employeeIdentifier?: string }): string[] {
  const keys: string[] = [];
  if (user.username !== undefined) keys.push(`username:${user.username.toLowerCase()}`);
  if (user.email !== undefined) keys.push(`email:${user.email}`);
  if (user.employeeIdentifier) keys.push(`employeeIdentifier:${user.employeeIdentifier}`);
  return keys;
}

export function isRefusal(value: unknown): value is Refusal {
  return isObject(value) && 'refused' in value;
}

function refuse(refused: Refusal['refused'], message: string, extra?: Record<string, unknown>): Refusal {
  return extra ? { refused, message, extra } : { refused, message };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Mongo-style: 4 bytes of seconds then 8 random bytes, 24 hex characters, increasing over time. */
export function newObjectId(): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + randomBytes(8).toString('hex');
}

/** First schema problem in words naming the field, as a 400 message. */
function describeIssue(issue: z.core.$ZodIssue | undefined, what: string): string {
  if (!issue) return `The request body is not ${what}`;
  const where = issue.path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const names = issue.keys.map((key) => `"${where ? `${where}.` : ''}${key}"`).join(', ');
      return `${names} ${issue.keys.length > 1 ? 'are not fields' : 'is not a field'} of ${what}`;
    }
    case 'invalid_type':
      return issue.input === undefined
        ? `${where} is required`
        : `${where} must be of type ${issue.expected}`;
    case 'invalid_value':
      return `${where} must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_big':
      return `${where} must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters long' : ''}`;
    case 'too_small':
      return `${where} must be at least ${String(issue.minimum)}`;
    case 'invalid_format':
      return `${where} must be a valid ${issue.format}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

function passwordViolations(password: string, policy: PasswordPolicy): string[] {
  const broken: string[] = [];
  if (password.length < policy.minLength) broken.push(`must be at least ${policy.minLength} characters long`);
  if (policy.requireLowercase && !/[a-z]/.test(password)) broken.push('must contain a lowercase letter');
  if (policy.requireUppercase && !/[A-Z]/.test(password)) broken.push('must contain an uppercase letter');
  if (policy.requireDigit && !/\d/.test(password)) broken.push('must contain a number');
  if (policy.requireSymbol && !/[^A-Za-z0-9]/.test(password)) broken.push('must contain a special character');
  return broken;
}
