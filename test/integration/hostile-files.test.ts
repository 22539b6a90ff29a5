/**
 * Files as people really drop them, end to end through the function: empty, header only, no
 * header, byte order marks, UTF-16, Windows-1252, old Mac line ends, ragged rows, duplicate
 * headers, huge cells, binary junk, a workbook renamed .csv, line breaks inside cells, and
 * 200,000 rows. Each ends with a clear file-level or row-level outcome in the results and the
 * summary; no row is lost and the function never fails on the file itself.
 */
import { crc32 } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { DropResults, EmbeddedStack } from '../../local/embedded-stack';
import { type ResultRow, rowsOf } from './results';
import { useEmbeddedStack } from './stack';

let stack: EmbeddedStack;

useEmbeddedStack({ environment: { JUMPCLOUD_CONCURRENCY: '16' } }, (started) => {
  stack = started;
});

/** Drops the bytes and checks what every file must get: one results file and a summary that add up. */
async function dropFile(
  name: string,
  bytes: string | Uint8Array,
): Promise<{ results: DropResults; rows: ResultRow[] }> {
  const before = stack.lambda.invocations.length;
  const results = await stack.drop(`incoming/hostile/${name}.csv`, bytes);
  expect(results, 'a results file and summary').toBeDefined();
  if (!results) throw new Error('no results');
  // The function did not fail on the file: retrying cannot mend a bad file.
  expect(stack.lambda.invocations.slice(before).map((i) => i.error)).toEqual([undefined]);
  expect(
    results.resultsCsv.startsWith('\uFEFFrow,status,username,email,jumpcloud_id,message,groups,manager\r\n'),
  ).toBe(true);
  const rows = rowsOf(results.resultsCsv);
  expect(results.summary.rows).toBe(rows.length);
  expect(Object.values(results.summary.counts).reduce((sum, n) => sum + n, 0)).toBe(rows.length);
  return { results, rows };
}

/** What became of each row: `[row, status]`. */
const statuses = (rows: ResultRow[]) => rows.map((r) => [Number(r.row), r.status]);
const userNamed = (username: string) => stack.simulator.users().find((u) => u.username === username);

describe('files that cannot be a users CSV: one clear file-level message, nothing sent', () => {
  it.each([
    ['an empty file', 'empty', new Uint8Array(0), /empty/],
    ['a file of blank lines', 'blank-lines', '\r\n\r\n  \r\n', /empty/],
    ['binary junk', 'junk', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256), /binary/],
    ['an Excel workbook (.xlsx) renamed .csv', 'workbook', workbookBytes(), /workbook|xlsx/i],
    [
      'a file whose first line is data, not a header',
      'no-header',
      'ana,ana@example.com\r\nbob,bob@example.com\r\n',
      /no header row/,
    ],
  ])('%s', async (_, name, bytes, reason) => {
    // Act
    const { results, rows } = await dropFile(name, bytes);

    // Assess
    expect(results.summary.fileError).toMatch(reason);
    expect(rows).toEqual([]);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('tells how to fix a workbook: save it as CSV UTF-8', async () => {
    const { results } = await dropFile('workbook-advice', workbookBytes());

    expect(results.summary.fileError).toMatch(/CSV UTF-8/);
  });
});

describe('files that are CSV, however saved', () => {
  it('a header and no rows: an empty results file, nothing sent, no error, a notice saying so', async () => {
    const { results, rows } = await dropFile('header-only', 'Username,Email,First Name\r\n');

    expect(rows).toEqual([]);
    expect(results.summary.fileError).toBeUndefined();
    expect(results.summary.notices).toContain('the file has a header but no rows');
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('a UTF-8 byte order mark (Excel "CSV UTF-8") is not part of the first header', async () => {
    const { rows } = await dropFile('bom', '\uFEFFUsername,Email,First Name\r\nana,ana@example.com,Ána\r\n');

    expect(statuses(rows)).toEqual([[2, 'created']]);
    expect(userNamed('ana')?.firstname).toBe('Ána');
  });

  it.each([
    [
      'UTF-16 LE',
      'utf16le',
      (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    ],
    [
      'UTF-16 BE',
      'utf16be',
      (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]),
    ],
  ])(
    '%s with a byte order mark (Excel "Unicode text") is decoded, names intact',
    async (label, name, encode) => {
      const text = 'Username,Email,First Name,Last Name\r\nzoe,zoe@example.com,Zoë,Łukasiewicz-Ørsted\r\n';

      const { results, rows } = await dropFile(name, encode(text));

      expect(statuses(rows)).toEqual([[2, 'created']]);
      expect(userNamed('zoe')).toMatchObject({ firstname: 'Zoë', lastname: 'Łukasiewicz-Ørsted' });
      expect(results.summary.notices.join(' ')).toContain(label);
    },
  );

  it('Windows-1252 (Excel "CSV (Comma delimited)" on Windows) decodes ’ “ ” é right, and says it guessed', async () => {
    const text =
      'Username,Email,First Name,Last Name,Job Title\r\n' +
      'rene,rene@example.com,René,O’Brien,“Chief” Officer – EMEA\r\n' +
      'chloe,chloe@example.com,Chloé,Müller,Head of Café\r\n';

    const { results, rows } = await dropFile('windows-1252', iconv.encode(text, 'windows-1252'));

    expect(statuses(rows)).toEqual([
      [2, 'created'],
      [3, 'created'],
    ]);
    expect(userNamed('rene')).toMatchObject({
      firstname: 'René',
      lastname: 'O’Brien',
      jobTitle: '“Chief” Officer – EMEA',
    });
    expect(userNamed('chloe')).toMatchObject({
      firstname: 'Chloé',
      lastname: 'Müller',
      jobTitle: 'Head of Café',
    });
    expect(results.summary.notices.join(' ')).toMatch(/Windows-1252/);
  });

  it('old Mac line ends (CR only) separate rows', async () => {
    const { rows } = await dropFile(
      'cr-only',
      'Username,Email\rana,ana@example.com\rbob,bob@example.com\rcid,cid@example\r',
    );

    expect(statuses(rows)).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'invalid'],
    ]);
    expect(rows[2]?.message).toMatch(/email/);
  });

  it('ragged rows: a row with more or fewer cells than the header is invalid, naming the counts; the rest go on', async () => {
    const text =
      'Username,Email,First Name\r\n' +
      'ana,ana@example.com\r\n' +
      'bob,bob@example.com,Bob,surplus,cells\r\n' +
      'cid,cid@example.com,Cid,,,\r\n' +
      'dan,dan@example.com,Dan\r\n';

    const { rows } = await dropFile('ragged', text);

    expect(statuses(rows)).toEqual([
      [2, 'invalid'],
      [3, 'invalid'],
      [4, 'invalid'],
      [5, 'created'],
    ]);
    expect(rows.map((r) => r.message?.split(':')[0])).toEqual([
      'row has 2 cells but the header has 3',
      'row has 5 cells but the header has 3',
      'row has 6 cells but the header has 3',
      '',
    ]);
    expect(userNamed('bob')).toBeUndefined();
  });

  it('duplicate header names: the first column is used and the summary says so', async () => {
    const text = 'Username,Email,E-mail,username\r\nana,ana@example.com,other@example.com,someone\r\n';

    const { results, rows } = await dropFile('duplicate-headers', text);

    expect(statuses(rows)).toEqual([[2, 'created']]);
    expect(userNamed('ana')?.email).toBe('ana@example.com');
    expect(userNamed('someone')).toBeUndefined();
    expect(results.summary.notices.join(' ')).toMatch(/duplicate header "E-mail".*first one/);
    expect(results.summary.notices.join(' ')).toMatch(/duplicate header "username"/);
  });

  it('a 1 MB cell: invalid where JumpCloud limits the field, ignored in an unknown column, never copied into a message', async () => {
    const mega = (char: string) => char.repeat(1_000_000);
    const text =
      'Username,Email,Description,Favourite Colour\r\n' +
      `ana,ana@example.com,${mega('d')},blue\r\n` +
      `bob,bob@example.com,fine,${mega('c')}\r\n` +
      `cid,cid@example.com,"${mega('q')}",green\r\n` +
      'dan,dan@example.com,short,red\r\n' +
      `${mega('u')},eve@example.com,short,red\r\n`;

    const { results, rows } = await dropFile('mega-cell', text);

    expect(statuses(rows)).toEqual([
      [2, 'invalid'],
      [3, 'created'],
      [4, 'invalid'],
      [5, 'created'],
      [6, 'invalid'],
    ]);
    expect(rows[0]?.message).toMatch(/description: is longer than 1024 characters/);
    expect(results.summary.unknownColumns).toEqual(['Favourite Colour']);
    expect(Math.max(...rows.map((r) => (r.message ?? '').length))).toBeLessThan(500);
    expect(results.resultsCsv.length).toBeLessThan(10_000);
  });

  it('line breaks inside quoted cells: one row each, numbered as a spreadsheet shows them', async () => {
    const text =
      'Username,Email,Description\r\n' +
      'ana,ana@example.com,"two\r\nlines"\r\n' +
      'bob,bob@example.com,"three\nlines\nhere"\r\n' +
      '\r\n' +
      'cid,not-an-email,"and one\rmore"\r\n' +
      'dan,dan@example.com,x\r\n';

    const { rows } = await dropFile('quoted-newlines', text);

    // Rows 2 and 3 hold line breaks; row 4 is blank (not a row, but it keeps its number).
    expect(statuses(rows)).toEqual([
      [2, 'created'],
      [3, 'created'],
      [5, 'invalid'],
      [6, 'created'],
    ]);
    expect(rows[2]?.message).toMatch(/email/);
    expect(userNamed('bob')?.description).toBe('three\nlines\nhere');
  });

  it('a stray quote never closed at row 3 of 1,000: the rows before it go on, the file fails with a file error naming the row', async () => {
    // Prepare
    const lines = [
      'Username,Email,Description',
      'ana,ana@example.com,fine',
      'bob,bob@example.com,"never closed',
    ];
    for (let i = 4; i <= 1001; i++) lines.push(`later${i},later${i}@example.com,x`);

    // Act
    const { results, rows } = await dropFile('stray-quote', `${lines.join('\r\n')}\r\n`);

    // Assess
    expect(statuses(rows)).toEqual([
      [2, 'created'],
      [3, 'invalid'],
    ]);
    expect(rows[1]?.message).toMatch(/never closed.*this row and any after it could not be read/);
    expect(results.summary.fileError).toBe(
      'reading stopped at row 3: a quoted cell that starts there is never closed (a stray " character?), ' +
        'so the lines after it were not read; close or remove the quote and drop the file again',
    );
    expect(userNamed('later4')).toBeUndefined();
  });

  it.each([
    [
      'one 5 MB line',
      'x'.repeat(5_000_000),
      /^the first line is not a header: column A is 5000000 characters long/,
    ],
    [
      'a header with a 5 MB column name',
      `Username,Email,${'y'.repeat(5_000_000)}`,
      /^the first line is not a header: column C is 5000000 characters long/,
    ],
  ])(
    '%s as the header: a clear file error, and a summary that echoes none of it',
    async (name, header, reason) => {
      // Act
      const { results, rows } = await dropFile(
        `absurd-header-${name.length}`,
        `${header}\r\nana,ana@example.com\r\n`,
      );

      // Assess
      expect(results.summary.fileError).toMatch(reason);
      expect(rows).toEqual([]);
      expect(JSON.stringify(results.summary).length).toBeLessThan(2_000);
      expect(stack.simulator.requests).toHaveLength(0);
    },
  );
});

describe('a 200,000-row file', () => {
  // Creating 200,000 users on the simulator over loopback HTTP takes minutes; the point here is
  // the volume through the real path (S3 stream, checkpoints every 2,000 rows, part files, one
  // results file), so one row in a thousand is a new user and the rest are invalid (bad email).
  it('is read, checkpointed and reported row by row, in order, none lost', async () => {
    // Prepare
    const count = 200_000;
    const lines = ['Username,Email,First Name,Last Name'];
    for (let i = 0; i < count; i += 1) {
      lines.push(
        i % 1000 === 0 ? `big${i},big${i}@example.com,Big,${i}` : `big${i},big${i}-at-example.com,Big,${i}`,
      );
    }

    // Act
    const results = await stack.drop(
      'incoming/hostile/two-hundred-thousand.csv',
      `${lines.join('\r\n')}\r\n`,
    );

    // Assess: every row once, in order, with the right status.
    expect(results?.summary.rows).toBe(count);
    expect(results?.summary.counts).toMatchObject({ created: count / 1000, invalid: count - count / 1000 });
    const reported = (results?.resultsCsv ?? '').split('\r\n').slice(1, -1);
    expect(reported).toHaveLength(count);
    const out = reported.filter(
      (line, i) => !line.startsWith(`${i + 2},${i % 1000 === 0 ? 'created' : 'invalid'},big${i},`),
    );
    expect(out).toEqual([]);
    expect(stack.simulator.users()).toHaveLength(count / 1000);
  }, 120_000);
});

/**
 * A minimal but well-formed .xlsx: a zip (stored, not compressed) holding the parts Excel
 * writes first. Only its bytes matter here: what a renamed workbook looks like to the function.
 */
function workbookBytes(): Buffer {
  const parts: [string, string][] = [
    [
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    ],
    ['xl/workbook.xml', '<workbook><sheets><sheet name="Users" sheetId="1"/></sheets></workbook>'],
    [
      'xl/worksheets/sheet1.xml',
      '<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>Username</t></is></c><c t="inlineStr"><is><t>Email</t></is></c></row>' +
        '<row r="2"><c t="inlineStr"><is><t>ana</t></is></c><c t="inlineStr"><is><t>ana@example.com</t></is></c></row></sheetData></worksheet>',
    ],
  ];
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of parts) {
    const data = Buffer.from(text, 'utf8');
    const fileName = Buffer.from(name, 'utf8');
    const checksum = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(checksum, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    central.push(entry, fileName);
    offset += local.length + fileName.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
