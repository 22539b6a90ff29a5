/**
 * Reads a users CSV as HR saved it: the header row names the columns (see columns.ts), every
 * later non-blank record is a SourceRow numbered the way a spreadsheet numbers it. Streaming:
 * a 200,000-row file or a 1 MB cell never sits in memory whole.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { SourceRow } from '../domain';
import { UnreadableFileError } from '../errors';
import { type HeaderMap, mapHeaders } from './columns';
import { type ByteSource, decodeCsvBytes } from './decode';

export interface UserCsv {
  /**
   * Header texts as they appear in the file, and the canonical field each maps to
   * (undefined = the column is not used: unknown, not supported, blank, or a later duplicate).
   */
  readonly columns: readonly { header: string; field: string | undefined }[];
  /** Header texts that map to no field: reported once in the summary, never sent. */
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
export async function openUserCsv(input: ByteSource): Promise<UserCsv> {
  const decoded = await decodeCsvBytes(input);
  const text = decoded.text[Symbol.asyncIterator]();
  const peeked = await peekFirstLine(text);
  const delimiter = sniffDelimiter(peeked.firstLine);

  // A parse error must not destroy the stream (records already parsed but not yet read would be
  // lost with it): it is pushed in order as a marker, and reading stops there.
  const parser: ReturnType<typeof parse> = parse({
    bom: true,
    delimiter,
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
  const source = Readable.from(textAfterPeek(peeked.text, text), { objectMode: false });
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  const records: AsyncIterator<CsvRecord | Unreadable> = parser[Symbol.asyncIterator]();
  const close = () => {
    parser.destroy();
    source.destroy();
  };

  let header: { record: CsvRecord; recordNumber: number };
  let headerMap: HeaderMap;
  try {
    header = await readHeader(records);
    headerMap = mapHeaders(header.record);
  } catch (error) {
    close();
    throw error;
  }
  const notices = decoded.notices;
  if (delimiter !== ',')
    notices.push(`columns are separated by ${delimiter === ';' ? 'semicolons' : 'tabs'}`);
  notices.push(...headerMap.notices);

  return {
    columns: headerMap.columns,
    unknownColumns: headerMap.unknownColumns,
    ...(headerMap.fileProblem ? { fileProblem: headerMap.fileProblem } : {}),
    notices,
    rows: dataRows(records, header.recordNumber, headerMap.columns, headerMap.fileProblem, close),
  };
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
  columns: readonly { header: string; field: string | undefined }[],
  fileProblem: string | undefined,
  close: () => void,
): AsyncGenerator<SourceRow> {
  let row = headerRecordNumber;
  try {
    for (let next = await records.next(); !next.done; next = await records.next()) {
      row++;
      if (!Array.isArray(next.value)) {
        yield { row, cells: {}, problem: joinProblems(fileProblem, unreadableProblem(next.value)) };
        return;
      }
      if (isBlank(next.value)) continue;
      yield toSourceRow(row, next.value, columns, fileProblem);
    }
  } finally {
    close();
  }
}

/** Where csv-parse gave up on a record, by its error code. */
interface Unreadable {
  readonly unreadable: string;
}

/** Our words only: csv-parse messages may quote cell text, which may be a password. */
function unreadableProblem({ unreadable: code }: Unreadable): string {
  const why =
    code === 'CSV_QUOTE_NOT_CLOSED' || code === 'CSV_MAX_RECORD_SIZE'
      ? 'a quoted cell that starts in this row is never closed (a stray " character?)'
      : `the CSV is malformed here (${code})`;
  return `${why}: this row and any after it could not be read`;
}

function toSourceRow(
  row: number,
  record: CsvRecord,
  columns: readonly { header: string; field: string | undefined }[],
  fileProblem: string | undefined,
): SourceRow {
  const cells: Record<string, string> = {};
  columns.forEach((column, index) => {
    // Excel leaves out trailing empty cells of a row: a missing cell is an empty one.
    if (column.field !== undefined) cells[column.field] = record[index] ?? '';
  });
  const used = lastNonEmptyCell(record) + 1;
  const extra =
    used > columns.length ? `row has ${used} cells but the header has ${columns.length}` : undefined;
  const problem = joinProblems(fileProblem, extra, undecodableCells(cells));
  return problem ? { row, cells, problem } : { row, cells };
}

/** Bytes that were not valid UTF-8 in a UTF-8 file (decode.ts): never send a guessed character. */
function undecodableCells(cells: Readonly<Record<string, string>>): string | undefined {
  const columns = Object.keys(cells).filter((field) => cells[field]?.includes('\uFFFD'));
  if (columns.length === 0) return undefined;
  return `${columns.join(', ')}: holds characters that are not valid UTF-8 (the file mixes encodings); retype them`;
}

function lastNonEmptyCell(record: CsvRecord): number {
  for (let index = record.length - 1; index >= 0; index--) {
    if ((record[index] ?? '').trim() !== '') return index;
  }
  return -1;
}

function joinProblems(...problems: (string | undefined)[]): string | undefined {
  const present = problems.filter((problem): problem is string => problem !== undefined);
  return present.length > 0 ? present.join('; ') : undefined;
}

/** A blank line, or a line of empty cells (`,,,`): a spreadsheet's empty row. */
function isBlank(record: CsvRecord): boolean {
  return record.every((cell) => cell.trim() === '');
}

interface Peeked {
  readonly text: string;
  readonly firstLine: string;
}

/** Reads text until the first non-blank line is complete (or 64 KB, or the end). */
async function peekFirstLine(text: AsyncIterator<string>): Promise<Peeked> {
  let buffered = '';
  for (;;) {
    const line = firstNonBlankLine(buffered);
    if (line !== undefined || buffered.length >= 64 * 1024)
      return { text: buffered, firstLine: line ?? buffered };
    const next = await text.next();
    if (next.done) return { text: buffered, firstLine: buffered.trim() };
    buffered += next.value;
  }
}

function firstNonBlankLine(text: string): string | undefined {
  const lines = text.split(/\r\n|\n|\r/);
  lines.pop(); // the last piece may be an incomplete line
  return lines.find((line) => line.trim() !== '');
}

async function* textAfterPeek(peeked: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  try {
    if (peeked !== '') yield peeked;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.(); // stop the file download when the reader stops early
  }
}

/**
 * Excel in many European locales saves "CSV" with semicolons, and some exports use tabs. A header
 * line with no comma outside quotes but with semicolons (or tabs) is read that way.
 */
function sniffDelimiter(firstLine: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of firstLine) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === ',' || char === ';' || char === '\t')) counts[char]++;
  }
  if (counts[','] > 0) return ',';
  if (counts[';'] > 0) return ';';
  if (counts['\t'] > 0) return '\t';
  return ',';
}
