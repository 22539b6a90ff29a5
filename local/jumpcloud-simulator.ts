/**
 * A JumpCloud v1 stand-in on 127.0.0.1: the user endpoints this project calls, answered as the
 * Swagger spec and the API notes describe (auth, systemuserputpost validation, unique username,
 * email and employeeIdentifier, `$eq` filters), plus the trouble a real run meets: throttling,
 * 5xx, slow and dropped answers, before or after the user was created. Tests, the demo and
 * `jc-onboard simulator` use it; no real JumpCloud is reachable from here.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { systemUserPostSchema } from '../lambda/jumpcloud/api-types';
import { USERNAME_PATTERN } from '../lambda/users/username';

/** A user as the simulator holds it: every stored field, the password included (never log it). */
export interface SimUser {
  _id: string;
  id: string;
  /** ISO timestamp. */
  created: string;
  username: string;
  email: string;
  password?: string;
  [field: string]: unknown;
}

/** What the simulated org's password policy requires. */
export interface PasswordPolicy {
  minLength: number;
  requireLowercase?: boolean;
  requireUppercase?: boolean;
  requireDigit?: boolean;
  requireSymbol?: boolean;
}

export interface SimulatorOptions {
  apiKey: string;
  /** When set, requests must carry this `x-org-id` (a multi-tenant admin). */
  orgId?: string;
  /** Default 0: a free port chosen at run time. */
  port?: number;
  /** Added to every answer. */
  latencyMs?: number | { min: number; max: number };
  /** A token bucket: 429 beyond it, with a Retry-After header only when `retryAfter` is set. */
  rateLimit?: { requestsPerSecond: number; burst?: number; retryAfter?: boolean };
  /** How a duplicate is answered: 400 naming the field (default) or 409 "User already exists". */
  duplicateAnswer?: 409 | 400;
  /** Default `{ minLength: 8 }`; `false` accepts any password. */
  passwordPolicy?: PasswordPolicy | false;
}

export type Fault =
  /** The next `count` requests get 429. */
  | { kind: 'throttle'; count: number; retryAfterSeconds?: number }
  /** `afterCreate`: the user IS created, then the error is returned. */
  | { kind: 'error'; status: 500 | 502 | 503 | 504; count: number; afterCreate?: boolean }
  /** The request is acted on at once, its answer held back `delayMs` (beyond the client's timeout). */
  | { kind: 'slow'; delayMs: number; count: number }
  /** The socket is destroyed without an answer, before or after acting. */
  | { kind: 'drop'; count: number; afterCreate: boolean };

/** Which requests a fault applies to: creates (POST), lookups (GET), or any request (default). */
export type FaultPath = 'create' | 'lookup' | 'any';

export interface SimRequest {
  method: string;
  /** The path without the query, e.g. `/api/systemusers`. */
  path: string;
  /** The query string as sent, e.g. `?filter=username:$eq:ada`; empty when none. */
  query: string;
  /** The status answered; 0 when the connection was dropped without one (or the answer is pending). */
  status: number;
}

export interface JumpCloudSimulator {
  readonly url: string;
  /** Puts a user "already in the directory", bypassing validation. */
  seedUser(user: Partial<SimUser> & { username: string; email: string }): SimUser;
  users(): readonly SimUser[];
  /** Faults apply in the order given, each to the next `count` requests on its path. */
  injectFaults(...faults: (Fault & { path?: FaultPath })[]): void;
  readonly requests: readonly SimRequest[];
  /** The most requests that were in flight at once. */
  readonly peakInFlight: number;
  /** Forgets users, faults, requests and rate-limit state. */
  reset(): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type PendingFault = Fault & { path: FaultPath; remaining: number };
type Route = 'create' | 'lookup' | 'other';

const MAX_BODY_BYTES = 1_000_000;
const FILTER_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte']);
const OBJECT_ID = /^[0-9a-f]{24}$/;

export async function startJumpCloudSimulator(options: SimulatorOptions): Promise<JumpCloudSimulator> {
  const directory: SimUser[] = [];
  let faults: PendingFault[] = [];
  let log: SimRequest[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  const waits = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const policy = options.passwordPolicy === undefined ? { minLength: 8 } : options.passwordPolicy;
  const bucket = options.rateLimit ? newBucket(options.rateLimit) : undefined;
  const organization = options.orgId ?? newObjectId();

  /** Resolves early when the simulator closes, so no handler outlives it. */
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const entry = { timer: setTimeout(() => done(), ms), resolve: () => done() };
      const done = () => {
        clearTimeout(entry.timer);
        waits.delete(entry);
        resolve();
      };
      waits.add(entry);
    });

  const takeFault = (route: Route): PendingFault | undefined => {
    const fault = faults.find((f) => f.remaining > 0 && (f.path === 'any' || f.path === route));
    if (fault) fault.remaining--;
    faults = faults.filter((f) => f.remaining > 0);
    return fault;
  };

  const storeUser = (
    fields: Record<string, unknown>,
    created = new Date().toISOString(),
    id = newObjectId(),
  ): SimUser => {
    const state = (fields.state as string | undefined) ?? 'ACTIVATED';
    const user: SimUser = {
      // Defaults a freshly created systemuserreturn carries.
      account_locked: false,
      activated: state !== 'STAGED',
      addresses: [],
      allow_public_key: true,
      attributes: [],
      enable_managed_uid: false,
      enable_user_portal_multifactor: false,
      externally_managed: false,
      ldap_binding_user: false,
      mfa: { configured: false, exclusion: false },
      organization,
      password_never_expires: false,
      passwordless_sudo: false,
      phoneNumbers: [],
      samba_service_user: false,
      state,
      sudo: false,
      suspended: state === 'SUSPENDED',
      totp_enabled: false,
      ...fields,
      // JumpCloud lower-cases emails (API notes, "Create a user").
      email: String(fields.email).trim().toLowerCase(),
      username: String(fields.username),
      _id: id,
      id,
      created,
    };
    directory.push(user);
    return user;
  };

  const createUser = (body: unknown, query: URLSearchParams): Answer => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return errorAnswer(400, 'The request body must be a JSON object');
    }
    const parsed = systemUserPostSchema.safeParse(body);
    if (!parsed.success) return errorAnswer(400, describeIssue(parsed.error.issues[0]));
    const user = parsed.data;
    const problem = fieldProblem(user, directory);
    if (problem) return errorAnswer(400, problem);
    if (user.password !== undefined && policy) {
      const broken = passwordViolations(user.password, policy);
      if (broken.length > 0) {
        const message = 'Password does not meet the requirements of the password policy';
        if (query.get('fullValidationDetails') !== 'password')
          return errorAnswer(400, `${message}: ${broken[0]}`);
        return errorAnswer(400, message, {
          details: [
            {
              '@type': 'type.googleapis.com/google.rpc.BadRequest',
              fieldViolationsList: broken.map((description) => ({ field: 'password', description })),
            },
          ],
        });
      }
    }
    const clash = uniqueClash(user, directory);
    if (clash) {
      return options.duplicateAnswer === 409
        ? errorAnswer(409, 'User already exists')
        : errorAnswer(400, `${clash.field} "${clash.value}" already exists`);
    }
    return { status: 200, body: publicView(storeUser(user)) };
  };

  const listUsers = (query: URLSearchParams): Answer => {
    const filter = parseFilters(query);
    if (typeof filter === 'string') return errorAnswer(400, filter);
    const limit = wholeNumber(query.get('limit'), 10);
    const skip = wholeNumber(query.get('skip'), 0);
    if (limit === undefined || limit > 100)
      return errorAnswer(400, 'limit must be a whole number from 0 to 100');
    if (skip === undefined) return errorAnswer(400, 'skip must be a whole number from 0');
    const matches = directory.filter(filter);
    const sorted = sortUsers(matches, query.get('sort'));
    const fields = fieldList(query.get('fields'));
    const page = sorted.slice(skip, skip + (limit === 0 ? 10 : limit));
    return {
      status: 200,
      body: { totalCount: matches.length, results: page.map((user) => publicView(user, fields)) },
    };
  };

  const route = (method: string, path: string, query: URLSearchParams, body: unknown): Answer => {
    if (path === '/api/systemusers' && method === 'POST') return createUser(body, query);
    if (path === '/api/systemusers' && method === 'GET') return listUsers(query);
    const byId = /^\/api\/systemusers\/([^/]+)$/.exec(path);
    if (byId && method === 'GET') {
      const user = directory.find((candidate) => candidate._id === byId[1]);
      return user
        ? { status: 200, body: publicView(user, fieldList(query.get('fields'))) }
        : errorAnswer(404, 'Not Found');
    }
    return errorAnswer(404, 'Not Found');
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const entry: SimRequest = { method, path: url.pathname, query: url.search, status: 0 };
    log.push(entry);
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    try {
      const text = await readBody(request);
      const kind: Route = url.pathname.startsWith('/api/systemusers')
        ? method === 'POST'
          ? 'create'
          : 'lookup'
        : 'other';
      const fault = takeFault(kind);
      await wait(latencyOf(options.latencyMs));

      const drop = () => request.socket.destroy();
      if (fault?.kind === 'throttle') {
        const headers =
          fault.retryAfterSeconds === undefined
            ? undefined
            : { 'Retry-After': String(fault.retryAfterSeconds) };
        return send(response, entry, { ...errorAnswer(429, 'Too Many Requests'), headers });
      }
      if (fault?.kind === 'error' && !fault.afterCreate)
        return send(response, entry, errorAnswer(fault.status, STATUS_CODES[fault.status] ?? 'Error'));
      if (fault?.kind === 'drop' && !fault.afterCreate) return drop();

      const throttled = bucket?.take();
      if (throttled) return send(response, entry, throttled);
      if (request.headers['x-api-key'] !== options.apiKey)
        return send(response, entry, errorAnswer(401, 'Unauthorized'));
      if (options.orgId !== undefined && request.headers['x-org-id'] !== options.orgId) {
        return send(response, entry, errorAnswer(401, 'Unauthorized'));
      }

      let body: unknown;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch {
          return send(response, entry, errorAnswer(400, 'The request body is not valid JSON'));
        }
      }
      const answer = route(method, url.pathname, url.searchParams, body);

      if (fault?.kind === 'error')
        return send(response, entry, errorAnswer(fault.status, STATUS_CODES[fault.status] ?? 'Error'));
      if (fault?.kind === 'drop') return drop();
      if (fault?.kind === 'slow') await wait(fault.delayMs);
      return send(response, entry, answer);
    } finally {
      inFlight--;
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { 'Content-Type': 'application/json' }).end('{"message":"simulator error"}');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    seedUser: (user) => {
      const { _id, id, created, ...fields } = user;
      return structuredClone(storeUser(fields, created, _id ?? id));
    },
    users: () => structuredClone(directory),
    injectFaults: (...added) => {
      faults.push(...added.map((fault) => ({ ...fault, path: fault.path ?? 'any', remaining: fault.count })));
    },
    get requests() {
      return log.map((entry) => ({ ...entry }));
    },
    get peakInFlight() {
      return peakInFlight;
    },
    reset: () => {
      directory.length = 0;
      faults = [];
      log = [];
      peakInFlight = inFlight;
      bucket?.refill();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pending of [...waits]) pending.resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, entry: SimRequest, answer: Answer): void {
  entry.status = answer.status;
  // The client may have given up (timeout) and closed the connection: nobody to answer.
  if (response.destroyed || response.socket?.destroyed) return;
  const text = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...answer.headers,
  });
  response.end(text);
}

/** definitions.Error: `{ code, message, status }`. */
function errorAnswer(status: number, message: string, extra: Record<string, unknown> = {}): Answer {
  return { status, body: { code: status, message, status: STATUS_CODES[status] ?? 'Error', ...extra } };
}

/** Mongo-style: 4 bytes of seconds then 8 random bytes, 24 hex characters, increasing over time. */
function newObjectId(): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + randomBytes(8).toString('hex');
}

/** The user as the API shows it (definitions.systemuserreturn): never the password. */
function publicView(user: SimUser, fields?: string[]): Record<string, unknown> {
  const { password: _password, ...shown } = user;
  const copy = structuredClone(shown) as Record<string, unknown>;
  if (!fields) return copy;
  const picked: Record<string, unknown> = { _id: copy._id };
  for (const field of fields) {
    if (field !== 'password' && copy[field] !== undefined) picked[field] = copy[field];
  }
  return picked;
}

function fieldList(value: string | null): string[] | undefined {
  const fields = value?.split(' ').filter(Boolean);
  return fields && fields.length > 0 ? fields : undefined;
}

function wholeNumber(value: string | null, fallback: number): number | undefined {
  if (value === null || value === '') return fallback;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

function latencyOf(latency: SimulatorOptions['latencyMs']): number {
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  return latency.min + Math.random() * (latency.max - latency.min);
}

/** First schema problem in words naming the field, as a 400 message. */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'The request body is not a valid user';
  const where = issue.path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const names = issue.keys.map((key) => `"${where ? `${where}.` : ''}${key}"`).join(', ');
      return `${names} ${issue.keys.length > 1 ? 'are not fields' : 'is not a field'} of a system user`;
    }
    case 'invalid_type':
      return issue.input === undefined
        ? `${where} is required`
        : `${where} must be of type ${issue.expected}`;
    case 'invalid_value':
      return `${where} must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_big':
      return `${where} must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters long' : ''}`;
    case 'too_small':
      return `${where} must be at least ${String(issue.minimum)}`;
    case 'invalid_format':
      return `${where} must be a valid ${issue.format}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/** Rules beyond the schema's types, from the API notes ("Create a user"). */
function fieldProblem(
  user: z.infer<typeof systemUserPostSchema>,
  directory: readonly SimUser[],
): string | undefined {
  if (!USERNAME_PATTERN.test(user.username))
    return 'username must start with a letter and contain no spaces or "@"';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(user.email.trim())) return 'email is not a valid email address';
  for (const [index, attribute] of (user.attributes ?? []).entries()) {
    if (!/^[A-Za-z0-9]{1,31}$/.test(attribute.name ?? '')) {
      return `attributes[${index}].name must be letters and digits only, under 32 characters`;
    }
  }
  if (
    user.manager !== undefined &&
    !(OBJECT_ID.test(user.manager) && directory.some((u) => u._id === user.manager))
  ) {
    return 'manager must be the id of an existing user';
  }
  return undefined;
}

function passwordViolations(password: string, policy: PasswordPolicy): string[] {
  const broken: string[] = [];
  if (password.length < policy.minLength) broken.push(`must be at least ${policy.minLength} characters long`);
  if (policy.requireLowercase && !/[a-z]/.test(password)) broken.push('must contain a lowercase letter');
  if (policy.requireUppercase && !/[A-Z]/.test(password)) broken.push('must contain an uppercase letter');
  if (policy.requireDigit && !/\d/.test(password)) broken.push('must contain a number');
  if (policy.requireSymbol && !/[^A-Za-z0-9]/.test(password)) broken.push('must contain a special character');
  return broken;
}

/** Username, email and employeeIdentifier are unique (spec: employeeIdentifier "Must be unique per user"). */
function uniqueClash(
  user: z.infer<typeof systemUserPostSchema>,
  directory: readonly SimUser[],
): { field: string; value: string } | undefined {
  const username = user.username.toLowerCase();
  const email = user.email.trim().toLowerCase();
  for (const existing of directory) {
    if (existing.username.toLowerCase() === username) return { field: 'username', value: user.username };
    if (existing.email === email) return { field: 'email', value: email };
    if (user.employeeIdentifier && existing.employeeIdentifier === user.employeeIdentifier) {
      return { field: 'employeeIdentifier', value: user.employeeIdentifier };
    }
  }
  return undefined;
}

/**
 * v1 filters (API notes, "Look users up"): `field:$op:value`; `filter` and `filter[N]` are ANDed,
 * `filter[or][N]` ORed. Values compare case-sensitively. A message for a bad filter.
 */
function parseFilters(query: URLSearchParams): ((user: SimUser) => boolean) | string {
  const all: string[] = [];
  const any: string[] = [];
  for (const [name, value] of query) {
    if (name === 'filter' || /^filter\[\d+\]$/.test(name)) all.push(value);
    else if (/^filter\[or\]\[\d+\]$/.test(name)) any.push(value);
  }
  const conditions = [...all, ...any].map(parseCondition);
  const bad = conditions.find((condition) => typeof condition === 'string');
  if (typeof bad === 'string') return bad;
  const tests = conditions as ((user: SimUser) => boolean)[];
  const andTests = tests.slice(0, all.length);
  const orTests = tests.slice(all.length);
  return (user) =>
    andTests.every((test) => test(user)) && (orTests.length === 0 || orTests.some((test) => test(user)));
}

function parseCondition(filter: string): ((user: SimUser) => boolean) | string {
  const match = /^([^:]+):([^:]*):(.*)$/s.exec(filter);
  const operator = match?.[2] ?? '';
  if (!match || !FILTER_OPERATORS.has(operator)) {
    return `Invalid filter "${filter}": expected field:$op:value with $op one of ${[...FILTER_OPERATORS].join(' ')}`;
  }
  const field = match[1] ?? '';
  const value = match[3] ?? '';
  return (user) => {
    const stored = readPath(user, field);
    if (stored === undefined || stored === null || typeof stored === 'object') return operator === '$ne';
    const text = String(stored);
    const order = compare(text, value);
    switch (operator) {
      case '$eq':
        return text === value;
      case '$ne':
        return text !== value;
      case '$gt':
        return order > 0;
      case '$gte':
        return order >= 0;
      case '$lt':
        return order < 0;
      default:
        return order <= 0;
    }
  };
}

function readPath(user: SimUser, path: string): unknown {
  let value: unknown = user;
  for (const part of path.split('.')) {
    value =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

function compare(a: string, b: string): number {
  const numbers = a.trim() !== '' && b.trim() !== '' && !Number.isNaN(Number(a)) && !Number.isNaN(Number(b));
  if (numbers) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortUsers(users: SimUser[], sort: string | null): SimUser[] {
  const keys = (sort ?? '').split(' ').filter(Boolean);
  if (keys.length === 0) return users;
  return [...users].sort((a, b) => {
    for (const key of keys) {
      const descending = key.startsWith('-');
      const field = descending ? key.slice(1) : key;
      const order = compare(String(readPath(a, field) ?? ''), String(readPath(b, field) ?? ''));
      if (order !== 0) return descending ? -order : order;
    }
    return 0;
  });
}

function newBucket(limit: NonNullable<SimulatorOptions['rateLimit']>) {
  const capacity = limit.burst ?? limit.requestsPerSecond;
  let tokens = capacity;
  let last = performance.now();
  return {
    /** A 429 answer when the bucket is empty, else undefined (and a token is spent). */
    take(): Answer | undefined {
      const now = performance.now();
      tokens = Math.min(capacity, tokens + ((now - last) / 1000) * limit.requestsPerSecond);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return undefined;
      }
      const seconds = Math.max(1, Math.ceil((1 - tokens) / limit.requestsPerSecond));
      return {
        ...errorAnswer(429, 'Too Many Requests'),
        headers: limit.retryAfter ? { 'Retry-After': String(seconds) } : undefined,
      };
    },
    refill(): void {
      tokens = capacity;
      last = performance.now();
    },
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
