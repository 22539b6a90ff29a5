/**
 * When a file is done, people know: one email digest on the SNS topic (NOTIFY_TOPIC_ARN) and one
 * `Onboarding File Processed` event on the EventBridge bus (EVENT_BUS_NAME), each only when
 * configured. A notification that cannot be sent is reported back, never thrown: the file's
 * results are already written and stay as they are.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { RowOutcome } from '../domain';
import { parseResultsCsv } from '../results/results-file';
import type { RunSummary } from '../results/summary';
import { fileDigest, needsAttention } from './digest';

/** What other systems match on in an EventBridge rule. */
export const EVENT_SOURCE = 'jumpcloud.onboarding';
export const EVENT_DETAIL_TYPE = 'Onboarding File Processed';

export type NotificationChannel = 'email digest' | 'event';

/** A notification that could not be sent: which one, and why in words safe to log. */
export interface NotificationFailure {
  channel: NotificationChannel;
  reason: string;
}

export interface AnnounceTargets {
  /** SNS topic for the digest; absent: no digest. */
  topicArn?: string;
  sns?: Pick<SNSClient, 'send'>;
  /** EventBridge bus for the event; absent: no event. */
  eventBusName?: string;
  events?: Pick<EventBridgeClient, 'send'>;
  /** The bucket's region, for the console link. */
  region?: string;
}

/** Sends the digest and the event (those configured); resolves with what could not be sent. */
export async function announceFile(
  summary: RunSummary,
  resultsCsv: string,
  targets: AnnounceTargets,
): Promise<NotificationFailure[]> {
  const sends: Promise<NotificationFailure | undefined>[] = [];
  const { topicArn, sns, eventBusName, events } = targets;
  if (topicArn !== undefined && sns !== undefined) {
    sends.push(
      attempt('email digest', async () => {
        const digest = fileDigest(summary, rowsToFix(resultsCsv), { region: targets.region });
        await sns.send(
          new PublishCommand({ TopicArn: topicArn, Subject: digest.subject, Message: digest.body }),
        );
      }),
    );
  }
  if (eventBusName !== undefined && events !== undefined) {
    sends.push(
      attempt('event', async () => {
        const answer = await events.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: eventBusName,
                Source: EVENT_SOURCE,
                DetailType: EVENT_DETAIL_TYPE,
                Detail: JSON.stringify(summary),
              },
            ],
          }),
        );
        // PutEvents answers 200 even when it refuses an entry; the refusal is in the entry.
        const refused = answer.Entries?.find((entry) => entry.ErrorCode !== undefined);
        if ((answer.FailedEntryCount ?? 0) > 0 || refused) {
          throw new EventRefusedError(refused?.ErrorCode ?? 'unknown error');
        }
      }),
    );
  }
  return (await Promise.all(sends)).filter((failure) => failure !== undefined);
}

/** EventBridge accepted the request but not the event. */
export class EventRefusedError extends Error {
  override readonly name = 'EventRefusedError';
  constructor(readonly errorCode: string) {
    super(`EventBridge refused the event (${errorCode})`);
  }
}

/** Only the failed and invalid rows are kept: a 200,000-row file is not held as objects. */
function rowsToFix(resultsCsv: string): RowOutcome[] {
  return parseResultsCsv(resultsCsv, needsAttention);
}

async function attempt(
  channel: NotificationChannel,
  send: () => Promise<void>,
): Promise<NotificationFailure | undefined> {
  try {
    await send();
    return undefined;
  } catch (error) {
    return { channel, reason: describe(error) };
  }
}

/**
 * The error's name and HTTP status only: an AWS error's message may echo the request, and the
 * request holds the digest.
 */
function describe(error: unknown): string {
  if (error instanceof EventRefusedError) return error.message;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const name = error instanceof Error ? error.name : 'unknown error';
  return status === undefined ? name : `${name} (HTTP ${status})`;
}
