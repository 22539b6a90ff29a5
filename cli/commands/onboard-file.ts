/**
 * `run` and `validate` share this: check the file, open JumpCloud (run only), run every row
 * through the engine with a progress bar, then report and pick the exit code.
 */
import { once } from 'node:events';
import type { UserCsv } from '../../lambda/csv/read-rows';
import type { PeopleDirectory, RowAction } from '../../lambda/domain';
import { JumpCloudUnreachableError, UnreadableFileError } from '../../lambda/errors';
import type { ExportSource } from '../../lambda/sources/export-source';
import type { MappingFile } from '../../lambda/sources/mapping-file';
import { EXIT_INTERRUPTED, EXIT_USAGE, exitCodeOf, UsageError } from '../exit-codes';
import { rowProgress, startProgressBar } from '../progress';
import {
  colourFor,
  type FinishedRun,
  humanReport,
  JsonReport,
  type RunKind,
  TableRows,
  validateStatusWord,
} from '../report';
import {
  checkResultsTarget,
  type LocalRun,
  openLocalFile,
  readLocalMapping,
  runLocalFile,
} from '../run-file';

export interface OnboardFileOptions {
  file: string;
  kind: RunKind;
  /** Results path; undefined = next to the input; false = no files. */
  out: string | false | undefined;
  /** Replace an existing `out` file (never the input). */
  force?: boolean;
  /** Machine-readable output only (also when stdout is not a terminal). */
  json: boolean;
  /** Opens JumpCloud once the file is known to be readable (asks for the key then). Absent: validate. */
  openDirectory?: () => Promise<PeopleDirectory>;
  /** What a row without an `action` cell does (default create; suspend for a leavers file). */
  defaultAction?: RowAction;
  /** A mapping file saying how the export reads (`--mapping`). */
  mapping?: string;
  /** The most people the file may suspend; over it, nobody is. */
  suspendLimit?: number;
  /** Requests in flight at most: sizes the rows handed to the client, so Ctrl-C stops within a few rows. */
  concurrency?: number;
  /** Send rows whose email is at example.com and the like (refused by default: the template's example row). */
  allowExample?: boolean;
}

/** Rows handed to the client per request it may have in flight: keeps JumpCloud busy, stops soon on Ctrl-C. */
const ROWS_IN_FLIGHT_PER_REQUEST = 2;

export async function onboardFile(options: OnboardFileOptions): Promise<number> {
  const machine = options.json || !process.stdout.isTTY;
  // A bad mapping file stops here, before the file is read or the key asked for.
  const mapping = options.mapping ? await readLocalMapping(options.mapping) : undefined;
  // The header only: a missing column or a file that is no CSV stops here, before any key is asked for.
  const opened = await openFile(options.file, options.defaultAction, mapping);
  // Before the key is asked for: a results path that would destroy a file stops here.
  if (typeof options.out === 'string')
    await checkResultsTarget(options.file, options.out, options.force === true);
  const directory = await options.openDirectory?.();

  let stopRequested = false;
  const onInterrupt = () => {
    if (stopRequested) process.exit(EXIT_INTERRUPTED);
    stopRequested = true;
    process.stderr.write(
      '\nStopping: the rows already started are finished and written. Press Ctrl-C again to quit at once.\n',
    );
  };
  process.on('SIGINT', onInterrupt);

  // Nothing holds every row: the table keeps the few it lists, the JSON goes out row by row.
  const table = new TableRows();
  const json = machine
    ? new JsonReport((text) => (process.stdout.write(text) ? undefined : drained(process.stdout)), {
        command: options.kind === 'validate' ? 'validate' : 'run',
        dryRun: options.kind !== 'run' || directory === undefined,
      })
    : undefined;
  const label =
    options.kind === 'validate' ? 'Checking' : options.kind === 'dry-run' ? 'Looking up' : 'Onboarding';
  let progress: ReturnType<typeof rowProgress> | undefined;
  let run: LocalRun;
  try {
    run = await runLocalFile({
      input: options.file,
      opened,
      directory,
      dryRun: options.kind === 'dry-run',
      defaultAction: options.defaultAction,
      ...(mapping ? { mapping } : {}),
      suspendLimit: options.suspendLimit,
      ...(options.allowExample
        ? {}
        : {
            refuseExampleAddresses: {
              unless: 'Use a real address, or add --allow-example (e.g. for the simulator).',
            },
          }),
      out: options.out,
      force: options.force,
      shouldStop: () => stopRequested,
      ...(options.concurrency ? { maxInFlight: options.concurrency * ROWS_IN_FLIGHT_PER_REQUEST } : {}),
      onPlanned: ({ rows }) => {
        progress = rowProgress(
          startProgressBar({ total: rows, label, stream: process.stderr, enabled: !machine }),
          options.kind === 'validate' ? validateStatusWord : undefined,
        );
      },
      onOutcome: (outcome) => {
        table.add(outcome);
        progress?.add(outcome);
        return json?.add(outcome);
      },
    });
  } catch (error) {
    throw asUsageError(options.file, error);
  } finally {
    progress?.stop();
    process.removeListener('SIGINT', onInterrupt);
  }

  // A rejected key or an unreachable URL is the caller's to fix, like a usage error: nothing useful was done.
  const exitCode = run.stopReason
    ? EXIT_USAGE
    : run.stoppedBeforeRow !== undefined
      ? EXIT_INTERRUPTED
      : exitCodeOf(run.summary.counts);
  const finished: FinishedRun = {
    kind: options.kind,
    summary: run.summary,
    rows: table,
    resultsPath: run.resultsPath,
    summaryPath: run.summaryPath,
    exitCode,
  };
  if (json) json.finish(finished);
  else process.stdout.write(humanReport(finished, colourFor(process.stdout)));
  if (run.stoppedBy instanceof JumpCloudUnreachableError) {
    process.stderr.write(
      `jc-onboard: ${run.stoppedBy.message}, so the rows were not sent (the results say so row by row).\n` +
        'Check --api-url or --region (or JUMPCLOUD_API_URL), your network connection and any proxy.\n',
    );
  } else if (run.stopReason) {
    process.stderr.write(
      'jc-onboard: JumpCloud did not accept the API key, so the rows were not sent (the results say so row by row).\n' +
        'Check JUMPCLOUD_API_KEY, --org-id for a multi-tenant admin, and --region or --api-url.\n',
    );
  }
  return exitCode;
}

async function openFile(
  file: string,
  defaultAction?: RowAction,
  mapping?: MappingFile,
): Promise<UserCsv<ExportSource>> {
  let opened: UserCsv<ExportSource>;
  try {
    opened = await openLocalFile(file, defaultAction, mapping);
  } catch (error) {
    throw asUsageError(file, error);
  }
  if (opened.fileProblem !== undefined) {
    throw new UsageError(
      `${JSON.stringify(file)}: ${opened.fileProblem}. The first row must name the columns and "username" and ` +
        '"email" are required; `jc-onboard template` writes a file with every column and the spellings accepted',
    );
  }
  return opened;
}

function asUsageError(file: string, error: unknown): unknown {
  if (error instanceof UnreadableFileError) {
    return new UsageError(`${JSON.stringify(file)} cannot be read as a users CSV: ${error.message}`);
  }
  return error;
}

/** Resolves once a stream whose reader fell behind has taken what it was given. */
async function drained(stream: NodeJS.WritableStream): Promise<void> {
  await once(stream, 'drain');
}
