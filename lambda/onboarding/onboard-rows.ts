/**
 * The engine: every row of a users file becomes exactly one RowOutcome, reported in input order.
 * The Lambda, the command line, the demo and the benchmark all run files through this function;
 * where the rows come from and where the outcomes go is theirs to decide.
 *
 * It works in three steps. Plan: the whole file is read once, before anything is sent
 * (plan.ts). Resolve: group names and managers become ids, once per run (resolve.ts). Apply: each
 * row's intent as a few idempotent steps (apply.ts); people another row names as manager are
 * applied first, so "people first, managers set after" holds in any row order.
 */
import type {
  Log,
  PeopleDirectory,
  RowAction,
  RowOutcome,
  RowValidator,
  SourceRow,
  UserDirectory,
  ValidatedRow,
} from '../domain';
import { silentLog } from '../domain';
import {
  ApiKeyRejectedError,
  JumpCloudUnreachableError,
  RequestsCancelledError,
  SecretUnavailableError,
} from '../errors';
import { emptyCounts, type StatusCounts } from '../results/results-file';
import { type ApplyContext, type ApplyResult, applyRow, type RowIntent } from './apply';
import { conflictMessage, type FilePlan, planFile } from './plan';
import { RunResolver } from './resolve';
import { DEFAULT_SUSPEND_LIMIT } from './suspend-limit';

export interface OnboardRowsOptions {
  /** Reads the file's rows from the start. The engine reads it once to plan and again to apply. */
  openRows: () => Promise<AsyncIterable<SourceRow>>;
  /** A fresh validator, for the first read; later reads of the file use its `reread()`. */
  newValidator: () => RowValidator;
  /** Where people are created, updated and suspended. Absent: validate only, nothing is sent anywhere. */
  directory?: UserDirectory & Partial<PeopleDirectory>;
  /** What a row without an `action` cell does (default `create`). */
  defaultAction?: RowAction;
  /** The most people one file may suspend; a file over it suspends nobody (default 20). */
  suspendLimit?: number;
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
  /** Called once the plan has read the whole file, before any row is sent or reported. */
  onPlanned?: (plan: { rows: number }) => void;
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
  /** When the API key was rejected or unavailable, or JumpCloud unreachable: the first row that failed for that reason. */
  stoppedAtRow?: number;
  /** Why the run stopped sending (safe to show: holds no secret). */
  stopReason?: string;
  /** The error that stopped it, for a caller that answers each kind differently. */
  stoppedBy?: Error;
  /** When giveUpWhen gave a reason: the reason. */
  gaveUp?: string;
  /** The file would suspend more people than the limit allows, so it suspended nobody. */
  held?: boolean;
}

interface PendingRow {
  readonly row: number;
  readonly outcome: Promise<{ outcome: RowOutcome; stopped: boolean }>;
  settled: boolean;
}

export async function onboardRows(options: OnboardRowsOptions): Promise<OnboardRowsResult> {
  const log = options.log ?? silentLog;
  const defaultAction = options.defaultAction ?? 'create';
  const suspendLimit = options.suspendLimit ?? DEFAULT_SUSPEND_LIMIT;
  const { directory } = options;
  const firstRead = options.newValidator();
  const plan = await planFile(await options.openRows(), firstRead, defaultAction);
  options.onPlanned?.({ rows: plan.rows });
  const resolver = directory?.findPeople ? new RunResolver(directory as PeopleDirectory, plan) : undefined;
  // Counted on rows first; only a file over the limit looks its leavers up to count who is really active.
  const suspensions =
    plan.suspensions > suspendLimit && resolver
      ? await resolver.countSuspensions(suspendLimit).catch(() => plan.suspensions)
      : plan.suspensions;
  const held = suspensions > suspendLimit;
  const context: ApplyContext | undefined = directory
    ? {
        directory,
        ...(resolver ? { resolver } : {}),
        dryRun: options.dryRun ?? false,
        defaultAction,
        ...(held
          ? {
              suspendHeld:
                `held: this file would suspend ${suspensions} people, more than the limit of ` +
                `${suspendLimit} (SUSPEND_LIMIT); nobody was suspended. Split the file or raise the limit`,
            }
          : {}),
        ...(options.interruptedAttemptStartedAt ? { createdSince: options.interruptedAttemptStartedAt } : {}),
      }
    : undefined;
  const maxPending = options.maxPending ?? 256;
  const maxInFlight = options.maxInFlight ?? 16;
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const counts = emptyCounts();
  const pending: PendingRow[] = [];
  let reported = 0;
  let pausedAtRow: number | undefined;
  let stop: { reason: string; error: Error } | undefined;
  let stoppedAtRow: number | undefined;
  let gaveUp: string | undefined;

  const report = async (entry: PendingRow) => {
    const { outcome, stopped } = await entry.outcome;
    if (stopped && (stoppedAtRow === undefined || outcome.row < stoppedAtRow)) stoppedAtRow = outcome.row;
    counts[outcome.status] += 1;
    reported += 1;
    await options.onOutcome(outcome, { stopped });
  };

  const apply = async (
    checked: ValidatedRow,
  ): Promise<{ outcome: RowOutcome; stopped: boolean } & Partial<ApplyResult>> => {
    const intent = intentOf(checked, plan, defaultAction);
    if (!('user' in intent)) return { outcome: intent, stopped: false };
    const { row, user } = intent;
    if (stop) return { outcome: failed(intent, stop.reason), stopped: true };
    if (gaveUp) return { outcome: failed(intent, gaveUp), stopped: false };
    if (!context) {
      const suspends = intent.action === 'suspend';
      const status = suspends
        ? 'would_suspend'
        : intent.action === 'create'
          ? 'would_create'
          : 'would_update';
      return {
        outcome: {
          row,
          status,
          username: user.username,
          email: user.email,
          jumpcloudId: '',
          message: 'valid; not checked against JumpCloud',
        },
        stopped: false,
      };
    }
    try {
      const applied = await applyRow(intent, context);
      context.resolver?.noteRowPerson(row, applied.personId);
      return { ...applied, stopped: false };
    } catch (error) {
      const reason = stopReasonOf(error);
      if (reason) {
        if (!stop) log.error('Stopped sending rows', { row, reason });
        stop ??= { reason, error: error as Error };
        return { outcome: failed(intent, reason), stopped: true };
      }
      // An unexpected fault in one row must not cost the others: the row fails, the run goes on.
      log.error('Row failed unexpectedly', {
        row,
        errorName: error instanceof Error ? error.name : typeof error,
      });
      return {
        outcome: failed(intent, 'unexpected error while applying the row; try this row again'),
        stopped: false,
      };
    }
  };

  // People other rows name as their manager come first, so their ids are known when needed.
  const appliedFirst = new Map<number, { outcome: RowOutcome; stopped: boolean }>();
  if (context?.resolver && plan.managerRows.size > 0) {
    const validate = firstRead.reread();
    const managersLater: { intent: RowIntent; personId: string; result: { outcome: RowOutcome } }[] = [];
    for await (const source of await options.openRows()) {
      const checked = validate(source);
      if (!plan.managerRows.has(source.row)) continue;
      if (options.resumeFromRow !== undefined && source.row < options.resumeFromRow) {
        context.resolver.noteRowPerson(source.row, undefined); // reported already: looked up when named
        continue;
      }
      const result = await apply(checked);
      appliedFirst.set(source.row, result);
      const intent = intentOf(checked, plan, defaultAction);
      if (result.managerPendingOnRow !== undefined && result.personId && 'user' in intent)
        managersLater.push({ intent, personId: result.personId, result });
    }
    // A manager whose own manager comes later in the file: set now that everyone is in.
    for (const entry of managersLater) entry.result.outcome = await setManagerAfter(entry, context);
  }

  const validate = firstRead.reread();
  for await (const source of await options.openRows()) {
    const checked = validate(source);
    if (options.resumeFromRow !== undefined && source.row < options.resumeFromRow) continue;
    while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (slotFreed = resolve));
    if (options.shouldPause?.()) {
      pausedAtRow = source.row;
      break;
    }
    gaveUp ??= options.giveUpWhen?.();
    const first = appliedFirst.get(source.row);
    const entry: PendingRow = {
      row: source.row,
      outcome: first ? Promise.resolve(first) : apply(checked),
      settled: false,
    };
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

  return {
    counts,
    reported,
    pausedAtRow,
    stoppedAtRow,
    stopReason: stop?.reason,
    stoppedBy: stop?.error,
    gaveUp,
    held,
  };
}

/** A valid row as an intent with its action settled, or the invalid row's outcome. */
function intentOf(checked: ValidatedRow, plan: FilePlan, defaultAction: RowAction): RowIntent | RowOutcome {
  if (!checked.ok) {
    const { row, username, email, message } = checked;
    return { row, status: 'invalid', username, email, jumpcloudId: '', message };
  }
  const action = checked.action ?? defaultAction;
  const conflict = plan.conflicts.get(checked.row);
  if (conflict) {
    const { row, user } = checked;
    const message = conflictMessage(action, conflict);
    return { row, status: 'invalid', username: user.username, email: user.email, jumpcloudId: '', message };
  }
  return {
    row: checked.row,
    user: checked.user,
    action,
    groups: checked.groups,
    ...(checked.manager ? { manager: checked.manager } : {}),
    ...(checked.usernameMade ? { usernameMade: checked.usernameMade } : {}),
    ...(checked.leaver ? { leaver: checked.leaver } : {}),
  };
}

/** The manager step of a person applied before their own manager was in JumpCloud. */
async function setManagerAfter(
  entry: { intent: RowIntent; personId: string; result: { outcome: RowOutcome } },
  context: ApplyContext,
): Promise<RowOutcome> {
  const { outcome } = entry.result;
  const ref = entry.intent.manager;
  const resolved = ref && context.resolver ? await context.resolver.manager(ref, context.dryRun) : undefined;
  if (resolved?.kind !== 'id' || !context.directory.updatePerson)
    return { ...outcome, manager: 'not set: the manager could not be brought in' };
  const updated = await context.directory.updatePerson(entry.personId, { manager: resolved.id });
  return updated.ok
    ? { ...outcome, manager: `set (from ${resolved.from})` }
    : { ...outcome, manager: `not set: ${updated.message}` };
}

function failed(intent: RowIntent, message: string): RowOutcome {
  const { row, user } = intent;
  return { row, status: 'failed', username: user.username, email: user.email, jumpcloudId: '', message };
}

/** Errors that make sending any further row pointless: every later row fails with the reason. */
function stopReasonOf(error: unknown): string | undefined {
  if (error instanceof ApiKeyRejectedError)
    return `API key rejected by JumpCloud (${error.httpStatus}); row not sent`;
  if (error instanceof SecretUnavailableError) return `API key unavailable: ${error.message}; row not sent`;
  if (error instanceof JumpCloudUnreachableError) return `${error.message}; row not sent`;
  if (error instanceof RequestsCancelledError) return `${error.message}; row not finished`;
  return undefined;
}
