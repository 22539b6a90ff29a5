import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openUserCsv } from '../../lambda/csv/read-rows';
import type { SourceRow, ValidatedRow } from '../../lambda/domain';
import { UnreadableFileError } from '../../lambda/errors';
import { TEMPLATE_COLUMNS } from '../../lambda/users/template';
import { createRowValidator } from '../../lambda/users/validate-row';

const RUNS = { numRuns: 150 };

/** Characters that break naive CSV handling, mixed with any printable grapheme. */
const trickyCharacter = fc.oneof(
  fc.constantFrom(
    '"',
    ',',
    ';',
    '\n',
    '\r',
    '\r\n',
    '\t',
    ' ',
    '=',
    '+',
    '-',
    '@',
    'é',
    '€',
    '’',
    '😀',
    '\u2028',
    '\uFEFF',
  ),
  // "\uFFFD" is refused wherever it stands (csv-read-rows.test.ts): the character it replaced is lost.
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
    .filter((grapheme) => !grapheme.includes('\uFFFD')),
);
const cellValue = fc.string({ unit: trickyCharacter, maxLength: 12 });

/** The bytes cut at arbitrary places, as a network delivers them. */
function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

function encode(text: string, encoding: 'utf-8' | 'utf-8 with BOM' | 'utf-16le'): Buffer {
  if (encoding === 'utf-16le') return iconv.encode(text, 'utf16le', { addBOM: true });
  const bytes = Buffer.from(text, 'utf8');
  return encoding === 'utf-8' ? bytes : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
}

async function readRows(chunks: Iterable<Uint8Array | string>): Promise<SourceRow[]> {
  const csv = await openUserCsv(chunks);
  const rows: SourceRow[] = [];
  for await (const row of csv.rows) rows.push(row);
  return rows;
}

describe('CSV properties', () => {
  it('gives back every cell value exactly as written, whatever it holds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(cellValue, cellValue, cellValue), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('\r\n', '\n', '\r'),
        fc.constantFrom('utf-8', 'utf-8 with BOM', 'utf-16le') as fc.Arbitrary<
          'utf-8' | 'utf-8 with BOM' | 'utf-16le'
        >,
        fc.array(fc.nat(), { maxLength: 5 }),
        async (values, lineEnd, encoding, cuts) => {
          // Prepare: quoted as RFC 4180 asks (a cell with a line break is quoted, as Excel and Sheets do)
          const records = [
            ['username', 'email', 'description', 'lastname'],
            ...values.map(([email, description, lastname], i) => [`user${i}`, email, description, lastname]),
          ];
          const text = stringify(records, { record_delimiter: lineEnd, quoted_match: /[\r\n]/ });

          // Act
          const rows = await readRows(cut(encode(text, encoding), cuts));

          // Assess
          expect(rows.map((row) => [row.cells.email, row.cells.description, row.cells.lastname])).toEqual(
            values,
          );
          expect(rows.map((row) => row.row)).toEqual(values.map((_, i) => i + 2));
          expect(rows.every((row) => row.problem === undefined)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('refuses random bytes only with UnreadableFileError, and validates whatever rows it reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (bytes, cuts) => {
          await expectOnlyUnreadableFileErrors([...cut(Buffer.from(bytes), cuts)]);
        },
      ),
      RUNS,
    );
  });

  it('refuses random CSV-like text only with UnreadableFileError, and validates whatever rows it reads', async () => {
    const csvishCharacter = fc.constantFrom(
      ',',
      '"',
      '\n',
      '\r',
      ';',
      '\t',
      ' ',
      'a',
      'Z',
      '1',
      '@',
      '.',
      'é',
      '\u0092',
    );
    const header = fc.constantFrom(
      '',
      'username,email\n',
      'Email,User Name,sudo,state\r\n',
      `${TEMPLATE_COLUMNS.join(',')}\n`,
    );
    await fc.assert(
      fc.asyncProperty(header, fc.string({ unit: csvishCharacter, maxLength: 300 }), async (head, body) => {
        await expectOnlyUnreadableFileErrors([head + body]);
      }),
      RUNS,
    );
  });

  it('never puts the password into a message, wherever else it is typed', async () => {
    const columns = [
      'username',
      'email',
      'manager',
      'state',
      'sudo',
      'enrollmentDays',
      'attribute1_name',
      'attribute1_value',
      'description',
    ];
    fc.assert(
      fc.property(
        fc
          .string({ unit: trickyCharacter, minLength: 1, maxLength: 20 })
          .filter((password) => password.trim() !== ''),
        fc.array(
          fc.tuple(
            fc.constantFrom(...columns),
            fc.nat(3),
            fc.string({ maxLength: 8 }),
            fc.string({ maxLength: 8 }),
          ),
        ),
        (password, placements) => {
          // Prepare: other cells hold random text, the password, or the password inside text
          const cells: Record<string, string> = { username: 'jdoe', email: 'jdoe@example.com' };
          for (const [column, how, before, after] of placements) {
            cells[column] =
              [before, password, `${before}${password}${after}`, `${password} ${after}`][how] ?? before;
          }

          // Act
          const result = createRowValidator()({ row: 2, cells, password });

          // Assess
          if (!result.ok) expect(result.message).not.toContain(password.trim());
        },
      ),
      { numRuns: 200 },
    );
  });
});

async function expectOnlyUnreadableFileErrors(chunks: (Uint8Array | string)[]): Promise<void> {
  const validate = createRowValidator();
  const results: ValidatedRow[] = [];
  try {
    for (const row of await readRows(chunks)) results.push(validate(row));
  } catch (error) {
    expect(error).toBeInstanceOf(UnreadableFileError);
  }
  for (const result of results) expect(typeof result.ok).toBe('boolean');
}
