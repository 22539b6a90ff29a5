/**
 * A JumpCloud URL that nothing answers (a typo in the URL, a blocked network): the function stops
 * the file at once, as it does for a rejected key, instead of retrying every row for minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedStack, startEmbeddedStack } from '../../local/embedded-stack';
import { rowsOf } from './results';

/** Connecting to port 0 is refused at once on loopback: a JumpCloud URL with nothing behind it. */
const NOTHING_LISTENING = 'http://127.0.0.1:0';

let stack: EmbeddedStack;

beforeAll(async () => {
  stack = await startEmbeddedStack({
    environment: {
      JUMPCLOUD_API_URL: NOTHING_LISTENING,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

describe('a JumpCloud URL nothing answers', () => {
  it('stops the file like a rejected key: every row failed as not sent, the file error says which URL', async () => {
    // Prepare
    const lines = ['Username,Email'];
    for (let i = 0; i < 200; i++) lines.push(`far${i},far${i}@example.com`);

    // Act
    const results = await stack.drop('incoming/far.csv', `${lines.join('\r\n')}\r\n`);

    // Assess
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows).toHaveLength(200);
    for (const row of rows) {
      expect([row.status, row.message]).toEqual([
        'failed',
        expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:0 \(ECONNREFUSED\); row not sent/),
      ]);
    }
    expect(results?.summary.fileError).toMatch(/cannot reach http:\/\/127\.0\.0\.1:0/);
    expect(stack.lambda.invocations.at(-1)?.error).toMatch(/cannot reach/);
  });
});
