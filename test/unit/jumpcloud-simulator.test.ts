import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type JumpCloudSimulator, startJumpCloudSimulator } from '../../local/jumpcloud-simulator';

const API_KEY = 'jca_simulator_test_key';

let sim: JumpCloudSimulator;

beforeAll(async () => {
  sim = await startJumpCloudSimulator({ apiKey: API_KEY });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(sim.url + path, {
    method,
    headers: {
      'x-api-key': API_KEY,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // A 204 has no body.
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    headers: response.headers,
  };
}

const ada = {
  username: 'ada',
  email: 'ada@example.com',
  firstname: 'Ada',
  lastname: 'Lovelace',
  password: 'Analytical1!',
};

describe('JumpCloud simulator: auth', () => {
  it('listens on the loopback address only', () => {
    expect(new URL(sim.url).hostname).toBe('127.0.0.1');
  });

  it("answers 401 in the shape of the spec's Error to a missing API key", async () => {
    const response = await fetch(`${sim.url}/api/systemusers`);

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 401, message: 'Unauthorized' });
  });

  it('answers 401 to a wrong API key and creates nothing', async () => {
    const answer = await call('POST', '/api/systemusers', ada, { 'x-api-key': 'jca_wrong' });

    expect(answer.status).toBe(401);
    expect(sim.users()).toHaveLength(0);
  });

  it('requires the configured x-org-id of a multi-tenant admin', async () => {
    const msp = await startJumpCloudSimulator({ apiKey: API_KEY, orgId: 'org-1' });
    try {
      const without = await fetch(`${msp.url}/api/systemusers`, { headers: { 'x-api-key': API_KEY } });
      const withOrg = await fetch(`${msp.url}/api/systemusers`, {
        headers: { 'x-api-key': API_KEY, 'x-org-id': 'org-1' },
      });

      expect(without.status).toBe(401);
      expect(withOrg.status).toBe(200);
    } finally {
      await msp.close();
    }
  });
});

describe('JumpCloud simulator: POST /api/systemusers', () => {
  it('creates a user and answers a systemuserreturn without the password', async () => {
    const answer = await call('POST', '/api/systemusers', { ...ada, email: 'Ada@Example.com' });

    expect(answer.status).toBe(200);
    expect(answer.body._id).toMatch(/^[0-9a-f]{24}$/);
    expect(answer.body.id).toBe(answer.body._id);
    expect(Number.isNaN(Date.parse(String(answer.body.created)))).toBe(false);
    expect(answer.body).toMatchObject({
      username: 'ada',
      email: 'ada@example.com',
      firstname: 'Ada',
      activated: true,
    });
    expect(answer.body).not.toHaveProperty('password');
  });

  it('keeps the password it was sent, for tests to check', async () => {
    await call('POST', '/api/systemusers', ada);

    expect(sim.users()[0]?.password).toBe('Analytical1!');
  });

  it('rejects a field systemuserputpost does not define, naming it', async () => {
    const answer = await call('POST', '/api/systemusers', { ...ada, favouriteColour: 'teal' });

    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain('favouriteColour');
    expect(sim.users()).toHaveLength(0);
  });

  it.each([
    ['username', { email: 'x@example.com' }, 'username'],
    ['email', { username: 'x' }, 'email'],
  ])('rejects a body without %s', async (_name, body, field) => {
    const answer = await call('POST', '/api/systemusers', body);

    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain(field);
  });

  it.each([
    ['a boolean sent as text', { sudo: 'yes' }, 'sudo'],
    ['a state outside the enum', { state: 'ENABLED' }, 'state'],
    ['an invalid email', { email: 'ada-at-example.com' }, 'email'],
    ['a username with a space', { username: 'ada lovelace' }, 'username'],
    [
      'a custom attribute name with punctuation',
      { attributes: [{ name: 'badge-no', value: '1' }] },
      'attributes[0].name',
    ],
    ['a manager that is not a user id', { manager: 'Grace Hopper' }, 'manager'],
  ])('rejects %s with a 400 naming the field', async (_case, change, field) => {
    const answer = await call('POST', '/api/systemusers', { ...ada, ...change });

    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain(field);
  });

  it('enforces the password policy with one message, or every rule with fullValidationDetails', async () => {
    const strict = await startJumpCloudSimulator({
      apiKey: API_KEY,
      passwordPolicy: { minLength: 12, requireDigit: true, requireSymbol: true },
    });
    try {
      const post = (query: string) =>
        fetch(`${strict.url}/api/systemusers${query}`, {
          method: 'POST',
          headers: { 'x-api-key': API_KEY, 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...ada, password: 'short' }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { message: string; details?: unknown[] },
        }));

      const single = await post('');
      const full = await post('?fullValidationDetails=password');

      expect(single.status).toBe(400);
      expect(single.body.details).toBeUndefined();
      expect(full.status).toBe(400);
      expect(full.body.details).toEqual([
        expect.objectContaining({
          fieldViolationsList: [
            { field: 'password', description: 'must be at least 12 characters long' },
            { field: 'password', description: 'must contain a number' },
            { field: 'password', description: 'must contain a special character' },
          ],
        }),
      ]);
      expect(strict.users()).toHaveLength(0);
    } finally {
      await strict.close();
    }
  });

  it.each([
    ['username', { username: 'ada', email: 'other@example.com' }],
    ['email', { username: 'ada2', email: 'ADA@example.com' }],
    ['employeeIdentifier', { username: 'ada3', email: 'ada3@example.com', employeeIdentifier: 'E-1' }],
  ])('answers a duplicate %s with a 400 naming the field', async (field, change) => {
    sim.seedUser({ username: 'ada', email: 'ada@example.com', employeeIdentifier: 'E-1' });

    const answer = await call('POST', '/api/systemusers', { ...ada, ...change });

    expect(answer.status).toBe(400);
    expect(answer.body.message).toContain(field);
    expect(answer.body.message).toContain('already exists');
    expect(sim.users()).toHaveLength(1);
  });

  it('answers a duplicate with 409 when configured so', async () => {
    const conflict = await startJumpCloudSimulator({ apiKey: API_KEY, duplicateAnswer: 409 });
    try {
      conflict.seedUser({ username: 'ada', email: 'ada@example.com' });
      const response = await fetch(`${conflict.url}/api/systemusers`, {
        method: 'POST',
        headers: { 'x-api-key': API_KEY, 'Content-Type': 'application/json' },
        body: JSON.stringify(ada),
      });

      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({ message: 'User already exists' });
    } finally {
      await conflict.close();
    }
  });
});

describe('JumpCloud simulator: GET /api/systemusers', () => {
  beforeEach(() => {
    sim.seedUser({ username: 'ada', email: 'ada@example.com', department: 'Maths', password: 'Secret123!' });
    sim.seedUser({ username: 'grace', email: 'grace@example.com', department: 'Navy' });
    sim.seedUser({ username: 'alan', email: 'alan@example.com', department: 'Maths' });
  });

  it('filters with $eq, case-sensitively, and never shows a password', async () => {
    const exact = await call('GET', '/api/systemusers?filter=username:$eq:ada');
    const otherCase = await call('GET', '/api/systemusers?filter=username:$eq:ADA');

    expect(exact.body.totalCount).toBe(1);
    expect(exact.body.results).toEqual([
      expect.objectContaining({ username: 'ada', email: 'ada@example.com' }),
    ]);
    expect(JSON.stringify(exact.body)).not.toContain('Secret123!');
    expect(otherCase.body.totalCount).toBe(0);
  });

  it('decodes a URL-encoded filter value', async () => {
    sim.seedUser({ username: 'plus', email: 'a+b@example.com' });

    const answer = await call(
      'GET',
      `/api/systemusers?filter=email:$eq:${encodeURIComponent('a+b@example.com')}`,
    );

    expect(answer.body.results).toEqual([expect.objectContaining({ username: 'plus' })]);
  });

  it('ANDs filter[0] and filter[1]', async () => {
    const answer = await call(
      'GET',
      '/api/systemusers?filter[0]=department:$eq:Maths&filter[1]=username:$ne:ada',
    );

    expect((answer.body.results as { username: string }[]).map((u) => u.username)).toEqual(['alan']);
  });

  it('rejects a filter without the $ on its operator', async () => {
    const answer = await call('GET', '/api/systemusers?filter=username:eq:ada');

    expect(answer.status).toBe(400);
  });

  it('returns only the requested fields, plus _id', async () => {
    const answer = await call(
      'GET',
      `/api/systemusers?filter=username:$eq:ada&fields=${encodeURIComponent('username created')}`,
    );
    const [user] = answer.body.results as Record<string, unknown>[];

    expect(Object.keys(user ?? {}).sort()).toEqual(['_id', 'created', 'username']);
  });

  it('pages with limit and skip and counts every match', async () => {
    const answer = await call('GET', '/api/systemusers?sort=username&limit=1&skip=1');

    expect(answer.body.totalCount).toBe(3);
    expect((answer.body.results as { username: string }[]).map((u) => u.username)).toEqual(['alan']);
  });

  it('rejects a limit above 100', async () => {
    const answer = await call('GET', '/api/systemusers?limit=101');

    expect(answer.status).toBe(400);
  });

  it('finds a user by id and answers 404 for an unknown id', async () => {
    const [first] = sim.users();

    const found = await call('GET', `/api/systemusers/${first?._id}`);
    const missing = await call('GET', '/api/systemusers/0123456789abcdef01234567');

    expect(found.body.username).toBe(first?.username);
    expect(missing.status).toBe(404);
  });

  it('answers 404 to an unknown route', async () => {
    const answer = await call('GET', '/api/v2/nothing-here');

    expect(answer.status).toBe(404);
  });
});

describe('JumpCloud simulator: faults and bookkeeping', () => {
  it('throttles the next requests with an optional Retry-After, then answers again', async () => {
    sim.injectFaults({ kind: 'throttle', count: 2, retryAfterSeconds: 7 });

    const first = await call('GET', '/api/systemusers');
    const second = await call('GET', '/api/systemusers');
    const third = await call('GET', '/api/systemusers');

    expect([first.status, second.status, third.status]).toEqual([429, 429, 200]);
    expect(first.headers.get('retry-after')).toBe('7');
  });

  it('creates the user and still answers an error when the fault comes after the create', async () => {
    sim.injectFaults({ kind: 'error', status: 502, count: 1, afterCreate: true, path: 'create' });

    const answer = await call('POST', '/api/systemusers', ada);

    expect(answer.status).toBe(502);
    expect(sim.users().map((u) => u.username)).toEqual(['ada']);
  });

  it('drops the connection after creating the user', async () => {
    sim.injectFaults({ kind: 'drop', count: 1, afterCreate: true });

    const outcome = await call('POST', '/api/systemusers', ada).catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(TypeError);
    expect(sim.users()).toHaveLength(1);
    expect(sim.requests).toEqual([
      expect.objectContaining({ method: 'POST', path: '/api/systemusers', status: 0 }),
    ]);
  });

  it('drops the connection without acting when the fault comes first', async () => {
    sim.injectFaults({ kind: 'drop', count: 1, afterCreate: false });

    await call('POST', '/api/systemusers', ada).catch(() => undefined);

    expect(sim.users()).toHaveLength(0);
  });

  it('applies a fault only to the path it names', async () => {
    sim.injectFaults({ kind: 'error', status: 503, count: 1, path: 'create' });

    const lookup = await call('GET', '/api/systemusers');
    const create = await call('POST', '/api/systemusers', ada);

    expect(lookup.status).toBe(200);
    expect(create.status).toBe(503);
    expect(sim.users()).toHaveLength(0);
  });

  it('throttles beyond its rate limit', async () => {
    const limited = await startJumpCloudSimulator({
      apiKey: API_KEY,
      rateLimit: { requestsPerSecond: 1, burst: 2, retryAfter: true },
    });
    try {
      const get = () => fetch(`${limited.url}/api/systemusers`, { headers: { 'x-api-key': API_KEY } });

      const statuses = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 3; i++) {
        const response = await get();
        statuses.push(response.status);
        retryAfter ??= response.headers.get('retry-after');
      }

      expect(statuses).toEqual([200, 200, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  it('records each request with its status, and forgets everything on reset', async () => {
    await call('POST', '/api/systemusers', ada);
    await call('GET', '/api/systemusers?filter=username:$eq:ada');

    const seen = sim.requests;
    sim.reset();

    expect(seen).toEqual([
      { method: 'POST', path: '/api/systemusers', query: '', status: 200 },
      { method: 'GET', path: '/api/systemusers', query: '?filter=username:$eq:ada', status: 200 },
    ]);
    expect(sim.requests).toEqual([]);
    expect(sim.users()).toEqual([]);
  });
});

describe('JumpCloud simulator: PUT and GET /api/systemusers/{id}', () => {
  it('changes only the fields sent and answers the whole user without the password', async () => {
    const user = sim.seedUser({
      username: 'ada',
      email: 'ada@example.com',
      department: 'R&D',
      jobTitle: 'Analyst',
    });

    const answer = await call('PUT', `/api/systemusers/${user._id}`, {
      department: 'Maths',
      password: 'Engines-2026',
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ _id: user._id, department: 'Maths', jobTitle: 'Analyst' });
    expect(answer.body).not.toHaveProperty('password');
    expect(sim.user(user._id)).toMatchObject({ department: 'Maths', password: 'Engines-2026' });
  });

  it('suspends and reactivates through state, keeping suspended in step', async () => {
    const user = sim.seedUser({ username: 'ada', email: 'ada@example.com' });

    const suspended = await call('PUT', `/api/systemusers/${user._id}`, { state: 'SUSPENDED' });
    const back = await call('PUT', `/api/systemusers/${user._id}`, { state: 'ACTIVATED' });

    expect(suspended.body).toMatchObject({ state: 'SUSPENDED', suspended: true });
    expect(back.body).toMatchObject({ state: 'ACTIVATED', suspended: false });
  });

  it.each([
    ['activated', { activated: true }, '"activated" cannot be changed on an existing system user'],
    ['passwordless_sudo', { passwordless_sudo: true }, '"passwordless_sudo" cannot be changed'],
    ['recoveryEmail', { recoveryEmail: { address: 'r@example.com' } }, '"recoveryEmail" cannot be changed'],
    ['an unknown field', { favouriteColour: 'blue' }, '"favouriteColour" is not a field'],
    ['state STAGED', { state: 'STAGED' }, 'state must be one of ACTIVATED, SUSPENDED'],
  ])('refuses %s with a 400 naming the field, changing nothing', async (_case, body, message) => {
    const user = sim.seedUser({ username: 'ada', email: 'ada@example.com', department: 'R&D' });

    const answer = await call('PUT', `/api/systemusers/${user._id}`, { department: 'Maths', ...body });

    expect(answer.status).toBe(400);
    expect(String(answer.body.message)).toContain(message);
    expect(sim.user(user._id)?.department).toBe('R&D');
  });

  it.each([
    ['username', { username: 'grace' }],
    ['email', { email: 'Grace@Example.com' }],
    ['employeeIdentifier', { employeeIdentifier: 'E-2' }],
  ])('refuses to give a person the %s another person holds', async (field, body) => {
    sim.seedUser({ username: 'grace', email: 'grace@example.com', employeeIdentifier: 'E-2' });
    const ada = sim.seedUser({ username: 'ada', email: 'ada@example.com', employeeIdentifier: 'E-1' });

    const answer = await call('PUT', `/api/systemusers/${ada._id}`, body);

    expect(answer.status).toBe(400);
    expect(String(answer.body.message)).toContain(`${field} "`);
    expect(sim.user(ada._id)).toMatchObject({
      username: 'ada',
      email: 'ada@example.com',
      employeeIdentifier: 'E-1',
    });
  });

  it("accepts a person's own username, email and employeeIdentifier sent again", async () => {
    const ada = sim.seedUser({ username: 'ada', email: 'ada@example.com', employeeIdentifier: 'E-1' });

    const answer = await call('PUT', `/api/systemusers/${ada._id}`, {
      username: 'ada',
      email: 'ada@example.com',
      employeeIdentifier: 'E-1',
    });

    expect(answer.status).toBe(200);
  });

  it('answers 404 to an update of an unknown id', async () => {
    const answer = await call('PUT', '/api/systemusers/5f0000000000000000000000', { department: 'Maths' });

    expect(answer.status).toBe(404);
  });

  it('finds a user by id, with only the requested fields', async () => {
    const user = sim.seedUser({ username: 'ada', email: 'ada@example.com', department: 'R&D' });

    const answer = await call('GET', `/api/systemusers/${user._id}?fields=department`);

    expect(answer.body).toEqual({ _id: user._id, department: 'R&D' });
  });
});

describe('JumpCloud simulator: v2 user groups', () => {
  it('lists groups as a bare array, paged and sorted by name, with x-total-count', async () => {
    for (const name of ['Sales', 'Engineering', 'Admins', 'Finance']) sim.seedGroup(name);

    const first = await call('GET', '/api/v2/usergroups?limit=3&skip=0&sort=name');
    const second = await call('GET', '/api/v2/usergroups?limit=3&skip=3&sort=name');

    const names = (answer: Answer) =>
      (answer.body as unknown as { name: string }[]).map((group) => group.name);
    expect(names(first)).toEqual(['Admins', 'Engineering', 'Finance']);
    expect(names(second)).toEqual(['Sales']);
    expect(first.headers.get('x-total-count')).toBe('4');
  });

  it('filters with name:eq:, exactly', async () => {
    const sales = sim.seedGroup('Sales');
    sim.seedGroup('Sales EMEA');

    const answer = await call('GET', '/api/v2/usergroups?filter=name:eq:Sales');

    expect(answer.body).toEqual([expect.objectContaining({ id: sales.id, name: 'Sales' })]);
  });

  it('rejects a limit above 100 and a v1-style filter', async () => {
    const tooMany = await call('GET', '/api/v2/usergroups?limit=101');
    const v1Style = await call('GET', '/api/v2/usergroups?filter=name:$eq:Sales');

    expect(tooMany.status).toBe(400);
    expect(v1Style.status).toBe(400);
  });

  it('creates a group with 201 and refuses a second group of the same name', async () => {
    const created = await call('POST', '/api/v2/usergroups', { name: 'Sales' });
    const again = await call('POST', '/api/v2/usergroups', { name: 'Sales' });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Sales', type: 'user_group' });
    expect(sim.groups()).toEqual([{ id: created.body.id, name: 'Sales' }]);
    expect(again.status).toBe(409);
  });

  it('adds a member with 204, answers 409 when already a member, and lists the members', async () => {
    const group = sim.seedGroup('Sales');
    const ada = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    const operation = { op: 'add', type: 'user', id: ada._id };

    const added = await call('POST', `/api/v2/usergroups/${group.id}/members`, operation);
    const again = await call('POST', `/api/v2/usergroups/${group.id}/members`, operation);
    const members = await call('GET', `/api/v2/usergroups/${group.id}/members`);

    expect(added.status).toBe(204);
    expect(again.status).toBe(409);
    expect(sim.groupMembers(group.id)).toEqual([ada._id]);
    expect(members.body).toEqual([
      expect.objectContaining({ to: expect.objectContaining({ id: ada._id, type: 'user' }) }),
    ]);
  });

  it('answers 404 for an unknown group or an unknown user, adding nobody', async () => {
    const group = sim.seedGroup('Sales');
    const ada = sim.seedUser({ username: 'ada', email: 'ada@example.com' });

    const noGroup = await call('POST', '/api/v2/usergroups/5f0000000000000000000000/members', {
      op: 'add',
      type: 'user',
      id: ada._id,
    });
    const noUser = await call('POST', `/api/v2/usergroups/${group.id}/members`, {
      op: 'add',
      type: 'user',
      id: '5f0000000000000000000000',
    });

    expect(noGroup.status).toBe(404);
    expect(noUser.status).toBe(404);
    expect(sim.groupMembers(group.id)).toEqual([]);
  });

  it('applies a groups fault to /api/v2 requests only, and logs each request', async () => {
    sim.seedGroup('Sales');
    sim.injectFaults({ kind: 'error', status: 502, count: 1, path: 'groups' });

    const users = await call('GET', '/api/systemusers');
    const failed = await call('GET', '/api/v2/usergroups');
    const listed = await call('GET', '/api/v2/usergroups');

    expect([users.status, failed.status, listed.status]).toEqual([200, 502, 200]);
    expect(sim.requests.filter((request) => request.path === '/api/v2/usergroups')).toHaveLength(2);
  });

  it('updates the person and still answers 502 for an update fault after acting', async () => {
    const user = sim.seedUser({ username: 'ada', email: 'ada@example.com' });
    sim.injectFaults({ kind: 'error', status: 502, count: 1, afterCreate: true, path: 'update' });

    const answer = await call('PUT', `/api/systemusers/${user._id}`, { department: 'Maths' });

    expect(answer.status).toBe(502);
    expect(sim.user(user._id)?.department).toBe('Maths');
  });

  it('forgets groups and members on reset', async () => {
    sim.seedGroup('Sales');

    sim.reset();

    expect(sim.groups()).toEqual([]);
  });
});
