/**
 * A real S3 HTTP server on loopback for tests, the demo and `npm start`: s3rver, plus the one S3
 * behaviour this project relies on that s3rver lacks — conditional requests (`If-None-Match: *` and
 * `If-Match: <etag>` on PutObject, GetObject and DeleteObject, answered 412 like S3). The engine
 * claims each input version with a conditional write so that duplicate deliveries cannot both run
 * it, and reads and deletes exactly the version its event names.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Event } from 'aws-lambda';

// s3rver ships no types; the little we use is typed here.
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS module
const S3rver: any = require('s3rver');

export interface LocalS3Options {
  /** Buckets to create at start. */
  buckets: readonly string[];
  /** Folder for the objects; a fresh temporary folder (removed on close) when omitted. */
  directory?: string;
  port?: number;
}

export interface ObjectCreatedEvent {
  bucket: string;
  key: string;
  eTag: string;
  size: number;
  /** Orders writes to one key; identical in every delivery of the same event. */
  sequencer: string;
  eventTime: string;
}

/** A fault to play: requests of this method on keys under this prefix are refused (403). */
export interface RefusalRule {
  method: 'GET' | 'PUT';
  keyPrefix: string;
}

export interface LocalS3 {
  /** `http://127.0.0.1:<port>`: set it as AWS_ENDPOINT_URL_S3. */
  readonly endpoint: string;
  /** Refuses matching requests with AccessDenied until called again (with no rules to stop). */
  refuse(...rules: RefusalRule[]): void;
  /** Called for every object created, with the key as stored (not yet form-encoded). */
  onObjectCreated(listener: (event: ObjectCreatedEvent) => void): void;
  close(): Promise<void>;
}

export async function startLocalS3(options: LocalS3Options): Promise<LocalS3> {
  const ownDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 'jc-onboard-s3-')));
  const s3rver = new S3rver({
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  await s3rver.configureBuckets();
  replaceObjectsWhole(s3rver.store);
  const s3rverHandler: http.RequestListener = s3rver.callback();
  const locks = new ObjectLocks();
  let refusals: RefusalRule[] = [];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const [, bucket = '', ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    if (refusals.some((rule) => rule.method === req.method && key.startsWith(rule.keyPrefix))) {
      req.resume();
      res.writeHead(403, { 'Content-Type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
      );
      return;
    }
    if (key === '') {
      s3rverHandler(req, res); // bucket-level: listing, bucket config
      return;
    }
    // S3 replaces an object atomically; s3rver rewrites its file in place. Per key, reads share
    // and writes are alone, so a GET never sees half a PUT and a conditional PUT checks and
    // writes in one step.
    const writes = req.method === 'PUT' || req.method === 'DELETE' || req.method === 'POST';
    void locks.acquire(`${bucket}/${key}`, writes).then(async (release) => {
      res.on('close', release);
      const ifNoneMatch = req.headers['if-none-match'];
      const ifMatch = req.headers['if-match'];
      if (ifNoneMatch !== undefined || ifMatch !== undefined) {
        const metadata = await s3rver.store.getMetadata(bucket, key).catch(() => undefined);
        const currentEtag = metadata?.etag === undefined ? undefined : unquoted(String(metadata.etag));
        const matches = (header: string) => header === '*' || unquoted(header) === currentEtag;
        // S3 answers a failed If-Match with 412 on reads, writes and deletes alike (a missing
        // object fails it too, except on a read, which says NoSuchKey); a failed
        // If-None-Match on a write is 412, on a read 304 Not Modified.
        const missing = currentEtag === undefined;
        const reading = req.method === 'GET' || req.method === 'HEAD';
        const ifMatchFails = ifMatch !== undefined && !(reading && missing) && (missing || !matches(ifMatch));
        const ifNoneMatchFails = ifNoneMatch !== undefined && !missing && matches(ifNoneMatch);
        if (ifMatchFails || (ifNoneMatchFails && !reading)) {
          req.resume();
          res.writeHead(412, { 'Content-Type': 'application/xml' });
          res.end(
            '<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code>' +
              '<Message>At least one of the pre-conditions you specified did not hold</Message></Error>',
          );
          return;
        }
        if (ifNoneMatchFails) {
          req.resume();
          res.writeHead(304);
          res.end();
          return;
        }
      }
      s3rverHandler(req, res);
    });
  });

  const listeners: ((event: ObjectCreatedEvent) => void)[] = [];
  // s3rver's sequencer is the clock in ms, which two quick uploads can share; S3's never repeats.
  let writes = 0;
  const nextSequencer = () =>
    `${Date.now().toString(16)}${(writes++).toString(16).padStart(6, '0')}`.toUpperCase();
  s3rver.on('event', (event: S3Event) => {
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated')) continue;
      const created = {
        bucket: record.s3.bucket.name,
        key: record.s3.object.key,
        eTag: record.s3.object.eTag,
        size: record.s3.object.size,
        sequencer: nextSequencer(),
        eventTime: record.eventTime,
      };
      for (const listener of listeners) listener(created);
    }
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    refuse(...rules) {
      refusals = rules;
    },
    onObjectCreated(listener) {
      listeners.push(listener);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownDirectory) await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * The S3 event notification Lambda receives for one created object. Real S3 form-encodes keys
 * (space as `+`, `+` as `%2B`); s3rver does not, so this does it here.
 */
export function objectCreatedEvent(created: ObjectCreatedEvent): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: created.eventTime,
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:LOCAL' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'LOCAL', 'x-amz-id-2': 'LOCAL' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'incoming-csv',
          bucket: {
            name: created.bucket,
            ownerIdentity: { principalId: 'LOCAL' },
            arn: `arn:aws:s3:::${created.bucket}`,
          },
          object: {
            key: encodeS3EventKey(created.key),
            size: created.size,
            eTag: created.eTag,
            sequencer: created.sequencer,
          },
        },
      },
    ],
  };
}

/** S3 event keys are form-encoded (application/x-www-form-urlencoded). */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/** ETags are compared without their quotes: `"abc"` and `abc` name the same version. */
function unquoted(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/"/g, '');
}

/** Per object key: any number of readers, or one writer. */
class ObjectLocks {
  private readonly keys = new Map<
    string,
    { readers: number; writing: boolean; waiting: (() => boolean)[] }
  >();

  /** Resolves with the release function once the key may be read (or written). */
  acquire(key: string, write: boolean): Promise<() => void> {
    const state = this.keys.get(key) ?? { readers: 0, writing: false, waiting: [] };
    this.keys.set(key, state);
    return new Promise((resolve) => {
      const tryStart = () => {
        if (state.writing || (write && state.readers > 0)) return false;
        if (write) state.writing = true;
        else state.readers += 1;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          if (write) state.writing = false;
          else state.readers -= 1;
          this.wake(key, state);
        });
        return true;
      };
      // Queue behind earlier waiters so a stream of readers cannot starve a writer.
      if (state.waiting.length > 0 || !tryStart()) state.waiting.push(tryStart);
    });
  }

  private wake(key: string, state: { readers: number; writing: boolean; waiting: (() => boolean)[] }): void {
    while (state.waiting.length > 0 && state.waiting[0]?.()) state.waiting.shift();
    if (!state.writing && state.readers === 0 && state.waiting.length === 0) this.keys.delete(key);
  }
}

/** The part of s3rver's filesystem store that writing an object needs. */
interface ObjectStore {
  getResourcePath(bucket: string, key: string, resource: 'object'): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: ObjectToStore): Promise<{ size: number; md5: string }>;
}

interface ObjectToStore {
  bucket: string;
  key: string;
  content: Buffer | NodeJS.ReadableStream;
  metadata: unknown;
}

/**
 * s3rver answers a PUT before its file is on disk (it resolves when the body has passed through,
 * not when the write ends) and truncates the object's file in place. A second PUT of the same
 * key, or a GET, could then meet a half-written or mixed file (JSON with an old tail). S3
 * replaces an object whole: here the body goes to a file beside it and is renamed over it once
 * written, before the answer.
 */
function replaceObjectsWhole(store: ObjectStore): void {
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(objectPath), { recursive: true });
    // Not ending in s3rver's object suffix, so listings never show it.
    const partial = `${objectPath}.${randomUUID()}.partial`;
    const md5 = createHash('md5');
    let size = 0;
    const body = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    try {
      await pipeline(
        body,
        new Transform({
          transform(chunk: Buffer, _encoding, done) {
            md5.update(chunk);
            size += chunk.length;
            done(null, chunk);
          },
        }),
        createWriteStream(partial),
      );
      await rename(partial, objectPath);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}
