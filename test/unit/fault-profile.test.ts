/**
 * The simulator's realistic profile (used by the benchmark): faults drawn by chance, the same
 * ones for the same seed, and served over HTTP as a real JumpCloud would meet them.
 */
import { describe, expect, it } from 'vitest';
import { startJumpCloudSimulator } from '../../local/jumpcloud-simulator';
import { FaultProfile } from '../../local/simulator/fault-profile';
import { startSimulatorProcess } from '../../local/simulator-process';

const API_KEY = 'jca_fault_profile_test_key';

const draw = (profile: FaultProfile, n: number) =>
  Array.from({ length: n }, () => ({
    latency: profile.latencyMs(),
    fault: profile.faultFor('create'),
    retryAfter: profile.sendsRetryAfter(),
  }));

const create = (url: string, n: number) =>
  fetch(`${url}/api/systemusers`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: `user${n}`, email: `user${n}@example.com`, password: 'Long-enough-1' }),
  });

describe('FaultProfile', () => {
  it('draws the same latencies and faults for the same seed, other ones for another', () => {
    // Act
    const first = draw(new FaultProfile({ seed: 7, latencyMs: 80 }), 500);
    const again = draw(new FaultProfile({ seed: 7, latencyMs: 80 }), 500);
    const other = draw(new FaultProfile({ seed: 8, latencyMs: 80 }), 500);

    // Assess
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('keeps latency within the jitter around the median, and gives about 1% transient 503s', () => {
    // Act
    const draws = draw(new FaultProfile({ seed: 1, latencyMs: 100 }), 20_000);

    // Assess
    const latencies = draws.map((d) => d.latency);
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(75);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(125);
    const faults = draws.flatMap((d) => (d.fault ? [d.fault] : []));
    expect(faults.length).toBeGreaterThan(100);
    expect(faults.length).toBeLessThan(300);
    expect(faults.every((f) => f.kind === 'error' && f.status === 503)).toBe(true);
    expect(faults.some((f) => f.kind === 'error' && f.afterCreate)).toBe(true);
    expect(faults.some((f) => f.kind === 'error' && !f.afterCreate)).toBe(true);
  });
});

describe('the simulator with a profile', () => {
  it('answers 503 after creating the person when the profile loses the answer', async () => {
    // Prepare
    const sim = await startJumpCloudSimulator({
      apiKey: API_KEY,
      profile: new FaultProfile({ latencyMs: 1, transientErrorRate: 1, lostAfterActing: 1 }),
    });

    try {
      // Act
      const answer = await create(sim.url, 1);

      // Assess
      expect(answer.status).toBe(503);
      expect(sim.users().map((u) => u.username)).toEqual(['user1']);
    } finally {
      await sim.close();
    }
  });

  it('answers 429 beyond its rate limit, with Retry-After as often as the profile says', async () => {
    // Prepare: a bucket of one request, then every request is refused.
    const profile = (retryAfterShare: number) =>
      new FaultProfile({ latencyMs: 1, transientErrorRate: 0, retryAfterShare });
    const always = await startJumpCloudSimulator({
      apiKey: API_KEY,
      rateLimit: { requestsPerSecond: 0.001, burst: 1 },
      profile: profile(1),
    });
    const never = await startJumpCloudSimulator({
      apiKey: API_KEY,
      rateLimit: { requestsPerSecond: 0.001, burst: 1 },
      profile: profile(0),
    });

    try {
      // Act
      await Promise.all([create(always.url, 1), create(never.url, 1)]);
      const [withHeader, withoutHeader] = await Promise.all([create(always.url, 2), create(never.url, 2)]);

      // Assess
      expect(withHeader.status).toBe(429);
      expect(withHeader.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(withoutHeader.status).toBe(429);
      expect(withoutHeader.headers.get('retry-after')).toBeNull();
    } finally {
      await Promise.all([always.close(), never.close()]);
    }
  });
});

describe('the simulator in its own process', () => {
  it('serves on loopback and reports the people it stored and every answer it gave', async () => {
    // Prepare
    const sim = await startSimulatorProcess({
      apiKey: API_KEY,
      profile: { latencyMs: 1, transientErrorRate: 0 },
    });

    try {
      // Act
      const answers = await Promise.all([create(sim.url, 1), create(sim.url, 2), create(sim.url, 1)]);
      const report = await sim.report();

      // Assess
      expect(new URL(sim.url).hostname).toBe('127.0.0.1');
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 400]);
      expect(report.usernames.sort()).toEqual(['user1', 'user2']);
      expect(report).toMatchObject({ requests: 3, answers: { 200: 2, 400: 1 } });
    } finally {
      await sim.close();
    }
  });
});
