/**
 * Lambda entry (contract: PRODUCT.md, "Function entry"). Thin on purpose: it turns the event into
 * drops, hands each to processDrop, logs one line per file and publishes the metrics the alarms
 * watch. All the work is in lambda/drop and lambda/onboarding.
 */

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, S3Event } from 'aws-lambda';
import { type Config, readConfig } from './config';
import { forgetJumpCloudCredentials, getJumpCloudCredentials } from './credentials';
import { type Drop, decodeEventKey, isUsersFile } from './drop/drop';
import { type DropResult, FileFailedError, processDrop } from './drop/process-drop';
import { JumpCloudClient } from './jumpcloud/client';
import { createLogger, SERVICE_NAME } from './logging';
import { announceFile } from './notify/announce';
import type { RunSummary } from './results/summary';

/** The payload of a follow-on invocation that finishes a long file. */
export interface ContinuationEvent {
  continuation: Drop;
}

export interface HandlerResult {
  files: { key: string; result: DropResult['kind']; resultsKey?: string }[];
}

const logger = createLogger();
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'JumpCloudOnboarding',
  serviceName: SERVICE_NAME,
});
// SDK clients are created once per container: they read AWS_ENDPOINT_URL_* like any AWS tool.
const s3 = new S3Client({});
// The others only once a file needs them (a long file's continuation, a configured topic or bus).
// Their code stays in the bundle, loaded at start: a dynamic import() would keep each client's
// every command (the bundle grew by 76 KB; tried again with small modules importing only what
// they use, the Secrets Manager client's too: still 95 KB, as esbuild then wraps every SDK module
// they share with S3) and loaded no faster.
let lambda: LambdaClient | undefined;
let sns: SNSClient | undefined;
let events: EventBridgeClient | undefined;
// A notification is sent before the file's run is closed: bound how long one may hold it up.
const NOTIFY_REQUEST = {
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
  maxAttempts: 3,
};
let config: Config | undefined;

export async function handler(event: S3Event | ContinuationEvent, context: Context): Promise<HandlerResult> {
  logger.addContext(context);
  config ??= readConfig();
  const settings = config;
  const drops = dropsOf(event, settings);
  const files: HandlerResult['files'] = [];
  const failures: string[] = [];

  for (const drop of drops) {
    try {
      const result = await processDrop(drop, {
        s3,
        config: settings,
        log: logger,
        requestId: context.awsRequestId,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
        openDirectory: async (cancel) => {
          const credentials = await getJumpCloudCredentials(settings.secretId);
          return new JumpCloudClient({
            baseUrl: settings.apiUrl,
            ...credentials,
            concurrency: settings.concurrency,
            log: logger,
            signal: cancel,
          });
        },
        continueLater: (next) => continueLater(next, context.functionName),
        announce: (summary, resultsCsv) => announce(drop, summary, resultsCsv, settings),
      });
      files.push({
        key: drop.key,
        result: result.kind,
        resultsKey: result.kind === 'completed' ? result.resultsKey : undefined,
      });
      if (result.kind === 'completed') recordFile(drop, result.summary, result.resultsKey);
    } catch (error) {
      // The key may have been replaced since it was cached; the retry must read it again.
      forgetJumpCloudCredentials();
      const message = error instanceof Error ? error.message : String(error);
      failures.push(`${drop.key}: ${message}`);
      metrics.addMetric('FilesFailed', MetricUnit.Count, 1);
      if (error instanceof FileFailedError && error.summary)
        recordFile(drop, error.summary, error.summary.results.key);
      logger.error('File failed; Lambda will retry it', { key: drop.key, error: message });
    }
  }
  if (drops.length > 0) metrics.publishStoredMetrics();
  // Failing the invocation is what makes Lambda retry and, after that, send the event to the DLQ.
  if (failures.length > 0) throw new Error(`${failures.length} file(s) failed: ${failures.join('; ')}`);
  return { files };
}

function recordFile(drop: Drop, summary: RunSummary, resultsKey: string | undefined): void {
  const { counts } = summary;
  metrics.addMetric('RowsCreated', MetricUnit.Count, counts.created);
  metrics.addMetric('RowsExisting', MetricUnit.Count, counts.exists);
  metrics.addMetric('RowsInvalid', MetricUnit.Count, counts.invalid);
  metrics.addMetric('RowsFailed', MetricUnit.Count, counts.failed);
  if (summary.fileError !== undefined) metrics.addMetric('FilesFailed', MetricUnit.Count, 1);
  logger.info('File processed', {
    key: drop.key,
    resultsKey,
    rows: summary.rows,
    counts,
    unknownColumns: summary.unknownColumns,
    fileError: summary.fileError,
    invocations: summary.invocations,
  });
}

/** The digest and the event; one that cannot be sent is logged and counted, never thrown. */
async function announce(
  drop: Drop,
  summary: RunSummary,
  resultsCsv: string,
  settings: Config,
): Promise<void> {
  if (settings.notifyTopicArn !== undefined) sns ??= new SNSClient(NOTIFY_REQUEST);
  if (settings.eventBusName !== undefined) events ??= new EventBridgeClient(NOTIFY_REQUEST);
  const failures = await announceFile(summary, resultsCsv, {
    topicArn: settings.notifyTopicArn,
    sns,
    eventBusName: settings.eventBusName,
    events,
    region: process.env.AWS_REGION,
  });
  for (const failure of failures) {
    metrics.addMetric('NotificationsFailed', MetricUnit.Count, 1);
    // Never the message itself: the channel and the reason are what an operator needs.
    logger.error('Notification not sent; the results are written as they are', {
      key: drop.key,
      channel: failure.channel,
      reason: failure.reason,
    });
  }
}

function dropsOf(event: S3Event | ContinuationEvent, settings: Config): Drop[] {
  if ('continuation' in event) return [event.continuation];
  const drops: Drop[] = [];
  for (const record of event.Records ?? []) {
    if (!record.eventName?.startsWith('ObjectCreated')) continue;
    const key = decodeEventKey(record.s3.object.key);
    if (!isUsersFile(key, settings)) {
      logger.info('Ignored: not a .csv file under the incoming prefix', { key });
      continue;
    }
    drops.push({
      bucket: record.s3.bucket.name,
      key,
      eTag: record.s3.object.eTag,
      versionId: record.s3.object.versionId || undefined,
      sequencer: record.s3.object.sequencer,
      eventTime: record.eventTime,
    });
  }
  return drops;
}

async function continueLater(drop: Drop, functionName: string): Promise<void> {
  const payload: ContinuationEvent = { continuation: drop };
  lambda ??= new LambdaClient({});
  await lambda.send(
    new InvokeCommand({
      FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? functionName,
      InvocationType: 'Event',
      Payload: Buffer.from(JSON.stringify(payload)),
    }),
  );
}
