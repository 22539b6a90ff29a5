import { parse } from 'csv-parse/sync';

/** One line of a results CSV, by column name (`row`, `status`, `username`, ...). */
export type ResultRow = Record<string, string>;

/** Reads a results CSV as a spreadsheet would: BOM dropped, first line as column names. */
export function rowsOf(csv: string): ResultRow[] {
  return parse(csv, { bom: true, columns: true }) as ResultRow[];
}
