/**
 * A JumpCloud stand-in on 127.0.0.1: the v1 user endpoints and v2 user-group endpoints this
 * project calls, answered as the Swagger specs and the API notes describe (auth, body
 * validation, unique username, email and employeeIdentifier, v1 `$eq` and v2 `eq` filters),
 * plus the trouble a real run meets: throttling, 5xx, slow and dropped answers, before or after
 * the request was acted on. Tests, the demo and `jc-onboard simulator` use it; no real JumpCloud
 * is reachable from here. The directory, the query language and the faults live in
 * local/simulator/; this file is the HTTP server around them.
 */
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Directory, isRefusal, newObjectId, type PasswordPolicy, type SimUser } from './simulator/directory';
import type { SimulatorProfile } from './simulator/fault-profile';
import {
  type Fault,
  type FaultPath,
  FaultQueue,
  latencyOf,
  type RateLimit,
  requestKind,
  TokenBucket,
  Waits,
} from './simulator/faults';
import { fieldList, pageOf, parseV1Filters, parseV2Filters, pickFields, sortBy } from './simulator/filters';

export type { PasswordPolicy, SimUser } from './simulator/directory';
export type { Fault, FaultPath } from './simulator/faults';

export interface SimulatorOptions {
  apiKey: string;
  /** When set, requests must carry this `x-org-id` (a multi-tenant admin). */
  orgId?: string;
  /** Default 0: a free port chosen at run time. */
  port?: number;
  /** Added to every answer. */
  latencyMs?: number | { min: number; max: number };
  /** A token bucket: 429 beyond it, with a Retry-After header only when `retryAfter` is set. */
  rateLimit?: RateLimit;
  /**
   * Latency, transient faults and Retry-After drawn by chance (simulator/fault-profile.ts); it
   * replaces `latencyMs` and `rateLimit.retryAfter`. Faults injected on demand still come first.
   */
  profile?: SimulatorProfile;
  /** How a duplicate is answered: 400 naming the field (default) or 409 "User already exists". */
  duplicateAnswer?: 409 | 400;
  /** Default `{ minLength: 8 }`; `false` accepts any password. */
  passwordPolicy?: PasswordPolicy | false;
}

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
  /** The user with this id as stored (password included), if any. */
  user(id: string): SimUser | undefined;
  /** Puts a user group "already in the org". */
  seedGroup(name: string): { id: string; name: string };
  groups(): readonly { id: string; name: string }[];
  /** The ids of the users in the group, in the order they were added. */
  groupMembers(groupId: string): string[];
  /** Faults apply in the order given, each to the next `count` requests on its path. */
  injectFaults(...faults: (Fault & { path?: FaultPath })[]): void;
  readonly requests: readonly SimRequest[];
  /** The most requests that were in flight at once. */
  readonly peakInFlight: number;
  /** Forgets users, groups, faults, requests and rate-limit state. */
  reset(): void;
  close(): Promise<void>;
}

interface Answer {
  /** Undefined for 204 No Content. */
  body?: unknown;
  status: number;
  headers?: Record<string, string>;
}

const MAX_BODY_BYTES = 1_000_000;
/** v2: one group's members. */
const GROUP_MEMBERS = /^\/api\/v2\/usergroups\/([^/]+)\/members$/;
const USER_BY_ID = /^\/api\/systemusers\/([^/]+)$/;

export async function startJumpCloudSimulator(options: SimulatorOptions): Promise<JumpCloudSimulator> {
  const directory = new Directory({
    passwordPolicy: options.passwordPolicy === undefined ? { minLength: 8 } : options.passwordPolicy,
    duplicateAnswer: options.duplicateAnswer ?? 400,
    organization: options.orgId ?? newObjectId(),
  });
  const faults = new FaultQueue();
  const waits = new Waits();
  const bucket = options.rateLimit ? new TokenBucket(options.rateLimit) : undefined;
  let log: SimRequest[] = [];
  let inFlight = 0;
  let peakInFlight = 0;

  const stored = (result: SimUser | ReturnType<Directory['createUser']>, status = 200): Answer =>
    isRefusal(result)
      ? errorAnswer(result.refused, result.message, result.extra)
      : { status, body: publicView(result) };

  const listUsers = (query: URLSearchParams): Answer => {
    const filter = parseV1Filters(query);
    if (typeof filter === 'string') return errorAnswer(400, filter);
    const page = pageOf(query, 10);
    if (typeof page === 'string') return errorAnswer(400, page);
    const matches = directory.users().filter(filter);
    const fields = fieldList(query.get('fields'));
    const shown = sortBy(matches, query.get('sort')).slice(page.skip, page.skip + page.limit);
    return {
      status: 200,
      body: {
        totalCount: matches.length,
        results: shown.map((user) => pickFields(publicView(user), fields, '_id')),
      },
    };
  };

  /** v2 lists are bare arrays with the full count in `x-total-count` (API notes, "Groups and associations"). */
  const listV2 = <T extends Record<string, unknown>>(items: readonly T[], query: URLSearchParams): Answer => {
    const filter = parseV2Filters(query);
    if (typeof filter === 'string') return errorAnswer(400, filter);
    const page = pageOf(query, 10);
    if (typeof page === 'string') return errorAnswer(400, page);
    const matches = items.filter(filter);
    const shown = sortBy(matches, query.get('sort')).slice(page.skip, page.skip + page.limit);
    return {
      status: 200,
      body: structuredClone(shown),
      headers: { 'x-total-count': String(matches.length) },
    };
  };

  const route = (method: string, path: string, query: URLSearchParams, body: unknown): Answer => {
    if (path === '/api/systemusers' && method === 'POST')
      return stored(directory.createUser(body, query.get('fullValidationDetails') === 'password'));
    if (path === '/api/systemusers' && method === 'GET') return listUsers(query);
    const userId = USER_BY_ID.exec(path)?.[1];
    if (userId !== undefined && method === 'GET') {
      const user = directory.user(userId);
      if (!user) return errorAnswer(404, 'Not Found');
      return { status: 200, body: pickFields(publicView(user), fieldList(query.get('fields')), '_id') };
    }
    if (userId !== undefined && method === 'PUT') return stored(directory.updateUser(userId, body));
    if (path === '/api/v2/usergroups' && method === 'GET') return listV2(directory.groups(), query);
    if (path === '/api/v2/usergroups' && method === 'POST') {
      const group = directory.createGroup(body);
      return isRefusal(group)
        ? errorAnswer(group.refused, group.message)
        : { status: 201, body: structuredClone(group) };
    }
    const groupId = GROUP_MEMBERS.exec(path)?.[1];
    if (groupId !== undefined && method === 'POST') {
      const changed = directory.changeMembership(groupId, body);
      return isRefusal(changed) ? errorAnswer(changed.refused, changed.message) : { status: 204 };
    }
    if (groupId !== undefined && method === 'GET') {
      if (!directory.group(groupId)) return errorAnswer(404, 'User group not found');
      // GraphConnection: the member is `to`.
      const connections = directory
        .groupMembers(groupId)
        .map((id) => ({ id, to: { id, type: 'user', attributes: {} }, attributes: {} }));
      return listV2(connections, query);
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
      const kind = requestKind(method, url.pathname);
      const profile = options.profile;
      const fault = faults.take(kind) ?? profile?.faultFor(kind);
      await waits.wait(profile ? profile.latencyMs() : latencyOf(options.latencyMs));

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

      const waitSeconds = bucket?.take();
      if (waitSeconds !== undefined) {
        const retryAfter = profile ? profile.sendsRetryAfter() : options.rateLimit?.retryAfter;
        const headers = retryAfter ? { 'Retry-After': String(waitSeconds) } : undefined;
        return send(response, entry, { ...errorAnswer(429, 'Too Many Requests'), headers });
      }
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
      if (fault?.kind === 'slow') await waits.wait(fault.delayMs);
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
      return structuredClone(directory.storeUser(fields, created, _id ?? id));
    },
    users: () => structuredClone(directory.users()),
    user: (id) => structuredClone(directory.user(id)),
    seedGroup: (name) => {
      const { id } = directory.seedGroup(name);
      return { id, name };
    },
    groups: () => directory.groups().map(({ id, name }) => ({ id, name })),
    groupMembers: (groupId) => directory.groupMembers(groupId),
    injectFaults: (...added) => faults.add(added),
    get requests() {
      return log.map((entry) => ({ ...entry }));
    },
    get peakInFlight() {
      return peakInFlight;
    },
    reset: () => {
      directory.clear();
      faults.clear();
      log = [];
      peakInFlight = inFlight;
      bucket?.refill();
    },
    close: () =>
      new Promise<void>((resolve) => {
        waits.endAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, entry: SimRequest, answer: Answer): void {
  entry.status = answer.status;
  // The client may have given up (timeout) and closed the connection: nobody to answer.
  if (response.destroyed || response.socket?.destroyed) return;
  if (answer.body === undefined) {
    response.writeHead(answer.status, { ...answer.headers }).end();
    return;
  }
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

/** The user as the API shows it (definitions.systemuserreturn): never the password. */
function publicView(user: SimUser): Record<string, unknown> {
  const { password: _password, ...shown } = user;
  return structuredClone(shown);
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
