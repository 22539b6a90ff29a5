/**
 * A progress bar on a terminal (cli-progress), for `jc-onboard run`/`validate` and the demo.
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
}): ProgressBar {
  if (!options.enabled || !options.stream.isTTY) return NO_BAR;
  const bar = new SingleBar(
    {
      format: `${options.label} {bar} {value}/{total} rows  {detail}`,
      stream: options.stream,
      clearOnComplete: true,
      hideCursor: true,
      barsize: 24,
    },
    Presets.shades_classic,
  );
  bar.start(Math.max(options.total, 1), 0, { detail: '' });
  return {
    update(value, detail) {
      bar.update(Math.min(value, options.total), { detail });
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
