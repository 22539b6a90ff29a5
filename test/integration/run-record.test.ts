import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunRecord, RunRecordStore } from '../../lambda/drop/run-record';
import { emptyCounts } from '../../lambda/results/results-file';
import { type LocalS3, startLocalS3 } from '../../local/s3-server';

let s3server: LocalS3;
let s3: S3Client;

beforeAll(async () => {
  s3server = await startLocalS3({ buckets: ['drops'] });
  s3 = new S3Client({
    endpoint: s3server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});
afterAll(async () => {
  s3.destroy();
  await s3server.close();
});

const fresh = (owner: string, leaseUntil: number): RunRecord => ({
  owner,
  leaseUntil,
  status: 'running',
  startedAt: '2026-11-30T06:00:00.000Z',
  invocations: 1,
  nextRow: 2,
  parts: [],
  counts: emptyCounts(),
  interrupted: false,
});

describe('the run record (claim and checkpoint of one input version)', () => {
  it('lets exactly one of two simultaneous deliveries claim the file', async () => {
    // Prepare
    const store = new RunRecordStore(s3, 'drops', 'state/a/run.json');

    // Act
    const claims = await Promise.all([
      store.claim('request-1', fresh('request-1', Date.now() + 60_000), Date.now()),
      store.claim('request-2', fresh('request-2', Date.now() + 60_000), Date.now()),
    ]);

    // Assess
    expect(claims.map((c) => c.kind).sort()).toEqual(['acquired', 'busy']);
  });

  it('lets a Lambda retry (same request id) take its own claim back, marked as interrupted', async () => {
    const store = new RunRecordStore(s3, 'drops', 'state/b/run.json');
    await store.claim('request-1', fresh('request-1', Date.now() + 60_000), Date.now());

    const retry = await store.claim('request-1', fresh('request-1', Date.now() + 60_000), Date.now());

    expect(retry).toMatchObject({
      kind: 'acquired',
      takenOver: 'retry',
      record: { interrupted: true, invocations: 2 },
    });
  });

  it('lets anyone take over an expired or released claim, and reports a finished file as done', async () => {
    const store = new RunRecordStore(s3, 'drops', 'state/c/run.json');
    await store.claim('request-1', fresh('request-1', Date.now() - 1), Date.now());

    const takeover = await store.claim('request-2', fresh('request-2', Date.now() + 60_000), Date.now());
    expect(takeover).toMatchObject({ kind: 'acquired', takenOver: 'expired' });
    if (takeover.kind !== 'acquired') throw new Error('expected acquired');
    await store.update({ ...takeover.record, status: 'done', owner: '', leaseUntil: 0 }, takeover.etag);

    const later = await store.claim('request-3', fresh('request-3', Date.now() + 60_000), Date.now());
    expect(later.kind).toBe('done');
  });

  it('refuses an update from an owner whose claim was taken over', async () => {
    const store = new RunRecordStore(s3, 'drops', 'state/d/run.json');
    const first = await store.claim('request-1', fresh('request-1', Date.now() - 1), Date.now());
    if (first.kind !== 'acquired') throw new Error('expected acquired');
    await store.claim('request-2', fresh('request-2', Date.now() + 60_000), Date.now());

    await expect(store.update({ ...first.record, nextRow: 50 }, first.etag)).rejects.toThrow(
      /took this file over/,
    );
  });
});
