import { describe, expect, it } from 'vitest';
import {
  COLUMN_SPECS,
  columnLetter,
  headerKey,
  MAX_COLUMNS,
  MAX_HEADER_LENGTH,
  mapHeaders,
  matchHeader,
} from '../../lambda/csv/columns';
import { UnreadableFileError } from '../../lambda/errors';
import { SUPPORTED_COLUMNS, TEMPLATE_COLUMNS, TEMPLATE_EXAMPLE_ROW } from '../../lambda/users/template';
import { createRowValidator } from '../../lambda/users/validate-row';

function fieldOf(header: string): string | undefined {
  const match = matchHeader(header);
  return match.kind === 'field' ? match.field : undefined;
}

/** The headers of JumpCloud's PowerShell template (New-JCImportTemplate, all options, 2 groups, 2 attributes). */
const JUMPCLOUD_TEMPLATE = [
  'FirstName',
  'LastName',
  'Username',
  'Email',
  'Password',
  'alternateEmail',
  'manager',
  'managedAppleId',
  'MiddleName',
  'preferredName',
  'jobTitle',
  'employeeIdentifier',
  'department',
  'costCenter',
  'company',
  'employeeType',
  'description',
  'location',
  'home_streetAddress',
  'home_poBox',
  'home_city',
  'home_state',
  'home_postalCode',
  'home_country',
  'work_streetAddress',
  'work_poBox',
  'work_city',
  'work_state',
  'work_postalCode',
  'work_country',
  'mobile_number',
  'home_number',
  'work_number',
  'work_mobile_number',
  'work_fax_number',
  'unix_uid',
  'unix_guid',
  'enable_user_portal_multifactor',
  'EnrollmentDays',
  'ldap_binding_user',
  'ldapserver_id',
  'account_locked',
  'allow_public_key',
  'enable_managed_uid',
  'externally_managed',
  'external_dn',
  'external_source_type',
  'passwordless_sudo',
  'sudo',
  'password_never_expires',
  'SystemID',
  'Administrator',
  'Group1',
  'Group2',
  'Attribute1_name',
  'Attribute1_value',
  'Attribute2_name',
  'Attribute2_value',
];

describe('header matching', () => {
  it.each(['First Name', 'first_name', 'FirstName', 'first-name', 'FIRSTNAME', ' firstname ', 'First.Name'])(
    '%j means firstname',
    (header) => {
      expect(fieldOf(header)).toBe('firstname');
    },
  );

  it.each([
    ['Employee ID', 'employeeIdentifier'],
    ['Employee Number', 'employeeIdentifier'],
    ['EmpID', 'employeeIdentifier'],
    ['Title', 'jobTitle'],
    ['Job Title', 'jobTitle'],
    ['Position', 'jobTitle'],
    ['E-mail', 'email'],
    ['Email Address', 'email'],
    ['Work Email', 'email'],
    ['User Name', 'username'],
    ['Login', 'username'],
    ['Given Name', 'firstname'],
    ['Surname', 'lastname'],
    ['Family Name', 'lastname'],
    ['Dept', 'department'],
    ['Cost Centre', 'costCenter'],
    ['Mobile', 'mobile_number'],
    ['Phone', 'work_number'],
    ['Home Phone', 'home_number'],
    ['Fax', 'work_fax_number'],
    ['Zip Code', 'work_postalCode'],
    ['Home City', 'home_city'],
    ['Display Name', 'displayname'],
    ['Require MFA', 'enable_user_portal_multifactor'],
    ['Account State', 'state'],
  ])('%j means %s', (header, field) => {
    expect(fieldOf(header)).toBe(field);
  });

  it('maps every column of JumpCloud’s own import template to a field, or reports it as not supported', () => {
    // Act
    const matches = JUMPCLOUD_TEMPLATE.map((header) => [header, matchHeader(header).kind]);

    // Assess
    expect(matches.filter(([, kind]) => kind === 'unknown')).toEqual([]);
    expect(Object.fromEntries(JUMPCLOUD_TEMPLATE.map((header) => [header, fieldOf(header)]))).toMatchObject({
      FirstName: 'firstname',
      LastName: 'lastname',
      Username: 'username',
      Email: 'email',
      Password: 'password',
      MiddleName: 'middlename',
      preferredName: 'displayname',
      home_city: 'home_city',
      work_state: 'work_state',
      work_mobile_number: 'work_mobile_number',
      EnrollmentDays: 'enrollmentDays',
      Attribute1_name: 'attribute1_name',
      Attribute2_value: 'attribute2_value',
      SystemID: undefined,
      Group1: 'group1',
    });
  });

  it('reports the template’s device and LDAP-server columns as not supported yet, and reads its groups', () => {
    const map = mapHeaders(JUMPCLOUD_TEMPLATE);

    expect(map.unknownColumns).toEqual(
      expect.arrayContaining(['SystemID', 'Administrator', 'ldapserver_id']),
    );
    expect(map.unknownColumns).not.toContain('Group1');
    expect(map.notices.find((notice) => notice.includes('not supported yet'))).toMatch(/"SystemID"/);
    expect(map.fileProblem).toBeUndefined();
  });

  it('reads an attribute:<Name> header as that custom attribute, name kept as written', () => {
    expect(fieldOf('attribute:BadgeNumber')).toBe('attribute:BadgeNumber');
    expect(fieldOf('Attribute : Floor ')).toBe('attribute:Floor');
  });

  it('gives no two columns the same spelling', () => {
    // Prepare
    const owners = new Map<string, string[]>();
    for (const spec of COLUMN_SPECS) {
      for (const spelling of [spec.header, ...spec.aliases]) {
        owners.set(headerKey(spelling), [...(owners.get(headerKey(spelling)) ?? []), spec.header]);
      }
    }

    // Assess
    const shared = [...owners].filter(([, headers]) => new Set(headers).size > 1);
    expect(shared).toEqual([]);
  });

  it('does not guess that "User ID" holds usernames, and says how to fix the missing column', () => {
    const map = mapHeaders(['User ID', 'Email']);

    expect(map.columns[0]).toEqual({
      header: 'User ID',
      field: undefined,
      from: 'column name',
      ignored: 'unknown column',
    });
    expect(map.fileProblem).toMatch(/^missing required column "username"/);
    expect(map.fileProblem).toMatch(/"User ID" was not used: rename it "username"/);
  });
});

describe('mapHeaders', () => {
  it('keeps each header as written beside its field, or why it is ignored', () => {
    const map = mapHeaders(['User Name', ' E-mail ', 'Favourite Colour']);

    expect(map.columns).toEqual([
      { header: 'User Name', field: 'username', from: 'column name' },
      { header: ' E-mail ', field: 'email', from: 'column name' },
      { header: 'Favourite Colour', field: undefined, from: 'column name', ignored: 'unknown column' },
    ]);
    expect(map.unknownColumns).toEqual(['Favourite Colour']);
    expect(map.notices).toEqual(['unknown column, ignored: "Favourite Colour"']);
    expect(map.fileProblem).toBeUndefined();
  });

  it('uses the first of two headers for the same field and says so', () => {
    const map = mapHeaders(['username', 'Email', 'E-mail']);

    expect(map.columns[1]?.field).toBe('email');
    expect(map.columns[2]?.field).toBeUndefined();
    expect(map.notices).toEqual([
      'duplicate header "E-mail" (column C) for email: the first one, "Email" (column B), is used',
    ]);
  });

  it('names both required columns when both are missing', () => {
    expect(mapHeaders(['First Name', 'Last Name']).fileProblem).toBe(
      'missing required columns "username" and "email"',
    );
  });

  it('reads a bare "State" as the JumpCloud user state', () => {
    const map = mapHeaders(['username', 'email', 'State']);

    expect(map.columns[2]?.field).toBe('state');
  });

  it('reads a bare "State" beside City and Zip as the address state, and says so', () => {
    const map = mapHeaders(['username', 'email', 'City', 'State', 'Zip']);

    expect(map.columns[3]?.field).toBe('work_state');
    expect(map.notices[0]).toMatch(/"State" is read as the work address state/);
  });

  it('notes columns with an empty header by their letter', () => {
    const map = mapHeaders(['username', '', 'email', ' ']);

    expect(map.columns.map((column) => column.field)).toEqual(['username', undefined, 'email', undefined]);
    expect(map.notices).toEqual(['columns B, D have no header: ignored']);
    expect(map.unknownColumns).toEqual([]);
  });

  it('refuses a first line that is data rather than a header, quoting none of it', () => {
    const act = () => mapHeaders(['Jane', 'Doe', 'jane@example.com', 'Secret-Pw-1']);

    expect(act).toThrow(UnreadableFileError);
    expect(act).toThrow(/^no header row: the first line holds an email address/);
    expect(refusalOf(act)).not.toMatch(/Jane|Doe|jane@|Secret/);
  });

  it('refuses a person as the header even when one of their cells is a column name', () => {
    // Prepare: a file without a header whose first person is a "Manager"
    const person = ['jsmith', 'jsmith@example.com', 'John', 'Smith', 'Manager', 'Secret-Pw-1'];

    // Act
    const act = () => mapHeaders(person);

    // Assess
    expect(act).toThrow(/^no header row/);
    expect(refusalOf(act)).not.toMatch(/jsmith|John|Smith|Secret/);
  });

  it('refuses a first line that lacks the required columns and holds names it does not know', () => {
    // Prepare: a person in a file without an email column
    const act = () => mapHeaders(['jsmith', 'John', 'Manager', 'Secret-Pw-1']);

    // Assess
    expect(act).toThrow(
      'no header row: the first line names neither "username" nor "email" and holds 3 cells that name no ' +
        'known column, so it looks like a person rather than column names; add a first line naming the ' +
        'columns, e.g. username,email,firstname,lastname',
    );
  });

  it('refuses a header cell longer than any column name, saying which column and how long', () => {
    const act = () => mapHeaders(['username', 'email', 'x'.repeat(5_000_000)]);

    expect(act).toThrow(
      'the first line is not a header: column C is 5000000 characters long, and a column name is at most ' +
        `${MAX_HEADER_LENGTH}; add a first line naming the columns, e.g. username,email,firstname,lastname`,
    );
  });

  it('refuses a header with more columns than any users file has', () => {
    const headers = ['username', 'email', ...Array.from({ length: MAX_COLUMNS }, (_, i) => `Extra ${i}`)];

    expect(() => mapHeaders(headers)).toThrow(
      `the first line has ${MAX_COLUMNS + 2} columns; a users file has at most ${MAX_COLUMNS}`,
    );
  });

  it('lists at most 20 unknown columns, and says how many more there are', () => {
    const unknown = Array.from({ length: 25 }, (_, i) => `Extra ${i}`);

    const map = mapHeaders(['username', 'email', ...unknown]);

    expect(map.unknownColumns).toEqual(unknown.slice(0, 20));
    expect(map.notices).toEqual([
      `unknown columns, ignored: ${unknown
        .slice(0, 20)
        .map((name) => `"${name}"`)
        .join(', ')} and 5 more`,
    ]);
  });
});

function refusalOf(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('columnLetter', () => {
  it.each([
    [0, 'A'],
    [25, 'Z'],
    [26, 'AA'],
    [701, 'ZZ'],
    [702, 'AAA'],
  ])('column %i is %s', (index, letter) => {
    expect(columnLetter(index)).toBe(letter);
  });
});

describe('the template', () => {
  it('has no example cell a spreadsheet would run as a formula', async () => {
    const { TEMPLATE_EXAMPLE_ROW } = await import('../../lambda/users/template');

    expect(TEMPLATE_EXAMPLE_ROW.filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
  });

  it('has a header the reader maps completely, with no unknown or duplicate column', () => {
    const map = mapHeaders(TEMPLATE_COLUMNS);

    expect(map.unknownColumns).toEqual([]);
    expect(map.notices).toEqual([]);
    expect(map.fileProblem).toBeUndefined();
    expect(map.columns.every((column) => column.field === column.header)).toBe(true);
  });

  it('has an example row that validates, without a password', () => {
    // Prepare
    const cells = Object.fromEntries(
      TEMPLATE_COLUMNS.map((header, i) => [header, TEMPLATE_EXAMPLE_ROW[i] ?? '']),
    );

    // Act
    const result = createRowValidator()({ row: 2, cells });

    // Assess
    expect(TEMPLATE_EXAMPLE_ROW).toHaveLength(TEMPLATE_COLUMNS.length);
    expect(result).toMatchObject({ ok: true, user: { username: 'jdoe', email: 'jane.doe@example.com' } });
    expect(result.ok && result.user.password).toBeUndefined();
  });

  it('documents every column with its JumpCloud field and aliases', () => {
    expect(SUPPORTED_COLUMNS.map((column) => column.header)).toEqual(TEMPLATE_COLUMNS);
    expect(SUPPORTED_COLUMNS.find((column) => column.header === 'work_city')).toEqual({
      header: 'work_city',
      field: 'addresses[type=work].locality',
      description: 'work address: city',
      aliases: expect.arrayContaining(['City', 'Work City']),
    });
    expect(SUPPORTED_COLUMNS.every((column) => column.description.length > 0)).toBe(true);
  });
});
