/**
 * The results file HR and auditors open in Excel (contract: PRODUCT.md, "Results file").
 * One line per input row, in input order, with the first six columns fixed. No password is ever
 * among the values written; cells a spreadsheet would run as a formula are neutralised.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { RowOutcome, RowStatus } from '../domain';
import { ROW_STATUSES } from '../domain';

/** The first six are fixed by the contract; `groups` and `manager` say what those steps did. */
export const RESULT_COLUMNS = [
  'row',
  'status',
  'username',
  'email',
  'jumpcloud_id',
  'message',
  'groups',
  'manager',
] as const;

/** UTF-8 byte order mark: Excel opens a CSV as UTF-8 only when the file starts with it. */
export const UTF8_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell starting with = + - @ tab or CR is run as a formula by spreadsheets (CSV injection).
 * Prefixing a single quote makes Excel, Sheets and LibreOffice show the text as typed.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * Longest cell written. An invalid row may hold a huge cell (a pasted document); Excel cannot
 * show more than 32,767 characters in a cell and nobody needs more than the start to find it.
 */
export const MAX_CELL_LENGTH = 1_000;

function shorten(value: string): string {
  return value.length > MAX_CELL_LENGTH ? `${value.slice(0, MAX_CELL_LENGTH - 1)}…` : value;
}

function toRecord(outcome: RowOutcome): string[] {
  return [
    String(outcome.row),
    outcome.status,
    outcome.username,
    outcome.email,
    outcome.jumpcloudId,
    outcome.message,
    outcome.groups ?? '',
    outcome.manager ?? '',
  ].map((cell) => neutraliseFormula(shorten(cell)));
}

/** The header line of the results CSV, with the BOM Excel needs. */
export function resultsHeader(): string {
  return UTF8_BOM + stringify([[...RESULT_COLUMNS]], { record_delimiter: 'windows' });
}

/** Results lines (no header) for some outcomes, CRLF-terminated as Excel writes them. */
export function resultsLines(outcomes: readonly RowOutcome[]): string {
  if (outcomes.length === 0) return '';
  return stringify(outcomes.map(toRecord), { record_delimiter: 'windows' });
}

/** A complete results file. */
export function resultsCsv(outcomes: readonly RowOutcome[]): string {
  return resultsHeader() + resultsLines(outcomes);
}

export type StatusCounts = Record<RowStatus, number>;

export function emptyCounts(): StatusCounts {
  return Object.fromEntries(ROW_STATUSES.map((status) => [status, 0])) as StatusCounts;
}

export function addCounts(into: StatusCounts, from: Readonly<StatusCounts>): StatusCounts {
  for (const status of ROW_STATUSES) into[status] += from[status];
  return into;
}

// The summary lives in ./summary.ts; re-exported for modules that read both.
export type { RunSummary } from './summary';

/**
 * The rows of a results file as written (cells as a spreadsheet shows them, formulas still
 * neutralised), for the digest and the demo: what HR opens is what they are told about.
 * `keep` picks rows while parsing, so a long file's other rows are never held.
 */
export function parseResultsCsv(
  csv: string,
  keep: (outcome: RowOutcome) => boolean = () => true,
): RowOutcome[] {
  return parse(csv, {
    bom: true,
    columns: true,
    skip_empty_lines: true,
    on_record: (record: Record<string, string | undefined>) => {
      const outcome: RowOutcome = {
        row: Number(record.row),
        status: record.status as RowStatus,
        username: record.username ?? '',
        email: record.email ?? '',
        jumpcloudId: record.jumpcloud_id ?? '',
        message: record.message ?? '',
      };
      return keep(outcome) ? outcome : null;
    },
  }) as RowOutcome[];
}
