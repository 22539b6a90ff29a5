import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RowOutcome } from '../../lambda/domain';
import {
  MAX_CELL_LENGTH,
  neutraliseFormula,
  RESULT_COLUMNS,
  resultsCsv,
} from '../../lambda/results/results-file';

const outcome = (row: number, changes: Partial<RowOutcome> = {}): RowOutcome => ({
  row,
  status: 'created',
  username: `user${row}`,
  email: `user${row}@example.com`,
  jumpcloudId: '5f1b2c3d4e5f6a7b8c9d0e1f',
  message: '',
  ...changes,
});

describe('results file', () => {
  it('starts with a BOM and the six contract columns, then one line per outcome in order', () => {
    // Prepare
    const outcomes = [
      outcome(2),
      outcome(3, { status: 'invalid', jumpcloudId: '', message: 'email: missing' }),
    ];

    // Act
    const text = resultsCsv(outcomes);

    // Assess
    expect(text.startsWith('\uFEFF')).toBe(true);
    const records = parse(text, { bom: true }) as string[][];
    expect(records[0]).toEqual([...RESULT_COLUMNS]);
    expect(records[0]?.slice(0, 6)).toEqual([
      'row',
      'status',
      'username',
      'email',
      'jumpcloud_id',
      'message',
    ]);
    expect(records.slice(1)).toEqual([
      ['2', 'created', 'user2', 'user2@example.com', '5f1b2c3d4e5f6a7b8c9d0e1f', '', '', ''],
      ['3', 'invalid', 'user3', 'user3@example.com', '', 'email: missing', '', ''],
    ]);
  });

  it('keeps commas, quotes and newlines inside a cell intact', () => {
    const text = resultsCsv([outcome(2, { message: 'said "no", then\nleft' })]);

    const records = parse(text, { bom: true }) as string[][];

    expect(records[1]?.[5]).toBe('said "no", then\nleft');
  });

  it.each(['=HYPERLINK("http://x")', '+1234', '-2+3', '@SUM(A1)', '\tindent', '\rreturn'])(
    'neutralises a cell a spreadsheet would run as a formula: %j',
    (value) => {
      const text = resultsCsv([outcome(2, { username: value, message: value })]);

      const records = parse(text, { bom: true, relax_quotes: true }) as string[][];

      expect(records[1]?.[2]).toBe(`'${value}`);
      expect(records[1]?.[5]).toBe(`'${value}`);
    },
  );

  it('cuts a huge cell to its start, so the file still opens in a spreadsheet', () => {
    const text = resultsCsv([outcome(2, { status: 'invalid', username: 'x'.repeat(1_000_000) })]);

    const records = parse(text, { bom: true }) as string[][];

    expect(records[1]?.[2]).toBe(`${'x'.repeat(MAX_CELL_LENGTH - 1)}…`);
  });

  it('leaves ordinary text alone', () => {
    expect(neutraliseFormula('Ana-María O’Neil')).toBe('Ana-María O’Neil');
    expect(neutraliseFormula('a=b')).toBe('a=b');
  });
});

describe('results file, for any cell values (property-based)', () => {
  const cell = fc.string({ unit: 'grapheme', maxLength: 80 });
  const expected = (value: string) => {
    const cut = value.length > MAX_CELL_LENGTH ? `${value.slice(0, MAX_CELL_LENGTH - 1)}…` : value;
    return /^[=+\-@\t\r]/.test(cut) ? `'${cut}` : cut;
  };

  it('reads back every value as written, or neutralised when a spreadsheet would run it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell), { minLength: 1, maxLength: 20 }), (cells) => {
        const outcomes = cells.map(([username, email, message], i) =>
          outcome(i + 2, { status: 'failed', username, email, message, jumpcloudId: '' }),
        );

        const records = parse(resultsCsv(outcomes), { bom: true }) as string[][];

        expect(records).toHaveLength(outcomes.length + 1);
        outcomes.forEach((o, i) => {
          expect(records[i + 1]).toEqual([
            String(o.row),
            'failed',
            expected(o.username),
            expected(o.email),
            '',
            expected(o.message),
            '',
            '',
          ]);
        });
      }),
      { numRuns: 200 },
    );
  });
});
