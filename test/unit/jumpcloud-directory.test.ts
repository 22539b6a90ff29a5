import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewSystemUser } from '../../lambda/domain';
import { JumpCloudLookupError, JumpCloudUnreachableError, RequestsCancelledError } from '../../lambda/errors';
import { JumpCloudClient, type JumpCloudClientOptions } from '../../lambda/jumpcloud/client';
import { type JumpCloudSimulator, startJumpCloudSimulator } from '../../local/jumpcloud-simulator';

const API_KEY = 'jca_directory_test_key_0123456789abcdef';
const PASSWORD = 'Correct-Horse-9';

let sim: JumpCloudSimulator;

beforeAll(async () => {
  sim = await startJumpCloudSimulator({ apiKey: API_KEY });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

/** A client on the simulator that never really sleeps. */
function clientFor(overrides: Partial<JumpCloudClientOptions> = {}, on: JumpCloudSimulator = sim) {
  return new JumpCloudClient({
    baseUrl: on.url,
    apiKey: API_KEY,
    concurrency: 4,
    requestTimeoutMs: 2_000,
    sleep: async () => {},
    random: () => 0.5,
    ...overrides,
  });
}

const ada: NewSystemUser = { username: 'ada', email: 'ada@example.com', password: PASSWORD };
const requestsTo = (method: string, path: string) =>
  sim.requests.filter((request) => request.method === method && request.path.startsWith(path));

describe('findPeople', () => {
  it('finds nobody', async () => {
    sim.seedUser({ username: 'grace', email: 'grace@example.com', employeeIdentifier: 'E-2' });

    const found = await clientFor().findPeople({ field: 'employeeIdentifier', value: 'E-1' });

    expect(found).toEqual([]);
  });

  it('finds the one person, with every field JumpCloud holds and never a password', async () => {
    const seeded = sim.seedUser({
      username: 'ada',
      email: 'ada@example.com',
      employeeIdentifier: 'E-1',
      department: 'R&D',
      password: PASSWORD,
    });

    const found = await clientFor().findPeople({ field: 'employeeIdentifier', value: 'E-1' });

    expect(found).toEqual([
      {
        id: seeded._id,
        username: 'ada',
        email: 'ada@example.com',
        employeeIdentifier: 'E-1',
        state: 'ACTIVATED',
        created: seeded.created,
        record: expect.objectContaining({ department: 'R&D', addresses: [], phoneNumbers: [] }),
      },
    ]);
    expect(JSON.stringify(found)).not.toContain(PASSWORD);
  });

  it('finds both people sharing a value, so the caller sees the ambiguity', async () => {
    sim.seedUser({ username: 'ada', email: 'ada@example.com', employeeIdentifier: 'E-1' });
    sim.seedUser({ username: 'ada2', email: 'ada2@example.com', employeeIdentifier: 'E-1' });

    const found = await clientFor().findPeople({ field: 'employeeIdentifier', value: 'E-1' });

    expect(found.map((person) => person.username).sort()).toEqual(['ada', 'ada2']);
  });

  it('compares emails lower-cased and usernames exactly', async () => {
    sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    const client = clientFor();

    const byEmail = await client.findPeople({ field: 'email', value: ' Ada@Example.COM ' });
    const byUsername = await client.findPeople({ field: 'username', value: 'Ada' });

    expect(byEmail.map((person) => person.username)).toEqual(['ada']);
    expect(byUsername).toEqual([]);
  });

  it('throws JumpCloudLookupError when JumpCloud cannot say', async () => {
    sim.injectFaults({ kind: 'error', status: 503, count: 100, path: 'lookup' });

    const error = await clientFor({ maxAttempts: 2 })
      .findPeople({ field: 'email', value: 'ada@example.com' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(JumpCloudLookupError);
    expect((error as Error).message).toBe(
      'looking up the email: JumpCloud kept answering 503 after 2 attempts',
    );
  });
});

describe('updatePerson', () => {
  it('sends the changed fields and answers the person as JumpCloud now holds them', async () => {
    const seeded = sim.seedUser({
      username: 'ada',
      email: 'ada@example.com',
      department: 'R&D',
      jobTitle: 'Analyst',
    });

    const outcome = await clientFor().updatePerson(seeded._id, { department: 'Maths', jobTitle: 'Lead' });

    expect(outcome).toMatchObject({ ok: true, person: { id: seeded._id, record: { department: 'Maths' } } });
    expect(sim.user(seeded._id)).toMatchObject({ department: 'Maths', jobTitle: 'Lead' });
  });

  it('never sends activated, passwordless_sudo, recoveryEmail or fields JumpCloud does not define', async () => {
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });

    const outcome = await clientFor().updatePerson(seeded._id, {
      department: 'Maths',
      activated: false,
      passwordless_sudo: true,
      recoveryEmail: { address: 'r@example.com' },
      row: 7,
    });

    // The simulator refuses each of those with a 400, as JumpCloud's systemuserput does.
    expect(outcome.ok).toBe(true);
    expect(sim.user(seeded._id)).toMatchObject({
      department: 'Maths',
      activated: true,
      passwordless_sudo: false,
    });
    expect(sim.user(seeded._id)).not.toHaveProperty('recoveryEmail');
  });

  it('suspends a person through state', async () => {
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });

    const outcome = await clientFor().updatePerson(seeded._id, { state: 'SUSPENDED' });

    expect(outcome).toMatchObject({ ok: true, person: { state: 'SUSPENDED' } });
    expect(sim.user(seeded._id)?.suspended).toBe(true);
  });

  it('refuses state STAGED for an existing person without sending anything', async () => {
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });

    const outcome = await clientFor().updatePerson(seeded._id, { state: 'STAGED' });

    expect(outcome).toEqual({
      ok: false,
      message: 'state: an existing person can only be made ACTIVATED or SUSPENDED',
    });
    expect(requestsTo('PUT', '/api/systemusers')).toHaveLength(0);
  });

  it('retries through 5xx answers', async () => {
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    sim.injectFaults({ kind: 'error', status: 503, count: 2, path: 'update' });

    const outcome = await clientFor().updatePerson(seeded._id, { department: 'Maths' });

    expect(outcome.ok).toBe(true);
    expect(requestsTo('PUT', '/api/systemusers').map((request) => request.status)).toEqual([503, 503, 200]);
  });

  it('simply sends again when the answer is lost after JumpCloud acted', async () => {
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    sim.injectFaults({ kind: 'drop', count: 1, afterCreate: true, path: 'update' });
    const client = clientFor();

    const outcome = await client.updatePerson(seeded._id, { department: 'Maths' });

    expect(outcome).toMatchObject({ ok: true, person: { record: { department: 'Maths' } } });
    expect(requestsTo('PUT', '/api/systemusers')).toHaveLength(2);
    expect(requestsTo('GET', '/api/systemusers')).toHaveLength(0);
    expect(client.stats.lostResponses).toBe(0);
  });

  it("fails with JumpCloud's reason naming the field, never the new password", async () => {
    sim.seedUser({ username: 'grace', email: 'grace@example.com' });
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });

    const outcome = await clientFor().updatePerson(seeded._id, {
      email: 'grace@example.com',
      password: PASSWORD,
    });

    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.message).toContain('email');
    expect(JSON.stringify(outcome)).not.toContain(PASSWORD);
    expect(sim.user(seeded._id)?.email).toBe('ada@example.com');
  });

  it('fails saying what happened once the attempts run out', async () => {
    const seeded = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    sim.injectFaults({ kind: 'error', status: 502, count: 100, path: 'update' });

    const outcome = await clientFor({ maxAttempts: 2 }).updatePerson(seeded._id, { department: 'Maths' });

    expect(outcome).toEqual({ ok: false, message: 'JumpCloud kept answering 502 after 2 attempts' });
  });
});

describe('listUserGroups', () => {
  it('lists 150 groups in exactly 2 requests of 100, sorted by name', async () => {
    const names = Array.from({ length: 150 }, (_, i) => `Group ${String(i).padStart(3, '0')}`);
    for (const name of [...names].reverse()) sim.seedGroup(name);

    const groups = await clientFor().listUserGroups();

    expect(groups.map((group) => group.name)).toEqual(names);
    expect(new Set(groups.map((group) => group.id)).size).toBe(150);
    expect(requestsTo('GET', '/api/v2/usergroups').map((request) => request.query)).toEqual([
      '?limit=100&skip=0&sort=name',
      '?limit=100&skip=100&sort=name',
    ]);
  });

  it('asks once for exactly 100 groups, trusting x-total-count', async () => {
    for (let i = 0; i < 100; i++) sim.seedGroup(`Group ${i}`);

    const groups = await clientFor().listUserGroups();

    expect(groups).toHaveLength(100);
    expect(requestsTo('GET', '/api/v2/usergroups')).toHaveLength(1);
  });

  it('answers an empty list for an org without groups', async () => {
    expect(await clientFor().listUserGroups()).toEqual([]);
  });

  it('retries a 502 on a page and throws JumpCloudLookupError when it never answers', async () => {
    sim.seedGroup('Sales');
    sim.injectFaults({ kind: 'error', status: 502, count: 1, path: 'groups' });
    const retried = await clientFor().listUserGroups();
    sim.injectFaults({ kind: 'error', status: 502, count: 100, path: 'groups' });

    const error = await clientFor({ maxAttempts: 2 })
      .listUserGroups()
      .catch((caught: unknown) => caught);

    expect(retried.map((group) => group.name)).toEqual(['Sales']);
    expect(error).toBeInstanceOf(JumpCloudLookupError);
    expect((error as Error).message).toBe(
      'listing user groups: JumpCloud kept answering 502 after 2 attempts',
    );
  });
});

describe('addToGroup', () => {
  it('adds a person, and says already a member the second time', async () => {
    const group = sim.seedGroup('Sales');
    const person = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    const client = clientFor();

    const first = await client.addToGroup(group.id, person._id);
    const second = await client.addToGroup(group.id, person._id);

    expect([first, second]).toEqual(['added', 'already a member']);
    expect(sim.groupMembers(group.id)).toEqual([person._id]);
  });

  it('fails naming the 404 for an unknown group', async () => {
    const person = sim.seedUser({ username: 'ada', email: 'ada@example.com' });

    const outcome = await clientFor().addToGroup('5f0000000000000000000000', person._id);

    expect(outcome).toEqual({ failed: 'JumpCloud refused (404): User group not found' });
  });

  it('reports added, once, when the answer was lost after JumpCloud added the person', async () => {
    const group = sim.seedGroup('Sales');
    const person = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    sim.injectFaults({ kind: 'error', status: 502, count: 1, afterCreate: true, path: 'groups' });

    const outcome = await clientFor().addToGroup(group.id, person._id);

    expect(outcome).toBe('added');
    expect(sim.groupMembers(group.id)).toEqual([person._id]);
  });
});

describe('cancelling with a signal', () => {
  it('abandons the request in flight without retrying it, and throws RequestsCancelledError saying it may have acted', async () => {
    sim.injectFaults({ kind: 'slow', delayMs: 10_000, count: 1, path: 'create' });
    const controller = new AbortController();
    const client = clientFor({ signal: controller.signal, requestTimeoutMs: 20_000 });

    const pending = client.createUser(ada).catch((caught: unknown) => caught);
    await vi.waitFor(() => expect(sim.users()).toHaveLength(1), { timeout: 5_000, interval: 10 });
    controller.abort();
    const error = await pending;
    const later = await client.findUserByUsername('ada').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RequestsCancelledError);
    expect((error as RequestsCancelledError).mayHaveActed).toBe(true);
    expect(later).toBeInstanceOf(RequestsCancelledError);
    expect((later as RequestsCancelledError).mayHaveActed).toBe(false);
    expect(sim.requests.map((request) => request.method)).toEqual(['POST']);
    expect(client.stats.lostResponses).toBe(1);
  });

  it('sends nothing more when cancelled while waiting to retry a throttled create', async () => {
    sim.injectFaults({ kind: 'throttle', count: 1, path: 'create' });
    const controller = new AbortController();
    const client = clientFor({ signal: controller.signal, sleep: async () => controller.abort() });

    const error = await client.createUser(ada).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(RequestsCancelledError);
    expect((error as RequestsCancelledError).mayHaveActed).toBe(false);
    expect(sim.requests).toHaveLength(1);
  });

  it('says a create may have acted when cancelled while waiting after a 502', async () => {
    sim.injectFaults({ kind: 'error', status: 502, count: 1, afterCreate: true, path: 'create' });
    const controller = new AbortController();
    const client = clientFor({ signal: controller.signal, sleep: async () => controller.abort() });

    const error = await client.createUser(ada).catch((caught: unknown) => caught);

    expect((error as RequestsCancelledError).mayHaveActed).toBe(true);
    expect(sim.users()).toHaveLength(1);
    expect(sim.requests).toHaveLength(1);
  });

  it('still treats a timeout as a lost answer, confirmed by lookup, when a signal is given that never fires', async () => {
    sim.injectFaults({ kind: 'slow', delayMs: 10_000, count: 1, path: 'create' });
    const client = clientFor({ signal: new AbortController().signal, requestTimeoutMs: 300 });

    const outcome = await client.createUser(ada);

    expect(outcome).toMatchObject({ status: 'created', jumpcloudId: sim.users()[0]?._id });
    expect(sim.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });
});

describe('an unreachable URL', () => {
  it('fails fast with JumpCloudUnreachableError naming the URL once 3 requests in a row could not connect', async () => {
    const gone = await startJumpCloudSimulator({ apiKey: API_KEY });
    const client = clientFor({}, gone);
    await gone.close();

    const first = await client.createUser(ada).catch((caught: unknown) => caught);
    const later = await client.listUserGroups().catch((caught: unknown) => caught);

    expect(first).toBeInstanceOf(JumpCloudUnreachableError);
    expect((first as Error).message).toBe(`cannot reach ${gone.url} (ECONNREFUSED)`);
    expect(later).toBe(first);
    expect(client.stats.requests).toBe(3);
  });

  it('keeps retrying as before when the URL answered once and then went away', async () => {
    const flaky = await startJumpCloudSimulator({ apiKey: API_KEY });
    const client = clientFor({ maxAttempts: 4 }, flaky);
    await client.findUserByUsername('ada');
    await flaky.close();

    const outcome = await client.createUser(ada);

    expect(outcome).toEqual({
      status: 'failed',
      message: 'JumpCloud could not be reached (ECONNREFUSED) after 4 attempts',
    });
  });
});
