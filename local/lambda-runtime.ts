/**
 * Runs the function the way Lambda runs it, on loopback: asynchronous invocations with a request
 * id, a context with a deadline, and retries of failed invocations keeping the same request id.
 * It also answers Lambda's Invoke API, so the function's own follow-on invocations (long files)
 * go through the real AWS SDK client when AWS_ENDPOINT_URL_LAMBDA points here.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';

/** The context Lambda hands a handler: who is running, and how long is left (`remainingMs`). */
export function lambdaContext(options: {
  requestId?: string;
  functionName?: string;
  remainingMs: () => number;
}): Context {
  const functionName = options.functionName ?? 'jumpcloud-onboarding';
  return {
    awsRequestId: options.requestId ?? randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: options.remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface LocalLambdaOptions {
  // biome-ignore lint/suspicious/noExplicitAny: any event shape the handler accepts
  handler: (event: any, context: Context) => Promise<unknown>;
  functionName?: string;
  /** The function timeout the context counts down from. Default 15 minutes. */
  timeoutMs?: number;
  /** Retries after a failed asynchronous invocation, as Lambda's async config. Default 2. */
  retryAttempts?: number;
  /** Wait before a retry. Lambda waits about a minute; locally a moment is enough. */
  retryDelayMs?: number;
  /**
   * What the context's remaining time is counted on. Default: the wall clock. A test may pass a
   * clock that advances with the work done, so how much fits in an invocation does not depend
   * on how busy the machine is.
   */
  clock?: () => number;
}

export interface Invocation {
  readonly requestId: string;
  readonly attempt: number;
  readonly event: unknown;
  readonly error?: string;
  readonly result?: unknown;
}

export interface LocalLambda {
  /** `http://127.0.0.1:<port>`: set as AWS_ENDPOINT_URL_LAMBDA. */
  readonly endpoint: string;
  readonly functionName: string;
  /** Queues an asynchronous invocation, like S3 does for an event notification. */
  invokeAsync(event: unknown): void;
  /** Resolves when no invocation is running or waiting for a retry. */
  idle(): Promise<void>;
  readonly invocations: readonly Invocation[];
  /** Events that failed every attempt: what would reach the dead-letter queue. */
  readonly deadLetters: readonly unknown[];
  close(): Promise<void>;
}

export async function startLocalLambda(options: LocalLambdaOptions): Promise<LocalLambda> {
  const functionName = options.functionName ?? 'jumpcloud-onboarding';
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const retryAttempts = options.retryAttempts ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 10;
  const clock = options.clock ?? Date.now;
  const invocations: Invocation[] = [];
  const deadLetters: unknown[] = [];
  let running = 0;
  let waiters: (() => void)[] = [];

  const settle = () => {
    if (running > 0) return;
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  const run = async (event: unknown) => {
    const requestId = randomUUID();
    for (let attempt = 1; attempt <= retryAttempts + 1; attempt += 1) {
      const deadline = clock() + timeoutMs;
      const context = lambdaContext({
        requestId,
        functionName,
        remainingMs: () => Math.max(0, deadline - clock()),
      });
      try {
        const result = await options.handler(event, context);
        invocations.push({ requestId, attempt, event, result });
        return;
      } catch (error) {
        invocations.push({
          requestId,
          attempt,
          event,
          error: error instanceof Error ? error.message : String(error),
        });
        if (attempt <= retryAttempts) await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
    deadLetters.push(event);
  };

  const invokeAsync = (event: unknown) => {
    running += 1;
    // Lambda answers an asynchronous invoke at once and runs the function afterwards.
    setImmediate(() => {
      void run(event).finally(() => {
        running -= 1;
        settle();
      });
    });
  };

  const server = http.createServer((req, res) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const name = match ? decodeURIComponent(match[1] ?? '') : '';
      if (!match || (name !== functionName && !name.endsWith(`:function:${functionName}`))) {
        res.writeHead(404, {
          'Content-Type': 'application/json',
          'x-amzn-errortype': 'ResourceNotFoundException',
        });
        res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
        return;
      }
      if (req.headers['x-amz-invocation-type'] !== 'Event') {
        res.writeHead(400, {
          'Content-Type': 'application/json',
          'x-amzn-errortype': 'InvalidParameterValueException',
        });
        res.end(JSON.stringify({ message: 'only asynchronous (Event) invocations are served locally' }));
        return;
      }
      invokeAsync(JSON.parse(Buffer.concat(chunks).toString('utf-8') || '{}'));
      res.writeHead(202, { 'x-amzn-requestid': randomUUID() });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    functionName,
    invokeAsync,
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        // Let any invocation queued by the caller a moment ago start first.
        setImmediate(settle);
      }),
    invocations,
    deadLetters,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
