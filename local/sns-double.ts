/**
 * A loopback stand-in for SNS Publish, speaking its query protocol (`POST /`, form body
 * `Action=Publish&TopicArn=..&Subject=..&Message=..`, XML answer), so the real
 * `@aws-sdk/client-sns` runs end to end when AWS_ENDPOINT_URL_SNS points here. No emulator exists
 * on the registries; this is the smallest honest double. It keeps every message published.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveOnLoopback } from './aws-double-server';

export const LOCAL_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:jumpcloud-onboarding-digest';

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
}

/** An error SNS answers with (e.g. 403 AuthorizationError when a topic's key policy refuses). */
export interface SnsRefusal {
  status: number;
  code: string;
  message: string;
}

export interface SnsDouble {
  /** e.g. http://127.0.0.1:41234, for AWS_ENDPOINT_URL_SNS. */
  readonly endpoint: string;
  readonly topicArn: string;
  /** Messages accepted so far, in order. */
  readonly messages: readonly PublishedMessage[];
  /** Answers every Publish with this error until called again with undefined. */
  refuse(refusal: SnsRefusal | undefined): void;
  /** Forgets the messages. */
  clear(): void;
  close(): Promise<void>;
}

export async function startSnsDouble(options: { topicArn?: string } = {}): Promise<SnsDouble> {
  const topicArn = options.topicArn ?? LOCAL_TOPIC_ARN;
  const messages: PublishedMessage[] = [];
  let refusal: SnsRefusal | undefined;

  const answer = (request: IncomingMessage, response: ServerResponse, body: string) => {
    const form = new URLSearchParams(body);
    if (request.method !== 'POST' || form.get('Action') !== 'Publish') {
      return replyError(response, 400, {
        code: 'InvalidAction',
        message: `Unsupported action ${String(form.get('Action'))}`,
      });
    }
    if (refusal) return replyError(response, refusal.status, refusal);
    if (form.get('TopicArn') !== topicArn) {
      return replyError(response, 404, { code: 'NotFound', message: 'Topic does not exist' });
    }
    const message = form.get('Message');
    if (!message) {
      return replyError(response, 400, { code: 'InvalidParameter', message: 'Empty message' });
    }
    const subject = form.get('Subject') ?? undefined;
    // SNS's own limits on an email subject (Publish API: Subject).
    if (subject !== undefined && (subject.length >= 100 || /[\r\n\p{Cc}]/u.test(subject))) {
      return replyError(response, 400, { code: 'InvalidParameter', message: 'Invalid parameter: Subject' });
    }
    messages.push({ topicArn, subject, message });
    const messageId = randomUUID();
    return replyXml(
      response,
      200,
      `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  };

  const server = await serveOnLoopback(answer, (response) =>
    replyError(response, 500, { code: 'InternalError', message: 'The double failed' }),
  );

  return {
    endpoint: server.endpoint,
    topicArn,
    messages,
    refuse: (next) => {
      refusal = next;
    },
    clear: () => {
      messages.length = 0;
    },
    close: server.close,
  };
}

function replyError(response: ServerResponse, status: number, error: { code: string; message: string }) {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  replyXml(
    response,
    status,
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>${type}</Type><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

function replyXml(response: ServerResponse, status: number, xml: string): void {
  response.writeHead(status, {
    'Content-Type': 'text/xml',
    'Content-Length': Buffer.byteLength(xml),
    'x-amzn-RequestId': randomUUID(),
  });
  response.end(xml);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
