import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Log, NewSystemUser } from '../../lambda/domain';
import { ApiKeyRejectedError } from '../../lambda/errors';
import { systemUserPostSchema, systemUserPutSchema } from '../../lambda/jumpcloud/api-requests';
import {
  SYSTEM_USER_POST_FIELDS,
  SYSTEM_USER_PUT_FIELDS,
  SYSTEM_USER_PUT_FORBIDDEN_FIELDS,
} from '../../lambda/jumpcloud/api-types';
import {
  JumpCloudClient,
  type JumpCloudClientOptions,
  JumpCloudLookupError,
  refusalMessage,
} from '../../lambda/jumpcloud/client';
import {
  type JumpCloudSimulator,
  type SimulatorOptions,
  startJumpCloudSimulator,
} from '../../local/jumpcloud-simulator';

const API_KEY = 'jca_client_test_key_0123456789abcdef';
const PASSWORD = 'Correct-Horse-9';

let sim: JumpCloudSimulator;

beforeAll(async () => {
  sim = await startJumpCloudSimulator({ apiKey: API_KEY });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

function ada(extra: Partial<NewSystemUser> = {}): NewSystemUser {
  return {
    username: 'ada',
    email: 'ada@example.com',
    firstname: 'Ada',
    lastname: 'Lovelace',
    password: PASSWORD,
    ...extra,
  };
}

/** A client on the simulator that never really sleeps, recording the waits it asked for and what it logged. */
function clientFor(overrides: Partial<JumpCloudClientOptions> = {}, on: JumpCloudSimulator = sim) {
  const sleeps: number[] = [];
  const logLines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const record = (level: string) => (message: string, extra?: Record<string, unknown>) =>
    logLines.push({ level, message, extra });
  const log: Log = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const client = new JumpCloudClient({
    baseUrl: on.url,
    apiKey: API_KEY,
    concurrency: 4,
    requestTimeoutMs: 2_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    log,
    ...overrides,
  });
  return { client, sleeps, logLines };
}

async function withSimulator<T>(
  options: Partial<SimulatorOptions>,
  use: (other: JumpCloudSimulator) => Promise<T>,
): Promise<T> {
  const other = await startJumpCloudSimulator({ apiKey: API_KEY, ...options });
  try {
    return await use(other);
  } finally {
    await other.close();
  }
}

const posts = (on: JumpCloudSimulator = sim) => on.requests.filter((r) => r.method === 'POST');
const methods = (on: JumpCloudSimulator = sim) => on.requests.map((r) => `${r.method} ${r.status}`);

describe('the fields the client sends', () => {
  it('are those of the schemas the simulator validates requests with, in their order', () => {
    const post = Object.keys(systemUserPostSchema.shape);
    const put = Object.keys(systemUserPutSchema.shape);
    expect([...SYSTEM_USER_POST_FIELDS]).toEqual(post);
    expect([...SYSTEM_USER_PUT_FIELDS]).toEqual(put);
    expect([...SYSTEM_USER_PUT_FORBIDDEN_FIELDS]).toEqual(post.filter((field) => !put.includes(field)));
  });
});

describe('createUser: answers JumpCloud gives', () => {
  it('creates the user with its password and returns the JumpCloud id', async () => {
    const { client } = clientFor();

    const outcome = await client.createUser(ada());

    const [stored] = sim.users();
    expect(outcome).toEqual({ status: 'created', jumpcloudId: stored?._id, createdAt: stored?.created });
    expect(stored).toMatchObject({ username: 'ada', email: 'ada@example.com', password: PASSWORD });
  });

  it('sends only JumpCloud fields, whatever else the object carries', async () => {
    const { client } = clientFor();
    const user = { ...ada(), row: 7, spreadsheetNote: 'hi' } as NewSystemUser;

    const outcome = await client.createUser(user);

    expect(outcome.status).toBe('created');
    expect(sim.users()[0]).not.toHaveProperty('spreadsheetNote');
  });

  it('reports exists with the id when the same username and email are already there', async () => {
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    const { client } = clientFor();

    const outcome = await client.createUser(ada());

    expect(outcome).toEqual({
      status: 'exists',
      jumpcloudId: seeded._id,
      message: 'already in JumpCloud',
      createdAt: seeded.created,
    });
    expect(sim.users()).toHaveLength(1);
  });

  it('reports exists the same way when JumpCloud answers a duplicate with 409', async () => {
    await withSimulator({ duplicateAnswer: 409 }, async (conflict) => {
      const seeded = conflict.seedUser({ username: 'ada', email: 'ada@example.com' });
      const { client } = clientFor({}, conflict);

      const outcome = await client.createUser(ada());

      expect(outcome).toMatchObject({ status: 'exists', jumpcloudId: seeded._id });
    });
  });

  it('fails when the username belongs to someone with a different email', async () => {
    const holder = sim.seedUser({ username: 'ada', email: 'ada.byron@example.com' });
    const { client } = clientFor();

    const outcome = await client.createUser(ada());

    expect(outcome.status).toBe('failed');
    expect(outcome.message).toBe(
      `username already belongs to another JumpCloud user (id ${holder._id}) with a different email`,
    );
  });

  it('fails when the email belongs to another user, naming that user', async () => {
    const holder = sim.seedUser({ username: 'ada.l', email: 'ada@example.com' });
    const { client } = clientFor();

    const outcome = await client.createUser(ada({ email: 'Ada@Example.com' }));

    expect(outcome.status).toBe('failed');
    expect(outcome.message).toBe(
      `email ada@example.com already belongs to another JumpCloud user (ada.l, id ${holder._id})`,
    );
  });

  it("fails with JumpCloud's own message when the clash is on neither username nor email", async () => {
    sim.seedUser({ username: 'grace', email: 'grace@example.com', employeeIdentifier: 'E-1' });
    const { client } = clientFor();

    const outcome = await client.createUser(ada({ employeeIdentifier: 'E-1' }));

    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('employeeIdentifier "E-1" already exists');
  });

  it("fails with JumpCloud's message naming the field for an invalid value", async () => {
    const { client } = clientFor();

    const outcome = await client.createUser(ada({ email: 'ada-at-example.com' }));

    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain('email is not a valid email address');
    expect(sim.users()).toHaveLength(0);
  });

  it('lists every password rule broken, without the password', async () => {
    await withSimulator({ passwordPolicy: { minLength: 20, requireSymbol: true } }, async (strict) => {
      const { client } = clientFor({}, strict);

      const outcome = await client.createUser(ada({ password: 'Weak1234' }));

      expect(outcome.status).toBe('failed');
      expect(outcome.message).toContain('must be at least 20 characters long');
      expect(outcome.message).toContain('must contain a special character');
      expect(outcome.message).not.toContain('Weak1234');
    });
  });

  it('reports exists when a person already in JumpCloud is refused for another reason (weak password)', async () => {
    await withSimulator({ passwordPolicy: { minLength: 20 } }, async (strict) => {
      const there = strict.seedUser({ username: 'ada', email: 'ada@example.com' });
      const { client } = clientFor({}, strict);

      const outcome = await client.createUser(ada({ password: 'Weak1234' }));

      expect(outcome).toMatchObject({ status: 'exists', jumpcloudId: there._id });
      expect(strict.users()).toHaveLength(1);
    });
  });
});

describe('createUser: a rejected API key', () => {
  it('throws ApiKeyRejectedError on 401 for every call, sending no more than the requests already in flight', async () => {
    const { client } = clientFor({ apiKey: 'jca_revoked', concurrency: 2 });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        client.createUser(ada({ username: `user${i}`, email: `user${i}@example.com` })),
      ),
    );
    const requestsAfterBatch = sim.requests.length;
    const later = await client.createUser(ada()).catch((error: unknown) => error);

    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof ApiKeyRejectedError)).toBe(
      true,
    );
    expect(requestsAfterBatch).toBeLessThanOrEqual(2);
    expect(later).toBeInstanceOf(ApiKeyRejectedError);
    expect(sim.requests.length).toBe(requestsAfterBatch);
    expect(String((later as Error).message)).not.toContain('jca_revoked');
  });

  it('throws ApiKeyRejectedError with the status on 403', async () => {
    const forbidding = createServer((_request, response) => {
      response.writeHead(403, { 'Content-Type': 'application/json' }).end('{"message":"Forbidden"}');
    });
    await new Promise<void>((resolve) => forbidding.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = forbidding.address() as AddressInfo;
      const client = new JumpCloudClient({
        baseUrl: `http://127.0.0.1:${port}`,
        apiKey: API_KEY,
        concurrency: 1,
      });

      const error = await client.createUser(ada()).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ApiKeyRejectedError);
      expect((error as ApiKeyRejectedError).httpStatus).toBe(403);
    } finally {
      forbidding.closeAllConnections();
      await new Promise((resolve) => forbidding.close(resolve));
    }
  });

  it('sends x-org-id so a multi-tenant admin is let in', async () => {
    await withSimulator({ orgId: 'org-9' }, async (msp) => {
      const without = clientFor({}, msp).client;
      const withOrg = clientFor({ orgId: 'org-9' }, msp).client;

      const refused = await without.createUser(ada()).catch((error: unknown) => error);
      const outcome = await withOrg.createUser(ada());

      expect(refused).toBeInstanceOf(ApiKeyRejectedError);
      expect(outcome.status).toBe('created');
    });
  });
});

describe('createUser: transient trouble', () => {
  it('waits as long as Retry-After asks after a 429, and resends without a lookup', async () => {
    sim.injectFaults({ kind: 'throttle', count: 2, retryAfterSeconds: 3, path: 'create' });
    const { client, sleeps } = clientFor();

    const outcome = await client.createUser(ada());

    expect(outcome.status).toBe('created');
    expect(sleeps).toEqual([3000, 3000]);
    expect(methods()).toEqual(['POST 429', 'POST 429', 'POST 200']);
  });

  it('backs off exponentially with jitter after a 429 without Retry-After', async () => {
    sim.injectFaults({ kind: 'throttle', count: 3, path: 'create' });
    const { client, sleeps } = clientFor();

    const outcome = await client.createUser(ada());

    expect(outcome.status).toBe('created');
    // random() = 0.5 of windows 500, 1000, 2000 ms.
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(client.stats).toMatchObject({ throttled: 3, retries: 3 });
  });

  it('looks the user up after a 503 before sending again', async () => {
    sim.injectFaults({ kind: 'error', status: 503, count: 1, path: 'create' });
    const { client } = clientFor();

    const outcome = await client.createUser(ada());

    expect(outcome).toMatchObject({ status: 'created', jumpcloudId: sim.users()[0]?._id });
    expect(methods()).toEqual(['POST 503', 'GET 200', 'POST 200']);
    expect(sim.users()).toHaveLength(1);
  });

  it('creates the user exactly once when the connection drops after JumpCloud acted', async () => {
    sim.injectFaults({ kind: 'drop', count: 1, afterCreate: true, path: 'create' });
    const { client } = clientFor();

    const outcome = await client.createUser(ada());

    expect(outcome.status).toBe('created');
    expect(outcome.jumpcloudId).toBe(sim.users()[0]?._id);
    expect(sim.users()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
    expect(client.stats.lostResponses).toBe(1);
  });

  it('creates the user exactly once when JumpCloud acted and then answered 502', async () => {
    sim.injectFaults({ kind: 'error', status: 502, count: 1, afterCreate: true, path: 'create' });
    const { client } = clientFor();

    const outcome = await client.createUser(ada());

    expect(outcome).toMatchObject({ status: 'created', jumpcloudId: sim.users()[0]?._id });
    expect(sim.users()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it('creates the user exactly once when the answer times out after JumpCloud acted', async () => {
    sim.injectFaults({ kind: 'slow', delayMs: 10_000, count: 1, path: 'create' });
    const { client } = clientFor({ requestTimeoutMs: 300 });

    const outcome = await client.createUser(ada());

    expect(outcome).toMatchObject({ status: 'created', jumpcloudId: sim.users()[0]?._id });
    expect(sim.users()).toHaveLength(1);
    expect(posts()).toHaveLength(1);
  });

  it('sends again when the lookup after a dropped connection finds nobody', async () => {
    sim.injectFaults({ kind: 'drop', count: 1, afterCreate: false, path: 'create' });
    const { client } = clientFor();

    const outcome = await client.createUser(ada());

    expect(outcome.status).toBe('created');
    expect(posts()).toHaveLength(2);
    expect(sim.users()).toHaveLength(1);
  });

  it('reports exists, not created, when a lost answer hides a user that was there long before', async () => {
    const old = sim.seedUser({
      username: 'ada',
      email: 'ada@example.com',
      created: '2020-01-01T00:00:00.000Z',
    });
    sim.injectFaults({ kind: 'error', status: 503, count: 1, path: 'create' });
    const { client } = clientFor();

    const outcome = await client.createUser(ada());

    expect(outcome).toMatchObject({ status: 'exists', jumpcloudId: old._id });
  });

  it('fails with what happened once the attempts run out, without throwing', async () => {
    sim.injectFaults({ kind: 'error', status: 503, count: 100, path: 'create' });
    const { client } = clientFor({ maxAttempts: 3 });

    const outcome = await client.createUser(ada());

    expect(outcome).toEqual({ status: 'failed', message: 'JumpCloud kept answering 503 after 3 attempts' });
    expect(posts()).toHaveLength(3);
    expect(sim.users()).toHaveLength(0);
  });

  it('fails naming 429 when throttling outlasts the attempts', async () => {
    sim.injectFaults({ kind: 'throttle', count: 100, path: 'create' });
    const { client } = clientFor({ maxAttempts: 2 });

    const outcome = await client.createUser(ada());

    expect(outcome).toEqual({ status: 'failed', message: 'JumpCloud kept answering 429 after 2 attempts' });
  });

  it('confirms by lookup a create whose last attempt timed out, rather than reporting it failed', async () => {
    sim.injectFaults({ kind: 'slow', delayMs: 10_000, count: 1, path: 'create' });
    const { client } = clientFor({ requestTimeoutMs: 200, maxAttempts: 1 });

    const outcome = await client.createUser(ada());

    expect(outcome.status).toBe('created');
    expect(sim.users()).toHaveLength(1);
  });

  it('fails naming the dropped connection when every attempt loses it before JumpCloud acts', async () => {
    sim.injectFaults({ kind: 'drop', count: 100, afterCreate: false, path: 'create' });
    const { client } = clientFor({ maxAttempts: 2 });

    const outcome = await client.createUser(ada());

    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/^JumpCloud kept dropping the connection \(.+\) after 2 attempts$/);
    expect(sim.users()).toHaveLength(0);
  });

  it('fails saying JumpCloud could not be reached when nothing listens', async () => {
    const gone = await startJumpCloudSimulator({ apiKey: API_KEY });
    const { client } = clientFor({ maxAttempts: 2 }, gone);
    await gone.close();

    const outcome = await client.createUser(ada());

    expect(outcome).toEqual({
      status: 'failed',
      message: 'JumpCloud could not be reached (ECONNREFUSED) after 2 attempts',
    });
  });
});

describe('concurrency', () => {
  it('never has more requests in flight than configured', async () => {
    await withSimulator({ latencyMs: 20 }, async (slowish) => {
      const { client } = clientFor({ concurrency: 3 }, slowish);

      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          client.createUser(ada({ username: `u${i}`, email: `u${i}@example.com` })),
        ),
      );

      expect(slowish.users()).toHaveLength(12);
      expect(slowish.peakInFlight).toBeLessThanOrEqual(3);
      expect(slowish.peakInFlight).toBeGreaterThan(1);
    });
  });

  it('lowers concurrency under sustained 429 and recovers once JumpCloud keeps up', async () => {
    sim.injectFaults({ kind: 'throttle', count: 12 });
    const seen: number[] = [];
    const watching = new JumpCloudClient({
      baseUrl: sim.url,
      apiKey: API_KEY,
      concurrency: 8,
      random: () => 0,
      sleep: async () => {
        seen.push(watching.stats.concurrency);
      },
    });
    const users = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        ada({ username: `${prefix}${i}`, email: `${prefix}${i}@example.com` }),
      );

    const throttled = await Promise.all(users('t', 24).map((u) => watching.createUser(u)));
    const lowest = Math.min(...seen);
    await Promise.all(users('r', 40).map((u) => watching.createUser(u)));

    expect(throttled.every((o) => o.status === 'created')).toBe(true);
    expect(lowest).toBeLessThan(8);
    expect(watching.stats.concurrency).toBe(8);
    expect(watching.stats.throttled).toBe(12);
  });
});

describe('lookups', () => {
  it('finds a user by username with its id and creation time', async () => {
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    const { client } = clientFor();

    const found = await client.findUserByUsername('ada');

    expect(found).toEqual({
      id: seeded._id,
      username: 'ada',
      email: 'ada@example.com',
      created: seeded.created,
    });
  });

  it('finds a user by email whatever its case and surrounding spaces', async () => {
    sim.seedUser({ username: 'bob', email: 'bob@example.com' });
    const { client } = clientFor();

    const found = await client.findUserByEmail('  Bob@Example.COM ');

    expect(found?.username).toBe('bob');
  });

  it('finds an email holding a plus sign (the value is URL-encoded)', async () => {
    sim.seedUser({ username: 'tagged', email: 'a+b@example.com' });
    const { client } = clientFor();

    const found = await client.findUserByEmail('a+b@example.com');

    expect(found?.username).toBe('tagged');
  });

  it('answers undefined for nobody', async () => {
    const { client } = clientFor();

    expect(await client.findUserByUsername('nobody')).toBeUndefined();
  });

  it('retries a lookup through 502s', async () => {
    sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    sim.injectFaults({ kind: 'error', status: 502, count: 2, path: 'lookup' });
    const { client } = clientFor();

    const found = await client.findUserByUsername('ada');

    expect(found?.username).toBe('ada');
    expect(methods()).toEqual(['GET 502', 'GET 502', 'GET 200']);
  });

  it('throws JumpCloudLookupError when a lookup cannot be answered', async () => {
    sim.injectFaults({ kind: 'error', status: 503, count: 100, path: 'lookup' });
    const { client } = clientFor({ maxAttempts: 2 });

    const error = await client.findUserByUsername('ada').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(JumpCloudLookupError);
    expect((error as Error).message).toContain('503 after 2 attempts');
  });
});

describe('planUser (dry run)', () => {
  it('would create a new user, changing nothing', async () => {
    const { client } = clientFor();

    const outcome = await client.planUser(ada());

    expect(outcome).toEqual({ status: 'would_create' });
    expect(posts()).toHaveLength(0);
  });

  it('reports exists for the same username and email', async () => {
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    const { client } = clientFor();

    expect(await client.planUser(ada())).toMatchObject({ status: 'exists', jumpcloudId: seeded._id });
  });

  it.each([
    [
      'the username is taken with another email',
      { username: 'ada', email: 'other@example.com' },
      'username already belongs',
    ],
    [
      'the email is taken by another user',
      { username: 'ada.l', email: 'ada@example.com' },
      'email ada@example.com already belongs',
    ],
    [
      'the employeeIdentifier is taken',
      { username: 'grace', email: 'grace@example.com', employeeIdentifier: 'E-1' },
      'employeeIdentifier E-1 already belongs',
    ],
  ])('fails when %s', async (_case, seed, message) => {
    sim.seedUser(seed);
    const { client } = clientFor();

    const outcome = await client.planUser(ada({ employeeIdentifier: 'E-1' }));

    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(message);
  });
});

describe('secrets stay out of logs and messages', () => {
  it('never logs the password or the API key, and logs retries with status and attempt', async () => {
    sim.seedUser({ username: 'taken', email: 'someone@example.com' });
    sim.injectFaults(
      { kind: 'throttle', count: 1, path: 'create' },
      { kind: 'error', status: 503, count: 1, path: 'create' },
    );
    const { client, logLines } = clientFor();

    await client.createUser(ada());
    await client.createUser(ada({ username: 'taken', email: 'x@example.com' }));
    await client.createUser(ada({ username: 'shorty', email: 'shorty@example.com', password: 'Sh0rt' }));

    const everything = JSON.stringify(logLines);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('Sh0rt');
    expect(everything).not.toContain(API_KEY);
    expect(logLines).toContainEqual(
      expect.objectContaining({ extra: expect.objectContaining({ status: 503, attempt: 2 }) }),
    );
    expect(logLines.some((line) => JSON.stringify(line.extra ?? {}).includes('Lovelace'))).toBe(false);
  });

  it('cuts the password out of a JumpCloud message that echoes it, and keeps the message short', () => {
    const echoed = { status: 400, body: { message: `Password ${PASSWORD} is too weak` }, text: '' };
    const long = { status: 400, body: { message: 'x'.repeat(5000) }, text: '' };

    const safe = refusalMessage(echoed, [PASSWORD, API_KEY]);
    const short = refusalMessage(long, []);

    expect(safe).not.toContain(PASSWORD);
    expect(safe).toContain('is too weak');
    expect(short.length).toBeLessThanOrEqual(300);
  });

  it('summarises a non-JSON error page without throwing', () => {
    const page = { status: 400, body: undefined, text: '<html><body>Bad Request</body></html>' };

    expect(refusalMessage(page, [])).toContain('Bad Request');
  });
});
