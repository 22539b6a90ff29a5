import { describe, expect, it } from 'vitest';
import type {
  DirectoryOutcome,
  NewSystemUser,
  RowOutcome,
  RowValidator,
  SourceRow,
  UserDirectory,
  ValidatedRow,
} from '../../lambda/domain';
import { ApiKeyRejectedError } from '../../lambda/errors';
import { onboardRows } from '../../lambda/onboarding/onboard-rows';

/** Rows with a username and email are valid; anything else is invalid. Enough to drive the engine. */
const validate = validator((source: SourceRow): ValidatedRow => {
  const username = source.cells.username ?? '';
  const email = source.cells.email ?? '';
  return username && email
    ? { row: source.row, ok: true, user: { username, email }, groups: [] }
    : { row: source.row, ok: false, username, email, message: 'email: missing' };
});

/** A validator that remembers nothing (no row finds another), so reading the file again is the same check. */
function validator(check: (source: SourceRow) => ValidatedRow): RowValidator {
  const self: RowValidator = Object.assign(check, { reread: () => self, personRowWith: () => undefined });
  return self;
}

async function* rowsOf(count: number, from = 2): AsyncGenerator<SourceRow> {
  for (let row = from; row < from + count; row += 1) {
    yield { row, cells: { username: `user${row}`, email: `user${row}@example.com` } };
  }
}

/** A directory whose answers take varying time, so outcomes complete out of order. */
class SlowDirectory implements UserDirectory {
  readonly sent: string[] = [];
  constructor(
    private readonly answer: (user: NewSystemUser) => DirectoryOutcome | Error = () => ({
      status: 'created',
      jumpcloudId: 'id',
    }),
  ) {}
  async createUser(user: NewSystemUser): Promise<DirectoryOutcome> {
    this.sent.push(user.username);
    await new Promise((resolve) => setTimeout(resolve, (user.username.length * 7) % 5));
    const answer = this.answer(user);
    if (answer instanceof Error) throw answer;
    return answer;
  }
  async planUser(): Promise<DirectoryOutcome> {
    return { status: 'would_create' };
  }
}

describe('the onboarding engine', () => {
  it('reports every row exactly once, in input order, even when answers come out of order', async () => {
    // Prepare
    const seen: RowOutcome[] = [];
    const directory = new SlowDirectory();

    // Act
    const result = await onboardRows({
      openRows: async () => rowsOf(300),
      newValidator: () => validate,
      directory,
      onOutcome: (o) => void seen.push(o),
      maxPending: 16,
    });

    // Assess
    expect(seen.map((o) => o.row)).toEqual(Array.from({ length: 300 }, (_, i) => i + 2));
    expect(result.counts.created).toBe(300);
    expect(directory.sent).toHaveLength(300);
  });

  it('reports invalid rows without sending them', async () => {
    async function* rows(): AsyncGenerator<SourceRow> {
      yield { row: 2, cells: { username: 'ana', email: 'ana@example.com' } };
      yield { row: 3, cells: { username: 'bob' } };
    }
    const seen: RowOutcome[] = [];
    const directory = new SlowDirectory();

    await onboardRows({
      openRows: async () => rows(),
      newValidator: () => validate,
      directory,
      onOutcome: (o) => void seen.push(o),
    });

    expect(seen.map((o) => [o.row, o.status, o.message])).toEqual([
      [2, 'created', ''],
      [3, 'invalid', 'email: missing'],
    ]);
    expect(directory.sent).toEqual(['ana']);
  });

  it('stops sending after the API key is rejected and fails every later row with the reason', async () => {
    const seen: RowOutcome[] = [];
    const directory = new SlowDirectory((user) =>
      user.username === 'user5' ? new ApiKeyRejectedError(401) : { status: 'created', jumpcloudId: 'id' },
    );

    const result = await onboardRows({
      openRows: async () => rowsOf(40),
      newValidator: () => validate,
      directory,
      onOutcome: (o) => void seen.push(o),
      maxPending: 2,
    });

    expect(result.stoppedAtRow).toBe(5);
    expect(result.stopReason).toMatch(/API key rejected/);
    expect(seen).toHaveLength(40);
    expect(
      seen
        .filter((o) => o.row >= 7)
        .every((o) => o.status === 'failed' && /API key rejected/.test(o.message)),
    ).toBe(true);
    // Only the rows already in flight when the 401 came were sent.
    expect(directory.sent.length).toBeLessThan(10);
  });

  it('hands the directory no more than maxInFlight rows at a time, so a pause leaves little in flight', async () => {
    // Prepare: a directory that answers only when told to.
    const waiting: (() => void)[] = [];
    const directory: UserDirectory = {
      createUser: () =>
        new Promise((resolve) => waiting.push(() => resolve({ status: 'created', jumpcloudId: 'id' }))),
      planUser: async () => ({ status: 'would_create' }),
    };
    let paused = false;

    // Act
    const run = onboardRows({
      openRows: async () => rowsOf(50),
      newValidator: () => validate,
      directory,
      maxInFlight: 3,
      shouldPause: () => paused,
      onOutcome: () => undefined,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const handedBeforePause = waiting.length;
    paused = true;
    for (const answer of waiting.splice(0)) answer();
    const result = await run;

    // Assess
    expect(handedBeforePause).toBe(3);
    expect(result.reported).toBe(3);
    expect(result.pausedAtRow).toBe(5);
  });

  it('resumes: rows before the resume point are validated again but neither sent nor reported', async () => {
    const seen: RowOutcome[] = [];
    const directory = new SlowDirectory();
    const validated: number[] = [];

    await onboardRows({
      openRows: async () => rowsOf(10),
      newValidator: () =>
        validator((row) => {
          validated.push(row.row);
          return validate(row);
        }),
      directory,
      resumeFromRow: 8,
      onOutcome: (o) => void seen.push(o),
    });

    expect(validated).toHaveLength(20); // every row, once to plan and once to apply
    expect(seen.map((o) => o.row)).toEqual([8, 9, 10, 11]);
    expect(directory.sent).toEqual(['user8', 'user9', 'user10', 'user11']);
  });

  it('pauses when asked and says which row comes next', async () => {
    const seen: RowOutcome[] = [];
    let taken = 0;

    const result = await onboardRows({
      openRows: async () => rowsOf(50),
      newValidator: () => validate,
      directory: new SlowDirectory(),
      shouldPause: () => taken++ >= 20,
      onOutcome: (o) => void seen.push(o),
    });

    expect(result.pausedAtRow).toBe(22);
    expect(seen.map((o) => o.row)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
  });

  it('gives up when told: later valid rows fail unsent with the reason, invalid ones stay invalid', async () => {
    const seen: RowOutcome[] = [];
    const directory = new SlowDirectory();
    let taken = 0;
    async function* rows(): AsyncGenerator<SourceRow> {
      yield* rowsOf(3);
      yield { row: 5, cells: { username: 'nomail' } };
    }

    const result = await onboardRows({
      openRows: async () => rows(),
      newValidator: () => validate,
      directory,
      giveUpWhen: () => (taken++ >= 1 ? 'not processed: out of time' : undefined),
      onOutcome: (o) => void seen.push(o),
    });

    expect(seen.map((o) => [o.row, o.status])).toEqual([
      [2, 'created'],
      [3, 'failed'],
      [4, 'failed'],
      [5, 'invalid'],
    ]);
    expect(seen[1]?.message).toBe('not processed: out of time');
    expect(directory.sent).toEqual(['user2']);
    expect(result.gaveUp).toBe('not processed: out of time');
  });

  it('calls a user created by an interrupted attempt at the same file created, an older one exists', async () => {
    const seen: RowOutcome[] = [];
    const started = new Date('2026-11-30T06:00:00Z');
    const directory = new SlowDirectory((user) =>
      user.username === 'user2'
        ? { status: 'exists', jumpcloudId: 'a', createdAt: '2026-11-30T06:01:00Z' }
        : { status: 'exists', jumpcloudId: 'b', createdAt: '2025-01-01T00:00:00Z' },
    );

    await onboardRows({
      openRows: async () => rowsOf(2),
      newValidator: () => validate,
      directory,
      interruptedAttemptStartedAt: started,
      onOutcome: (o) => void seen.push(o),
    });

    expect(seen.map((o) => o.status)).toEqual(['created', 'exists']);
  });

  it('fails only the row whose call broke unexpectedly, and goes on', async () => {
    const seen: RowOutcome[] = [];
    const directory = new SlowDirectory((user) =>
      user.username === 'user3' ? new TypeError('boom') : { status: 'created', jumpcloudId: 'id' },
    );

    const result = await onboardRows({
      openRows: async () => rowsOf(4),
      newValidator: () => validate,
      directory,
      onOutcome: (o) => void seen.push(o),
    });

    expect(seen.map((o) => o.status)).toEqual(['created', 'failed', 'created', 'created']);
    expect(result.stoppedAtRow).toBeUndefined();
  });

  it('validates only, sending nothing, when there is no directory', async () => {
    const seen: RowOutcome[] = [];

    await onboardRows({
      openRows: async () => rowsOf(3),
      newValidator: () => validate,
      onOutcome: (o) => void seen.push(o),
    });

    expect(seen.map((o) => o.status)).toEqual(['would_create', 'would_create', 'would_create']);
  });
});
