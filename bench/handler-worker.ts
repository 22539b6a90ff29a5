/**
 * One file through the Lambda's handler, in a process of its own: the embedded stack (s3rver as
 * the bucket, the local Lambda runtime, the real handler) pointed at a simulator running in
 * another process. Timed from the upload to the results being written, as HR waits for them.
 */
import { readFile } from 'node:fs/promises';
import { startEmbeddedStack } from '../local/embedded-stack';

export interface HandlerCaseSpec {
  input: string;
  simulatorUrl: string;
  /** JUMPCLOUD_CONCURRENCY; absent: the function's default. */
  concurrency?: number;
}

export interface HandlerCaseResult {
  seconds: number;
  resultsCsv: string;
}

async function runHandlerCase(spec: HandlerCaseSpec): Promise<HandlerCaseResult> {
  const stack = await startEmbeddedStack({
    environment: {
      JUMPCLOUD_API_URL: spec.simulatorUrl,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      ...(spec.concurrency === undefined ? {} : { JUMPCLOUD_CONCURRENCY: String(spec.concurrency) }),
    },
  });
  try {
    const body = await readFile(spec.input);
    const started = performance.now();
    const results = await stack.drop('incoming/bench/users.csv', body);
    const seconds = (performance.now() - started) / 1000;
    if (!results) throw new Error('the handler wrote no results');
    return { seconds, resultsCsv: results.resultsCsv };
  } finally {
    await stack.stop();
  }
}

if (require.main === module) {
  runHandlerCase(JSON.parse(process.argv[2] ?? '{}') as HandlerCaseSpec).then(
    (result) => process.send?.(result, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`handler case: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
