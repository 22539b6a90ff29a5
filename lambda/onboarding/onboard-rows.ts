/**
 * The engine: every row of a users file becomes exactly one RowOutcome, reported in input order.
 * The Lambda, the command line, the demo and the benchmark all run files through this function;
 * where the rows come from and where the outcomes go is theirs to decide.
 */
import type { Log, NewSystemUser, RowOutcome, SourceRow, UserDirectory, ValidatedRow } from '../domain';
import { silentLog } from '../domain';
import { ApiKeyRejectedError, RequestsCancelledError, SecretUnavailableError } from '../errors';
import { emptyCounts, type StatusCounts } from '../results/results-file';

export interface OnboardRowsOptions {
  rows: AsyncIterable<SourceRow>;
  /** Validates one row; stateful (remembers earlier rows for in-file duplicates). */
  validate: (row: SourceRow) => ValidatedRow;
  /** Where users are created. Absent: validate only, nothing is sent anywhere. */
  directory?: UserDirectory;
  /** Ask the directory what it would do instead of doing it. */
  dryRun?: boolean;
  /**
   * Rows before this spreadsheet row were reported by an earlier invocation. They are validated
   * again, so in-file duplicates are still caught, but neither sent nor reported.
   */
  resumeFromRow?: number;
  /**
   * Set when resuming after an interrupted attempt at the same file: a row JumpCloud reports as
   * existing but created at or after this time was created by that attempt, so it is `created`.
   */
  interruptedAttemptStartedAt?: Date;
  /** Asked before each new row is taken: true stops taking rows (e.g. Lambda time running out). */
  shouldPause?: () => boolean;
  /**
   * Asked before each new row is taken: a reason means this row and every later valid one are
   * reported `failed` with it, unsent, instead of pausing (the file cannot be continued).
   */
  giveUpWhen?: () => string | undefined;
  /** Called once per row, in input order. Awaited, so a slow sink slows reading (backpressure). */
  onOutcome: (outcome: RowOutcome, context: { stopped: boolean }) => void | Promise<void>;
  /** Rows read ahead of the oldest unreported one; bounds memory on huge files. */
  maxPending?: number;
  /**
   * Rows handed to the directory and not yet answered. Keeps the client's queue short, so that
   * once shouldPause says stop, only these few are still sent. Default 16; about twice the
   * client's concurrency keeps it busy.
   */
  maxInFlight?: number;
  log?: Log;
}

export interface OnboardRowsResult {
  counts: StatusCounts;
  /** Rows reported by this call. */
  reported: number;
  /** When shouldPause stopped the run: the first row not taken. */
  pausedAtRow?: number;
  /** When the API key was rejected or unavailable: the first row that failed for that reason. */
  stoppedAtRow?: number;
  /** Why the run stopped sending (safe to show: holds no secret). */
  stopReason?: string;
  /** When giveUpWhen gave a reason: the reason. */
  gaveUp?: string;
}

/** Clock skew allowed between this machine and JumpCloud when comparing creation times. */
const CLOCK_SKEW_MS = 5 * 60_000;

interface PendingRow {
  readonly row: number;
  readonly outcome: Promise<{ outcome: RowOutcome; stopped: boolean }>;
  settled: boolean;
}

export async function onboardRows(options: OnboardRowsOptions): Promise<OnboardRowsResult> {
  const log = options.log ?? silentLog;
  const maxPending = options.maxPending ?? 256;
  const maxInFlight = options.maxInFlight ?? 16;
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const counts = emptyCounts();
  const pending: PendingRow[] = [];
  let reported = 0;
  let pausedAtRow: number | undefined;
  let stop: { reason: string } | undefined;
  let stoppedAtRow: number | undefined;
  let gaveUp: string | undefined;

  const report = async (entry: PendingRow) => {
    const { outcome, stopped } = await entry.outcome;
    if (stopped && (stoppedAtRow === undefined || outcome.row < stoppedAtRow)) stoppedAtRow = outcome.row;
    counts[outcome.status] += 1;
    reported += 1;
    await options.onOutcome(outcome, { stopped });
  };

  const send = async (checked: ValidatedRow): Promise<{ outcome: RowOutcome; stopped: boolean }> => {
    if (!checked.ok) {
      const { row, username, email, message } = checked;
      return {
        outcome: { row, status: 'invalid', username, email, jumpcloudId: '', message },
        stopped: false,
      };
    }
    const { row, user } = checked;
    if (stop) return { outcome: failed(row, user, stop.reason), stopped: true };
    if (gaveUp) return { outcome: failed(row, user, gaveUp), stopped: false };
    if (!options.directory) {
      return {
        outcome: outcomeOf(row, user, 'would_create', '', 'valid; not checked against JumpCloud'),
        stopped: false,
      };
    }
    try {
      const said = options.dryRun
        ? await options.directory.planUser(user)
        : await options.directory.createUser(user);
      if (
        said.status === 'exists' &&
        options.interruptedAttemptStartedAt &&
        said.createdAt !== undefined &&
        Date.parse(said.createdAt) >= options.interruptedAttemptStartedAt.getTime() - CLOCK_SKEW_MS
      ) {
        const message = 'created by an earlier, interrupted attempt at this file';
        return { outcome: outcomeOf(row, user, 'created', said.jumpcloudId ?? '', message), stopped: false };
      }
      return {
        outcome: outcomeOf(row, user, said.status, said.jumpcloudId ?? '', said.message ?? ''),
        stopped: false,
      };
    } catch (error) {
      const reason = stopReasonOf(error);
      if (reason) {
        if (!stop) log.error('Stopped sending rows', { row, reason });
        stop ??= { reason };
        return { outcome: failed(row, user, reason), stopped: true };
      }
      // An unexpected fault in one row must not cost the others: the row fails, the run goes on.
      log.error('Row failed unexpectedly', {
        row,
        errorName: error instanceof Error ? error.name : typeof error,
      });
      return {
        outcome: failed(row, user, 'unexpected error while creating the user; try this row again'),
        stopped: false,
      };
    }
  };

  for await (const source of options.rows) {
    if (options.resumeFromRow !== undefined && source.row < options.resumeFromRow) {
      options.validate(source);
      continue;
    }
    while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (slotFreed = resolve));
    if (options.shouldPause?.()) {
      pausedAtRow = source.row;
      break;
    }
    gaveUp ??= options.giveUpWhen?.();
    const entry: PendingRow = { row: source.row, outcome: send(options.validate(source)), settled: false };
    inFlight += 1;
    void entry.outcome.then(() => {
      entry.settled = true;
      inFlight -= 1;
      slotFreed?.();
    });
    pending.push(entry);
    // Report what is already done, in order; wait for the oldest only when too far ahead.
    while (pending.length > 0 && (pending[0]?.settled || pending.length >= maxPending)) {
      await report(pending.shift() as PendingRow);
    }
  }
  for (const entry of pending.splice(0)) await report(entry);

  return { counts, reported, pausedAtRow, stoppedAtRow, stopReason: stop?.reason, gaveUp };
}

function outcomeOf(
  row: number,
  user: NewSystemUser,
  status: RowOutcome['status'],
  jumpcloudId: string,
  message: string,
): RowOutcome {
  return { row, status, username: user.username, email: user.email, jumpcloudId, message };
}

function failed(row: number, user: NewSystemUser, message: string): RowOutcome {
  return outcomeOf(row, user, 'failed', '', message);
}

/** Errors that make sending any further row pointless: every later row fails with the reason. */
function stopReasonOf(error: unknown): string | undefined {
  if (error instanceof ApiKeyRejectedError)
    return `API key rejected by JumpCloud (${error.httpStatus}); row not sent`;
  if (error instanceof SecretUnavailableError) return `API key unavailable: ${error.message}; row not sent`;
  if (error instanceof RequestsCancelledError) return `${error.message}; row not finished`;
  return undefined;
}
