/**
 * The benchmark's measurements, one run each: a file of new people through the handler or
 * through `jc-onboard run` against a simulator in its own process, validation through the
 * engine or `jc-onboard validate`, the cold start of the built bundle, and `jc-onboard --help`.
 * Every run is a fresh process (or several), so a figure never carries another run's warm state.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { build } from 'esbuild';
import { NODE_PROGRAM_BUILD } from '../bin/build-cli';
import { LOCAL_API_KEY, LOCAL_BUCKET, LOCAL_SECRET_ID } from '../local/embedded-stack';
import { startJumpCloudSimulator } from '../local/jumpcloud-simulator';
import { type ObjectCreatedEvent, objectCreatedEvent, startLocalS3 } from '../local/s3-server';
import { startSecretsManagerDouble } from '../local/secrets-manager-double';
import { startSimulatorProcess } from '../local/simulator-process';
import type { HandlerCaseResult, HandlerCaseSpec } from './handler-worker';
import type { ValidateCaseResult } from './validate-worker';

const REPO = path.resolve(__dirname, '..');
const JC_ONBOARD = path.join(REPO, 'bin', 'jc-onboard.mjs');

/** A file of new people, through one path, under one rate limit and latency. */
export interface ApiCase {
  path: 'handler' | 'cli';
  rows: number;
  /** The simulator's token bucket, requests per second. */
  rate: number;
  /** The simulator's median latency, ms (±25% jitter). */
  latencyMs: number;
  /** Most requests in flight; absent: the product's default (adaptive). */
  concurrency?: number;
}

export interface ApiRun {
  seconds: number;
  peoplePerSecond: number;
  /** Time over the rate limit's bound: rows ÷ rate, the least time the limit allows. */
  timeOverBound: number;
  requestsPerRow: number;
  throttled: number;
  /** People in the simulator beyond one per row reported `created` (made twice, or made and not reported). */
  duplicates: number;
  /** Rows of the file not both reported `created` and found in the simulator. */
  missing: number;
}

/** A users file of `rows` new people (user0000000, user0000001, ...), written in chunks. */
export async function generateUsersFile(file: string, rows: number): Promise<string> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('First Name,Last Name,Username,Email,Department,Job Title,Employee ID,Password\r\n');
  for (let start = 0; start < rows; start += 1000) {
    let chunk = '';
    for (let i = start; i < Math.min(rows, start + 1000); i += 1) {
      const n = String(i).padStart(7, '0');
      chunk += `Person,Number ${n},user${n},user${n}@example.com,Engineering,Engineer,E${n},Bench-Pass-${n}!\r\n`;
    }
    await write(chunk);
  }
  out.end();
  await once(out, 'close');
  return file;
}

/** One run of a file of new people; the simulator (its own process) is checked afterwards. */
export async function runApiCase(
  spec: ApiCase,
  input: string,
  work: string,
  seed: number,
  programs: Pick<Programs, 'handler' | 'simulator'>,
): Promise<ApiRun> {
  const simulator = await startSimulatorProcess(
    {
      apiKey: LOCAL_API_KEY,
      profile: { seed, latencyMs: spec.latencyMs },
      rateLimit: { requestsPerSecond: spec.rate },
    },
    programs.simulator,
  );
  try {
    const { seconds, resultsCsv } =
      spec.path === 'handler'
        ? await throughHandler(spec, input, simulator.url, programs.handler)
        : await throughCli(spec, input, work, simulator.url);
    const report = await simulator.report();
    const stored = new Set(report.usernames);
    const results = parse(resultsCsv, { bom: true, columns: true }) as { status: string; username: string }[];
    const created = results.filter((row) => row.status === 'created' && stored.has(row.username)).length;
    return {
      seconds,
      peoplePerSecond: spec.rows / seconds,
      timeOverBound: seconds / (spec.rows / spec.rate),
      requestsPerRow: report.requests / spec.rows,
      throttled: report.answers['429'] ?? 0,
      duplicates: report.usernames.length - created,
      missing: spec.rows - created,
    };
  } finally {
    await simulator.close();
  }
}

async function throughHandler(spec: ApiCase, input: string, simulatorUrl: string, program: string) {
  const workerSpec: HandlerCaseSpec = { input, simulatorUrl, concurrency: spec.concurrency };
  return forkWorker<HandlerCaseResult>(program, [JSON.stringify(workerSpec)]);
}

async function throughCli(spec: ApiCase, input: string, work: string, simulatorUrl: string) {
  const out = path.join(work, `cli-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.csv`);
  // The generated people are at example.com, which jc-onboard refuses unless told they are made up.
  const args = ['run', input, '--api-url', simulatorUrl, '--out', out, '--json', '--allow-example'];
  if (spec.concurrency !== undefined) args.push('--concurrency', String(spec.concurrency));
  const { seconds, code, stderr } = await timeProcess(process.execPath, [JC_ONBOARD, ...args], {
    JUMPCLOUD_API_KEY: LOCAL_API_KEY,
  });
  if (code !== 0) throw new Error(`jc-onboard run exited ${code}: ${stderr.trim().split('\n').at(-1)}`);
  const resultsCsv = await readFile(out, 'utf8');
  await rm(out, { force: true });
  await rm(out.replace(/\.csv$/, '.summary.json'), { force: true });
  return { seconds, resultsCsv };
}

export interface ValidateRun {
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
}

/** The programs the runs start, bundled once (see buildPrograms). */
export interface Programs {
  /** bench/validate-worker.ts: the engine's validation. */
  engine: string;
  /** bench/handler-worker.ts: the handler on the embedded stack. */
  handler: string;
  /** local/simulator-process.ts: a simulator in its own process. */
  simulator: string;
  /** bench/cold-start-driver.ts: loads the function's bundle and runs its handler once. */
  coldStart: string;
}

/**
 * The programs each run starts, bundled with esbuild (minified, as the function and jc-onboard
 * ship): the engine is then timed as shipped, not while compiling TypeScript on the fly, and the
 * hundred-odd processes a full run starts do not each spend a second of CPU on compiling, which
 * the runs beside them would feel.
 */
export async function buildPrograms(work: string): Promise<Programs> {
  const [engine, handler, simulator, coldStart] = await Promise.all([
    bundle(path.join(__dirname, 'validate-worker.ts'), path.join(work, 'validate-worker.cjs')),
    bundle(path.join(__dirname, 'handler-worker.ts'), path.join(work, 'handler-worker.cjs')),
    bundle(path.join(REPO, 'local', 'simulator-process.ts'), path.join(work, 'simulator-process.cjs')),
    bundle(path.join(__dirname, 'cold-start-driver.ts'), path.join(work, 'cold-start-driver.cjs')),
  ]);
  return { engine, handler, simulator, coldStart };
}

async function bundle(entry: string, outfile: string): Promise<string> {
  await build({
    ...NODE_PROGRAM_BUILD,
    entryPoints: [entry],
    outfile,
    // Only the simulator's TypeScript path asks for tsx, and a bundle never takes it.
    external: ['tsx'],
    logLevel: 'warning',
  });
  return outfile;
}

/**
 * Validation of a file: the engine alone in a child process (the worker buildPrograms
 * built), or `jc-onboard validate` as a person runs it.
 */
export async function runValidateCase(
  through: { engine: string } | 'cli',
  input: string,
  rows: number,
  work: string,
): Promise<ValidateRun> {
  const out = path.join(
    work,
    `validate-${through === 'cli' ? 'cli' : 'engine'}-${rows}-${process.hrtime.bigint()}.csv`,
  );
  try {
    if (through !== 'cli') {
      const result = await forkWorker<ValidateCaseResult>(through.engine, [input, out]);
      if (result.rows !== rows) throw new Error(`the engine reported ${result.rows} of ${rows} rows`);
      return { seconds: result.seconds, rowsPerSecond: rows / result.seconds, peakRssMb: result.peakRssMb };
    }
    const rssFile = `${out}.rss`;
    const { seconds, code, stderr } = await timeProcess(
      process.execPath,
      [JC_ONBOARD, 'validate', input, '--out', out, '--force', '--json', '--allow-example'],
      {
        NODE_OPTIONS: `--require ${path.join(__dirname, 'peak-rss.cjs')}`,
        BENCH_PEAK_RSS_FILE: rssFile,
      },
    );
    if (code !== 0)
      throw new Error(`jc-onboard validate exited ${code}: ${stderr.trim().split('\n').at(-1)}`);
    const peakRssMb = Number(await readFile(rssFile, 'utf8'));
    await rm(rssFile, { force: true });
    return { seconds, rowsPerSecond: rows / seconds, peakRssMb };
  } finally {
    await rm(out, { force: true });
    await rm(out.replace(/\.csv$/, '.summary.json'), { force: true });
  }
}

/**
 * Fresh process to the first file done, `times` times: each loads the built bundle and runs the
 * handler on a new upload of a header-only file, against s3rver and the Secrets Manager double.
 */
export async function measureColdStarts(
  bundleFile: string,
  driver: string,
  times: number,
): Promise<number[]> {
  const s3 = await startLocalS3({ buckets: [LOCAL_BUCKET] });
  const secrets = await startSecretsManagerDouble({
    secrets: { [LOCAL_SECRET_ID]: JSON.stringify({ apiKey: LOCAL_API_KEY }) },
  });
  const simulator = await startJumpCloudSimulator({ apiKey: LOCAL_API_KEY });
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const env = {
    ...process.env,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: 'jumpcloud-onboarding',
    JUMPCLOUD_SECRET_ID: LOCAL_SECRET_ID,
    JUMPCLOUD_API_URL: simulator.url,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  const created = new Map<string, (event: ObjectCreatedEvent) => void>();
  s3.onObjectCreated((event) => created.get(event.key)?.(event));
  const seconds: number[] = [];
  try {
    for (let i = 0; i < times; i += 1) {
      const key = `incoming/cold-start/empty-${i}.csv`;
      const uploaded = new Promise<ObjectCreatedEvent>((resolve) => created.set(key, resolve));
      await client.send(
        new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: key, Body: 'username,email,password\r\n' }),
      );
      const event = JSON.stringify(objectCreatedEvent(await uploaded));
      const started = performance.now();
      const child = spawn(process.execPath, [driver, bundleFile, event], {
        env,
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      const [message] = (await once(child, 'message')) as [
        { result?: { files: { result: string }[] }; error?: string },
      ];
      seconds.push((performance.now() - started) / 1000);
      await exited(child);
      const file = message.result?.files[0];
      if (file?.result !== 'completed')
        throw new Error(`cold start: the empty file was not completed (${message.error ?? file?.result})`);
    }
    return seconds;
  } finally {
    client.destroy();
    await Promise.allSettled([s3.close(), secrets.close(), simulator.close()]);
  }
}

/** `jc-onboard --help`, whole process, `times` times. */
export async function measureHelp(times: number): Promise<number[]> {
  const seconds: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const run = await timeProcess(process.execPath, [JC_ONBOARD, '--help'], {});
    if (run.code !== 0) throw new Error(`jc-onboard --help exited ${run.code}`);
    seconds.push(run.seconds);
  }
  return seconds;
}

/** Spawn to exit, stdout discarded (jc-onboard --json writes every row there), stderr kept for errors. */
async function timeProcess(command: string, args: string[], env: Record<string, string>) {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: REPO,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const code = await exited(child);
  return { seconds: (performance.now() - started) / 1000, code, stderr };
}

/** Runs a bundled worker in a child process and resolves with the message it sends. */
async function forkWorker<T>(file: string, args: string[]): Promise<T> {
  const child = fork(file, args, {
    execArgv: [], // not the benchmark's own tsx hooks: the worker is JavaScript already
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  let result: T | undefined;
  child.on('message', (message: T) => {
    result = message;
  });
  const code = await exited(child);
  if (code !== 0 || result === undefined) throw new Error(`${file} failed (exit ${code}): ${stderr.trim()}`);
  return result;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
