/**
 * The hidden API-key prompt's keystroke handling, on a stand-in terminal (a stream with raw mode),
 * so editing keys can be checked one by one. The real terminal path is in jc-onboard.test.ts.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/exit-codes';
import { PromptCancelledError, readApiKey, readHiddenLine, type TerminalInput } from '../../cli/prompt';

/** A terminal in cooked mode that records raw-mode switches. */
function terminal() {
  const stream = new PassThrough() as PassThrough & {
    isTTY: boolean;
    isRaw: boolean;
    modes: boolean[];
    setRawMode(mode: boolean): unknown;
  };
  stream.isTTY = true;
  stream.isRaw = false;
  stream.modes = [];
  stream.setRawMode = (mode: boolean) => {
    stream.isRaw = mode;
    stream.modes.push(mode);
    return stream;
  };
  return stream as typeof stream & TerminalInput;
}

function screen() {
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString();
  });
  return { output, shown: () => shown };
}

describe('the hidden prompt', () => {
  it('reads what is typed without echoing any of it, and restores the terminal', async () => {
    // Prepare
    const input = terminal();
    const { output, shown } = screen();

    // Act
    const answer = readHiddenLine(input, output, 'Key: ');
    input.write('jca_secret');
    input.write('Value\r');

    // Assess
    expect(await answer).toBe('jca_secretValue');
    expect(shown()).toBe('Key: \n');
    expect(input.modes).toEqual([true, false]);
  });

  it('applies backspace and Ctrl-U, and ignores arrow keys', async () => {
    // Prepare
    const input = terminal();
    const { output } = screen();

    // Act
    const answer = readHiddenLine(input, output, 'Key: ');
    input.write('wrong\u0015');
    input.write('abcx\u007f');
    input.write('\u001b[D');
    input.write('d\n');

    // Assess
    expect(await answer).toBe('abcd');
  });

  it('is cancelled by Ctrl-C, leaving the terminal as it was', async () => {
    // Prepare
    const input = terminal();
    const { output, shown } = screen();

    // Act
    const answer = readHiddenLine(input, output, 'Key: ');
    input.write('jca_half\u0003');

    // Assess
    await expect(answer).rejects.toBeInstanceOf(PromptCancelledError);
    expect(shown()).not.toContain('jca_half');
    expect(input.isRaw).toBe(false);
  });
});

describe('where the API key comes from', () => {
  it('is JUMPCLOUD_API_KEY when set, without asking', async () => {
    // Prepare
    const { output, shown } = screen();

    // Act
    const key = await readApiKey({
      env: { JUMPCLOUD_API_KEY: ' jca_fromEnv \n' },
      stdin: terminal(),
      prompt: output,
    });

    // Assess
    expect(key).toBe('jca_fromEnv');
    expect(shown()).toBe('');
  });

  it('is a usage error saying to set JUMPCLOUD_API_KEY when stdin is not a terminal', async () => {
    // Prepare
    const notATerminal = new PassThrough();
    const { output } = screen();

    // Act
    const reading = readApiKey({ env: {}, stdin: notATerminal, prompt: output });

    // Assess
    await expect(reading).rejects.toBeInstanceOf(UsageError);
    await expect(reading).rejects.toThrow(/set the JUMPCLOUD_API_KEY environment variable/);
  });

  it('is a usage error when Enter is pressed on an empty prompt', async () => {
    // Prepare
    const input = terminal();
    const { output } = screen();

    // Act
    const reading = readApiKey({ env: {}, stdin: input, prompt: output });
    input.write('   \r');

    // Assess
    await expect(reading).rejects.toThrow(/no API key was entered/);
  });
});
