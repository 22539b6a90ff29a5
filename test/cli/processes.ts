/**
 * Runs the command line, the demo and `npm start` as real processes, the way a person does, and
 * collects what they print. Nothing here reaches beyond 127.0.0.1.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type JumpCloudSimulator, startJumpCloudSimulator } from '../../local/jumpcloud-simulator';

export const REPO = path.resolve(__dirname, '..', '..');
export const JC_ONBOARD = path.join(REPO, 'bin', 'jc-onboard.mjs');
export const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
export const EXAMPLE_USERS = path.join(REPO, 'examples', 'users.csv');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a person with no JumpCloud settings (the tests add what each needs). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const name of Object.keys(env)) {
    if (name.startsWith('JUMPCLOUD_') || name.startsWith('AWS_ENDPOINT_URL')) delete env[name];
  }
  return { ...env, ...extra };
}

/** A running process, with its output so far and a way to wait for a line. */
export class Running {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Finished>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      child.on('close', (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr }));
    });
  }

  /** Resolves with the match once stdout matches `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this.stdout.match(pattern);
        if (match) {
          this.child.stdout.off('data', check);
          resolve(match);
        }
      };
      this.child.stdout.on('data', check);
      check();
      void this.exited.then(({ code, stdout, stderr }) => {
        if (!stdout.match(pattern))
          reject(new Error(`exited ${code} before printing ${pattern}:\n${stdout}\n${stderr}`));
      });
    });
  }
}

export function start(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Running {
  const child = spawn(command, [...args], {
    cwd: options.cwd ?? REPO,
    env: options.env ?? cleanEnv(),
    stdio: 'pipe',
  });
  return new Running(child);
}

/** `jc-onboard ARGS` with stdin a pipe (not a terminal), run to the end. */
export function jcOnboard(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Finished> {
  const running = start(process.execPath, [JC_ONBOARD, ...args], options);
  running.child.stdin.end();
  return running.exited;
}

/**
 * For a test file that runs `jc-onboard` against JumpCloud: one simulator on 127.0.0.1 that takes
 * `apiKey`, emptied before each test, and a fresh temporary folder per test (`folderPrefix`),
 * removed after it. `ready` hands both to the file's own variables.
 */
export function useSimulatorAndFolder(
  apiKey: string,
  folderPrefix: string,
  ready: (simulator: JumpCloudSimulator, folder: string) => void,
): void {
  let simulator: JumpCloudSimulator | undefined;
  beforeAll(async () => {
    simulator = await startJumpCloudSimulator({ apiKey });
  });
  afterAll(async () => {
    await simulator?.close();
  });
  beforeEach(async () => {
    if (!simulator) throw new Error('the simulator did not start');
    simulator.reset();
    const folder = await mkdtemp(path.join(tmpdir(), folderPrefix));
    ready(simulator, folder);
    return () => rm(folder, { recursive: true, force: true });
  });
}
