import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openUserCsv } from '../../lambda/csv/read-rows';
import type { SourceRow } from '../../lambda/domain';
import { UnreadableFileError } from '../../lambda/errors';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

async function readAll(input: Parameters<typeof openUserCsv>[0]) {
  const csv = await openUserCsv(input);
  const rows: SourceRow[] = [];
  for await (const row of csv.rows) rows.push(row);
  return { csv, rows };
}

async function refusal(input: Parameters<typeof openUserCsv>[0]): Promise<string> {
  const error = await readAll(input).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UnreadableFileError);
  return (error as Error).message;
}

describe('openUserCsv', () => {
  it('reads an Excel "CSV UTF-8" export (byte order mark, CRLF), numbering rows as the spreadsheet does', async () => {
    // Prepare
    const file = Buffer.concat([
      BOM,
      Buffer.from(
        'First Name,Last Name,Username,Email\r\nZoë,O’Brien,zobrien,zoe@example.com\r\nAl,Li,ali,al@example.com\r\n',
      ),
    ]);

    // Act
    const { csv, rows } = await readAll([file]);

    // Assess
    expect(csv.columns.map((column) => column.field)).toEqual(['firstname', 'lastname', 'username', 'email']);
    expect(csv.fileProblem).toBeUndefined();
    expect(csv.notices).toEqual([]);
    expect(rows).toEqual([
      {
        row: 2,
        cells: { firstname: 'Zoë', lastname: 'O’Brien', username: 'zobrien', email: 'zoe@example.com' },
      },
      { row: 3, cells: { firstname: 'Al', lastname: 'Li', username: 'ali', email: 'al@example.com' } },
    ]);
  });

  it('reads a Google Sheets export (LF, no byte order mark, no final line end)', async () => {
    const { rows } = await readAll(['username,email\njdoe,jdoe@example.com\nmsmith,m@example.com']);

    expect(rows.map((row) => [row.row, row.cells.username])).toEqual([
      [2, 'jdoe'],
      [3, 'msmith'],
    ]);
  });

  it('reads old Mac line ends (CR only)', async () => {
    const { rows } = await readAll(['username,email\rjdoe,j@example.com\rmsmith,m@example.com\r']);

    expect(rows.map((row) => [row.row, row.cells.email])).toEqual([
      [2, 'j@example.com'],
      [3, 'm@example.com'],
    ]);
  });

  it('reads a file whose line ends are mixed, and a CRLF split across chunks', async () => {
    const { rows } = await readAll(['username,email\r', '\na,a@x.io\nb,b@x.io\r', 'c,c@x.io']);

    expect(rows.map((row) => [row.row, row.cells.username])).toEqual([
      [2, 'a'],
      [3, 'b'],
      [4, 'c'],
    ]);
  });

  it('keeps quoted commas, quotes and line breaks in a cell, and counts a multi-line cell as one row', async () => {
    // Prepare: row 2 spans three lines of the file
    const file =
      'username,email,description\r\njdoe,j@x.io,"Line one, with comma\r\n""quoted""\r\nline three"\r\nmsmith,m@x.io,plain\r\n';

    // Act
    const { rows } = await readAll([file]);

    // Assess
    expect(rows).toEqual([
      {
        row: 2,
        cells: {
          username: 'jdoe',
          email: 'j@x.io',
          description: 'Line one, with comma\r\n"quoted"\r\nline three',
        },
      },
      { row: 3, cells: { username: 'msmith', email: 'm@x.io', description: 'plain' } },
    ]);
  });

  it('skips blank lines and rows of empty cells but keeps counting them, as a spreadsheet shows them', async () => {
    const file = 'username,email\n\njdoe,j@x.io\n,\n  , \nmsmith,m@x.io\n\n';

    const { rows } = await readAll([file]);

    expect(rows.map((row) => [row.row, row.cells.username])).toEqual([
      [3, 'jdoe'],
      [6, 'msmith'],
    ]);
  });

  it('counts blank lines above the header too', async () => {
    const { rows } = await readAll(['\n\nusername,email\njdoe,j@x.io\n']);

    expect(rows).toEqual([{ row: 4, cells: { username: 'jdoe', email: 'j@x.io' } }]);
  });

  it('refuses a row with a cell too few, naming the counts and no cell: its cells would land in the wrong columns', async () => {
    // Prepare: the first name and last name ran together, so the password sits under Username
    const file = 'Email,First Name,Last Name,Username,Password\njsmith@x.io,John Smith,jsmith,Secret-Pw-1\n';

    // Act
    const { rows } = await readAll([file]);

    // Assess
    expect(rows).toEqual([
      {
        row: 2,
        cells: {},
        problem:
          'row has 4 cells but the header has 5: a cell is missing, or a comma inside a cell is not in quotes',
      },
    ]);
  });

  it('refuses a row with a cell too many, even when the surplus cell is empty', async () => {
    // Prepare: an unquoted comma in a first name pushes the password under Email
    const file =
      'First Name,Last Name,Username,Password,Email,Department\n' +
      'John,Jr,Smith,jsmith,Secret-Pw-1,jsmith@x.io,Sales\n' +
      'Ann,Jr,Lee,alee,Secret-Pw-2,alee@x.io,\n' +
      'Bo,Li,bli,Secret-Pw-3,bli@x.io,Sales\n';

    // Act
    const { rows } = await readAll([file]);

    // Assess
    const tooMany =
      'row has 7 cells but the header has 6: a cell is missing, or a comma inside a cell is not in quotes';
    expect(rows.map((row) => [row.row, row.problem])).toEqual([
      [2, tooMany],
      [3, tooMany],
      [4, undefined],
    ]);
    expect(rows.slice(0, 2).map((row) => row.cells)).toEqual([{}, {}]);
  });

  it('takes the password out of the cells: it travels on its own, never as a cell', async () => {
    const { rows } = await readAll(['Username,Email,Initial Password\njdoe,j@x.io,Secret-Pw-1\n']);

    expect(rows).toEqual([{ row: 2, cells: { username: 'jdoe', email: 'j@x.io' }, password: 'Secret-Pw-1' }]);
  });

  it('reads the rows after a repeated header by that header, whatever its column order', async () => {
    // Prepare: two exports glued together, the second with its columns in another order
    const file =
      'Username,Email,Password\n' +
      'jdoe,j@x.io,Secret-Pw-1\n' +
      'Password,Username,E-mail,Shoe Size\n' +
      'Secret-Pw-2,msmith,m@x.io,42\n';

    // Act
    const { csv, rows } = await readAll([file]);

    // Assess: the header line is not a row; the row after it is mapped by it
    expect(rows).toEqual([
      { row: 2, cells: { username: 'jdoe', email: 'j@x.io' }, password: 'Secret-Pw-1' },
      { row: 4, cells: { username: 'msmith', email: 'm@x.io' }, password: 'Secret-Pw-2' },
    ]);
    expect(csv.notices).toContain(
      'row 3 repeats the header, with other columns or in another order: the rows after it are read by it',
    );
    expect(csv.unknownColumns).toEqual(['Shoe Size']);
  });

  it('refuses the rows after a repeated header that cannot be used, keeping none of their cells', async () => {
    // Prepare: the second header has a column name no person would write
    const file = `username,email\na,a@x.io\npassword,email,username,${'x'.repeat(200)}\nSecret-Pw-2,b@x.io,b,1\n`;

    // Act
    const { rows } = await readAll([file]);

    // Assess
    expect(rows.map((row) => [row.row, row.cells, row.problem?.split(':')[0]])).toEqual([
      [2, { username: 'a', email: 'a@x.io' }, undefined],
      [3, {}, 'this row repeats the header but cannot be one'],
      [4, {}, 'not read'],
    ]);
    expect(JSON.stringify(rows)).not.toContain('Secret-Pw-2');
  });

  it('skips a header repeated as it is, and says so', async () => {
    const { csv, rows } = await readAll(['username,email\na,a@x.io\nusername,email\nb,b@x.io\n']);

    expect(rows.map((row) => [row.row, row.cells.username])).toEqual([
      [2, 'a'],
      [4, 'b'],
    ]);
    expect(csv.notices).toContain('row 3 repeats the header: it is not a row');
  });

  it('uses the first of duplicate headers and notes the duplicate', async () => {
    const { csv, rows } = await readAll(['username,Email,email\njdoe,first@x.io,second@x.io\n']);

    expect(rows[0]?.cells.email).toBe('first@x.io');
    expect(csv.notices).toEqual([
      'duplicate header "email" (column C) for email: the first one, "Email" (column B), is used',
    ]);
  });

  it('reports unknown and unsupported columns once, and never puts them in cells', async () => {
    const { csv, rows } = await readAll(['username,email,Shoe Size,SystemID\njdoe,j@x.io,42,5f1e2d3c\n']);

    expect(csv.unknownColumns).toEqual(['Shoe Size', 'SystemID']);
    expect(csv.notices).toEqual([
      'unknown column, ignored: "Shoe Size"',
      'column not supported yet, ignored: "SystemID"',
    ]);
    expect(rows[0]?.cells).toEqual({ username: 'jdoe', email: 'j@x.io' });
  });

  it('marks every row with the file problem when a required column is missing, and still yields them', async () => {
    const { csv, rows } = await readAll(['username,First Name\njdoe,Jane\nmsmith,Mo\n']);

    expect(csv.fileProblem).toBe('missing required column "email"');
    expect(rows.map((row) => [row.row, row.problem])).toEqual([
      [2, 'missing required column "email"'],
      [3, 'missing required column "email"'],
    ]);
  });

  it('reads a header-only file as zero rows, without an error', async () => {
    const { csv, rows } = await readAll(['username,email\r\n']);

    expect(rows).toEqual([]);
    expect(csv.fileProblem).toBeUndefined();
  });

  it('refuses a file with only blank lines', async () => {
    expect(await refusal(['\r\n\r\n  \r\n'])).toMatch(/only blank lines/);
  });

  it('refuses a file whose first line is data, not a header', async () => {
    expect(await refusal(['jdoe,jdoe@example.com,Jane\nmsmith,m@example.com,Mo\n'])).toMatch(
      /^no header row/,
    );
  });

  it('refuses an empty file, an .xlsx and a binary file', async () => {
    expect(await refusal([])).toBe('the file is empty');
    expect(await refusal([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0])])).toMatch(/CSV UTF-8/);
    expect(
      await refusal([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])]),
    ).toMatch(/binary/);
  });

  it('reads Windows-1252 text right and notes the guess', async () => {
    // Prepare: "username,lastname,email" then o’brien / O’Brien “Jr” € / o@x.io in Windows-1252
    const file = iconv.encode('username,lastname,email\r\nobrien,O’Brien “Jr” €é,o@x.io\r\n', 'windows-1252');

    const { csv, rows } = await readAll([file]);

    expect(rows[0]?.cells.lastname).toBe('O’Brien “Jr” €é');
    expect(csv.notices).toEqual([expect.stringMatching(/^decoded as Windows-1252/)]);
  });

  it('reads UTF-16 LE text with its byte order mark', async () => {
    const file = iconv.encode('username\temail\r\nzoë\tz@x.io\r\n', 'utf16le', { addBOM: true });

    const { csv, rows } = await readAll([file]);

    expect(rows).toEqual([{ row: 2, cells: { username: 'zoë', email: 'z@x.io' } }]);
    expect(csv.notices).toEqual(['decoded as UTF-16 LE', 'columns are separated by tabs']);
  });

  it('refuses a cell holding "\uFFFD" as written in the file: the character it stood for is already lost', async () => {
    const { rows } = await readAll(['username,email,lastname\njose,j@x.io,Jos\uFFFD\nana,a@x.io,Ana\n']);

    expect(rows[0]?.problem).toMatch(/^lastname: holds characters .* lost before it was saved/);
    expect(rows[0]?.problem).not.toContain('Jos');
    expect(rows[1]?.problem).toBeUndefined();
  });

  it('reads semicolon-separated files as European Excel saves them', async () => {
    const { csv, rows } = await readAll(['Username;E-Mail;Nachname\njdoe;j@x.io;"Müller, Jr"\n']);

    expect(rows[0]?.cells).toEqual({ username: 'jdoe', email: 'j@x.io' });
    expect(csv.notices).toContain('columns are separated by semicolons');
  });

  it('honours Excel\'s "sep=;" first line: that separator is used and the line is neither a row nor the header', async () => {
    // Prepare: as Excel saves it, which hides the sep line, so the header is row 1 on screen
    const file = Buffer.concat([
      BOM,
      Buffer.from('sep=;\r\nUsername;E-Mail;Nachname\r\njdoe;j@x.io;"Müller, Jr"\r\nali;a@x.io;Li\r\n'),
    ]);

    // Act
    const { csv, rows } = await readAll([file]);

    // Assess
    expect(csv.fileProblem).toBeUndefined();
    expect(rows).toEqual([
      { row: 2, cells: { username: 'jdoe', email: 'j@x.io' } },
      { row: 3, cells: { username: 'ali', email: 'a@x.io' } },
    ]);
    expect(csv.unknownColumns).toEqual(['Nachname']);
    expect(csv.notices).toContain(
      'the first line "sep=;" names the column separator (semicolons), as Excel reads it: that line is not a row',
    );
  });

  it.each([
    ['sep=,', 'username,email\njdoe,j@x.io\n'],
    ['sep=\t', 'username\temail\njdoe\tj@x.io\n'],
    ['sep=|', 'username|email\njdoe|j@x.io\n'],
    ['"sep=;"', 'username;email\njdoe;j@x.io\n'],
    ['SEP=;', 'username;email\njdoe;j@x.io\n'],
  ])('honours a first line %j the same way', async (line, rest) => {
    const { csv, rows } = await readAll([`${line}\n${rest}`]);

    expect(csv.fileProblem).toBeUndefined();
    expect(rows).toEqual([{ row: 2, cells: { username: 'jdoe', email: 'j@x.io' } }]);
  });

  it('refuses a "sep=" line that names a letter or a quote, saying what it should name', async () => {
    expect(await refusal(['sep=x\nusername,email\njdoe,j@x.io\n'])).toMatch(/"sep=" line .* e\.g\. sep=;/);
  });

  it('reads a semicolon file without a sep line even when a header holds a comma, by the column names', async () => {
    const { csv, rows } = await readAll(['"Name, first";Username;Email;Phone\nAda;ada;ada@x.io;1\n']);

    expect(csv.fileProblem).toBeUndefined();
    expect(rows[0]?.cells).toMatchObject({ username: 'ada', email: 'ada@x.io', work_number: '1' });
    expect(csv.notices).toContain('columns are separated by semicolons');
  });

  it('reads a file separated by vertical bars', async () => {
    const { rows } = await readAll(['username|email|lastname\njdoe|j@x.io|Doe\n']);

    expect(rows).toEqual([{ row: 2, cells: { username: 'jdoe', email: 'j@x.io', lastname: 'Doe' } }]);
  });

  it('ends with a problem row when a quote is never closed, and says the rest of the file was not read', async () => {
    // Prepare: 1,000 good rows, then one whose quote runs to the end of the file
    const good = Array.from({ length: 1000 }, (_, i) => `u${i},u${i}@x.io\n`).join('');

    // Act
    const { csv, rows } = await readAll([`username,email\n${good}msmith,"m@x.io\nann,a@x.io\n`]);

    // Assess
    expect(rows).toHaveLength(1001);
    expect(rows[999]).toEqual({ row: 1001, cells: { username: 'u999', email: 'u999@x.io' } });
    expect(rows[1000]).toEqual({
      row: 1002,
      cells: {},
      problem:
        'a quoted cell that starts in this row is never closed (a stray " character?): this row and any after it could not be read',
    });
    expect(csv.stoppedReading).toBe(
      'reading stopped at row 1002: a quoted cell that starts there is never closed (a stray " character?), ' +
        'so the lines after it were not read; close or remove the quote and drop the file again',
    );
  });

  it('reads to the end without a reading problem when every quote closes', async () => {
    const { csv } = await readAll(['username,email,description\njdoe,j@x.io,"a ""quoted"" word"\n']);

    expect(csv.stoppedReading).toBeUndefined();
  });

  it('refuses a file whose header row never closes a quote', async () => {
    expect(await refusal(['username,"email\njdoe,j@x.io\n'])).toBe(
      'the header row cannot be read as CSV (CSV_QUOTE_NOT_CLOSED)',
    );
  });

  it('reads a 1 MB cell whole', async () => {
    const big = 'x'.repeat(1024 * 1024);

    const { rows } = await readAll([
      'username,email,description\n',
      `jdoe,j@x.io,"${big}"\n`,
      'ann,a@x.io,short\n',
    ]);

    expect(rows[0]?.cells.description).toHaveLength(big.length);
    expect(rows[1]).toEqual({ row: 3, cells: { username: 'ann', email: 'a@x.io', description: 'short' } });
  });

  it('streams 200,000 rows from a Node stream', async () => {
    // Prepare
    async function* lines(): AsyncGenerator<string> {
      yield 'username,email\n';
      for (let i = 0; i < 200_000; i += 1000) {
        let chunk = '';
        for (let j = i; j < i + 1000; j++) chunk += `user${j},user${j}@example.com\n`;
        yield chunk;
      }
    }

    // Act
    const csv = await openUserCsv(Readable.from(lines()));
    let count = 0;
    let last: SourceRow | undefined;
    for await (const row of csv.rows) {
      count++;
      last = row;
    }

    // Assess
    expect(count).toBe(200_000);
    expect(last).toEqual({
      row: 200_001,
      cells: { username: 'user199999', email: 'user199999@example.com' },
    });
  });

  it('stops reading the source when the reader stops early', async () => {
    // Prepare
    let closed = false;
    async function* source(): AsyncGenerator<string> {
      try {
        yield 'username,email\n';
        for (let i = 0; ; i++) yield `u${i},u${i}@x.io\n`;
      } finally {
        closed = true;
      }
    }
    const csv = await openUserCsv(source());

    // Act
    for await (const row of csv.rows) if (row.row === 3) break;
    for (let turn = 0; turn < 100 && !closed; turn++) await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(closed).toBe(true);
  });

  it('passes on a failure of the source itself, not as an unreadable file', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield 'username,email\njdoe,j@x.io\n';
      throw new Error('connection reset');
    }

    const error = await readAll(failing()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(UnreadableFileError);
    expect((error as Error).message).toBe('connection reset');
  });
});
