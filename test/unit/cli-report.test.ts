/**
 * What `jc-onboard` prints: the pace of the progress bar, the end-of-run report (for a run too
 * long to list row by row too), and the JSON document written row by row.
 */
import { describe, expect, it } from 'vitest';
import { duration, Pace } from '../../cli/progress';
import { type FinishedRun, humanReport, JsonReport, TableRows } from '../../cli/report';
import type { RowOutcome, RowStatus } from '../../lambda/domain';
import { emptyCounts } from '../../lambda/results/results-file';
import { buildSummary } from '../../lambda/results/summary';

function outcome(row: number, status: RowStatus): RowOutcome {
  const message = status === 'failed' ? 'JumpCloud refused (400): password does not meet the policy' : '';
  return { row, status, username: `user${row}`, email: `user${row}@acme.test`, jumpcloudId: '', message };
}

function finished(outcomes: RowOutcome[], resultsPath?: string): FinishedRun {
  const counts = emptyCounts();
  for (const o of outcomes) counts[o.status] += 1;
  const at = new Date('2026-03-01T09:00:00Z');
  const summary = buildSummary({
    input: { key: '/tmp/new-hires.csv' },
    results: {},
    dryRun: false,
    startedAt: at,
    finishedAt: at,
    counts,
  });
  return {
    kind: 'run',
    summary,
    rows: TableRows.of(outcomes),
    exitCode: 0,
    ...(resultsPath ? { resultsPath } : {}),
  };
}

describe('the progress bar pace', () => {
  it('says nothing until a second of rows is measured, then rows per second and the time left', () => {
    // Prepare
    let now = 50_000;
    const pace = new Pace(50_000, () => now);

    // Act and Assess
    pace.record(1);
    expect(pace.text()).toBe('');
    now += 500;
    pace.record(60);
    expect(pace.text()).toBe('');
    now += 1_500;
    pace.record(401);
    expect(pace.text()).toBe('200 rows/s, about 4m 08s left');
  });

  it('follows the recent rate, not the whole run (JumpCloud throttled half-way)', () => {
    let now = 0;
    const pace = new Pace(10_000, () => now);
    for (let second = 0; second <= 60; second++) {
      now = second * 1000;
      pace.record(second <= 30 ? second * 100 : 3000 + (second - 30) * 10);
    }
    // 3,300 done at 10 rows a second for the last 20 s: 6,700 rows left take about 11 minutes
    expect(pace.text()).toBe('10 rows/s, about 11m 10s left');
  });

  it('writes durations as a person reads them', () => {
    expect([0.2, 42, 200, 3599, 7500].map(duration)).toEqual(['1s', '42s', '3m 20s', '59m 59s', '2h 05m']);
  });
});

describe('the report of a long run', () => {
  it('lists every row of a file of 200 rows or fewer', () => {
    const outcomes = Array.from({ length: 200 }, (_, i) => outcome(i + 2, 'created'));

    const report = humanReport(finished(outcomes, '/tmp/r.csv'), false);

    expect(report).toContain('user201@acme.test');
    expect(report).toMatch(/^200 rows: 200 created$/m);
  });

  it('lists the first 20 rows needing attention and says where the rest are, instead of every row', () => {
    // Prepare: 50,000 rows, 45 of them failed, spread through the file
    const outcomes = Array.from({ length: 50_000 }, (_, i) =>
      outcome(i + 2, i % 1000 === 999 || i < 5 ? 'failed' : 'created'),
    );

    // Act
    const report = humanReport(finished(outcomes, '/tmp/new-hires.results.csv'), false);

    // Assess
    const lines = report.split('\n');
    expect(lines).toContain('55 rows need attention (invalid or failed); the first 20:');
    const listed = lines
      .filter((line) => /^\d+ +failed +user/.test(line))
      .map((line) => Number(line.split(' ')[0]));
    expect(listed).toEqual([
      2, 3, 4, 5, 6, 1001, 2001, 3001, 4001, 5001, 6001, 7001, 8001, 9001, 10001, 11001, 12001, 13001, 14001,
      15001,
    ]);
    expect(report).not.toMatch(/ created +user/);
    expect(report).toContain(
      '(35 more rows need attention. Every row, with its status and message, is in the results file named below.)',
    );
    expect(report).toMatch(/^50000 rows: 49945 created, 55 failed$/m);
    expect(report).toContain('Results: /tmp/new-hires.results.csv');
  });

  it('says so when no row of a long run needs attention, rather than an empty table', () => {
    const outcomes = Array.from({ length: 5_000 }, (_, i) => outcome(i + 2, i % 2 ? 'exists' : 'created'));

    const report = humanReport({ ...finished(outcomes), kind: 'validate' }, false);

    expect(report).toContain(
      'No row needs attention: all 5000 rows are counted below. Every row: add --out FILE for a results file, or --json.',
    );
    expect(report).not.toContain('Username');
  });
});

/** Rows 2.. of a file: every 50th invalid, the rest created. */
function outcomes(count: number): RowOutcome[] {
  return Array.from({ length: count }, (_, i) => ({
    row: i + 2,
    status: i % 50 === 0 ? 'invalid' : 'created',
    username: `user${i}`,
    email: `user${i}@example.com`,
    jumpcloudId: '',
    message: i % 50 === 0 ? 'email: is not a valid email address' : '',
  }));
}

function summaryOf(rows: readonly RowOutcome[]) {
  const counts = emptyCounts();
  for (const row of rows) counts[row.status] += 1;
  return buildSummary({
    input: { key: '/tmp/users.csv' },
    results: { path: '/tmp/users.results.csv' },
    dryRun: false,
    startedAt: '2025-03-01T09:30:00.000Z',
    finishedAt: '2025-03-01T09:31:00.000Z',
    counts,
  });
}

describe('the JSON report', () => {
  it('writes the JSON document row by row, one row a line, and it reads back as every row with the summary', () => {
    const rows = outcomes(250);
    let written = '';
    const json = new JsonReport(
      (text) => {
        written += text;
      },
      { command: 'run', dryRun: false },
    );

    for (const row of rows) json.add(row);
    json.finish({ summary: summaryOf(rows), exitCode: 1, resultsPath: '/tmp/users.results.csv' });

    const document = JSON.parse(written);
    expect(document).toEqual({
      command: 'run',
      dryRun: false,
      outcomes: rows,
      exitCode: 1,
      resultsPath: '/tmp/users.results.csv',
      summaryPath: null,
      summary: summaryOf(rows),
    });
    const lines = written.split('\n');
    expect(lines.filter((line) => line.startsWith('    {"row":'))).toHaveLength(rows.length);
    expect(lines[4]).toBe(`    ${JSON.stringify(rows[0])},`);
  });

  it('writes a valid document for a file with no rows', () => {
    let written = '';
    const json = new JsonReport(
      (text) => {
        written += text;
      },
      { command: 'validate', dryRun: true },
    );

    json.finish({ summary: summaryOf([]), exitCode: 0 });

    expect(JSON.parse(written)).toMatchObject({ command: 'validate', outcomes: [], exitCode: 0 });
  });
});
