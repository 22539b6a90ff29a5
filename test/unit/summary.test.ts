import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../lambda/results/results-file';
import { buildSummary, type RunFacts } from '../../lambda/results/summary';

const facts = (extra: Partial<RunFacts> = {}): RunFacts => ({
  input: { key: 'incoming/users.csv' },
  results: { key: 'outcomes/users.csv' },
  dryRun: false,
  startedAt: new Date('2025-03-03T09:15:00Z'),
  finishedAt: new Date('2025-03-03T09:16:00Z'),
  counts: { ...emptyCounts(), created: 2, invalid: 1 },
  csv: { unknownColumns: ['Start Date'], notices: ['decoded as Windows-1252'] },
  ...extra,
});

describe('the summary of a run', () => {
  it('adds the rows up from the counts and carries what reading the file found', () => {
    const summary = buildSummary(facts());

    expect(summary).toEqual({
      input: { key: 'incoming/users.csv' },
      results: { key: 'outcomes/users.csv' },
      dryRun: false,
      startedAt: '2025-03-03T09:15:00.000Z',
      finishedAt: '2025-03-03T09:16:00.000Z',
      rows: 3,
      counts: { ...emptyCounts(), created: 2, invalid: 1 },
      unknownColumns: ['Start Date'],
      notices: ['decoded as Windows-1252'],
    });
  });

  it('makes a missing required column the file error, before any reason the run stopped', () => {
    const summary = buildSummary(
      facts({
        csv: { unknownColumns: [], notices: [], fileProblem: 'missing required column "email"' },
        runError: 'API key rejected',
      }),
    );

    expect(summary.fileError).toBe('missing required column "email"');
  });

  it('says when a file took several invocations, and only then', () => {
    expect(buildSummary(facts({ invocations: 1 })).invocations).toBeUndefined();

    const long = buildSummary(facts({ invocations: 3 }));

    expect(long.invocations).toBe(3);
    expect(long.notices).toContain('processed over 3 invocations');
  });

  it('notes a header with no rows, unless the file had an error', () => {
    const none = { ...emptyCounts() };

    expect(buildSummary(facts({ counts: none })).notices).toContain('the file has a header but no rows');
    expect(buildSummary(facts({ counts: none, runError: 'access denied' })).notices).not.toContain(
      'the file has a header but no rows',
    );
  });

  it('marks a held file, and leaves the field out otherwise', () => {
    expect(buildSummary(facts({ held: true })).held).toBe(true);
    expect('held' in buildSummary(facts())).toBe(false);
  });
});
