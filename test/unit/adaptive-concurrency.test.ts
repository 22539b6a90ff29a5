/**
 * The limiter's decisions, on a virtual clock: requests "travel" for a simulated latency to a
 * simulated token bucket, and the clock jumps from one event to the next. Nothing waits for real
 * time, so rates, latencies and durations are exact and every run is the same.
 */
import { describe, expect, it } from 'vitest';
import {
  AdaptiveConcurrency,
  type CongestionFeedback,
  type LimiterChange,
} from '../../lambda/jumpcloud/adaptive-concurrency';

/** A clock that only moves when every pending promise has settled, straight to the next timer. */
class VirtualClock {
  now = 0;
  private timers: { at: number; seq: number; fire: () => void }[] = [];
  private seq = 0;

  wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      this.timers.push({ at: this.now + Math.max(0, ms), seq: this.seq++, fire: resolve });
    });

  /** Runs until `done` settles, firing timers in time order. */
  async runUntil<T>(done: Promise<T>): Promise<T> {
    let settled = false;
    const result = done.finally(() => {
      settled = true;
    });
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return result;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error('nothing left to run, yet the work is not done');
      this.now = next.at;
      next.fire();
    }
  }
}

/** JumpCloud as the limiter sees it: a latency, then a token bucket says yes or 429. */
interface Api {
  requestsPerSecond: number;
  burst: number;
  latencyMs: number;
  /** +/- this fraction of the latency, from a fixed sequence. */
  jitter?: number;
}

interface RunFigures {
  seconds: number;
  requests: number;
  throttled: number;
  peakInFlight: number;
  limiter: AdaptiveConcurrency;
  changes: LimiterChange[];
}

/** Sends `people` creates through the limiter, each resent after a 429 until it gets through. */
async function onboard(people: number, api: Api, max = 64): Promise<RunFigures> {
  const clock = new VirtualClock();
  const changes: LimiterChange[] = [];
  const limiter = new AdaptiveConcurrency({
    max,
    now: () => clock.now,
    wait: clock.wait,
    onChange: (change) => changes.push(change),
  });
  let tokens = api.burst;
  let refilledAt = 0;
  let requests = 0;
  let throttled = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  let jitterStep = 0;
  const latency = () => {
    // A fixed, well-spread sequence in [-1, 1): the same run every time.
    jitterStep = (jitterStep + 0.618_033_988_75) % 1;
    return api.latencyMs * (1 + (api.jitter ?? 0) * (2 * jitterStep - 1));
  };
  const arrives = (): boolean => {
    tokens = Math.min(api.burst, tokens + ((clock.now - refilledAt) / 1000) * api.requestsPerSecond);
    refilledAt = clock.now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const send = (feedback: CongestionFeedback) => async () => {
    requests++;
    inFlight++;
    peakInFlight = Math.max(peakInFlight, inFlight);
    const half = latency() / 2;
    await clock.wait(half);
    const accepted = arrives();
    await clock.wait(half);
    inFlight--;
    if (accepted) feedback.succeeded();
    else {
      throttled++;
      feedback.throttled();
    }
    return accepted;
  };
  const createPerson = async () => {
    while (!(await limiter.run((feedback) => send(feedback)()))) {
      // A 429: sent again, as the transport does (its backoff is not what is measured here).
    }
  };
  // The engine keeps about twice the limit's maximum rows in hand.
  let next = 0;
  const workers = Array.from({ length: 2 * max }, async () => {
    while (next < people) {
      next++;
      await createPerson();
    }
  });
  await clock.runUntil(Promise.all(workers));
  return { seconds: clock.now / 1000, requests, throttled, peakInFlight, limiter, changes };
}

describe('AdaptiveConcurrency on a virtual clock', () => {
  it('starts at 8 in flight, or at the maximum when that is lower', () => {
    expect(new AdaptiveConcurrency({ max: 64 }).current).toBe(8);
    expect(new AdaptiveConcurrency({ max: 3 }).current).toBe(3);
  });

  it('refuses a maximum that is not a whole number from 1', () => {
    expect(() => new AdaptiveConcurrency({ max: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveConcurrency({ max: 2.5 })).toThrow(RangeError);
  });

  it.each([80, 150])(
    'grows past 8 in flight when %i ms latency, not the API, is what limits',
    async (latencyMs) => {
      const run = await onboard(3000, { requestsPerSecond: 10_000, burst: 10_000, latencyMs, jitter: 0.25 });

      expect(run.throttled).toBe(0);
      expect(run.peakInFlight).toBe(64);
      expect(run.limiter.requestsPerSecond).toBeUndefined();
      // Eight at a time would take 3000 x latency / 8; growing to 64 takes well under a third of that.
      expect(run.seconds).toBeLessThan((3000 * latencyMs) / 1000 / 8 / 3);
    },
  );

  it('never grows past the configured maximum', async () => {
    const run = await onboard(1000, { requestsPerSecond: 10_000, burst: 10_000, latencyMs: 100 }, 12);

    expect(run.peakInFlight).toBe(12);
  });

  it.each([
    [50, 80],
    [50, 150],
    [100, 80],
    [100, 150],
  ])(
    'at a %i requests/s limit and %i ms latency: close to the bound, 429s a small fraction of requests',
    async (requestsPerSecond, latencyMs) => {
      const people = 5000;
      const run = await onboard(people, {
        requestsPerSecond,
        burst: requestsPerSecond,
        latencyMs,
        jitter: 0.25,
      });

      const bound = people / requestsPerSecond;
      expect(run.requests - people, 'requests caused by 429s').toBe(run.throttled);
      expect(run.throttled / run.requests).toBeLessThan(0.02);
      expect(run.seconds / bound).toBeLessThan(1.05);
      // It learned the limit: paced near it (somewhere on its way up to the next 429).
      expect(run.limiter.requestsPerSecond).toBeGreaterThan(requestsPerSecond * 0.75);
      expect(run.limiter.requestsPerSecond).toBeLessThan(requestsPerSecond * 1.1);
    },
  );

  it('finds a limit with no burst allowance too, with few 429s', async () => {
    const run = await onboard(2000, { requestsPerSecond: 50, burst: 2, latencyMs: 80, jitter: 0.1 });

    // Its first measure comes from the start's pile-up and is low; the pace climbs back from it.
    expect(run.throttled / run.requests).toBeLessThan(0.02);
    expect(run.seconds / (2000 / 50)).toBeLessThan(1.35);
    expect(run.limiter.requestsPerSecond).toBeGreaterThan(45);
  });

  it('starts no request while the API said its allowance is spent', async () => {
    const clock = new VirtualClock();
    const limiter = new AdaptiveConcurrency({ max: 8, now: () => clock.now, wait: clock.wait });
    const startedAt: number[] = [];
    const start = () =>
      limiter.run(async (feedback) => {
        startedAt.push(clock.now);
        feedback.succeeded();
      });

    await clock.runUntil(start());
    limiter.holdFor(1500);
    await clock.runUntil(Promise.all([start(), start()]));

    expect(startedAt).toEqual([0, 1500, 1500]);
  });

  it('tells who listens when it starts pacing, with the rate', async () => {
    const run = await onboard(1000, { requestsPerSecond: 50, burst: 50, latencyMs: 80 });

    const paced = run.changes.filter((change) => change.cause === 'paced');
    expect(paced.length).toBeGreaterThan(0);
    expect(paced[0]).toEqual({ cause: 'paced', requestsPerSecond: expect.any(Number) });
  });
});

describe('AdaptiveConcurrency without a measurable rate', () => {
  /** Runs one task and hands back its feedback, as a request would report after its answer. */
  async function answered(
    limiter: AdaptiveConcurrency,
    report: (feedback: CongestionFeedback) => void,
  ): Promise<void> {
    await limiter.run(async (feedback) => report(feedback));
  }

  it('halves requests in flight on 429s with nothing let through, never below one', async () => {
    const limiter = new AdaptiveConcurrency({ max: 8 });
    const seen: number[] = [];

    for (let i = 0; i < 5; i++) {
      await answered(limiter, (f) => f.throttled());
      seen.push(limiter.current);
    }

    expect(seen).toEqual([4, 2, 1, 1, 1]);
    expect(limiter.requestsPerSecond).toBeUndefined();
  });

  it('cuts once for a burst of 429s from requests that were already in flight', async () => {
    const limiter = new AdaptiveConcurrency({ max: 8 });
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

  it('grows back by one per round of successes while every slot is busy, up to the maximum', async () => {
    const limiter = new AdaptiveConcurrency({ max: 4 });
    await answered(limiter, (f) => f.throttled());
    await answered(limiter, (f) => f.throttled());
    expect(limiter.current).toBe(1);
    const seen: number[] = [];

    // One request at a time at a limit of 1: the window is full, so it is proven.
    for (let i = 0; i < 3; i++) {
      await answered(limiter, (f) => f.succeeded());
      seen.push(limiter.current);
    }

    expect(seen).toEqual([2, 2, 2]);
  });

  it('does not grow when requests come one at a time and never fill the window', async () => {
    const limiter = new AdaptiveConcurrency({ max: 64 });

    for (let i = 0; i < 50; i++) await answered(limiter, (f) => f.succeeded());

    expect(limiter.current).toBe(8);
  });

  it('never runs more tasks at once than the current limit', async () => {
    const limiter = new AdaptiveConcurrency({ max: 3 });
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
    const changes: LimiterChange[] = [];
    const limiter = new AdaptiveConcurrency({ max: 2, onChange: (change) => changes.push(change) });

    await answered(limiter, (f) => f.throttled());
    await answered(limiter, (f) => f.succeeded());

    expect(changes).toEqual([
      { cause: 'throttled', concurrency: 1 },
      { cause: 'recovered', concurrency: 2 },
    ]);
  });
});
