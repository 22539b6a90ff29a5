/**
 * Joiners and movers from one drop, end to end through the deployed path (s3rver, the real
 * handler, the JumpCloud simulator over HTTP): JumpCloud's own template columns, groups by name,
 * custom attributes, managers named in any row order, an HR export dropped day after day that
 * converges, and a dry run that changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { EmbeddedStack } from '../../local/embedded-stack';
import type { SimRequest } from '../../local/jumpcloud-simulator';
import { rowsOf } from './results';
import { useEmbeddedStack } from './stack';

let stack: EmbeddedStack;

useEmbeddedStack({ environment: { JUMPCLOUD_CONCURRENCY: '4' } }, (started) => {
  stack = started;
});

const isWrite = (request: SimRequest) => request.method === 'POST' || request.method === 'PUT';
const userNamed = (username: string) => stack.simulator.users().find((user) => user.username === username);

describe('a file in JumpCloud’s own template columns', () => {
  it('creates each person with groups, attributes, addresses and phones, and says which group is missing', async () => {
    // Prepare
    const sales = stack.simulator.seedGroup('Sales');
    const vpn = stack.simulator.seedGroup('VPN Users');
    const text =
      'FirstName,LastName,Username,Email,Password,Department,Group1,Group2,Attribute1_name,Attribute1_value,' +
      'work_city,work_country,home_city,mobile_number,EnrollmentDays\r\n' +
      'Ada,Lovelace,ada,ada@example.com,Analytical-Engine-1,R&D,Sales,VPN Users,Badge,1815,London,UK,Marylebone,+44 7700 900001,14\r\n' +
      'Grace,Hopper,ghopper,grace@example.com,,Navy,Sales,Ghost Group,,,Arlington,US,,,\r\n';

    // Act
    const results = await stack.drop('incoming/template.csv', text);

    // Assess
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => [r.row, r.status, r.groups])).toEqual([
      ['2', 'created', 'Sales: added; VPN Users: added'],
      ['3', 'created', 'Sales: added; Ghost Group: missing'],
    ]);
    expect(rows[1]?.message).toMatch(/group not in JumpCloud: Ghost Group/);
    const ada = userNamed('ada');
    const grace = userNamed('ghopper');
    expect(ada).toMatchObject({
      department: 'R&D',
      attributes: [{ name: 'Badge', value: '1815' }],
      addresses: expect.arrayContaining([
        expect.objectContaining({ type: 'work', locality: 'London', country: 'UK' }),
        expect.objectContaining({ type: 'home', locality: 'Marylebone' }),
      ]),
      phoneNumbers: [{ type: 'mobile', number: '+44 7700 900001' }],
      mfa: expect.objectContaining({ exclusion: true, exclusionDays: 14 }),
    });
    expect(stack.simulator.groupMembers(sales.id).sort()).toEqual([ada?._id, grace?._id].sort());
    expect(stack.simulator.groupMembers(vpn.id)).toEqual([ada?._id]);
  });

  it('sets twenty custom attributes as well as one', async () => {
    // Prepare
    const names = Array.from({ length: 20 }, (_, i) => `Attr${i + 1}`);
    const header = ['username', 'email', ...names.map((name) => `attribute:${name}`)].join(',');
    const row = ['many', 'many@example.com', ...names.map((_, i) => `value ${i + 1}`)].join(',');

    // Act
    const results = await stack.drop('incoming/attributes.csv', `${header}\r\n${row}\r\n`);

    // Assess
    expect(rowsOf(results?.resultsCsv ?? '')).toMatchObject([{ status: 'created' }]);
    expect(userNamed('many')?.attributes).toEqual(
      names.map((name, i) => ({ name, value: `value ${i + 1}` })),
    );
  });
});

describe('managers', () => {
  it('sets a manager named by email in a later row, and one already in JumpCloud named by username', async () => {
    // Prepare
    const boss = stack.simulator.seedUser({ username: 'mross', email: 'margaret.ross@example.com' });
    const text =
      'username,email,manager\r\n' +
      'jlee,jin.lee@example.com,pat.kim@example.com\r\n' + // manager comes later in the file
      'pkim,pat.kim@example.com,mross\r\n' + // manager already in JumpCloud
      'anew,anew@example.com,nobody@example.com\r\n'; // manager nowhere

    // Act
    const results = await stack.drop('incoming/managers.csv', text);

    // Assess: people first, managers set after; a manager nowhere is said, the person still made.
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => [r.row, r.status, r.manager])).toEqual([
      ['2', 'created', 'set (from row 3)'],
      ['3', 'created', 'set (from JumpCloud)'],
      ['4', 'created', 'not set: no person with that email in JumpCloud or in this file'],
    ]);
    expect(userNamed('jlee')?.manager).toBe(userNamed('pkim')?._id);
    expect(userNamed('pkim')?.manager).toBe(boss._id);
    expect(userNamed('anew')?.manager).toBeUndefined();
  });
});

describe('an HR export dropped every day (upsert)', () => {
  it('creates on day 1, sends only what changed on day 2, and sends no write at all on day 3', async () => {
    // Prepare
    stack.simulator.seedGroup('Staff');
    const dayOne =
      'action,Employee ID,username,email,department,job title,groups\r\n' +
      'upsert,E1,ada,ada@example.com,R&D,Engineer,Staff\r\n' +
      'upsert,E2,grace,grace@example.com,Navy,Admiral,Staff\r\n';
    const dayTwo = dayOne.replace('R&D,Engineer', 'Research,Lead Engineer');

    // Act
    const first = await stack.drop('incoming/hr/daily.csv', dayOne);
    const afterDayOne = stack.simulator.requests.length;
    const second = await stack.drop('incoming/hr/daily.csv', dayTwo);
    const dayTwoRequests = stack.simulator.requests.slice(afterDayOne);
    const afterDayTwo = stack.simulator.requests.length;
    const third = await stack.drop('incoming/hr/daily.csv', dayTwo);
    const dayThreeRequests = stack.simulator.requests.slice(afterDayTwo);

    // Assess
    expect(rowsOf(first?.resultsCsv ?? '').map((r) => r.status)).toEqual(['created', 'created']);
    expect(rowsOf(second?.resultsCsv ?? '').map((r) => [r.status, r.message])).toEqual([
      ['updated', 'changed: department, jobTitle'],
      ['exists', 'already in JumpCloud; nothing to change'],
    ]);
    expect(dayTwoRequests.filter(isWrite).map((r) => r.method)).toEqual(['PUT']);
    expect(userNamed('ada')).toMatchObject({
      department: 'Research',
      jobTitle: 'Lead Engineer',
      employeeIdentifier: 'E1',
    });
    expect(rowsOf(third?.resultsCsv ?? '').map((r) => r.status)).toEqual(['exists', 'exists']);
    expect(dayThreeRequests.filter(isWrite)).toEqual([]);
    expect(stack.simulator.users()).toHaveLength(2);
  });

  it('leaves people already in JumpCloud alone by default (create), and updates them only when asked', async () => {
    // Prepare
    stack.simulator.seedUser({ username: 'ada', email: 'ada@example.com', department: 'Old' });

    // Act
    const left = await stack.drop(
      'incoming/create.csv',
      'username,email,department\r\nada,ada@example.com,New\r\n',
    );
    const asked = await stack.drop(
      'incoming/update.csv',
      'action,username,email,department\r\nupdate,ada,ada@example.com,New\r\nupdate,zed,zed@example.com,X\r\n',
    );

    // Assess
    expect(rowsOf(left?.resultsCsv ?? '')).toMatchObject([{ status: 'exists' }]);
    expect(rowsOf(asked?.resultsCsv ?? '').map((r) => [r.status, r.message])).toEqual([
      ['updated', 'changed: department'],
      ['failed', 'nobody in JumpCloud has email zed@example.com; use upsert to create them'],
    ]);
    expect(userNamed('ada')?.department).toBe('New');
  });
});

describe('a dry run (incoming/dry-run/)', () => {
  it('says what would be created and updated, with group and manager outcomes, and changes nothing', async () => {
    // Prepare
    stack.simulator.seedGroup('Sales');
    stack.simulator.seedUser({ username: 'ada', email: 'ada@example.com', department: 'Old' });
    const before = JSON.stringify(stack.simulator.users());
    const text =
      'action,username,email,department,groups,manager\r\n' +
      'upsert,ada,ada@example.com,New,Sales,\r\n' +
      'upsert,bob,bob@example.com,New,Sales; Nope,ada\r\n';

    // Act
    const results = await stack.drop('incoming/dry-run/check.csv', text);

    // Assess
    expect(results?.summary.dryRun).toBe(true);
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.status, r.groups, r.manager])).toEqual([
      ['would_update', 'Sales: would add', ''],
      ['would_create', 'Sales: would add; Nope: missing', 'would set (from row 2)'],
    ]);
    expect(stack.simulator.requests.filter(isWrite)).toEqual([]);
    expect(JSON.stringify(stack.simulator.users())).toBe(before);
  });
});

describe('resolving once per run', () => {
  it('lists groups once per 100 groups, whatever the number of rows', async () => {
    // Prepare: 150 groups in JumpCloud, 60 people in three of them.
    for (let i = 0; i < 150; i += 1) stack.simulator.seedGroup(`Group ${String(i).padStart(3, '0')}`);
    const lines = ['username,email,groups'];
    for (let i = 0; i < 60; i += 1) lines.push(`p${i},p${i}@example.com,Group 001; Group 050; Group 149`);

    // Act
    const results = await stack.drop('incoming/many-groups.csv', `${lines.join('\r\n')}\r\n`);

    // Assess
    expect(results?.summary.counts.created).toBe(60);
    const listings = stack.simulator.requests.filter(
      (r) => r.method === 'GET' && r.path === '/api/v2/usergroups',
    );
    expect(listings).toHaveLength(2);
  });
});
