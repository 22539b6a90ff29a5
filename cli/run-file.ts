/**
 * A users CSV on this machine, run through the one engine: the same reading (openUserCsv),
 * validation (createRowValidator) and engine (onboardRows) as the Lambda, with the results file
 * and JSON summary written next to the input instead of under `outcomes/`. Used by
 * `jc-onboard run` and `validate`, and by the benchmark.
 */
import type { ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type CsvOptions, openUserCsv, type UserCsv } from '../lambda/csv/read-rows';
import {
  bringsPeopleIn,
  type Log,
  type PeopleDirectory,
  type RowAction,
  type RowOutcome,
} from '../lambda/domain';
import { onboardRows } from '../lambda/onboarding/onboard-rows';
import { resultsHeader, resultsLines } from '../lambda/results/results-file';
import { buildSummary, type RunSummary } from '../lambda/results/summary';
import { chooseSource, type ExportSource } from '../lambda/sources/export-source';
import { type MappingFile, MappingFileError, readMappingFile } from '../lambda/sources/mapping-file';
import { createRowValidator, type RowValidatorOptions } from '../lambda/users/validate-row';
import { UsageError } from './exit-codes';

export interface RunLocalFileOptions {
  /** Path of the users CSV. */
  input: string;
  /** Where people are created, updated and suspended. Absent: validation only, nothing is sent (valid rows are `would_*`). */
  directory?: PeopleDirectory;
  /** Look everything up, write nothing: `would_create`, `would_update`, `would_suspend`. */
  dryRun?: boolean;
  /** What a row without an `action` cell does (default `create`; `suspend` for a leavers file). */
  defaultAction?: RowAction;
  /** How the export reads (`--mapping FILE`), already read with readLocalMapping. */
  mapping?: MappingFile;
  /** The most people the file may suspend (default 20); over it, nobody is suspended. */
  suspendLimit?: number;
  /** Refuse rows whose email is at a domain reserved for examples (the template's example row). */
  refuseExampleAddresses?: RowValidatorOptions['refuseExampleAddresses'];
  /**
   * Results CSV path; the JSON summary goes beside it (`.summary.json` instead of `.csv`).
   * Default: next to the input, `<base>.results-<yyyymmdd-hhmmss>.csv`. `false`: write no files.
   */
  out?: string | false;
  /** Replace an existing `out` file (never the input itself). */
  force?: boolean;
  /** The input as openLocalFile opened it (its header checked); default: opened here. */
  opened?: UserCsv<ExportSource>;
  /** Called once the whole file has been read and planned, before any row is sent: how many rows it holds. */
  onPlanned?: (plan: { rows: number }) => void;
  /** Called once per row, in input order, after the row is in the results file. */
  onOutcome?: (outcome: RowOutcome) => void | Promise<void>;
  /** Asked before each new row is taken: true stops taking rows (Ctrl-C); rows already taken finish. */
  shouldStop?: () => boolean;
  /**
   * Rows handed to the directory and not yet answered (the engine's default: 16). About twice the
   * client's concurrency keeps JumpCloud busy; these rows are still sent after `shouldStop`.
   */
  maxInFlight?: number;
  log?: Log;
  /** The clock for the start and end times and the default results name. */
  now?: () => Date;
}

export interface LocalRun {
  summary: RunSummary;
  /** Absolute path of the results CSV; undefined only with `out: false`. */
  resultsPath: string | undefined;
  /** Absolute path of the JSON summary; undefined only with `out: false`. */
  summaryPath: string | undefined;
  /** Set when `shouldStop` stopped the run: the first row not processed (it and later rows are not in the results). */
  stoppedBeforeRow?: number;
  /**
   * Set when sending stopped for the whole file (the API key was rejected, JumpCloud could not be
   * reached): every row from then on failed, unsent, for this reason.
   */
  stopReason?: string;
  /** The typed error behind `stopReason` (ApiKeyRejectedError, JumpCloudUnreachableError, ...). */
  stoppedBy?: Error;
}

/**
 * Opens a local users CSV and reads its header, not its rows: is it a users CSV at all, are the
 * required columns there (`fileProblem`). Give it to runLocalFile as `opened`: the rows are then
 * read from this same opening. Throws UsageError (missing file, a folder, not readable) or
 * UnreadableFileError (not a CSV).
 */
export async function openLocalFile(
  input: string,
  defaultAction?: RowAction,
  mapping?: MappingFile,
): Promise<UserCsv<ExportSource>> {
  return openCsv(input, csvOptionsFor(defaultAction, mapping));
}

/**
 * Runs every row of a local users file through the engine and writes the results CSV (streamed,
 * row by row) and the JSON summary. Throws UsageError when the input cannot be opened or the
 * results cannot be written (before any row is sent), UnreadableFileError when the input is not
 * a CSV; a bad row never throws, it becomes an `invalid` or `failed` line.
 */
export async function runLocalFile(options: RunLocalFileOptions): Promise<LocalRun> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const inputPath = path.resolve(options.input);
  const csvOptions = csvOptionsFor(options.defaultAction, options.mapping);
  const csv = options.opened ?? (await openCsv(options.input, csvOptions));
  const results =
    options.out === false
      ? undefined
      : options.out === undefined
        ? await ResultsFile.createBeside(inputPath, startedAt)
        : await ResultsFile.create(inputPath, path.resolve(options.out), options.force === true);

  try {
    // The engine reads the file twice (plan, then apply): the first read is the one opened above.
    // Nothing else reads it: the row count for a progress bar comes from the plan.
    let firstRead: UserCsv<ExportSource> | undefined = csv;
    const outcome = await onboardRows({
      openRows: async () => {
        const read = firstRead ?? (await openCsv(options.input, csvOptions));
        firstRead = undefined;
        return read.rows;
      },
      newValidator: () =>
        createRowValidator({
          defaultAction: options.defaultAction,
          source: csv.source?.rowRules,
          refuseExampleAddresses: options.refuseExampleAddresses,
        }),
      directory: options.directory,
      dryRun: options.dryRun,
      defaultAction: options.defaultAction,
      suspendLimit: options.suspendLimit,
      shouldPause: options.shouldStop,
      maxInFlight: options.maxInFlight,
      ...(options.onPlanned ? { onPlanned: options.onPlanned } : {}),
      log: options.log,
      onOutcome: async (row) => {
        await results?.add(row);
        await options.onOutcome?.(row);
      },
    });
    await results?.finish();

    const stopped =
      outcome.pausedAtRow === undefined
        ? []
        : [
            `stopped on request before row ${outcome.pausedAtRow}: that row and the ones after it were not processed`,
          ];
    // A lookup cannot foresee it: JumpCloud applies the org's password policy only to a create.
    const dryRunLimits =
      options.directory !== undefined && options.dryRun === true
        ? [
            "dry run: passwords are checked against the org's password policy only on the real run, so a row may still be refused then",
          ]
        : [];
    const summary = buildSummary({
      input: { key: inputPath },
      results: results ? { path: results.path } : {},
      dryRun: options.directory === undefined || options.dryRun === true,
      startedAt,
      finishedAt: now(),
      counts: outcome.counts,
      // Read after the rows: decoding notices found deep in the file are added while reading.
      csv,
      runError: outcome.stopReason,
      notices: [...dryRunLimits, ...stopped],
      held: outcome.held,
    });
    const summaryPath = results ? await writeSummary(results.path, summary) : undefined;
    return {
      summary,
      resultsPath: results?.path,
      summaryPath,
      ...(outcome.pausedAtRow === undefined ? {} : { stoppedBeforeRow: outcome.pausedAtRow }),
      ...(outcome.stopReason === undefined ? {} : { stopReason: outcome.stopReason }),
      ...(outcome.stoppedBy === undefined ? {} : { stoppedBy: outcome.stoppedBy }),
    };
  } finally {
    await results?.close();
  }
}

/**
 * Refuses a results path (or its summary beside it) that would destroy a file: never the input
 * itself, however the path is spelt (compared by device and inode, so links count), and no
 * existing file unless `force`. Called before anything is sent, and again when opening.
 */
export async function checkResultsTarget(input: string, out: string, force: boolean): Promise<void> {
  const inputFile = await stat(path.resolve(input)).catch(() => undefined);
  const resultsPath = path.resolve(out);
  for (const target of [resultsPath, summaryPathFor(resultsPath)]) {
    const existing = await stat(target).catch(() => undefined);
    if (!existing || existing.isDirectory()) continue; // a folder is refused when opened, saying so
    const shown = JSON.stringify(target);
    if (inputFile && existing.dev === inputFile.dev && existing.ino === inputFile.ino) {
      throw new UsageError(
        `--out ${shown} is the input file: the results would replace it; choose another --out`,
      );
    }
    if (!force) {
      throw new UsageError(`${shown} already exists: choose another --out, or add --force to replace it`);
    }
  }
}

/** `users.csv` at 2025-03-01T09:30:00Z → `users.results-20250301-093000.csv` (UTC). */
export function defaultResultsName(input: string, at: Date): string {
  const base = path.basename(input).replace(/\.csv$/i, '');
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `${base}.results-${stamp}.csv`;
}

/** The JSON summary's path for a results path: `.csv` becomes `.summary.json`. */
export function summaryPathFor(resultsPath: string): string {
  return `${resultsPath.replace(/\.csv$/i, '')}.summary.json`;
}

/**
 * A file whose rows only find people (a leavers file) needs only a column to find them by; an HR
 * system's export is read by its preset (recognised by its header) and the mapping, if given.
 */
export function csvOptionsFor(
  defaultAction: RowAction = 'create',
  mapping?: MappingFile,
): CsvOptions<ExportSource> {
  return {
    findsPeopleOnly: !bringsPeopleIn(defaultAction),
    chooseSource: chooseSource(mapping ? { mapping } : {}),
  };
}

/**
 * A mapping file named on the command line. Throws UsageError when it cannot be read, and
 * MappingFileError (naming the file and the line) when it says something wrong.
 */
export async function readLocalMapping(file: string): Promise<MappingFile> {
  let text: string;
  try {
    text = await readFile(path.resolve(file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the mapping ${JSON.stringify(file)} (${code ?? 'unknown error'})`);
  }
  try {
    return readMappingFile(file, text);
  } catch (error) {
    // A bad mapping is the command line's usage error: exit 2, before the file is read or a key asked for.
    if (error instanceof MappingFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** `input` as the person gave it: messages name the file the way they wrote it. */
export async function openCsv(
  input: string,
  options: CsvOptions<ExportSource> = {},
): Promise<UserCsv<ExportSource>> {
  const bytes = await openInput(input);
  try {
    return await openUserCsv(bytes, options);
  } catch (error) {
    bytes.destroy();
    throw error;
  }
}

async function openInput(input: string): Promise<ReadStream> {
  const shown = JSON.stringify(input);
  const inputPath = path.resolve(input);
  try {
    if ((await stat(inputPath)).isDirectory()) {
      throw new UsageError(`${shown} is a folder, not a file: give the path of the CSV file itself`);
    }
    const handle = await open(inputPath, 'r');
    return handle.createReadStream();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const where = path.isAbsolute(input) ? '' : ` (it is relative to ${process.cwd()})`;
      throw new UsageError(`there is no file ${shown}: check the path${where}`);
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UsageError(`you may not read ${shown}: check the file's permissions`);
    }
    throw new UsageError(`cannot open ${shown} (${code ?? 'unknown error'})`);
  }
}

/**
 * The results CSV, written as rows are reported. Lines are flushed in small batches, so a run
 * stopped half-way still leaves the rows already done on disk.
 */
class ResultsFile {
  private pending = '';
  private lastFlush = Date.now();

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Opens the file the person named, replacing an existing one only with `force` and never the
   * input. Fails before any row is sent if it cannot be written.
   */
  static async create(inputPath: string, resultsPath: string, force: boolean): Promise<ResultsFile> {
    await checkResultsTarget(inputPath, resultsPath, force);
    try {
      return await ResultsFile.opened(resultsPath, force ? 'w' : 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        await checkResultsTarget(inputPath, resultsPath, force);
      throw notWritable(resultsPath, error);
    }
  }

  /** A new file next to the input; never replaces an earlier run's results. */
  static async createBeside(inputPath: string, at: Date): Promise<ResultsFile> {
    const first = path.join(path.dirname(inputPath), defaultResultsName(inputPath, at));
    for (let attempt = 1; ; attempt++) {
      const candidate = attempt === 1 ? first : first.replace(/\.csv$/, `-${attempt}.csv`);
      try {
        return await ResultsFile.opened(candidate, 'wx');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 100) continue;
        throw notWritable(candidate, error);
      }
    }
  }

  private static async opened(resultsPath: string, flags: 'w' | 'wx'): Promise<ResultsFile> {
    const handle = await open(resultsPath, flags);
    const file = new ResultsFile(resultsPath, handle);
    await handle.write(resultsHeader());
    return file;
  }

  async add(outcome: RowOutcome): Promise<void> {
    this.pending += resultsLines([outcome]);
    if (this.pending.length >= 16 * 1024 || Date.now() - this.lastFlush >= 500) await this.flush();
  }

  async finish(): Promise<void> {
    await this.flush();
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }

  private async flush(): Promise<void> {
    const text = this.pending;
    this.pending = '';
    this.lastFlush = Date.now();
    if (text !== '') await this.handle.write(text);
  }
}

async function writeSummary(resultsPath: string, summary: RunSummary): Promise<string> {
  const summaryPath = summaryPathFor(resultsPath);
  const handle = await open(summaryPath, 'w').catch((error: unknown) => {
    throw notWritable(summaryPath, error);
  });
  try {
    await handle.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  return summaryPath;
}

function notWritable(target: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException).code;
  const shown = JSON.stringify(target);
  const why =
    code === 'ENOENT'
      ? 'its folder does not exist'
      : code === 'EACCES' || code === 'EPERM'
        ? 'you may not write there'
        : code === 'EISDIR'
          ? 'that is a folder'
          : `${code ?? 'unknown error'}`;
  return new UsageError(`cannot write the results to ${shown}: ${why}; choose another place with --out`);
}
