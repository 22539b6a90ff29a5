import { describe, expect, it } from 'vitest';
import { humanReport, JsonReport, MAX_TABLE_ROWS, TableRows } from '../../cli/report';
import type { RowOutcome } from '../../lambda/domain';
import { emptyCounts } from '../../lambda/results/results-file';
import { buildSummary } from '../../lambda/results/summary';

/** Rows 2.. of a long file: every 50th invalid, the rest created. */
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

describe('the report of a run', () => {
  it('lists every row of a short file', () => {
    const rows = outcomes(30);

    const text = humanReport(
      { kind: 'run', summary: summaryOf(rows), rows: TableRows.of(rows), exitCode: 1 },
      false,
    );

    for (const row of rows) expect(text).toMatch(new RegExp(`^${row.row} `, 'm'));
    expect(text).not.toMatch(/more rows not listed/);
  });

  it('lists only the invalid and failed rows of a long file, and says how many more there are', () => {
    const rows = outcomes(5_000);
    const table = TableRows.of(rows);

    const text = humanReport({ kind: 'run', summary: summaryOf(rows), rows: table, exitCode: 1 }, false);

    expect(table.shown).toHaveLength(MAX_TABLE_ROWS);
    expect(table.shown.every((row) => row.status === 'invalid')).toBe(true);
    expect(table.shown.map((row) => row.row)).toEqual(
      rows.filter((row) => row.status === 'invalid').map((row) => row.row),
    );
    expect(text).toMatch(
      `(${5_000 - MAX_TABLE_ROWS} more rows not listed here: every row is in the results file)`,
    );
  });

  it('writes the JSON document row by row, and it reads back as every row with the summary', () => {
    const rows = outcomes(250);
    let written = '';
    const json = new JsonReport((text) => (written += text), { command: 'run', dryRun: false });

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
    expect(written).toBe(`${JSON.stringify(document, null, 2)}\n`);
  });

  it('writes a valid document for a file with no rows', () => {
    let written = '';
    const json = new JsonReport((text) => (written += text), { command: 'validate', dryRun: true });

    json.finish({ summary: summaryOf([]), exitCode: 0 });

    expect(JSON.parse(written)).toMatchObject({ command: 'validate', outcomes: [], exitCode: 0 });
  });
});
