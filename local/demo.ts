/**
 * `npm run demo`: the whole product on this machine in a few seconds. The embedded stack (s3rver
 * as the bucket, the JumpCloud simulator, the Secrets Manager double and the real Lambda handler
 * in a local runtime) takes examples/users.csv dropped under incoming/, exactly as the deployed
 * function would; the demo shows progress, prints the results and saves them to ./demo-output/,
 * then prints the email digest the function sent (here to the local SNS double, not to anyone).
 *
 *   npm run demo                         the example file
 *   npm run demo -- my-file.csv          your own file (nothing leaves this machine)
 *   npm run demo -- --out some/folder    where to save the results
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startProgressBar } from '../cli/progress';
import { humanReport, TableRows } from '../cli/report';
import { runLocalFile } from '../cli/run-file';
import { toolArgs } from '../cli/tool-args';
import { parseResultsCsv } from '../lambda/results/results-file';
import { type EmbeddedStack, startEmbeddedStack } from './embedded-stack';
import type { PublishedMessage } from './sns-double';

const EXAMPLE_FILE = path.join(__dirname, '..', 'examples', 'users.csv');
const LEAVERS_FILE = path.join(__dirname, '..', 'examples', 'leavers.csv');

/** Someone HR does not know is already in JumpCloud: the example file lists her again. */
const EXISTING_PERSON = {
  username: 'akhan',
  email: 'aisha.khan@example.com',
  firstname: 'Aisha',
  lastname: 'Khan',
  created: '2024-09-02T08:15:00.000Z',
};

/**
 * JumpCloud publishes no rate limit (API notes, "Rate limits"): these make the client meet 429s
 * and back off, as it does against the real API, without making the demo slow.
 */
const SIMULATOR = { latencyMs: { min: 40, max: 160 }, rateLimit: { requestsPerSecond: 20, burst: 8 } };

const USAGE = `
Usage: npm run demo -- [FILE] [--out FOLDER]

The whole flow on this machine, nothing sent anywhere: a local S3 bucket, a JumpCloud simulator
and the real Lambda handler. FILE (default examples/users.csv) is dropped under incoming/; the
progress, every row's outcome and the counts are printed, and the results saved in FOLDER.

Options:
  --out FOLDER   where to save the results (default: demo-output)
  -h, --help     this help

Examples:
  npm run demo
  npm run demo -- my-file.csv --out /tmp/demo`;

async function demo(): Promise<number> {
  const started = Date.now();
  const { values, positionals } = toolArgs('demo', USAGE, {
    options: { out: { type: 'string', default: 'demo-output' } },
    allowPositionals: true,
  });
  const file = positionals[0] ?? EXAMPLE_FILE;
  const shownFile = path.relative(process.cwd(), path.resolve(file));

  // The same engine, without JumpCloud: how many rows the function will send (for the progress bar).
  const check = await runLocalFile({ input: file, out: false }).catch((error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    return undefined;
  });
  if (!check) return 2;
  const toSend = check.summary.counts.would_create;

  say('Starting the local stack on 127.0.0.1: S3 (s3rver), the JumpCloud simulator, a Secrets Manager');
  say('double, and a local Lambda runtime running the real handler (lambda/handler.ts)...');
  const stack = await startEmbeddedStack({
    simulator: SIMULATOR,
    // The function's JSON logs and metrics are for CloudWatch; here they would drown the results.
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
  });
  try {
    stack.simulator.seedUser(EXISTING_PERSON);
    say(
      `JumpCloud simulator: ${stack.simulator.url}  (already holds ${EXISTING_PERSON.username}, ${EXISTING_PERSON.email})`,
    );
    const key = `incoming/${path.basename(file)}`;
    say(
      `Uploading ${shownFile} to s3://${stack.bucket}/${key}  (${check.summary.rows} rows, ${toSend} valid)`,
    );
    say('');

    const uploaded = await stack.upload(key, await readFile(file));
    const bar = startProgressBar({
      total: toSend,
      label: 'JumpCloud',
      stream: process.stderr,
      enabled: true,
    });
    const ticker = setInterval(() => {
      const { answered, throttled } = jumpCloudTraffic(stack.simulator.requests);
      bar.update(answered, throttled > 0 ? `(${throttled} throttled requests retried)` : '');
    }, 100);
    await stack.lambda.idle();
    clearInterval(ticker);
    bar.stop();

    const results = await stack.resultsOf(uploaded);
    if (!results) {
      const failed = stack.lambda.invocations.filter((invocation) => invocation.error).map((i) => i.error);
      process.stderr.write(`demo: the function wrote no results. ${failed.join('; ')}\n`);
      return 1;
    }

    const outDir = path.resolve(values.out);
    await mkdir(outDir, { recursive: true });
    const resultsPath = path.join(outDir, path.basename(results.resultsKey));
    const summaryPath = resultsPath.replace(/\.csv$/, '.summary.json');
    await writeFile(resultsPath, results.resultsCsv);
    await writeFile(summaryPath, `${JSON.stringify(results.summary, null, 2)}\n`);

    const outcomes = parseResultsCsv(results.resultsCsv);
    const report = humanReport(
      {
        kind: 'run',
        summary: results.summary,
        rows: TableRows.of(outcomes),
        resultsPath: shown(resultsPath),
        summaryPath: shown(summaryPath),
        exitCode: 0,
      },
      process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
    );
    process.stdout.write(`${report.replace(/\n$/, '')}\n`);
    const { throttled } = jumpCloudTraffic(stack.simulator.requests);
    const invocations = stack.lambda.invocations.length;
    const backoff =
      throttled > 0
        ? `JumpCloud throttled ${throttled} request(s); the client backed off and retried each.`
        : '';
    say(
      `\nThe function wrote s3://${stack.bucket}/${results.resultsKey} ` +
        `(${invocations} invocation${invocations === 1 ? '' : 's'}). ${backoff}`.trimEnd(),
    );
    const email = stack.sns.messages.at(-1);
    if (email) say(`\n${emailText(email)}`);
    if (file === EXAMPLE_FILE) await leavers(stack);
    say(
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Open ${shown(resultsPath)} in a spreadsheet.`,
    );
    return 0;
  } finally {
    await stack.stop();
  }
}

/**
 * The other half of HR's job: two of the people just onboarded leave. The file is checked first
 * under incoming/dry-run/leavers/ (nothing changes), then dropped under incoming/leavers/.
 */
async function leavers(stack: EmbeddedStack): Promise<void> {
  const text = await readFile(LEAVERS_FILE);
  for (const key of ['incoming/dry-run/leavers/leavers.csv', 'incoming/leavers/leavers.csv']) {
    say(`\nDropping ${path.relative(process.cwd(), LEAVERS_FILE)} as s3://${stack.bucket}/${key}`);
    const results = await stack.drop(key, text);
    if (!results) {
      say('  the function wrote no results');
      continue;
    }
    if (results.summary.fileError) say(`  file error: ${results.summary.fileError}`);
    for (const outcome of parseResultsCsv(results.resultsCsv)) {
      say(
        `  row ${outcome.row}: ${outcome.status.padEnd(13)} ${outcome.username.padEnd(10)} ${outcome.jumpcloudId}  ${outcome.message}`,
      );
    }
  }
}

/** Create requests JumpCloud answered (not throttled, not dropped), and the throttled ones. */
function jumpCloudTraffic(requests: readonly { method: string; status: number }[]): {
  answered: number;
  throttled: number;
} {
  let answered = 0;
  let throttled = 0;
  for (const request of requests) {
    if (request.status === 429) throttled++;
    else if (request.method === 'POST' && request.status !== 0) answered++;
  }
  return { answered, throttled };
}

/** The digest the function published for this file, as the recipient would read it. */
function emailText(message: PublishedMessage): string {
  const rule = '-'.repeat(72);
  return [
    'The email the function sent to the digest topic (NOTIFY_TOPIC_ARN; here a local stand-in):',
    rule,
    `Subject: ${message.subject ?? ''}`,
    '',
    message.message.trimEnd(),
    rule,
  ].join('\n');
}

/** A path below the current folder as a relative one (shorter to read), any other as it is. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

demo().then(
  (code) => {
    process.exitCode = code;
    // Keep-alive sockets of SDK clients must not hold the demo open once everything has stopped.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
