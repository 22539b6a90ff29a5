/**
 * One dropped file, start to finish, on S3: claim it, read it, run its rows through the engine,
 * checkpoint as it goes, and write the results file and summary under the outcomes prefix.
 *
 * Long files: when the invocation's time runs low, the rows reported so far are checkpointed in
 * the run record, the claim is released, and a follow-on invocation of the same function picks
 * the file up where it stopped (see README, "What happens when..."). Asynchronous self-invocation
 * was chosen over an S3 or SQS hop because it needs no extra infrastructure and only
 * lambda:InvokeFunction on the function itself; like any hop, Lambda's recursive-loop detection
 * counts it, hence MAX_INVOCATIONS.
 */
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { Config } from '../config';
import { type CsvOptions, openUserCsv, type UserCsv } from '../csv/read-rows';
import { bringsPeopleIn, type Log, type PeopleDirectory, type RowOutcome } from '../domain';
import { InputUnavailableError, ResultsNotWritableError, UnreadableFileError } from '../errors';
import { onboardRows } from '../onboarding/onboard-rows';
import {
  addCounts,
  emptyCounts,
  resultsHeader,
  resultsLines,
  type StatusCounts,
} from '../results/results-file';
import { buildSummary, type RunSummary } from '../results/summary';
import { chooseSource, type ExportSource } from '../sources/export-source';
import { type MappingFile, MappingFileError, readMappingFile } from '../sources/mapping-file';
import { createRowValidator } from '../users/validate-row';
import { type Drop, dropMode, dropNames, mappingKey } from './drop';
import { ClaimLostError, type RunRecord, RunRecordStore } from './run-record';

export interface DropDependencies {
  s3: S3Client;
  config: Config;
  log: Log;
  /**
   * Reads the API key and builds the JumpCloud client; called only once a row needs JumpCloud.
   * The client must cut its requests short when `cancel` aborts (the invocation's time is up).
   */
  openDirectory: (cancel: AbortSignal) => Promise<PeopleDirectory>;
  /** The Lambda request id. A retry of the same invocation keeps it. */
  requestId: string;
  /** Time left in this invocation. */
  remainingTimeMs: () => number;
  /** Starts a follow-on invocation for the rest of the file. */
  continueLater: (drop: Drop) => Promise<void>;
  /**
   * Stop taking new rows when less than this is left, so rows in flight can finish.
   * Default: a fifth of the time left at the start, at most three minutes.
   */
  reserveMs?: number;
  /**
   * Cut requests still in flight short when less than this is left, so that the rows reported
   * so far are checkpointed and the rest handed on before Lambda stops the invocation.
   * Default: a twentieth of the time left at the start, at most 30 seconds.
   */
  cutOffMs?: number;
  /** Write a checkpoint after this many reported rows, or this long, whichever comes first. */
  checkpointEvery?: { rows: number; ms: number };
  now?: () => number;
  /**
   * Tells people the file is done (email digest, event), after its results are written; given
   * the summary and the results CSV as written. Must not throw: a notification that cannot be
   * sent changes nothing about the file.
   */
  announce?: (summary: RunSummary, resultsCsv: string) => Promise<void>;
}

export type DropResult =
  | { kind: 'completed'; resultsKey: string; summaryKey: string; summary: RunSummary }
  | { kind: 'continued'; nextRow: number; counts: StatusCounts }
  | { kind: 'skipped'; reason: 'already processed' | 'in progress elsewhere' };

/**
 * The file could not be fully processed (API key rejected or unavailable, input unreadable,
 * results not writable). Thrown after writing whatever results could be written, so that
 * Lambda retries the file and alarms and the dead-letter queue see it.
 */
export class FileFailedError extends Error {
  override readonly name = 'FileFailedError';
  constructor(
    message: string,
    readonly summary?: RunSummary,
  ) {
    super(message);
  }
}

const MAX_RESERVE_MS = 180_000;
const MAX_CUT_OFF_MS = 30_000;
/**
 * Invocations one file may take. Lambda's recursive-loop detection (left on) stops a chain of
 * invocations after about 16; the last one allowed reports the rows it cannot reach as failed
 * instead of handing on. At 15 minutes each this is hours of work, far beyond a day's hires.
 */
export const MAX_INVOCATIONS = 12;
const DEFAULT_CHECKPOINT = { rows: 2_000, ms: 30_000 };
/**
 * A claim lasts this long past its last renewal. The owner renews it every third of that while it
 * runs, so a live owner never loses it, and one that died (crash, timeout, S3 unreachable while it
 * failed) frees the file within a minute for whoever comes next: a Lambda retry or a redrive.
 */
const LEASE_MS = 60_000;
const LEASE_RENEWAL_MS = LEASE_MS / 3;

export async function processDrop(drop: Drop, deps: DropDependencies): Promise<DropResult> {
  const { s3, config, log } = deps;
  const now = deps.now ?? Date.now;
  const names = dropNames(drop, config);
  const mode = dropMode(drop.key, config);
  const findsPeopleOnly = !bringsPeopleIn(mode.defaultAction);
  const store = new RunRecordStore(s3, drop.bucket, `${names.stateFolder}run.json`);
  const leaseUntil = () => now() + LEASE_MS;
  const fileLog = { key: drop.key, resultsKey: names.resultsKey };

  const claim = await store.claim(
    deps.requestId,
    {
      owner: deps.requestId,
      leaseUntil: leaseUntil(),
      status: 'running',
      startedAt: new Date(now()).toISOString(),
      invocations: 1,
      nextRow: 2,
      parts: [],
      counts: emptyCounts(),
      interrupted: false,
    },
    now(),
  );
  if (claim.kind === 'done') {
    log.info('Repeat delivery of a file already processed: nothing to do', fileLog);
    return { kind: 'skipped', reason: 'already processed' };
  }
  if (claim.kind === 'busy') {
    log.warn('Repeat delivery of a file another invocation is processing: left to it', fileLog);
    return { kind: 'skipped', reason: 'in progress elsewhere' };
  }
  if (claim.takenOver === 'no' && (await exists(s3, drop.bucket, names.summaryKey))) {
    // A finished run's record is deleted with its results written: the results mark it done.
    await store.remove();
    log.info('Repeat delivery of a file already processed: nothing to do', fileLog);
    return { kind: 'skipped', reason: 'already processed' };
  }
  if (claim.takenOver !== 'no') {
    log.info('Resuming file', { ...fileLog, from: claim.takenOver, nextRow: claim.record.nextRow });
  }

  let record = claim.record;
  let etag = claim.etag;
  let buffer: RowOutcome[] = [];
  const tail: RowOutcome[] = [];
  let lastCheckpoint = now();
  const every = deps.checkpointEvery ?? DEFAULT_CHECKPOINT;

  // Record writes go one at a time (the lease renewal runs beside the rows), each on the last etag.
  let writes: Promise<unknown> = Promise.resolve();
  let released = false;
  const save = (changes: Partial<RunRecord>): Promise<void> => {
    if (changes.owner === '') released = true;
    const write = writes
      .catch(() => undefined)
      .then(async () => {
        record = { ...record, ...changes };
        etag = await store.update(record, etag);
      });
    writes = write;
    return write;
  };
  const renewLease = () => {
    if (released) return;
    save({ leaseUntil: leaseUntil() }).catch((error: unknown) => {
      // A lost claim or S3 trouble: the next checkpoint meets it again and stops the run.
      log.warn('Could not renew the claim on the file', { ...fileLog, error: describe(error) });
    });
  };

  /** Moves the reported rows into a part file and records them in the run record. */
  const checkpoint = async () => {
    const last = buffer.at(-1);
    if (!last) return;
    const partKey = `${names.stateFolder}part-${String(record.parts.length + 1).padStart(5, '0')}.csv`;
    await putText(s3, drop.bucket, partKey, resultsLines(buffer), 'text/csv');
    const counts = addCounts(addCounts(emptyCounts(), record.counts), countOf(buffer));
    await save({
      parts: [...record.parts, partKey],
      nextRow: last.row + 1,
      counts,
      leaseUntil: leaseUntil(),
    });
    buffer = [];
    lastCheckpoint = now();
  };

  const summaryOf = (
    csv: UserCsv<ExportSource> | undefined,
    extra: readonly RowOutcome[],
    runError?: string,
    held?: boolean,
  ) =>
    buildSummary({
      input: { bucket: drop.bucket, key: drop.key, etag: drop.eTag, versionId: drop.versionId },
      results: { key: names.resultsKey },
      dryRun: mode.dryRun,
      startedAt: record.startedAt,
      finishedAt: new Date(now()),
      counts: addCounts(addCounts(emptyCounts(), record.counts), countOf(extra)),
      csv,
      runError,
      held,
      invocations: record.invocations,
    });

  /** The results file is the part files in order, then any rows not yet checkpointed. */
  const writeResults = async (summary: RunSummary, extra: readonly RowOutcome[]) => {
    let resultsCsv: string;
    try {
      const pieces = [resultsHeader()];
      for (const part of record.parts) pieces.push(await getText(s3, drop.bucket, part));
      pieces.push(resultsLines(extra));
      resultsCsv = pieces.join('');
      await putText(s3, drop.bucket, names.resultsKey, resultsCsv, 'text/csv; charset=utf-8');
      await putText(
        s3,
        drop.bucket,
        names.summaryKey,
        `${JSON.stringify(summary, null, 2)}\n`,
        'application/json',
      );
    } catch (error) {
      throw new ResultsNotWritableError(
        `could not write the results under ${names.resultsKey}: ${describe(error)}`,
      );
    }
    // Only once the results are there to be read; the announcement never fails the file.
    await deps.announce?.(summary, resultsCsv);
  };

  /**
   * The results are written: the run is done. What it kept under the state prefix goes at once,
   * and so does the input version (unless the stack keeps it), since it may hold passwords. A
   * failure here costs nothing but time: the bucket's lifecycle rules remove both later.
   */
  const forgetRun = async () => {
    const leftovers: Promise<unknown>[] = record.parts.map((part) =>
      s3.send(new DeleteObjectCommand({ Bucket: drop.bucket, Key: part })),
    );
    if (config.deleteProcessedInput) leftovers.push(deleteInput(s3, drop));
    let failures = (await Promise.allSettled(leftovers)).filter((r) => r.status === 'rejected').length;
    // The record goes last: while it is there, a repeat delivery still finds the run done.
    if (failures === 0) await store.remove().catch(() => (failures += 1));
    if (failures > 0) {
      log.warn('Could not delete the processed input or the run state; the lifecycle rules will', {
        ...fileLog,
        failures,
      });
    }
  };

  /** A file-level problem no retry can mend: say so in the results and finish. */
  const finishWithFileError = async (
    csv: UserCsv<ExportSource> | undefined,
    fileError: string,
  ): Promise<DropResult> => {
    const summary = summaryOf(csv, [], fileError);
    await writeResults(summary, []);
    await save({ status: 'done', owner: '', leaseUntil: 0, fileError });
    await forgetRun();
    log.error('File could not be processed', { ...fileLog, fileError });
    return { kind: 'completed', resultsKey: names.resultsKey, summaryKey: names.summaryKey, summary };
  };

  const heartbeat = setInterval(renewLease, LEASE_RENEWAL_MS);
  // JumpCloud may hang: past the cut-off, requests in flight are aborted and the rows handed on.
  const cancel = new AbortController();
  const cutOffMs = deps.cutOffMs ?? Math.min(MAX_CUT_OFF_MS, deps.remainingTimeMs() / 20);
  // Asks the invocation's own clock (not a timer set once), so the deadline is the one Lambda keeps.
  const cutOff = setInterval(
    () => {
      if (deps.remainingTimeMs() < cutOffMs) cancel.abort();
    },
    Math.max(10, Math.min(1_000, cutOffMs / 2)),
  );
  try {
    let csv: UserCsv<ExportSource>;
    let csvOptions: CsvOptions<ExportSource>;
    try {
      // A bad mapping file stops the file here, before a row is read or anything is sent.
      const mapping = mode.sourceFolder
        ? await readMapping(s3, drop.bucket, mappingKey(mode.sourceFolder, config))
        : undefined;
      csvOptions = {
        findsPeopleOnly,
        chooseSource: chooseSource({
          ...(mode.sourceFolder ? { folder: mode.sourceFolder } : {}),
          ...(mapping ? { mapping } : {}),
        }),
      };
      csv = await openUserCsv(await readInput(s3, drop), csvOptions);
    } catch (error) {
      if (error instanceof UnreadableFileError || error instanceof MappingFileError)
        return await finishWithFileError(undefined, error.message);
      if (error instanceof InputUnavailableError && !error.retryable) {
        return await finishWithFileError(undefined, error.message);
      }
      throw error;
    }

    const lastInvocation = record.invocations >= MAX_INVOCATIONS;
    const tooLong =
      `not processed: the file needed more than ${MAX_INVOCATIONS} Lambda invocations; ` +
      'drop the rows not processed again as a new file';
    const reserveMs = deps.reserveMs ?? Math.min(MAX_RESERVE_MS, deps.remainingTimeMs() / 5);
    let taken = 0;
    // The engine reads the file more than once (plan, then apply): the same version each time.
    let firstRead: UserCsv | undefined = csv;
    const openRows = async () => {
      const read = firstRead ?? (await openUserCsv(await readInput(s3, drop), csvOptions));
      firstRead = undefined;
      return read.rows;
    };
    const result = await onboardRows({
      openRows,
      newValidator: () =>
        createRowValidator({ defaultAction: mode.defaultAction, source: csv.source?.rowRules }),
      directory: lookFirst(
        lazyDirectory(() => deps.openDirectory(cancel.signal)),
        record.unconfirmedCreates ?? 0,
      ),
      dryRun: mode.dryRun,
      defaultAction: mode.defaultAction,
      suspendLimit: config.suspendLimit,
      maxInFlight: 2 * config.concurrency,
      resumeFromRow: record.nextRow,
      // A person created at or after the run began, found by a later invocation, is this run's.
      interruptedAttemptStartedAt:
        record.interrupted || record.invocations > 1 ? new Date(record.startedAt) : undefined,
      // Every invocation takes at least one row, so a file always makes progress.
      shouldPause: () =>
        !lastInvocation && (cancel.signal.aborted || (taken++ > 0 && deps.remainingTimeMs() < reserveMs)),
      giveUpWhen: () =>
        lastInvocation && taken++ > 0 && deps.remainingTimeMs() < reserveMs ? tooLong : undefined,
      log,
      onOutcome: async (outcome, { stopped }) => {
        // Rows from the first stopped one on are tried again by the retry: never checkpoint them.
        if (stopped || tail.length > 0) {
          tail.push(outcome);
          return;
        }
        buffer.push(outcome);
        if (buffer.length >= every.rows || now() - lastCheckpoint >= every.ms) await checkpoint();
      },
    });
    await checkpoint();

    // Cut short: the rows before the first cut one are checkpointed; that one and the rest are
    // handed on, and the follow-on confirms by lookup what JumpCloud did with the cut requests.
    const cutShort = cancel.signal.aborted && result.stopReason !== undefined && !lastInvocation;
    if (result.pausedAtRow !== undefined || cutShort) {
      await save({
        owner: '',
        leaseUntil: 0,
        // Only the rows handed to JumpCloud (at most maxInFlight) can have been cut mid-request.
        ...(cutShort ? { interrupted: true, unconfirmedCreates: 2 * config.concurrency } : {}),
        ...(!cutShort ? { unconfirmedCreates: undefined } : {}),
      });
      await deps.continueLater(drop);
      log.info('Time is running out: the rest of the file goes to a follow-on invocation', {
        ...fileLog,
        nextRow: record.nextRow,
        invocation: record.invocations,
      });
      return { kind: 'continued', nextRow: record.nextRow, counts: record.counts };
    }

    if (result.stopReason !== undefined) {
      const summary = summaryOf(csv, tail, result.stopReason);
      await writeResults(summary, tail);
      await save({ status: 'failed', owner: '', leaseUntil: 0, fileError: result.stopReason });
      throw new FileFailedError(result.stopReason, summary);
    }

    const summary = summaryOf(csv, [], result.gaveUp, result.held);
    await writeResults(summary, []);
    const { fileError } = summary;
    await save({ status: 'done', owner: '', leaseUntil: 0, ...(fileError ? { fileError } : {}) });
    await forgetRun();
    return { kind: 'completed', resultsKey: names.resultsKey, summaryKey: names.summaryKey, summary };
  } catch (error) {
    if (error instanceof FileFailedError || error instanceof ClaimLostError) throw error;
    const fileError = describe(error);
    let summary: RunSummary | undefined;
    if (error instanceof InputUnavailableError) {
      // HR finds a results file saying why; the retry or a redrive replaces it with the real one.
      summary = summaryOf(undefined, [], fileError);
      await writeResults(summary, []).catch(() => undefined);
    }
    // Release the claim so Lambda's retry (or a redrive from the dead-letter queue) starts at once.
    await save({ status: 'failed', owner: '', leaseUntil: 0, fileError }).catch(() => undefined);
    throw new FileFailedError(fileError, summary);
  } finally {
    clearInterval(heartbeat);
    clearInterval(cutOff);
  }
}

/** Reads the JumpCloud key only when the first row needs JumpCloud, and only once. */
function lazyDirectory(open: () => Promise<PeopleDirectory>): PeopleDirectory {
  let directory: Promise<PeopleDirectory> | undefined;
  const get = () => {
    directory ??= open();
    return directory;
  };
  return {
    createUser: async (user) => (await get()).createUser(user),
    planUser: async (user) => (await get()).planUser(user),
    findPeople: async (key) => (await get()).findPeople(key),
    findPeopleByName: async (first, last) => (await get()).findPeopleByName(first, last),
    updatePerson: async (id, changes) => (await get()).updatePerson(id, changes),
    listUserGroups: async () => (await get()).listUserGroups(),
    groupMemberIds: async (groupId) => (await get()).groupMemberIds(groupId),
    addToGroup: async (groupId, personId) => (await get()).addToGroup(groupId, personId),
  };
}

/**
 * The first `count` creates of a run resumed after its requests were cut short are looked up
 * before they are sent: JumpCloud may have acted on them, and a create is never sent blind twice.
 * The engine sends rows in order, so these are the rows that were in flight when the cut came.
 */
function lookFirst(directory: PeopleDirectory, count: number): PeopleDirectory {
  let unconfirmed = count;
  return {
    ...directory,
    planUser: (user) => directory.planUser(user),
    createUser: async (user) => {
      if (unconfirmed <= 0) return directory.createUser(user);
      unconfirmed -= 1;
      const there = await directory.planUser(user);
      return there.status === 'would_create' ? directory.createUser(user) : there;
    },
  };
}

/**
 * The source folder's mapping file, or undefined when there is none. Read access to the mappings
 * prefix includes listing it, so a missing file is a 404, not an access error.
 */
async function readMapping(s3: S3Client, bucket: string, key: string): Promise<MappingFile | undefined> {
  let text: string;
  try {
    text = await getText(s3, bucket, key);
  } catch (error) {
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    if (status === 404 || (error instanceof S3ServiceException && error.name === 'NoSuchKey'))
      return undefined;
    throw new InputUnavailableError(`could not read the mapping ${key}: ${describe(error)}`, true);
  }
  return readMappingFile(key, text);
}

async function readInput(s3: S3Client, drop: Drop): Promise<AsyncIterable<Uint8Array>> {
  try {
    const answer = await s3.send(
      new GetObjectCommand({
        Bucket: drop.bucket,
        Key: drop.key,
        // Exactly the version the event names: by version id where the bucket keeps versions, and
        // by ETag always, so an upload that replaced it since is never read in its place.
        ...(drop.versionId ? { VersionId: drop.versionId } : {}),
        IfMatch: quotedEtag(drop.eTag),
      }),
    );
    return bodyChunks(answer.Body as Readable);
  } catch (error) {
    const name = error instanceof S3ServiceException ? error.name : '';
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    if (status === 412 || name === 'PreconditionFailed') {
      throw new InputUnavailableError(
        'the file was replaced before it could be read; the newer upload is processed on its own',
        false,
      );
    }
    if (name === 'NoSuchKey' || name === 'NoSuchVersion') {
      throw new InputUnavailableError('the file was deleted before it could be read', false);
    }
    if (name === 'AccessDenied' || status === 403) {
      throw new InputUnavailableError(`the function may not read ${drop.key} (access denied)`, true);
    }
    throw new InputUnavailableError(`could not read ${drop.key} from S3: ${describe(error)}`, true);
  }
}

/**
 * The object's bytes. When reading stops early (a pause hands the rest of the file on), an
 * answer already fully received is drained, not destroyed: its keep-alive socket may already
 * serve another request of this container, which destroying it would abort.
 */
async function* bodyChunks(body: Readable): AsyncGenerator<Uint8Array> {
  let done = false;
  try {
    for await (const chunk of body.iterator({ destroyOnReturn: false })) yield chunk as Uint8Array;
    done = true;
  } finally {
    if (!done) {
      if ((body as Readable & { complete?: boolean }).complete) body.resume();
      else body.destroy();
    }
  }
}

/**
 * Deletes exactly the version that was processed: by version id (for good, on a versioned bucket),
 * else only while the key still holds it, so a newer upload waiting for its own run is kept.
 */
async function deleteInput(s3: S3Client, drop: Drop): Promise<void> {
  try {
    await s3.send(
      new DeleteObjectCommand({
        Bucket: drop.bucket,
        Key: drop.key,
        ...(drop.versionId ? { VersionId: drop.versionId } : { IfMatch: quotedEtag(drop.eTag) }),
      }),
    );
  } catch (error) {
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    if (status === 412 || status === 404) return; // replaced or deleted since: nothing of ours left
    throw error;
  }
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
    if (status === 404) return false;
    throw error;
  }
}

/** S3 events carry the ETag bare; conditional requests want it quoted. */
function quotedEtag(eTag: string): string {
  return `"${eTag.replace(/"/g, '')}"`;
}

async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await answer.Body?.transformToString('utf-8')) ?? '';
}

async function putText(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  contentType: string,
): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

function countOf(outcomes: readonly RowOutcome[]): StatusCounts {
  const counts = emptyCounts();
  for (const outcome of outcomes) counts[outcome.status] += 1;
  return counts;
}

/** An error in words safe to log: our own errors' messages, or an AWS error's name and status. */
function describe(error: unknown): string {
  if (error instanceof S3ServiceException)
    return `${error.name} (HTTP ${error.$metadata.httpStatusCode ?? '?'})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
