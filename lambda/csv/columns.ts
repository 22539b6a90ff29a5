/**
 * Which header means which field. People write `First Name`, `first_name`, `FirstName`; HR systems
 * say `Employee ID`, `Surname`, `Work Email`; JumpCloud's own import template (PowerShell
 * `New-JCImportTemplate` / `Import-JCUsersFromCSV`) says `FirstName`, `home_city`, `Attribute1_name`.
 * All of them land on one canonical column, whose name is also the key of the cell in
 * `SourceRow.cells`.
 */
import { UnreadableFileError } from '../errors';

export interface ColumnSpec {
  /** Our canonical header spelling; also the cell's key in `SourceRow.cells`. */
  readonly header: string;
  /** What it fills in JumpCloud's `systemuserputpost`, for people reading the documentation. */
  readonly jumpcloudField: string;
  /** Accepted values and what happens with them, in words for HR. */
  readonly description: string;
  /** Other spellings that mean the same column. Matched ignoring case, spaces, `_`, `-`, `.`. */
  readonly aliases: readonly string[];
  /** A value for the example row of the template ('' = left empty). */
  readonly example: string;
}

export const REQUIRED_COLUMNS = ['username', 'email'] as const;

const BOOLEAN_VALUES = 'yes/no, true/false, y/n or 1/0 (any case); empty = JumpCloud default';

const ADDRESS_PARTS = [
  {
    part: 'streetAddress',
    label: 'street address',
    aliases: ['Street Address', 'Street', 'Address', 'Address Line 1'],
  },
  { part: 'extendedAddress', label: 'second address line', aliases: ['Address Line 2', 'Extended Address'] },
  { part: 'poBox', label: 'PO box', aliases: ['PO Box', 'P.O. Box'] },
  { part: 'city', field: 'locality', label: 'city', aliases: ['City', 'Town', 'Locality'] },
  { part: 'state', field: 'region', label: 'state or region', aliases: ['Region', 'Province', 'County'] },
  { part: 'postalCode', label: 'postal code', aliases: ['Postal Code', 'Postcode', 'Zip', 'Zip Code'] },
  { part: 'country', label: 'country', aliases: ['Country'] },
] as const;

function addressColumns(kind: 'work' | 'home'): ColumnSpec[] {
  return ADDRESS_PARTS.map(({ part, label, aliases, ...rest }) => {
    const field = 'field' in rest ? rest.field : part;
    const spelled = aliases.map((alias) => `${kind === 'work' ? 'Work' : 'Home'} ${alias}`);
    return {
      header: `${kind}_${part}`,
      jumpcloudField: `addresses[type=${kind}].${field}`,
      description: `${kind} address: ${label}`,
      // Unprefixed spellings (`City`, `Zip`) mean the work address: HR files describe the office.
      aliases: kind === 'work' ? [...spelled, ...aliases] : spelled,
      example: kind === 'work' && part === 'city' ? 'London' : '',
    };
  });
}

function phoneColumn(header: string, type: string, aliases: string[], example = ''): ColumnSpec {
  return {
    header,
    jumpcloudField: `phoneNumbers[type=${type}].number`,
    description: `${type.replace('_', ' ')} phone number, kept as written`,
    aliases,
    example,
  };
}

function booleanColumn(header: string, meaning: string, aliases: string[] = [], example = ''): ColumnSpec {
  return { header, jumpcloudField: header, description: `${meaning}: ${BOOLEAN_VALUES}`, aliases, example };
}

function textColumn(header: string, description: string, aliases: string[], example = ''): ColumnSpec {
  return { header, jumpcloudField: header, description, aliases, example };
}

/** Every column with a fixed name, in the order of the template. */
export const COLUMN_SPECS: readonly ColumnSpec[] = [
  textColumn(
    'username',
    'required; letters A-Z, digits, ".", "-" and "_", starting with a letter; at most 30 characters; unique in the file',
    ['User Name', 'Login', 'Login Name', 'Login ID', 'Logon Name', 'sAMAccountName'],
    'jdoe',
  ),
  textColumn(
    'email',
    'required; a valid email address, stored lower-case; unique in the file',
    [
      'E-mail',
      'Email Address',
      'E-mail Address',
      'Work Email',
      'Work Email Address',
      'Mail',
      'Primary Email',
      'Business Email',
    ],
    'jane.doe@example.com',
  ),
  textColumn('firstname', 'first name', ['First Name', 'Given Name', 'Forename', 'First'], 'Jane'),
  textColumn('middlename', 'middle name', ['Middle Name', 'Middle']),
  textColumn('lastname', 'last name', ['Last Name', 'Surname', 'Family Name', 'Last'], 'Doe'),
  textColumn(
    'displayname',
    'name shown in JumpCloud',
    ['Display Name', 'Preferred Name', 'Full Name'],
    'Jane Doe',
  ),
  textColumn(
    'password',
    'initial password; must meet the org password policy; never written to results or logs; ' +
      'empty = JumpCloud asks the user to set one',
    ['Initial Password', 'Temporary Password', 'Temp Password'],
  ),
  textColumn('alternateEmail', 'a second email address', [
    'Alternate Email',
    'Personal Email',
    'Private Email',
    'Secondary Email',
  ]),
  {
    header: 'recoveryEmail',
    jumpcloudField: 'recoveryEmail.address',
    description: 'email address for account recovery',
    aliases: ['Recovery Email', 'Recovery Email Address'],
    example: '',
  },
  textColumn('jobTitle', 'job title', ['Title', 'Job Title', 'Position', 'Position Title'], 'Engineer'),
  textColumn('department', 'department', ['Dept', 'Department Name'], 'Engineering'),
  textColumn('company', 'company', ['Company Name', 'Organization', 'Organisation'], 'Example Ltd'),
  textColumn('costCenter', 'cost center', ['Cost Centre', 'Cost Center Code', 'Cost Centre Code']),
  textColumn(
    'employeeIdentifier',
    'employee id; at most 256 characters; unique per user in JumpCloud and in the file',
    [
      'Employee ID',
      'Employee Number',
      'Employee No',
      'EmpID',
      'Emp No',
      'Staff ID',
      'Staff Number',
      'Personnel Number',
    ],
    'E1001',
  ),
  textColumn('employeeType', 'employee type, free text', ['Employment Type', 'Worker Type'], 'Full-time'),
  textColumn('location', 'office or site, free text', ['Office', 'Office Location', 'Work Location', 'Site']),
  textColumn('description', 'free text, at most 1024 characters', ['Notes']),
  {
    header: 'manager',
    jumpcloudField: 'manager (the JumpCloud id of the person named)',
    description:
      'the manager\'s username, email, JumpCloud user id (24 hex characters) or name ("Ross, Margaret" ' +
      'or "Margaret Ross": used only when exactly one person has it, never guessed); may be a person ' +
      'created by another row of the same file, in any order',
    aliases: ['Manager ID', 'Manager JumpCloud ID', 'Manager Email', 'Manager Username', 'Reports To'],
    example: '',
  },
  {
    header: 'managerEmployeeIdentifier',
    jumpcloudField: 'manager (the JumpCloud id of the person with that employeeIdentifier)',
    description:
      "the manager's employee id, as the HR system numbers people; may be a person brought in by " +
      'another row of the same file',
    aliases: ['Manager Employee ID', 'Manager Employee Number', 'Supervisor Employee ID', 'Supervisor ID'],
    example: '',
  },
  {
    header: 'groups',
    jumpcloudField: 'user group membership (v2), by group name',
    description:
      'user group names separated by ";" (Sales; Engineering); the person is added to each, never ' +
      'removed; a group not in JumpCloud is reported, not created. JumpCloud template columns ' +
      'Group1, Group2... work too',
    aliases: ['Group', 'Group Names', 'User Groups'],
    example: 'Engineering',
  },
  textColumn('state', 'STAGED, ACTIVATED or SUSPENDED (any case); empty = the org default for new users', [
    'Account State',
    'User State',
  ]),
  booleanColumn('activated', 'whether the account counts as activated'),
  booleanColumn('sudo', 'administrator (sudo) rights on bound devices'),
  booleanColumn('passwordless_sudo', 'sudo without a password on bound devices'),
  booleanColumn('ldap_binding_user', 'may bind to JumpCloud LDAP', ['LDAP Binding User', 'LDAP Bind']),
  booleanColumn(
    'enable_user_portal_multifactor',
    'require MFA in the user portal (with no EnrollmentDays, the user gets 7 days to enrol)',
    ['Require MFA', 'MFA Required', 'MFA'],
  ),
  {
    header: 'enrollmentDays',
    jumpcloudField: 'mfa.exclusion, mfa.exclusionDays, mfa.exclusionUntil',
    description: 'days (1-365) the user has to set up MFA before it is enforced',
    aliases: ['Enrollment Days', 'MFA Enrollment Days', 'Enrolment Days'],
    example: '',
  },
  booleanColumn('password_never_expires', 'the password never expires'),
  booleanColumn('disableDeviceMaxLoginAttempts', 'no lock-out after failed device logins'),
  ...addressColumns('work'),
  ...addressColumns('home'),
  phoneColumn(
    'mobile_number',
    'mobile',
    ['Mobile', 'Mobile Phone', 'Mobile Number', 'Cell', 'Cell Phone'],
    '0044 7700 900123',
  ),
  phoneColumn('home_number', 'home', ['Home Phone', 'Home Phone Number', 'Home Telephone']),
  phoneColumn('work_number', 'work', [
    'Phone',
    'Phone Number',
    'Telephone',
    'Work Phone',
    'Work Phone Number',
    'Office Phone',
    'Business Phone',
  ]),
  phoneColumn('work_mobile_number', 'work_mobile', ['Work Mobile', 'Work Mobile Phone', 'Work Cell']),
  phoneColumn('work_fax_number', 'work_fax', ['Fax', 'Work Fax', 'Fax Number']),
  {
    header: 'employmentStatus',
    jumpcloudField: 'none: decides the action (a leaver is suspended)',
    description:
      'the HR status; Terminated, Inactive, Left, Leaver, Former, Separated or Ended (any case) makes ' +
      'the row a leaver (suspended) unless it has an action; any other value changes nothing',
    aliases: ['Employment Status', 'Employee Status', 'HR Status', 'Worker Status'],
    example: '',
  },
  {
    header: 'endDate',
    jumpcloudField: 'none: decides the action (a leaver is suspended)',
    description:
      'the last day of employment, YYYY-MM-DD unless the HR system or mapping file says otherwise; a day ' +
      'before today (UTC) makes the row a leaver (suspended) unless it has an action',
    aliases: ['End Date', 'Termination Date', 'Leaving Date', 'Employment End Date'],
    example: '',
  },
  textColumn(
    'action',
    "create, update, upsert, suspend or unsuspend; empty = the drop's default (create, or suspend " +
      'under leavers/, or DEFAULT_ACTION). Nothing is ever deleted',
    ['Operation'],
  ),
];

/**
 * Custom attributes come two ways: JumpCloud's template pairs (`Attribute1_name` holding the
 * attribute's name and `Attribute1_value` its value, per row), and a column per attribute
 * headed `attribute:<Name>`. Cells keep them as `attribute1_name`/`attribute1_value` and
 * `attribute:<Name>`; the validator turns both into `attributes[]`.
 */
export const ATTRIBUTE_PAIR = /^attribute(\d+)(name|value)$/;
/** `Group1`...`GroupN` of JumpCloud's template, each cell one group name; kept as `group1`... */
export const TEMPLATE_GROUP = /^group(\d+)$/;
const ATTRIBUTE_COLUMN = /^\s*attribute\s*:\s*(.*?)\s*$/i;

/** Columns of JumpCloud's own template that this tool does not act on (yet). */
const UNSUPPORTED = [
  /^(systemid|administrator)$/, // binding the user to a device
  /^ldapserverid$/,
  /^(unixuid|unixguid|enablemanageduid|managedappleid|accountlocked|allowpublickey)$/,
  /^(externallymanaged|externaldn|externalsourcetype)$/,
];

/** Header spellings deliberately NOT guessed at, with what to do instead. */
const AMBIGUOUS: Readonly<Record<string, string>> = {
  userid: 'username',
  id: 'username',
  user: 'username',
};

/** `First Name`, `first_name`, `FirstName`, `first-name` → `firstname`. */
export function headerKey(header: string): string {
  return header
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

const BY_KEY = new Map<string, ColumnSpec>();
for (const spec of COLUMN_SPECS) {
  for (const spelling of [spec.header, ...spec.aliases]) BY_KEY.set(headerKey(spelling), spec);
}

export type HeaderMatch =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'unsupported' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'blank' };

/** What one header cell means, on its own. */
export function matchHeader(header: string): HeaderMatch {
  const attribute = ATTRIBUTE_COLUMN.exec(header);
  if (attribute?.[1]) return { kind: 'field', field: `attribute:${attribute[1]}` };
  const key = headerKey(header);
  if (key === '') return { kind: 'blank' };
  const pair = ATTRIBUTE_PAIR.exec(key);
  if (pair) return { kind: 'field', field: `attribute${Number(pair[1])}_${pair[2]}` };
  // JumpCloud's template names groups one per column: Group1, Group2...
  const group = TEMPLATE_GROUP.exec(key);
  if (group) return { kind: 'field', field: `group${Number(group[1])}` };
  const spec = BY_KEY.get(key);
  if (spec) return { kind: 'field', field: spec.header };
  if (UNSUPPORTED.some((pattern) => pattern.test(key))) return { kind: 'unsupported' };
  return { kind: 'unknown' };
}

/**
 * What one column of an HR system's own export (a preset) or of a mapping file means, where it
 * says more than the column's name does.
 */
export interface ColumnRule {
  /** The canonical field it fills; absent when the column is ignored. */
  readonly field?: string;
  /** Why the column is not used, in words for the preview (`JumpCloud has no hire date`). */
  readonly ignored?: string;
  /** Cell values read as others (`0` → `Terminated`); keys lower-case, compared trimmed and ignoring case. */
  readonly values?: Readonly<Record<string, string>>;
  /**
   * Used only on rows where this other column, which says the same thing better, is empty
   * (BambooHR's `Supervisor` name where `Supervisor Email` is blank).
   */
  readonly whenEmpty?: string;
}

/** The rules of the export being read: which preset or mapping file, and what it says per column. */
export interface SourceColumns {
  /** The rule for a header as written, and where it comes from (`BambooHR preset`), if any. */
  readonly ruleFor: (header: string) => { rule: ColumnRule; from: string } | undefined;
  /** The username is made from other columns (see lambda/sources/derive.ts): no username column needed. */
  readonly derivesUsername: boolean;
  /** Worth telling the reader (which preset, and why). */
  readonly notices?: readonly string[];
}

export interface HeaderOptions {
  /**
   * The file's rows only find people already in JumpCloud (a leavers file): any one column to
   * find them by is enough, instead of the username and email a new person needs.
   */
  readonly findsPeopleOnly?: boolean;
  /** The HR system's preset or the folder's mapping file, applied before the column names. */
  readonly source?: SourceColumns;
}

/** Where a column's meaning comes from when only its name says it. */
export const BY_COLUMN_NAME = 'column name';

/** Columns a person already in JumpCloud can be found by, in the contract's order. */
export const PERSON_KEY_COLUMNS = ['employeeIdentifier', 'email', 'username'] as const;

/** A column name longer than this is not a column name: the first line is data, or one huge cell. */
export const MAX_HEADER_LENGTH = 128;
/** More columns than any users file has (JumpCloud's full import template has under 100). */
export const MAX_COLUMNS = 1000;
/** Unknown columns named in notices and the summary; beyond this they are only counted. */
export const MAX_LISTED_COLUMNS = 20;
const ADD_A_HEADER = 'add a first line naming the columns, e.g. username,email,firstname,lastname';

/** One header as written and what became of it: the field it fills, or why it is ignored. */
export interface MappedColumn {
  readonly header: string;
  /** The canonical field it fills; undefined = not used. */
  readonly field: string | undefined;
  /** What gave it that meaning: `column name`, `BambooHR preset`, `mapping mappings/acme.json`. */
  readonly from: string;
  /** Why it is not used, when it is not. */
  readonly ignored?: string;
  /** Cell values read as others (from a preset or mapping). */
  readonly values?: Readonly<Record<string, string>>;
  /** Fills its field only on rows where the column of this header (which comes first) is empty. */
  readonly whenEmpty?: string;
}

export interface HeaderMap {
  /** Each header as written, with the canonical field it fills (undefined = not used). */
  readonly columns: readonly MappedColumn[];
  /** Headers that fill no field (unknown or not supported), each text once, at most 20 of them. */
  readonly unknownColumns: readonly string[];
  readonly notices: readonly string[];
  /** Set when a required column is missing: every row is then invalid. */
  readonly fileProblem?: string;
}

/**
 * Reads the header row. Throws UnreadableFileError, quoting none of its cells, when the line is
 * not a header: absurd (a column name over MAX_HEADER_LENGTH, more than MAX_COLUMNS columns), or
 * a person rather than column names (see refuseDataAsHeader).
 */
export function mapHeaders(headers: readonly string[], options: HeaderOptions = {}): HeaderMap {
  refuseAbsurdHeader(headers);
  const present = new Set(headers.map((header) => header.trim().toLowerCase()));
  const ruled = headers.map((header) => options.source?.ruleFor(header));
  const matches = headers.map((header, index): HeaderMatch => {
    const given = ruled[index];
    if (!given) return matchHeader(header);
    const { rule } = given;
    if (rule.field) return { kind: 'field', field: rule.field };
    return { kind: 'ignored', reason: rule.ignored ?? 'ignored' };
  });
  const fromOf = (index: number) => ruled[index]?.from ?? BY_COLUMN_NAME;
  refuseDataAsHeader(headers, matches, options);
  const notices: string[] = [];
  const unknown: string[] = [];
  const unsupported: string[] = [];
  const blank: string[] = [];
  const firstColumnOf = new Map<string, number>();
  const stateMeansRegion = hasUnprefixedAddress(headers, matches);

  const columns = headers.map((header, index) => {
    const match = matches[index] ?? { kind: 'blank' };
    const from = fromOf(index);
    if (match.kind === 'blank') {
      blank.push(columnLetter(index));
      return { header, field: undefined, from, ignored: 'no header' };
    }
    if (match.kind === 'ignored') return { header, field: undefined, from, ignored: match.reason };
    if (match.kind !== 'field') {
      const list = match.kind === 'unknown' ? unknown : unsupported;
      if (!list.includes(header.trim())) list.push(header.trim());
      const ignored = match.kind === 'unknown' ? 'unknown column' : 'not supported yet';
      return { header, field: undefined, from, ignored };
    }
    const values = ruled[index]?.rule.values;
    const better = ruled[index]?.rule.whenEmpty;
    if (better && present.has(better.toLowerCase())) {
      // A stand-in for a better column: it fills the field only where that one is empty.
      const whenEmpty =
        headers.find((other) => other.trim().toLowerCase() === better.toLowerCase()) ?? better;
      return { header, field: match.field, from, whenEmpty: whenEmpty.trim(), ...(values ? { values } : {}) };
    }
    let field = match.field;
    if (field === 'state' && headerKey(header) === 'state' && stateMeansRegion) {
      field = 'work_state';
      notices.push(
        `column "${header.trim()}" is read as the work address state, since the file has address columns; ` +
          'name it "Account State" for the JumpCloud user state',
      );
    }
    const first = firstColumnOf.get(field);
    if (first !== undefined) {
      notices.push(
        `duplicate header "${header.trim()}" (column ${columnLetter(index)}) for ${field}: the first one, ` +
          `"${headers[first]?.trim()}" (column ${columnLetter(first)}), is used`,
      );
      return {
        header,
        field: undefined,
        from,
        ignored: `column ${columnLetter(first)} fills ${field} already`,
      };
    }
    firstColumnOf.set(field, index);
    return { header, field, from, ...(values ? { values } : {}) };
  });

  if (unknown.length > 0)
    notices.push(`unknown ${plural(unknown, 'column')}, ignored: ${quoteList(unknown, MAX_LISTED_COLUMNS)}`);
  if (unsupported.length > 0) {
    notices.push(
      `${plural(unsupported, 'column')} not supported yet, ignored: ${quoteList(unsupported, MAX_LISTED_COLUMNS)}`,
    );
  }
  if (blank.length > 0) {
    notices.push(
      `${plural(blank, 'column')} ${blank.join(', ')} ${blank.length === 1 ? 'has' : 'have'} no header: ignored`,
    );
  }
  const fileProblem = options.findsPeopleOnly
    ? missingKeyProblem(firstColumnOf)
    : missingColumnsProblem(headers, firstColumnOf, requiredColumns(options));
  return {
    columns,
    unknownColumns: [...unknown, ...unsupported].slice(0, MAX_LISTED_COLUMNS),
    notices,
    ...(fileProblem ? { fileProblem } : {}),
  };
}

/** Whether a record names both required columns: a header line, wherever it appears in the file. */
export function namesRequiredColumns(cells: readonly string[]): boolean {
  if (holdsEmailAddress(cells)) return false; // nearly every person does: no need to look further
  const fields = new Set(
    cells.map((cell) => matchHeader(cell)).map((match) => match.kind === 'field' && match.field),
  );
  return REQUIRED_COLUMNS.every((field) => fields.has(field));
}

/** Column names never hold "@"; people's rows nearly always do. */
function holdsEmailAddress(cells: readonly string[]): boolean {
  return cells.some((cell) => cell.includes('@'));
}

/** A header no person wrote: a huge cell (a 5 MB line) or thousands of columns. */
function refuseAbsurdHeader(headers: readonly string[]): void {
  if (headers.length > MAX_COLUMNS) {
    throw new UnreadableFileError(
      `the first line has ${headers.length} columns; a users file has at most ${MAX_COLUMNS}: ${ADD_A_HEADER}`,
    );
  }
  const long = headers.findIndex((header) => header.length > MAX_HEADER_LENGTH);
  if (long >= 0) {
    throw new UnreadableFileError(
      `the first line is not a header: column ${columnLetter(long)} is ${headers[long]?.length} characters ` +
        `long, and a column name is at most ${MAX_HEADER_LENGTH}; ${ADD_A_HEADER}`,
    );
  }
}

/**
 * A first line that is a person, not column names, must not become the header: that person
 * would vanish, and their cells (a password among them) be listed as "unknown columns". Column
 * names never hold "@"; and a line that lacks a required column while holding names this tool
 * does not know is more likely a person than a header. Nothing of the line is quoted.
 */
function refuseDataAsHeader(
  headers: readonly string[],
  matches: readonly HeaderMatch[],
  options: HeaderOptions,
): void {
  if (holdsEmailAddress(headers)) {
    throw new UnreadableFileError(
      `no header row: the first line holds an email address, so it looks like a person rather than column names; ${ADD_A_HEADER}`,
    );
  }
  const named = new Set(matches.map((match) => match.kind === 'field' && match.field));
  // A leavers file needs only one column to find people by.
  if (options.findsPeopleOnly && PERSON_KEY_COLUMNS.some((field) => named.has(field))) return;
  const missing = requiredColumns(options).filter((field) => !named.has(field));
  const strangers = headers.filter(
    (header, index) => matches[index]?.kind === 'unknown' && AMBIGUOUS[headerKey(header)] === undefined,
  ).length;
  if (missing.length > 0 && strangers > 0) {
    const lacks =
      missing.length === requiredColumns(options).length && missing.length > 1
        ? 'names neither "username" nor "email"'
        : `does not name the "${missing[0]}" column`;
    throw new UnreadableFileError(
      `no header row: the first line ${lacks} and holds ${strangers} ${strangers === 1 ? 'cell' : 'cells'} ` +
        `that name no known column, so it looks like a person rather than column names; ${ADD_A_HEADER}`,
    );
  }
}

/** `City`, `Zip`, `Country` without `work`/`home`: then a bare `State` is part of the address too. */
function hasUnprefixedAddress(headers: readonly string[], matches: readonly HeaderMatch[]): boolean {
  return matches.some((match, index) => {
    if (match.kind !== 'field' || !/^work_/.test(match.field) || match.field.endsWith('_number'))
      return false;
    return !/^(work|home)/.test(headerKey(headers[index] ?? ''));
  });
}

/** A new person needs a username and an email; a source that makes usernames needs only the email. */
function requiredColumns(options: HeaderOptions): readonly string[] {
  return options.source?.derivesUsername ? ['email'] : REQUIRED_COLUMNS;
}

function missingColumnsProblem(
  headers: readonly string[],
  present: ReadonlyMap<string, number>,
  required: readonly string[],
): string | undefined {
  const missing = required.filter((field) => !present.has(field));
  if (missing.length === 0) return undefined;
  const hints = headers
    .map((header) => ({ header: header.trim(), meant: AMBIGUOUS[headerKey(header)] }))
    .filter((hint) => hint.meant !== undefined && missing.includes(hint.meant))
    .map(
      (hint) =>
        `the column "${hint.header}" was not used: rename it "${hint.meant}" if that is what it holds`,
    );
  const problem = `missing required ${plural(missing, 'column')} ${missing.map((field) => `"${field}"`).join(' and ')}`;
  return hints.length > 0 ? `${problem} (${hints.join('; ')})` : problem;
}

function missingKeyProblem(present: ReadonlyMap<string, number>): string | undefined {
  if (PERSON_KEY_COLUMNS.some((field) => present.has(field))) return undefined;
  return 'missing a column to find people by: employeeIdentifier, email or username';
}

/** Spreadsheet column letter: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

function plural(items: readonly unknown[], word: string): string {
  return items.length === 1 ? word : `${word}s`;
}

/** `"a", "b" and 3 more`: at most `limit` names, each a header already capped in length. */
function quoteList(items: readonly string[], limit: number): string {
  const listed = items
    .slice(0, limit)
    .map((item) => `"${item}"`)
    .join(', ');
  return items.length > limit ? `${listed} and ${items.length - limit} more` : listed;
}
