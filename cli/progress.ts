/**
 * A progress bar on a terminal (cli-progress), for `jc-onboard run`/`validate` and the demo: rows
 * done of the total, rows per second and the time left, and the counts so far.
 * Only on a TTY: in a pipe, a log file or with --json there is no bar at all, so the output stays
 * machine-readable.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { RowOutcome, RowStatus } from '../lambda/domain';
import { emptyCounts } from '../lambda/results/results-file';
import { countsLine } from './report';

export interface ProgressBar {
  /** Moves the bar to `value` of the total, with a short line of detail after it. */
  update(value: number, detail: string): void;
  /** Removes the bar, leaving the terminal clean for what follows. */
  stop(): void;
}

const NO_BAR: ProgressBar = { update() {}, stop() {} };

export function startProgressBar(options: {
  total: number;
  label: string;
  stream: NodeJS.WriteStream;
  /** False (not a terminal, or --json): a bar that draws nothing. */
  enabled: boolean;
  /** The clock the pace is measured by (tests give their own). */
  now?: () => number;
}): ProgressBar {
  if (!options.enabled || !options.stream.isTTY) return NO_BAR;
  const bar = new SingleBar(
    {
      format: `${options.label} {bar} {value}/{total} rows  {pace}{detail}`,
      stream: options.stream,
      clearOnComplete: true,
      hideCursor: true,
      barsize: 24,
    },
    Presets.shades_classic,
  );
  const pace = new Pace(options.total, options.now);
  bar.start(Math.max(options.total, 1), 0, { pace: '', detail: '' });
  return {
    update(value, detail) {
      const done = Math.min(value, options.total);
      pace.record(done);
      const paceText = pace.text();
      bar.update(done, { pace: paceText === '' ? '' : `${paceText}  `, detail });
    },
    stop() {
      bar.stop();
    },
  };
}

/** A bar counting rows as the engine reports them, with the counts so far. */
export function rowProgress(
  bar: ProgressBar,
  words?: (status: RowStatus) => string,
): { add(outcome: RowOutcome): void; stop(): void } {
  const counts = emptyCounts();
  let done = 0;
  return {
    add(outcome) {
      counts[outcome.status] += 1;
      done += 1;
      bar.update(done, countsLine(counts, words));
    },
    stop() {
      bar.stop();
    },
  };
}

/** How far back the rate looks: long enough to be steady, short enough to follow a throttled API. */
const WINDOW_MS = 20_000;
/** Below this much measured time the rate would be a guess: say nothing yet. */
const MIN_MEASURED_MS = 1_000;

/**
 * Rows per second over the last WINDOW_MS, and the time the rows left would take at that rate.
 * Measured from the rows reported, not from when the run started: reading the file first (the
 * plan) reports nothing and must not slow the rate down.
 */
export class Pace {
  /** [time, rows done] samples, oldest first; the first one is kept until the window is full. */
  private readonly samples: [number, number][] = [];

  constructor(
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {}

  record(done: number): void {
    const at = this.now();
    this.samples.push([at, done]);
    // Keep one sample older than the window, so the window is always fully measured.
    while (this.samples.length > 2 && (this.samples[1]?.[0] ?? at) <= at - WINDOW_MS) this.samples.shift();
  }

  /** `"120 rows/s, about 3m 20s left"`, or '' while too little has been measured. */
  text(): string {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined) return '';
    const elapsed = last[0] - first[0];
    if (elapsed < MIN_MEASURED_MS || last[1] <= first[1]) return '';
    const perSecond = ((last[1] - first[1]) * 1000) / elapsed;
    const left = Math.max(this.total - last[1], 0);
    const rate = perSecond >= 10 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
    return left === 0 ? `${rate} rows/s` : `${rate} rows/s, about ${duration(left / perSecond)} left`;
  }
}

/** 42 → "42s", 200 → "3m 20s", 7500 → "2h 05m": whole seconds, as a person reads them. */
export function duration(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
}
