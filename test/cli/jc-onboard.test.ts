/**
 * `jc-onboard` as a person runs it: real processes (node bin/jc-onboard.mjs), a JumpCloud
 * simulator on 127.0.0.1 started here, files in a temporary folder. Each exit code (0, 1, 2),
 * --json, --dry-run, --out, the hidden API-key prompt, template and simulator.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { TEMPLATE_COLUMNS } from '../../lambda/users/template';
import { type JumpCloudSimulator, startJumpCloudSimulator } from '../../local/jumpcloud-simulator';
import { cleanEnv, EXAMPLE_USERS, JC_ONBOARD, jcOnboard, start, useSimulatorAndFolder } from './processes';

const API_KEY = 'jca_TestKeyForTheCommandLine0000000000000';
const PASSWORD = 'Correct-Horse-Battery-9';

let simulator: JumpCloudSimulator;
let folder: string;

useSimulatorAndFolder(API_KEY, 'jc-onboard-cli-', (started, made) => {
  simulator = started;
  folder = made;
});

/** Three good rows, HR-style headers, one with an initial password. */
async function cleanFile(name = 'new-hires.csv'): Promise<string> {
  const file = path.join(folder, name);
  await writeFile(
    file,
    'First Name,Last Name,Email,Username,Employee ID,Temporary Password\r\n' +
      `Ada,Lovelace,ada@example.com,ada,E1,${PASSWORD}\r\n` +
      'Grace,Hopper,grace@example.com,ghopper,E2,\r\n' +
      'Alan,Turing,alan@example.com,aturing,E3,\r\n',
  );
  return file;
}

const withKey = (extra: Record<string, string> = {}) => cleanEnv({ JUMPCLOUD_API_KEY: API_KEY, ...extra });

interface JsonReport {
  command: string;
  dryRun: boolean;
  exitCode: number;
  resultsPath: string | null;
  summaryPath: string | null;
  summary: { rows: number; counts: Record<string, number>; fileError?: string; results: { path?: string } };
  outcomes: {
    row: number;
    status: string;
    username: string;
    email: string;
    jumpcloudId: string;
    message: string;
  }[];
}

function report(stdout: string): JsonReport {
  return JSON.parse(stdout) as JsonReport;
}

function csvRecords(text: string): Record<string, string>[] {
  return parse(text, { bom: true, columns: true }) as Record<string, string>[];
}

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The command under a pseudo-terminal (util-linux `script`, part of every Debian), so stdin and stdout are a TTY. */
function onTerminal(args: readonly string[], env: NodeJS.ProcessEnv) {
  const command = [process.execPath, JC_ONBOARD, ...args]
    .map((part) => `'${part.replace(/'/g, "'\\''")}'`)
    .join(' ');
  return start('script', ['-qec', command, '/dev/null'], { env: { ...env, TERM: 'xterm', NO_COLOR: '1' } });
}

describe('jc-onboard --help', () => {
  it('explains the program and every command with examples and exit codes', async () => {
    // Act
    const helps = await Promise.all(
      [[], ['run'], ['validate'], ['template'], ['simulator']].map((command) =>
        jcOnboard([...command, '--help']),
      ),
    );

    // Assess
    for (const help of helps) {
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Examples:');
    }
    const [program, run] = helps;
    expect(program?.stdout).toMatch(/run .*validate .*template .*simulator/s);
    expect(program?.stdout).toContain('Exit codes:');
    expect(run?.stdout).toMatch(/--dry-run.*--out.*--region.*--api-url.*--org-id.*--concurrency.*--json/s);
    expect(run?.stdout).toContain('JUMPCLOUD_API_KEY');
  });
});

describe('jc-onboard validate', () => {
  it('reports every row of the example file and exits 1 for its deliberate mistakes, writing nothing', async () => {
    // Act
    const result = await jcOnboard(['validate', '--allow-example', EXAMPLE_USERS, '--json'], { cwd: folder });

    // Assess
    expect(result.code).toBe(1);
    const { outcomes, summary, command } = report(result.stdout);
    expect(command).toBe('validate');
    expect(outcomes).toHaveLength(summary.rows);
    const invalid = outcomes.filter((o) => o.status === 'invalid');
    expect(invalid.map((o) => o.row)).toEqual([6, 11, 15, 21]);
    expect(invalid.map((o) => o.message.split(':')[0])).toEqual([
      'email',
      'username',
      'state',
      'duplicate of row 3 (email)',
    ]);
    expect(outcomes.filter((o) => o.status !== 'invalid').every((o) => o.status === 'would_create')).toBe(
      true,
    );
    expect(await readdir(folder)).toEqual([]);
  });

  it('exits 0 for a file with no mistakes and writes the per-row results where --out says', async () => {
    // Prepare
    const file = await cleanFile();
    const out = path.join(folder, 'check.csv');

    // Act
    const result = await jcOnboard(['validate', '--allow-example', file, '--out', out]);

    // Assess
    expect(result.code).toBe(0);
    const records = csvRecords(await readFile(out, 'utf8'));
    expect(records.map((r) => [r.row, r.username])).toEqual([
      ['2', 'ada'],
      ['3', 'ghopper'],
      ['4', 'aturing'],
    ]);
    expect(JSON.parse(await readFile(path.join(folder, 'check.summary.json'), 'utf8')).dryRun).toBe(true);
    expect(simulator.requests).toHaveLength(0);
  });

  it.skipIf(!hasScript)('prints a readable table and the counts on a terminal', async () => {
    // Act
    const result = await onTerminal(['validate', '--allow-example', EXAMPLE_USERS], cleanEnv()).exited;

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Row\s+Status\s+Username\s+Email\s+Message/);
    expect(result.stdout).toMatch(/15\s+invalid\s+nbrown\s+noah\.brown@example\.com\s+state: is not STAGED/);
    expect(result.stdout).toContain('30 rows: 4 invalid, 26 valid');
    expect(result.stdout).not.toContain('{');
  });
});

describe('jc-onboard run', () => {
  it('creates every user, exits 0, and writes the results and summary next to the input', async () => {
    // Prepare
    const file = await cleanFile();

    // Act
    const result = await jcOnboard(['run', '--allow-example', file, '--api-url', simulator.url], {
      env: withKey(),
    });

    // Assess: JSON on stdout (not a terminal), users in JumpCloud, files beside the input.
    expect(result.code).toBe(0);
    const { outcomes, resultsPath, summaryPath, summary } = report(result.stdout);
    const ids = new Map(simulator.users().map((user) => [user.username, user._id]));
    expect(outcomes.map((o) => [o.status, o.username, o.jumpcloudId])).toEqual([
      ['created', 'ada', ids.get('ada')],
      ['created', 'ghopper', ids.get('ghopper')],
      ['created', 'aturing', ids.get('aturing')],
    ]);
    expect(path.dirname(resultsPath ?? '')).toBe(folder);
    expect(path.basename(resultsPath ?? '')).toMatch(/^new-hires\.results-\d{8}-\d{6}\.csv$/);
    expect(summaryPath).toBe(resultsPath?.replace(/\.csv$/, '.summary.json'));
    const written = await readFile(resultsPath ?? '', 'utf8');
    expect(csvRecords(written).map((r) => r.jumpcloud_id)).toEqual(outcomes.map((o) => o.jumpcloudId));
    expect(JSON.parse(await readFile(summaryPath ?? '', 'utf8'))).toMatchObject({
      rows: 3,
      counts: summary.counts,
    });
    // The key and the password: sent to JumpCloud, shown and written nowhere.
    for (const text of [result.stdout, result.stderr, written, await readFile(summaryPath ?? '', 'utf8')]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain(PASSWORD);
    }
    expect(simulator.users().find((user) => user.username === 'ada')?.password).toBe(PASSWORD);
  });

  it('exits 1 when rows are invalid or failed, with every row accounted for in the results', async () => {
    // Prepare: the example's existing person is already in JumpCloud.
    simulator.seedUser({ username: 'akhan', email: 'aisha.khan@example.com' });
    const input = path.join(folder, 'users.csv');
    await writeFile(input, await readFile(EXAMPLE_USERS));
    const out = path.join(folder, 'results', 'users.csv');
    await mkdir(path.dirname(out));

    // Act
    const result = await jcOnboard(
      ['run', '--allow-example', input, '--api-url', simulator.url, '--out', out, '--json'],
      {
        env: withKey(),
      },
    );

    // Assess
    expect(result.code).toBe(1);
    const { summary, resultsPath } = report(result.stdout);
    expect(resultsPath).toBe(out);
    expect(summary.counts).toMatchObject({ created: 24, exists: 1, invalid: 4, failed: 1 });
    const records = csvRecords(await readFile(out, 'utf8'));
    expect(records).toHaveLength(30);
    expect(records.find((r) => r.username === 'akhan')?.status).toBe('exists');
    expect(records.find((r) => r.username === 'uiyer')).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/password/i),
    });
    expect(await readFile(out.replace(/\.csv$/, '.summary.json'), 'utf8')).toContain('"created": 24');
  });

  it('with --dry-run looks every user up, creates nobody, and exits 0 when all would be created or exist', async () => {
    // Prepare
    simulator.seedUser({ username: 'ghopper', email: 'grace@example.com' });
    const file = await cleanFile();

    // Act
    const result = await jcOnboard(
      ['run', '--allow-example', file, '--dry-run', '--api-url', simulator.url],
      {
        env: withKey(),
      },
    );

    // Assess
    expect(result.code).toBe(0);
    const { outcomes, dryRun } = report(result.stdout);
    expect(dryRun).toBe(true);
    expect(outcomes.map((o) => o.status)).toEqual(['would_create', 'exists', 'would_create']);
    expect(simulator.users().map((user) => user.username)).toEqual(['ghopper']);
    expect(simulator.requests.every((request) => request.method === 'GET')).toBe(true);
  });

  it('exits 2, sending nothing, when there is no API key and no terminal to ask on', async () => {
    // Prepare
    const file = await cleanFile();

    // Act
    const result = await jcOnboard(['run', '--allow-example', file, '--api-url', simulator.url]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/set the JUMPCLOUD_API_KEY environment variable/);
    expect(result.stdout).toBe('');
    expect(simulator.requests).toHaveLength(0);
  });

  it('exits 2 and says what to check when JumpCloud rejects the key', async () => {
    // Prepare
    const file = await cleanFile();

    // Act
    const result = await jcOnboard(['run', '--allow-example', file, '--api-url', simulator.url], {
      env: cleanEnv({ JUMPCLOUD_API_KEY: 'jca_NotTheRightKey' }),
    });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/did not accept the API key.*\n.*JUMPCLOUD_API_KEY/);
    const { outcomes } = report(result.stdout);
    expect(outcomes.every((o) => o.status === 'failed' && /API key rejected/.test(o.message))).toBe(true);
    expect(simulator.users()).toHaveLength(0);
    expect(result.stdout + result.stderr).not.toContain('jca_NotTheRightKey');
  });

  it('exits 2 with a message saying how to fix each file-level problem, before asking for a key', async () => {
    // Prepare
    const workbook = path.join(folder, 'workbook.csv');
    await writeFile(workbook, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]));
    const noEmail = path.join(folder, 'no-email.csv');
    await writeFile(noEmail, 'First Name,Username\r\nAda,ada\r\n');
    const missing = path.join(folder, 'not-there.csv');

    // Act: no key in the environment either; the file is checked first.
    const [notThere, notCsv, noColumn] = await Promise.all(
      [missing, workbook, noEmail].map((file) =>
        jcOnboard(['run', '--allow-example', file, '--api-url', simulator.url]),
      ),
    );

    // Assess
    for (const result of [notThere, notCsv, noColumn]) {
      expect(result?.code).toBe(2);
      expect(result?.stdout).toBe('');
      expect(result?.stderr).not.toMatch(/JUMPCLOUD_API_KEY/);
    }
    expect(notThere?.stderr).toMatch(/there is no file .*not-there\.csv.*check the path/);
    expect(notCsv?.stderr).toMatch(/cannot be read as a users CSV: .*workbook.*save it as "CSV UTF-8/);
    expect(noColumn?.stderr).toMatch(/missing required column "email".*jc-onboard template/);
    expect(await readdir(folder)).toHaveLength(2);
    expect(simulator.requests).toHaveLength(0);
  });

  it('exits 2 on wrong usage: an unknown region, both --region and --api-url, a bad --concurrency, an unknown command', async () => {
    // Prepare
    const file = await cleanFile();

    // Act
    const results = await Promise.all([
      jcOnboard(['run', '--allow-example', file, '--region', 'au'], { env: withKey() }),
      jcOnboard(['run', '--allow-example', file, '--region', 'eu', '--api-url', simulator.url], {
        env: withKey(),
      }),
      jcOnboard(['run', '--allow-example', file, '--concurrency', 'lots', '--api-url', simulator.url], {
        env: withKey(),
      }),
      jcOnboard(['onboard', file]),
      jcOnboard(['run']),
    ]);

    // Assess
    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
    expect(results[0]?.stderr).toMatch(/Allowed choices are us, eu, in/);
    expect(results[1]?.stderr).toMatch(/either --region or --api-url, not both/);
    expect(results[2]?.stderr).toMatch(/--concurrency.*whole number from 1 to 64/);
    expect(results[3]?.stderr).toMatch(/unknown command 'onboard'/);
    expect(results[4]?.stderr).toMatch(/missing required argument 'file'/);
    expect(simulator.requests).toHaveLength(0);
  });

  it('on Ctrl-C finishes the rows already sent, writes them, and exits 130 naming the first row not processed', async () => {
    // Prepare: a slow JumpCloud and one request at a time, so the run is still going when stopped.
    const slow = await startJumpCloudSimulator({ apiKey: API_KEY, latencyMs: 150 });
    const file = path.join(folder, 'many.csv');
    const rows = Array.from({ length: 40 }, (_, i) => `user${i},user${i}@example.com`);
    await writeFile(file, `username,email\n${rows.join('\n')}\n`);
    const out = path.join(folder, 'many.results.csv');
    try {
      const args = [
        'run',
        '--allow-example',
        file,
        '--api-url',
        slow.url,
        '--concurrency',
        '1',
        '--out',
        out,
      ];
      const running = start(process.execPath, [JC_ONBOARD, ...args], { env: withKey() });
      while (slow.users().length < 3) await new Promise((resolve) => setTimeout(resolve, 20));

      // Act
      running.child.kill('SIGINT');
      const result = await running.exited;

      // Assess: every row in the results was done, and JumpCloud holds exactly those users.
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('Stopping');
      const { summary } = report(result.stdout);
      const records = csvRecords(await readFile(out, 'utf8'));
      expect(records.length).toBeLessThan(40);
      expect(records.every((r) => r.status === 'created')).toBe(true);
      expect(records.map((r) => r.username)).toEqual(slow.users().map((user) => user.username));
      const firstNotDone = records.length + 2;
      expect(summary).toMatchObject({
        notices: [expect.stringContaining(`stopped on request before row ${firstNotDone}`)],
      });
    } finally {
      await slow.close();
    }
  });

  it.skipIf(!hasScript)(
    'asks for the key on a terminal without echoing it, then creates the users',
    async () => {
      // Prepare
      const file = await cleanFile();
      const out = path.join(folder, 'results.csv');

      // Act: type the key at the prompt, as a person would.
      const running = onTerminal(
        ['run', '--allow-example', file, '--api-url', simulator.url, '--out', out, '--json'],
        cleanEnv(),
      );
      await running.waitFor(/JumpCloud API key \(typing is hidden\): /);
      running.child.stdin.write(`${API_KEY}\r`);
      const result = await running.exited;

      // Assess
      expect(result.code).toBe(0);
      expect(result.stdout).not.toContain(API_KEY);
      expect(result.stdout).toContain('"exitCode": 0');
      expect(
        simulator
          .users()
          .map((user) => user.username)
          .sort(),
      ).toEqual(['ada', 'aturing', 'ghopper']);
      expect(await readFile(out, 'utf8')).not.toContain(API_KEY);
    },
  );

  it.skipIf(!hasScript)('exits 2 when the prompt is cancelled with Ctrl-C, sending nothing', async () => {
    // Prepare
    const file = await cleanFile();

    // Act
    const running = onTerminal(['run', '--allow-example', file, '--api-url', simulator.url], cleanEnv());
    await running.waitFor(/JumpCloud API key/);
    running.child.stdin.write('jca_half-typed\u0003');
    const result = await running.exited;

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('cancelled: no API key was entered');
    expect(result.stdout).not.toContain('jca_half-typed');
    expect(simulator.requests).toHaveLength(0);
  });
});

describe('jc-onboard template', () => {
  it('writes every supported column and an example row that validates with --allow-example (its address is reserved)', async () => {
    // Prepare
    const out = path.join(folder, 'template.csv');

    // Act
    const written = await jcOnboard(['template', '--out', out]);
    const checked = await jcOnboard(['validate', '--allow-example', out, '--json']);

    // Assess
    expect(written.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const [header, example, ...rest] = parse(text, { bom: true }) as string[][];
    expect(header).toEqual([...TEMPLATE_COLUMNS]);
    expect(example).toHaveLength(TEMPLATE_COLUMNS.length);
    expect(rest).toEqual([]);
    expect(report(checked.stdout).outcomes.map((o) => [o.status, o.message])).toEqual([
      ['would_create', expect.any(String)],
    ]);
    expect(checked.code).toBe(0);
  });

  it('prints the template without --out, and will not replace a file unless --force', async () => {
    // Prepare
    const out = path.join(folder, 'mine.csv');
    await writeFile(out, 'keep me');

    // Act
    const printed = await jcOnboard(['template']);
    const refused = await jcOnboard(['template', '--out', out]);
    const kept = await readFile(out, 'utf8');
    const forced = await jcOnboard(['template', '--out', out, '--force']);

    // Assess
    expect(printed.code).toBe(0);
    expect(printed.stdout.split('\r\n')[0]).toBe(TEMPLATE_COLUMNS.join(','));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists.*--force/);
    expect(kept).toBe('keep me');
    expect(forced.code).toBe(0);
    expect(await readFile(out, 'utf8')).toContain(TEMPLATE_COLUMNS.join(','));
  });
});

describe('jc-onboard simulator', () => {
  it('serves a simulator that run can use with the key it prints, and stops on Ctrl-C', async () => {
    // Prepare
    const file = await cleanFile();
    const served = start(process.execPath, [JC_ONBOARD, 'simulator', '--port', '0']);
    const [, url] = (await served.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/)) as string[];
    const [, key] = (await served.waitFor(/API key: (\S+)/)) as string[];

    // Act
    const run = await jcOnboard(['run', '--allow-example', file, '--api-url', url ?? ''], {
      env: cleanEnv({ JUMPCLOUD_API_KEY: key ?? '' }),
    });
    served.child.kill('SIGINT');
    const stopped = await served.exited;

    // Assess
    expect(run.code).toBe(0);
    expect(report(run.stdout).summary.counts.created).toBe(3);
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('Simulator stopped (3 users were in it)');
  });
});

describe('joiners, movers and leavers from the command line', () => {
  it('places people in groups and under a manager named later in the file, then converges and suspends', async () => {
    // Prepare: JumpCloud's own template columns, a manager in a later row, a group JumpCloud has
    const sales = simulator.seedGroup('Sales');
    const file = path.join(folder, 'joiners.csv');
    await writeFile(
      file,
      'Username,Email,Department,Group1,Manager\r\n' +
        'jlee,jin.lee@example.com,Sales,Sales,pat.kim@example.com\r\n' +
        'pkim,pat.kim@example.com,Sales,Sales,\r\n',
    );
    const leavers = path.join(folder, 'leavers.csv');
    await writeFile(leavers, 'Email\r\njin.lee@example.com\r\n');

    // Act
    const joined = await jcOnboard(['run', '--allow-example', file, '--api-url', simulator.url, '--json'], {
      env: withKey(),
    });
    const again = await jcOnboard(
      ['run', '--allow-example', file, '--action', 'upsert', '--api-url', simulator.url, '--json'],
      {
        env: withKey(),
      },
    );
    const checked = await jcOnboard(
      [
        'run',
        '--allow-example',
        leavers,
        '--action',
        'suspend',
        '--dry-run',
        '--api-url',
        simulator.url,
        '--json',
      ],
      { env: withKey() },
    );
    const left = await jcOnboard(
      ['run', '--allow-example', leavers, '--action', 'suspend', '--api-url', simulator.url, '--json'],
      {
        env: withKey(),
      },
    );

    // Assess
    expect(report(joined.stdout).outcomes.map((o) => o.status)).toEqual(['created', 'created']);
    const jlee = simulator.users().find((u) => u.username === 'jlee');
    const pkim = simulator.users().find((u) => u.username === 'pkim');
    expect(jlee?.manager).toBe(pkim?._id);
    expect(simulator.groupMembers(sales.id).sort()).toEqual([jlee?._id, pkim?._id].sort());
    // The same file again, as upsert: everyone already as the file says, nothing sent.
    expect(report(again.stdout).outcomes.map((o) => o.status)).toEqual(['exists', 'exists']);
    expect(report(checked.stdout).outcomes.map((o) => o.status)).toEqual(['would_suspend']);
    expect(report(left.stdout).outcomes.map((o) => [o.status, o.jumpcloudId])).toEqual([
      ['suspended', jlee?._id],
    ]);
    expect(simulator.users().find((u) => u.username === 'jlee')?.state).toBe('SUSPENDED');
  });
});
