/**
 * Checks one SourceRow before any API call and turns it into the body of `POST /api/systemusers`
 * (NewSystemUser). The cell schema follows JumpCloud's `definitions.systemuserputpost` (its
 * enums, maxLengths and minimums); the rules it cannot express come from the API notes.
 *
 * Messages name the column by its canonical header and the rule it breaks (`email: is not a
 * valid email address`), several are joined with "; ". They never quote a cell: a cell may hold a
 * password typed into the wrong column. The password itself comes beside the cells
 * (`SourceRow.password`) and goes only into the request body.
 */
import * as z from 'zod';
import { TEMPLATE_GROUP } from '../csv/columns';
import {
  bringsPeopleIn,
  type ManagerRef,
  type NewSystemUser,
  PEOPLE_ACTIONS,
  ROW_ACTIONS,
  type RowAction,
  type RowValidator,
  type SourceRow,
  type UserAddress,
  type UserPhoneNumber,
  type ValidatedRow,
} from '../domain';
import {
  deriveUsername,
  leaverReason,
  type RowRules,
  readDay,
  usernameWithEmployeeId,
} from '../sources/derive';
import { EXAMPLE_ADDRESS_RULE, isExampleAddress } from './example-address';
import { SeenKeys } from './seen-keys';
import { usernameProblem } from './username';

export interface RowValidatorOptions {
  /** The clock for MFA enrolment deadlines (`mfa.exclusionUntil`). */
  readonly now?: () => Date;
  /**
   * What a row without an `action` cell does (the drop folder's or deployment's default). Decides
   * what the row must hold: a new person needs username and email; finding one needs any one key.
   */
  readonly defaultAction?: RowAction;
  /** How the export's rows read beyond their columns (its preset or mapping file). */
  readonly source?: RowRules;
  /**
   * Refuse a row bringing someone in whose email is at a domain reserved for examples
   * (example-address.ts); `unless` says how to send such rows anyway. Absent: they are sent.
   */
  readonly refuseExampleAddresses?: { readonly unless: string };
}

/** JumpCloud's own importer gives a user this many days to enrol when MFA is required. */
export const DEFAULT_ENROLLMENT_DAYS = 7;

/**
 * Returns a stateful validator: checks one row and remembers the usernames, emails and employee
 * ids of the VALID rows seen so far. A later row repeating one (ignoring case) is invalid with
 * "duplicate of row N (email)". An invalid row reserves nothing: it will not be created, so a
 * later valid row with the same email is the one attempt that counts.
 */
export function createRowValidator(options: RowValidatorOptions = {}): RowValidator {
  // Joiners and movers are checked for duplicates among themselves, leavers among themselves: a
  // person in both lists is a conflict the plan names on both rows (lambda/onboarding/plan.ts).
  // Keys are kept as fixed-size hashes (`email:ann@x.io` → row): 12 bytes a key, never the text.
  return validatorWith(options, { people: new RowsSoFar(), states: new RowsSoFar() });
}

/**
 * The first valid row holding each key. Reading a file again, a row must see only the rows
 * before it: the memory of the whole file answers as the memory so far did, as long as only an
 * earlier row counts.
 */
class RowsSoFar {
  constructor(
    private readonly seen = new SeenKeys(),
    private readonly complete = false,
  ) {}

  /** The earlier row holding the key, if any. */
  before(key: string, row: number): number | undefined {
    const first = this.seen.get(key);
    return first !== undefined && first < row ? first : undefined;
  }

  remember(key: string, row: number): void {
    if (!this.complete) this.seen.addIfAbsent(key, row);
  }

  /** The same memory, complete: nothing more to learn. */
  completed(): RowsSoFar {
    return new RowsSoFar(this.seen, true);
  }
}

function validatorWith(
  options: RowValidatorOptions,
  firstRowWithByKind: { people: RowsSoFar; states: RowsSoFar },
): RowValidator {
  const now = options.now ?? (() => new Date());
  const defaultAction = options.defaultAction ?? 'create';
  const rules = options.source ?? {};
  const validate = (source: SourceRow): ValidatedRow => {
    const cells = withConstants(source.cells, rules.constants);
    // The password joins the cells only here, where the request body is built.
    const parsed = checkCells(cells, source.password);
    const problems: string[] = source.problem ? [source.problem] : [];
    problems.push(...parsed.problems);
    const attributes = readAttributes(cells);
    problems.push(...attributes.problems);
    // An HR status such as Terminated, or an end date that has passed: the person is a leaver.
    const endDate = cellText(cells.endDate);
    const endDay = endDate === '' ? undefined : readDay(endDate, rules.dateFormat);
    if (endDate !== '' && endDay === undefined)
      problems.push(`endDate: is not a day written ${rules.dateFormat ?? 'YYYY-MM-DD'}`);
    const leaver = leaverReason(cells.employmentStatus, endDay, now, rules);
    // The results file shows the username and email: a password equal to either would show too.
    const password = cellText(source.password).toLowerCase();
    if (
      password !== '' &&
      (cellText(source.cells.username).toLowerCase() === password ||
        cellText(source.cells.email).toLowerCase() === password ||
        cellText(source.cells.manager).toLowerCase() === password)
    ) {
      problems.push('password: must not be the same as the username, the email or the manager');
    }

    const rowDefault = leaver ? 'suspend' : defaultAction;
    const action = parsed.data.action ?? rowDefault;
    const made = makeUsername(source.row, cells, rules, action, firstRowWithByKind.people);
    if (made.problem) problems.push(made.problem);
    const keys = {
      username: (made.username ?? cellText(cells.username)).toLowerCase(),
      email: cellText(cells.email).toLowerCase(),
      employeeIdentifier: cellText(cells.employeeIdentifier).toLowerCase(),
    };
    if (bringsPeopleIn(action)) {
      for (const column of REQUIRED_TO_BRING_IN) {
        if (keys[column] !== '') continue;
        const saidAlready = problems.some((problem) => problem.startsWith(`${column}:`));
        const missingFromFile = source.problem !== undefined && !(column in source.cells);
        if (!saidAlready && !missingFromFile) problems.push(`${column}: is required but empty`);
      }
      if (options.refuseExampleAddresses && isExampleAddress(keys.email))
        problems.push(`email: ${EXAMPLE_ADDRESS_RULE} ${options.refuseExampleAddresses.unless}`);
    } else if (keys.username === '' && keys.email === '' && keys.employeeIdentifier === '') {
      problems.push(`${action}: needs an employeeIdentifier, email or username to find the person by`);
    }
    const firstRowWith = PEOPLE_ACTIONS.has(action) ? firstRowWithByKind.people : firstRowWithByKind.states;
    problems.push(...duplicates(source.row, keys, firstRowWith));

    if (problems.length > 0) {
      return {
        row: source.row,
        ok: false,
        username: withoutPassword(cellText(source.cells.username), source.password),
        email: withoutPassword(cellText(source.cells.email), source.password),
        message: withoutPasswordWords(problems.join('; '), source.password),
      };
    }
    for (const column of DUPLICATE_COLUMNS) {
      if (keys[column] !== '') firstRowWith.remember(`${column}:${keys[column]}`, source.row);
    }
    const groups = readGroups(cells);
    const managerEmployeeIdentifier = cellText(cells.managerEmployeeIdentifier);
    const manager: ManagerRef | undefined =
      parsed.data.manager ??
      (managerEmployeeIdentifier !== ''
        ? { by: 'employeeIdentifier', value: managerEmployeeIdentifier }
        : undefined);
    const data = made.username ? { ...parsed.data, username: made.username } : parsed.data;
    return {
      row: source.row,
      ok: true,
      user: toNewSystemUser(data, attributes.list, now),
      groups,
      ...(parsed.data.action || leaver ? { action } : {}),
      ...(manager ? { manager } : {}),
      ...(made.username ? { usernameMade: made.fallback ? { fallback: made.fallback } : {} } : {}),
      ...(leaver && !parsed.data.action ? { leaver } : {}),
    };
  };
  return Object.assign(validate, {
    personRowWith: (key: string, row: number) => firstRowWithByKind.people.before(key, row + 1),
    reread: () =>
      validatorWith(options, {
        people: firstRowWithByKind.people.completed(),
        states: firstRowWithByKind.states.completed(),
      }),
  });
}

// ---- cells -------------------------------------------------------------------------------------

/** Cells are trimmed; an empty cell is an absent value, never sent as "". */
function cellText(value: string | undefined): string {
  return (value ?? '').trim();
}

/** Any text: a column with no rule of its own. Taken as written, without a parse (most columns). */
const ANY_TEXT = z.string();

function text(maxLength?: number) {
  return maxLength === undefined
    ? ANY_TEXT
    : z.string().max(maxLength, { error: `is longer than ${maxLength} characters` });
}

const username = z.string().transform((value, ctx) => {
  const problem = usernameProblem(value);
  if (problem === undefined) return value;
  ctx.addIssue(problem);
  return z.NEVER;
});

/** JumpCloud stores emails lower-case while v1 filters are case-sensitive (API notes): normalise. */
const email = z
  .string()
  .max(1024, { error: 'is longer than 1024 characters' })
  .transform((value) => value.toLowerCase())
  .pipe(z.email({ error: 'is not a valid email address' }));

const USER_STATES = ['STAGED', 'ACTIVATED', 'SUSPENDED'] as const;
const state = z.string().transform((value, ctx) => {
  const upper = value.toUpperCase();
  const known = USER_STATES.find((candidate) => candidate === upper);
  if (known) return known;
  ctx.addIssue('is not STAGED, ACTIVATED or SUSPENDED (an address state belongs in work_state)');
  return z.NEVER;
});

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  y: true,
  '1': true,
  false: false,
  no: false,
  n: false,
  '0': false,
};
const flag = z.string().transform((value, ctx) => {
  const parsed = BOOLEAN_WORDS[value.toLowerCase()];
  if (parsed !== undefined) return parsed;
  ctx.addIssue('is not yes or no (also accepted: true/false, y/n, 1/0)');
  return z.NEVER;
});

/**
 * JumpCloud's `manager` is a user id (API notes); HR names the manager by username or email. The
 * engine resolves the reference to an id once per run.
 */
const manager = z.string().transform((value, ctx): ManagerRef => {
  if (/^[0-9a-f]{24}$/i.test(value)) return { by: 'id', value: value.toLowerCase() };
  if (value.includes('@')) {
    if (z.email().safeParse(value.toLowerCase()).success) return { by: 'email', value: value.toLowerCase() };
    ctx.addIssue('is not a valid email address, username or JumpCloud user id');
    return z.NEVER;
  }
  if (!/[\s,]/u.test(value)) return { by: 'username', value };
  // HR systems name the manager: "Ross, Margaret" (BambooHR) or "Margaret Ross".
  const name = personName(value);
  if (name) return { by: 'name', value: `${name.firstname} ${name.lastname}`, ...name };
  ctx.addIssue('is not a username, email, JumpCloud user id or a name written "Last, First" or "First Last"');
  return z.NEVER;
});

/** "Ross, Margaret" or "Margaret Ross" (the last word is the last name); undefined when not two parts. */
function personName(value: string): { firstname: string; lastname: string } | undefined {
  const squeeze = (text: string) => text.trim().replace(/\s+/gu, ' ');
  const parts = value.split(',');
  if (parts.length === 2) {
    const [lastname, firstname] = parts.map(squeeze);
    return lastname && firstname ? { firstname, lastname } : undefined;
  }
  if (parts.length > 2) return undefined;
  const words = squeeze(value).split(' ');
  const lastname = words.pop();
  return lastname && words.length > 0 ? { firstname: words.join(' '), lastname } : undefined;
}

/** `mfa.exclusionDays` has minimum 1 in the spec; the upper bound only catches typos. */
const enrollmentDays = z.string().transform((value, ctx) => {
  const days = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (days >= 1 && days <= 365) return days;
  ctx.addIssue('is not a whole number of days from 1 to 365');
  return z.NEVER;
});

const action = z.string().transform((value, ctx): RowAction => {
  const known = ROW_ACTIONS.find((candidate) => candidate === value.toLowerCase());
  if (known) return known;
  ctx.addIssue(`is not one of ${ROW_ACTIONS.join(', ')} (nothing is ever deleted)`);
  return z.NEVER;
});

const ADDRESS_PARTS = {
  streetAddress: 'streetAddress',
  extendedAddress: 'extendedAddress',
  poBox: 'poBox',
  city: 'locality',
  state: 'region',
  postalCode: 'postalCode',
  country: 'country',
} as const satisfies Record<string, keyof UserAddress>;

const PHONE_TYPES = {
  mobile_number: 'mobile',
  home_number: 'home',
  work_number: 'work',
  work_mobile_number: 'work_mobile',
  work_fax_number: 'work_fax',
} as const;

/**
 * Each column's rule, keyed as lambda/csv/columns.ts names them, the way systemuserputpost says.
 * A blank cell is an absent value that no rule sees. Only the columns a row fills are checked, one
 * by one: an export has a dozen of these fifty columns, and one object schema over all fifty cost
 * most of the time a long file took to validate.
 */
const COLUMN_RULES = {
  // Required for a new person; a row that only finds someone needs one key (checked per action).
  username,
  email,
  firstname: text(),
  middlename: text(),
  lastname: text(),
  displayname: text(),
  // Trimmed like every cell: a space typed or pasted around it is far likelier than one meant.
  password: text(),
  alternateEmail: email,
  recoveryEmail: email,
  jobTitle: text(),
  department: text(),
  company: text(),
  costCenter: text(),
  employeeIdentifier: text(256),
  employeeType: text(),
  location: text(),
  description: text(1024),
  manager,
  state,
  activated: flag,
  sudo: flag,
  passwordless_sudo: flag,
  ldap_binding_user: flag,
  enable_user_portal_multifactor: flag,
  enrollmentDays,
  password_never_expires: flag,
  disableDeviceMaxLoginAttempts: flag,
  action,
  work_streetAddress: text(),
  work_extendedAddress: text(),
  work_poBox: text(),
  work_city: text(),
  work_state: text(),
  work_postalCode: text(),
  work_country: text(),
  home_streetAddress: text(),
  home_extendedAddress: text(),
  home_poBox: text(),
  home_city: text(),
  home_state: text(),
  home_postalCode: text(),
  home_country: text(),
  groups: text(),
  mobile_number: text(),
  home_number: text(),
  work_number: text(),
  work_mobile_number: text(),
  work_fax_number: text(),
} satisfies Record<string, z.ZodType>;
type ColumnRules = typeof COLUMN_RULES;
/** The cells a row fills, as their rules read them. */
type Cells = { -readonly [F in keyof ColumnRules]?: z.output<ColumnRules[F]> };
/** Each column's rule, and its place in COLUMN_RULES (the order a row's problems are told in). */
const RULE_OF = new Map<string, { schema: z.ZodType; order: number }>(
  Object.entries(COLUMN_RULES).map(([column, schema], order) => [column, { schema, order }]),
);

/**
 * The row's cells through their rules, in the order the rules are listed: what they read, and one
 * problem per column that breaks its rule (`email: is not a valid email address`), never quoting it.
 */
function checkCells(
  cells: Readonly<Record<string, string>>,
  password?: string,
): { data: Cells; problems: string[] } {
  const data: Record<string, unknown> = {};
  const found: { order: number; problem: string }[] = [];
  // The row's own cells (a dozen), not every rule (fifty): most columns of most files are absent.
  for (const column in cells) checkCell(column, cells[column], data, found);
  checkCell('password', password, data, found);
  if (found.length > 1) found.sort(byOrder);
  return { data: data as Cells, problems: found.map(problemOf) };
}

function checkCell(
  column: string,
  written: string | undefined,
  data: Record<string, unknown>,
  found: { order: number; problem: string }[],
): void {
  const rule = RULE_OF.get(column);
  const value = written?.trim();
  if (!rule || !value) return;
  if (rule.schema === ANY_TEXT) {
    data[column] = value;
    return;
  }
  const checked = rule.schema.safeParse(value);
  if (checked.success) data[column] = checked.data;
  else
    found.push({
      order: rule.order,
      problem: `${column}: ${checked.error.issues[0]?.message ?? 'is not valid'}`,
    });
}

const byOrder = (a: { order: number }, b: { order: number }) => a.order - b.order;
const problemOf = (found: { problem: string }) => found.problem;

/**
 * Problems of cells on their own (field → text), as the rows' checks word them: for a mapping
 * file's constants, checked once before any row is read.
 */
export function cellProblems(cells: Readonly<Record<string, string>>): string[] {
  return [...checkCells(cells, cells.password).problems, ...readAttributes(cells).problems];
}

/** A mapping's constants fill the cells the row leaves empty; its groups join the row's own. */
function withConstants(
  cells: Readonly<Record<string, string>>,
  constants: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> {
  if (!constants) return cells;
  const filled: Record<string, string> = { ...cells };
  for (const [field, value] of Object.entries(constants)) {
    if (field === 'groups') filled.groups = [cellText(cells.groups), value].filter(Boolean).join(';');
    else if (cellText(filled[field]) === '') filled[field] = value;
  }
  return filled;
}

interface MadeUsername {
  /** The username made for the row; undefined when the row has its own, or none can be made. */
  readonly username?: string;
  /** The one to use instead should another person in JumpCloud hold `username`. */
  readonly fallback?: string;
  readonly problem?: string;
}

/**
 * A username made from the row when the export has none (the preset's or mapping's rule). When an
 * earlier row of the file made the same one, this row's gets its employee id (`jsmith.1042`): a
 * pure function of the file, so every drop of it gives the same answer.
 */
function makeUsername(
  row: number,
  cells: Readonly<Record<string, string>>,
  rules: RowRules,
  action: RowAction,
  peopleSoFar: RowsSoFar,
): MadeUsername {
  if (!rules.username || cellText(cells.username) !== '' || Object.keys(cells).length === 0) return {};
  const from = rules.username === 'email' ? 'the email' : 'the first and last name';
  const base = deriveUsername(rules.username, cells);
  if (!base) {
    return bringsPeopleIn(action) && cellText(cells.email) !== ''
      ? { problem: `username: cannot be made from ${from} (it needs a letter A-Z to start with)` }
      : {};
  }
  const withId = usernameWithEmployeeId(base, cells.employeeIdentifier);
  const earlier = PEOPLE_ACTIONS.has(action) ? peopleSoFar.before(`username:${base}`, row) : undefined;
  if (earlier === undefined) return { username: base, ...(withId ? { fallback: withId } : {}) };
  if (withId && peopleSoFar.before(`username:${withId}`, row) === undefined) return { username: withId };
  const why = withId ? 'so is the one with its employee id' : 'the row has no employee id to tell them apart';
  return {
    problem: `username: made from ${from}, it is the same as row ${earlier}'s, and ${why}; add a username column`,
  };
}

// ---- custom attributes -------------------------------------------------------------------------

interface Attributes {
  readonly list: { name: string; value: string }[];
  readonly problems: string[];
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9]{1,31}$/;
const PAIR_KEY = /^attribute(\d+)_(name|value)$/;

/**
 * `attributeN_name`/`attributeN_value` pairs (JumpCloud's template) and `attribute:<Name>`
 * columns. A name with an empty value is left out, like any empty optional cell.
 */
const NO_ATTRIBUTES: Attributes = Object.freeze({ list: [], problems: [] });

function readAttributes(cells: Readonly<Record<string, string>>): Attributes {
  let any = false;
  for (const key in cells) any ||= key.startsWith('attribute');
  if (!any) return NO_ATTRIBUTES; // most files have none: no pattern to match
  const list: { name: string; value: string }[] = [];
  const problems: string[] = [];
  const add = (column: string, name: string, value: string) => {
    if (!ATTRIBUTE_NAME.test(name)) {
      problems.push(
        `${column}: is not a custom attribute name (letters and digits only, under 32 characters)`,
      );
    } else if (value.length > 1024) {
      problems.push(`${column}: the value is longer than 1024 characters`);
    } else if (list.some((attribute) => attribute.name.toLowerCase() === name.toLowerCase())) {
      problems.push(`${column}: names a custom attribute given earlier in the row`);
    } else if (value !== '') {
      list.push({ name, value });
    }
  };

  const pairNumbers = new Set<number>();
  for (const key of Object.keys(cells)) {
    const pair = PAIR_KEY.exec(key);
    if (pair) pairNumbers.add(Number(pair[1]));
  }
  for (const n of [...pairNumbers].sort((a, b) => a - b)) {
    const name = cellText(cells[`attribute${n}_name`]);
    const value = cellText(cells[`attribute${n}_value`]);
    if (name === '' && value !== '')
      problems.push(`attribute${n}_value: has a value but attribute${n}_name is empty`);
    else if (name !== '') add(`attribute${n}_name`, name, value);
  }
  for (const [key, raw] of Object.entries(cells)) {
    if (key.startsWith('attribute:')) add(key, key.slice('attribute:'.length), cellText(raw));
  }
  return { list, problems };
}

// ---- groups ------------------------------------------------------------------------------------

/** Group names from the `groups` cell (split on ";" or "|") and `groupN` cells, each once, in order. */
function readGroups(cells: Readonly<Record<string, string>>): string[] {
  const written = cellText(cells.groups);
  const numbered: number[] = [];
  for (const key in cells) {
    const match = key.startsWith('group') ? TEMPLATE_GROUP.exec(key) : null;
    if (match) numbered.push(Number(match[1]));
  }
  if (written === '' && numbered.length === 0) return [];
  const names: string[] = [];
  const add = (name: string) => {
    const trimmed = name.trim();
    if (trimmed !== '' && !names.some((known) => known.toLowerCase() === trimmed.toLowerCase()))
      names.push(trimmed);
  };
  for (const name of written.split(/[;|\n]/)) add(name);
  numbered.sort((a, b) => a - b);
  for (const n of numbered) add(cellText(cells[`group${n}`]));
  return names;
}

// ---- duplicates --------------------------------------------------------------------------------

type DuplicateKeys = { username: string; email: string; employeeIdentifier: string };
const DUPLICATE_COLUMNS = ['username', 'email', 'employeeIdentifier'] as const;
const REQUIRED_TO_BRING_IN = ['username', 'email'] as const;

function duplicates(row: number, keys: DuplicateKeys, firstRowWith: RowsSoFar): string[] {
  let byRow: Map<number, string[]> | undefined;
  for (const column of DUPLICATE_COLUMNS) {
    const value = keys[column];
    const first = value === '' ? undefined : firstRowWith.before(`${column}:${value}`, row);
    if (first === undefined) continue;
    byRow ??= new Map();
    byRow.set(first, [...(byRow.get(first) ?? []), column]);
  }
  return byRow ? [...byRow].map(([row, columns]) => `duplicate of row ${row} (${columns.join(', ')})`) : [];
}

// ---- the user ----------------------------------------------------------------------------------

/** Cells that go into the new user's body as they are. */
const COPIED_FIELDS = [
  'firstname',
  'middlename',
  'lastname',
  'displayname',
  'password',
  'alternateEmail',
  'jobTitle',
  'department',
  'company',
  'costCenter',
  'employeeIdentifier',
  'employeeType',
  'location',
  'description',
  'state',
  'activated',
  'sudo',
  'passwordless_sudo',
  'ldap_binding_user',
  'enable_user_portal_multifactor',
  'password_never_expires',
  'disableDeviceMaxLoginAttempts',
] as const satisfies readonly (keyof Cells & keyof NewSystemUser)[];

const COPIED = new Set<string>(COPIED_FIELDS);
/** Address columns: `work_city` → the work address's locality. */
const ADDRESS_OF = new Map<string, { kind: 'work' | 'home'; field: keyof UserAddress }>(
  (['work', 'home'] as const).flatMap((kind) =>
    Object.entries(ADDRESS_PARTS).map(([part, field]) => [`${kind}_${part}`, { kind, field }] as const),
  ),
);
/** Phone columns: `work_number` → a phone of type work, listed in PHONE_TYPES order. */
const PHONE_OF = new Map(
  Object.entries(PHONE_TYPES).map(([column, type], order) => [column, { type, order }] as const),
);

/**
 * The body of the create. It walks the cells the row fills, not every column it could have: a
 * row fills a dozen of some fifty, and this runs for every row of a file, twice.
 */
function toNewSystemUser(
  cells: Cells,
  attributes: NewSystemUser['attributes'],
  now: () => Date,
): NewSystemUser {
  // Empty only on rows that find a person rather than create one.
  const user: NewSystemUser = { username: cells.username ?? '', email: cells.email ?? '' };
  const fields = user as unknown as Record<string, unknown>;
  const addresses: { work?: UserAddress; home?: UserAddress } = {};
  const phones: UserPhoneNumber[] = [];
  for (const column in cells) {
    const value = cells[column as keyof Cells];
    if (COPIED.has(column)) {
      fields[column] = value;
      continue;
    }
    const part = ADDRESS_OF.get(column);
    if (part) {
      const address = addresses[part.kind] ?? { type: part.kind };
      address[part.field] = value as string;
      addresses[part.kind] = address;
      continue;
    }
    const phone = PHONE_OF.get(column);
    if (phone) phones[phone.order] = { type: phone.type, number: value as string };
  }
  if (cells.recoveryEmail !== undefined) user.recoveryEmail = { address: cells.recoveryEmail };

  // JumpCloud's importer sends the enrolment window as mfa.exclusion + exclusionUntil (API notes).
  const days =
    cells.enrollmentDays ?? (cells.enable_user_portal_multifactor ? DEFAULT_ENROLLMENT_DAYS : undefined);
  if (days !== undefined) {
    const until = new Date(now().getTime() + days * 24 * 60 * 60 * 1000);
    user.mfa = { exclusion: true, exclusionDays: days, exclusionUntil: until.toISOString() };
  }
  if (addresses.work || addresses.home)
    user.addresses = [addresses.work, addresses.home].filter((address) => address !== undefined);
  if (phones.length > 0) user.phoneNumbers = phones.filter((phone) => phone !== undefined);
  if (attributes && attributes.length > 0) user.attributes = attributes;
  return user;
}

// ---- secrets -----------------------------------------------------------------------------------

/** Said instead, in the (contrived) case where masking cannot get the password out of a message. */
const WITHHELD_MESSAGE =
  'the row has problems that cannot be shown without revealing its password: check its cells';
const MASKS = ['[password]', '***', '[hidden]'];

/**
 * Messages quote no cell, but a password may still be one of their words ("SUSPENDED"): it is
 * masked, ignoring case; if masking a short password rebuilds it, the message is withheld.
 */
function withoutPasswordWords(message: string, password: string | undefined): string {
  const secrets = [...new Set([password ?? '', cellText(password)])]
    .filter((secret) => secret !== '')
    .map((secret) => secret.toLowerCase());
  const leaks = (text: string) => secrets.some((secret) => text.toLowerCase().includes(secret));
  let masked = message;
  for (let round = 0; round < 5 && leaks(masked); round++) {
    for (const secret of secrets) {
      const replacement = MASKS.find((candidate) => !candidate.toLowerCase().includes(secret)) ?? '';
      masked = masked.replace(new RegExp(escapeRegExp(secret), 'gi'), () => replacement);
    }
  }
  return leaks(masked) ? WITHHELD_MESSAGE : masked;
}

/** A cell shown in the results of an invalid row, masked if the password was typed into it too. */
function withoutPassword(value: string, password: string | undefined): string {
  const secret = cellText(password).toLowerCase();
  return secret !== '' && value.toLowerCase().includes(secret) ? '[password]' : value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
