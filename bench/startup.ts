/**
 * How long `jc-onboard --help` takes as a person runs it (node bin/jc-onboard.mjs): the whole
 * process, from start to exit, the median of ten runs. The command line ships prebuilt
 * (bin/build-cli.ts), so this is Node starting plus loading one bundled file.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const LAUNCHER = path.resolve(__dirname, '..', 'bin', 'jc-onboard.mjs');

/** Median seconds of `runs` calls of `jc-onboard --help`, and of bare `node -e 0` for comparison. */
export function measureStartup(runs = 10): { helpSeconds: number; nodeSeconds: number } {
  return {
    helpSeconds: medianSeconds(runs, [LAUNCHER, '--help']),
    nodeSeconds: medianSeconds(runs, ['-e', '0']),
  };
}

function medianSeconds(runs: number, args: string[]): number {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
    seconds.push((performance.now() - started) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return seconds[Math.floor(seconds.length / 2)] ?? 0;
}
