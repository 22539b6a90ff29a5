/**
 * HR systems' own exports, as they come, through the deployed path (s3rver, the real handler, the
 * JumpCloud simulator over HTTP): a realistic export of BambooHR, Workday, HiBob, Personio,
 * Rippling and Gusto (made-up people, each system's own columns, date and status formats),
 * recognised by its drop folder or by its header; a custom export read by a mapping file; and a
 * broken mapping file that fails the file before anything reaches JumpCloud.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded-stack';
import type { SimRequest } from '../../local/jumpcloud-simulator';
import { rowsOf } from './results';

let stack: EmbeddedStack;

beforeAll(async () => {
  stack = await startEmbeddedStack({
    environment: {
      JUMPCLOUD_CONCURRENCY: '4',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(() => {
  stack.simulator.reset();
});

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'hris', name), 'utf8');
const person = (username: string) => stack.simulator.users().find((user) => user.username === username);
const idOf = (username: string) => person(username)?._id;
const isWrite = (request: SimRequest) => request.method !== 'GET';
const LEFT = '(employmentStatus says the person has left)';

describe('a BambooHR export dropped in incoming/bamboohr/', () => {
  it('creates the people with usernames made from their emails, managers by name or email, and suspends who left', async () => {
    // Prepare: Tom left the company; he is still active in JumpCloud.
    const tom = stack.simulator.seedUser({
      username: 'tbaker',
      email: 'tom.baker@example.com',
      employeeIdentifier: '1004',
    });

    // Act
    const results = await stack.drop('incoming/bamboohr/employees.csv', fixture('bamboohr.csv'));

    // Assess
    expect(results?.summary.preset).toEqual({ id: 'bamboohr', name: 'BambooHR', chosenBy: 'folder' });
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => [r.row, r.status, r.username, r.manager])).toEqual([
      ['2', 'created', 'margaret.ross', ''],
      ['3', 'created', 'dev.patel', 'set (from row 2)'],
      ['4', 'created', 'lucia.fernandez', 'set (from row 2)'],
      ['5', 'suspended', 'tbaker', ''],
    ]);
    expect(rows[3]?.message).toBe(`suspended: access removed, nothing deleted ${LEFT}`);
    expect(person('margaret.ross')).toMatchObject({
      firstname: 'Margaret',
      lastname: 'Ross',
      employeeIdentifier: '1001',
      jobTitle: 'VP Engineering',
      department: 'Engineering',
      location: 'Austin',
      employeeType: 'Full-Time',
    });
    expect(person('dev.patel')?.manager).toBe(idOf('margaret.ross'));
    expect(person('lucia.fernandez')).toMatchObject({ department: 'Design', manager: idOf('margaret.ross') });
    expect(stack.simulator.user(tom._id)?.state).toBe('SUSPENDED');
  });
});

describe('a Workday worker report, recognised by its header', () => {
  it('resolves managers by Workday employee id and reads Active 0 as a leaver', async () => {
    // Prepare
    const ivy = stack.simulator.seedUser({
      username: 'ichen',
      email: 'ivy.chen@example.com',
      employeeIdentifier: '21004',
    });

    // Act
    const results = await stack.drop('incoming/workday-workers.csv', fixture('workday.csv'));

    // Assess
    expect(results?.summary.preset).toEqual({ id: 'workday', name: 'Workday', chosenBy: 'header' });
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.status, r.username, r.manager])).toEqual([
      ['created', 'akira.tanaka', ''],
      ['created', 'grace.okafor', 'set (from row 2)'],
      ['created', 'noah.schmidt', 'set (from row 2)'],
      ['suspended', 'ichen', ''],
    ]);
    expect(person('grace.okafor')).toMatchObject({
      jobTitle: 'Senior Accountant',
      department: 'Finance',
      company: 'Example Holdings Inc.',
      manager: idOf('akira.tanaka'),
    });
    expect(person('noah.schmidt')).toMatchObject({
      employeeType: 'Contingent Worker',
      location: 'Remote - US',
    });
    expect(stack.simulator.user(ivy._id)?.state).toBe('SUSPENDED');
  });
});

describe('a HiBob export dropped in incoming/hibob/', () => {
  it('creates the people with their sites as locations and managers by email', async () => {
    // Act
    const results = await stack.drop('incoming/hibob/people.csv', fixture('hibob.csv'));

    // Assess
    expect(results?.summary.preset?.id).toBe('hibob');
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.status, r.username, r.manager])).toEqual([
      ['created', 'priya.nair', ''],
      ['created', 'oliver.hughes', 'set (from row 2)'],
      ['created', 'chloe.dubois', 'set (from row 2)'],
    ]);
    expect(person('chloe.dubois')).toMatchObject({
      firstname: 'Chloé',
      lastname: 'Dubois',
      employeeIdentifier: 'B-303',
      jobTitle: 'Recruiter',
      department: 'People',
      location: 'Paris',
      manager: idOf('priya.nair'),
    });
  });
});

describe('a Personio export, recognised by its header', () => {
  it('resolves the supervisor by name and reports a past leaver who never had an account', async () => {
    // Act
    const results = await stack.drop('incoming/personio-export.csv', fixture('personio.csv'));

    // Assess
    expect(results?.summary.preset).toEqual({ id: 'personio', name: 'Personio', chosenBy: 'header' });
    expect(
      rowsOf(results?.resultsCsv ?? '').map((r) => [r.status, r.username, r.manager, r.message]),
    ).toEqual([
      ['created', 'jonas.becker', '', ''],
      ['created', 'lena.wagner', 'set (from row 2)', ''],
      ['created', 'max.mueller', 'set (from row 2)', ''],
      ['exists', 'sara.klein', '', `not in JumpCloud: nobody to suspend ${LEFT}`],
    ]);
    expect(person('lena.wagner')).toMatchObject({
      jobTitle: 'Account Executive',
      department: 'Sales',
      location: 'Berlin',
      manager: idOf('jonas.becker'),
    });
    expect(stack.simulator.users()).toHaveLength(3);
  });
});

describe('a Rippling export dropped in incoming/rippling/', () => {
  it('resolves managerId against the Rippling ids in the file', async () => {
    // Act
    const results = await stack.drop('incoming/rippling/employees.csv', fixture('rippling.csv'));

    // Assess
    expect(results?.summary.preset?.id).toBe('rippling');
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.status, r.username, r.manager])).toEqual([
      ['created', 'sofia.rossi', ''],
      ['created', 'ethan.brooks', 'set (from row 2)'],
      ['created', 'mei.lin', 'set (from row 2)'],
    ]);
    expect(person('sofia.rossi')).toMatchObject({
      alternateEmail: 'sofia.r@example.net',
      jobTitle: 'Engineering Manager',
      department: 'Platform',
    });
    expect(person('mei.lin')?.manager).toBe(idOf('sofia.rossi'));
  });
});

describe('a Gusto export, recognised by its header', () => {
  it('uses the work email, and reads terminated true as a leaver', async () => {
    // Prepare: Jamal was suspended already.
    stack.simulator.seedUser({
      username: 'jwright',
      email: 'jamal.wright@example.com',
      employeeIdentifier: 'G-9',
      state: 'SUSPENDED',
    });

    // Act
    const results = await stack.drop('incoming/gusto-employees.csv', fixture('gusto.csv'));

    // Assess
    expect(results?.summary.preset?.id).toBe('gusto');
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.status, r.username, r.message])).toEqual([
      ['created', 'carlos.mendes', ''],
      ['created', 'hannah.lee', ''],
      ['exists', 'jwright', `already suspended ${LEFT}`],
    ]);
    expect(person('carlos.mendes')).toMatchObject({
      email: 'carlos.mendes@example.com',
      department: 'Operations',
      jobTitle: 'Operations Manager',
    });
  });
});

describe('managers named by name', () => {
  it('sets one brought in by a later row of the file, and never guesses between two rows of the same name', async () => {
    // Prepare: Margaret Ross joins on row 4, after her report; two rows are both Sam Taylor
    const text =
      'username,email,firstname,lastname,manager\r\n' +
      'ann,ann@example.com,Ann,Lee,"Ross, Margaret"\r\n' +
      'ben,ben@example.com,Ben,Ode,Sam Taylor\r\n' +
      'mross,m.ross@example.com,Margaret,Ross,\r\n' +
      'staylor,s.taylor@example.com,Sam,Taylor,\r\n' +
      'staylor2,sam.taylor@example.com,Sam,Taylor,\r\n';

    // Act
    const results = await stack.drop('incoming/by-name-in-file.csv', text);

    // Assess
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => [r.row, r.status, r.manager])).toEqual([
      ['2', 'created', 'set (from row 4)'],
      ['3', 'failed', ''],
      ['4', 'created', ''],
      ['5', 'created', ''],
      ['6', 'created', ''],
    ]);
    expect(rows[1]?.message).toMatch(/^manager: rows 5, 6 of this file have that name/);
    expect(person('ann')?.manager).toBe(person('mross')?._id);
    expect(person('ben')).toBeUndefined();
  });

  it('sets one found by name in JumpCloud, and never guesses between two', async () => {
    // Prepare
    const margaret = stack.simulator.seedUser({
      username: 'mross',
      email: 'm.ross@example.com',
      firstname: 'Margaret',
      lastname: 'Ross',
    });
    stack.simulator.seedUser({
      username: 'staylor',
      email: 's.taylor@example.com',
      firstname: 'Sam',
      lastname: 'Taylor',
    });
    stack.simulator.seedUser({
      username: 'staylor2',
      email: 'sam.t@example.com',
      firstname: 'Sam',
      lastname: 'Taylor',
    });
    const text =
      'username,email,manager\r\n' +
      'ann,ann@example.com,"Ross, Margaret"\r\n' +
      'ben,ben@example.com,Sam Taylor\r\n';

    // Act
    const results = await stack.drop('incoming/by-name.csv', text);

    // Assess
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.status, r.manager, r.message])).toEqual([
      ['created', 'set (from JumpCloud)', ''],
      [
        'failed',
        '',
        'manager: 2 people in JumpCloud have that name; name the manager by email or employee id instead. ' +
          'Nothing was sent for this row',
      ],
    ]);
    expect(person('ann')?.manager).toBe(margaret._id);
    expect(person('ben')).toBeUndefined();
  });
});

const ACME_MAPPING = `{
  "columns": {
    "Staff No": "employeeIdentifier",
    "Given": "firstname",
    "Family": "lastname",
    "Mail": "email",
    "Team": "department",
    "Boss": "manager",
    "Contract End": "endDate",
    "Badge": "attribute:BadgeNumber",
    "Notes": null
  },
  "constants": { "state": "ACTIVATED", "groups": "All Staff", "attribute:Source": "AcmeHR" },
  "username": "first.last",
  "dateFormat": "DD/MM/YYYY"
}
`;
const ACME_EXPORT =
  'Staff No,Given,Family,Mail,Team,Boss,Contract End,Badge,Notes\r\n' +
  'A1,Jane,Doe,jane@acme.example,Research,,,7001,founder\r\n' +
  'A2,John,Smith,jsmith@acme.example,Research,jane@acme.example,31/12/2099,7002,\r\n' +
  'A3,John,Smith,john.smith2@acme.example,Support,"Doe, Jane",,7003,same name as A2\r\n' +
  'A4,Old,Timer,old.timer@acme.example,Support,,01/01/2020,7004,contract ended\r\n';

describe('a custom export read by its folder’s mapping file', () => {
  it('maps its columns, sets constants, makes usernames that stay the same on every re-drop', async () => {
    // Prepare
    const allStaff = stack.simulator.seedGroup('All Staff');
    await stack.upload('mappings/acme-hr.json', ACME_MAPPING);

    // Act
    const first = await stack.drop('incoming/acme-hr/export.csv', ACME_EXPORT);
    const afterFirst = stack.simulator.requests.length;
    const again = await stack.drop('incoming/acme-hr/export.csv', ACME_EXPORT);

    // Assess
    expect(first?.summary.mapping).toBe('mappings/acme-hr.json');
    expect(first?.summary.preset).toBeUndefined();
    expect(rowsOf(first?.resultsCsv ?? '').map((r) => [r.status, r.username, r.manager])).toEqual([
      ['created', 'jane.doe', ''],
      ['created', 'john.smith', 'set (from row 2)'],
      ['created', 'john.smith.a3', 'set (from row 2)'],
      ['exists', 'old.timer', ''], // contract ended in 2020: a leaver who never had an account
    ]);
    expect(person('john.smith')).toMatchObject({
      employeeIdentifier: 'A2',
      department: 'Research',
      state: 'ACTIVATED',
      manager: idOf('jane.doe'),
      attributes: [
        { name: 'BadgeNumber', value: '7002' },
        { name: 'Source', value: 'AcmeHR' },
      ],
    });
    expect(person('john.smith.a3')).toMatchObject({ employeeIdentifier: 'A3', manager: idOf('jane.doe') });
    expect(stack.simulator.groupMembers(allStaff.id).sort()).toEqual(
      [idOf('jane.doe'), idOf('john.smith'), idOf('john.smith.a3')].sort(),
    );
    // Dropped again: the same people, found by employee id, and nothing written.
    expect(rowsOf(again?.resultsCsv ?? '').map((r) => [r.status, r.username])).toEqual([
      ['exists', 'jane.doe'],
      ['exists', 'john.smith'],
      ['exists', 'john.smith.a3'],
      ['exists', 'old.timer'],
    ]);
    expect(stack.simulator.requests.slice(afterFirst).filter(isWrite)).toEqual([]);
    expect(stack.simulator.users()).toHaveLength(3);
  });

  it('fails the file on a broken mapping file, naming it and the line, with nothing sent to JumpCloud', async () => {
    // Prepare: line 4 names a column this tool does not have.
    await stack.upload(
      'mappings/broken-hr.json',
      '{\n  "columns": {\n    "Mail": "email",\n    "Team": "squad"\n  }\n}\n',
    );

    // Act
    const results = await stack.drop('incoming/broken-hr/export.csv', ACME_EXPORT);

    // Assess
    expect(results?.summary.fileError).toBe(
      'mapping mappings/broken-hr.json, line 4: columns.Team: "squad" is not a column this tool knows ' +
        '(see jc-onboard template --columns)',
    );
    expect(rowsOf(results?.resultsCsv ?? '')).toEqual([]);
    expect(stack.simulator.requests).toEqual([]);
  });
});

describe('a dry run of an export', () => {
  it('carries the header report in its summary', async () => {
    // Act
    const results = await stack.drop('incoming/dry-run/bamboohr/employees.csv', fixture('bamboohr.csv'));

    // Assess
    expect(results?.summary.dryRun).toBe(true);
    expect(results?.summary.headers).toContainEqual({
      header: 'Hire Date',
      from: 'BambooHR preset',
      ignored: 'JumpCloud has no start date field (a mapping file can send it as a custom attribute)',
    });
    expect(results?.summary.headers).toContainEqual({
      header: 'Supervisor',
      field: 'manager',
      from: 'BambooHR preset, where "Supervisor Email" is empty',
    });
    expect(stack.simulator.requests.filter(isWrite)).toEqual([]);
  });
});
