/**
 * Which character separates the columns. Excel writes "," or, in many European locales, ";";
 * other exports use tabs or "|". Excel also honours a first line `sep=;` naming the separator
 * (and hides that line): here too it is honoured and is neither a row nor the header, so row
 * numbers stay the ones HR sees in Excel. Without it, the header line decides. Browser-safe: the
 * page for HR checks a header with the same rule (web/header-check.ts).
 */
import { UnreadableFileError } from '../errors';
import { matchHeader } from './columns';

export interface CsvLayout {
  /** The column separator: one character. */
  readonly separator: string;
  /** Length of the `sep=X` line at the start of the text, line end included (0: none); it is not CSV. */
  readonly separatorLineLength: number;
  /** Said in the summary when the file is not plainly comma-separated. */
  readonly notice?: string;
}

/** Tried, in this order of preference, when no `sep=` line names one. */
const SEPARATORS = [',', ';', '\t', '|'] as const;

/** Excel's separator line: `sep=X` alone on the first line (some tools quote it). */
const SEPARATOR_LINE = /^(?:sep=([^\r\n])|"sep=([^\r\n])")[ ]*(?:\r\n|\n|\r|$)/i;

/**
 * The layout of a file from the start of its text (at least up to the end of its first non-blank
 * line). Throws UnreadableFileError for a `sep=` line naming a character that cannot separate
 * columns (a letter, a digit, a quote, a space).
 */
export function csvLayout(start: string): CsvLayout {
  const text = start.startsWith('\uFEFF') ? start.slice(1) : start;
  const bom = text.length === start.length ? 0 : 1;
  const named = SEPARATOR_LINE.exec(text);
  if (named) {
    const separator = named[1] ?? named[2] ?? ',';
    if (/^[\p{L}\p{N}" ]$/u.test(separator)) {
      throw new UnreadableFileError(
        'the first line is a "sep=" line naming a letter, digit, space or quote as the column separator; ' +
          'name the character between the columns, e.g. sep=; or sep=, (or remove that line)',
      );
    }
    return {
      separator,
      separatorLineLength: bom + named[0].length,
      notice: `the first line "sep=${shown(separator)}" names the column separator (${separatorName(separator)}), as Excel reads it: that line is not a row`,
    };
  }
  const separator = separatorOfHeader(firstNonBlankLine(text));
  return {
    separator,
    separatorLineLength: 0,
    ...(separator === ',' ? {} : { notice: `columns are separated by ${separatorName(separator)}` }),
  };
}

/**
 * The separator that makes the most header cells known column names (`Last name, first
 * name;Username;Email` is semicolon-separated); when none names a known column, the first of
 * SEPARATORS that appears outside quotes at all.
 */
function separatorOfHeader(line: string): string {
  let best: { separator: string; known: number } | undefined;
  for (const separator of SEPARATORS) {
    const cells = splitLine(line, separator);
    if (cells.length < 2) continue;
    const known = cells.filter((cell) => matchHeader(cell).kind === 'field').length;
    if (known > (best?.known ?? 0)) best = { separator, known };
  }
  return best?.separator ?? SEPARATORS.find((separator) => splitLine(line, separator).length > 1) ?? ',';
}

/** The cells of one line, quotes respected (enough to read a header; csv-parse reads the file). */
function splitLine(line: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === separator && !quoted) {
      cells.push(cell);
      cell = '';
    } else cell += char;
  }
  cells.push(cell);
  return cells;
}

function firstNonBlankLine(text: string): string {
  return text.split(/\r\n|\n|\r/).find((line) => line.trim() !== '') ?? '';
}

function separatorName(separator: string): string {
  const names: Record<string, string> = {
    ',': 'commas',
    ';': 'semicolons',
    '\t': 'tabs',
    '|': 'vertical bars',
  };
  return names[separator] ?? `"${separator}"`;
}

function shown(separator: string): string {
  return separator === '\t' ? '<tab>' : separator;
}
