/**
 * JumpCloud misbehaving while a file is processed, end to end: throttling in bursts and sustained,
 * 5xx, connection resets and answers lost after the user was created. Whatever happens, every row
 * ends created, exists or failed with a reason, no user is created twice, and the number of
 * requests stays within a small, predictable bound.
 *
 * The function reaches JumpCloud through a loopback forwarder, so one test can put a second,
 * rate-limited simulator behind it without restarting the function (which reads its
 * configuration once per process).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../lambda/config';
import { silentLog } from '../../lambda/domain';
import { processDrop } from '../../lambda/drop/process-drop';
import { JumpCloudClient } from '../../lambda/jumpcloud/client';
import { type EmbeddedStack, LOCAL_API_KEY, startEmbeddedStack } from '../../local/embedded-stack';
import {
  type Fault,
  type FaultPath,
  type JumpCloudSimulator,
  startJumpCloudSimulator,
} from '../../local/jumpcloud-simulator';
import { type ResultRow, rowsOf } from './results';

/** Attempts per request the client makes by default (lambda/jumpcloud/client.ts). */
const MAX_ATTEMPTS = 6;
const LONG_AGO = '2020-01-01T00:00:00.000Z';

let stack: EmbeddedStack;
let forwarder: Forwarder;

beforeAll(async () => {
  forwarder = await startForwarder();
  stack = await startEmbeddedStack({
    simulator: { latencyMs: 2 },
    environment: {
      JUMPCLOUD_API_URL: forwarder.url,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  });
  forwarder.target = stack.simulator.url;
});
afterAll(async () => {
  await stack?.stop();
  await forwarder?.close();
});
beforeEach(() => {
  stack.simulator.reset();
  forwarder.target = stack.simulator.url;
});

interface Forwarder {
  readonly url: string;
  /** Where requests go now. */
  target: string;
  close(): Promise<void>;
}

/** Forwards each request as it is; a connection the upstream drops is dropped here too. */
async function startForwarder(): Promise<Forwarder> {
  const forwarder = { target: '' } as { target: string };
  const server = http.createServer((request, response) => {
    const upstream = http.request(
      `${forwarder.target}${request.url ?? '/'}`,
      { method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => request.socket.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(forwarder, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** `count` people; unless told otherwise every tenth is already in JumpCloud (since long ago). */
function peopleFile(
  prefix: string,
  count: number,
  on: JumpCloudSimulator = stack.simulator,
  someExist = true,
) {
  const lines = ['Username,Email,First Name,Password'];
  const existing = new Set<string>();
  for (let i = 0; i < count; i += 1) {
    const username = `${prefix}${i}`;
    lines.push(`${username},${username}@example.com,Person ${i},Pass-word-${i}!`);
    if (someExist && i % 10 === 9) {
      on.seedUser({ username, email: `${username}@example.com`, created: LONG_AGO });
      existing.add(username);
    }
  }
  return { text: `${lines.join('\r\n')}\r\n`, existing };
}

/**
 * Each row ends created (new people) or exists (people already there) or, if `mayFail`, failed
 * with a reason; every new person is in JumpCloud exactly once, with the id the results show.
 */
function expectEveryRowTrue(
  rows: ResultRow[],
  count: number,
  existing: Set<string>,
  on: JumpCloudSimulator,
  mayFail?: RegExp,
) {
  expect(rows.map((r) => Number(r.row))).toEqual(Array.from({ length: count }, (_, i) => i + 2));
  const users = on.users();
  const byName = new Map(users.map((u) => [u.username, u]));
  expect(new Set(users.map((u) => u.username)).size, 'no user twice').toBe(users.length);
  for (const r of rows) {
    const username = r.username ?? '';
    if (r.status === 'failed' && mayFail && existing.has(username)) {
      // Given up on (e.g. throttled every time), whether or not the person was there already.
      expect(r.message, `row ${r.row}`).toMatch(mayFail);
      continue;
    }
    if (existing.has(username)) {
      expect([r.row, r.status]).toEqual([r.row, 'exists']);
    } else if (r.status === 'failed' && mayFail) {
      expect(r.message, `row ${r.row}`).toMatch(mayFail);
      expect(byName.has(username), `row ${r.row} failed and is not in JumpCloud`).toBe(false);
      continue;
    } else {
      expect([r.row, r.status]).toEqual([r.row, 'created']);
    }
    expect(r.jumpcloud_id, `row ${r.row}`).toBe(byName.get(username)?._id);
  }
  expect(users).toHaveLength(existing.size + rows.filter((r) => r.status === 'created').length);
}

const requestsOf = (on: JumpCloudSimulator) => ({
  creates: on.requests.filter((r) => r.method === 'POST').length,
  lookups: on.requests.filter((r) => r.method === 'GET').length,
  total: on.requests.length,
});

type Scenario = {
  faults: (Fault & { path?: FaultPath })[];
  /** Requests each injected fault may add at most: a retry, plus a lookup if JumpCloud may have acted. */
  extraPerFault: number;
  /** Whether an answer was lost after the user was created (those rows say so). */
  lostAfterCreate?: boolean;
};

const scenarios: [string, Scenario][] = [
  [
    'bursts of 429 with Retry-After',
    { faults: [{ kind: 'throttle', count: 12, retryAfterSeconds: 1, path: 'create' }], extraPerFault: 1 },
  ],
  [
    'bursts of 429 without Retry-After',
    { faults: [{ kind: 'throttle', count: 12, path: 'create' }], extraPerFault: 1 },
  ],
  [
    '500, 502, 503 and 504 before JumpCloud acted',
    {
      faults: ([500, 502, 503, 504] as const).map((status) => ({
        kind: 'error',
        status,
        count: 2,
        path: 'create',
      })),
      extraPerFault: 2,
    },
  ],
  [
    '502 and 504 after JumpCloud created the user (answer lost)',
    {
      faults: [
        { kind: 'error', status: 502, count: 3, afterCreate: true, path: 'create' },
        { kind: 'error', status: 504, count: 3, afterCreate: true, path: 'create' },
      ],
      extraPerFault: 1,
      lostAfterCreate: true,
    },
  ],
  [
    'connection resets before JumpCloud acted',
    { faults: [{ kind: 'drop', count: 5, afterCreate: false, path: 'create' }], extraPerFault: 2 },
  ],
  [
    'connection resets after JumpCloud created the user',
    {
      faults: [{ kind: 'drop', count: 5, afterCreate: true, path: 'create' }],
      extraPerFault: 1,
      lostAfterCreate: true,
    },
  ],
  [
    'lost answers whose confirming lookups fail too',
    {
      faults: [
        { kind: 'drop', count: 3, afterCreate: true, path: 'create' },
        { kind: 'error', status: 503, count: 3, path: 'lookup' },
      ],
      extraPerFault: 1,
      lostAfterCreate: true,
    },
  ],
];

describe('JumpCloud faults while a file is processed', () => {
  it.each(scenarios)('%s: every row ends true, no user twice, requests bounded', async (name, scenario) => {
    // Prepare
    const count = 30;
    const { text, existing } = peopleFile(`f${scenarios.findIndex(([n]) => n === name)}u`, count);
    stack.simulator.injectFaults(...scenario.faults);
    const injected = scenario.faults.reduce((sum, fault) => sum + fault.count, 0);

    // Act
    const results = await stack.drop(`incoming/faults/${name.replace(/[^a-z0-9]+/gi, '-')}.csv`, text);

    // Assess
    const rows = rowsOf(results?.resultsCsv ?? '');
    expectEveryRowTrue(rows, count, existing, stack.simulator);
    expect(results?.summary.counts).toMatchObject({
      created: count - existing.size,
      exists: existing.size,
      failed: 0,
    });
    expect(results?.summary.fileError).toBeUndefined();
    // Without faults a new person costs one create and an existing one a create and a lookup.
    const requests = requestsOf(stack.simulator);
    expect(requests.total).toBeLessThanOrEqual(count + existing.size + scenario.extraPerFault * injected);
    if (scenario.faults.every((f) => f.kind === 'throttle')) {
      // A 429 means JumpCloud did nothing: resend without looking anything up.
      expect(requests.lookups).toBe(existing.size);
    }
    if (scenario.lostAfterCreate) {
      expect(
        rows.some(
          (r) => r.status === 'created' && /answer was lost; confirmed by lookup/.test(r.message ?? ''),
        ),
      ).toBe(true);
    }
  });

  it('gives up on a row after a bounded number of 429s, says why, and a re-drop of the file finishes it', async () => {
    // Prepare: JumpCloud throttles every attempt at the first person and answers the others.
    const key = 'incoming/faults/gives-up.csv';
    const text = 'Username,Email\r\nstuck,stuck@example.com\r\n';
    stack.simulator.injectFaults({ kind: 'throttle', count: 100, retryAfterSeconds: 0, path: 'create' });

    // Act
    const first = await stack.drop(key, text);
    const sentWhileThrottled = requestsOf(stack.simulator).creates;
    stack.simulator.reset(); // JumpCloud keeps up again

    const again = await stack.drop(key, text);

    // Assess: a row-level failure with the reason; the file itself completed (no retry, no DLQ).
    expect(rowsOf(first?.resultsCsv ?? '')).toMatchObject([
      { row: '2', status: 'failed', message: `JumpCloud kept answering 429 after ${MAX_ATTEMPTS} attempts` },
    ]);
    expect(first?.summary.counts.failed).toBe(1);
    expect(sentWhileThrottled).toBe(MAX_ATTEMPTS);
    expect(stack.lambda.deadLetters).toHaveLength(0);
    expect(rowsOf(again?.resultsCsv ?? '')).toMatchObject([{ row: '2', status: 'created' }]);
    expect(stack.simulator.users()).toHaveLength(1);
  });

  it.each([
    ['with Retry-After', true],
    ['without Retry-After', false],
  ])(
    'sustained throttling (a rate limit, %s): every row ends true, no user twice, requests bounded',
    async (_, retryAfter) => {
      // Prepare: behind the forwarder now, a JumpCloud that allows 25 requests a second.
      const limited = await startJumpCloudSimulator({
        apiKey: LOCAL_API_KEY,
        latencyMs: 2,
        rateLimit: { requestsPerSecond: 25, burst: 5, retryAfter },
      });
      forwarder.target = limited.url;
      try {
        const count = 40;
        const { text, existing } = peopleFile(`rate${retryAfter ? 'a' : 'b'}`, count, limited);

        // Act
        const results = await stack.drop(`incoming/faults/rate-limited-${retryAfter}.csv`, text);

        // Assess: the client may give up on a row after six 429s, but says so; most get through.
        // A person already there may be given up on at the create (six 429s) or, after JumpCloud
        // answered "already exists", at the lookup that checks it is the same person (six more):
        // which one depends on where the token bucket runs dry, so both messages are right.
        const rows = rowsOf(results?.resultsCsv ?? '');
        expectEveryRowTrue(rows, count, existing, limited, /JumpCloud kept answering 429 after 6 attempts$/);
        expect(results?.summary.counts.created).toBeGreaterThan(count / 2);
        const requests = requestsOf(limited);
        expect(requests.total).toBeLessThanOrEqual(MAX_ATTEMPTS * (count + existing.size));
        expect(requests.total).toBeGreaterThan(count); // it really was throttled
      } finally {
        await limited.close();
      }
    },
  );
});

describe('answers slower than the client waits', () => {
  // The handler builds its client with the default 20 s request timeout and offers no setting to
  // shorten it, so this runs the same S3 processing (processDrop) with the same client, built here
  // with a 300 ms timeout, instead of waiting 20 s per timeout through the handler.
  it('creates each user once and reports it created when answers time out after JumpCloud acted', async () => {
    // Prepare
    const key = 'incoming/faults/slow.txt'; // not .csv: processed here, not by the function
    const count = 20;
    const { text, existing } = peopleFile('slow', count, stack.simulator, false);
    const put = await stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: text }));
    stack.simulator.injectFaults({ kind: 'slow', delayMs: 2_000, count: 6, path: 'create' });

    // Act
    const result = await processDrop(
      {
        bucket: stack.bucket,
        key,
        eTag: put.ETag ?? '',
        sequencer: '01',
        eventTime: new Date().toISOString(),
      },
      {
        s3: stack.s3,
        config: readConfig(),
        log: silentLog,
        requestId: randomUUID(),
        remainingTimeMs: () => 600_000,
        continueLater: async () => {
          throw new Error('not expected: the file is short');
        },
        openDirectory: async () =>
          new JumpCloudClient({
            baseUrl: stack.simulator.url,
            apiKey: LOCAL_API_KEY,
            concurrency: 4,
            requestTimeoutMs: 300,
          }),
      },
    );

    // Assess
    expect(result.kind).toBe('completed');
    if (result.kind !== 'completed') return;
    const rows = rowsOf(await stack.readText(result.resultsKey));
    expectEveryRowTrue(rows, count, existing, stack.simulator);
    expect(rows.filter((r) => /answer was lost; confirmed by lookup/.test(r.message ?? ''))).toHaveLength(6);
    expect(requestsOf(stack.simulator).total).toBeLessThanOrEqual(count + existing.size + 6);
  });
});
