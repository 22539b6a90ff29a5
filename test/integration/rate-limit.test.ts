/**
 * A JumpCloud with a rate limit (a token bucket, as the simulator keeps one), through the real
 * client over real HTTP: the client finds the limit from the 429s and paces itself to it. Every
 * person is created exactly once, nobody is missing, and the 429s stay a small fraction of the
 * requests. How close to the limit it runs is a benchmark figure, not asserted here: on a busy
 * machine the timing varies, while none of what is asserted does.
 */
import { describe, expect, it } from 'vitest';
import type { DirectoryOutcome } from '../../lambda/domain';
import { JumpCloudClient } from '../../lambda/jumpcloud/client';
import { startJumpCloudSimulator } from '../../local/jumpcloud-simulator';

const API_KEY = 'jca_rate_limit_test_key_0123456789abcd';

describe('a rate-limited JumpCloud', () => {
  it.each([
    ['with Retry-After', true],
    ['without Retry-After', false],
  ])('%s: everyone created once, nobody missing, few 429s', async (_, retryAfter) => {
    // Prepare: 25 requests a second with a burst of 5; a client allowed up to 64 in flight would
    // send hundreds a second at this latency if it did not pace itself.
    const simulator = await startJumpCloudSimulator({
      apiKey: API_KEY,
      latencyMs: { min: 5, max: 15 },
      rateLimit: { requestsPerSecond: 25, burst: 5, retryAfter },
      passwordPolicy: false,
    });
    try {
      const client = new JumpCloudClient({ baseUrl: simulator.url, apiKey: API_KEY, concurrency: 64 });
      const people = 150;
      const outcomes: DirectoryOutcome[] = [];
      let next = 0;

      // Act: as the engine does, up to twice the most requests in flight at once.
      await Promise.all(
        Array.from({ length: 128 }, async () => {
          while (next < people) {
            const i = next++;
            outcomes[i] = await client.createUser({ username: `paced${i}`, email: `paced${i}@example.com` });
          }
        }),
      );

      // Assess
      expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(people).fill('created'));
      const usernames = simulator.users().map((user) => user.username);
      expect(usernames).toHaveLength(people);
      expect(new Set(usernames)).toEqual(new Set(Array.from({ length: people }, (_, i) => `paced${i}`)));
      const { requests, throttled } = client.stats;
      expect(throttled, 'it really was throttled').toBeGreaterThan(0);
      expect(requests).toBe(people + throttled);
      // Unpaced, most requests would be 429s; the benchmark's target is under 2% on long files.
      expect(throttled / requests).toBeLessThan(0.3);
    } finally {
      await simulator.close();
    }
  });
});
