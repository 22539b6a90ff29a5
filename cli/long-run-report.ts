/**
 * The end of a run too long to list row by row on a terminal: the rows that need attention
 * (invalid or failed) first, at most PROBLEM_ROWS_LISTED of them, and where every row is.
 * The counts per status follow it in the report (cli/report.ts).
 */
import type { RowOutcome } from '../lambda/domain';

/** Rows needing attention listed on screen; the results file has the rest. */
export const PROBLEM_ROWS_LISTED = 20;

export function needsAttention(outcome: RowOutcome): boolean {
  return outcome.status === 'invalid' || outcome.status === 'failed';
}

/**
 * Lines for a long run, from what the report kept of it (cli/report.ts, TableRows). `table` lays
 * out the rows chosen (the report's own table); `resultsPath` is where every row is, if a results
 * file was written.
 */
export function longRunLines(
  rows: { count: number; attention: readonly RowOutcome[]; attentionCount: number },
  resultsPath: string | undefined,
  table: (rows: readonly RowOutcome[]) => string,
): string[] {
  const everyRow = resultsPath
    ? 'Every row, with its status and message, is in the results file named below.'
    : 'Every row: add --out FILE for a results file, or --json.';
  const problems = rows.attentionCount;
  if (problems === 0) {
    return [`No row needs attention: all ${rows.count} rows are counted below. ${everyRow}`];
  }
  const listed = rows.attention;
  const which =
    problems > listed.length
      ? `${problems} rows need attention (invalid or failed); the first ${listed.length}:`
      : `${problems} ${problems === 1 ? 'row needs' : 'rows need'} attention (invalid or failed):`;
  const more =
    problems > listed.length
      ? [`(${problems - listed.length} more rows need attention. ${everyRow})`]
      : [`(${everyRow})`];
  return [`${rows.count} rows, too many to list here.`, which, table(listed), ...more];
}
