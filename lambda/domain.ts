/**
 * The words the whole project shares: a row of the input, the user JumpCloud is asked to create,
 * and what became of each row. Parsing, validation, the JumpCloud client, the engine, the
 * results file, the CLI and the demo all speak in these types.
 */

/** What became of one input row. `would_*` only in a dry run. */
export const ROW_STATUSES = [
  'created',
  'updated',
  'suspended',
  'exists',
  'invalid',
  'failed',
  'would_create',
  'would_update',
  'would_suspend',
] as const;
export type RowStatus = (typeof ROW_STATUSES)[number];

/**
 * One data row of the input file as read from the CSV, before validation.
 * `cells` is keyed by canonical field name (see lambda/csv/columns.ts), never by the header text.
 */
export interface SourceRow {
  /** Spreadsheet row number HR sees: the header is row 1, the first user row 2. */
  readonly row: number;
  /**
   * Cell text by canonical column (e.g. `firstname`, `employeeIdentifier`, `attribute:Badge`).
   * Never the password, and empty when the row's cells cannot be trusted to sit in their columns
   * (a cell too many or too few).
   */
  readonly cells: Readonly<Record<string, string>>;
  /**
   * The password cell, kept apart from the cells from the moment it is read, so that nothing that
   * shows cells (messages, results, logs) can show it. It goes only into the request body.
   */
  readonly password?: string;
  /** A problem found while reading the row (wrong number of cells, file-level error), if any. */
  readonly problem?: string;
}

/** An address as JumpCloud's `systemuserputpost.addresses[]` defines it. */
export interface UserAddress {
  type?: string;
  streetAddress?: string;
  extendedAddress?: string;
  poBox?: string;
  locality?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

/** A phone number as JumpCloud's `systemuserputpost.phoneNumbers[]` defines it. */
export interface UserPhoneNumber {
  type?: string;
  number: string;
}

/**
 * The body of `POST /api/systemusers` (spec: definitions.systemuserputpost), holding only fields
 * JumpCloud defines. Emails are already trimmed and lower-cased (JumpCloud lower-cases them, while
 * v1 filters are case-sensitive: see the API notes).
 */
export interface NewSystemUser {
  username: string;
  email: string;
  firstname?: string;
  middlename?: string;
  lastname?: string;
  displayname?: string;
  /** Never logged, never written to results. */
  password?: string;
  alternateEmail?: string;
  recoveryEmail?: { address: string };
  jobTitle?: string;
  department?: string;
  company?: string;
  costCenter?: string;
  employeeIdentifier?: string;
  employeeType?: string;
  location?: string;
  description?: string;
  /** A JumpCloud user id (24 hex characters), not a name: the engine resolves the row's reference. */
  manager?: string;
  state?: 'STAGED' | 'ACTIVATED' | 'SUSPENDED';
  activated?: boolean;
  sudo?: boolean;
  passwordless_sudo?: boolean;
  ldap_binding_user?: boolean;
  enable_user_portal_multifactor?: boolean;
  password_never_expires?: boolean;
  disableDeviceMaxLoginAttempts?: boolean;
  mfa?: { configured?: boolean; exclusion?: boolean; exclusionDays?: number; exclusionUntil?: string };
  addresses?: UserAddress[];
  phoneNumbers?: UserPhoneNumber[];
  attributes?: { name: string; value: string }[];
}

/** What a row asks for a person (the `action` column, else the drop folder's or deployment's default). */
export const ROW_ACTIONS = ['create', 'update', 'upsert', 'suspend', 'unsuspend'] as const;
export type RowAction = (typeof ROW_ACTIONS)[number];

/** Actions about a person's fields (joiners and movers); `suspend` and `unsuspend` only change their state. */
export const PEOPLE_ACTIONS: ReadonlySet<RowAction> = new Set(['create', 'upsert', 'update']);

/** Whether rows with this action may bring a new person in (and so need a username and email). */
export function bringsPeopleIn(action: RowAction): boolean {
  return action === 'create' || action === 'upsert';
}

/**
 * A manager as HR names them: a JumpCloud id, an email, a username, an HR employee id, or a name
 * ("Ross, Margaret"), resolved to an id once per run.
 */
export interface ManagerRef {
  readonly by: 'id' | 'email' | 'username' | 'employeeIdentifier' | 'name';
  /** For a name, "First Last". */
  readonly value: string;
  readonly firstname?: string;
  readonly lastname?: string;
}

/**
 * A row after validation: what should be true in JumpCloud for one person (a row intent), or the
 * reason the row cannot be acted on. `user` holds the fields the row gives; `manager` and
 * `groups` are names the engine resolves to ids.
 */
export type ValidatedRow =
  | {
      readonly row: number;
      readonly ok: true;
      readonly user: NewSystemUser;
      /** The `action` cell; absent when the row has none (the run's default applies). */
      readonly action?: RowAction;
      /** Group names, as written, each once. */
      readonly groups: readonly string[];
      readonly manager?: ManagerRef;
      /** The username was made from the row (its export has none): a person found keeps theirs. */
      readonly usernameMade?: { readonly fallback?: string };
      /** Why the row is a leaver when its HR status or end date made it one (no action cell). */
      readonly leaver?: string;
    }
  | {
      readonly row: number;
      readonly ok: false;
      /** What could be read of the row, for the results file (may be empty). */
      readonly username: string;
      readonly email: string;
      /** Names the column(s) and what is wrong, e.g. `email: "bob@" is not a valid email address`. */
      readonly message: string;
    };

/**
 * Checks a file's rows in order. It remembers the keys of the valid rows it has seen, so that a
 * later row repeating one is a duplicate.
 */
export interface RowValidator {
  (row: SourceRow): ValidatedRow;
  /**
   * For reading the same file again once this validator has read all of it: a validator that
   * answers every row as this one did, from this one's memory instead of a second copy of it
   * (a key counts against a row only when an earlier row holds it).
   */
  reread(): RowValidator;
  /**
   * The first valid row up to `row` (itself included) that brings a person in (create, update,
   * upsert) and holds the key (`email:ann@x.io`, lower case): the memory duplicates are found by,
   * lent to the plan so that a long file's keys are remembered once.
   */
  personRowWith(key: string, row: number): number | undefined;
}

/** What JumpCloud said (or would say, in a dry run) about one user. */
export interface DirectoryOutcome {
  readonly status: Exclude<RowStatus, 'invalid'>;
  /** The JumpCloud user id when known (`created`, `exists`, sometimes `failed`). */
  readonly jumpcloudId?: string;
  /** Why, in words an HR person can act on. Never holds a password or the API key. */
  readonly message?: string;
  /**
   * When JumpCloud says the user was created (its `created` field), where known for `exists`.
   * Lets a resumed run tell a user an interrupted attempt at the same file created from one
   * that was there before.
   */
  readonly createdAt?: string;
}

/** One line of the results file. */
export interface RowOutcome {
  readonly row: number;
  readonly status: RowStatus;
  readonly username: string;
  readonly email: string;
  readonly jumpcloudId: string;
  readonly message: string;
  /** Per group, what happened (`Sales: added; Admins: missing`); empty when the row names none. */
  readonly groups?: string;
  /** What happened to the manager (`set`, `unchanged`, `not found: ...`); empty when the row names none. */
  readonly manager?: string;
}

/** The part of JumpCloud the engine needs. The real client and test doubles implement it. */
export interface UserDirectory {
  /** Create the user, or find that it already exists. Throws ApiKeyRejectedError on 401/403. */
  createUser(user: NewSystemUser): Promise<DirectoryOutcome>;
  /** Dry run: say what createUser would do, without changing anything. */
  planUser(user: NewSystemUser): Promise<DirectoryOutcome>;
}

/** A person as JumpCloud holds them. */
export interface DirectoryPerson {
  id: string;
  username: string;
  email: string;
  employeeIdentifier?: string;
  state?: 'STAGED' | 'ACTIVATED' | 'SUSPENDED';
  created?: string;
  /** Every field JumpCloud returned (systemuserreturn), e.g. firstname, department, manager, attributes, addresses, phoneNumbers. */
  record: Record<string, unknown>;
}

/** The field a person is matched by, and its value. */
export type PersonKey = { field: 'employeeIdentifier' | 'email' | 'username'; value: string };

export type UpdateOutcome = { ok: true; person: DirectoryPerson } | { ok: false; message: string };

export type MembershipOutcome = 'added' | 'already a member' | { failed: string };

export interface UserGroup {
  id: string;
  name: string;
}

/** What the plan/resolve/apply engine needs of JumpCloud beyond creating users. */
export interface PeopleDirectory extends UserDirectory {
  /** Every person whose field equals the value exactly (email compared lower-cased); throws JumpCloudLookupError when JumpCloud cannot say. */
  findPeople(key: PersonKey): Promise<DirectoryPerson[]>;
  /** Every person with exactly this first and last name (compared ignoring case); throws JumpCloudLookupError. */
  findPeopleByName(firstname: string, lastname: string): Promise<DirectoryPerson[]>;
  /** PUT /api/systemusers/{id} with only systemuserput fields (never activated, passwordless_sudo, recoveryEmail; state only ACTIVATED|SUSPENDED); PUT is idempotent so lost answers are simply retried. */
  updatePerson(id: string, changes: Record<string, unknown>): Promise<UpdateOutcome>;
  /** All user groups, paged 100 at a time (v2 GET /api/v2/usergroups?limit=100&skip=N&sort=name). */
  listUserGroups(): Promise<UserGroup[]>;
  /** Ids of the group's members (v2 GET /api/v2/usergroups/{id}/members, paged 100 at a time). */
  groupMemberIds(groupId: string): Promise<ReadonlySet<string>>;
  /** POST /api/v2/usergroups/{id}/members {op:add,type:user,id}; 204 added, 409 already a member. */
  addToGroup(groupId: string, personId: string): Promise<MembershipOutcome>;
}

/**
 * The logging the domain code needs; Powertools Logger satisfies it, so does a console shim.
 * Pass at most one object of extra fields.
 */
export interface Log {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
