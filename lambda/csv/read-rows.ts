/**
 * Reads a users CSV as HR saved it: the header row names the columns (see columns.ts), every
 * later non-blank record is a SourceRow numbered the way a spreadsheet numbers it. Streaming:
 * a 200,000-row file or a 1 MB cell never sits in memory whole.
 *
 * What a row holds must not end up where it does not belong: a row whose cell count differs from
 * the header's has its cells in the wrong columns (a password under Email), so it carries none;
 * the password travels apart from the cells; a header repeated mid-file (two exports glued
 * together) maps the rows after it; a quote never closed stops reading loudly (`stoppedReading`).
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { SourceRow } from '../domain';
import { UnreadableFileError } from '../errors';
import {
  type HeaderMap,
  type HeaderOptions,
  MAX_LISTED_COLUMNS,
  type MappedColumn,
  mapHeaders,
  namesRequiredColumns,
  type SourceColumns,
} from './columns';
import { type ByteSource, decodeCsvBytes } from './decode';
import { csvLayout } from './separator';

/** How to read the file: a leavers file, and the export's preset or mapping once the header is known. */
export interface CsvOptions<S extends SourceColumns = SourceColumns> {
  readonly findsPeopleOnly?: boolean;
  /** Picks, from the header as written, how the columns and rows of this export read. */
  readonly chooseSource?: (headers: readonly string[]) => S;
}

export interface UserCsv<S extends SourceColumns = SourceColumns> {
  /** The export's preset or mapping, as chosen from its header; undefined when none was asked for. */
  readonly source?: S;
  /**
   * Header texts as they appear in the file, and the canonical field each maps to
   * (undefined = the column is not used: unknown, not supported, blank, or a later duplicate).
   */
  readonly columns: readonly MappedColumn[];
  /**
   * Header texts that map to no field: reported once in the summary, never sent. May grow while
   * `rows` is read (a header repeated mid-file), like `notices`.
   */
  readonly unknownColumns: readonly string[];
  /** Problem that makes EVERY row invalid (e.g. 'missing required column "email"'), else undefined. */
  readonly fileProblem?: string;
  /**
   * Things worth telling the reader that are not errors (e.g. 'decoded as Windows-1252',
   * duplicate headers). May grow while `rows` is read (text that is not valid UTF-8 deep in the
   * file): read it after the rows for the full list.
   */
  readonly notices: readonly string[];
  /**
   * Set once `rows` has ended early: a quote never closed (or other broken CSV) made the rest of
   * the file unreadable. The rows after it are not in `rows`, so the file as a whole failed: this
   * is its file error. Read it after the rows.
   */
  readonly stoppedReading: string | undefined;
  /**
   * Data rows in order; can be iterated once. Blank records are not rows but keep their number.
   * `row` is the spreadsheet row number: records are counted (a quoted cell holding a line
   * break is one row, as Excel shows it), the header is row 1 unless blank lines precede it.
   */
  readonly rows: AsyncIterable<SourceRow>;
}

/** A record longer than this is almost always a quote that is never closed, eating the file. */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;

type CsvRecord = string[];

/** Throws UnreadableFileError (lambda/errors.ts) for files that cannot be a users CSV at all. */
export async function openUserCsv<S extends SourceColumns = SourceColumns>(
  input: ByteSource,
  csvOptions: CsvOptions<S> = {},
): Promise<UserCsv<S>> {
  const decoded = await decodeCsvBytes(input);
  const text = decoded.text[Symbol.asyncIterator]();
  const peeked = await peekHeader(text);
  const layout = csvLayout(peeked);

  // A parse error must not destroy the stream (records already parsed but not yet read would be
  // lost with it): it is pushed in order as a marker, and reading stops there.
  const parser: ReturnType<typeof parse> = parse({
    bom: true,
    delimiter: layout.separator,
    // Listing all three lets one file mix them (files glued together); auto-detection would not.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_BYTES,
    skip_records_with_error: true,
    on_skip: (error) => {
      parser.push({ unreadable: error?.code ?? 'CSV_INVALID' } satisfies Unreadable);
    },
  });
  const source = Readable.from(textAfterPeek(peeked.slice(layout.separatorLineLength), text), {
    objectMode: false,
  });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  const records: AsyncIterator<CsvRecord | Unreadable> = parser[Symbol.asyncIterator]();
  const close = () => {
    parser.destroy();
    source.destroy();
  };

  let header: { record: CsvRecord; recordNumber: number };
  let headerMap: HeaderMap;
  let chosen: S | undefined;
  let options: HeaderOptions;
  try {
    header = await readHeader(records);
    chosen = csvOptions.chooseSource?.(header.record);
    options = { findsPeopleOnly: csvOptions.findsPeopleOnly ?? false, ...(chosen ? { source: chosen } : {}) };
    headerMap = mapHeaders(header.record, options);
  } catch (error) {
    close();
    throw error;
  }
  const notices = decoded.notices;
  if (layout.notice !== undefined) notices.push(layout.notice);
  notices.push(...(chosen?.notices ?? []), ...headerMap.notices);
  const reading: Reading = { notices, unknownColumns: [...headerMap.unknownColumns] };

  return {
    ...(chosen ? { source: chosen } : {}),
    columns: headerMap.columns,
    unknownColumns: reading.unknownColumns,
    ...(headerMap.fileProblem ? { fileProblem: headerMap.fileProblem } : {}),
    notices,
    get stoppedReading() {
      return reading.stoppedReading;
    },
    rows: dataRows(records, header.recordNumber, headerMap, reading, close, options),
  };
}

/** What reading the rows finds out about the file as it goes. */
interface Reading {
  readonly notices: string[];
  readonly unknownColumns: string[];
  stoppedReading?: string;
}

/** The first non-blank record, and its number (blank lines above it count, as in a spreadsheet). */
async function readHeader(records: AsyncIterator<CsvRecord | Unreadable>) {
  let recordNumber = 0;
  for (let next = await records.next(); !next.done; next = await records.next()) {
    recordNumber++;
    if (!Array.isArray(next.value)) {
      throw new UnreadableFileError(`the header row cannot be read as CSV (${next.value.unreadable})`);
    }
    if (!isBlank(next.value)) return { record: next.value, recordNumber };
  }
  throw new UnreadableFileError('the file is empty: it holds only blank lines');
}

async function* dataRows(
  records: AsyncIterator<CsvRecord | Unreadable>,
  headerRecordNumber: number,
  firstHeader: HeaderMap,
  reading: Reading,
  close: () => void,
  options: HeaderOptions,
): AsyncGenerator<SourceRow> {
  let row = headerRecordNumber;
  let header = firstHeader;
  // After a repeated header that cannot be used, no later row can be trusted to the old one.
  let unusableHeaderRow: number | undefined;
  try {
    for (let next = await records.next(); !next.done; next = await records.next()) {
      row++;
      if (!Array.isArray(next.value)) {
        reading.stoppedReading = stoppedReadingProblem(row, next.value);
        yield { row, cells: {}, problem: joinProblems(header.fileProblem, unreadableProblem(next.value)) };
        return;
      }
      if (isBlank(next.value)) continue;
      if (namesRequiredColumns(next.value)) {
        const repeated = repeatedHeader(row, next.value, header, reading, options);
        if (repeated.kind === 'header') {
          header = repeated.header;
          unusableHeaderRow = undefined;
          continue;
        }
        unusableHeaderRow = row;
        yield { row, cells: {}, problem: repeated.problem };
        continue;
      }
      if (unusableHeaderRow !== undefined) {
        const problem = `not read: the header repeated in row ${unusableHeaderRow} cannot be used, so this row's columns are unknown`;
        yield { row, cells: {}, problem };
        continue;
      }
      yield toSourceRow(row, next.value, header);
    }
  } finally {
    close();
  }
}

/**
 * A line naming the username and email columns is a header, not a person (no email address is
 * spelled like a column name): two exports glued together. The rows after it are read by it,
 * whatever its column order.
 */
function repeatedHeader(
  row: number,
  record: CsvRecord,
  current: HeaderMap,
  reading: Reading,
  options: HeaderOptions,
): { kind: 'header'; header: HeaderMap } | { kind: 'refused'; problem: string } {
  let header: HeaderMap;
  try {
    header = mapHeaders(record, options);
  } catch (error) {
    if (!(error instanceof UnreadableFileError)) throw error;
    return { kind: 'refused', problem: `this row repeats the header but cannot be one: ${error.message}` };
  }
  const fields = (map: HeaderMap) => map.columns.map((column) => column.field ?? '').join(',');
  if (fields(header) === fields(current)) {
    reading.notices.push(`row ${row} repeats the header: it is not a row`);
    return { kind: 'header', header };
  }
  reading.notices.push(
    `row ${row} repeats the header, with other columns or in another order: the rows after it are read by it`,
  );
  for (const notice of header.notices) {
    if (!reading.notices.includes(notice)) reading.notices.push(`row ${row}: ${notice}`);
  }
  for (const name of header.unknownColumns) {
    if (!reading.unknownColumns.includes(name) && reading.unknownColumns.length < MAX_LISTED_COLUMNS)
      reading.unknownColumns.push(name);
  }
  return { kind: 'header', header };
}

/** Where csv-parse gave up on a record, by its error code. */
interface Unreadable {
  readonly unreadable: string;
}

/** Our words only: csv-parse messages may quote cell text, which may be a password. */
function unreadableProblem({ unreadable: code }: Unreadable): string {
  return `${brokenHere(code, 'this row')}: this row and any after it could not be read`;
}

function stoppedReadingProblem(row: number, { unreadable: code }: Unreadable): string {
  return (
    `reading stopped at row ${row}: ${brokenHere(code, 'there')}, so the lines after it were not read; ` +
    (isUnclosedQuote(code) ? 'close or remove the quote' : 'correct that row') +
    ' and drop the file again'
  );
}

function brokenHere(code: string, where: 'this row' | 'there'): string {
  if (isUnclosedQuote(code)) {
    const starts = where === 'this row' ? 'starts in this row' : 'starts there';
    return `a quoted cell that ${starts} is never closed (a stray " character?)`;
  }
  return `the CSV is malformed ${where === 'this row' ? 'here' : 'there'} (${code})`;
}

function isUnclosedQuote(code: string): boolean {
  return code === 'CSV_QUOTE_NOT_CLOSED' || code === 'CSV_MAX_RECORD_SIZE';
}

/**
 * One record as a row. A record whose cell count differs from the header's has its cells under
 * the wrong columns (an unquoted comma in a name puts the password under Email; two names run
 * together put it under Username), so none of them is kept: the row is invalid, and the message
 * gives the counts, never a cell.
 */
function toSourceRow(row: number, record: CsvRecord, header: HeaderMap): SourceRow {
  const { columns, fileProblem } = header;
  if (record.length !== columns.length) {
    const miscounted =
      `row has ${record.length} cells but the header has ${columns.length}: ` +
      'a cell is missing, or a comma inside a cell is not in quotes';
    return { row, cells: {}, problem: joinProblems(fileProblem, miscounted) as string };
  }
  const cells: Record<string, string> = {};
  let password: string | undefined;
  const fill = (column: MappedColumn, index: number) => {
    const written = record[index] ?? '';
    // A preset or mapping may read a system's own values as ours (Workday's Active 0 → Terminated).
    const text = column.values?.[written.trim().toLowerCase()] ?? written;
    if (column.field === 'password') password = text;
    else if (column.field !== undefined) cells[column.field] = text;
  };
  columns.forEach((column, index) => {
    if (!column.whenEmpty) fill(column, index);
  });
  // Stand-ins last: they fill only what the better column left empty.
  columns.forEach((column, index) => {
    if (column.whenEmpty && column.field !== undefined && (cells[column.field] ?? '').trim() === '')
      fill(column, index);
  });
  const problem = joinProblems(fileProblem, undecodableCells(cells, password));
  return {
    row,
    cells,
    ...(password === undefined ? {} : { password }),
    ...(problem === undefined ? {} : { problem }),
  };
}

/**
 * "�" (U+FFFD) in a cell: bytes that were not valid UTF-8 in a UTF-8 file (decode.ts), or a
 * character an earlier export already lost and wrote as the mark itself. Either way the real
 * character is gone: never send a guessed one.
 */
function undecodableCells(
  cells: Readonly<Record<string, string>>,
  password: string | undefined,
): string | undefined {
  const columns = Object.keys(cells).filter((field) => cells[field]?.includes('\uFFFD'));
  if (password?.includes('\uFFFD')) columns.push('password');
  if (columns.length === 0) return undefined;
  return `${columns.join(', ')}: holds characters that are not valid UTF-8 (the file mixes encodings) or were lost before it was saved ("\uFFFD"); retype them`;
}

function joinProblems(...problems: (string | undefined)[]): string | undefined {
  const present = problems.filter((problem): problem is string => problem !== undefined);
  return present.length > 0 ? present.join('; ') : undefined;
}

/** A blank line, or a line of empty cells (`,,,`): a spreadsheet's empty row. */
function isBlank(record: CsvRecord): boolean {
  return record.every((cell) => cell.trim() === '');
}

/**
 * Reads text until the first two non-blank lines are complete (a `sep=` line and the header), or
 * 64 KB, or the end: enough to tell how the columns are separated.
 */
async function peekHeader(text: AsyncIterator<string>): Promise<string> {
  let buffered = '';
  for (;;) {
    const lines = buffered.split(/\r\n|\n|\r/);
    lines.pop(); // the last piece may be an incomplete line
    if (lines.filter((line) => line.trim() !== '').length >= 2 || buffered.length >= 64 * 1024)
      return buffered;
    const next = await text.next();
    if (next.done) return buffered;
    buffered += next.value;
  }
}

async function* textAfterPeek(peeked: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  try {
    if (peeked !== '') yield peeked;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.(); // stop the file download when the reader stops early
  }
}
