import { describe, expect, it } from 'vitest';
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
