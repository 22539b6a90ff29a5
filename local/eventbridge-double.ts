/**
 * A loopback stand-in for EventBridge PutEvents, speaking its JSON 1.1 protocol (`POST /`,
 * `X-Amz-Target: AWSEvents.PutEvents`, body `{"Entries": [...]}`), so the real
 * `@aws-sdk/client-eventbridge` runs end to end when AWS_ENDPOINT_URL_EVENTBRIDGE points here.
 * No emulator exists on the registries; this is the smallest honest double. It keeps every event.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => answer(request, response, body))
      .catch(() => reply(response, 500, { __type: 'InternalException', message: 'The double failed' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    eventBusName,
    events,
    refuse: (next) => {
      refusal = next;
    },
    clear: () => {
      events.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
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

function reply(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  const type = (body as { __type?: string }).__type;
  response.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...(type ? { 'x-amzn-ErrorType': type } : {}),
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
