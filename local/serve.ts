/**
 * `npm start`: the embedded stack kept running, so files dropped with any S3 client are processed
 * by the real handler as they arrive, as in the deployed stack. Ctrl-C stops it (after a file
 * in progress is finished).
 *
 *   npm start                  S3 endpoint on port 4569, the page for HR on 4570
 *   npm start -- --port 9000   another port, the page on the next one (0: any free ports)
 */
import { countsLine, rowCount } from '../cli/report';
import { toolArgs } from '../cli/tool-args';
import type { RunSummary } from '../lambda/results/summary';
import { type EmbeddedStack, LOCAL_API_KEY, startEmbeddedStack, startsRun } from './embedded-stack';
import { type HrPageServer, startHrPageServer } from './hr-page-server';

const DEFAULT_PORT = 4569;
/** Realistic latency and a rate limit the client must back off from (see local/demo.ts). */
const SIMULATOR = { latencyMs: { min: 40, max: 160 }, rateLimit: { requestsPerSecond: 20, burst: 8 } };

const USAGE = `
Usage: npm start -- [--port N]

The local stack kept running: an S3 endpoint on 127.0.0.1, a JumpCloud simulator and the real
Lambda handler. Upload a .csv under incoming/ with any S3 client; each file is processed as it
arrives and one line says what became of it. Ctrl-C stops everything.

Options:
  --port N     the S3 endpoint's port (default ${DEFAULT_PORT}; 0: any free port)
  -h, --help   this help`;

async function serve(): Promise<void> {
  const { values } = toolArgs('start', USAGE, {
    options: { port: { type: 'string', default: String(DEFAULT_PORT) } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(
      `start: --port must be a whole number from 0 to 65535, got ${JSON.stringify(values.port)}\n`,
    );
    process.exit(2);
  }

  let stack: EmbeddedStack;
  try {
    stack = await startEmbeddedStack({
      s3Port: port,
      simulator: SIMULATOR,
      // The function's JSON logs and metrics are for CloudWatch; here one line per file says more.
      environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? `port ${port} is in use: choose another with npm start -- --port N`
        : String(error);
    process.stderr.write(`start: ${why}\n`);
    process.exit(2);
  }

  const page = await startPage(stack, port === 0 ? 0 : port + 1);
  const endpoint = stack.s3Endpoint;
  const credentials = 'AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1';
  say(
    [
      'JumpCloud onboarding is running on this machine (Ctrl-C to stop).',
      '',
      `  S3 endpoint          ${endpoint}`,
      `  Bucket               ${stack.bucket}`,
      `  JumpCloud simulator  ${stack.simulator.url}  (API key ${LOCAL_API_KEY}, made up)`,
      `  The page for HR      ${page.url}  (sign-in stood in)`,
      '',
      'Drop a users file under incoming/ (s3rver takes only its own made-up credentials):',
      `  ${credentials} aws s3 cp users.csv s3://${stack.bucket}/incoming/users.csv --endpoint-url ${endpoint}`,
      'Fetch the results:',
      `  ${credentials} aws s3 cp s3://${stack.bucket}/outcomes/ ./outcomes --recursive --endpoint-url ${endpoint}`,
      '',
      'Waiting for files...',
    ].join('\n'),
  );

  stack.s3server.onObjectCreated(({ key }) => {
    if (key.startsWith('incoming/') && startsRun(key)) say(`${time()} received ${key}`);
    else if (key.startsWith('incoming/')) {
      say(
        `${time()} received ${key}: ignored, only a file whose name ends in .csv starts a run ` +
          '(as in the deployed bucket); rename it and upload it again',
      );
    }
    if (key.startsWith('outcomes/') && key.endsWith('.summary.json')) {
      stack.readText(key).then(
        (text) => say(`${time()} ${summaryLine(JSON.parse(text) as RunSummary, key)}`),
        () => say(`${time()} results written: ${key}`),
      );
    }
  });

  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    say('\nStopping (a file in progress is finished first; Ctrl-C again to quit at once)...');
    Promise.all([page.close(), stack.stop()]).then(
      () => {
        say('Stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`start: could not stop cleanly: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** The page for HR on the next port, against the running stack (README, "The page for HR"). */
async function startPage(stack: EmbeddedStack, port: number): Promise<HrPageServer> {
  try {
    return await startHrPageServer({ s3: stack.s3, bucket: stack.bucket, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(
      `start: ${code === 'EADDRINUSE' ? `port ${port} (the page for HR) is in use: choose another with npm start -- --port N` : String(error)}\n`,
    );
    await stack.stop();
    process.exit(2);
  }
}

function summaryLine(summary: RunSummary, summaryKey: string): string {
  const resultsKey = summary.results.key ?? summaryKey.replace(/\.summary\.json$/, '.csv');
  const problem = summary.fileError === undefined ? '' : ` — ${summary.fileError}`;
  return `${summary.input.key} → ${resultsKey}: ${rowCount(summary.rows)}, ${countsLine(summary.counts)}${problem}`;
}

function time(): string {
  return new Date().toTimeString().slice(0, 8);
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

serve().catch((error: unknown) => {
  process.stderr.write(`start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
