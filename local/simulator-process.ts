/**
 * The JumpCloud simulator in a process of its own, so that what it costs (answering, the users it
 * stores) does not land on the process being measured: the benchmark starts one per case. The
 * parent talks to it over Node's IPC channel: it learns the URL, then asks for a report of what
 * the simulator saw (its users and every answer it gave).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import {
  type JumpCloudSimulator,
  type SimulatorOptions,
  startJumpCloudSimulator,
} from './jumpcloud-simulator';
import { FaultProfile, type FaultProfileOptions } from './simulator/fault-profile';
import type { RateLimit } from './simulator/faults';

export interface SimulatorProcessOptions {
  apiKey: string;
  /** The realistic profile: latency with jitter, transient 503s, Retry-After on some 429s. */
  profile?: FaultProfileOptions;
  rateLimit?: RateLimit;
}

/** What the simulator saw, as the benchmark checks it after a run. */
export interface SimulatorReport {
  /** Every stored user's username, in creation order. */
  usernames: string[];
  /** Answers by status (0: the connection was dropped without one). */
  answers: Record<string, number>;
  requests: number;
  peakInFlight: number;
}

export interface SimulatorProcess {
  readonly url: string;
  readonly pid: number;
  report(): Promise<SimulatorReport>;
  close(): Promise<void>;
}

type FromSimulator = { type: 'ready'; url: string } | { type: 'report'; report: SimulatorReport };

/**
 * Loads TypeScript in a child process as `tsx` does for the project's scripts (require and
 * import). Asked only when this file runs as TypeScript, so a bundle of it needs no tsx.
 */
const typescriptExecArgv = () => ['--import', pathToFileURL(require.resolve('tsx')).href];

/**
 * `program`: this file bundled (the benchmark builds one, so that each of its many simulators
 * starts without compiling TypeScript); by default this file itself, through tsx.
 */
export async function startSimulatorProcess(
  options: SimulatorProcessOptions,
  program?: string,
): Promise<SimulatorProcess> {
  const child = fork(program ?? __filename, [JSON.stringify(options)], {
    execArgv: program ? [] : typescriptExecArgv(),
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: { ...process.env, JC_SIMULATOR_PROCESS: '1' },
  });
  const next = (type: FromSimulator['type']) => nextMessage(child, type);
  const ready = await next('ready');
  if (ready.type !== 'ready') throw new Error('the simulator process did not start');
  return {
    url: ready.url,
    pid: child.pid ?? 0,
    report: async () => {
      const answer = next('report');
      child.send({ type: 'report' });
      const message = await answer;
      if (message.type !== 'report') throw new Error('the simulator process did not report');
      return message.report;
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function nextMessage(child: ChildProcess, type: FromSimulator['type']): Promise<FromSimulator> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromSimulator) => {
      if (message.type !== type) return;
      cleanUp();
      resolve(message);
    };
    const onExit = (code: number | null) => {
      cleanUp();
      reject(new Error(`the simulator process exited (${code}) before its ${type} message`));
    };
    const cleanUp = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** In the child: serve until the parent closes us, answering its report requests. */
async function serve(options: SimulatorProcessOptions): Promise<void> {
  const simulatorOptions: SimulatorOptions = {
    apiKey: options.apiKey,
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.profile ? { profile: new FaultProfile(options.profile) } : {}),
  };
  const simulator = await startJumpCloudSimulator(simulatorOptions);
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'report') process.send?.({ type: 'report', report: reportOf(simulator) });
  });
  const stop = () => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  process.send?.({ type: 'ready', url: simulator.url });
}

function reportOf(simulator: JumpCloudSimulator): SimulatorReport {
  const answers: Record<string, number> = {};
  const requests = simulator.requests;
  for (const { status } of requests) answers[status] = (answers[status] ?? 0) + 1;
  return {
    usernames: simulator.users().map((user) => user.username),
    answers,
    requests: requests.length,
    peakInFlight: simulator.peakInFlight,
  };
}

if (process.env.JC_SIMULATOR_PROCESS === '1' && require.main === module) {
  serve(JSON.parse(process.argv[2] ?? '{}') as SimulatorProcessOptions).catch((error: unknown) => {
    process.stderr.write(`simulator process: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
