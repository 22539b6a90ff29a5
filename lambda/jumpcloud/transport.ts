/**
 * Every JumpCloud request goes through here: one retry loop for 429, 5xx and lost answers
 * (Retry-After honoured, backoff from the retry policy), adaptive concurrency, and the fast
 * fails that stop a run early: a rejected key, a URL that never answered, a cancelled run.
 * For a request that is not idempotent (a create), it tells the caller when JumpCloud may have
 * acted on an attempt whose answer was lost, so the caller can look before sending it again.
 */
import { type Log, silentLog } from '../domain';
import { ApiKeyRejectedError, JumpCloudUnreachableError, RequestsCancelledError } from '../errors';
import { AdaptiveConcurrency } from './adaptive-concurrency';
import { isRetryableStatus, parseRetryAfter, RetryPolicy, rateLimitHoldMs } from './retry-policy';

/** The longest hold the rate headers may ask for, as for Retry-After. */
const LONGEST_HOLD_MS = 60_000;

export interface JumpCloudClientOptions {
  /** e.g. https://console.jumpcloud.com, or the simulator's URL. */
  baseUrl: string;
  apiKey: string;
  /** Multi-tenant (MSP) admins need it (API notes, "Hosts, auth, tenancy"). */
  orgId?: string;
  /**
   * Most requests in flight across all calls (JUMPCLOUD_CONCURRENCY, default 64). The client starts
   * at 8 and grows towards it while latency, not JumpCloud, is what limits.
   */
  concurrency: number;
  /** Per request, default 20 000 ms. */
  requestTimeoutMs?: number;
  /** Attempts per request including the first, default 6. */
  maxAttempts?: number;
  /** Backoff cap, default 30 000 ms. A Retry-After is honoured up to 60 s. */
  maxDelayMs?: number;
  /**
   * Cancels the run: requests in flight are abandoned (counted as lost: JumpCloud may have acted),
   * none is retried or sent any more, and calls throw RequestsCancelledError.
   */
  signal?: AbortSignal;
  log?: Log;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface ClientStats {
  /** HTTP requests sent (first tries and retries). */
  requests: number;
  /** Requests sent again after a transient failure. */
  retries: number;
  /** 429 answers. */
  throttled: number;
  /** Creates whose answer was lost after JumpCloud may have acted (timeout, reset, 5xx, cancel). */
  lostResponses: number;
  /** Requests currently allowed in flight. */
  concurrency: number;
  /** Requests a second the client paces itself to once 429s showed the limit; undefined while unpaced. */
  requestsPerSecond?: number;
}

/** An HTTP answer, whatever its status. */
export interface Answer {
  kind: 'answer';
  status: number;
  /** The body parsed as JSON; undefined when it is not JSON (or empty). */
  body: unknown;
  text: string;
  headers: Headers;
  retryAfterMs?: number;
}

/** No answer: a timeout, a reset, or a connection that never opened. */
interface Lost {
  kind: 'lost';
  problem: string;
  mayHaveActed: boolean;
  /** The connection error when the request never left this machine (ECONNREFUSED, ...). */
  notSentCode?: string;
}

type Exchange = Answer | Lost;

/**
 * How a request ended after every retry it was worth: an answer (a 2xx or a permanent refusal;
 * `mayHaveActed` when an earlier attempt's answer was lost after sending), or still transient
 * after the last attempt (`message` says what, e.g. "JumpCloud kept answering 503 after 6
 * attempts"), or, for a caller that looks before resending, what the look found.
 */
export type Sent<T = never> =
  | (Answer & { mayHaveActed: boolean })
  | { kind: 'gave-up'; message: string; mayHaveActed: boolean }
  | ([T] extends [never] ? never : { kind: 'settled'; value: T });

export interface SendOptions<T> {
  /** What the request is about, for the log: safe values only (a username, a field name). */
  about: Record<string, string>;
  /** False for a create: a lost answer may hide a user made, so lost answers are counted. */
  idempotent: boolean;
  /**
   * Called before sending again after an attempt JumpCloud may have acted on: a value settles
   * the request instead of sending it again (the create went through). `problem` says what
   * happened, e.g. "JumpCloud kept answering 503".
   */
  beforeResend?: (problem: string) => Promise<T | undefined>;
}

/** Connection errors raised before the request left this machine: JumpCloud cannot have acted. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Of those, the ones that say the URL itself is wrong or down (a connect timeout may just be load). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Failed connections in a row, with no answer ever, before the URL is called unreachable. */
const UNREACHABLE_AFTER = 3;

export class Transport {
  readonly baseUrl: string;
  readonly apiKey: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly limiter: AdaptiveConcurrency;
  private readonly log: Log;
  private readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  private readonly cancel: AbortSignal | undefined;
  /**
   * What a cancel cuts short: requests in flight and waits. One listener on the run's signal
   * ends them all, however many there are, so listeners never pile up on it.
   */
  private readonly onCancel = new Set<() => void>();
  private readonly counters = { requests: 0, retries: 0, throttled: 0, lostResponses: 0 };
  /** Set by the first 401/403: every later call fails fast with it, without touching the network. */
  private rejection?: ApiKeyRejectedError;
  /** Set when the URL never answered: every later call fails fast with it. */
  private unreachable?: JumpCloudUnreachableError;
  private everAnswered = false;
  private failedConnectionsInARow = 0;

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
    this.cancel = options.signal;
    this.cancel?.addEventListener('abort', () => this.cutShort(), { once: true });
    this.sleep = options.sleep ?? ((ms) => this.timer(ms));
    this.now = options.now ?? Date.now;
    this.limiter = new AdaptiveConcurrency({
      max: options.concurrency,
      onChange: (change) => {
        if (change.cause === 'paced')
          this.log.warn('JumpCloud is throttling: pacing requests', {
            requestsPerSecond: Math.round(change.requestsPerSecond * 10) / 10,
          });
        else if (change.cause === 'throttled')
          this.log.warn('JumpCloud is throttling: fewer requests in flight', {
            concurrency: change.concurrency,
          });
        else this.log.debug('More requests in flight', { concurrency: change.concurrency });
      },
      // The pace is real time even where a test makes retries instant.
      wait: (ms) => this.waitUnlessCancelled(ms, (pace) => this.timer(pace)),
    });
  }

  get stats(): ClientStats {
    const { requestsPerSecond } = this.limiter;
    return {
      ...this.counters,
      concurrency: this.limiter.current,
      ...(requestsPerSecond === undefined ? {} : { requestsPerSecond }),
    };
  }

  /** Throws at once when no request can succeed any more: key rejected, URL unreachable, run cancelled. */
  failFast(): void {
    if (this.rejection) throw this.rejection;
    if (this.unreachable) throw this.unreachable;
    if (this.cancel?.aborted) throw new RequestsCancelledError(false);
  }

  /**
   * Sends the request until it gets an answer worth acting on or runs out of attempts.
   * Throws ApiKeyRejectedError, JumpCloudUnreachableError or RequestsCancelledError; any other
   * trouble is in the result.
   */
  async send<T = never>(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body: object | undefined,
    options: SendOptions<T>,
  ): Promise<Sent<T>> {
    let mayHaveActed = false;
    try {
      for (let attempt = 1; ; attempt++) {
        const exchange = await this.exchange(method, path, body);
        if (exchange.kind === 'answer') {
          this.throwIfRejected(exchange.status);
          if (!isRetryableStatus(exchange.status)) return { ...exchange, mayHaveActed };
        } else if (this.unreachable) {
          throw this.unreachable;
        }
        // A 429 means nothing was done (API notes, "Rate limits"); a 5xx or a lost answer may hide an action.
        const ambiguous = exchange.kind === 'lost' ? exchange.mayHaveActed : exchange.status !== 429;
        if (ambiguous) this.noteMayHaveActed(options);
        mayHaveActed ||= ambiguous;
        if (!this.policy.canRetry(attempt)) {
          this.log.warn('Giving up on a JumpCloud request', {
            ...options.about,
            attempt,
            ...statusOf(exchange),
          });
          return {
            kind: 'gave-up',
            message: `JumpCloud ${problemOf(exchange)} after ${attempt} attempts`,
            mayHaveActed,
          };
        }
        await this.pause(attempt, exchange, options.about);
        if (ambiguous && options.beforeResend) {
          const settled = await options.beforeResend(`JumpCloud ${problemOf(exchange)}`);
          if (settled !== undefined) return { kind: 'settled', value: settled } as Sent<T>;
        }
        this.counters.retries++;
      }
    } catch (error) {
      if (!(error instanceof RequestsCancelledError)) throw error;
      // Cancelled in flight, or later while an earlier attempt's fate was still unknown.
      if (error.mayHaveActed) this.noteMayHaveActed(options);
      throw error.mayHaveActed || !mayHaveActed ? error : new RequestsCancelledError(true);
    }
  }

  private noteMayHaveActed(options: SendOptions<unknown>): void {
    if (!options.idempotent) this.counters.lostResponses++;
  }

  /** One HTTP request in a concurrency slot. Throws only the fast fails. */
  private exchange(method: string, path: string, body?: object): Promise<Exchange> {
    return this.limiter.run(async (feedback) => {
      // A queued call may get its slot after another call learned the key is rejected.
      this.failFast();
      this.counters.requests++;
      const request = new AbortController();
      const timeout = setTimeout(
        () => request.abort(new DOMException('JumpCloud did not answer in time', 'TimeoutError')),
        this.timeoutMs,
      );
      const abandon = () => request.abort(new DOMException('The run was cancelled', 'AbortError'));
      this.onCancel.add(abandon);
      try {
        const response = await fetch(this.baseUrl + path, {
          method,
          headers: this.headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: request.signal,
        });
        const text = await response.text();
        const { status } = response;
        this.everAnswered = true;
        this.failedConnectionsInARow = 0;
        if (status === 429) {
          this.counters.throttled++;
          feedback.throttled();
        } else if (status < 500) {
          feedback.succeeded();
        }
        if (status === 401 || status === 403) this.rejection ??= new ApiKeyRejectedError(status);
        const holdMs = rateLimitHoldMs(response.headers, this.now());
        if (holdMs !== undefined) this.limiter.holdFor(Math.min(holdMs, LONGEST_HOLD_MS));
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
        return {
          kind: 'answer',
          status,
          body: parseJson(text),
          text,
          headers: response.headers,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      } catch (error) {
        if (this.cancel?.aborted) throw new RequestsCancelledError(true);
        const lost = lostExchange(error, this.timeoutMs);
        this.noteConnection(lost);
        return lost;
      } finally {
        clearTimeout(timeout);
        this.onCancel.delete(abandon);
      }
    });
  }

  /** A URL that has never answered and refuses connection after connection is wrong or down. */
  private noteConnection(lost: Lost): void {
    if (this.everAnswered) return;
    const code = lost.notSentCode;
    if (code === undefined || !UNREACHABLE_CODES.has(code)) {
      this.failedConnectionsInARow = 0;
      return;
    }
    this.failedConnectionsInARow++;
    if (this.failedConnectionsInARow >= UNREACHABLE_AFTER)
      this.unreachable ??= new JumpCloudUnreachableError(this.baseUrl, code);
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
    await this.waitUnlessCancelled(delayMs, this.sleep);
    this.failFast();
  }

  /** A wait that a cancel cuts short. */
  private waitUnlessCancelled(ms: number, sleep: (ms: number) => Promise<void>): Promise<void> {
    if (this.cancel?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.onCancel.delete(done);
        resolve();
      };
      this.onCancel.add(done);
      sleep(ms).then(done, done);
    });
  }

  /** A timer that a cancel clears, so no wait outlives a cancelled run. */
  private timer(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.onCancel.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.onCancel.add(done);
    });
  }

  private cutShort(): void {
    for (const end of [...this.onCancel]) end();
  }

  private throwIfRejected(status: number): void {
    if (status !== 401 && status !== 403) return;
    this.rejection ??= new ApiKeyRejectedError(status);
    throw this.rejection;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What went wrong, for "JumpCloud <problem> after N attempts". */
function problemOf(exchange: Exchange): string {
  return exchange.kind === 'answer' ? `kept answering ${exchange.status}` : exchange.problem;
}

function statusOf(exchange: Exchange): Record<string, string | number> {
  return exchange.kind === 'answer' ? { status: exchange.status } : { problem: exchange.problem };
}

function lostExchange(error: unknown, timeoutMs: number): Lost {
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
    return {
      kind: 'lost',
      problem: `could not be reached (${code})`,
      mayHaveActed: false,
      notSentCode: code,
    };
  return { kind: 'lost', problem: `kept dropping the connection (${code})`, mayHaveActed: true };
}
