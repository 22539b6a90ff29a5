/**
 * Validation through the engine alone (runLocalFile with no directory: read, check, write the
 * results to disk), in a process of its own so its peak memory is the engine's.
 */
import { runLocalFile } from '../cli/run-file';

export interface ValidateCaseResult {
  seconds: number;
  rows: number;
  peakRssMb: number;
}

async function validateFile(input: string, out: string): Promise<ValidateCaseResult> {
  const started = performance.now();
  const run = await runLocalFile({ input, out, force: true });
  const seconds = (performance.now() - started) / 1000;
  // maxRSS is the process's lifetime peak, in kilobytes.
  return { seconds, rows: run.summary.rows, peakRssMb: process.resourceUsage().maxRSS / 1024 };
}

if (require.main === module) {
  validateFile(process.argv[2] ?? '', process.argv[3] ?? '').then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`validate case: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
