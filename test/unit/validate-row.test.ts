import { describe, expect, it } from 'vitest';
import { COLUMN_SPECS } from '../../lambda/csv/columns';
import type { SourceRow, ValidatedRow } from '../../lambda/domain';
import { USERNAME_RULE } from '../../lambda/users/username';
import { createRowValidator } from '../../lambda/users/validate-row';

const NOW = new Date('2025-03-01T09:00:00.000Z');

/** Validates cells as the reader hands them over: the password beside the cells, not among them. */
function validate(cells: Record<string, string>, extra: Partial<SourceRow> = {}): ValidatedRow {
  const { password, ...others } = cells;
  const source = { row: 2, cells: others, ...(password === undefined ? {} : { password }), ...extra };
  return createRowValidator({ now: () => NOW })(source);
}

function messageOf(result: ValidatedRow): string {
  if (result.ok) throw new Error(`expected an invalid row, got ${JSON.stringify(result.user)}`);
  return result.message;
}

const base = { username: 'jdoe', email: 'jdoe@example.com' };

/** The properties of JumpCloud's systemuserputpost this tool may send. */
const JUMPCLOUD_FIELDS = [
  'username',
  'email',
  'firstname',
  'middlename',
  'lastname',
  'displayname',
  'password',
  'alternateEmail',
  'recoveryEmail',
  'jobTitle',
  'department',
  'company',
  'costCenter',
  'employeeIdentifier',
  'employeeType',
  'location',
  'description',
  'manager',
  'state',
  'activated',
  'sudo',
  'passwordless_sudo',
  'ldap_binding_user',
  'enable_user_portal_multifactor',
  'password_never_expires',
  'disableDeviceMaxLoginAttempts',
  'mfa',
  'addresses',
  'phoneNumbers',
  'attributes',
];

describe('a valid row', () => {
  it('becomes the user JumpCloud is asked to create, with only fields JumpCloud defines', () => {
    // Prepare
    const cells = {
      username: ' jdoe ',
      email: ' Jane.Doe@Example.COM ',
      firstname: 'Jane',
      lastname: 'Doe',
      middlename: '',
      displayname: 'Jane Doe',
      password: 'S3cret!pass',
      alternateEmail: 'Jane@Home.example',
      recoveryEmail: 'recover@example.com',
      jobTitle: 'Engineer',
      department: 'Engineering',
      company: 'Example Ltd',
      costCenter: 'CC-1',
      employeeIdentifier: 'E1001',
      employeeType: 'Full-time',
      location: 'London',
      description: 'joins in March',
      manager: '5f1e2d3c4b5a697887766554',
      state: 'staged',
      activated: 'no',
      sudo: 'N',
      passwordless_sudo: '0',
      ldap_binding_user: 'TRUE',
      password_never_expires: 'y',
      disableDeviceMaxLoginAttempts: 'False',
      'attribute:Floor': '3',
      unknownStuff: 'never sent',
    };

    // Act
    const result = validate(cells);

    // Assess
    expect(result).toEqual({
      row: 2,
      ok: true,
      user: {
        username: 'jdoe',
        email: 'jane.doe@example.com',
        firstname: 'Jane',
        lastname: 'Doe',
        displayname: 'Jane Doe',
        password: 'S3cret!pass',
        alternateEmail: 'jane@home.example',
        recoveryEmail: { address: 'recover@example.com' },
        jobTitle: 'Engineer',
        department: 'Engineering',
        company: 'Example Ltd',
        costCenter: 'CC-1',
        employeeIdentifier: 'E1001',
        employeeType: 'Full-time',
        location: 'London',
        description: 'joins in March',
        state: 'STAGED',
        activated: false,
        sudo: false,
        passwordless_sudo: false,
        ldap_binding_user: true,
        password_never_expires: true,
        disableDeviceMaxLoginAttempts: false,
        attributes: [{ name: 'Floor', value: '3' }],
      },
      groups: [],
      // A reference the engine resolves to an id once per run, not a field sent as written.
      manager: { by: 'id', value: '5f1e2d3c4b5a697887766554' },
    });
    expect(result.ok && Object.keys(result.user).filter((key) => !JUMPCLOUD_FIELDS.includes(key))).toEqual(
      [],
    );
  });

  it('leaves out empty optional cells instead of sending ""', () => {
    const result = validate({
      ...base,
      firstname: '  ',
      lastname: '',
      jobTitle: '',
      state: '',
      sudo: '',
      work_city: '',
    });

    expect(result).toEqual({
      row: 2,
      ok: true,
      user: { username: 'jdoe', email: 'jdoe@example.com' },
      groups: [],
    });
  });

  it('keeps inner text verbatim: spaces, case, unicode, a leading "="', () => {
    const result = validate({
      ...base,
      lastname: ' de  la Cruz-Ōno ',
      description: '=1+2 “quoted”\nsecond line',
    });

    expect(result).toMatchObject({
      ok: true,
      user: { lastname: 'de  la Cruz-Ōno', description: '=1+2 “quoted”\nsecond line' },
    });
  });

  it('assembles work and home address columns into addresses[]', () => {
    const result = validate({
      ...base,
      work_streetAddress: '1 Main St',
      work_city: 'Springfield',
      work_state: 'IL',
      work_postalCode: '62701',
      work_country: 'US',
      home_poBox: '12',
      home_extendedAddress: 'Flat 2',
      home_city: '',
    });

    expect(result).toMatchObject({
      ok: true,
      user: {
        addresses: [
          {
            type: 'work',
            streetAddress: '1 Main St',
            locality: 'Springfield',
            region: 'IL',
            postalCode: '62701',
            country: 'US',
          },
          { type: 'home', poBox: '12', extendedAddress: 'Flat 2' },
        ],
      },
    });
  });

  it('assembles phone columns into phoneNumbers[] with JumpCloud’s types', () => {
    const result = validate({
      ...base,
      mobile_number: '+44 7700 900123',
      home_number: '01632 960001',
      work_number: '',
      work_mobile_number: '555-0100',
      work_fax_number: '555-0199',
    });

    expect(result).toMatchObject({
      ok: true,
      user: {
        phoneNumbers: [
          { type: 'mobile', number: '+44 7700 900123' },
          { type: 'home', number: '01632 960001' },
          { type: 'work_mobile', number: '555-0100' },
          { type: 'work_fax', number: '555-0199' },
        ],
      },
    });
  });
});

describe('required columns', () => {
  it('rejects a row without a username or an email, naming both', () => {
    const result = validate({ username: ' ', email: '' });

    expect(result).toEqual({
      row: 2,
      ok: false,
      username: '',
      email: '',
      message: 'username: is required but empty; email: is required but empty',
    });
  });
});

describe('email', () => {
  it.each(['bob@', 'bob', '@example.com', 'bob@example', 'bob smith@example.com', 'a..b@example.com'])(
    'rejects %j',
    (email) => {
      expect(messageOf(validate({ ...base, email }))).toBe('email: is not a valid email address');
    },
  );

  it('trims and lower-cases before sending, as JumpCloud stores it', () => {
    expect(validate({ ...base, email: '  Bob.Smith+HR@Example.co.UK ' })).toMatchObject({
      ok: true,
      user: { email: 'bob.smith+hr@example.co.uk' },
    });
  });

  it('checks alternateEmail and recoveryEmail the same way', () => {
    expect(messageOf(validate({ ...base, alternateEmail: 'nope', recoveryEmail: 'x@' }))).toBe(
      'alternateEmail: is not a valid email address; recoveryEmail: is not a valid email address',
    );
  });
});

describe('addresses reserved for examples (the command line refuses them unless --allow-example)', () => {
  /** A validator per row: one validator remembers earlier rows' usernames as duplicates. */
  const refusing = (source: SourceRow) =>
    createRowValidator({ now: () => NOW, refuseExampleAddresses: { unless: 'Add --allow-example.' } })(
      source,
    );
  const row = (email: string, action?: string) => ({
    row: 2,
    cells: { username: 'jdoe', email, ...(action ? { action } : {}) },
  });

  it.each([
    'jane.doe@example.com',
    'x@Example.ORG',
    'x@mail.example.net',
    'x@corp.example',
    'x@acme.test',
    'x@a.invalid',
  ])('refuses %j, naming the column and the rule, never the address', (email) => {
    expect(messageOf(refusing(row(email)))).toBe(
      "email: is at a domain reserved for examples (example.com, .org, .net; RFC 2606), so it reaches nobody: is this the template's example row? Add --allow-example.",
    );
  });

  it.each(['x@example.co.uk', 'x@myexample.com', 'x@example.com.au', 'x@testing.io'])(
    'accepts %j',
    (email) => {
      expect(refusing(row(email)).ok).toBe(true);
    },
  );

  it('lets a leaver be found by such an address (nothing is created), and sends them when not asked to refuse', () => {
    expect(refusing(row('gone@example.com', 'suspend')).ok).toBe(true);
    expect(validate(base).ok).toBe(true);
  });
});

describe('username', () => {
  it.each([
    ['j doe', 'username: contains a space'],
    ['jdoe@example.com', 'username: contains "@" (the address belongs in email)'],
    ['1jdoe', 'username: must start with a letter A-Z'],
    ['.jdoe', 'username: must start with a letter A-Z'],
    ['李雷', 'username: must start with a letter A-Z'],
    ['josé.núñez', `username: ${USERNAME_RULE}`],
    ['Zoë', `username: ${USERNAME_RULE}`],
    ['j\u0000doe', `username: ${USERNAME_RULE}`],
    ['a'.repeat(31), 'username: is longer than 30 characters (logins break on Mac and Linux)'],
  ])('rejects %j, naming the rule and not the value', (username, message) => {
    expect(messageOf(validate({ ...base, username }))).toBe(message);
  });

  it.each(['jdoe', 'j.doe-smith_2', 'JDoe', 'a'.repeat(30)])('accepts %j', (username) => {
    expect(validate({ ...base, username })).toMatchObject({ ok: true, user: { username } });
  });
});

describe('enumerations and flags', () => {
  it.each([
    ['activated', 'ACTIVATED'],
    ['Suspended', 'SUSPENDED'],
    ['STAGED', 'STAGED'],
  ])('reads state %j as %s', (state, expected) => {
    expect(validate({ ...base, state })).toMatchObject({ ok: true, user: { state: expected } });
  });

  it('rejects an unknown state, pointing at the address column for a US state', () => {
    expect(messageOf(validate({ ...base, state: 'CA' }))).toBe(
      'state: is not STAGED, ACTIVATED or SUSPENDED (an address state belongs in work_state)',
    );
  });

  it.each([
    ['true', true],
    ['YES', true],
    ['y', true],
    ['1', true],
    ['False', false],
    ['no', false],
    ['N', false],
    ['0', false],
  ])('reads %j as %s', (value, expected) => {
    expect(validate({ ...base, sudo: value })).toMatchObject({ ok: true, user: { sudo: expected } });
  });

  it('rejects a flag that is not yes or no', () => {
    expect(messageOf(validate({ ...base, sudo: 'maybe' }))).toBe(
      'sudo: is not yes or no (also accepted: true/false, y/n, 1/0)',
    );
  });

  it('reads the action of each row and refuses any other, deleting nobody', () => {
    for (const action of ['Create', 'update', 'UPSERT', 'suspend', 'unsuspend']) {
      expect(validate({ ...base, action }), action).toMatchObject({ ok: true, action: action.toLowerCase() });
    }
    expect(messageOf(validate({ ...base, action: 'delete' }))).toBe(
      'action: is not one of create, update, upsert, suspend, unsuspend (nothing is ever deleted)',
    );
  });

  it('lets a row that only finds a person (suspend, update) name them by any one key', () => {
    expect(validate({ action: 'suspend', employeeIdentifier: 'E7' })).toMatchObject({
      ok: true,
      action: 'suspend',
    });
    expect(validate({ action: 'update', email: 'a@example.com' })).toMatchObject({ ok: true });
    expect(messageOf(validate({ action: 'suspend', firstname: 'Ann' }))).toBe(
      'suspend: needs an employeeIdentifier, email or username to find the person by',
    );
    expect(messageOf(validate({ action: 'upsert', email: 'a@example.com' }))).toBe(
      'username: is required but empty',
    );
  });
});

describe('groups', () => {
  it('reads a groups cell split on ";" and the template Group1..GroupN columns, each group once', () => {
    const result = validate({
      ...base,
      groups: 'Sales; Engineering |sales',
      group1: 'Admins',
      group2: '',
      group3: 'Engineering',
    });

    expect(result).toMatchObject({ ok: true, groups: ['Sales', 'Engineering', 'Admins'] });
  });
});

describe('manager', () => {
  it('is a JumpCloud user id, an email, a username, an employee id or a name, resolved by the engine', () => {
    expect(validate({ ...base, manager: '5F1E2D3C4B5A697887766554' })).toMatchObject({
      manager: { by: 'id', value: '5f1e2d3c4b5a697887766554' },
    });
    expect(validate({ ...base, manager: 'Boss@Example.com' })).toMatchObject({
      manager: { by: 'email', value: 'boss@example.com' },
    });
    expect(validate({ ...base, manager: 'mross' })).toMatchObject({
      manager: { by: 'username', value: 'mross' },
    });
    expect(validate({ ...base, manager: 'Ross,  Margaret ' })).toMatchObject({
      manager: { by: 'name', value: 'Margaret Ross', firstname: 'Margaret', lastname: 'Ross' },
    });
    expect(validate({ ...base, manager: 'Mary Ann  Smith' })).toMatchObject({
      manager: { by: 'name', firstname: 'Mary Ann', lastname: 'Smith' },
    });
    expect(validate({ ...base, managerEmployeeIdentifier: ' 1042 ' })).toMatchObject({
      manager: { by: 'employeeIdentifier', value: '1042' },
    });
    expect(messageOf(validate({ ...base, manager: 'Smith, Jane, Dr' }))).toBe(
      'manager: is not a username, email, JumpCloud user id or a name written "Last, First" or "First Last"',
    );
  });
});

describe('lengths from the spec', () => {
  it('rejects a description over 1024 and an employee id over 256 characters', () => {
    const message = messageOf(
      validate({ ...base, description: 'd'.repeat(1025), employeeIdentifier: 'e'.repeat(257) }),
    );

    expect(message).toBe(
      'employeeIdentifier: is longer than 256 characters; description: is longer than 1024 characters',
    );
  });
});

describe('MFA enrolment', () => {
  it('turns EnrollmentDays into an MFA exclusion ending that many days from now', () => {
    const result = validate({ ...base, enable_user_portal_multifactor: 'yes', enrollmentDays: '14' });

    expect(result).toMatchObject({
      ok: true,
      user: {
        enable_user_portal_multifactor: true,
        mfa: { exclusion: true, exclusionDays: 14, exclusionUntil: '2025-03-15T09:00:00.000Z' },
      },
    });
  });

  it('gives 7 days, as JumpCloud’s importer does, when MFA is required and no days are given', () => {
    const result = validate({ ...base, enable_user_portal_multifactor: 'yes' });

    expect(result).toMatchObject({
      ok: true,
      user: { mfa: { exclusion: true, exclusionDays: 7, exclusionUntil: '2025-03-08T09:00:00.000Z' } },
    });
  });

  it('sends no mfa when MFA is not required and no days are given', () => {
    const result = validate({ ...base, enable_user_portal_multifactor: 'no' });

    expect(result.ok && result.user.mfa).toBeUndefined();
  });

  it.each(['0', '-3', '2.5', '366', 'soon'])('rejects EnrollmentDays %j', (days) => {
    expect(messageOf(validate({ ...base, enrollmentDays: days }))).toBe(
      'enrollmentDays: is not a whole number of days from 1 to 365',
    );
  });
});

describe('custom attributes', () => {
  it('reads JumpCloud template pairs and attribute:<Name> columns, leaving out empty values', () => {
    const result = validate({
      ...base,
      attribute1_name: 'Badge',
      attribute1_value: ' 42 ',
      attribute2_name: 'Parking',
      attribute2_value: '',
      attribute3_name: '',
      attribute3_value: '',
      'attribute:Floor': '3',
    });

    expect(result).toMatchObject({
      ok: true,
      user: {
        attributes: [
          { name: 'Badge', value: '42' },
          { name: 'Floor', value: '3' },
        ],
      },
    });
  });

  it('rejects names that are not letters and digits under 32 characters', () => {
    const message = messageOf(
      validate({
        ...base,
        attribute1_name: 'Badge No',
        attribute1_value: '1',
        [`attribute:${'A'.repeat(32)}`]: 'x',
      }),
    );

    expect(message).toBe(
      'attribute1_name: is not a custom attribute name (letters and digits only, under 32 characters); ' +
        `attribute:${'A'.repeat(32)}: is not a custom attribute name (letters and digits only, under 32 characters)`,
    );
  });

  it('accepts a 31-character name', () => {
    expect(validate({ ...base, [`attribute:${'A'.repeat(31)}`]: 'x' }).ok).toBe(true);
  });

  it('rejects a value without a name, and the same attribute twice', () => {
    const message = messageOf(
      validate({
        ...base,
        attribute1_name: '',
        attribute1_value: 'orphan',
        attribute2_name: 'Floor',
        attribute2_value: '1',
        'attribute:floor': '2',
      }),
    );

    expect(message).toBe(
      'attribute1_value: has a value but attribute1_name is empty; attribute:floor: names a custom attribute given earlier in the row',
    );
  });
});

describe('duplicates within the file', () => {
  it('lets the first occurrence through and rejects later ones, ignoring case', () => {
    // Prepare
    const validator = createRowValidator();

    // Act
    const results = [
      validator({ row: 2, cells: { username: 'jdoe', email: 'jdoe@example.com', employeeIdentifier: 'E1' } }),
      validator({ row: 3, cells: { username: 'JDoe', email: 'other@example.com' } }),
      validator({ row: 4, cells: { username: 'other', email: 'JDOE@example.com' } }),
      validator({
        row: 5,
        cells: { username: 'third', email: 'third@example.com', employeeIdentifier: 'e1' },
      }),
      validator({ row: 6, cells: { username: 'jdoe', email: 'jdoe@example.com' } }),
    ];

    // Assess
    expect(results.map((result) => (result.ok ? 'ok' : result.message))).toEqual([
      'ok',
      'duplicate of row 2 (username)',
      'duplicate of row 2 (email)',
      'duplicate of row 2 (employeeIdentifier)',
      'duplicate of row 2 (username, email)',
    ]);
  });

  it('does not let an invalid row reserve its username or email', () => {
    const validator = createRowValidator();

    const first = validator({
      row: 2,
      cells: { username: 'jdoe', email: 'jdoe@example.com', state: 'bogus' },
    });
    const second = validator({ row: 3, cells: { username: 'jdoe', email: 'jdoe@example.com' } });
    const third = validator({ row: 4, cells: { username: 'jdoe', email: 'x@example.com' } });

    expect(first.ok).toBe(false);
    expect(second.ok).toBe(true);
    expect(third).toMatchObject({ ok: false, message: 'duplicate of row 3 (username)' });
  });

  it('names each earlier row when the duplicates are of different rows', () => {
    const validator = createRowValidator();
    validator({ row: 2, cells: { username: 'a', email: 'a@example.com' } });
    validator({ row: 3, cells: { username: 'b', email: 'b@example.com' } });

    const result = validator({ row: 4, cells: { username: 'a', email: 'b@example.com' } });

    expect(result).toMatchObject({
      ok: false,
      message: 'duplicate of row 2 (username); duplicate of row 3 (email)',
    });
  });
});

describe('reading the file again', () => {
  it('answers every row as the first read did, from its memory of the whole file', () => {
    // Prepare: duplicates, an invalid row that reserves nothing, a leaver, and usernames made
    // from names that clash (the later one takes its employee id).
    const rows: SourceRow[] = [
      { row: 2, cells: { firstname: 'Ann', lastname: 'Lee', email: 'ann@acme.io', employeeIdentifier: '7' } },
      { row: 3, cells: { username: 'bob', email: 'bob@acme.io', state: 'bogus' } },
      {
        row: 4,
        cells: { firstname: 'Ann', lastname: 'Lee', email: 'ann2@acme.io', employeeIdentifier: '8' },
      },
      { row: 5, cells: { username: 'bob', email: 'bob@acme.io' } },
      { row: 6, cells: { username: 'BOB', email: 'robert@acme.io' } },
      { row: 7, cells: { email: 'gone@acme.io', action: 'suspend' } },
      { row: 8, cells: { email: 'GONE@acme.io', action: 'suspend' } },
      { row: 9, cells: { firstname: 'Ann', lastname: 'Lee', email: 'ann3@acme.io' } },
    ];
    const first = createRowValidator({ now: () => NOW, source: { username: 'first.last' } });

    // Act
    const firstRead = rows.map((row) => first(row));
    const again = first.reread();
    const secondRead = rows.map((row) => again(row));

    // Assess
    expect(secondRead).toEqual(firstRead);
    expect(firstRead.map((result) => (result.ok ? result.user.username : result.message))).toEqual([
      'ann.lee',
      'state: is not STAGED, ACTIVATED or SUSPENDED (an address state belongs in work_state)',
      'ann.lee.8',
      'bob',
      'duplicate of row 5 (username)',
      '',
      'duplicate of row 7 (email)',
      "username: made from the first and last name, it is the same as row 2's, and the row has no employee id to tell them apart; add a username column",
    ]);
  });
});

describe('rows with a reading problem', () => {
  it('are invalid with that problem first, then any other', () => {
    const result = validate({ ...base, sudo: 'maybe' }, { problem: 'row has 5 cells but the header has 3' });

    expect(result).toEqual({
      row: 2,
      ok: false,
      username: 'jdoe',
      email: 'jdoe@example.com',
      message:
        'row has 5 cells but the header has 3; sudo: is not yes or no (also accepted: true/false, y/n, 1/0)',
    });
  });

  it('do not repeat a missing column the file problem already names', () => {
    const result = validate({ username: 'jdoe' }, { problem: 'missing required column "email"' });

    expect(messageOf(result)).toBe('missing required column "email"');
  });

  it('do not reserve their username', () => {
    const validator = createRowValidator();

    validator({ row: 2, cells: base, problem: 'row has 3 cells but the header has 2' });
    const later = validator({ row: 3, cells: base });

    expect(later.ok).toBe(true);
  });
});

describe('messages', () => {
  it('join several problems with "; " in column order', () => {
    const message = messageOf(validate({ username: '9x', email: 'bob@', state: 'x', sudo: 'x' }));

    expect(message.split('; ').map((part) => part.split(':')[0])).toEqual([
      'username',
      'email',
      'state',
      'sudo',
    ]);
  });

  it('never quote a cell: they name the column and the rule', () => {
    // Prepare: every check that looks at a cell's text, each given a value that breaks it
    const secret = 'Quoted-Cell-7f3a';
    const cells = {
      username: `${secret} x`,
      email: `${secret}@`,
      alternateEmail: secret,
      state: secret,
      sudo: secret,
      manager: `${secret}, x, y`,
      enrollmentDays: secret,
      action: secret,
      attribute1_name: `${secret}!`,
      attribute1_value: 'v',
    };

    // Act
    const message = messageOf(validate(cells));

    // Assess
    expect(message.split('; ').map((part) => part.split(':')[0])).toEqual([
      'username',
      'email',
      'alternateEmail',
      'manager',
      'state',
      'sudo',
      'enrollmentDays',
      'action',
      'attribute1_name',
    ]);
    expect(message.toLowerCase()).not.toContain('quoted-cell');
  });

  it('take the password from beside the cells, into the request body only', () => {
    const result = createRowValidator()({ row: 2, cells: base, password: ' Secret-Pw-1 ' });

    expect(result).toEqual({ row: 2, ok: true, user: { ...base, password: 'Secret-Pw-1' }, groups: [] });
  });

  it('refuse a password equal to the username or email, and show neither in the row', () => {
    const asEmail = validate({ username: 'jo', email: 'Jo@Example.com', password: 'jo@example.com' });
    const asUsername = validate({ username: 'Hunter2x', email: 'kim-at-example.com', password: 'hunter2X' });

    expect(asEmail).toMatchObject({ ok: false, email: '[password]', username: 'jo' });
    expect(messageOf(asEmail)).toBe(
      'password: must not be the same as the username, the email or the manager',
    );
    expect(asUsername).toMatchObject({ ok: false, username: '[password]' });
    expect(messageOf(asUsername).toLowerCase()).not.toContain('hunter2x');
  });

  it('never show a password that happens to be a word of the message itself', () => {
    const message = messageOf(validate({ ...base, password: 'SUSPENDED', state: 'paused' }));

    expect(message).not.toContain('SUSPENDED');
  });
});

describe('every supported column', () => {
  it('reaches the user JumpCloud is asked to create', () => {
    // Prepare: a valid value for each column the reader can produce
    const valueFor = (header: string): string => {
      if (
        /^(sudo|activated|passwordless_sudo|ldap_binding_user|enable_user_portal_multifactor)$/.test(header)
      ) {
        return 'yes';
      }
      if (/^(password_never_expires|disableDeviceMaxLoginAttempts)$/.test(header)) return 'yes';
      if (/mail$/i.test(header)) return 'someone@example.com';
      const special: Record<string, string> = {
        username: 'other',
        state: 'STAGED',
        manager: '5f1e2d3c4b5a697887766554',
        enrollmentDays: '5',
        attribute1_name: 'Badge',
      };
      return special[header] ?? 'text';
    };
    const plain = validate(base);
    const columns = COLUMN_SPECS.map((spec) => spec.header).filter(
      // Intents the engine resolves or acts on, not fields sent as written.
      (header) =>
        !['action', 'groups', 'manager', 'managerEmployeeIdentifier', 'employmentStatus', 'endDate'].includes(
          header,
        ),
    );

    // Act
    const unused = columns.filter((header) => {
      const cells = {
        ...base,
        [header]: valueFor(header),
        attribute1_value: header === 'attribute1_name' ? '1' : '',
      };
      const result = validate(cells);
      return !result.ok || JSON.stringify(result.user) === JSON.stringify(plain.ok && plain.user);
    });

    // Assess
    expect(unused).toEqual([]);
  });
});
