/**
 * The JumpCloud v1 client the engine uses to create users: bounded and adaptive concurrency,
 * retries with backoff, and the lookups that keep a non-idempotent create from running twice.
 * Facts about the API it relies on are in the project's API notes (JumpCloud admin API).
 */
import {
  type DirectoryOutcome,
  type Log,
  type NewSystemUser,
  silentLog,
  type UserDirectory,
} from '../domain';
import { ApiKeyRejectedError, RequestsCancelledError } from '../errors';
import { AdaptiveConcurrency } from './adaptive-concurrency';
import {
  type JumpCloudError,
  jumpCloudErrorSchema,
  SYSTEM_USER_POST_FIELDS,
  type SystemUserReturn,
  systemUserReturnSchema,
  systemUsersListSchema,
} from './api-types';
import { isRetryableStatus, parseRetryAfter, RetryPolicy } from './retry-policy';

export interface JumpCloudClientOptions {
  /** e.g. https://console.jumpcloud.com, or the simulator's URL. */
  baseUrl: string;
  apiKey: string;
  /** Multi-tenant (MSP) admins need it (API notes, "Hosts, auth, tenancy"). */
  orgId?: string;
  /** Most requests in flight across all calls (JUMPCLOUD_CONCURRENCY, default 8). */
  concurrency: number;
  /** Per request, default 20 000 ms. */
  requestTimeoutMs?: number;
  /** Attempts per request including the first, default 6. */
  maxAttempts?: number;
  /** Backoff cap, default 30 000 ms. A Retry-After is honoured up to 60 s. */
  maxDelayMs?: number;
  log?: Log;
  /**
   * Cuts every request in flight, queued or waiting to retry short. An aborted request counts as
   * lost (JumpCloud may have acted) and is not retried: the call throws RequestsCancelledError.
   */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface ClientStats {
  /** HTTP requests sent (creates and lookups, first tries and retries). */
  requests: number;
  /** Requests sent again after a transient failure. */
  retries: number;
  /** 429 answers. */
  throttled: number;
  /** Creates whose answer was lost after JumpCloud may have acted (timeout, reset, 5xx). */
  lostResponses: number;
  /** Requests currently allowed in flight. */
  concurrency: number;
}

export interface ExistingUser {
  id: string;
  username: string;
  email: string;
  created?: string;
}

/** A lookup could not be answered (JumpCloud kept failing, or refused the query). */
export class JumpCloudLookupError extends Error {
  override readonly name = 'JumpCloudLookupError';
}

/** How one HTTP exchange ended: an answer, or no answer. */
type Exchange =
  | { kind: 'answer'; status: number; body: unknown; text: string; retryAfterMs?: number }
  | { kind: 'lost'; problem: string; mayHaveActed: boolean };

type LookupField = 'username' | 'email' | 'employeeIdentifier';

/** `?fullValidationDetails=password` lists every password rule broken (API notes, "Create a user"). */
const CREATE_PATH = '/api/systemusers?fullValidationDetails=password';
const LOOKUP_FIELDS = ['_id', 'username', 'email', 'created'];
/** Clocks of this machine and JumpCloud's may disagree by this much. */
const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_MESSAGE_LENGTH = 300;
/** Connection errors raised before the request left this machine: JumpCloud cannot have acted. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export class JumpCloudClient implements UserDirectory {
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly apiKey: string;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly limiter: AdaptiveConcurrency;
  private readonly log: Log;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly cancel?: AbortSignal;
  private readonly counters = { requests: 0, retries: 0, throttled: 0, lostResponses: 0 };
  /** Set by the first 401/403: every later call fails fast with it, without touching the network. */
  private rejection?: ApiKeyRejectedError;

  constructor(options: JumpCloudClientOptions) {
    // Fail at construction, not on every row, for a URL that can never work.
    const url = new URL(options.baseUrl);
    this.baseUrl = url.href.replace(/\/+$/, '').replace(/\/api$/, '');
    this.apiKey = options.apiKey;
    this.headers = {
      'x-api-key': options.apiKey,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...(options.orgId ? { 'x-org-id': options.orgId } : {}),
    };
    this.timeoutMs = options.requestTimeoutMs ?? 20_000;
    this.policy = new RetryPolicy({
      maxAttempts: options.maxAttempts ?? 6,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      random: options.random ?? Math.random,
    });
    this.log = options.log ?? silentLog;
    this.limiter = new AdaptiveConcurrency(options.concurrency, (concurrency, cause) =>
      cause === 'throttled'
        ? this.log.warn('JumpCloud is throttling: fewer requests in flight', { concurrency })
        : this.log.info('JumpCloud keeps up again: more requests in flight', { concurrency }),
    );
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
    this.cancel = options.signal;
  }

  get stats(): ClientStats {
    return { ...this.counters, concurrency: this.limiter.current };
  }

  async createUser(user: NewSystemUser): Promise<DirectoryOutcome> {
    this.failFastIfRejected();
    const body = jumpCloudBody(user);
    const { username } = user;
    let firstSentAt: number | undefined;
    // Once an answer is lost after sending, JumpCloud may hold the user: never send blind again.
    let mayExist = false;
    for (let attempt = 1; ; attempt++) {
      this.log.debug('Creating JumpCloud user', { username, attempt });
      firstSentAt ??= this.now();
      const exchange = await this.exchange('POST', CREATE_PATH, body);
      if (exchange.kind === 'answer') {
        const { status } = exchange;
        if (status >= 200 && status < 300) return this.created(exchange, user);
        this.throwIfRejected(status);
        if (isDuplicateAnswer(exchange))
          return this.resolveDuplicate(user, exchange, mayExist ? firstSentAt : undefined);
        if (!isRetryableStatus(status)) {
          this.log.debug('JumpCloud refused the user', { username, status });
          // Which check JumpCloud runs first is not documented: a person already in the directory
          // may be refused for, say, a weak password before the duplicate is noticed. Look first.
          const there = status === 400 ? await this.sameUserThere(user) : undefined;
          return (
            there ?? { status: 'failed', message: refusalMessage(exchange, [user.password, this.apiKey]) }
          );
        }
      }
      // A 429 means nothing was done (API notes, "Rate limits"); a 5xx or a lost answer may hide a create.
      const ambiguous = exchange.kind === 'lost' ? exchange.mayHaveActed : exchange.status !== 429;
      if (ambiguous) {
        this.counters.lostResponses++;
        mayExist = true;
      }
      if (!this.policy.canRetry(attempt)) {
        const gaveUp = `JumpCloud ${problemOf(exchange)} after ${attempt} attempts`;
        this.log.warn('Giving up on a JumpCloud user', { username, attempt, ...statusOf(exchange) });
        if (!mayExist) return { status: 'failed', message: gaveUp };
        return (
          (await this.confirmCreated(user, firstSentAt, gaveUp)) ?? { status: 'failed', message: gaveUp }
        );
      }
      await this.pause(attempt, exchange, { username });
      if (ambiguous) {
        const confirmed = await this.confirmCreated(user, firstSentAt, `JumpCloud ${problemOf(exchange)}`);
        if (confirmed) return confirmed;
      }
      this.counters.retries++;
    }
  }

  async planUser(user: NewSystemUser): Promise<DirectoryOutcome> {
    this.failFastIfRejected();
    try {
      const byUsername = await this.findUserByUsername(user.username);
      if (byUsername) {
        return sameEmail(byUsername, user.email) ? alreadyThere(byUsername) : usernameTaken(byUsername);
      }
      const byEmail = await this.findUserByEmail(user.email);
      if (byEmail) return emailTaken(user.email, byEmail);
      if (user.employeeIdentifier) {
        const byEmployeeId = await this.lookup('employeeIdentifier', user.employeeIdentifier);
        if (byEmployeeId) return employeeIdentifierTaken(user.employeeIdentifier, byEmployeeId);
      }
      return { status: 'would_create' };
    } catch (error) {
      if (error instanceof JumpCloudLookupError) return { status: 'failed', message: error.message };
      throw error;
    }
  }

  /** The user with exactly this username, if any. Throws JumpCloudLookupError when JumpCloud cannot say. */
  findUserByUsername(username: string): Promise<ExistingUser | undefined> {
    return this.lookup('username', username);
  }

  /** The user with this email (compared lower-cased), if any. Throws JumpCloudLookupError when JumpCloud cannot say. */
  findUserByEmail(email: string): Promise<ExistingUser | undefined> {
    return this.lookup('email', normaliseEmail(email));
  }

  private async created(
    exchange: Exchange & { kind: 'answer' },
    user: NewSystemUser,
  ): Promise<DirectoryOutcome> {
    const parsed = systemUserReturnSchema.safeParse(exchange.body);
    const id = parsed.success ? idOf(parsed.data) : undefined;
    this.log.debug('Created JumpCloud user', { username: user.username });
    if (id) return { status: 'created', jumpcloudId: id, ...createdAt(parsed.data?.created) };
    // A 2xx without an id is not in the spec; find the id rather than leave the results blank.
    const found = await this.lookup('username', user.username).catch((error: unknown) => {
      if (error instanceof JumpCloudLookupError) return undefined;
      throw error;
    });
    if (!found) return { status: 'created', message: 'JumpCloud returned no user id' };
    return { status: 'created', jumpcloudId: found.id, ...createdAt(found.created) };
  }

  /**
   * After a lost answer: did the create go through? Undefined when the user is not there (send
   * again). A lookup failure is reported rather than risking a blind resend.
   */
  private async confirmCreated(
    user: NewSystemUser,
    firstSentAt: number,
    context: string,
  ): Promise<DirectoryOutcome | undefined> {
    let found: ExistingUser | undefined;
    try {
      found = await this.findUserByUsername(user.username);
    } catch (error) {
      if (!(error instanceof JumpCloudLookupError)) throw error;
      return { status: 'failed', message: `${context}; the user may have been created: ${error.message}` };
    }
    if (!found) return undefined;
    if (!sameEmail(found, user.email)) return usernameTaken(found);
    this.log.debug('A lost create went through', { username: user.username });
    return ourCreateOrEarlier(found, firstSentAt);
  }

  /** The same person (username and email) already in JumpCloud, if a lookup can tell; else undefined. */
  private async sameUserThere(user: NewSystemUser): Promise<DirectoryOutcome | undefined> {
    const found = await this.findUserByUsername(user.username).catch((error: unknown) => {
      if (error instanceof JumpCloudLookupError) return undefined;
      throw error;
    });
    return found && sameEmail(found, user.email) ? alreadyThere(found) : undefined;
  }

  /** JumpCloud said "duplicate": find out who holds what (API notes: the answer is unconfirmed, so look). */
  private async resolveDuplicate(
    user: NewSystemUser,
    exchange: Exchange & { kind: 'answer' },
    ambiguousSince: number | undefined,
  ): Promise<DirectoryOutcome> {
    this.log.debug('JumpCloud answered duplicate', { username: user.username, status: exchange.status });
    try {
      const byUsername = await this.findUserByUsername(user.username);
      if (byUsername) {
        if (!sameEmail(byUsername, user.email)) return usernameTaken(byUsername);
        if (ambiguousSince !== undefined) return ourCreateOrEarlier(byUsername, ambiguousSince);
        return alreadyThere(byUsername);
      }
      const byEmail = await this.findUserByEmail(user.email);
      if (byEmail) return emailTaken(user.email, byEmail);
    } catch (error) {
      if (!(error instanceof JumpCloudLookupError)) throw error;
      return {
        status: 'failed',
        message: `${refusalMessage(exchange, [user.password, this.apiKey])}; could not check who holds it: ${error.message}`,
      };
    }
    // Neither username nor email is taken: another unique field (employeeIdentifier) clashed.
    return { status: 'failed', message: refusalMessage(exchange, [user.password, this.apiKey]) };
  }

  private async lookup(field: LookupField, value: string): Promise<ExistingUser | undefined> {
    this.failFastIfRejected();
    // v1 filters take `$eq` and compare case-sensitively (API notes, "Look users up").
    const fields = [...new Set([...LOOKUP_FIELDS, field])].join(' ');
    const path =
      `/api/systemusers?filter=${field}:$eq:${encodeURIComponent(value)}` +
      `&fields=${encodeURIComponent(fields)}&limit=10`;
    for (let attempt = 1; ; attempt++) {
      const exchange = await this.exchange('GET', path);
      if (exchange.kind === 'answer') {
        const { status } = exchange;
        if (status === 200) return this.pickMatch(exchange.body, field, value);
        this.throwIfRejected(status);
        if (!isRetryableStatus(status)) {
          throw new JumpCloudLookupError(
            `looking up the ${field}: ${refusalMessage(exchange, [this.apiKey])}`,
          );
        }
      }
      if (!this.policy.canRetry(attempt)) {
        throw new JumpCloudLookupError(
          `looking up the ${field}: JumpCloud ${problemOf(exchange)} after ${attempt} attempts`,
        );
      }
      await this.pause(attempt, exchange, { lookup: field });
      this.counters.retries++;
    }
  }

  private pickMatch(body: unknown, field: LookupField, value: string): ExistingUser | undefined {
    const list = systemUsersListSchema.safeParse(body);
    if (!list.success)
      throw new JumpCloudLookupError(`JumpCloud answered a ${field} lookup with an unexpected body`);
    const wanted = value.toLowerCase();
    // Trust the filter, but confirm: a proxy or an ignored filter must not turn into a false "exists".
    const match = list.data.results.find((found) => String(found[field] ?? '').toLowerCase() === wanted);
    const id = match ? idOf(match) : undefined;
    if (!match || !id) return undefined;
    return {
      id,
      username: match.username ?? '',
      email: match.email ?? '',
      ...(match.created ? { created: match.created } : {}),
    };
  }

  /** One HTTP request in a concurrency slot. Never throws for HTTP or network trouble. */
  private exchange(method: 'GET' | 'POST', path: string, body?: object): Promise<Exchange> {
    return this.limiter.run(async (feedback) => {
      // A queued call may get its slot after another call learned the key is rejected.
      this.failFastIfRejected();
      this.failFastIfCancelled();
      this.counters.requests++;
      const timeout = AbortSignal.timeout(this.timeoutMs);
      try {
        const response = await fetch(this.baseUrl + path, {
          method,
          headers: this.headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: this.cancel ? AbortSignal.any([this.cancel, timeout]) : timeout,
        });
        const text = await response.text();
        const { status } = response;
        if (status === 429) {
          this.counters.throttled++;
          feedback.throttled();
        } else if (status < 500) {
          feedback.succeeded();
        }
        if (status === 401 || status === 403) this.rejection ??= new ApiKeyRejectedError(status);
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
        return {
          kind: 'answer',
          status,
          body: parseJson(text),
          text,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      } catch (error) {
        if (this.cancel?.aborted) {
          this.counters.lostResponses++;
          throw new RequestsCancelledError();
        }
        return lostExchange(error, this.timeoutMs);
      }
    });
  }

  private async pause(attempt: number, exchange: Exchange, about: Record<string, string>): Promise<void> {
    const delayMs = this.policy.delayMs(
      attempt,
      exchange.kind === 'answer' ? exchange.retryAfterMs : undefined,
    );
    const extra = { ...about, attempt, delayMs, ...statusOf(exchange) };
    if (exchange.kind === 'answer' && exchange.status === 429)
      this.log.info('JumpCloud throttled a request; retrying', extra);
    else this.log.warn('JumpCloud request failed; retrying', extra);
    const cancel = this.cancel;
    if (!cancel) return this.sleep(delayMs);
    // A backoff is waited out only while the caller still has time for the retry.
    let onAbort = () => {};
    const cancelled = new Promise<void>((resolve) => {
      onAbort = resolve;
      cancel.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.sleep(delayMs), cancelled]);
    } finally {
      cancel.removeEventListener('abort', onAbort);
    }
    this.failFastIfCancelled();
  }

  private failFastIfCancelled(): void {
    if (this.cancel?.aborted) throw new RequestsCancelledError();
  }

  private failFastIfRejected(): void {
    if (this.rejection) throw this.rejection;
  }

  private throwIfRejected(status: number): void {
    if (status !== 401 && status !== 403) return;
    this.rejection ??= new ApiKeyRejectedError(status);
    throw this.rejection;
  }
}

/** Only the fields JumpCloud defines (definitions.systemuserputpost), emails lower-cased as JumpCloud stores them. */
function jumpCloudBody(user: NewSystemUser): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(user)) {
    if (value !== undefined && SYSTEM_USER_POST_FIELDS.has(field)) body[field] = value;
  }
  body.email = normaliseEmail(user.email);
  return body;
}

/** JumpCloud lower-cases emails while v1 filters are case-sensitive (API notes, "Create a user"). */
function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function sameEmail(found: ExistingUser, email: string): boolean {
  return normaliseEmail(found.email) === normaliseEmail(email);
}

/** `_id` per the spec; some answers carry `id` (API notes, "Create a user"). */
function idOf(user: SystemUserReturn): string | undefined {
  return user._id || user.id || undefined;
}

/** The user we may have created: ours if JumpCloud stamped it after our first send (minus clock skew). */
function ourCreateOrEarlier(found: ExistingUser, firstSentAt: number): DirectoryOutcome {
  const created = found.created ? Date.parse(found.created) : Number.NaN;
  if (Number.isNaN(created) || created >= firstSentAt - CLOCK_SKEW_MS) {
    return {
      status: 'created',
      jumpcloudId: found.id,
      message: "created (JumpCloud's answer was lost; confirmed by lookup)",
      ...createdAt(found.created),
    };
  }
  return alreadyThere(found);
}

function alreadyThere(found: ExistingUser): DirectoryOutcome {
  return {
    status: 'exists',
    jumpcloudId: found.id,
    message: 'already in JumpCloud',
    ...createdAt(found.created),
  };
}

/** JumpCloud's own creation time, for the engine to tell a resumed run's users from older ones. */
function createdAt(created: string | undefined): { createdAt?: string } {
  return created ? { createdAt: created } : {};
}

function usernameTaken(holder: ExistingUser): DirectoryOutcome {
  return {
    status: 'failed',
    message: `username already belongs to another JumpCloud user (id ${holder.id}) with a different email`,
  };
}

function emailTaken(email: string, holder: ExistingUser): DirectoryOutcome {
  return {
    status: 'failed',
    message: `email ${normaliseEmail(email)} already belongs to another JumpCloud user (${holder.username}, id ${holder.id})`,
  };
}

function employeeIdentifierTaken(employeeIdentifier: string, holder: ExistingUser): DirectoryOutcome {
  return {
    status: 'failed',
    message: `employeeIdentifier ${employeeIdentifier} already belongs to another JumpCloud user (${holder.username}, id ${holder.id})`,
  };
}

/** JumpCloud's duplicate answer is unconfirmed: 409, or a 400 naming the clash (API notes, "Errors"). */
function isDuplicateAnswer(exchange: Exchange & { kind: 'answer' }): boolean {
  if (exchange.status === 409) return true;
  if (exchange.status !== 400) return false;
  return /already exists|duplicate|already (taken|in use)|is taken|must be unique|not unique/i.test(
    errorText(exchange),
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorText(exchange: Exchange & { kind: 'answer' }): string {
  const parsed = jumpCloudErrorSchema.safeParse(exchange.body);
  if (parsed.success) return parsed.data.message ?? parsed.data.error ?? '';
  const body = exchange.body as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : exchange.text;
}

/**
 * What JumpCloud said, safe to show an HR person and keep in an audit file: the password and key
 * cut out wherever they appear, password rules listed, long text cut short, never our request body.
 */
export function refusalMessage(
  exchange: { status: number; body: unknown; text: string },
  secrets: (string | undefined)[],
): string {
  const parsed = jumpCloudErrorSchema.safeParse(exchange.body);
  const error: JumpCloudError | undefined = parsed.success ? parsed.data : undefined;
  const said = errorText({ kind: 'answer', ...exchange }).trim();
  const violations = (error?.details ?? [])
    .flatMap((detail) => detail.fieldViolationsList ?? [])
    .map((violation) => {
      if (typeof violation === 'string') return violation;
      const rule = violation.description ?? violation.message ?? '';
      // "Password does not meet ...: must be 8 long", not "...: password: must be 8 long".
      const named = violation.field && !said.toLowerCase().includes(violation.field.toLowerCase());
      return named ? `${violation.field}: ${rule}` : rule;
    })
    .filter((text) => text.length > 0);
  const parts = [said || `JumpCloud answered ${exchange.status}`];
  if (violations.length > 0) parts.push(violations.join('; '));
  return truncate(redact(`JumpCloud refused (${exchange.status}): ${parts.join(': ')}`, secrets));
}

function redact(text: string, secrets: (string | undefined)[]): string {
  let safe = text;
  for (const secret of secrets) {
    if (secret) safe = safe.split(secret).join('[redacted]');
  }
  return safe;
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= MAX_MESSAGE_LENGTH ? oneLine : `${oneLine.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

/** What went wrong, for "JumpCloud <problem> after N attempts". */
function problemOf(exchange: Exchange): string {
  return exchange.kind === 'answer' ? `kept answering ${exchange.status}` : exchange.problem;
}

function statusOf(exchange: Exchange): Record<string, string | number> {
  return exchange.kind === 'answer' ? { status: exchange.status } : { problem: exchange.problem };
}

function lostExchange(error: unknown, timeoutMs: number): Exchange {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return {
      kind: 'lost',
      problem: `kept timing out (no answer within ${timeoutMs / 1000} s)`,
      mayHaveActed: true,
    };
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : 'network error';
  if (NOT_SENT_CODES.has(code))
    return { kind: 'lost', problem: `could not be reached (${code})`, mayHaveActed: false };
  return { kind: 'lost', problem: `kept dropping the connection (${code})`, mayHaveActed: true };
}
