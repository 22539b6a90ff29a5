/**
 * What an admin on a laptop must be able to trust `jc-onboard` with: it never replaces the input
 * or an earlier file by accident, and it gives up at once, saying why, on a JumpCloud URL it
 * cannot reach. Real processes, files in a temporary folder, a simulator on 127.0.0.1.
 */
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_COLUMNS } from '../../lambda/users/template';
import type { JumpCloudSimulator } from '../../local/jumpcloud-simulator';
import { cleanEnv, jcOnboard, useSimulatorAndFolder } from './processes';

const API_KEY = 'jca_TestKeyForTrustingTheCommandLine00000';
/** Connecting to port 0 is refused at once on loopback: a JumpCloud URL with nothing behind it. */
const NOTHING_LISTENING = 'http://127.0.0.1:0';

let simulator: JumpCloudSimulator;
let folder: string;

useSimulatorAndFolder(API_KEY, 'jc-onboard-trust-', (started, made) => {
  simulator = started;
  folder = made;
});

const withKey = () => cleanEnv({ JUMPCLOUD_API_KEY: API_KEY });

async function usersFile(name: string, count: number): Promise<{ file: string; text: string }> {
  const lines = ['username,email'];
  for (let i = 0; i < count; i++) lines.push(`user${i},user${i}@example.com`);
  const text = `${lines.join('\r\n')}\r\n`;
  const file = path.join(folder, name);
  await writeFile(file, text);
  return { file, text };
}

function csvRecords(text: string): Record<string, string>[] {
  return parse(text, { bom: true, columns: true }) as Record<string, string>[];
}

describe('--out never destroys a file', () => {
  it('refuses an --out that is the input, however it is spelt, even with --force, and sends nothing', async () => {
    // Prepare: the input, reached as given, through ./, and through a symbolic link
    const { file, text } = await usersFile('new-hires.csv', 3);
    const link = path.join(folder, 'link.csv');
    await symlink(file, link);

    // Act
    const results = await Promise.all([
      jcOnboard(['validate', '--allow-example', file, '--out', file]),
      jcOnboard(['validate', '--allow-example', 'new-hires.csv', '--out', './new-hires.csv'], {
        cwd: folder,
      }),
      jcOnboard(['run', '--allow-example', file, '--out', link, '--force', '--api-url', simulator.url], {
        env: withKey(),
      }),
    ]);

    // Assess
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--out .*is the input file.*choose another --out/);
    }
    expect(await readFile(file, 'utf8')).toBe(text);
    expect((await readdir(folder)).sort()).toEqual(['link.csv', 'new-hires.csv']);
    expect(simulator.requests).toHaveLength(0);
  });

  it('will not replace an existing file unless --force, and then replaces it', async () => {
    // Prepare: last week's results, which an auditor may still need
    const { file } = await usersFile('new-hires.csv', 3);
    const earlier = path.join(folder, 'check.csv');
    await writeFile(earlier, 'last week\r\n');

    // Act
    const refused = await jcOnboard(
      ['run', '--allow-example', file, '--out', earlier, '--api-url', simulator.url],
      {
        env: withKey(),
      },
    );
    const kept = await readFile(earlier, 'utf8');
    const forced = await jcOnboard(['validate', '--allow-example', file, '--out', earlier, '--force']);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists: choose another --out, or add --force to replace it/);
    expect(kept).toBe('last week\r\n');
    expect(simulator.requests).toHaveLength(0);
    expect(forced.code).toBe(0);
    expect(csvRecords(await readFile(earlier, 'utf8')).map((r) => r.username)).toEqual([
      'user0',
      'user1',
      'user2',
    ]);
  });
});

describe('a JumpCloud URL that cannot be reached', () => {
  it('stops early with exit 2 and "cannot reach URL", every row reported as not sent', async () => {
    // Prepare
    const { file } = await usersFile('new-hires.csv', 200);
    const out = path.join(folder, 'results.csv');

    // Act
    const result = await jcOnboard(
      ['run', '--allow-example', file, '--api-url', NOTHING_LISTENING, '--out', out],
      {
        env: withKey(),
      },
    );

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot reach ${NOTHING_LISTENING}`);
    expect(result.stderr).not.toMatch(/API key/);
    const records = csvRecords(await readFile(out, 'utf8'));
    expect(records).toHaveLength(200);
    for (const record of records) {
      expect(record.status).toBe('failed');
      expect(record.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:0 \(ECONNREFUSED\); row not sent/);
    }
    expect(result.stdout + result.stderr).not.toContain(API_KEY);
  });

  it('a dry run stops the same way', async () => {
    // Prepare
    const { file } = await usersFile('new-hires.csv', 20);

    // Act
    const result = await jcOnboard(
      ['run', '--allow-example', file, '--dry-run', '--api-url', NOTHING_LISTENING, '--json'],
      {
        env: withKey(),
      },
    );

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot reach ${NOTHING_LISTENING}`);
    const outcomes = (JSON.parse(result.stdout) as { outcomes: { status: string; message: string }[] })
      .outcomes;
    expect(outcomes).toHaveLength(20);
    expect(outcomes.every((o) => o.status === 'failed' && /cannot reach/.test(o.message))).toBe(true);
  });
});

describe('a UTF-8 file with a few bytes from another encoding', () => {
  it('keeps every accented name as written and makes only the rows with odd bytes invalid, naming the column', async () => {
    // Prepare: UTF-8 names, and one row whose apostrophe was pasted in as Windows-1252 (0x92)
    const file = path.join(folder, 'mixed.csv');
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from('username,email,first name,last name\r\njgarcia,jose@example.com,José,García\r\n'),
        Buffer.from('sobrien,sean@example.com,Seán,O'),
        Buffer.from([0x92]),
        Buffer.from('Brien\r\nmnunez,maria@example.com,María,Núñez\r\n'),
      ]),
    );

    // Act
    const result = await jcOnboard(['validate', '--allow-example', file, '--json']);

    // Assess
    expect(result.code).toBe(1);
    const outcomes = (
      JSON.parse(result.stdout) as { outcomes: { row: number; status: string; message: string }[] }
    ).outcomes;
    expect(outcomes.map((o) => [o.row, o.status])).toEqual([
      [2, 'would_create'],
      [3, 'invalid'],
      [4, 'would_create'],
    ]);
    expect(outcomes[1]?.message).toMatch(/^lastname: holds characters that are not valid UTF-8/);
    expect(outcomes[1]?.message).not.toContain('Brien');
  });

  it('sends JumpCloud the names exactly as written, never re-decoded', async () => {
    // Prepare
    const file = path.join(folder, 'mixed.csv');
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from('username,email,first name,last name\r\njgarcia,jose@example.com,José,García\r\n'),
        Buffer.from('sobrien,sean@example.com,Se'),
        Buffer.from([0xe1]),
        Buffer.from('n,OBrien\r\nmnunez,maria@example.com,María,Núñez\r\n'),
      ]),
    );

    // Act
    const result = await jcOnboard(['run', '--allow-example', file, '--api-url', simulator.url, '--json'], {
      env: withKey(),
    });

    // Assess
    expect(result.code).toBe(1);
    const names = simulator.users().map((user) => [user.firstname, user.lastname]);
    expect(names).toEqual([
      ['José', 'García'],
      ['María', 'Núñez'],
    ]);
  });
});

describe('a dry run', () => {
  it('says that the password policy is checked only on the real run', async () => {
    // Prepare
    const { file } = await usersFile('new-hires.csv', 2);

    // Act
    const result = await jcOnboard(
      ['run', '--allow-example', file, '--dry-run', '--api-url', simulator.url, '--json'],
      {
        env: withKey(),
      },
    );

    // Assess
    expect(result.code).toBe(0);
    const { summary } = JSON.parse(result.stdout) as { summary: { notices: string[] } };
    expect(summary.notices).toContainEqual(expect.stringMatching(/password policy only on the real run/));
  });
});

describe('--json when the command cannot run', () => {
  it('puts a JSON error object on stdout for a script to read, with exit 2', async () => {
    // Prepare
    const missing = path.join(folder, 'not-there.csv');
    const { file } = await usersFile('new-hires.csv', 1);

    // Act
    const [noFile, badRegion] = await Promise.all([
      jcOnboard(['validate', '--allow-example', missing, '--json']),
      jcOnboard(['run', '--allow-example', file, '--json', '--region', 'au'], { env: withKey() }),
    ]);

    // Assess
    expect(noFile.code).toBe(2);
    expect(JSON.parse(noFile.stdout)).toEqual({
      command: 'validate',
      exitCode: 2,
      error: expect.stringMatching(/there is no file .*not-there\.csv/),
    });
    expect(badRegion.code).toBe(2);
    expect(JSON.parse(badRegion.stdout)).toMatchObject({
      command: 'run',
      exitCode: 2,
      error: expect.stringMatching(/Allowed choices are us, eu, in/),
    });
  });
});

describe("the template's example row", () => {
  it('is refused by validate, a dry run and run, naming the column and the rule, and never sent', async () => {
    // Prepare: the template as written, one real person added below its example row
    const file = path.join(folder, 'new-hires.csv');
    expect((await jcOnboard(['template', '--out', file])).code).toBe(0);
    const ada = ['ada', 'ada.lovelace@acme-corp.net', ...TEMPLATE_COLUMNS.slice(2).map(() => '')];
    await writeFile(file, `${await readFile(file, 'utf8')}${ada.join(',')}\r\n`);

    // Act
    const checked = await jcOnboard(['validate', file, '--json']);
    const dryRun = await jcOnboard(['run', file, '--dry-run', '--api-url', simulator.url, '--json'], {
      env: withKey(),
    });
    const run = await jcOnboard(['run', file, '--api-url', simulator.url, '--json'], { env: withKey() });

    // Assess
    for (const result of [checked, dryRun, run]) {
      expect(result.code).toBe(1);
      const { outcomes } = JSON.parse(result.stdout) as {
        outcomes: { row: number; status: string; message: string }[];
      };
      expect(outcomes[0]).toMatchObject({ row: 2, status: 'invalid' });
      expect(outcomes[0]?.message).toBe(
        "email: is at a domain reserved for examples (example.com, .org, .net; RFC 2606), so it reaches nobody: is this the template's example row? Use a real address, or add --allow-example (e.g. for the simulator).",
      );
      expect(outcomes[1]).toMatchObject({
        row: 3,
        status: expect.stringMatching(/^(would_create|created)$/),
      });
    }
    expect(simulator.users().map((user) => user.username)).toEqual(['ada']);
    expect(JSON.stringify(simulator.requests)).not.toContain('jdoe');
  });

  it('is created with --allow-example, e.g. against the simulator', async () => {
    // Prepare
    const file = path.join(folder, 'new-hires.csv');
    await jcOnboard(['template', '--out', file]);

    // Act
    const checked = await jcOnboard(['validate', file, '--allow-example', '--json']);
    const run = await jcOnboard(['run', file, '--allow-example', '--api-url', simulator.url, '--json'], {
      env: withKey(),
    });

    // Assess
    expect(checked.code).toBe(0);
    expect(run.code).toBe(0);
    expect(simulator.users().map((user) => user.email)).toEqual(['jane.doe@example.com']);
  });
});
