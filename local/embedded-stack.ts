/**
 * The whole product on one machine, on loopback: s3rver as the bucket, the JumpCloud simulator,
 * the Secrets Manager, SNS and EventBridge doubles and a local Lambda runtime running the real
 * handler, with the digest topic and the event bus configured as the deployed stack does. S3 events are
 * delivered the way the deployed stack's notification does (object created under `incoming/`,
 * `.csv`), form-encoded as S3 sends them. Used by `npm run demo`, `npm start` and the end-to-end
 * tests, so what they show is what the Lambda does.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dropNames } from '../lambda/drop/drop';
import type { RunSummary } from '../lambda/results/summary';
import { type EventBridgeDouble, startEventBridgeDouble } from './eventbridge-double';
import {
  type JumpCloudSimulator,
  type SimulatorOptions,
  startJumpCloudSimulator,
} from './jumpcloud-simulator';
import { type LocalLambda, startLocalLambda } from './lambda-runtime';
import { type LocalS3, type ObjectCreatedEvent, objectCreatedEvent, startLocalS3 } from './s3-server';
import { type SecretsManagerDouble, startSecretsManagerDouble } from './secrets-manager-double';
import { type SnsDouble, startSnsDouble } from './sns-double';

export const LOCAL_BUCKET = 'jumpcloud-onboarding-local';
export const LOCAL_SECRET_ID = 'jumpcloud/api-key';
/** A made-up key for the simulator, shaped like a real one (admin keys start with `jca_`). */
export const LOCAL_API_KEY = 'jca_LocalSimulatorKey000000000000000000';

/** The deployed notification filters by suffix too (prefix incoming/, suffix .csv): other files start nothing. */
export function startsRun(key: string): boolean {
  return /\.csv$/i.test(key);
}

export interface EmbeddedStackOptions {
  /** How the simulator behaves (latency, rate limit, duplicate answer). The API key is set here. */
  simulator?: Omit<SimulatorOptions, 'apiKey'>;
  /** The secret string the function reads. Default: JSON with the simulator's key. */
  secretString?: string;
  /** Port for the S3 endpoint (npm start); default chosen by the system. */
  s3Port?: number;
  /** Folder for the bucket's objects; default a temporary folder removed on stop. */
  s3Directory?: string;
  /** Function timeout the handler's context counts down from. */
  functionTimeoutMs?: number;
  /** What that timeout is counted on (default: the wall clock); see LocalLambdaOptions.clock. */
  functionClock?: () => number;
  /** Extra environment for the function (e.g. JUMPCLOUD_CONCURRENCY). */
  environment?: Record<string, string>;
}

export interface DropResults {
  resultsKey: string;
  resultsCsv: string;
  summary: RunSummary;
}

export interface EmbeddedStack {
  readonly bucket: string;
  readonly s3Endpoint: string;
  readonly s3: S3Client;
  /** The S3 server itself, for playing faults (refused reads or writes). */
  readonly s3server: LocalS3;
  readonly simulator: JumpCloudSimulator;
  readonly secrets: SecretsManagerDouble;
  /** The digest topic: every email the function sent. */
  readonly sns: SnsDouble;
  /** The event bus: every event the function sent. */
  readonly eventBridge: EventBridgeDouble;
  readonly lambda: LocalLambda;
  /** Uploads a file as HR would; the event reaches the function like S3's notification. */
  upload(key: string, body: string | Uint8Array): Promise<ObjectCreatedEvent>;
  /** Uploads, waits for the function (and any retries and follow-on invocations) to finish. */
  drop(key: string, body: string | Uint8Array): Promise<DropResults | undefined>;
  /** The results of one upload, if written. */
  resultsOf(upload: ObjectCreatedEvent): Promise<DropResults | undefined>;
  /** The newest results for an input key, if any. */
  resultsFor(key: string): Promise<DropResults | undefined>;
  /** Every key under a prefix. */
  list(prefix: string): Promise<string[]>;
  readText(key: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts everything and points this process's AWS SDK clients at it. The handler module reads
 * its configuration once, so start one embedded stack per process.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions = {}): Promise<EmbeddedStack> {
  const s3server: LocalS3 = await startLocalS3({
    buckets: [LOCAL_BUCKET],
    port: options.s3Port,
    directory: options.s3Directory,
  });
  const simulator = await startJumpCloudSimulator({ ...options.simulator, apiKey: LOCAL_API_KEY });
  const secrets = await startSecretsManagerDouble({
    secrets: { [LOCAL_SECRET_ID]: options.secretString ?? JSON.stringify({ apiKey: LOCAL_API_KEY }) },
  });
  const sns = await startSnsDouble();
  const eventBridge = await startEventBridgeDouble();

  Object.assign(process.env, {
    // The machines run Node 20; the SDK's notice about Node 22 says nothing about this run.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: 'us-east-1',
    // s3rver accepts only its own made-up credentials; the other doubles accept any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3server.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
    NOTIFY_TOPIC_ARN: sns.topicArn,
    EVENT_BUS_NAME: eventBridge.eventBusName,
    AWS_LAMBDA_FUNCTION_NAME: 'jumpcloud-onboarding',
    JUMPCLOUD_SECRET_ID: LOCAL_SECRET_ID,
    JUMPCLOUD_API_URL: simulator.url,
    ...options.environment,
  });
  // The handler's SDK clients read these variables when its module loads: import it only now.
  const { handler } = await import('../lambda/handler');
  const lambda = await startLocalLambda({
    handler,
    functionName: 'jumpcloud-onboarding',
    timeoutMs: options.functionTimeoutMs,
    ...(options.functionClock ? { clock: options.functionClock } : {}),
  });
  process.env.AWS_ENDPOINT_URL_LAMBDA = lambda.endpoint;

  const incomingPrefix = process.env.INCOMING_PREFIX ?? 'incoming/';
  const outcomesPrefix = process.env.OUTCOMES_PREFIX ?? 'outcomes/';
  const statePrefix = process.env.STATE_PREFIX ?? 'state/';
  const uploads = new Map<string, (created: ObjectCreatedEvent) => void>();
  s3server.onObjectCreated((created) => {
    uploads.get(created.key)?.(created);
    if (created.key.startsWith(incomingPrefix) && startsRun(created.key)) {
      lambda.invokeAsync(objectCreatedEvent(created));
    }
  });

  const s3 = new S3Client({});
  const readText = async (key: string) => {
    const answer = await s3.send(new GetObjectCommand({ Bucket: LOCAL_BUCKET, Key: key }));
    return (await answer.Body?.transformToString('utf-8')) ?? '';
  };
  const list = async (prefix: string) => {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: LOCAL_BUCKET, Prefix: prefix, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  };
  const upload = async (key: string, body: string | Uint8Array) => {
    const created = new Promise<ObjectCreatedEvent>((resolve) => uploads.set(key, resolve));
    await s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: key, Body: body }));
    const event = await created;
    uploads.delete(key);
    return event;
  };
  const readResults = async (summaryKey: string): Promise<DropResults | undefined> => {
    const summary = JSON.parse(await readText(summaryKey).catch(() => 'null')) as RunSummary | null;
    if (!summary) return undefined;
    const resultsKey = summary.results.key ?? summaryKey.replace(/\.summary\.json$/, '.csv');
    return { resultsKey, resultsCsv: await readText(resultsKey), summary };
  };
  const resultsOf = (created: ObjectCreatedEvent) =>
    readResults(
      dropNames({ ...created, eTag: created.eTag }, { incomingPrefix, outcomesPrefix, statePrefix })
        .summaryKey,
    );
  const resultsFor = async (key: string): Promise<DropResults | undefined> => {
    const base = key.slice(incomingPrefix.length).replace(/\.csv$/i, '');
    const summaries = (await list(`${outcomesPrefix}${base}.`)).filter((k) => k.endsWith('.summary.json'));
    let newest: DropResults | undefined;
    for (const summaryKey of summaries) {
      const results = await readResults(summaryKey);
      if (results && (!newest || results.summary.finishedAt > newest.summary.finishedAt)) newest = results;
    }
    return newest;
  };

  return {
    bucket: LOCAL_BUCKET,
    s3Endpoint: s3server.endpoint,
    s3,
    s3server,
    simulator,
    secrets,
    sns,
    eventBridge,
    lambda,
    upload,
    async drop(key, body) {
      const created = await upload(key, body);
      await lambda.idle();
      return resultsOf(created);
    },
    resultsOf,
    resultsFor,
    list,
    readText,
    async stop() {
      await lambda.idle();
      s3.destroy();
      await Promise.allSettled([
        lambda.close(),
        simulator.close(),
        secrets.close(),
        sns.close(),
        eventBridge.close(),
        s3server.close(),
      ]);
    },
  };
}
