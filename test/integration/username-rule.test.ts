/**
 * One username rule (lambda/users/username.ts): what `validate` accepts, the simulator accepts
 * over HTTP, and what `validate` refuses, the simulator refuses too. No name passes one and fails
 * on the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRowValidator } from '../../lambda/users/validate-row';
import { type JumpCloudSimulator, startJumpCloudSimulator } from '../../local/jumpcloud-simulator';

const API_KEY = 'jca_username_rule_test_key';
let simulator: JumpCloudSimulator;

beforeAll(async () => {
  simulator = await startJumpCloudSimulator({ apiKey: API_KEY, passwordPolicy: false });
});
afterAll(() => simulator.close());

/** The status the simulator answers to creating a user with this username. */
async function createdBySimulator(username: string, n: number): Promise<boolean> {
  const response = await fetch(`${simulator.url}/api/systemusers`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, email: `rule${n}@example.com` }),
  });
  await response.text();
  return response.status === 200;
}

describe('the username rule', () => {
  const usernames = [
    'jdoe',
    'J.Doe-Smith_2',
    'a',
    '李雷',
    'josé.núñez',
    'Zoë',
    '1jdoe',
    '_jdoe',
    'j doe',
    'jdoe@example.com',
    'j+doe',
    "o'brien",
  ];

  it.each(usernames.map((username, n) => [username, n] as const))(
    '%j: validate and the simulator agree',
    async (username, n) => {
      // Act
      const valid = createRowValidator()({ row: 2, cells: { username, email: `rule${n}@example.com` } }).ok;
      const created = await createdBySimulator(username, n);

      // Assess
      expect(created).toBe(valid);
    },
  );

  it('is ASCII letters first, then ASCII letters, digits, ".", "-" and "_"', () => {
    const valid = usernames.filter(
      (username, n) =>
        createRowValidator()({ row: 2, cells: { username, email: `rule${n}@example.com` } }).ok,
    );

    expect(valid).toEqual(['jdoe', 'J.Doe-Smith_2', 'a']);
  });
});
