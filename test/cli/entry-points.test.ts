/**
 * Every entry point a person types answers --help, and a wrong option gets one line saying
 * which, not a stack trace: `npm run demo`, `npm start` and `npm run bench` (run here the way
 * their npm scripts run them, through tsx).
 */
import { describe, expect, it } from 'vitest';
import { start, TSX } from './processes';

const ENTRY_POINTS = [
  { script: 'local/demo.ts', usage: 'Usage: npm run demo', name: 'demo' },
  { script: 'local/serve.ts', usage: 'Usage: npm start', name: 'start' },
  { script: 'bench/run.ts', usage: 'Usage: npm run bench', name: 'bench' },
];

const run = async (args: string[]) => {
  const running = start(TSX, args);
  running.child.stdin.end();
  return running.exited;
};

describe('npm run demo, npm start and npm run bench', () => {
  it('answer --help with their usage and options, and start nothing', async () => {
    // Act
    const results = await Promise.all(ENTRY_POINTS.map(({ script }) => run([script, '--help'])));

    // Assess
    results.forEach((result, i) => {
      expect(result.code).toBe(0);
      expect(result.stdout.startsWith(ENTRY_POINTS[i]?.usage ?? '?')).toBe(true);
      expect(result.stdout).toContain('-h, --help');
      expect(result.stderr).toBe('');
    });
  });

  it('refuse an unknown option with one line naming it, exit 2', async () => {
    // Act
    const results = await Promise.all(ENTRY_POINTS.map(({ script }) => run([script, '--bogus'])));

    // Assess
    results.forEach((result, i) => {
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(new RegExp(`^${ENTRY_POINTS[i]?.name}: Unknown option '--bogus'.*--help`)),
      ]);
      expect(result.stdout).toBe('');
    });
  });
});
