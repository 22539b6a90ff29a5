/**
 * The JumpCloud API key for `jc-onboard run`: from JUMPCLOUD_API_KEY, or typed at a hidden prompt
 * on a terminal, as the original community script asked for it with getpass. Never echoed,
 * never printed, never written anywhere; there is deliberately no --api-key option (a key on
 * the command line ends up in shell history and `ps`).
 */
import { UsageError } from './exit-codes';

/** A terminal to read from: process.stdin on a TTY (a tty.ReadStream), or a stand-in in tests. */
export interface TerminalInput extends NodeJS.ReadableStream {
  readonly isTTY?: boolean;
  readonly isRaw?: boolean;
  setRawMode(mode: boolean): unknown;
}

/** The person pressed Ctrl-C or Ctrl-D at the prompt. */
export class PromptCancelledError extends Error {
  override readonly name = 'PromptCancelledError';
  constructor() {
    super('cancelled: no API key was entered');
  }
}

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACE = new Set(['\u007f', '\b']);
const ESCAPE = '\u001b';

/**
 * Asks `question` on `output` and reads one line from the terminal in raw mode, so nothing typed
 * is echoed (not even asterisks: the key's length is no one's business). Backspace and Ctrl-U
 * edit, Enter ends, Ctrl-C and Ctrl-D cancel. The terminal's mode is restored in every case.
 */
export function readHiddenLine(
  input: TerminalInput,
  output: NodeJS.WritableStream,
  question: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const wasRaw = input.isRaw === true;
    let typed: string[] = [];

    const finish = (error?: Error) => {
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed.join(''));
    };
    const onEnd = () => finish(new PromptCancelledError());
    const onData = (chunk: Buffer | string) => {
      for (const char of String(chunk)) {
        if (ENTER.has(char)) return finish();
        if (char === CTRL_C) return finish(new PromptCancelledError());
        if (char === CTRL_D) return typed.length === 0 ? finish(new PromptCancelledError()) : finish();
        if (char === CTRL_U) typed = [];
        else if (BACKSPACE.has(char)) typed.pop();
        // Arrow keys and the like arrive as escape sequences in one chunk: not part of a key.
        else if (char === ESCAPE) break;
        else if (char >= ' ') typed.push(char);
      }
    };

    // Raw mode first: a key typed the moment the question shows must not be echoed.
    input.setRawMode(true);
    output.write(question);
    input.on('data', onData);
    input.once('end', onEnd);
    input.resume();
  });
}

export interface KeySources {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where the question is asked: stderr, so stdout stays clean for --json. */
  prompt: NodeJS.WritableStream;
}

/** The API key from JUMPCLOUD_API_KEY, else from a hidden prompt when stdin is a terminal. */
export async function readApiKey(sources: KeySources): Promise<string> {
  const fromEnv = sources.env.JUMPCLOUD_API_KEY?.trim();
  if (fromEnv) return fromEnv;
  if (!sources.stdin.isTTY) {
    throw new UsageError(
      'no JumpCloud API key: set the JUMPCLOUD_API_KEY environment variable ' +
        '(JumpCloud console > your name > My API Key), or run on a terminal to be asked for it',
    );
  }
  const key = (
    await readHiddenLine(
      sources.stdin as TerminalInput,
      sources.prompt,
      'JumpCloud API key (typing is hidden): ',
    )
  ).trim();
  if (key === '')
    throw new UsageError('no API key was entered: type or paste the key, or set JUMPCLOUD_API_KEY');
  return key;
}
