/**
 * What a person reads at the end of a run: a table of rows (row, status, username, email,
 * message) and a line of counts. Only outcomes are shown, and outcomes never hold a password or
 * the API key (lambda/domain.ts), so nothing secret can reach the screen from here.
 */
import { styleText } from 'node:util';
import type { RowOutcome, RowStatus } from '../lambda/domain';
import { countsLine, type RunSummary, rowCount, statusWord } from '../lambda/results/summary';
import { longRunLines } from './long-run-report';

export { countsLine, rowCount, statusWord };

/** Every row is listed up to this many; beyond it, cli/long-run-report.ts sums the run up. */
export const MAX_TABLE_ROWS = 200;

type Colour = 'green' | 'cyan' | 'red' | 'yellow';
const STATUS_COLOURS: Readonly<Record<RowStatus, Colour>> = {
  created: 'green',
  updated: 'green',
  suspended: 'yellow',
  exists: 'cyan',
  invalid: 'red',
  failed: 'red',
  would_create: 'green',
  would_update: 'green',
  would_suspend: 'yellow',
};

export interface TableOptions {
  /** Colour the status words (on a terminal, unless NO_COLOR is set). */
  colour?: boolean;
  /** How a status is shown: as in the results file by default; `validate` shows `would_create` as `valid`. */
  statusText?: (status: RowStatus) => string;
}

/** Whether colour suits this stream (https://no-color.org). */
export function colourFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/**
 * The rows as an aligned text table. With more than MAX_TABLE_ROWS rows, only invalid and
 * failed ones are listed (the results file has them all), and a last line says so.
 */
export function outcomesTable(outcomes: readonly RowOutcome[], options: TableOptions = {}): string {
  const text = options.statusText ?? ((status: RowStatus) => status);
  const needsAttention = (o: RowOutcome) => o.status === 'invalid' || o.status === 'failed';
  const shown =
    outcomes.length <= MAX_TABLE_ROWS ? outcomes : outcomes.filter(needsAttention).slice(0, MAX_TABLE_ROWS);
  const header = ['Row', 'Status', 'Username', 'Email', 'Message'];
  const cells = shown.map((o) => [
    String(o.row),
    text(o.status),
    clip(o.username, 28),
    clip(o.email, 36),
    oneLine(o.message),
  ]);
  const widths = header
    .slice(0, 4)
    .map((title, i) => Math.max(title.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[], status?: RowStatus) =>
    row
      .map((cell, i) => {
        const padded = i < 4 ? cell.padEnd(widths[i] ?? 0) : cell;
        return i === 1 && status && options.colour ? styleText(STATUS_COLOURS[status], padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w)).concat('-------'))];
  shown.forEach((row, index) => {
    lines.push(line(cells[index] ?? [], row.status));
  });
  if (shown.length < outcomes.length) {
    const hidden = outcomes.length - shown.length;
    lines.push(`(${hidden} more rows not listed here: every row is in the results file)`);
  }
  return lines.join('\n');
}

function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

export type RunKind = 'run' | 'dry-run' | 'validate';

export interface FinishedRun {
  kind: RunKind;
  summary: RunSummary;
  outcomes: readonly RowOutcome[];
  resultsPath?: string;
  summaryPath?: string;
  exitCode: number;
}

/** How `validate` names a row the engine would send: it was checked, not sent. */
export function validateStatusWord(status: RowStatus): string {
  return status === 'would_create' ? 'valid' : statusWord(status);
}

/** In validate's table: `valid`, else the status as the results file writes it. */
function validateStatusCell(status: RowStatus): string {
  return status === 'would_create' ? 'valid' : status;
}

/** The readable report: a headline, the table, the counts, where the files are, and notices. */
export function humanReport(run: FinishedRun, colour: boolean): string {
  const words = run.kind === 'validate' ? validateStatusWord : statusWord;
  const { summary } = run;
  const lines: string[] = [];
  if (run.kind === 'dry-run') lines.push('Dry run: nothing was created in JumpCloud.', '');
  if (run.kind === 'validate') lines.push('Checked without contacting JumpCloud.', '');
  // In validate, "valid" says it all: the engine's "not checked against JumpCloud" is the headline.
  const rows =
    run.kind === 'validate'
      ? run.outcomes.map((o) => (o.status === 'would_create' ? { ...o, message: '' } : o))
      : run.outcomes;
  const statusText = run.kind === 'validate' ? validateStatusCell : undefined;
  const table = (shown: readonly RowOutcome[]) => outcomesTable(shown, { colour, statusText });
  if (rows.length > MAX_TABLE_ROWS) lines.push(...longRunLines(rows, run.resultsPath, table), '');
  else if (rows.length > 0) lines.push(table(rows), '');
  lines.push(`${rowCount(summary.rows)}: ${countsLine(summary.counts, words)}`);
  if (summary.fileError !== undefined) lines.push(`Problem: ${summary.fileError}`);
  for (const notice of summary.notices) lines.push(`Note: ${notice}`);
  if (run.resultsPath) lines.push(`Results: ${run.resultsPath}  (opens in Excel or any spreadsheet)`);
  if (run.summaryPath) lines.push(`Summary: ${run.summaryPath}`);
  return `${lines.join('\n')}\n`;
}

/** Everything a script needs, as one JSON document on stdout. */
export function jsonReport(run: FinishedRun): string {
  const document = {
    command: run.kind === 'validate' ? 'validate' : 'run',
    dryRun: run.summary.dryRun,
    exitCode: run.exitCode,
    resultsPath: run.resultsPath ?? null,
    summaryPath: run.summaryPath ?? null,
    summary: run.summary,
    outcomes: run.outcomes,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
