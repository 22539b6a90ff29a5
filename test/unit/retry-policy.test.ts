import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency, type CongestionFeedback } from '../../lambda/jumpcloud/adaptive-concurrency';
import { isRetryableStatus, parseRetryAfter, RetryPolicy } from '../../lambda/jumpcloud/retry-policy';

describe('isRetryableStatus', () => {
  it.each([429, 500, 502, 503, 504])('retries %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([200, 400, 401, 403, 404, 409, 501])('does not retry %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', now)).toBe(30_000);
  });

  it('treats a date already past as no wait', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', now)).toBe(0);
  });

  it.each([null, undefined, '', 'soon', '-5'])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('RetryPolicy', () => {
  const policy = (random: () => number, maxDelayMs = 30_000) =>
    new RetryPolicy({ maxAttempts: 6, maxDelayMs, random });

  it('allows retries until the attempts including the first are used up', () => {
    const retries = policy(() => 0);

    expect([1, 2, 3, 4, 5, 6].map((attempt) => retries.canRetry(attempt))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('doubles the backoff window each attempt, with full jitter inside it', () => {
    const almostWhole = policy(() => 0.999);

    expect([1, 2, 3, 4].map((attempt) => almostWhole.delayMs(attempt))).toEqual([499, 999, 1998, 3996]);
    expect(policy(() => 0).delayMs(4)).toBe(0);
  });

  it('never waits longer than the cap', () => {
    expect(policy(() => 0.999, 30_000).delayMs(20)).toBeLessThan(30_000);
  });

  it('honours Retry-After over its own backoff', () => {
    expect(policy(() => 0.5).delayMs(1, 12_000)).toBe(12_000);
  });

  it('caps a Retry-After at 60 seconds', () => {
    expect(policy(() => 0.5).delayMs(1, 3_600_000)).toBe(60_000);
  });

  it('refuses fewer than one attempt', () => {
    expect(() => new RetryPolicy({ maxAttempts: 0, maxDelayMs: 1, random: Math.random })).toThrow(RangeError);
  });
});

describe('AdaptiveConcurrency', () => {
  /** Runs one task and hands back its feedback, as a request would report after its answer. */
  async function answered(
    limiter: AdaptiveConcurrency,
    report: (feedback: CongestionFeedback) => void,
  ): Promise<void> {
    await limiter.run(async (feedback) => report(feedback));
  }

  it('starts at the configured maximum', () => {
    expect(new AdaptiveConcurrency(8).current).toBe(8);
  });

  it('halves on a 429, never below one', async () => {
    const limiter = new AdaptiveConcurrency(8);
    const seen: number[] = [];

    for (let i = 0; i < 5; i++) {
      await answered(limiter, (f) => f.throttled());
      seen.push(limiter.current);
    }

    expect(seen).toEqual([4, 2, 1, 1, 1]);
  });

  it('cuts once for a burst of 429s from requests that were already in flight', async () => {
    const limiter = new AdaptiveConcurrency(8);
    const inFlight: CongestionFeedback[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tasks = Array.from({ length: 8 }, () =>
      limiter.run(async (feedback) => {
        inFlight.push(feedback);
        await gate;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));

    for (const feedback of inFlight) feedback.throttled();
    release();
    await Promise.all(tasks);

    expect(limiter.current).toBe(4);
  });

  it('adds one after a run of successes as long as the current limit, up to the maximum', async () => {
    const limiter = new AdaptiveConcurrency(4);
    await answered(limiter, (f) => f.throttled());
    await answered(limiter, (f) => f.throttled());
    const seen: number[] = [];

    for (let i = 0; i < 12; i++) {
      await answered(limiter, (f) => f.succeeded());
      seen.push(limiter.current);
    }

    expect(seen).toEqual([2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4]);
  });

  it('never runs more tasks at once than the current limit', async () => {
    const limiter = new AdaptiveConcurrency(3);
    let running = 0;
    let peak = 0;

    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setImmediate(resolve));
          running--;
        }),
      ),
    );

    expect(peak).toBe(3);
  });

  it('tells who listens when it changes the limit', async () => {
    const changes: string[] = [];
    const limiter = new AdaptiveConcurrency(2, (concurrency, cause) =>
      changes.push(`${cause}:${concurrency}`),
    );

    await answered(limiter, (f) => f.throttled());
    await answered(limiter, (f) => f.succeeded());

    expect(changes).toEqual(['throttled:1', 'recovered:2']);
  });
});
