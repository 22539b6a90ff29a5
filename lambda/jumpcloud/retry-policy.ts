/**
 * When to try a JumpCloud request again, and how long to wait first.
 * JumpCloud publishes no rate limit and documents no Retry-After; 429, 500, 502, 503, 504 and
 * connection errors are transient (API notes, "Errors" and "Rate limits"), everything else is an
 * answer. Waits grow exponentially with full jitter, so many clients do not retry in step.
 */

/** Statuses that mean "not now" rather than "no" (API notes, "Errors"). */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * `Retry-After` in milliseconds from now: delta-seconds or an HTTP date. Undefined when absent
 * or unreadable, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone takes "-5" for a year.
  const date = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * How long the API says to hold every request, from rate headers on any answer: `RateLimit-*`
 * (the IETF draft) or `X-RateLimit-*` (GitHub and others). Only a spent allowance (remaining 0)
 * holds; the reset is delta-seconds, or epoch seconds when that large. JumpCloud documents none
 * of these (API notes, "Rate limits"); undefined when absent or unreadable.
 */
export function rateLimitHoldMs(headers: Headers, nowMs: number): number | undefined {
  const header = (name: string) =>
    (headers.get(`ratelimit-${name}`) ?? headers.get(`x-ratelimit-${name}`))?.trim();
  const remaining = header('remaining');
  const reset = header('reset');
  if (remaining !== '0' || !reset || !/^\d+(\.\d+)?$/.test(reset)) return undefined;
  const seconds = Number(reset);
  // Delta-seconds are small; an epoch time (seconds since 1970) is not.
  return Math.max(0, seconds > 1_000_000_000 ? seconds * 1000 - nowMs : seconds * 1000);
}

export interface RetryPolicyOptions {
  /** Attempts per request including the first. */
  maxAttempts: number;
  /** The first backoff window; each retry doubles it. Default 500 ms. */
  baseDelayMs?: number;
  /** The largest backoff window. JumpCloud's own CLI caps at 30 s. */
  maxDelayMs: number;
  /** The longest `Retry-After` we honour; a server asking for more gets this. Default 60 s. */
  retryAfterCapMs?: number;
  /** [0, 1), for the jitter. */
  random: () => number;
}

export class RetryPolicy {
  readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly retryAfterCapMs: number;
  private readonly random: () => number;

  constructor(options: RetryPolicyOptions) {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      throw new RangeError(`maxAttempts must be a whole number from 1 up, got ${options.maxAttempts}`);
    }
    this.maxAttempts = options.maxAttempts;
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs;
    this.retryAfterCapMs = options.retryAfterCapMs ?? 60_000;
    this.random = options.random;
  }

  /** Whether another attempt may follow attempt number `attempt` (1-based). */
  canRetry(attempt: number): boolean {
    return attempt < this.maxAttempts;
  }

  /**
   * How long to wait after failed attempt number `attempt` (1-based). A `Retry-After` the server
   * sent wins (up to the cap); otherwise full jitter: uniform in [0, min(cap, base * 2^(attempt-1))).
   */
  delayMs(attempt: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), this.retryAfterCapMs);
    const window = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * window);
  }
}
