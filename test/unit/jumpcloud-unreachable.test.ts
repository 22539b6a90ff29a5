/**
 * The client gives up on a JumpCloud URL that never answered, and only on that: once JumpCloud
 * has answered, a connection failure is a passing fault and is retried as usual.
 */
import { describe, expect, it } from 'vitest';
import { JumpCloudUnreachableError } from '../../lambda/errors';
import { JumpCloudClient } from '../../lambda/jumpcloud/client';
import { startJumpCloudSimulator } from '../../local/jumpcloud-simulator';

const API_KEY = 'jca_unreachable_test_key_0123456789';
const person = (n: number) => ({ username: `user${n}`, email: `user${n}@example.com` });
const noWait = async () => undefined;

describe('a JumpCloud that cannot be reached', () => {
  it('throws JumpCloudUnreachableError naming the URL once the first requests cannot connect, then fails fast', async () => {
    // Prepare: nothing listens on port 0
    const client = new JumpCloudClient({
      baseUrl: 'http://127.0.0.1:0',
      apiKey: API_KEY,
      concurrency: 1,
      sleep: noWait,
    });

    // Act
    const first = await client.createUser(person(1)).catch((error: unknown) => error);
    const requestsAfterFirst = client.stats.requests;
    const second = await client.planUser(person(2)).catch((error: unknown) => error);

    // Assess
    expect(first).toBeInstanceOf(JumpCloudUnreachableError);
    expect((first as Error).message).toBe('cannot reach http://127.0.0.1:0 (ECONNREFUSED)');
    expect((first as Error).message).not.toContain(API_KEY);
    expect(requestsAfterFirst).toBe(3);
    expect(second).toBe(first);
    expect(client.stats.requests).toBe(3);
  });

  it('after JumpCloud has answered, a refused connection is retried and reported on the row, not the run', async () => {
    // Prepare: one user created, then JumpCloud goes away
    const simulator = await startJumpCloudSimulator({ apiKey: API_KEY });
    const client = new JumpCloudClient({
      baseUrl: simulator.url,
      apiKey: API_KEY,
      concurrency: 1,
      maxAttempts: 4,
      sleep: noWait,
    });
    expect((await client.createUser(person(1))).status).toBe('created');
    await simulator.close();

    // Act
    const outcome = await client.createUser(person(2));

    // Assess
    expect(outcome).toEqual({
      status: 'failed',
      message: 'JumpCloud could not be reached (ECONNREFUSED) after 4 attempts',
    });
  });
});
