/**
 * At-least-once delivery and file-level faults, end to end: nothing is created twice, no row is
 * lost, and the results tell the truth.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../lambda/config';
import { forgetJumpCloudCredentials } from '../../lambda/credentials';
import { silentLog } from '../../lambda/domain';
import { processDrop } from '../../lambda/drop/process-drop';
import { JumpCloudClient } from '../../lambda/jumpcloud/client';
import { type EmbeddedStack, LOCAL_API_KEY, LOCAL_SECRET_ID } from '../../local/embedded-stack';
import { type ObjectCreatedEvent, objectCreatedEvent } from '../../local/s3-server';
import { rowsOf } from './results';
import { useEmbeddedStack } from './stack';

let stack: EmbeddedStack;

useEmbeddedStack({ simulator: { latencyMs: 5 } }, (started) => {
  stack = started;
});
beforeEach(() => {
  stack.s3server.refuse();
  stack.secrets.allow(LOCAL_SECRET_ID);
  stack.secrets.setSecret(LOCAL_SECRET_ID, JSON.stringify({ apiKey: LOCAL_API_KEY }));
  forgetJumpCloudCredentials();
});

function usersFile(count: number, prefix: string): string {
  const lines = ['Username,Email,First Name'];
  for (let i = 0; i < count; i += 1) lines.push(`${prefix}${i},${prefix}${i}@example.com,Person ${i}`);
  return `${lines.join('\r\n')}\r\n`;
}

/** The S3 event for the object as it is now, as S3 would deliver it (again). */
async function eventFor(key: string) {
  const created = await new Promise<ObjectCreatedEvent>((resolve) => {
    stack.s3server.onObjectCreated((c) => {
      if (c.key === key) resolve(c);
    });
  });
  return objectCreatedEvent(created);
}

describe('re-delivery of the same event', () => {
  it('after the run completed: does nothing, and the results still say created', async () => {
    // Prepare
    const key = 'incoming/again.csv';
    const event = eventFor(key);
    const first = await stack.drop(key, usersFile(10, 'again'));
    const before = stack.simulator.requests.length;

    // Act
    stack.lambda.invokeAsync(await event);
    await stack.lambda.idle();

    // Assess
    expect(stack.simulator.requests.length).toBe(before);
    const again = await stack.resultsFor(key);
    expect(again?.resultsKey).toBe(first?.resultsKey);
    expect(rowsOf(again?.resultsCsv ?? '').every((r) => r.status === 'created')).toBe(true);
    expect((await stack.list('outcomes/again.')).filter((k) => k.endsWith('.csv'))).toHaveLength(1);
  });

  it('after the run completed and its input and state were deleted: does nothing, and the results stand', async () => {
    // Prepare
    const key = 'incoming/forgotten.csv';
    const event = eventFor(key);
    const first = await stack.drop(key, usersFile(4, 'forgotten'));
    const before = stack.simulator.requests.length;

    // Act
    stack.lambda.invokeAsync(await event);
    await stack.lambda.idle();

    // Assess
    expect(stack.simulator.requests.length).toBe(before);
    const again = await stack.resultsFor(key);
    expect(again?.resultsKey).toBe(first?.resultsKey);
    expect(rowsOf(again?.resultsCsv ?? '').map((r) => r.status)).toEqual(Array(4).fill('created'));
    expect(await stack.list('state/forgotten.')).toEqual([]);
    expect(await stack.list(key)).toEqual([]);
  });

  it('with deleting processed input turned off: the input stays, the run state still goes', async () => {
    // Prepare
    const key = 'incoming/direct/kept.txt';
    const put = await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: usersFile(3, 'kept') }),
    );
    const drop = {
      bucket: stack.bucket,
      key,
      eTag: (put.ETag ?? '').replace(/"/g, ''),
      sequencer: '0C',
      eventTime: new Date().toISOString(),
    };

    // Act
    const result = await processDrop(drop, {
      s3: stack.s3,
      config: { ...readConfig(), deleteProcessedInput: false },
      log: silentLog,
      requestId: randomUUID(),
      remainingTimeMs: () => 60_000,
      continueLater: async () => undefined,
      openDirectory: async () =>
        new JumpCloudClient({ baseUrl: stack.simulator.url, apiKey: LOCAL_API_KEY, concurrency: 2 }),
    });

    // Assess
    expect(result.kind).toBe('completed');
    expect(await stack.list(key)).toEqual([key]);
    expect(await stack.list('state/direct/kept.')).toEqual([]);
  });

  it('twice at the same time: one invocation runs the file, the other leaves it, no user twice', async () => {
    const key = 'incoming/twice.csv';
    const event = eventFor(key);
    await stack.upload(key, usersFile(30, 'twice'));
    const delivered = await event;

    stack.lambda.invokeAsync(delivered);
    stack.lambda.invokeAsync(delivered);
    await stack.lambda.idle();

    const results = await stack.resultsFor(key);
    const rows = rowsOf(results?.resultsCsv ?? '');
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.status === 'created')).toBe(true);
    expect(stack.simulator.users()).toHaveLength(30);
  });

  it('a new upload of the same bytes is a new drop with its own results', async () => {
    const key = 'incoming/same-bytes.csv';
    const text = usersFile(3, 'same');
    const first = await stack.drop(key, text);

    const second = await stack.drop(key, text);

    expect(second?.resultsKey).not.toBe(first?.resultsKey);
    expect(rowsOf(second?.resultsCsv ?? '').map((r) => r.status)).toEqual(['exists', 'exists', 'exists']);
    expect(stack.simulator.users()).toHaveLength(3);
  });
});

describe('file-level faults', () => {
  it.each([
    ['missing', () => stack.secrets.deleteSecret(LOCAL_SECRET_ID), /not found|does not exist/i],
    ['malformed', () => stack.secrets.setSecret(LOCAL_SECRET_ID, '{"apiKey":'), /malformed|JSON|not valid/i],
    ['access denied', () => stack.secrets.deny(LOCAL_SECRET_ID), /denied|not allowed|permission/i],
  ])(
    'secret %s: rows failed with a clear reason, the invocation fails for alarms and the DLQ, a redrive finishes the file',
    async (_, breakSecret, reason) => {
      // Prepare
      const key = `incoming/secret-${_.replace(' ', '-')}.csv`;
      const event = eventFor(key);
      breakSecret();
      const deadBefore = stack.lambda.deadLetters.length;

      // Act: the drop, Lambda's two retries, then a redrive once the admin has mended the secret.
      const failedRun = await stack.drop(key, usersFile(5, `sec${_.length}x`));

      // Assess
      expect(failedRun?.summary.fileError).toMatch(reason);
      expect(failedRun?.summary.fileError).toContain(LOCAL_SECRET_ID);
      expect(
        rowsOf(failedRun?.resultsCsv ?? '').every(
          (r) => r.status === 'failed' && /API key unavailable/.test(r.message ?? ''),
        ),
      ).toBe(true);
      expect(stack.lambda.deadLetters.length).toBe(deadBefore + 1);
      expect(stack.simulator.users()).toHaveLength(0);

      stack.secrets.allow(LOCAL_SECRET_ID);
      stack.secrets.setSecret(LOCAL_SECRET_ID, JSON.stringify({ apiKey: LOCAL_API_KEY }));
      stack.lambda.invokeAsync(await event);
      await stack.lambda.idle();

      const mended = await stack.resultsFor(key);
      expect(mended?.summary.fileError).toBeUndefined();
      expect(rowsOf(mended?.resultsCsv ?? '').map((r) => r.status)).toEqual(Array(5).fill('created'));
    },
  );

  it('API key rejected: stops at once without hammering, and a redrive after the key is fixed creates the rest once', async () => {
    const key = 'incoming/bad-key.csv';
    const event = eventFor(key);
    stack.secrets.setSecret(LOCAL_SECRET_ID, 'jca_wrong_key');

    const failedRun = await stack.drop(key, usersFile(40, 'badkey'));

    const rows = rowsOf(failedRun?.resultsCsv ?? '');
    expect(rows.every((r) => r.status === 'failed' && /API key rejected/.test(r.message ?? ''))).toBe(true);
    // Three attempts (the first and Lambda's two retries), each stopped after what was in flight.
    expect(stack.simulator.requests.length).toBeLessThanOrEqual(3 * 8);

    stack.secrets.setSecret(LOCAL_SECRET_ID, LOCAL_API_KEY);
    stack.lambda.invokeAsync(await event);
    await stack.lambda.idle();

    const mended = rowsOf((await stack.resultsFor(key))?.resultsCsv ?? '');
    expect(mended.map((r) => r.status)).toEqual(Array(40).fill('created'));
    expect(stack.simulator.users()).toHaveLength(40);
  });

  it('results not writable: the run fails for the retry, and once writable the results hold every row as it really went', async () => {
    const key = 'incoming/unwritable.csv';
    const event = eventFor(key);
    stack.s3server.refuse({ method: 'PUT', keyPrefix: 'outcomes/' });

    await stack.drop(key, usersFile(12, 'unwritable'));

    expect(await stack.resultsFor(key)).toBeUndefined();
    expect(stack.lambda.invocations.at(-1)?.error).toMatch(/could not write the results/);
    expect(stack.simulator.users()).toHaveLength(12);

    stack.s3server.refuse();
    stack.lambda.invokeAsync(await event);
    await stack.lambda.idle();

    const rows = rowsOf((await stack.resultsFor(key))?.resultsCsv ?? '');
    expect(rows.map((r) => r.status)).toEqual(Array(12).fill('created'));
    expect(stack.simulator.users()).toHaveLength(12);
  });

  it('input unreadable: says so in a results file and fails the invocation, nothing sent', async () => {
    const key = 'incoming/unreadable.csv';
    stack.s3server.refuse({ method: 'GET', keyPrefix: key });

    const results = await stack.drop(key, usersFile(3, 'unreadable'));

    expect(results?.summary.fileError).toMatch(/access denied/);
    expect(stack.lambda.invocations.at(-1)?.error).toMatch(/access denied/);
    expect(stack.simulator.requests).toHaveLength(0);
  });

  it('object overwritten between the event and the read: the event reports its own version, never the newer one', async () => {
    // Prepare: version A is uploaded and its event is on its way; before it is read, B replaces
    // A under the same key (not .csv, so no event fires here and the test delivers A's by hand).
    const key = 'incoming/direct/overwritten.txt';
    const put = (body: string) =>
      stack.s3.send(new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: body }));
    const versionA = await put(usersFile(3, 'versiona'));
    await put(usersFile(4, 'versionb'));
    const eventOfA = {
      bucket: stack.bucket,
      key,
      eTag: (versionA.ETag ?? '').replace(/"/g, ''),
      sequencer: '0A',
      eventTime: new Date().toISOString(),
    };

    // Act
    const result = await processDrop(eventOfA, {
      s3: stack.s3,
      config: readConfig(),
      log: silentLog,
      requestId: randomUUID(),
      remainingTimeMs: () => 60_000,
      continueLater: async () => undefined,
      openDirectory: async () =>
        new JumpCloudClient({ baseUrl: stack.simulator.url, apiKey: LOCAL_API_KEY, concurrency: 2 }),
    });

    // Assess: A's results say it was replaced; none of B's people were created or reported.
    expect(result.kind).toBe('completed');
    const results = await stack.resultsFor(key);
    expect(results?.summary.input.etag).toBe(eventOfA.eTag);
    expect(results?.summary.fileError).toMatch(/replaced before it could be read/);
    expect(rowsOf(results?.resultsCsv ?? '')).toEqual([]);
    expect(stack.simulator.users()).toEqual([]);
    // Deleting the processed input deletes A only: B waits for its own run.
    expect(await stack.list(key)).toEqual([key]);
  });

  it('S3 unavailable while the results are written: a redrive after the retries takes the run over and reports its people created, once', async () => {
    // Prepare: S3 stops taking writes once the file is claimed and read, so the 40 people are
    // created but neither the results nor the run record's failure can be written.
    const key = 'incoming/direct/s3-down.txt';
    const put = await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: key, Body: usersFile(40, 's3down') }),
    );
    const drop = {
      bucket: stack.bucket,
      key,
      eTag: (put.ETag ?? '').replace(/"/g, ''),
      sequencer: '0B',
      eventTime: new Date().toISOString(),
    };
    const startedAt = Date.now();
    // Each invocation has Lambda's 15 minutes; `minutesLater` is when it starts.
    const invocation = (requestId: string, minutesLater: number) =>
      processDrop(drop, {
        s3: stack.s3,
        config: readConfig(),
        log: silentLog,
        requestId,
        now: () => Date.now() + minutesLater * 60_000,
        remainingTimeMs: () => 15 * 60_000 - (Date.now() - startedAt),
        continueLater: async () => undefined,
        openDirectory: async () => {
          if (requestId === 'first-delivery') stack.s3server.refuse({ method: 'PUT', keyPrefix: '' });
          return new JumpCloudClient({ baseUrl: stack.simulator.url, apiKey: LOCAL_API_KEY, concurrency: 8 });
        },
      });

    // Act: the delivery and Lambda's two retries (same request id, a minute or two apart) fail;
    // the event goes to the dead-letter queue; S3 comes back, and an admin redrives the event.
    await expect(invocation('first-delivery', 0)).rejects.toThrow();
    await expect(invocation('first-delivery', 1)).rejects.toThrow();
    await expect(invocation('first-delivery', 3)).rejects.toThrow();
    stack.s3server.refuse();
    const redrive = await invocation('redrive-from-the-dead-letter-queue', 10);

    // Assess: the redrive finished the file; every person once, reported created, not exists.
    expect(redrive.kind).toBe('completed');
    const rows = rowsOf((await stack.resultsFor(key))?.resultsCsv ?? '');
    expect(rows.map((r) => r.status)).toEqual(Array(40).fill('created'));
    expect(rows.map((r) => r.username)).toEqual(Array.from({ length: 40 }, (_, i) => `s3down${i}`));
    expect(stack.simulator.users()).toHaveLength(40);
  });
});
