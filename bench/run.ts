/**
 * `npm run bench`: how fast the engine goes through a users file, and how much memory it needs
 * as the file grows. It prints figures and asserts nothing.
 *
 * Every case runs the same code as `jc-onboard` (runLocalFile: openUserCsv, createRowValidator,
 * onboardRows, results streamed to disk) on a generated file streamed from disk, in a child
 * process of its own, so each peak memory figure belongs to that case alone. The JumpCloud
 * simulator runs here, in the parent, so the users it stores do not count against the engine.
 *
 *   npm run bench                                   the default run, about two minutes
 *   npm run bench -- --validate-rows 10000,1000000  validation only, on these file sizes
 *   npm run bench -- --create-rows 20000 --concurrency 8,16,32 --latency-ms 30-50
 *   npm run bench -- --keep                         keep the generated files and results
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runLocalFile } from '../cli/run-file';
import { toolArgs } from '../cli/tool-args';
import { JumpCloudClient } from '../lambda/jumpcloud/client';
import { startJumpCloudSimulator } from '../local/jumpcloud-simulator';
import { measureStartup } from './startup';

const API_KEY = 'jca_BenchmarkSimulatorKey00000000000000';

const USAGE = `
Usage: npm run bench -- [options]

Throughput and peak memory of the engine (the same code as jc-onboard) on generated files,
each case in a process of its own; creating users runs against a local JumpCloud simulator.
It prints figures and asserts nothing.

Options:
  --validate-rows N,N   file sizes for validation only (default 10000,50000,200000)
  --create-rows N,N     file sizes for creating users (default 2000,5000)
  --concurrency N,N     requests in flight to try (default 8,16)
  --latency-ms MIN-MAX  the simulator's latency per request (default 30-50)
  --keep                keep the generated files and results
  -h, --help            this help`;

/** One measured run, as the child process reports it. */
interface CaseSpec {
  mode: 'validate' | 'create';
  input: string;
  output: string;
  rows: number;
  concurrency?: number;
  simulatorUrl?: string;
}

interface CaseResult {
  seconds: number;
  rowsPerSecond: number;
  /** Highest resident set size of the child process, MB (includes Node and tsx themselves). */
  peakRssMb: number;
  /** Highest heap in use, sampled every 10 ms, MB. */
  peakHeapMb: number;
  /** Resident set size once everything was loaded, before the first row, MB. */
  startRssMb: number;
  /** Heap still live (after a full GC) when the last row was reported, above that before the first, MB. */
  liveHeapAtEndMb: number;
  reported: number;
  counts: Record<string, number>;
}

if (process.env.BENCH_CASE) {
  runCase(JSON.parse(process.env.BENCH_CASE) as CaseSpec).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(
        `benchmark case failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
} else {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

async function main(): Promise<void> {
  const { values } = toolArgs('bench', USAGE, {
    options: {
      'validate-rows': { type: 'string', default: '10000,50000,200000' },
      'create-rows': { type: 'string', default: '2000,5000' },
      concurrency: { type: 'string', default: '8,16' },
      'latency-ms': { type: 'string', default: '30-50' },
      keep: { type: 'boolean', default: false },
    },
  });
  const validateSizes = numbers(values['validate-rows']);
  const createSizes = numbers(values['create-rows']);
  const concurrencies = numbers(values.concurrency);
  const [min = 30, max = min] = numbers(values['latency-ms'].replace('-', ','));
  const folder = await mkdtemp(path.join(tmpdir(), 'jc-onboard-bench-'));

  process.stdout.write(`Node ${process.version}, files and results in ${folder}\n`);
  const startup = measureStartup();
  process.stdout.write(
    `jc-onboard --help: ${startup.helpSeconds.toFixed(2)} s (median of 10; node -e 0: ${startup.nodeSeconds.toFixed(2)} s)\n`,
  );
  process.stdout.write(`JumpCloud simulator latency ${min}-${max} ms per request\n\n`);
  printRow([
    'mode',
    'rows',
    'in flight',
    'seconds',
    'rows/s',
    'RSS start MB',
    'peak RSS MB',
    'peak heap MB',
    'live heap MB',
    'outcomes',
  ]);

  const simulator = await startJumpCloudSimulator({ apiKey: API_KEY, latencyMs: { min, max } });
  try {
    for (const rows of validateSizes) {
      const input = await generateUsersFile(folder, rows);
      await measure({ mode: 'validate', input, output: `${input}.validate.csv`, rows });
    }
    for (const rows of createSizes) {
      const input = await generateUsersFile(folder, rows);
      for (const concurrency of concurrencies) {
        simulator.reset(); // everyone in the file is new again
        const output = `${input}.create-${concurrency}.csv`;
        await measure({ mode: 'create', input, output, rows, concurrency, simulatorUrl: simulator.url });
      }
    }
  } finally {
    await simulator.close();
    if (!values.keep) await rm(folder, { recursive: true, force: true });
  }
  process.stdout.write(
    '\nPeak RSS includes Node, tsx and the loaded modules (see "RSS start"). The file is streamed and\n' +
      'at most a few hundred rows are in flight at once; what grows with the file is "live heap": the\n' +
      'usernames, emails and employee ids of earlier rows the validator remembers to catch in-file\n' +
      'duplicates (about 0.2 KB a row).\n',
  );
}

/** Runs one case in a child process (the same Node and loader as this one) and prints its line. */
async function measure(spec: CaseSpec): Promise<void> {
  // --expose-gc: the child measures what is really live, not what the collector has not got to yet.
  const child = spawn(process.execPath, ['--expose-gc', ...process.execArgv, __filename], {
    env: { ...process.env, BENCH_CASE: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the ${spec.mode} case on ${spec.rows} rows failed (exit ${code})`);
  const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as CaseResult;
  const outcomes = Object.entries(result.counts)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${status} ${n}`)
    .join(', ');
  const accounted =
    result.reported === spec.rows ? '' : `  (!) ${result.reported} of ${spec.rows} rows reported`;
  printRow([
    spec.mode,
    String(spec.rows),
    spec.concurrency === undefined ? '-' : String(spec.concurrency),
    result.seconds.toFixed(1),
    String(Math.round(result.rowsPerSecond)),
    result.startRssMb.toFixed(0),
    result.peakRssMb.toFixed(0),
    result.peakHeapMb.toFixed(0),
    result.liveHeapAtEndMb.toFixed(1),
    outcomes + accounted,
  ]);
}

/** In the child: run the file through the engine while sampling memory. */
async function runCase(spec: CaseSpec): Promise<CaseResult> {
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const liveHeap = () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().heapUsed;
  };
  const heapBefore = liveHeap();
  const startRssMb = mb(process.memoryUsage().rss);
  let peakHeap = process.memoryUsage().heapUsed;
  let heapAtLastRow = heapBefore;
  let reported = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 10);

  const directory =
    spec.mode === 'create'
      ? new JumpCloudClient({
          baseUrl: spec.simulatorUrl ?? '',
          apiKey: API_KEY,
          concurrency: spec.concurrency ?? 8,
        })
      : undefined;
  const started = performance.now();
  const run = await runLocalFile({
    input: spec.input,
    out: spec.output,
    directory,
    onOutcome: () => {
      // While the engine still holds everything it keeps for the file (its duplicate check).
      if (++reported === spec.rows) heapAtLastRow = liveHeap();
    },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);

  return {
    seconds,
    rowsPerSecond: run.summary.rows / seconds,
    // maxRSS is the process's lifetime peak, in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakHeapMb: mb(Math.max(peakHeap, process.memoryUsage().heapUsed)),
    startRssMb,
    liveHeapAtEndMb: mb(heapAtLastRow - heapBefore),
    reported: run.summary.rows,
    counts: run.summary.counts,
  };
}

/** A users file of `rows` people, written line by line (never whole in memory). */
async function generateUsersFile(folder: string, rows: number): Promise<string> {
  const file = path.join(folder, `users-${rows}.csv`);
  const out = createWriteStream(file);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write('First Name,Last Name,Username,Email,Department,Job Title,Employee ID,Password\r\n');
  for (let i = 0; i < rows; i += 1) {
    const n = String(i).padStart(7, '0');
    await write(
      `Person,Number ${n},user${n},user${n}@example.com,Engineering,Engineer,E${n},Bench-Pass-${n}!\r\n`,
    );
  }
  out.end();
  await once(out, 'close');
  return file;
}

function numbers(list: string): number[] {
  return list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0);
}

const WIDTHS = [9, 8, 10, 8, 7, 13, 12, 13, 13, 0];
function printRow(cells: string[]): void {
  process.stdout.write(
    `${cells
      .map((cell, i) => cell.padEnd(WIDTHS[i] ?? 0))
      .join(' ')
      .trimEnd()}\n`,
  );
}
