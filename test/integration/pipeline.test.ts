/**
 * End to end, as deployed: a file uploaded to the bucket (s3rver) raises the S3 event, the real
 * handler runs in the local Lambda runtime, reads the key from the Secrets Manager double, creates
 * users in the JumpCloud simulator over HTTP and writes the results back to the bucket.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type EmbeddedStack, LOCAL_API_KEY, startEmbeddedStack } from '../../local/embedded-stack';
import { objectCreatedEvent } from '../../local/s3-server';
import { rowsOf } from './results';

let stack: EmbeddedStack;
const logged: string[] = [];

beforeAll(async () => {
  // Capture everything the function logs, to look for secrets in it.
  const capture = (chunk: unknown) => {
    logged.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  stack = await startEmbeddedStack({
    environment: { JUMPCLOUD_CONCURRENCY: '4', POWERTOOLS_LOG_LEVEL: 'DEBUG' },
  });
});
afterAll(async () => {
  await stack?.stop();
  vi.restoreAllMocks();
});
beforeEach(() => {
  stack.simulator.reset();
});

type Expected = { status: string; username: string; message?: RegExp };

/** Builds a 50-row file of every kind of row and what each must become. */
function fiftyRowFile() {
  const header = 'First Name,Last Name,Username,Email,Password,Employee ID,Department';
  const lines: string[] = [header];
  const expected = new Map<number, Expected>();
  for (let i = 0; i < 50; i += 1) {
    const row = i + 2;
    const n = String(i).padStart(2, '0');
    let line = `First${n},Last${n},user${n},user${n}@example.com,Secret-Pass-${n}!,E${n},Sales`;
    let want: Expected = { status: 'created', username: `user${n}` };
    if (i % 10 === 3) {
      line = `First${n},Last${n},user${n},not-an-email,Secret-Pass-${n}!,E${n},Sales`;
      want = { status: 'invalid', username: `user${n}`, message: /email/i };
    } else if (i % 10 === 5) {
      line = `First${n},Last${n},,user${n}@example.com,Secret-Pass-${n}!,E${n},Sales`;
      want = { status: 'invalid', username: '', message: /username/i };
    } else if (i % 10 === 7 && i > 10) {
      // Same email as a row before it: the first proceeds, this one is a duplicate.
      const first = 7;
      const m = String(first).padStart(2, '0');
      line = `Again${n},Last${n},other${n},USER${m}@Example.com,Secret-Pass-${n}!,X${n},Sales`;
      want = {
        status: 'invalid',
        username: `other${n}`,
        message: new RegExp(`duplicate of row ${first + 2}`),
      };
    } else if (i % 10 === 9) {
      want = { status: 'exists', username: `user${n}` };
    }
    lines.push(line);
    expected.set(row, want);
  }
  return { text: `${lines.join('\r\n')}\r\n`, expected };
}

describe('a users file dropped under incoming/', () => {
  it('becomes JumpCloud users and a results file that accounts for every row', async () => {
    // Prepare: some of the people are already in the directory.
    const { text, expected } = fiftyRowFile();
    const existingIds = new Map<string, string>();
    for (const [row, want] of expected) {
      if (want.status === 'exists') {
        const n = String(row - 2).padStart(2, '0');
        existingIds.set(
          want.username,
          stack.simulator.seedUser({ username: want.username, email: `user${n}@example.com` })._id,
        );
      }
    }

    // Act
    const results = await stack.drop('incoming/hr/new hires.csv', text);

    // Assess: one line per row, in order, with the right status and id.
    expect(results).toBeDefined();
    if (!results) return;
    expect(results.resultsKey).toMatch(/^outcomes\/hr\/new hires\..*\.csv$/);
    const records = rowsOf(results.resultsCsv);
    expect(records.map((r) => Number(r.row))).toEqual([...expected.keys()]);
    const directory = new Map(stack.simulator.users().map((u) => [u.username, u]));
    for (const record of records) {
      const want = expected.get(Number(record.row));
      expect(record.status, `row ${record.row}`).toBe(want?.status);
      expect(record.username).toBe(want?.username);
      if (want?.message) expect(record.message).toMatch(want.message);
      if (record.status === 'created')
        expect(record.jumpcloud_id).toBe(directory.get(record.username ?? '')?._id);
      if (record.status === 'exists')
        expect(record.jumpcloud_id).toBe(existingIds.get(record.username ?? ''));
    }
    const createdCount = records.filter((r) => r.status === 'created').length;
    expect(stack.simulator.users()).toHaveLength(createdCount + existingIds.size);
    expect(results.summary.counts).toMatchObject({
      created: createdCount,
      exists: existingIds.size,
      failed: 0,
    });
    expect(results.summary.rows).toBe(50);
    expect(results.summary.input).toMatchObject({ key: 'incoming/hr/new hires.csv' });

    // The password was sent to JumpCloud, and written nowhere else.
    expect(directory.get('user00')?.password).toBe('Secret-Pass-00!');
    const everything = [results.resultsCsv, JSON.stringify(results.summary), ...logged].join('\n');
    expect(everything).not.toMatch(/Secret-Pass-/);
    expect(everything).not.toContain(LOCAL_API_KEY);
    expect(logged.some((line) => line.includes('"File processed"'))).toBe(true);
  });

  it('still creates every user exactly once when JumpCloud throttles, fails and loses answers', async () => {
    const { text } = fiftyRowFile();
    stack.simulator.injectFaults(
      { kind: 'throttle', count: 6, retryAfterSeconds: 0, path: 'create' },
      { kind: 'throttle', count: 4, path: 'any' },
      { kind: 'error', status: 503, count: 3, path: 'create' },
      { kind: 'error', status: 502, count: 2, afterCreate: true, path: 'create' },
      { kind: 'drop', count: 2, afterCreate: true, path: 'create' },
    );

    const results = await stack.drop('incoming/faulty.csv', text);

    const records = rowsOf(results?.resultsCsv ?? '');
    expect(records).toHaveLength(50);
    const created = records.filter((r) => r.status === 'created');
    expect(records.filter((r) => r.status === 'failed')).toEqual([]);
    const usernames = stack.simulator.users().map((u) => u.username);
    expect(new Set(usernames).size).toBe(usernames.length);
    expect(usernames.sort()).toEqual(created.map((r) => r.username).sort());
  });

  it('writes the results, names the missing column, and creates no one when a required column is missing', async () => {
    const results = await stack.drop(
      'incoming/no-email.csv',
      'Username,First Name\r\nana,Ana\r\nbob,Bob\r\n',
    );

    const records = rowsOf(results?.resultsCsv ?? '');
    expect(records.map((r) => [r.row, r.status])).toEqual([
      ['2', 'invalid'],
      ['3', 'invalid'],
    ]);
    expect(records[0]?.message).toMatch(/email/i);
    expect(stack.simulator.users()).toHaveLength(0);
  });

  it('ignores keys outside incoming/ and keys that are not .csv, even when an event names them', async () => {
    const before = stack.lambda.invocations.length;
    const body = 'Username,Email\r\nana,ana@example.com\r\n';
    await stack.upload('elsewhere/users.csv', body);
    await stack.upload('incoming/users.txt', body);

    for (const key of ['elsewhere/users.csv', 'incoming/users.txt']) {
      stack.lambda.invokeAsync(
        objectCreatedEvent({
          bucket: stack.bucket,
          key,
          eTag: 'x',
          size: body.length,
          sequencer: '01',
          eventTime: new Date().toISOString(),
        }),
      );
    }
    await stack.lambda.idle();

    const invocations = stack.lambda.invocations.slice(before);
    expect(invocations.map((i) => i.result)).toEqual([{ files: [] }, { files: [] }]);
    expect(stack.simulator.users()).toHaveLength(0);
  });

  it('decodes form-encoded keys: a file named with spaces and a plus sign is found and mirrored', async () => {
    const results = await stack.drop(
      'incoming/Q4 hires+contractors.CSV',
      'Username,Email\r\nana,ana@example.com\r\n',
    );

    expect(results?.resultsKey).toMatch(/^outcomes\/Q4 hires\+contractors\..+\.csv$/);
    expect(results?.summary.counts.created).toBe(1);
  });
});
