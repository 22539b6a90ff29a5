/**
 * Turns the bytes of an uploaded file into text, streaming, whatever Excel, Google Sheets or an
 * HRIS export job saved: UTF-8 with or without a byte order mark, UTF-16 with a byte order mark,
 * or Windows-1252 (what "CSV (Comma delimited)" in Excel on Windows writes). Files that cannot be
 * a CSV at all (empty, a workbook renamed .csv, binary) are refused with UnreadableFileError.
 *
 * The whole file is never held in memory: the first 64 KB are read as a sample to recognise the
 * file, then the text is produced chunk by chunk.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { UnreadableFileError } from '../errors';

/** What the file's bytes are sniffed from: this much, or the whole file when it is smaller. */
export const SAMPLE_BYTES = 64 * 1024;

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** Anything a file's bytes arrive as: an S3 body, a file stream, an array of chunks. */
export type ByteSource =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | NodeJS.ReadableStream;

export interface DecodedText {
  /** The file's text in order, without a byte order mark. Can be iterated once. */
  readonly text: AsyncIterable<string>;
  /**
   * The encoding in use. A file that is plain ASCII so far reads as 'utf-8'; it becomes
   * 'windows-1252' if its first non-ASCII bytes are not UTF-8, even after the sample.
   */
  readonly encoding: TextEncoding;
  /**
   * Things worth telling the reader (e.g. the file was decoded as Windows-1252). Grows while
   * `text` is read: read it again once the text is consumed for the full list.
   */
  readonly notices: string[];
}

const SAVE_AS_CSV = 'open it in Excel and save it as "CSV UTF-8 (Comma delimited)"';

/**
 * Opens the byte stream, recognises what it holds from the first 64 KB and returns its text.
 *
 * Encoding is decided as follows. A UTF-8 or UTF-16 byte order mark decides at once. Otherwise
 * the text is read as UTF-8 while it is plain ASCII; the first chunk that holds other bytes (the
 * whole 64 KB sample when they occur in it) decides: valid UTF-8 stays UTF-8; UTF-8 with a few
 * stray bytes (at least as many valid multi-byte characters as bad bytes) is a mixed file and
 * stays UTF-8 too; anything else is read as Windows-1252 (lossless here, because ASCII is the
 * same in both). In UTF-8, bytes that are not valid UTF-8 become "�" (U+FFFD) and a notice says
 * so: the good rows keep their names, and the rows holding the mark are refused when read
 * (read-rows.ts), never sent with a guessed character.
 */
export async function decodeCsvBytes(input: ByteSource): Promise<DecodedText> {
  const chunks = byteChunks(input)[Symbol.asyncIterator]();
  const sample = await readSample(chunks);
  const notices: string[] = [];
  const start = recognise(sample);
  const decoder = new TextDecoderState(start.encoding, notices);
  async function* text(): AsyncGenerator<string> {
    try {
      yield* decoder.write(sample.subarray(start.bomLength));
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
        yield* decoder.write(next.value);
      }
      yield* decoder.end();
    } finally {
      await chunks.return?.(undefined); // the reader stopped early: let the source close
    }
  }
  return {
    text: text(),
    get encoding() {
      return decoder.encoding;
    },
    notices,
  };
}

/** Every chunk as a Buffer. A string chunk is text already: it is carried as its UTF-8 bytes. */
async function* byteChunks(input: ByteSource): AsyncGenerator<Buffer> {
  for await (const chunk of input as AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>) {
    if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else if (chunk.length > 0) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

async function readSample(chunks: AsyncIterator<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < SAMPLE_BYTES) {
    const next = await chunks.next();
    if (next.done) break;
    parts.push(next.value);
    length += next.value.length;
  }
  return Buffer.concat(parts, length);
}

interface Recognised {
  /** 'utf-8' here means "ASCII so far": it may still become Windows-1252. */
  encoding: TextEncoding | 'undecided';
  bomLength: number;
}

function recognise(sample: Buffer): Recognised {
  if (startsWith(sample, [0xef, 0xbb, 0xbf])) return nonEmpty(sample, { encoding: 'utf-8', bomLength: 3 });
  if (startsWith(sample, [0xff, 0xfe, 0x00, 0x00]) || startsWith(sample, [0x00, 0x00, 0xfe, 0xff])) {
    throw new UnreadableFileError(`the file is UTF-32 text, which is not supported: ${SAVE_AS_CSV}`);
  }
  if (startsWith(sample, [0xff, 0xfe])) return nonEmpty(sample, { encoding: 'utf-16le', bomLength: 2 });
  if (startsWith(sample, [0xfe, 0xff])) return nonEmpty(sample, { encoding: 'utf-16be', bomLength: 2 });
  if (sample.length === 0) throw new UnreadableFileError('the file is empty');
  if (startsWith(sample, [0x50, 0x4b, 0x03, 0x04])) {
    throw new UnreadableFileError(
      `the file is a spreadsheet workbook (.xlsx) renamed to .csv, not a CSV: ${SAVE_AS_CSV}`,
    );
  }
  if (startsWith(sample, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw new UnreadableFileError(
      `the file is an old Excel workbook (.xls) renamed to .csv, not a CSV: ${SAVE_AS_CSV}`,
    );
  }
  if (looksBinary(sample)) {
    throw new UnreadableFileError(`the file is binary, not a CSV: ${SAVE_AS_CSV}`);
  }
  return { encoding: 'undecided', bomLength: 0 };
}

function nonEmpty(sample: Buffer, recognised: Recognised): Recognised {
  if (sample.length === recognised.bomLength) throw new UnreadableFileError('the file is empty');
  return recognised;
}

function startsWith(bytes: Buffer, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, i) => bytes[i] === byte);
}

/**
 * Text never holds NUL (UTF-16 does, but only with the byte order mark handled above), and
 * barely any other control character. More than 5% of them means images, PDFs, archives.
 */
function looksBinary(sample: Buffer): boolean {
  let controls = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    const whitespace = byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d;
    if ((byte < 0x20 && !whitespace) || byte === 0x7f) controls++;
  }
  return controls > sample.length * 0.05;
}

/** Length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence. */
function completeUtf8Length(bytes: Buffer): number {
  let lead = bytes.length - 1;
  while (lead >= 0 && lead > bytes.length - 4 && ((bytes[lead] ?? 0) & 0xc0) === 0x80) lead--;
  if (lead < 0) return bytes.length;
  const first = bytes[lead] ?? 0;
  const needed = first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  return lead + needed > bytes.length ? lead : bytes.length;
}

/**
 * UTF-8 with a few stray bytes (a name pasted in from a Windows-1252 file): at least one valid
 * multi-byte character, and no more bad bytes than valid characters. A Windows-1252 file almost
 * never forms a valid UTF-8 sequence (an accented letter followed by ASCII is never one).
 */
function mostlyUtf8(bytes: Buffer): boolean {
  let valid = 0;
  let invalid = 0;
  for (let i = 0; i < bytes.length; ) {
    const lead = bytes[i] ?? 0;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const length =
      lead >= 0xc2 && lead <= 0xdf
        ? 2
        : lead >= 0xe0 && lead <= 0xef
          ? 3
          : lead >= 0xf0 && lead <= 0xf4
            ? 4
            : 0;
    const sequence = bytes.subarray(i, i + length);
    if (length > 0 && sequence.length === length && isUtf8(sequence)) {
      valid++;
      i += length;
    } else {
      invalid++;
      i++;
    }
  }
  return valid > 0 && valid >= invalid;
}

/** Decodes chunk after chunk, keeping bytes of a character split across chunks for the next one. */
class TextDecoderState {
  private mode: TextEncoding | 'undecided';
  private pending: Buffer = Buffer.alloc(0);
  private decoder: ChunkDecoder | undefined;
  private toldAboutReplacement = false;

  constructor(
    encoding: TextEncoding | 'undecided',
    private readonly notices: string[],
  ) {
    this.mode = encoding;
    if (encoding === 'utf-16le' || encoding === 'utf-16be') {
      this.decoder = utf16Decoder(encoding);
      notices.push(`decoded as ${encoding === 'utf-16le' ? 'UTF-16 LE' : 'UTF-16 BE'}`);
    }
  }

  get encoding(): TextEncoding {
    return this.mode === 'undecided' ? 'utf-8' : this.mode;
  }

  *write(chunk: Buffer): Generator<string> {
    if (chunk.length === 0) return;
    if (this.decoder) {
      const text = this.decoder.write(chunk);
      if (text) yield text;
      return;
    }
    const bytes = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.mode === 'undecided' && isAscii(bytes)) {
      this.pending = Buffer.alloc(0);
      yield bytes.toString('latin1');
      return;
    }
    const complete = completeUtf8Length(bytes);
    const head = bytes.subarray(0, complete);
    this.pending = Buffer.from(bytes.subarray(complete));
    if (this.mode === 'undecided') {
      if (!isUtf8(head) && !mostlyUtf8(head)) {
        yield* this.switchToWindows1252(bytes);
        return;
      }
      if (!isAscii(head)) this.mode = 'utf-8';
    }
    if (head.length > 0) yield this.decodeUtf8(head);
  }

  *end(): Generator<string> {
    if (this.decoder) {
      const rest = this.decoder.end();
      if (rest) yield rest;
      return;
    }
    if (this.pending.length === 0) return;
    // A file that ends inside a UTF-8 character was never UTF-8, unless it already proved to be.
    if (this.mode === 'undecided') yield* this.switchToWindows1252(this.pending);
    else yield this.decodeUtf8(this.pending);
    this.pending = Buffer.alloc(0);
  }

  /** Everything before `bytes` was ASCII, which reads the same in Windows-1252: nothing to redo. */
  private *switchToWindows1252(bytes: Buffer): Generator<string> {
    this.mode = 'windows-1252';
    this.pending = Buffer.alloc(0);
    this.decoder = windows1252Decoder;
    this.notices.push('decoded as Windows-1252: the file is not UTF-8 (Excel "CSV UTF-8" avoids this guess)');
    const text = this.decoder.write(bytes);
    if (text) yield text;
  }

  private decodeUtf8(bytes: Buffer): string {
    if (!this.toldAboutReplacement && !isUtf8(bytes)) {
      this.toldAboutReplacement = true;
      this.notices.push(
        'some characters are not valid UTF-8: the file mixes encodings, and the rows holding them ' +
          'are invalid; retype those characters and save the file again as "CSV UTF-8"',
      );
    }
    return bytes.toString('utf8');
  }
}

/** Text from a file's bytes chunk by chunk; `end` gives what a character split at the end left. */
interface ChunkDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

/**
 * UTF-16 by the platform's own decoder. The byte order mark is already skipped, so any later one is
 * kept as text (`ignoreBOM`). A lone surrogate or an odd last byte becomes "�", and its row is
 * refused (read-rows.ts), never sent with a broken character.
 */
function utf16Decoder(encoding: 'utf-16le' | 'utf-16be'): ChunkDecoder {
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  return { write: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() };
}

/**
 * What Windows-1252 puts at 0x80-0x9F (Unicode's cp1252 table); every other byte means the same
 * as in Latin-1. Node's TextDecoder('windows-1252') and latin1 read these as control characters
 * (checked on Node 20), so they are mapped here. The five bytes Windows-1252 leaves undefined
 * (81, 8D, 8F, 90, 9D) read as "�": their rows are refused, never sent with a guessed character.
 */
const WINDOWS_1252_80_9F = '€\uFFFD‚ƒ„…†‡ˆ‰Š‹Œ\uFFFDŽ\uFFFD\uFFFD‘’“”•–—˜™š›œ\uFFFDžŸ';

/** One byte is one character: nothing carries over between chunks. */
const windows1252Decoder: ChunkDecoder = {
  write: (chunk) =>
    chunk
      .toString('latin1')
      .replace(/[\u0080-\u009f]/g, (char) => WINDOWS_1252_80_9F[char.charCodeAt(0) - 0x80] ?? '\uFFFD'),
  end: () => '',
};
