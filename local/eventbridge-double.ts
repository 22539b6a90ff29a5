/**
 * A loopback stand-in for EventBridge PutEvents, speaking its JSON 1.1 protocol (`POST /`,
 * `X-Amz-Target: AWSEvents.PutEvents`, body `{"Entries": [...]}`), so the real
 * `@aws-sdk/client-eventbridge` runs end to end when AWS_ENDPOINT_URL_EVENTBRIDGE points here.
 * No emulator exists on the registries; this is the smallest honest double. It keeps every event.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { replyAwsJson as reply, serveOnLoopback } from './aws-double-server';

export const LOCAL_EVENT_BUS = 'default';

export interface PutEvent {
  eventBusName: string;
  source: string;
  detailType: string;
  /** The detail as sent: a JSON text. */
  detail: string;
}

export interface EventBridgeDouble {
  /** e.g. http://127.0.0.1:41234, for AWS_ENDPOINT_URL_EVENTBRIDGE. */
  readonly endpoint: string;
  readonly eventBusName: string;
  /** Events accepted so far, in order. */
  readonly events: readonly PutEvent[];
  /** Answers every PutEvents with this error until called again with undefined. */
  refuse(refusal: { status: number; type: string; message: string } | undefined): void;
  clear(): void;
  close(): Promise<void>;
}

interface EntryRequest {
  EventBusName?: string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
}

export async function startEventBridgeDouble(
  options: { eventBusName?: string } = {},
): Promise<EventBridgeDouble> {
  const eventBusName = options.eventBusName ?? LOCAL_EVENT_BUS;
  const events: PutEvent[] = [];
  let refusal: { status: number; type: string; message: string } | undefined;

  const answer = (request: IncomingMessage, response: ServerResponse, body: string) => {
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
      return reply(response, 400, { __type: 'UnknownOperationException', message: String(target) });
    }
    if (refusal) return reply(response, refusal.status, { __type: refusal.type, message: refusal.message });
    let entries: EntryRequest[];
    try {
      entries = (JSON.parse(body) as { Entries?: EntryRequest[] }).Entries ?? [];
    } catch {
      return reply(response, 400, { __type: 'SerializationException', message: 'Request body is not JSON' });
    }
    // Like EventBridge, a bad entry is refused on its own, in the answer, with HTTP 200.
    const answers = entries.map((entry) => {
      if ((entry.EventBusName ?? 'default') !== eventBusName) {
        return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus does not exist.' };
      }
      if (!entry.Source || !entry.DetailType || !isJsonObject(entry.Detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      events.push({
        eventBusName,
        source: entry.Source,
        detailType: entry.DetailType,
        detail: entry.Detail as string,
      });
      return { EventId: randomUUID() };
    });
    return reply(response, 200, {
      FailedEntryCount: answers.filter((a) => 'ErrorCode' in a).length,
      Entries: answers,
    });
  };

  const server = await serveOnLoopback(answer, (response) =>
    reply(response, 500, { __type: 'InternalException', message: 'The double failed' }),
  );

  return {
    endpoint: server.endpoint,
    eventBusName,
    events,
    refuse: (next) => {
      refusal = next;
    },
    clear: () => {
      events.length = 0;
    },
    close: server.close,
  };
}

function isJsonObject(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
