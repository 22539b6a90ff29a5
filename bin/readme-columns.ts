/**
 * Writes the README's table of columns from the column list (lambda/csv/columns.ts), so the
 * documentation cannot drift from what the reader accepts. `npm run docs:columns`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { columnsMarkdownTable } from '../lambda/users/template';

export const README = path.join(__dirname, '..', 'README.md');
export const START = '<!-- columns:start (npm run docs:columns writes this table) -->';
export const END = '<!-- columns:end -->';

export function withColumnsTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} ... ${END} section`);
  return `${readme.slice(0, start + START.length)}\n${columnsMarkdownTable()}${readme.slice(end)}`;
}

if (require.main === module) {
  writeFileSync(README, withColumnsTable(readFileSync(README, 'utf8')));
  process.stdout.write('README.md: columns table written\n');
}
