/**
 * What the AWS doubles (Secrets Manager, SNS, EventBridge) share: a server on loopback at a port
 * chosen at run time that hands each request's whole body to the double, and the JSON 1.1 answer
 * the SDK's JSON protocols expect.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  /** e.g. http://127.0.0.1:41234, for an AWS_ENDPOINT_URL_* variable. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Serves `answer` on 127.0.0.1. A request whose body cannot be read, or whose answer throws, gets
 * `failed` (the double's own 500), so a bug in a double shows as an AWS error, never a hang.
 */
export async function serveOnLoopback(
  answer: (request: IncomingMessage, response: ServerResponse, body: string) => void,
  failed: (response: ServerResponse) => void,
): Promise<LoopbackServer> {
  const server = createServer((request, response) => {
    readBody(request)
      .then((body) => answer(request, response, body))
      .catch(() => failed(response));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An answer in AWS's JSON 1.1 protocol; an error names its type in `__type` and the header. */
export function replyAwsJson(response: ServerResponse, status: number, body: object): void {
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
