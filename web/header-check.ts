/**
 * The check the page makes before uploading: does the header name the required columns? It uses
 * the engine's own column registry (lambda/csv/columns.ts, bundled into the page), so the page
 * and the function can never disagree about which spellings count.
 */
import { parse } from 'csv-parse/browser/esm/sync';
import { mapHeaders } from '../lambda/csv/columns';
import { csvLayout } from '../lambda/csv/separator';

export type HeaderCheck =
  | { readonly ok: true /** Data rows in the file (blank lines are not rows). */; readonly rows: number }
  | {
      readonly ok: false /** In plain words, naming the columns; never quoting a cell. */;
      readonly problem: string;
    };

export function checkHeader(text: string): HeaderCheck {
  let records: string[][];
  try {
    // As the function reads it: a "sep=;" first line names the separator, else the header decides.
    const layout = csvLayout(text);
    records = parse(text.slice(layout.separatorLineLength), {
      bom: true,
      delimiter: layout.separator,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
    });
  } catch {
    return {
      ok: false,
      problem: 'This file could not be read as CSV. Save the sheet as "CSV UTF-8" and try again.',
    };
  }
  const header = records[0];
  if (header === undefined) return { ok: false, problem: 'This file is empty.' };
  let problem: string | undefined;
  try {
    problem = mapHeaders(header).fileProblem;
  } catch {
    // The engine refuses a first line that is data; say so without echoing the cell.
    return {
      ok: false,
      problem:
        'The first line of this file holds data, not column names. Add a first line such as username,email.',
    };
  }
  if (problem !== undefined) return { ok: false, problem: `This file cannot be used: ${problem}.` };
  const rows = records.length - 1;
  if (rows === 0) return { ok: false, problem: 'This file has column names but no people in it.' };
  return { ok: true, rows };
}
