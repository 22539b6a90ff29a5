import { describe, expect, it } from 'vitest';
import {
  isRetryableStatus,
  parseRetryAfter,
  RetryPolicy,
  rateLimitHoldMs,
} from '../../lambda/jumpcloud/retry-policy';

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

describe('rateLimitHoldMs', () => {
  const NOW = Date.parse('2026-03-02T09:00:00Z');

  it.each([
    ['IETF draft headers, delta-seconds', { 'RateLimit-Remaining': '0', 'RateLimit-Reset': '2' }, 2000],
    ['X- headers, delta-seconds', { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '0.5' }, 500],
    [
      'X- headers, epoch seconds',
      { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW / 1000 + 3) },
      3000,
    ],
    [
      'an epoch reset already past',
      { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(NOW / 1000 - 3) },
      0,
    ],
  ])('holds every request while the allowance is spent: %s', (_, headers, expected) => {
    expect(rateLimitHoldMs(new Headers(headers), NOW)).toBe(expected);
  });

  it.each([
    ['allowance left', { 'X-RateLimit-Remaining': '3', 'X-RateLimit-Reset': '2' }],
    ['no reset', { 'X-RateLimit-Remaining': '0' }],
    ['an unreadable reset', { 'RateLimit-Remaining': '0', 'RateLimit-Reset': 'soon' }],
    ['no rate headers', {}],
  ])('holds nothing with %s', (_, headers) => {
    expect(rateLimitHoldMs(new Headers(headers), NOW)).toBeUndefined();
  });
});
