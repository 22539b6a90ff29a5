/**
 * `npm run bench`: how close onboarding gets to JumpCloud's rate limit, what it costs in memory,
 * how big the function's bundle is and how fast it starts. It prints a table, saves it with a
 * JSON file and an SVG chart under bench/results/ (git-ignored), and says for each target
 * whether it held. Nothing here is a test: the test suite times nothing.
 *
 * Every run is a fresh set of processes: the JumpCloud simulator in its own, the handler (with
 * s3rver) or `jc-onboard` in another. Files of new people wait on the rate limit, not on the
 * CPU, so several run at once (each against its own simulator, as many as the cores serve their
 * requests) to fit the full run in ten minutes; validation, which needs a core, runs after them,
 * one run per core; the bundle, the cold start and `--help` are timed first, with nothing else
 * running.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toolArgs } from '../cli/tool-args';
import { measure, planOf } from './measure';
import { reportChart, reportTable } from './report';

const USAGE = `
Usage: npm run bench -- [options]

Onboarding against a JumpCloud simulator in its own process (latency with jitter, a token-bucket
rate limit answering 429, 1% transient 503s), through the Lambda's handler with a local S3 and
through jc-onboard; a one-at-a-time baseline and a concurrency sweep; validation of large files
(rows per second, peak memory); the function's bundle and cold start; jc-onboard --help. Prints
a table with each target held or not, and saves it with a JSON file and an SVG chart.

The full run is planned to take 7 to 10 minutes on a quiet 2-core machine; --quick about one.

Options:
  --quick         small files, one run each: checks that every part works, in about a minute
  --runs N        runs per case (default 3; --quick: 1); each figure is the median (min) of them
  --parallel N    most files of new people run at once, each against its own simulator (default 8;
                  fewer run while their requests would add up to more than 250 a second)
  --out DIR       where the table, JSON and chart go (default bench/results)
  -h, --help      this help`;

async function main(): Promise<void> {
  const { values } = toolArgs('bench', USAGE, {
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      parallel: { type: 'string', default: '8' },
      out: { type: 'string', default: path.join(__dirname, 'results') },
    },
  });
  const runs = values.runs === undefined ? undefined : wholeNumberOption('--runs', values.runs);
  const parallel = wholeNumberOption('--parallel', values.parallel);
  const plan = planOf(values.quick, runs);
  // The machines run Node 20; the SDK's notice about Node 22 says nothing about this run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const started = performance.now();
  const work = await mkdtemp(path.join(tmpdir(), 'jc-onboard-bench-'));
  try {
    const report = await measure(plan, parallel, work, (line) => process.stderr.write(`${line}\n`));
    report.durationSeconds = (performance.now() - started) / 1000;
    const text = reportTable(report);
    process.stdout.write(`\n${text}`);
    await mkdir(values.out, { recursive: true });
    const base = path.join(
      values.out,
      `bench-${report.date.replace(/[:]/g, '').replace(/\..*$/, '')}-${plan.mode}`,
    );
    await writeFile(`${base}.txt`, text);
    await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(`${base}.svg`, reportChart(report));
    process.stdout.write(`\nSaved ${base}.txt, .json and .svg\n`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function wholeNumberOption(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(
      `bench: ${name} must be a whole number from 1 up, got '${value}' (add --help for usage)\n`,
    );
    process.exit(2);
  }
  return n;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
