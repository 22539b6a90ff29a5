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
 * Lines for a long run. `table` lays out the rows chosen (the report's own table); `resultsPath`
 * is where every row is, if a results file was written.
 */
export function longRunLines(
  outcomes: readonly RowOutcome[],
  resultsPath: string | undefined,
  table: (rows: readonly RowOutcome[]) => string,
): string[] {
  const problems = outcomes.filter(needsAttention);
  const everyRow = resultsPath
    ? 'Every row, with its status and message, is in the results file named below.'
    : 'Every row: add --out FILE for a results file, or --json.';
  if (problems.length === 0) {
    return [`No row needs attention: all ${outcomes.length} rows are counted below. ${everyRow}`];
  }
  const listed = problems.slice(0, PROBLEM_ROWS_LISTED);
  const which =
    problems.length > listed.length
      ? `${problems.length} rows need attention (invalid or failed); the first ${listed.length}:`
      : `${problems.length} ${problems.length === 1 ? 'row needs' : 'rows need'} attention (invalid or failed):`;
  const more =
    problems.length > listed.length
      ? [`(${problems.length - listed.length} more rows need attention. ${everyRow})`]
      : [`(${everyRow})`];
  return [`${outcomes.length} rows, too many to list here.`, which, table(listed), ...more];
}
