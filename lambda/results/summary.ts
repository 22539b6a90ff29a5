/**
 * The one summary of a processed file (contract: PRODUCT.md, "Results file"): written beside the
 * results file, printed by `jc-onboard --json`, shown by the demo, mailed as the digest and sent
 * as the event's detail. Built here only, so the Lambda and the CLI cannot disagree about it.
 */
import type { MappedColumn } from '../csv/columns';
import type { UserCsv } from '../csv/read-rows';
import type { RowStatus } from '../domain';
import { ROW_STATUSES } from '../domain';
import { type ExportSource, type SourceReport, sourceReport } from '../sources/export-source';
import { addCounts, emptyCounts, type StatusCounts } from './results-file';

/** The JSON summary written beside the results file. */
export interface RunSummary {
  /** The input: bucket, key, ETag and version id in S3; the absolute path (as `key`) on a laptop. */
  input: { bucket?: string; key: string; etag?: string; versionId?: string };
  /** The results file: `key` in the bucket, or `path` on a laptop. */
  results: { key?: string; path?: string };
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** Number of data rows seen: the sum of the counts. */
  rows: number;
  counts: StatusCounts;
  /** Header texts that mapped to no JumpCloud field: ignored, never sent. */
  unknownColumns: string[];
  /** Things worth knowing that are not errors (encoding used, duplicate headers, resumed runs). */
  notices: string[];
  /** Why the file as a whole could not be (fully) processed, if it could not. */
  fileError?: string;
  /** A leavers file over its suspend limit: nobody was suspended. Absent otherwise. */
  held?: boolean;
  /** How many Lambda invocations the file took, when more than one (a long file). */
  invocations?: number;
  /** The HR system whose export this is, and how that was decided (its folder, its header, a mapping). */
  preset?: SourceReport['preset'];
  /** The mapping file that said how to read it. */
  mapping?: string;
  /** A dry run's report of how each header was understood (the same as `jc-onboard columns`). */
  headers?: HeaderReport[];
}

/** How one header was understood: the field it fills and what said so, or why it is ignored. */
export interface HeaderReport {
  header: string;
  field?: string;
  from: string;
  ignored?: string;
}

export function headerReport(columns: readonly MappedColumn[]): HeaderReport[] {
  return columns.map((column) => ({
    header: column.header.trim(),
    ...(column.field ? { field: column.field } : {}),
    from: column.whenEmpty ? `${column.from}, where "${column.whenEmpty}" is empty` : column.from,
    ...(column.ignored ? { ignored: column.ignored } : {}),
  }));
}

/** What is known about a run once its last row is reported. */
export interface RunFacts {
  input: RunSummary['input'];
  results: RunSummary['results'];
  dryRun: boolean;
  startedAt: Date | string;
  finishedAt: Date | string;
  counts: Readonly<StatusCounts>;
  /** The file as read; absent when it could not be opened at all. Read after its rows. */
  csv?: Pick<UserCsv, 'unknownColumns' | 'notices' | 'fileProblem'> &
    Partial<Pick<UserCsv<ExportSource>, 'stoppedReading' | 'source' | 'columns'>>;
  /** Why the run stopped short of the file's end (key rejected, file unreadable, too long). */
  runError?: string;
  /** Notices about the run itself (stopped on request). */
  notices?: readonly string[];
  invocations?: number;
  held?: boolean;
}

export function buildSummary(facts: RunFacts): RunSummary {
  const counts = addCounts(emptyCounts(), facts.counts);
  const rows = Object.values(counts).reduce((sum, n) => sum + n, 0);
  // A missing required column explains every invalid row, so it is the file's error even though
  // the run itself went through.
  const fileError = facts.csv?.fileProblem ?? facts.csv?.stoppedReading ?? facts.runError;
  const invocations = facts.invocations ?? 1;
  return {
    input: facts.input,
    results: facts.results,
    dryRun: facts.dryRun,
    startedAt: isoTime(facts.startedAt),
    finishedAt: isoTime(facts.finishedAt),
    rows,
    counts,
    unknownColumns: [...(facts.csv?.unknownColumns ?? [])],
    notices: [
      ...(facts.csv?.notices ?? []),
      ...(facts.notices ?? []),
      ...(invocations > 1 ? [`processed over ${invocations} invocations`] : []),
      ...(facts.csv && rows === 0 && fileError === undefined ? ['the file has a header but no rows'] : []),
    ],
    ...(fileError === undefined ? {} : { fileError }),
    ...(facts.held ? { held: true } : {}),
    ...(invocations > 1 ? { invocations } : {}),
    ...sourceReport(facts.csv?.source),
    ...(facts.dryRun && facts.csv?.columns ? { headers: headerReport(facts.csv.columns) } : {}),
  };
}

function isoTime(time: Date | string): string {
  return typeof time === 'string' ? time : time.toISOString();
}

const STATUS_WORDS: Readonly<Record<RowStatus, string>> = {
  created: 'created',
  updated: 'updated',
  suspended: 'suspended',
  exists: 'already in JumpCloud',
  invalid: 'invalid',
  failed: 'failed',
  would_create: 'would be created',
  would_update: 'would be updated',
  would_suspend: 'would be suspended',
};

/** A status in words a person reads ("already in JumpCloud" for `exists`). */
export function statusWord(status: RowStatus): string {
  return STATUS_WORDS[status];
}

/** "12 created, 1 already in JumpCloud, 2 invalid" (statuses with no rows are left out). */
export function countsLine(
  counts: Readonly<StatusCounts>,
  words: (status: RowStatus) => string = statusWord,
): string {
  const parts = ROW_STATUSES.filter((status) => counts[status] > 0).map(
    (status) => `${counts[status]} ${words(status)}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'no rows';
}

/** "1 row", "30 rows". */
export function rowCount(rows: number): string {
  return `${rows} ${rows === 1 ? 'row' : 'rows'}`;
}
