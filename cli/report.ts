/**
 * What a person reads at the end of a run: a table of rows (row, status, username, email,
 * message) and a line of counts. Only outcomes are shown, and outcomes never hold a password or
 * the API key (lambda/domain.ts), so nothing secret can reach the screen from here.
 */
import { styleText } from 'node:util';
import type { RowOutcome, RowStatus } from '../lambda/domain';
import { countsLine, type RunSummary, rowCount, statusWord } from '../lambda/results/summary';
import { longRunLines, needsAttention, PROBLEM_ROWS_LISTED } from './long-run-report';

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
  /** The message shown for a row: the outcome's own by default. */
  message?: (outcome: RowOutcome) => string;
}

/** Whether colour suits this stream (https://no-color.org). */
export function colourFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/**
 * The rows the readable report lists, kept as the engine reports them: every row while there are
 * at most MAX_TABLE_ROWS; past that, the first rows needing attention (cli/long-run-report.ts)
 * and how many there are in all (the results file has every row). A long file is never held.
 */
export class TableRows {
  private first: RowOutcome[] = [];
  private readonly problems: RowOutcome[] = [];
  private total = 0;
  private problemCount = 0;

  static of(outcomes: readonly RowOutcome[]): TableRows {
    const rows = new TableRows();
    for (const outcome of outcomes) rows.add(outcome);
    return rows;
  }

  add(outcome: RowOutcome): void {
    this.total += 1;
    if (this.total <= MAX_TABLE_ROWS) this.first.push(outcome);
    else this.first = [];
    if (!needsAttention(outcome)) return;
    this.problemCount += 1;
    if (this.problems.length < PROBLEM_ROWS_LISTED) this.problems.push(outcome);
  }

  /** Rows reported in all. */
  get count(): number {
    return this.total;
  }

  /** Every row, while there are at most MAX_TABLE_ROWS. */
  get listed(): readonly RowOutcome[] {
    return this.first;
  }

  /** The first PROBLEM_ROWS_LISTED rows needing attention. */
  get attention(): readonly RowOutcome[] {
    return this.problems;
  }

  /** Rows needing attention in all. */
  get attentionCount(): number {
    return this.problemCount;
  }
}

/** The rows as an aligned text table. */
export function outcomesTable(shown: readonly RowOutcome[], options: TableOptions = {}): string {
  const text = options.statusText ?? ((status: RowStatus) => status);
  const header = ['Row', 'Status', 'Username', 'Email', 'Message'];
  const cells = shown.map((o) => [
    String(o.row),
    text(o.status),
    clip(o.username, 28),
    clip(o.email, 36),
    oneLine(options.message ? options.message(o) : o.message),
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
  /** The rows the table lists (TableRows keeps only those). */
  rows: TableRows;
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
  const tableOptions: TableOptions =
    run.kind === 'validate'
      ? {
          colour,
          statusText: validateStatusCell,
          message: (o) => (o.status === 'would_create' ? '' : o.message),
        }
      : { colour };
  const table = (shown: readonly RowOutcome[]) => outcomesTable(shown, tableOptions);
  if (run.rows.count > MAX_TABLE_ROWS) lines.push(...longRunLines(run.rows, run.resultsPath, table), '');
  else if (run.rows.count > 0) lines.push(table(run.rows.listed), '');
  lines.push(`${rowCount(summary.rows)}: ${countsLine(summary.counts, words)}`);
  if (summary.fileError !== undefined) lines.push(`Problem: ${summary.fileError}`);
  for (const notice of summary.notices) lines.push(`Note: ${notice}`);
  if (run.resultsPath) lines.push(`Results: ${run.resultsPath}  (opens in Excel or any spreadsheet)`);
  if (run.summaryPath) lines.push(`Summary: ${run.summaryPath}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Everything a script needs, as one JSON document on stdout, written as the rows are reported
 * (a million rows are never held): `command` and `dryRun`, then `outcomes`, one row per line
 * (a file of a million rows is a million lines, not eight million), then `exitCode`,
 * `resultsPath`, `summaryPath` and `summary` once the run is over.
 */
export class JsonReport {
  private started = false;
  private first = true;
  /** Rows not yet written: stdout is written in pieces of about 64 KB, not a row at a time. */
  private pending = '';

  /** `write` may return a promise: the reader is behind, and rows wait until it catches up. */
  constructor(
    private readonly write: (text: string) => void | Promise<void>,
    private readonly head: { command: 'run' | 'validate'; dryRun: boolean },
  ) {}

  add(outcome: RowOutcome): void | Promise<void> {
    this.start();
    this.pending += `${this.first ? '\n' : ',\n'}    ${JSON.stringify(outcome)}`;
    this.first = false;
    if (this.pending.length < 64 * 1024) return;
    const text = this.pending;
    this.pending = '';
    return this.write(text);
  }

  finish(run: Omit<FinishedRun, 'rows' | 'kind'>): void {
    this.start();
    const rows = this.pending;
    this.pending = '';
    const tail = {
      exitCode: run.exitCode,
      resultsPath: run.resultsPath ?? null,
      summaryPath: run.summaryPath ?? null,
      summary: run.summary,
    };
    const fields = Object.entries(tail).map(
      ([key, value]) =>
        `  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ').trimStart()}`,
    );
    void this.write(`${rows}${this.first ? '' : '\n  '}],\n${fields.join(',\n')}\n}\n`);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.pending = `{\n  "command": ${JSON.stringify(this.head.command)},\n  "dryRun": ${this.head.dryRun},\n  "outcomes": [`;
  }
}

function indent(json: string, by: string): string {
  return json.replace(/^/gm, by);
}
