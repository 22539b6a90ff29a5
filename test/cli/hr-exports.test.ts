/**
 * `jc-onboard columns` and `--mapping` as a person runs them: real processes, an HR system's export
 * and a mapping file in a temporary folder, a JumpCloud simulator on 127.0.0.1 for `run`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JumpCloudSimulator } from '../../local/jumpcloud-simulator';
import { cleanEnv, jcOnboard, REPO, useSimulatorAndFolder } from './processes';

const API_KEY = 'jca_TestKeyForTheHrExportCommands00000000';
const PASSWORD = 'Quokka-Lantern-Velvet-42';
const BAMBOOHR = path.join(REPO, 'test', 'fixtures', 'hris', 'bamboohr.csv');

let simulator: JumpCloudSimulator;
let folder: string;

useSimulatorAndFolder(API_KEY, 'jc-onboard-hr-', (started, made) => {
  simulator = started;
  folder = made;
});

interface ColumnsReport {
  preset?: { id: string; chosenBy: string };
  mapping?: string;
  headers: { header: string; field?: string; from: string; ignored?: string }[];
  samples: { row: number; fields?: Record<string, string>; problem?: string }[];
}

describe('jc-onboard columns', () => {
  it('says how each BambooHR column is read, or why it is ignored, and shows three rows', async () => {
    // Act
    const run = await jcOnboard(['columns', BAMBOOHR, '--json']);

    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as ColumnsReport;
    expect(report.preset).toMatchObject({ id: 'bamboohr', chosenBy: 'header' });
    expect(report.headers).toContainEqual({
      header: 'Employee #',
      field: 'employeeIdentifier',
      from: 'BambooHR preset',
    });
    expect(report.headers).toContainEqual({
      header: 'Division',
      from: 'BambooHR preset',
      ignored: 'JumpCloud has no division field (a mapping file can send it as a custom attribute)',
    });
    expect(
      report.samples.map((sample) => [sample.row, sample.fields?.username, sample.fields?.manager]),
    ).toEqual([
      [2, 'margaret.ross (made from the row)', undefined],
      [3, 'dev.patel (made from the row)', 'Margaret Ross (by name)'],
      [4, 'lucia.fernandez (made from the row)', 'margaret.ross@example.com (by email)'],
    ]);
  });

  it('reads a custom export by its mapping file, masking passwords, and says where it stands', async () => {
    // Prepare
    const file = path.join(folder, 'acme.csv');
    const mapping = path.join(folder, 'acme.json');
    await writeFile(
      file,
      'Staff No,Given,Family,Mail,Secret,Mystery\r\n' +
        `A1,Jane,Doe,jane@acme.example,${PASSWORD},x\r\n` +
        'A2,John,Smith,jsmith@acme.example,,y\r\n',
    );
    await writeFile(
      mapping,
      JSON.stringify({
        columns: {
          'Staff No': 'employeeIdentifier',
          Given: 'firstname',
          Family: 'lastname',
          Mail: 'email',
          Secret: 'password',
        },
        constants: { groups: 'All Staff' },
        username: 'flast',
      }),
    );

    // Act
    const run = await jcOnboard(['columns', file, '--mapping', mapping, '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(PASSWORD);
    const report = JSON.parse(run.stdout) as ColumnsReport;
    expect(report.mapping).toBe(mapping);
    expect(report.headers.map((h) => [h.header, h.field ?? `ignored: ${h.ignored}`])).toEqual([
      ['Staff No', 'employeeIdentifier'],
      ['Given', 'firstname'],
      ['Family', 'lastname'],
      ['Mail', 'email'],
      ['Secret', 'password'],
      ['Mystery', 'ignored: unknown column'],
    ]);
    expect(report.samples[0]?.fields).toMatchObject({
      username: 'jdoe (made from the row)',
      password: '********',
      groups: 'All Staff',
    });
  });

  it('refuses a broken mapping file with its line, exit 2', async () => {
    // Prepare
    const mapping = path.join(folder, 'broken.json');
    await writeFile(mapping, '{\n  "columns": {\n    "Mail": "email",\n  }\n}\n');

    // Act
    const run = await jcOnboard(['columns', BAMBOOHR, '--mapping', mapping]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`mapping ${mapping}, line 4: not valid JSON`);
  });
});

describe('jc-onboard run --mapping', () => {
  it('creates the people of a custom export and refuses a broken mapping before asking anything of JumpCloud', async () => {
    // Prepare
    const file = path.join(folder, 'acme.csv');
    const good = path.join(folder, 'acme.json');
    const bad = path.join(folder, 'bad.json');
    await writeFile(file, 'Given,Family,Mail\r\nJane,Doe,jane@acme.example\r\n');
    await writeFile(
      good,
      JSON.stringify({
        columns: { Given: 'firstname', Family: 'lastname', Mail: 'email' },
        username: 'first.last',
      }),
    );
    await writeFile(bad, JSON.stringify({ columns: { Mail: 'email' }, constants: { state: 'LIVE' } }));
    const env = cleanEnv({ JUMPCLOUD_API_KEY: API_KEY });
    const out = path.join(folder, 'results.csv');

    // Act
    const refused = await jcOnboard(['run', file, '--mapping', bad, '--api-url', simulator.url], { env });
    const requestsAfterRefusal = simulator.requests.length;
    const done = await jcOnboard(
      ['run', file, '--mapping', good, '--api-url', simulator.url, '--out', out, '--allow-example'],
      {
        env,
      },
    );

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `mapping ${bad}, line 1: constants.state: is not STAGED, ACTIVATED or SUSPENDED`,
    );
    expect(requestsAfterRefusal).toBe(0);
    expect(done.code).toBe(0);
    expect(simulator.users().map((user) => [user.username, user.firstname])).toEqual([['jane.doe', 'Jane']]);
    expect(await readFile(out, 'utf8')).toContain('jane.doe');
  });
});
