/**
 * The page for HR on this machine: the built page, its `config.json` and its API over HTTP on
 * loopback, against the embedded stack's bucket. Sign-in is stood in: every request is one
 * person, in the onboarding group. The API is the deployed function's own code
 * (lambda/web-api/routes.ts); uploads and downloads go straight to the local S3 through
 * presigned links, as they go to S3 when deployed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3';
import { readConfig } from '../lambda/config';
import { type Caller, handleWebRequest, type WebApiDependencies } from '../lambda/web-api/routes';
import { s3DropStore } from '../lambda/web-api/s3-drop-store';
import { bundlePage, CONTENT_TYPES } from '../web/bundle';
import type { PageConfig } from '../web/page-config';
import { PAGE_CORS_RULE } from '../web/upload-cors';

/** The stood-in person: what Cognito's `sub` and `cognito:groups` would say. */
export const LOCAL_HR_PERSON = { id: 'local-hr', name: 'HR (local, sign-in stood in)' } as const;
export const DEFAULT_ONBOARDING_GROUP = 'hr-onboarding';

export interface HrPageServerOptions {
  /** The bucket the embedded stack runs on, and an S3 client pointed at it. */
  readonly s3: S3Client;
  readonly bucket: string;
  /** Port to listen on; default chosen by the system. */
  readonly port?: number;
  /** The signed-in stand-in's groups; default the onboarding group (tests play a non-member). */
  readonly groups?: readonly string[];
}

export interface HrPageServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHrPageServer(options: HrPageServerOptions): Promise<HrPageServer> {
  const files = bundlePage();
  const config = readConfig();
  const store = s3DropStore(options.s3, options.bucket);
  const deps: WebApiDependencies = {
    store,
    presigner: store,
    prefixes: { incoming: config.incomingPrefix, outcomes: config.outcomesPrefix, state: config.statePrefix },
    allowedGroup: DEFAULT_ONBOARDING_GROUP,
  };
  const caller: Caller = { id: LOCAL_HR_PERSON.id, groups: options.groups ?? [DEFAULT_ONBOARDING_GROUP] };
  const pageConfig: PageConfig = { apiUrl: '', signIn: { kind: 'local', name: LOCAL_HR_PERSON.name } };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (url.pathname.startsWith('/api/')) {
      readBody(req)
        .then((text) =>
          handleWebRequest(deps, {
            method: req.method ?? 'GET',
            path: url.pathname,
            query: Object.fromEntries(url.searchParams),
            body: text === '' ? undefined : JSON.parse(text),
            caller,
          }),
        )
        .then(
          (answer) => send(answer.status, CONTENT_TYPES['.json'] ?? '', JSON.stringify(answer.body)),
          (error: unknown) =>
            send(
              500,
              CONTENT_TYPES['.json'] ?? '',
              JSON.stringify({ message: `local API: ${String(error)}` }),
            ),
        );
      return;
    }
    if (url.pathname === '/config.json') {
      send(200, CONTENT_TYPES['.json'] ?? '', JSON.stringify(pageConfig));
      return;
    }
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const file = files.get(name);
    if (file === undefined) send(404, 'text/plain', 'not found');
    else send(200, CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream', file);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // EADDRINUSE: the caller says which port
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  // The browser uploads to the bucket directly, from the page's origin: the bucket must allow it.
  await options.s3.send(
    new PutBucketCorsCommand({
      Bucket: options.bucket,
      CORSConfiguration: {
        CORSRules: [{ ...PAGE_CORS_RULE, AllowedOrigins: [origin, `http://localhost:${port}`] }],
      },
    }),
  );

  return {
    url: `${origin}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
