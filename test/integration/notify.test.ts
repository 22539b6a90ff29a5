/**
 * When a file is done, people know: through the real handler, with the real SNS and EventBridge
 * clients talking to loopback doubles, each processed file sends one email digest and one
 * `Onboarding File Processed` event carrying the summary. A notification that cannot be sent
 * changes nothing about the file. The CLI's `--json` summary is the Lambda's summary.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runLocalFile } from '../../cli/run-file';
import { JumpCloudClient } from '../../lambda/jumpcloud/client';
import { type EmbeddedStack, LOCAL_API_KEY, startEmbeddedStack } from '../../local/embedded-stack';
import { cleanEnv, jcOnboard } from '../cli/processes';
import { rowsOf } from './results';

let stack: EmbeddedStack;
const logged: string[] = [];

beforeAll(async () => {
  // Everything the function writes (JSON logs, EMF metrics), to read metrics and look for secrets.
  const capture = (chunk: unknown) => {
    logged.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  stack = await startEmbeddedStack({ environment: { JUMPCLOUD_CONCURRENCY: '4' } });
});
afterAll(async () => {
  await stack?.stop();
  vi.restoreAllMocks();
});
beforeEach(() => {
  stack.simulator.reset();
  stack.sns.clear();
  stack.eventBridge.clear();
  stack.sns.refuse(undefined);
  logged.length = 0;
});

/** Sum of one metric over the EMF documents the function printed since the test began. */
function metricTotal(name: string): number {
  let total = 0;
  for (const chunk of logged) {
    for (const line of chunk.split('\n')) {
      if (!line.includes('"_aws"')) continue;
      const value = (JSON.parse(line) as Record<string, unknown>)[name];
      if (typeof value === 'number') total += value;
      if (Array.isArray(value)) total += value.reduce((sum: number, n: number) => sum + n, 0);
    }
  }
  return total;
}

const CANARY = 'Canary-Pa55word-7f3e9d';

const NEW_HIRES = [
  'First Name,Last Name,Username,Email,Password',
  `Ada,Lovelace,alovelace,ada@example.com,${CANARY}`,
  `Grace,Hopper,ghopper,grace@example.com,${CANARY}`,
  `Alan,Turing,aturing,not-an-email,${CANARY}`,
  '',
].join('\r\n');

describe('a processed file is announced', () => {
  it('sends one email and one event, with the counts and where the results are', async () => {
    // Prepare: a file of two good rows and one bad email.

    // Act
    const results = await stack.drop('incoming/hr/new-hires.csv', NEW_HIRES);

    // Assess: one of each, matching the results written.
    expect(results).toBeDefined();
    if (!results) return;
    expect(stack.sns.messages).toHaveLength(1);
    expect(stack.eventBridge.events).toHaveLength(1);
    const [email] = stack.sns.messages;
    expect(email?.subject).toBe('new-hires.csv: 2 created, 1 invalid');
    expect(email?.message).toContain(`s3://${stack.bucket}/${results.resultsKey}`);
    expect(email?.message).toContain(`prefix=${encodeURIComponent(results.resultsKey)}`);
    expect(email?.message).toMatch(/3 rows: 2 created, 1 invalid/);
    expect(email?.message).toMatch(/row 4 {2}invalid {2}aturing: email: .*not a valid email address/);
    const [event] = stack.eventBridge.events;
    expect(event).toMatchObject({ source: 'jumpcloud.onboarding', detailType: 'Onboarding File Processed' });
    expect(JSON.parse(event?.detail ?? '{}')).toEqual(results.summary);
    expect(results.summary.results.key).toBe(results.resultsKey);
  });

  it('announces a file missing a required column, with its reason, and counts it in FilesFailed', async () => {
    // Prepare: no email column at all.
    const file = 'Username,First Name\r\njdoe,Jane\r\nbsmith,Bob\r\n';

    // Act
    const results = await stack.drop('incoming/no-email.csv', file);

    // Assess
    expect(results?.summary.fileError).toBe('missing required column "email"');
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => r.status)).toEqual(['invalid', 'invalid']);
    expect(stack.sns.messages).toHaveLength(1);
    expect(stack.sns.messages[0]?.subject).toBe('no-email.csv: not processed, 2 invalid');
    expect(stack.sns.messages[0]?.message).toContain('missing required column "email"');
    expect(JSON.parse(stack.eventBridge.events[0]?.detail ?? '{}').fileError).toBe(
      'missing required column "email"',
    );
    expect(metricTotal('FilesFailed')).toBe(1);
    expect(stack.simulator.users()).toEqual([]);
  });

  it('puts no password in the email or the event', async () => {
    // Prepare: every row carries the same canary password (see NEW_HIRES).

    // Act
    await stack.drop('incoming/canary.csv', NEW_HIRES);

    // Assess: it reached JumpCloud, and nowhere else.
    expect(stack.simulator.users().some((user) => user.password === CANARY)).toBe(true);
    expect(stack.sns.messages).toHaveLength(1);
    expect(stack.eventBridge.events).toHaveLength(1);
    expect(JSON.stringify(stack.sns.messages)).not.toContain(CANARY);
    expect(JSON.stringify(stack.eventBridge.events)).not.toContain(CANARY);
    expect(JSON.stringify(stack.sns.messages)).not.toContain(LOCAL_API_KEY);
    expect(logged.join('')).not.toContain(CANARY);
  });

  it('leaves the results intact when SNS refuses, logs it without the message, and counts it', async () => {
    // Prepare: the topic refuses every publish (as when its key policy forbids it).
    stack.sns.refuse({ status: 403, code: 'AuthorizationError', message: 'not authorized to publish' });
    const before = stack.lambda.invocations.length;

    // Act
    const results = await stack.drop('incoming/refused.csv', NEW_HIRES);

    // Assess: the file went through as if nothing happened; only the email is missing.
    expect(stack.lambda.invocations.slice(before).map((i) => i.error)).toEqual([undefined]);
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.row, r.status])).toEqual([
      ['2', 'created'],
      ['3', 'created'],
      ['4', 'invalid'],
    ]);
    expect(results?.summary.fileError).toBeUndefined();
    expect(stack.sns.messages).toEqual([]);
    expect(stack.eventBridge.events).toHaveLength(1);
    expect(metricTotal('NotificationsFailed')).toBe(1);
    expect(metricTotal('FilesFailed')).toBe(0);
    const notSent = logged.filter((line) => line.includes('Notification not sent'));
    expect(notSent).toHaveLength(1);
    expect(notSent[0]).toMatch(/"channel":"email digest".*AuthorizationError/);
    expect(notSent[0]).not.toMatch(/created|Rows to fix|s3:\/\//);
  });
});

describe('the one summary', () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'notify-summary-'));
    return () => rm(folder, { recursive: true, force: true });
  });

  const comparable = (summary: object) => {
    const { startedAt, finishedAt, input, results, ...rest } = summary as Record<string, unknown>;
    return rest;
  };

  it('is the same from the Lambda and from jc-onboard run --json for the same file', async () => {
    // Prepare: the same bytes, in the bucket and on disk; each run starts with an empty directory.
    const file = path.join(folder, 'same.csv');
    await writeFile(file, NEW_HIRES);
    const lambda = await stack.drop('incoming/same.csv', NEW_HIRES);
    stack.simulator.reset();

    // Act
    const cli = await jcOnboard(
      ['run', file, '--allow-example', '--json', '--api-url', stack.simulator.url],
      {
        env: cleanEnv({ JUMPCLOUD_API_KEY: LOCAL_API_KEY }),
      },
    );

    // Assess: equal but for the times and where the input and results are.
    expect(cli.code).toBe(1);
    const fromCli = (JSON.parse(cli.stdout) as { summary: object }).summary;
    expect(lambda).toBeDefined();
    expect(comparable(fromCli)).toEqual(comparable(lambda?.summary ?? {}));
  });

  it('says a missing required column is the file error from the Lambda and from the CLI engine alike', async () => {
    // Prepare: `jc-onboard run` refuses such a file before starting (exit 2), so the engine it
    // runs (the one the demo and the benchmark use) is asked directly.
    const text = 'Username,First Name\r\njdoe,Jane\r\n';
    const file = path.join(folder, 'no-email.csv');
    await writeFile(file, text);
    const lambda = await stack.drop('incoming/no-email.csv', text);
    const directory = new JumpCloudClient({
      baseUrl: stack.simulator.url,
      apiKey: LOCAL_API_KEY,
      concurrency: 2,
    });

    // Act
    const local = await runLocalFile({ input: file, directory, out: false });

    // Assess
    expect(lambda?.summary.fileError).toBe('missing required column "email"');
    expect(comparable(local.summary)).toEqual(comparable(lambda?.summary ?? {}));
  });
});
