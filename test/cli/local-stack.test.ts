/**
 * `npm run demo` and `npm start` as real processes (through tsx, as the npm scripts run them):
 * the embedded stack with the real handler, on 127.0.0.1 only.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { start, TSX } from './processes';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'jc-onboard-local-'));
  return () => rm(folder, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('runs the example file through the handler, prints the results and saves them, and exits 0', async () => {
    // Act
    const { code, stdout, stderr } = await start(TSX, ['local/demo.ts', '--out', folder]).exited;

    // Assess: the table and the summary, as a person reads them.
    expect(code).toBe(0);
    expect(stdout).toMatch(/Row\s+Status\s+Username\s+Email\s+Message/);
    expect(stdout).toMatch(/2\s+exists\s+akhan\s+aisha\.khan@example\.com\s+already in JumpCloud/);
    expect(stdout).toMatch(/6\s+invalid\s+erossi\s+elena\.rossi@example\s+email: /);
    expect(stdout).toContain('30 rows: 24 created, 1 already in JumpCloud, 4 invalid, 1 failed');
    // The email HR would get, as the function sent it to the digest topic.
    expect(stdout).toContain('Subject: users.csv: 24 created, 1 already in JumpCloud, 4 invalid, 1 failed');
    expect(stdout).toMatch(/row 22 {2}failed {2}uiyer: JumpCloud refused/);
    // The function's JSON logs and metrics are silenced: the output reads as text.
    expect(`${stdout}${stderr}`).not.toMatch(/"level"|"_aws"/);

    // Assess: the results file and summary are saved, one line per input row.
    const saved = (await readdir(folder)).sort();
    expect(saved).toEqual([
      expect.stringMatching(/^users\..*\.csv$/),
      expect.stringMatching(/^users\..*\.summary\.json$/),
    ]);
    const records = parse(await readFile(path.join(folder, saved[0] ?? ''), 'utf8'), {
      bom: true,
      columns: true,
    }) as Record<string, string>[];
    expect(records).toHaveLength(30);
    expect(
      records.filter((r) => r.status === 'created').every((r) => /^[0-9a-f]{24}$/.test(r.jumpcloud_id ?? '')),
    ).toBe(true);
    expect(stdout).toContain(path.join(folder, saved[0] ?? ''));
    expect(JSON.parse(await readFile(path.join(folder, saved[1] ?? ''), 'utf8'))).toMatchObject({
      input: { key: 'incoming/users.csv' },
      counts: { created: 24, exists: 1, invalid: 4, failed: 1 },
    });
  });
});

describe('npm start', () => {
  it('prints the endpoint and a ready command, says why a file that is not a .csv is ignored, processes a file uploaded with an S3 client, and stops on Ctrl-C', async () => {
    // Prepare
    // As `npm start` runs it: one process, so Ctrl-C reaches the stack itself, not a relay in front of it.
    const served = start(process.execPath, ['--import', 'tsx', 'local/serve.ts', '--port', '0']);
    const [, endpoint] = (await served.waitFor(/S3 endpoint\s+(http:\/\/127\.0\.0\.1:\d+)/)) as string[];
    const [, bucket] = (await served.waitFor(/Bucket\s+(\S+)/)) as string[];
    await served.waitFor(/Waiting for files/);
    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });

    try {
      // Act: a file that is not a .csv first, then the real one
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'incoming/users.txt', Body: 'Username\r\n' }),
      );
      await served.waitFor(
        /received incoming\/users\.txt: ignored, only a file whose name ends in \.csv starts a run/,
      );
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'incoming/team/new hires.csv',
          Body: 'Username,Email\r\nada,ada@example.com\r\nbad name,bad@example.com\r\n',
        }),
      );
      const [, resultsKey] = (await served.waitFor(
        /incoming\/team\/new hires\.csv → (outcomes\/\S+ \S+\.csv): 2 rows, 1 created, 1 invalid/,
      )) as string[];
      const results = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: resultsKey }));
      const text = (await results.Body?.transformToString('utf-8')) ?? '';
      served.child.kill('SIGINT');
      const stopped = await served.exited;

      // Assess
      expect(served.stdout).toContain(
        `aws s3 cp users.csv s3://${bucket}/incoming/users.csv --endpoint-url ${endpoint}`,
      );
      expect(served.stdout).toContain('AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER');
      expect(text).toMatch(
        /^\uFEFFrow,status,username,email,jumpcloud_id,message,groups,manager\r\n2,created,ada,/,
      );
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toMatch(/Stopped\.\n$/);
    } finally {
      s3.destroy();
      served.child.kill('SIGKILL');
    }
  });
});
