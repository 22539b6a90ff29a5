/**
 * `npm run bench` cannot rot unnoticed: every piece of it runs here at a tiny size (a few rows,
 * one run, one cold start), the same code the full run uses, and the report holds every figure
 * and every target's verdict. Nothing is timed: the figures themselves are not checked.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { measure, type Plan } from '../../bench/measure';
import { reportChart, reportTable } from '../../bench/report';
import { start, TSX } from './processes';

const TINY: Plan = {
  mode: 'quick',
  runs: 1,
  main: [
    { path: 'handler', rows: 6, rate: 50, latencyMs: 5 },
    { path: 'cli', rows: 6, rate: 100, latencyMs: 5 },
  ],
  baseline: [{ path: 'cli', rows: 3, rate: 100, latencyMs: 5, concurrency: 1 }],
  sweep: [
    { path: 'cli', rows: 3, rate: 100, latencyMs: 5, concurrency: 2 },
    { path: 'cli', rows: 6, rate: 100, latencyMs: 5 },
  ],
  validateRows: [50],
  timings: 1,
};

describe('npm run bench', () => {
  it('measures every figure on tiny files and judges every target', { timeout: 240_000 }, async () => {
    // Prepare
    const work = await mkdtemp(path.join(tmpdir(), 'bench-test-'));

    try {
      // Act
      const report = await measure(TINY, 4, work);
      const table = reportTable(report);
      const chart = reportChart(report);

      // Assess: every row of every file reached the simulator once, as one person.
      expect(report.api).toHaveLength(5);
      for (const f of report.api) {
        expect(f.missing).toBe(0);
        expect(f.duplicates).toBe(0);
        expect(f.requestsPerRow.median).toBeGreaterThanOrEqual(1);
        expect(f.seconds.runs).toHaveLength(1);
      }
      expect(report.speedUps).toHaveLength(1);
      expect(report.validation.map((v) => [v.through, v.rows])).toEqual([
        ['engine', 50],
        ['cli', 50],
      ]);
      expect(report.validation.every((v) => v.peakRssMb.median > 0)).toBe(true);
      expect(report.bundle.rawBytes).toBeGreaterThan(report.bundle.gzipBytes);
      expect(report.bundle.biggest.map((m) => m.module)).toContain('(our code)');
      expect(report.coldStartSeconds.runs).toHaveLength(1);
      expect(report.helpSeconds.runs).toHaveLength(1);
      expect(report.targets.map((t) => t.name)).toEqual([
        '5,000 new people within 1.05x the bound: jc-onboard, 5 ms',
        'requests per row under 1.03 at a 50 req/s limit (worst case)',
        'every row accounted for: 0 duplicates, 0 missing, every run',
        '200,000 rows validated in under 4 s: engine',
        'peak RSS under 150 MB at 1,000,000 rows: engine',
        '200,000 rows validated in under 4 s: jc-onboard validate',
        'peak RSS under 150 MB at 1,000,000 rows: jc-onboard validate',
        'bundle under 600 KB minified',
        'cold start to the first empty file under 250 ms',
        'jc-onboard --help under 0.5 s',
      ]);
      for (const t of report.targets) expect(table).toContain(t.name);
      expect(table).toMatch(/QUICK run/);
      expect(table).toContain('One at a time');
      expect(table).toContain('Concurrency sweep');
      expect(chart.startsWith('<svg')).toBe(true);
      expect(chart).toContain('jc-onboard, 6 rows, 100/s, 5 ms');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('refuses a bad --runs with one line and exit 2', async () => {
    // Act
    const running = start(TSX, ['bench/run.ts', '--runs', '0']);
    running.child.stdin.end();
    const result = await running.exited;

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^bench: --runs must be a whole number/),
    ]);
    expect(result.stdout).toBe('');
  });
});
