import { describe, expect, it } from 'vitest';
import type { RowOutcome } from '../../lambda/domain';
import { fileDigest, MAX_SUBJECT_LENGTH } from '../../lambda/notify/digest';
import { emptyCounts } from '../../lambda/results/results-file';
import { buildSummary, type RunSummary } from '../../lambda/results/summary';

function summaryOf(counts: Partial<ReturnType<typeof emptyCounts>>, extra: Partial<RunSummary> = {}) {
  return {
    ...buildSummary({
      input: { bucket: 'drop-bucket', key: 'incoming/hr/new-hires.csv', etag: 'abc', versionId: 'v1' },
      results: { key: 'outcomes/hr/new-hires.20250303-091500.3f9a1c2b7d.csv' },
      dryRun: false,
      startedAt: '2025-03-03T09:15:00.000Z',
      finishedAt: '2025-03-03T09:15:42.000Z',
      counts: { ...emptyCounts(), ...counts },
    }),
    ...extra,
  };
}

const row = (n: number, status: RowOutcome['status'], message: string): RowOutcome => ({
  row: n,
  status,
  username: `user${n}`,
  email: `user${n}@example.com`,
  jumpcloudId: '',
  message,
});

describe('the email digest of a processed file', () => {
  it('names the file and what became of it in the subject', () => {
    const digest = fileDigest(summaryOf({ created: 24, failed: 1 }), []);

    expect(digest.subject).toBe('new-hires.csv: 24 created, 1 failed');
  });

  it('says where the results are: the S3 URI and a console link in the bucket region', () => {
    const digest = fileDigest(summaryOf({ created: 1 }), [], { region: 'eu-west-1' });

    expect(digest.body).toContain('s3://drop-bucket/outcomes/hr/new-hires.20250303-091500.3f9a1c2b7d.csv');
    expect(digest.body).toContain(
      'https://eu-west-1.console.aws.amazon.com/s3/object/drop-bucket?region=eu-west-1&prefix=outcomes%2Fhr%2Fnew-hires.20250303-091500.3f9a1c2b7d.csv',
    );
    expect(digest.body).toContain('1 row: 1 created');
  });

  it('lists the first ten rows to fix with their row numbers and reasons, and how many more', () => {
    const problems = Array.from({ length: 12 }, (_, i) =>
      row(i + 2, i % 2 === 0 ? 'invalid' : 'failed', `reason ${i + 2}`),
    );
    const outcomes = [row(14, 'created', ''), ...problems];

    const digest = fileDigest(summaryOf({ created: 1, invalid: 6, failed: 6 }), outcomes);

    expect(digest.body).toContain('Rows to fix (first 10 of 12):');
    expect(digest.body).toContain('  row 2  invalid  user2: reason 2');
    expect(digest.body).toContain('  row 11  failed  user11: reason 11');
    expect(digest.body).not.toContain('row 12 ');
    expect(digest.body).not.toContain('row 14');
    expect(digest.body).toContain('... and 2 more: every row is in the results file.');
  });

  it('says a file could not be processed, and why, in the subject and the body', () => {
    const summary = summaryOf({ invalid: 2 }, { fileError: 'missing required column "email"' });

    const digest = fileDigest(summary, []);

    expect(digest.subject).toBe('new-hires.csv: not processed, 2 invalid');
    expect(digest.body).toContain('new-hires.csv could not be processed: missing required column "email"');
  });

  it('says a dry run changed nothing', () => {
    const digest = fileDigest(summaryOf({ would_create: 3 }, { dryRun: true }), []);

    expect(digest.subject).toBe('new-hires.csv: dry run, 3 would be created');
    expect(digest.body).toContain('dry run: nothing was changed in JumpCloud');
  });

  it('keeps the subject under SNS limit of 100 characters and on one line, whatever the file is called', () => {
    const name = `incoming/${'very-long-name-'.repeat(10)}\r\n.csv`;
    const summary = summaryOf({ created: 1, exists: 2, invalid: 3, failed: 4 }, { input: { key: name } });

    const { subject } = fileDigest(summary, []);

    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toMatch(/^very-long-name-.*…: 1 created, 2 already in JumpCloud, 3 invalid, 4 failed$/);
  });
});
