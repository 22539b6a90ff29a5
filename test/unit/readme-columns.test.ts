import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, withColumnsTable } from '../../bin/readme-columns';
import { SUPPORTED_COLUMNS } from '../../lambda/users/template';

describe("the README's table of columns", () => {
  it('is the one the column list makes (run npm run docs:columns after changing a column)', () => {
    const readme = readFileSync(README, 'utf8');

    expect(readme).toBe(withColumnsTable(readme));
  });

  it('names every supported column, groups, managers and actions among them', () => {
    const readme = readFileSync(README, 'utf8');

    for (const column of SUPPORTED_COLUMNS) expect(readme).toContain(`| \`${column.header}\` |`);
    for (const header of ['groups', 'manager', 'action', 'group1'])
      expect(readme).toContain(`| \`${header}\` |`);
  });
});
