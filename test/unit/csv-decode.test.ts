import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { type ByteSource, decodeCsvBytes, SAMPLE_BYTES } from '../../lambda/csv/decode';
import { UnreadableFileError } from '../../lambda/errors';

async function decodeAll(input: ByteSource) {
  const decoded = await decodeCsvBytes(input);
  let text = '';
  for await (const piece of decoded.text) text += piece;
  return { text, encoding: decoded.encoding, notices: decoded.notices };
}

/** The bytes split into chunks of `size`, as a slow network would deliver them. */
async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

async function refusal(input: ByteSource): Promise<UnreadableFileError> {
  const error = await decodeAll(input).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(UnreadableFileError);
  return error as UnreadableFileError;
}

describe('decodeCsvBytes', () => {
  it('strips the UTF-8 byte order mark Excel writes and keeps CRLF line ends', async () => {
    // Prepare
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('username,email\r\nzoë,z@x.com\r\n'),
    ]);

    // Act
    const { text, encoding, notices } = await decodeAll([bytes]);

    // Assess
    expect(text).toBe('username,email\r\nzoë,z@x.com\r\n');
    expect(encoding).toBe('utf-8');
    expect(notices).toEqual([]);
  });

  it('reads UTF-8 without a byte order mark (Google Sheets) as it is', async () => {
    const { text, encoding } = await decodeAll([Buffer.from('name\nJosé 😀 Ōsaka\n')]);

    expect(text).toBe('name\nJosé 😀 Ōsaka\n');
    expect(encoding).toBe('utf-8');
  });

  it('keeps a UTF-8 character that is split across chunks whole', async () => {
    const bytes = Buffer.from('a,b\nJosé,😀€\n');

    const { text, notices } = await decodeAll(chunked(bytes, 1));

    expect(text).toBe('a,b\nJosé,😀€\n');
    expect(notices).toEqual([]);
  });

  it('decodes Windows-1252 curly quotes, euro sign and accents right, and says it guessed', async () => {
    // Prepare: ’ “ ” € é – as Excel on Windows saves them; latin1 would turn 0x92 into a control character
    const bytes = Buffer.from([0x6e, 0x0a, 0x92, 0x93, 0x94, 0x80, 0xe9, 0x96, 0x0a]);

    // Act
    const { text, encoding, notices } = await decodeAll([bytes]);

    // Assess
    expect(text).toBe('n\n’“”€é–\n');
    expect(encoding).toBe('windows-1252');
    expect(notices.join(' ')).toMatch(/Windows-1252/);
  });

  it('decodes every byte from 0x80 to 0xFF as Windows-1252 defines it, and its five undefined bytes as "�"', async () => {
    // Prepare: a line of ASCII (so the file is recognised as text), then each byte 0x80-0xFF once
    const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
    const bytes = Buffer.concat([Buffer.from('username,email\n'), high]);
    // Unicode's cp1252 table for 0x80-0x9F; 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in it.
    const expected80to9F = [
      0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152,
      0xfffd, 0x017d, 0xfffd, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122,
      0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
    ];
    const expectedA0toFF = Array.from({ length: 96 }, (_, i) => 0xa0 + i); // the same as Latin-1

    // Act
    const { text, encoding } = await decodeAll(chunked(bytes, 7));

    // Assess
    expect(encoding).toBe('windows-1252');
    const decoded = [...text.slice('username,email\n'.length)].map((char) => char.codePointAt(0));
    expect(decoded).toEqual([...expected80to9F, ...expectedA0toFF]);
    // The same as iconv-lite, the reference the project decoded with before
    expect(text).toBe(iconv.decode(bytes, 'windows-1252'));
  });

  it('switches to Windows-1252 when the first non-ASCII byte comes after the 64 KB sample', async () => {
    // Prepare: a long plain ASCII start, then O’Brien in Windows-1252
    const ascii = Buffer.from(`${'a,b\n'.repeat(SAMPLE_BYTES / 2)}`);
    const bytes = Buffer.concat([ascii, Buffer.from([0x4f, 0x92, 0x42, 0x0a])]);

    // Act
    const { text, encoding } = await decodeAll(chunked(bytes, 4096));

    // Assess
    expect(text.endsWith('O’B\n')).toBe(true);
    expect(text.length).toBe(ascii.length + 4);
    expect(encoding).toBe('windows-1252');
  });

  it('shows invalid UTF-8 that appears after the file proved to be UTF-8 as "�", with a notice', async () => {
    // Prepare: valid UTF-8 with an accent first, a stray Windows-1252 byte later
    const bytes = Buffer.concat([
      Buffer.from('é\n'),
      Buffer.from('x'.repeat(SAMPLE_BYTES * 2)),
      Buffer.from([0x92, 0x0a]),
    ]);

    const { text, encoding, notices } = await decodeAll(chunked(bytes, 1000));

    expect(encoding).toBe('utf-8');
    expect(text.startsWith('é\n')).toBe(true);
    expect(text.endsWith('x\uFFFD\n')).toBe(true);
    expect(notices.join(' ')).toMatch(/not valid UTF-8/);
  });

  it('reads a UTF-8 file with a few stray Windows-1252 bytes as UTF-8: good names intact, only the odd bytes marked', async () => {
    // Prepare: accented names in UTF-8, and one curly apostrophe pasted in from Windows-1252
    const bytes = Buffer.concat([
      Buffer.from('username,first name\nj1,José\nj2,O'),
      Buffer.from([0x92]),
      Buffer.from('Brien\nj3,Núñez\n'),
    ]);

    // Act
    const { text, encoding, notices } = await decodeAll([bytes]);

    // Assess: never JosÃ© or NÃºÃ±ez; the stray byte shows as "�" for the row check to catch
    expect(encoding).toBe('utf-8');
    expect(text).toBe('username,first name\nj1,José\nj2,O\uFFFDBrien\nj3,Núñez\n');
    expect(notices.join(' ')).toMatch(/not valid UTF-8/);
    expect(notices.join(' ')).not.toMatch(/Windows-1252/);
  });

  it('still reads a Windows-1252 file whose one UTF-8-looking pair is outnumbered as Windows-1252', async () => {
    // Prepare: "Ã©" is a valid UTF-8 pair by accident; José and Müller are plain Windows-1252
    const bytes = iconv.encode('n\nJosé,Müller,Ã©\n', 'windows-1252');

    const { text, encoding } = await decodeAll([bytes]);

    expect(encoding).toBe('windows-1252');
    expect(text).toBe('n\nJosé,Müller,Ã©\n');
  });

  it('decodes UTF-16 LE with its byte order mark, also when chunks split characters', async () => {
    const bytes = iconv.encode('username,email\r\nzoë,z@x.com 😀\r\n', 'utf16le', { addBOM: true });

    const { text, encoding } = await decodeAll(chunked(bytes, 3));

    expect(text).toBe('username,email\r\nzoë,z@x.com 😀\r\n');
    expect(encoding).toBe('utf-16le');
  });

  it('decodes UTF-16 BE with its byte order mark', async () => {
    const bytes = iconv.encode('a,b\nü,€\n', 'utf16be', { addBOM: true });

    const { text, encoding } = await decodeAll([bytes]);

    expect(text).toBe('a,b\nü,€\n');
    expect(encoding).toBe('utf-16be');
  });

  it('decodes UTF-16 BE in chunks that split characters and surrogate pairs', async () => {
    const written = 'username,email\r\nzoë,z@x.com 😀 O’Brien\r\n';
    const bytes = iconv.encode(written, 'utf16be', { addBOM: true });

    const { text, encoding } = await decodeAll(chunked(bytes, 3));

    expect(text).toBe(written);
    expect(encoding).toBe('utf-16be');
  });

  it('marks a UTF-16 file cut off inside a character with "�" instead of dropping the byte', async () => {
    const bytes = Buffer.concat([iconv.encode('a,b\nü,x', 'utf16le', { addBOM: true }), Buffer.from([0x41])]);

    const { text } = await decodeAll([bytes]);

    expect(text).toBe('a,b\nü,x\uFFFD');
  });

  it('takes string chunks as text', async () => {
    const { text } = await decodeAll(['a,b\n', 'é,’\n']);

    expect(text).toBe('a,b\né,’\n');
  });

  it('refuses an empty file', async () => {
    expect((await refusal([])).message).toBe('the file is empty');
    expect((await refusal([Buffer.alloc(0)])).message).toBe('the file is empty');
  });

  it('refuses a file that is only a byte order mark as empty', async () => {
    expect((await refusal([Buffer.from([0xef, 0xbb, 0xbf])])).message).toBe('the file is empty');
    expect((await refusal([Buffer.from([0xff, 0xfe])])).message).toBe('the file is empty');
  });

  it('refuses an .xlsx workbook saved under a .csv name and tells HR to save it as CSV UTF-8', async () => {
    // Prepare: the start of a ZIP local file header, as every .xlsx begins
    const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);

    const error = await refusal([bytes]);

    expect(error.message).toMatch(/workbook \(\.xlsx\)/);
    expect(error.message).toMatch(/save it as "CSV UTF-8/);
  });

  it('refuses an old .xls workbook (OLE2) the same way', async () => {
    const bytes = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00]);

    const error = await refusal([bytes]);

    expect(error.message).toMatch(/\.xls\)/);
    expect(error.message).toMatch(/CSV UTF-8/);
  });

  it('refuses a file with NUL bytes and no UTF-16 byte order mark as binary', async () => {
    const bytes = Buffer.from('username,email\n\u0000\u0001\u0002', 'latin1');

    expect((await refusal([bytes])).message).toMatch(/binary, not a CSV/);
  });

  it('refuses a file that is mostly control characters as binary', async () => {
    const bytes = Buffer.alloc(1000, 0x01);
    bytes.write('username,email\n');

    expect((await refusal([bytes])).message).toMatch(/binary, not a CSV/);
  });

  it('refuses UTF-32, which no spreadsheet writes for CSV', async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x61, 0x00, 0x00, 0x00]);

    expect((await refusal([bytes])).message).toMatch(/UTF-32/);
  });

  it('reads no more than the 64 KB sample before the text is consumed', async () => {
    // Prepare: a 10 MB file, counting what is pulled from it
    let pulled = 0;
    async function* bigFile(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 640; i++) {
        const chunk = Buffer.alloc(16 * 1024, 0x61);
        pulled += chunk.length;
        yield chunk;
      }
    }

    // Act
    const decoded = await decodeCsvBytes(bigFile());

    // Assess
    expect(pulled).toBe(SAMPLE_BYTES);
    let length = 0;
    for await (const piece of decoded.text) length += piece.length;
    expect(length).toBe(640 * 16 * 1024);
  });
});
