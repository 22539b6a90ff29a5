import { describe, expect, it } from 'vitest';
import { decodeEventKey, dropNames, isUsersFile } from '../../lambda/drop/drop';

const config = { incomingPrefix: 'incoming/', outcomesPrefix: 'outcomes/', statePrefix: 'state/' };
const drop = {
  bucket: 'b',
  key: 'incoming/hr/new hires.csv',
  eTag: 'abc123',
  sequencer: '0061',
  eventTime: '2026-11-30T06:19:42.123Z',
};

describe('dropped file names', () => {
  it('decodes form-encoded event keys: + is a space, %2B a plus', () => {
    expect(decodeEventKey('incoming/new+hires%2Bcontractors+%282026%29.csv')).toBe(
      'incoming/new hires+contractors (2026).csv',
    );
  });

  it.each([
    ['incoming/users.csv', true],
    ['incoming/hr/USERS.CSV', true],
    ['incoming/users.xlsx', false],
    ['outcomes/users.csv', false],
    ['users.csv', false],
  ])('takes %s as a users file: %s', (key, expected) => {
    expect(isUsersFile(key, config)).toBe(expected);
  });

  it('mirrors the path below incoming/ and starts the results name with the input base name', () => {
    const names = dropNames(drop, config);

    expect(names.resultsKey).toMatch(/^outcomes\/hr\/new hires\.20261130-061942\.[0-9a-f]{10}\.csv$/);
    expect(names.summaryKey).toBe(names.resultsKey.replace(/\.csv$/, '.summary.json'));
    expect(names.stateFolder.startsWith('state/hr/new hires.')).toBe(true);
  });

  it('names a re-delivery of the same upload alike and a new upload of the same bytes apart', () => {
    const again = dropNames({ ...drop }, config);
    const reupload = dropNames({ ...drop, sequencer: '0072', eventTime: '2026-11-30T06:19:42.900Z' }, config);

    expect(again.resultsKey).toBe(dropNames(drop, config).resultsKey);
    expect(reupload.resultsKey).not.toBe(again.resultsKey);
  });

  it('names versions of a versioned bucket by version id', () => {
    const v1 = dropNames({ ...drop, versionId: 'v1' }, config);
    const v2 = dropNames({ ...drop, versionId: 'v2' }, config);

    expect(v1.resultsKey).not.toBe(v2.resultsKey);
  });
});
