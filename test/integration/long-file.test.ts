/**
 * Long files, end to end: the function has a short deadline here (1 s, counted in creates sent),
 * so a few hundred rows cannot fit in one invocation. The handler stops taking rows when its time runs
 * low, checkpoints, and invokes itself (through the real Lambda SDK client, answered by the local
 * runtime) to finish the file. Every row must still be reported exactly once, in order, in one
 * results file, and every user created exactly once.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../lambda/config';
import { silentLog } from '../../lambda/domain';
import type { Drop } from '../../lambda/drop/drop';
import { processDrop } from '../../lambda/drop/process-drop';
import { JumpCloudClient } from '../../lambda/jumpcloud/client';
import { type EmbeddedStack, LOCAL_API_KEY } from '../../local/embedded-stack';
import type { Invocation } from '../../local/lambda-runtime';
import { type ObjectCreatedEvent, objectCreatedEvent } from '../../local/s3-server';
import { rowsOf } from './results';
import { useEmbeddedStack } from './stack';

let stack: EmbeddedStack;

/**
 * The function's clock advances 5 ms with each create JumpCloud receives, not with the wall
 * clock: on a busy 2-core CI box a 1 s wall-clock invocation managed so few rows that the file ran
 * out of its 12 invocations. Now an invocation takes rows for 0.8 s of its 1 s (160 creates), plus
 * at most twice the concurrency handed to JumpCloud when time runs short: 160 to ~177 rows, so
 * 600 rows take 4 invocations however fast the machine.
 */
const ROWS = 600;
const FUNCTION_TIMEOUT_MS = 1_000;
const MS_PER_CREATE = 5;

useEmbeddedStack(
  {
    simulator: { latencyMs: 20 },
    functionTimeoutMs: FUNCTION_TIMEOUT_MS,
    functionClock: () => MS_PER_CREATE * stack.simulator.requests.filter((r) => r.method === 'POST').length,
    environment: { JUMPCLOUD_CONCURRENCY: '8' },
  },
  (started) => {
    stack = started;
  },
);

function usersFile(count: number, prefix: string): string {
  const lines = ['Username,Email,First Name,Last Name'];
  for (let i = 0; i < count; i += 1) lines.push(`${prefix}${i},${prefix}${i}@example.com,Person,Number ${i}`);
  return `${lines.join('\r\n')}\r\n`;
}

const isContinuation = (invocation: Invocation) =>
  typeof invocation.event === 'object' && invocation.event !== null && 'continuation' in invocation.event;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The event S3 delivers for the next object created under `key`. */
function nextEventFor(key: string): Promise<ObjectCreatedEvent> {
  return new Promise((resolve) => {
    stack.s3server.onObjectCreated((created) => {
      if (created.key === key) resolve(created);
    });
  });
}

/** Asserts the whole story a long file must tell, and returns the results rows. */
async function expectFinishedOnce(key: string, prefix: string, count: number) {
  const results = await stack.resultsFor(key);
  expect(results, 'a results file and summary').toBeDefined();
  const rows = rowsOf(results?.resultsCsv ?? '');

  // Every row once, in input order, all created, each with the id JumpCloud gave it.
  expect(rows.map((r) => Number(r.row))).toEqual(Array.from({ length: count }, (_, i) => i + 2));
  expect(rows.map((r) => r.username)).toEqual(Array.from({ length: count }, (_, i) => `${prefix}${i}`));
  expect(rows.filter((r) => r.status !== 'created')).toEqual([]);
  const ids = new Map(stack.simulator.users().map((u) => [u.username, u._id]));
  for (const r of rows) expect(r.jumpcloud_id, `row ${r.row}`).toBe(ids.get(r.username ?? ''));

  // Each user created exactly once: as many users as rows, and no create ever sent twice.
  const usernames = stack.simulator.users().map((u) => u.username);
  expect(new Set(usernames).size).toBe(count);
  expect(usernames).toHaveLength(count);
  const creates = stack.simulator.requests.filter((r) => r.method === 'POST');
  expect(creates).toHaveLength(count);

  // The summary names the one results file, says it took several invocations, and adds up.
  const summary = results?.summary;
  expect(summary?.results.key).toBe(results?.resultsKey);
  expect(summary?.invocations).toBeGreaterThan(1);
  expect(summary?.rows).toBe(count);
  expect(Object.values(summary?.counts ?? {}).reduce((sum, n) => sum + n, 0)).toBe(count);
  expect(summary?.counts.created).toBe(count);
  expect(summary?.fileError).toBeUndefined();

  // The only results CSV for this input is the final one: part files stay under state/.
  const base = key.slice('incoming/'.length).replace(/\.csv$/, '');
  const csvs = (await stack.list(`outcomes/${base}.`)).filter((k) => k.endsWith('.csv'));
  expect(csvs).toEqual([results?.resultsKey]);
  // Once the results are written, the part files and the run record are gone, and so is the input.
  expect(await stack.list(`state/${base}.`)).toEqual([]);
  expect(await stack.list(key)).toEqual([]);
  return { results, rows };
}

describe('a file too large for one invocation', () => {
  it('is finished by follow-on invocations: every row once, in order, in one results file', async () => {
    // Prepare
    const key = 'incoming/long/everyone.csv';
    const before = stack.lambda.invocations.length;

    // Act
    await stack.drop(key, usersFile(ROWS, 'long'));

    // Assess: the file took more than one invocation, and the follow-ons came from the function itself.
    const invocations = stack.lambda.invocations.slice(before);
    const continuations = invocations.filter(isContinuation);
    expect(invocations.length).toBeGreaterThan(1);
    expect(continuations.length).toBeGreaterThan(0);
    expect(
      continuations.every((i) => (i.event as { continuation: { key: string } }).continuation.key === key),
    ).toBe(true);
    expect(invocations.filter((i) => i.error !== undefined)).toEqual([]);
    expect(stack.lambda.deadLetters).toHaveLength(0);

    const { results } = await expectFinishedOnce(key, 'long', ROWS);
    // Every invocation of the chain counted: the first one and each follow-on.
    expect(results?.summary.invocations).toBe(invocations.length);
    expect(results?.summary.notices.join(' ')).toMatch(/invocations/);
  });

  it('duplicate deliveries of the original event and of a follow-on event, mid-chain, create nothing twice', async () => {
    // Prepare
    const key = 'incoming/long/twice.csv';
    const created = nextEventFor(key);
    const before = stack.lambda.invocations.length;
    await stack.upload(key, usersFile(ROWS, 'dup'));
    const uploaded = await created;
    const event = objectCreatedEvent(uploaded);
    // Lambda's asynchronous invocations are at-least-once too: the follow-on may come twice.
    const followOn = {
      continuation: {
        bucket: uploaded.bucket,
        key,
        eTag: uploaded.eTag,
        sequencer: uploaded.sequencer,
        eventTime: uploaded.eventTime,
      },
    };

    // Act: as soon as the first invocation has handed over to a follow-on, S3 delivers the event
    // again; a moment later the follow-on event and the S3 event arrive once more.
    for (let waited = 0; stack.lambda.invocations.length === before && waited < 20_000; waited += 10)
      await sleep(10);
    expect(stack.lambda.invocations.slice(before).map((i) => i.result)).toEqual([
      { files: [{ key, result: 'continued' }] },
    ]);
    stack.lambda.invokeAsync(event);
    await sleep(150);
    stack.lambda.invokeAsync(followOn);
    stack.lambda.invokeAsync(event);
    await stack.lambda.idle();

    // Assess: nothing failed, exactly one invocation wrote the results, nothing was done twice.
    const invocations = stack.lambda.invocations.slice(before);
    expect(invocations.filter((i) => i.error !== undefined)).toEqual([]);
    const outcomes = invocations.map((i) => (i.result as { files: { result: string }[] }).files[0]?.result);
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'skipped').length).toBeGreaterThan(0);
    await expectFinishedOnce(key, 'dup', ROWS);
  });
});

describe('the time reserve of one invocation', () => {
  it('once time runs short only the rows already handed to JumpCloud are sent, and the invocation ends before its deadline', async () => {
    // Prepare: a file processDrop reads straight from the bucket (not .csv, so no event fires),
    // and a clock in which every create sent costs 50 ms of a 10 s invocation: with eight in
    // flight that is a realistic 400 ms per request. The reserve is a fifth: 2 s, reached after
    // 160 creates.
    const key = 'incoming/direct/reserve.txt';
    const put = await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: usersFile(600, 'reserve') }),
    );
    const drop: Drop = {
      bucket: stack.bucket,
      key,
      eTag: put.ETag ?? '',
      sequencer: '01',
      eventTime: new Date().toISOString(),
    };
    // The engine hands JumpCloud at most twice the configured concurrency at once.
    const { concurrency } = readConfig();
    const creates = () => stack.simulator.requests.filter((r) => r.method === 'POST').length;
    const remainingTimeMs = () => 10_000 - 50 * creates();
    const continued: Drop[] = [];

    // Act
    const result = await processDrop(drop, {
      s3: stack.s3,
      config: readConfig(),
      log: silentLog,
      requestId: randomUUID(),
      remainingTimeMs,
      continueLater: async (next) => {
        continued.push(next);
      },
      openDirectory: async () =>
        new JumpCloudClient({ baseUrl: stack.simulator.url, apiKey: LOCAL_API_KEY, concurrency }),
    });

    // Assess: this invocation stopped sending in time, and handed the rest of the file on.
    expect(creates(), 'creates sent by the invocation').toBeLessThanOrEqual(160 + 2 * concurrency + 1);
    expect(remainingTimeMs(), 'time left when the invocation returned').toBeGreaterThan(0);
    expect(result.kind).toBe('continued');
    expect(continued).toEqual([drop]);
  });
});

describe('JumpCloud hanging', () => {
  it('requests in flight are cut short before the deadline, and a follow-on finishes the file, nobody twice', async () => {
    // Prepare: the first eight creates are taken by JumpCloud (the users are created) and then
    // never answered within the run; every invocation has 3 s, Lambda's clock counting down.
    const count = 20;
    const key = 'incoming/direct/hanging.txt';
    const put = await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: usersFile(count, 'hang') }),
    );
    const drop: Drop = {
      bucket: stack.bucket,
      key,
      eTag: put.ETag ?? '',
      sequencer: '03',
      eventTime: new Date().toISOString(),
    };
    stack.simulator.injectFaults({ kind: 'slow', delayMs: 120_000, count: 8, path: 'create' });
    const continued: Drop[] = [];
    const invocation = () => {
      const deadline = Date.now() + 3_000;
      const remainingTimeMs = () => deadline - Date.now();
      return {
        remainingTimeMs,
        run: processDrop(drop, {
          s3: stack.s3,
          config: readConfig(),
          log: silentLog,
          requestId: randomUUID(),
          remainingTimeMs,
          // Half the time to hand over: room for the checkpoint on a busy machine.
          cutOffMs: 1_500,
          continueLater: async (next) => {
            continued.push(next);
          },
          openDirectory: async (cancel) =>
            new JumpCloudClient({
              baseUrl: stack.simulator.url,
              apiKey: LOCAL_API_KEY,
              concurrency: 8,
              signal: cancel,
            }),
        }),
      };
    };

    // Act
    const first = invocation();
    const firstResult = await first.run;
    const timeLeft = first.remainingTimeMs();
    const second = await invocation().run;

    // Assess: the first returned inside its deadline and handed the file on; the follow-on
    // finished it, the hung rows reported created, every user once.
    expect(timeLeft, 'time left when the hung invocation returned').toBeGreaterThan(0);
    expect(firstResult).toMatchObject({ kind: 'continued', nextRow: 2 });
    expect(continued).toEqual([drop]);
    expect(second.kind).toBe('completed');
    const rows = rowsOf((await stack.resultsFor(key))?.resultsCsv ?? '');
    expect(rows.map((r) => Number(r.row))).toEqual(Array.from({ length: count }, (_, i) => i + 2));
    expect(rows.filter((r) => r.status !== 'created')).toEqual([]);
    expect(stack.simulator.users()).toHaveLength(count);
    // The cut creates were looked up by the follow-on, not sent again.
    expect(stack.simulator.requests.filter((r) => r.method === 'POST')).toHaveLength(count);
  });
});

describe("Lambda's recursive-loop limit", () => {
  // Lambda counts a chain of direct self-invocations started by one event and, with recursiveLoop
  // TERMINATE (lib/onboarding-function.ts), stops it after 16 and sends the event to the
  // dead-letter queue: no results file, no word to HR. The function must finish the file first.
  it('a file needing more than 16 invocations is finished by the 16th, every row accounted for', async () => {
    // Prepare: every invocation has time for one row only, and the file has 20.
    const count = 20;
    const key = 'incoming/direct/endless.txt';
    const put = await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: usersFile(count, 'endless') }),
    );
    const drop: Drop = {
      bucket: stack.bucket,
      key,
      eTag: put.ETag ?? '',
      sequencer: '02',
      eventTime: new Date().toISOString(),
    };
    const invocation = () =>
      processDrop(drop, {
        s3: stack.s3,
        config: readConfig(),
        log: silentLog,
        requestId: randomUUID(),
        remainingTimeMs: () => 500,
        reserveMs: 1_000,
        continueLater: async () => undefined,
        openDirectory: async () =>
          new JumpCloudClient({ baseUrl: stack.simulator.url, apiKey: LOCAL_API_KEY, concurrency: 1 }),
      });

    // Act: the first invocation and its follow-ons, as long as Lambda lets the chain run.
    const kinds: string[] = [];
    for (let n = 1; n <= 16 && kinds.at(-1) !== 'completed'; n += 1) kinds.push((await invocation()).kind);

    // Assess: finished in time; rows it could not reach say so, and the summary says why.
    expect(kinds.at(-1), `after ${kinds.length} invocations`).toBe('completed');
    const results = await stack.resultsFor('incoming/direct/endless.txt');
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => Number(r.row))).toEqual(Array.from({ length: count }, (_, i) => i + 2));
    const notReached = rows.filter((r) => r.status !== 'created');
    expect(notReached.length).toBeGreaterThan(0);
    for (const r of notReached)
      expect([r.status, r.message]).toEqual(['failed', expect.stringMatching(/not processed/)]);
    expect(
      stack.simulator
        .users()
        .map((u) => u.username)
        .sort(),
    ).toEqual(
      rows
        .filter((r) => r.status === 'created')
        .map((r) => r.username)
        .sort(),
    );
    expect(results?.summary.fileError).toMatch(/Lambda invocations.*drop the rows not processed again/);
    expect(results?.summary.invocations).toBe(kinds.length);
  });
});
