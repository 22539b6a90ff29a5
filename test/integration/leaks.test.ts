/**
 * No secret leaks, whatever path a file takes. Passwords and the API key are unique canary
 * strings; each test runs the function end to end (logs on, at DEBUG) through one path — success,
 * invalid rows, JumpCloud refusing a user (even echoing the password and key back), the key
 * rejected, the secret malformed, results or state not writable — and then looks for its canaries
 * in everything the function leaves behind: every line written to stdout and stderr, every object
 * in the bucket except the input itself (results, summaries, run records, part files), what each
 * invocation returned or threw, and the thrown error objects themselves (message, stack, fields).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { format, inspect } from 'node:util';
import type { Context, S3Event } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetJumpCloudCredentials } from '../../lambda/credentials';
import { type EmbeddedStack, LOCAL_SECRET_ID, startEmbeddedStack } from '../../local/embedded-stack';
import { type JumpCloudSimulator, startJumpCloudSimulator } from '../../local/jumpcloud-simulator';
import { lambdaContext } from '../../local/lambda-runtime';
import { objectCreatedEvent } from '../../local/s3-server';
import { rowsOf } from './results';

/** A canary: unique, and recognisable even lower-cased or with its prefix cut off. */
interface Canary {
  readonly value: string;
  readonly core: string;
}
function canary(prefix: string, shape: (uuid: string) => string = (uuid) => uuid): Canary {
  const core = randomUUID().replace(/-/g, '');
  return { value: `${prefix}${shape(core)}`, core };
}
const apiKeyCanary = canary('jca_CANARY');

let stack: EmbeddedStack;
let jumpcloud: JumpCloudSimulator;
let front: Front;
let handler: (event: S3Event, context: Context) => Promise<unknown>;
const written: string[] = [];

beforeAll(async () => {
  // Everything written to stdout and stderr, and every console call, from here on.
  const capture = (chunk: unknown) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  for (const level of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void written.push(format(...args)));
  }

  // JumpCloud that knows only the canary key; its password policy wants a lowercase letter.
  jumpcloud = await startJumpCloudSimulator({
    apiKey: apiKeyCanary.value,
    passwordPolicy: { minLength: 8, requireLowercase: true },
  });
  front = await startFront(jumpcloud.url);
  stack = await startEmbeddedStack({
    secretString: JSON.stringify({ apiKey: apiKeyCanary.value }),
    environment: { JUMPCLOUD_API_URL: front.url, POWERTOOLS_LOG_LEVEL: 'DEBUG' },
  });
  ({ handler } = await import('../../lambda/handler'));
});
afterAll(async () => {
  await stack?.stop();
  await front?.close();
  await jumpcloud?.close();
  vi.restoreAllMocks();
});
beforeEach(() => {
  stack.s3server.refuse();
  stack.secrets.setSecret(LOCAL_SECRET_ID, JSON.stringify({ apiKey: apiKeyCanary.value }));
  forgetJumpCloudCredentials();
});

interface Front {
  readonly url: string;
  /** Every x-api-key value JumpCloud was sent. */
  readonly keysSeen: Set<string>;
  /** Every request JumpCloud was sent: method, path with query, body. */
  readonly requestsSeen: { method: string; url: string; body: string }[];
  close(): Promise<void>;
}

/**
 * In front of the simulator: a JumpCloud that, for a password holding "echo", refuses the user
 * with a message quoting the password and the API key back (JumpCloud's texts are not ours to
 * vouch for). Everything else is passed through.
 */
async function startFront(upstream: string): Promise<Front> {
  const keysSeen = new Set<string>();
  const requestsSeen: Front['requestsSeen'] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = String(request.headers['x-api-key'] ?? '');
      keysSeen.add(key);
      requestsSeen.push({ method: request.method ?? '', url: request.url ?? '', body });
      const password =
        request.method === 'POST' ? (JSON.parse(body || '{}') as { password?: string }).password : undefined;
      if (password?.includes('echo')) {
        const said = JSON.stringify({
          code: 400,
          message: `Password "${password}" was rejected for key ${key}`,
          status: 'Bad Request',
          details: [
            {
              fieldViolationsList: [
                { field: 'password', description: `${password} appears in a breach list` },
              ],
            },
          ],
        });
        response.writeHead(400, { 'Content-Type': 'application/json' }).end(said);
        return;
      }
      fetch(`${upstream}${request.url ?? '/'}`, {
        method: request.method,
        headers: request.headers as Record<string, string>,
        body: request.method === 'POST' ? body : undefined,
      })
        .then(async (answer) => {
          response.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(await answer.text());
        })
        .catch(() => request.socket.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    keysSeen,
    requestsSeen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The S3 event of the next upload of `key`. */
function eventFor(key: string): Promise<S3Event> {
  return new Promise((resolve) => {
    stack.s3server.onObjectCreated((created) => {
      if (created.key === key) resolve(objectCreatedEvent(created));
    });
  });
}

/** Runs the handler in this test, as Lambda would, to hold the very error object it throws. */
async function thrownBy(event: S3Event): Promise<unknown> {
  const deadline = Date.now() + 60_000;
  const context = lambdaContext({ remainingMs: () => deadline - Date.now() });
  try {
    await handler(event, context);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** An error in every form it could be shown in: message, stack, own fields, causes. */
function everyFormOf(error: unknown): string[] {
  if (!(error instanceof Error)) return [String(error)];
  return [
    String(error),
    error.stack ?? '',
    JSON.stringify(error, Object.getOwnPropertyNames(error)),
    inspect(error, { depth: 10, showHidden: true }),
  ];
}

/** Everything the function left behind, except the input files and the JumpCloud side. */
async function everythingLeftBehind(thrown: unknown[] = []): Promise<{ where: string; text: string }[]> {
  const places = written.map((text, i) => ({ where: `output line ${i}`, text }));
  for (const key of await stack.list('')) {
    if (key.startsWith('incoming/')) continue;
    places.push({ where: `s3://${key}`, text: await stack.readText(key) });
  }
  stack.lambda.invocations.forEach((invocation, i) => {
    places.push({
      where: `invocation ${i}`,
      text: JSON.stringify({ error: invocation.error, result: invocation.result }),
    });
  });
  thrown.forEach((error, i) => {
    for (const form of everyFormOf(error)) places.push({ where: `thrown error ${i}`, text: form });
  });
  return places;
}

/** Where any of the canaries shows, in full, lower-cased, or by its unique core. */
async function whereCanariesShow(canaries: Canary[], thrown: unknown[] = []): Promise<string[]> {
  const found: string[] = [];
  for (const { where, text } of await everythingLeftBehind(thrown)) {
    const lower = text.toLowerCase();
    for (const c of canaries) {
      if (lower.includes(c.core.toLowerCase())) found.push(`${where}: ${c.value.slice(0, 14)}…`);
    }
  }
  return found;
}

/**
 * Where the canaries reach JumpCloud other than as the `password` of a create: in a path, a
 * query, or any other field of a body.
 */
function whereCanariesReachJumpCloud(canaries: Canary[]): string[] {
  const found: string[] = [];
  front.requestsSeen.forEach(({ method, url, body }, i) => {
    let rest = body;
    if (method === 'POST' && body !== '') {
      const { password: _sent, ...fields } = JSON.parse(body) as Record<string, unknown>;
      rest = JSON.stringify(fields);
    }
    for (const c of canaries) {
      const core = c.core.toLowerCase();
      if (`${url} ${rest}`.toLowerCase().includes(core)) found.push(`request ${i} (${method} ${url})`);
    }
  });
  return found;
}

describe('secrets never leak', () => {
  it('success, invalid rows and JumpCloud refusals: passwords and key nowhere but in JumpCloud', async () => {
    // Prepare
    const created = [canary('CANARY-PW-', (u) => `${u}-ok`), canary('CANARY-PW-', (u) => `${u}-ok`)];
    const invalidEmail = canary('CANARY-PW-', (u) => `${u}-ok`);
    const invalidUsername = canary('CANARY-PW-', (u) => `${u}-ok`);
    const againstPolicy = canary('CANARY-PW-', (u) => u.toUpperCase()); // no lowercase letter
    const echoed = canary('CANARY-PW-', (u) => `${u}-echo`);
    const passwords = [...created, invalidEmail, invalidUsername, againstPolicy, echoed];
    const text = [
      'Username,Email,First Name,Password',
      `ana,ana@example.com,Ana,${created[0]?.value}`,
      `bob,bob@example.com,Bob,"${created[1]?.value}"`,
      `cid,cid-at-example.com,Cid,${invalidEmail.value}`,
      `dan smith,dan@example.com,Dan,${invalidUsername.value}`,
      `eve,eve@example.com,Eve,${againstPolicy.value}`,
      `fay,fay@example.com,Fay,${echoed.value}`,
    ].join('\r\n');

    // Act
    const results = await stack.drop('incoming/leaks/rows.csv', text);

    // Assess: each path was really taken, and the passwords reached JumpCloud where they should.
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.row, r.status])).toEqual([
      ['2', 'created'],
      ['3', 'created'],
      ['4', 'invalid'],
      ['5', 'invalid'],
      ['6', 'failed'],
      ['7', 'failed'],
    ]);
    const messages = rowsOf(results?.resultsCsv ?? '').map((r) => r.message);
    expect(messages[4]).toMatch(/password policy.*lowercase/i);
    expect(messages[5]).toMatch(/refused \(400\).*\[redacted\]/);
    expect(jumpcloud.users().find((u) => u.username === 'ana')?.password).toBe(created[0]?.value);
    expect(front.keysSeen).toContain(apiKeyCanary.value);
    expect(
      written.some((line) => line.includes('"level":"DEBUG"') && line.includes('Creating JumpCloud user')),
    ).toBe(true);
    expect(await whereCanariesShow([...passwords, apiKeyCanary])).toEqual([]);
    expect(whereCanariesReachJumpCloud([...passwords, apiKeyCanary])).toEqual([]);
  });

  it('API key rejected (401): the invocation fails, and the key it sent shows nowhere', async () => {
    // Prepare
    const rejectedKey = canary('jca_CANARYREJECTED');
    const password = canary('CANARY-PW-', (u) => `${u}-ok`);
    const key = 'incoming/leaks/rejected-key.csv';
    const event = eventFor(key);
    stack.secrets.setSecret(LOCAL_SECRET_ID, JSON.stringify({ apiKey: rejectedKey.value }));

    // Act
    const results = await stack.drop(
      key,
      `Username,Email,Password\r\ngus,gus@example.com,${password.value}\r\n`,
    );
    forgetJumpCloudCredentials();
    const thrown = await thrownBy(await event);

    // Assess
    expect(rowsOf(results?.resultsCsv ?? '')).toMatchObject([
      { status: 'failed', message: expect.stringMatching(/API key rejected/) },
    ]);
    expect(front.keysSeen).toContain(rejectedKey.value);
    expect(thrown).toBeInstanceOf(Error);
    expect(await whereCanariesShow([rejectedKey, password, apiKeyCanary], [thrown])).toEqual([]);
  });

  it.each([
    ['JSON cut short', (key: string) => `{"apiKey": "${key}"`],
    ['JSON with the key in a list', (key: string) => `{"apiKey": ["${key}"]}`],
    ['more than one word', (key: string) => `${key} ${key}`],
    ['an orgId that is not text', (key: string) => `{"apiKey": "${key}", "orgId": {"id": "${key}"}}`],
  ])('secret malformed (%s): a clear file error that quotes none of it', async (shape, malformed) => {
    // Prepare
    const keyInSecret = canary('jca_CANARYMALFORMED');
    const password = canary('CANARY-PW-', (u) => `${u}-ok`);
    const key = `incoming/leaks/malformed-${shape.replace(/\W+/g, '-')}.csv`;
    const event = eventFor(key);
    stack.secrets.setSecret(LOCAL_SECRET_ID, malformed(keyInSecret.value));

    // Act
    const results = await stack.drop(
      key,
      `Username,Email,Password\r\nhal,hal@example.com,${password.value}\r\n`,
    );
    const thrown = await thrownBy(await event);

    // Assess
    expect(results?.summary.fileError).toMatch(/Secret "jumpcloud\/api-key"/);
    expect(thrown).toBeInstanceOf(Error);
    expect(await whereCanariesShow([keyInSecret, password, apiKeyCanary], [thrown])).toEqual([]);
  });

  it.each([
    ['results not writable', 'outcomes/'],
    ['run record not writable', 'state/'],
  ])('a crash (%s): the error thrown and logged holds no secret', async (_, prefix) => {
    // Prepare
    const password = canary('CANARY-PW-', (u) => `${u}-ok`);
    const key = `incoming/leaks/crash-${prefix.replace('/', '')}.csv`;
    const event = eventFor(key);
    stack.s3server.refuse({ method: 'PUT', keyPrefix: prefix });

    // Act
    await stack.drop(
      key,
      `Username,Email,Password\r\nivy${prefix.length},ivy${prefix.length}@example.com,${password.value}\r\n`,
    );
    const thrown = await thrownBy(await event);

    // Assess
    expect(stack.lambda.invocations.at(-1)?.error).toBeDefined();
    expect(thrown).toBeInstanceOf(Error);
    expect(await whereCanariesShow([password, apiKeyCanary], [thrown])).toEqual([]);
  });
});

describe('a password typed into another column as well', () => {
  // The validator refuses such a row and masks the password in its message and in the username
  // and email it shows (lambda/users/validate-row.ts).
  it('the results never show a password that was also typed into the email column', async () => {
    // Prepare: HR pasted the password into the Email cell too.
    const password = canary('CANARY-PW-', (u) => `${u}-ok`);
    const text = `Username,Email,Password\r\njo,${password.value},${password.value}\r\n`;

    // Act
    const results = await stack.drop('incoming/leaks/password-as-email.csv', text);

    // Assess: the row is invalid, and neither its message (which quotes the email lower-cased)
    // nor its email column shows the password.
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => [r.row, r.status])).toEqual([['2', 'invalid']]);
    expect(rows[0]?.message).toMatch(/^email:/);
    expect.soft((rows[0]?.message ?? '').toLowerCase(), 'the message').not.toContain(password.core);
    expect.soft(rows[0]?.email, 'the email column').not.toContain(password.core);
    expect(await whereCanariesShow([password])).toEqual([]);
  });

  it('the results never show a password that was also typed into the username column', async () => {
    const password = canary('CANARY-PW-', (u) => `${u}-ok`);
    const text = `Username,Email,Password\r\n${password.value},kim-at-example.com,${password.value}\r\n`;

    const results = await stack.drop('incoming/leaks/password-as-username.csv', text);

    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.row, r.status])).toEqual([['2', 'invalid']]);
    expect(await whereCanariesShow([password])).toEqual([]);
  });
});

describe('nothing a row holds leaks, however the file is shaped', () => {
  const passwordCanary = () => canary('CANARY-PW-', (u) => `${u}-ok`);
  const tooFewOrMany = /^row has \d+ cells but the header has \d+: a cell is missing/;

  it('a row with one cell too many (an unquoted comma in a name): invalid, its password shown nowhere', async () => {
    // Prepare: the comma pushes the password under Email; on row 3 the surplus cell is empty
    const [shifted, shiftedEmptyTail, fine] = [passwordCanary(), passwordCanary(), passwordCanary()];
    const text = [
      'First Name,Last Name,Username,Password,Email,Department',
      `John,Jr,Smith,extra1a,${shifted.value},extra1a@example.com,Sales`,
      `Ann,Jr,Lee,extra1b,${shiftedEmptyTail.value},extra1b@example.com,`,
      `Bo,Li,extra1c,${fine.value},extra1c@example.com,Sales`,
    ].join('\r\n');

    // Act
    const results = await stack.drop('incoming/leaks/cell-too-many.csv', text);

    // Assess
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => [r.row, r.status, r.username, r.email])).toEqual([
      ['2', 'invalid', '', ''],
      ['3', 'invalid', '', ''],
      ['4', 'created', 'extra1c', 'extra1c@example.com'],
    ]);
    expect(rows[0]?.message).toMatch(tooFewOrMany);
    expect(jumpcloud.users().find((u) => u.username === 'extra1c')?.password).toBe(fine.value);
    expect(await whereCanariesShow([shifted, shiftedEmptyTail, fine])).toEqual([]);
    expect(whereCanariesReachJumpCloud([shifted, shiftedEmptyTail, fine])).toEqual([]);
  });

  it('a row with one cell too few (two names run together): invalid, nobody created with the password as username', async () => {
    // Prepare: with a cell missing, the password sits under Username
    const [short, fine] = [passwordCanary(), passwordCanary()];
    const text = [
      'Email,First Name,Last Name,Username,Password',
      `few2a@example.com,John Smith,few2a,${short.value}`,
      `few2b@example.com,Ann,Lee,few2b,${fine.value}`,
    ].join('\r\n');

    // Act
    const results = await stack.drop('incoming/leaks/cell-too-few.csv', text);

    // Assess
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => [r.row, r.status])).toEqual([
      ['2', 'invalid'],
      ['3', 'created'],
    ]);
    expect(rows[0]?.message).toMatch(/^row has 4 cells but the header has 5/);
    expect(jumpcloud.users().filter((u) => u.username.includes(short.core))).toEqual([]);
    expect(await whereCanariesShow([short, fine])).toEqual([]);
    expect(whereCanariesReachJumpCloud([short, fine])).toEqual([]);
  });

  it.each([
    [
      'with an email beside a column name (Manager)',
      (email: string, pw: string) => `nohead3a,${email},John,Smith,Manager,${pw}`,
    ],
    [
      'without an email, beside a column name (Manager)',
      (_: string, pw: string) => `nohead3b,John,Smith,Manager,${pw}`,
    ],
  ])(
    'a file without a header row, its first person %s: refused, nothing from that line kept',
    async (shape, firstLine) => {
      // Prepare
      const [first, second] = [passwordCanary(), passwordCanary()];
      const email = canary('nohead');
      const text = `${firstLine(`${email.value}@example.com`, first.value)}\r\nnohead3c,nohead3c@example.com,Ann,Lee,Director,${second.value}\r\n`;

      // Act
      const results = await stack.drop(`incoming/leaks/no-header-${shape.length}.csv`, text);

      // Assess
      expect(results?.summary.fileError).toMatch(/^no header row: /);
      expect(results?.summary.unknownColumns).toEqual([]);
      expect(rowsOf(results?.resultsCsv ?? '')).toEqual([]);
      expect(await whereCanariesShow([first, second, email])).toEqual([]);
      expect(whereCanariesReachJumpCloud([first, second, email])).toEqual([]);
    },
  );

  it('a header repeated mid-file in another column order (two exports glued): later rows read by it', async () => {
    // Prepare
    const [before, after] = [passwordCanary(), passwordCanary()];
    const text = [
      'Username,Email,Password',
      `glued4a,glued4a@example.com,${before.value}`,
      'Password,E-mail,User Name',
      `${after.value},glued4b@example.com,glued4b`,
    ].join('\r\n');

    // Act
    const results = await stack.drop('incoming/leaks/glued-exports.csv', text);

    // Assess: the second header line is not a row, and the row after it reached the right fields
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows.map((r) => [r.row, r.status, r.username, r.email])).toEqual([
      ['2', 'created', 'glued4a', 'glued4a@example.com'],
      ['4', 'created', 'glued4b', 'glued4b@example.com'],
    ]);
    expect(results?.summary.notices.join(' ')).toMatch(/row 3 repeats the header/);
    expect(jumpcloud.users().find((u) => u.username === 'glued4b')?.password).toBe(after.value);
    expect(await whereCanariesShow([before, after])).toEqual([]);
    expect(whereCanariesReachJumpCloud([before, after])).toEqual([]);
  });

  it('a quote never closed at row 3 of 1,000: the file fails loudly (file error, FilesFailed), nothing past it shown', async () => {
    // Prepare: the quote opened in row 3 swallows every line after it, passwords included
    const [first, swallowed] = [passwordCanary(), passwordCanary()];
    const lines = ['Username,Email,Password', `quote6a,quote6a@example.com,${first.value}`];
    lines.push(`quote6b,"quote6b@example.com,${swallowed.value}0`);
    for (let i = 1; i < 999; i++) lines.push(`quote6n${i},quote6n${i}@example.com,${swallowed.value}${i}`);
    const writtenBefore = written.length;

    // Act
    const results = await stack.drop('incoming/leaks/stray-quote.csv', `${lines.join('\r\n')}\r\n`);

    // Assess
    expect(rowsOf(results?.resultsCsv ?? '').map((r) => [r.row, r.status])).toEqual([
      ['2', 'created'],
      ['3', 'invalid'],
    ]);
    expect(results?.summary.fileError).toMatch(/^reading stopped at row 3: a quoted cell .* never closed/);
    expect(written.slice(writtenBefore).some((line) => /"FilesFailed":1\b/.test(line))).toBe(true);
    expect(jumpcloud.users().filter((u) => u.username.startsWith('quote6n'))).toEqual([]);
    expect(await whereCanariesShow([first, swallowed])).toEqual([]);
    expect(whereCanariesReachJumpCloud([first, swallowed])).toEqual([]);
  });
});
