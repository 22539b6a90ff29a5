/**
 * What `npm run bench` measures and in what order (see run.ts): the plan of cases for a full or
 * quick run, running them, and the targets judged on the figures.
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import path from 'node:path';
import { buildLambdaBundle } from './bundle';
import {
  type ApiCase,
  type ApiRun,
  buildPrograms,
  generateUsersFile,
  measureColdStarts,
  measureHelp,
  runApiCase,
  runValidateCase,
  type ValidateRun,
} from './cases';
import {
  type ApiGroup,
  apiFigures,
  type BenchReport,
  figure,
  pathName,
  type Target,
  type ValidateFigures,
  validateFigures,
} from './report';

export interface Plan {
  mode: 'full' | 'quick';
  runs: number;
  main: ApiCase[];
  baseline: ApiCase[];
  sweep: ApiCase[];
  validateRows: number[];
  /** Cold starts and --help runs, each. */
  timings: number;
}

const LATENCIES = [80, 150];
const SWEEP = [1, 2, 4, 8, 16, 32, undefined];

/**
 * The full run fits ten minutes on 2 cores by leaving out 5,000 rows at 50 req/s (100 s a run),
 * running fewer rows where few requests are in flight (2,000 rows one at a time is minutes), and
 * 1,000 rows at 16 and 32 in flight (the limit, not the concurrency, sets their pace).
 * The quick run starts as few processes as still give every figure: each costs a second of CPU.
 */
export function planOf(quick: boolean, runs: number | undefined): Plan {
  if (quick) {
    return {
      mode: 'quick',
      runs: runs ?? 1,
      main: (['handler', 'cli'] as const).flatMap((path) => [
        { path, rows: 100, rate: 50, latencyMs: 80 },
        ...LATENCIES.map((latencyMs) => ({ path, rows: 300, rate: 100, latencyMs })),
      ]),
      baseline: [{ path: 'cli', rows: 20, rate: 100, latencyMs: 80, concurrency: 1 }],
      sweep: [1, 8, undefined].map((concurrency) => ({
        path: 'cli',
        rows: concurrency === undefined ? 300 : 10 * concurrency,
        rate: 100,
        latencyMs: 80,
        concurrency,
      })),
      validateRows: [20_000, 100_000],
      timings: 5,
    };
  }
  return {
    mode: 'full',
    runs: runs ?? 3,
    main: (['handler', 'cli'] as const).flatMap((path) =>
      LATENCIES.flatMap((latencyMs) => [
        { path, rows: 1000, rate: 50, latencyMs },
        { path, rows: 5000, rate: 100, latencyMs },
      ]),
    ),
    baseline: LATENCIES.map((latencyMs) => ({
      path: 'cli',
      rows: 200,
      rate: 100,
      latencyMs,
      concurrency: 1,
    })),
    sweep: SWEEP.map((concurrency) => ({
      path: 'cli',
      rows: concurrency === undefined ? 2000 : Math.min(1000, 100 * concurrency),
      rate: 100,
      latencyMs: 80,
      concurrency,
    })),
    validateRows: [20_000, 200_000, 1_000_000],
    timings: 10,
  };
}

/** Runs the plan; `say` gets one line per finished run (a long run shows it is alive). */
export async function measure(
  plan: Plan,
  parallel: number,
  work: string,
  say: (line: string) => void = () => {},
): Promise<BenchReport> {
  const progress = new Progress(say);
  const inputs = new Map<number, string>();
  const allRows = [...plan.main, ...plan.baseline, ...plan.sweep]
    .map((c) => c.rows)
    .concat(plan.validateRows);
  for (const rows of new Set(allRows)) {
    inputs.set(rows, await generateUsersFile(path.join(work, `users-${rows}.csv`), rows));
  }
  const input = (rows: number) => inputs.get(rows) ?? '';

  // Alone first: these are about milliseconds and would feel any neighbour.
  progress.note('bundle, cold start and --help, alone');
  const bundle = await buildLambdaBundle(path.join(work, 'bundle'));
  const programs = await buildPrograms(work);
  const coldStartSeconds = figure(await measureColdStarts(bundle.file, programs.coldStart, plan.timings));
  const engine = { engine: programs.engine };
  const helpSeconds = figure(await measureHelp(plan.timings));

  const apiCases: { group: ApiGroup; spec: ApiCase; runs: ApiRun[] }[] = [
    ...plan.main.map((spec) => ({ group: 'main' as const, spec, runs: [] })),
    ...plan.baseline.map((spec) => ({ group: 'baseline' as const, spec, runs: [] })),
    ...plan.sweep.map((spec) => ({ group: 'sweep' as const, spec, runs: [] })),
  ];
  const apiJobs = apiCases
    .flatMap((c) =>
      Array.from({ length: plan.runs }, (_, run) => ({
        estimate: estimateSeconds(c.spec),
        load: requestsPerSecond(c.spec),
        label: `${pathName(c.spec.path)} ${c.spec.rows} rows ${c.spec.rate}/s ${c.spec.latencyMs} ms, ${c.spec.concurrency ?? 'adaptive'} in flight, run ${run + 1}`,
        run: async () => {
          c.runs.push(await runApiCase(c.spec, input(c.spec.rows), work, run + 1, programs));
        },
      })),
    )
    // Longest first, so the last minutes are not one long case alone.
    .sort((a, b) => b.estimate - a.estimate);

  const validationCases: { through: 'engine' | 'cli'; rows: number; runs: ValidateRun[] }[] =
    plan.validateRows.flatMap((rows) =>
      (['engine', 'cli'] as const).map((through) => ({ through, rows, runs: [] })),
    );
  const validationJobs = validationCases
    .flatMap((c) =>
      Array.from({ length: c.rows >= ONCE_FROM_ROWS ? 1 : plan.runs }, (_, run) => ({
        label: `validate ${c.rows} rows through ${c.through === 'cli' ? 'jc-onboard' : 'the engine'}, run ${run + 1}`,
        run: async () => {
          c.runs.push(
            await runValidateCase(c.through === 'cli' ? 'cli' : engine, input(c.rows), c.rows, work),
          );
        },
      })),
    )
    // Longest first: the million-row runs, one per core, while the shorter ones fill in.
    .reverse();

  progress.start(apiJobs.length + validationJobs.length);
  // The API cases wait on the rate limit, but every request costs CPU in the client and the
  // simulator: as many run at once as keep their requests within what the cores serve.
  await pool(apiJobs, { most: parallel, load: REQUESTS_PER_SECOND_AT_ONCE }, progress);
  // Validation needs a core: timed after the API cases, one run per core.
  await pool(validationJobs, { most: VALIDATIONS_AT_ONCE }, progress);

  const api = apiCases.map((c) => apiFigures(c.group, c.spec, c.runs));
  const validation = validationCases.map((c) => validateFigures(c.through, c.rows, c.runs));
  const largest = plan.main.reduce((rows, c) => Math.max(rows, c.rows), 0);
  const speedUps = plan.baseline.map((spec) => {
    const baseline =
      api.find((f) => f.group === 'baseline' && f.spec === spec)?.peoplePerSecond.median ?? Number.NaN;
    const adaptive =
      api.find(
        (f) =>
          f.group === 'main' &&
          f.spec.path === 'cli' &&
          f.spec.rows === largest &&
          f.spec.latencyMs === spec.latencyMs,
      )?.peoplePerSecond.median ?? Number.NaN;
    return {
      latencyMs: spec.latencyMs,
      baseline,
      adaptive,
      speedUp: adaptive / baseline,
      versus: `jc-onboard on ${largest.toLocaleString('en-US')} rows under a 100/s limit`,
    };
  });
  const cpu = cpus();
  const { rawBytes, gzipBytes, biggest } = bundle;
  const report: BenchReport = {
    mode: plan.mode,
    date: new Date().toISOString(),
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    runsPerCase: plan.runs,
    apiCasesAtOnce: parallel,
    requestsPerSecondAtOnce: REQUESTS_PER_SECOND_AT_ONCE,
    validationsAtOnce: VALIDATIONS_AT_ONCE,
    durationSeconds: 0,
    api,
    speedUps,
    validation,
    bundle: { rawBytes, gzipBytes, biggest },
    coldStartSeconds,
    helpSeconds,
    targets: [],
  };
  report.targets = targets(report, plan);
  return report;
}

/** The targets, judged on the medians; a quick run judges them on its smaller files and says so. */
function targets(report: BenchReport, plan: Plan): Target[] {
  const quick = plan.mode === 'quick';
  const out: Target[] = [];
  const main = report.api.filter((f) => f.group === 'main');
  const large = main.filter((f) => f.spec.rate === 100);
  for (const f of large) {
    out.push({
      name: `5,000 new people within 1.05x the bound: ${pathName(f.spec.path)}, ${f.spec.latencyMs} ms`,
      measured: `${f.timeOverBound.median.toFixed(2)}x`,
      held: f.timeOverBound.median <= 1.05,
      ...(quick ? { basis: `quick: ${f.spec.rows} rows` } : {}),
    });
  }
  const at50 = main.filter((f) => f.spec.rate === 50);
  const worst = Math.max(...at50.map((f) => f.requestsPerRow.median));
  out.push({
    name: 'requests per row under 1.03 at a 50 req/s limit (worst case)',
    measured: worst.toFixed(3),
    held: worst < 1.03,
    ...(quick ? { basis: `quick: ${at50[0]?.spec.rows} rows` } : {}),
  });
  const everyApi = report.api;
  const lost = Math.max(...everyApi.map((f) => Math.max(f.duplicates, f.missing)));
  out.push({
    name: 'every row accounted for: 0 duplicates, 0 missing, every run',
    measured: `${Math.max(...everyApi.map((f) => f.duplicates))} duplicates, ${Math.max(...everyApi.map((f) => f.missing))} missing`,
    held: lost === 0,
  });
  const byThrough = (through: 'engine' | 'cli', rows: number): ValidateFigures | undefined =>
    report.validation.find((v) => v.through === through && v.rows === rows);
  const biggestValidated = Math.max(...plan.validateRows);
  for (const through of ['engine', 'cli'] as const) {
    const name = through === 'cli' ? 'jc-onboard validate' : 'engine';
    const at200k = byThrough(through, 200_000);
    const fromRows = byThrough(through, biggestValidated);
    const seconds = at200k ? at200k.seconds.median : 200_000 / (fromRows?.rowsPerSecond.median ?? Number.NaN);
    out.push({
      name: `200,000 rows validated in under 4 s: ${name}`,
      measured: `${seconds.toFixed(2)} s`,
      held: seconds < 4,
      ...(at200k
        ? {}
        : { basis: `quick: at the rate measured on ${biggestValidated.toLocaleString('en-US')} rows` }),
    });
    const at1m = byThrough(through, 1_000_000) ?? fromRows;
    const rss = at1m?.peakRssMb.median ?? Number.NaN;
    out.push({
      name: `peak RSS under 150 MB at 1,000,000 rows: ${name}`,
      measured: `${Math.round(rss)} MB`,
      held: rss < 150,
      ...(at1m?.rows === 1_000_000 ? {} : { basis: `quick: on ${at1m?.rows.toLocaleString('en-US')} rows` }),
    });
  }
  out.push(
    {
      name: 'bundle under 600 KB minified',
      measured: `${Math.round(report.bundle.rawBytes / 1024)} KB`,
      held: report.bundle.rawBytes < 600 * 1024,
    },
    {
      name: 'cold start to the first empty file under 250 ms',
      measured: `${Math.round(report.coldStartSeconds.median * 1000)} ms`,
      held: report.coldStartSeconds.median < 0.25,
    },
    {
      name: 'jc-onboard --help under 0.5 s',
      measured: `${report.helpSeconds.median.toFixed(2)} s`,
      held: report.helpSeconds.median < 0.5,
    },
  );
  return out;
}

/**
 * Requests per second, across the API cases running at once, that the cores serve without making
 * a case wait on the CPU instead of the rate limit: a request costs about 4 ms of CPU in the
 * client (most of it Node's fetch) and 1.5 ms in the simulator, so 250 a second is about 1.4 of
 * the two cores.
 */
const REQUESTS_PER_SECOND_AT_ONCE = 250;
/**
 * Files this long are validated once per path, not three times: a run is a minute or more, and
 * what they are for, peak memory, is the same run to run. Speed is judged at 200,000 rows.
 */
const ONCE_FROM_ROWS = 1_000_000;
/** Validation runs at once: one per core, each process using one. */
const VALIDATIONS_AT_ONCE = Math.max(1, availableParallelism());

/** The requests per second a case sends: its rate limit, or fewer when latency is what limits it. */
function requestsPerSecond(spec: ApiCase): number {
  const inFlight = spec.concurrency ?? 64;
  return Math.min(spec.rate, (inFlight * 1000) / spec.latencyMs);
}

/** Roughly how long one run takes: the rate limit's bound or what latency allows, whichever is longer. */
function estimateSeconds(spec: ApiCase): number {
  const inFlight = spec.concurrency ?? 8;
  return Math.max(spec.rows / spec.rate, (spec.rows * spec.latencyMs) / 1000 / inFlight) + 2;
}

interface Job {
  label: string;
  /** What the job costs while it runs, in the pool's unit (requests per second); default 0. */
  load?: number;
  run: () => Promise<void>;
}

/**
 * Runs the jobs in order, at most `most` at once and, with `load`, no more at once than their
 * loads add up to (a job alone always runs): a later, lighter job may start before an earlier,
 * heavier one that does not fit yet. The first failure stops the benchmark.
 */
async function pool(
  jobs: readonly Job[],
  limits: { most: number; load?: number },
  progress: Progress,
): Promise<void> {
  const waiting = [...jobs];
  const running = new Set<Promise<void>>();
  let load = 0;
  const fits = (job: Job) =>
    running.size === 0 || limits.load === undefined || load + (job.load ?? 0) <= limits.load;
  const start = (job: Job) => {
    load += job.load ?? 0;
    const started = performance.now();
    const done: Promise<void> = job.run().then(
      () => {
        load -= job.load ?? 0;
        running.delete(done);
        progress.done(job.label, (performance.now() - started) / 1000);
      },
      (error: unknown) => {
        throw new Error(`${job.label}: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    running.add(done);
  };
  while (waiting.length > 0 || running.size > 0) {
    for (let i = 0; i < waiting.length && running.size < limits.most; ) {
      const job = waiting[i] as Job;
      if (fits(job)) {
        waiting.splice(i, 1);
        start(job);
      } else i++;
    }
    await Promise.race(running);
  }
}

class Progress {
  private total = 0;
  private finished = 0;
  private readonly started = performance.now();

  constructor(private readonly say: (line: string) => void) {}

  note(text: string): void {
    this.say(`${this.clock()} ${text}`);
  }

  start(total: number): void {
    this.total = total;
  }

  done(label: string, seconds: number): void {
    this.finished += 1;
    this.say(`${this.clock()} [${this.finished}/${this.total}] ${label}: ${seconds.toFixed(1)} s`);
  }

  private clock(): string {
    return `${Math.round((performance.now() - this.started) / 1000)
      .toString()
      .padStart(4)} s`;
  }
}
