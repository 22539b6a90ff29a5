/**
 * Writes the README's table of columns from the column list (lambda/csv/columns.ts), and its
 * section per HR system from the presets (lambda/sources/presets.ts), so the documentation
 * cannot drift from what the reader accepts. `npm run docs:columns`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { presetsMarkdown } from '../lambda/sources/presets';
import { columnsMarkdownTable } from '../lambda/users/template';

export const README = path.join(__dirname, '..', 'README.md');
export const START = '<!-- columns:start (npm run docs:columns writes this table) -->';
export const END = '<!-- columns:end -->';
export const PRESETS_START = '<!-- presets:start (npm run docs:columns writes these sections) -->';
export const PRESETS_END = '<!-- presets:end -->';

function between(readme: string, start: string, end: string, content: string): string {
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} ... ${end} section`);
  return `${readme.slice(0, from + start.length)}\n${content}${readme.slice(to)}`;
}

export function withColumnsTable(readme: string): string {
  const columns = between(readme, START, END, columnsMarkdownTable());
  return between(columns, PRESETS_START, PRESETS_END, presetsMarkdown());
}

if (require.main === module) {
  writeFileSync(README, withColumnsTable(readFileSync(README, 'utf8')));
  process.stdout.write('README.md: columns table and HR system sections written\n');
}
