/**
 * What the page for HR may do with the drop bucket, as plain functions over two small
 * interfaces (a store that lists and reads objects, a presigner), so the deployed API function
 * and `npm start` run the very same code. Each person's drops live below their own folder,
 * `web/<uploader id>/`, under `incoming/` (or `incoming/dry-run/` for "check first"); the
 * engine mirrors that path under `outcomes/` and `state/`, so "only your own files" is a
 * prefix check here.
 */
import { parse } from 'csv-parse/sync';
import type { RunRecord } from '../drop/run-record';
import { RESULT_COLUMNS, type RunSummary, type StatusCounts } from '../results/results-file';

/** The signed-in person: their identity provider's stable id (Cognito `sub`). */
export interface Uploader {
  readonly id: string;
}

export interface StoredObject {
  readonly key: string;
  readonly lastModified?: Date;
}

/** The reads the page needs from the drop bucket. */
export interface DropStore {
  /** Every object under a prefix. */
  list(prefix: string): Promise<StoredObject[]>;
  /** The object's text, or undefined when there is none. */
  readText(key: string): Promise<string | undefined>;
}

/** Short-lived links the browser uses to talk to the bucket directly. */
export interface Presigner {
  /** A URL to PUT this one key with this content type. */
  uploadUrl(key: string, contentType: string): Promise<string>;
  /** A URL to GET this one key, saved under `fileName`. */
  downloadUrl(key: string, fileName: string): Promise<string>;
}

export interface DropPrefixes {
  readonly incoming: string;
  readonly outcomes: string;
  readonly state: string;
}

export interface WebFilesDependencies {
  readonly store: DropStore;
  readonly presigner: Presigner;
  readonly prefixes: DropPrefixes;
  readonly now?: () => Date;
}

/** Below INCOMING_PREFIX, the folder the engine reads as a dry run (PRODUCT.md, "Drop folders"). */
export const DRY_RUN_FOLDER = 'dry-run/';
/** Below INCOMING_PREFIX (or its dry-run folder), where the page puts each person's files. */
export const WEB_FOLDER = 'web/';
/** The page's content type for uploads; the presigned URL is signed for it. */
export const CSV_CONTENT_TYPE = 'text/csv';
/** How many of a person's files the list shows, newest first. */
export const RECENT_FILES = 20;

/** A request the page should not have made (bad name, someone else's file). Safe to show. */
export class WebRequestError extends Error {
  override readonly name = 'WebRequestError';
  constructor(
    message: string,
    readonly httpStatus: 400 | 403 | 404,
  ) {
    super(message);
  }
}

export type FileState = 'waiting' | 'running' | 'done' | 'failed';

/** One line of the results file as the page shows it. */
export interface ResultRow {
  row: string;
  status: string;
  username: string;
  email: string;
  jumpcloud_id: string;
  message: string;
}

export interface FileStatus {
  key: string;
  /** The name HR gave the file. */
  fileName: string;
  checkFirst: boolean;
  uploadedAt?: string;
  state: FileState;
  /** Rows reported so far (all of them once done). */
  rowsDone: number;
  counts?: StatusCounts;
  fileError?: string;
  resultsKey?: string;
}

export interface FileDetail extends FileStatus {
  /** The reported rows: the results file once done, the checkpointed parts while running. */
  rows: ResultRow[];
}

const UPLOADER_ID = /^[A-Za-z0-9_-]{1,128}$/;

function uploaderFolders(uploader: Uploader): string[] {
  if (!UPLOADER_ID.test(uploader.id)) throw new WebRequestError('the sign-in gave no usable user id', 403);
  const own = `${WEB_FOLDER}${uploader.id}/`;
  return [own, `${DRY_RUN_FOLDER}${own}`];
}

/**
 * The key a new upload gets: `incoming/[dry-run/]web/<uploader>/<time>-<name>.csv`. The time
 * makes every upload a new file, so the same sheet dropped twice is two runs, each recorded.
 */
export function uploadKey(
  prefixes: DropPrefixes,
  uploader: Uploader,
  fileName: string,
  checkFirst: boolean,
  now: Date,
): string {
  const [own, dryRun] = uploaderFolders(uploader);
  const base = fileName
    .split(/[\\/]/)
    .pop()
    ?.replace(/\.csv$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 80);
  if (!/\.csv$/i.test(fileName) || !base) {
    throw new WebRequestError('the file must be a .csv file with a name', 400);
  }
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${prefixes.incoming}${checkFirst ? dryRun : own}${stamp}-${base}.csv`;
}

export async function prepareUpload(
  deps: WebFilesDependencies,
  uploader: Uploader,
  request: { fileName: string; checkFirst: boolean },
): Promise<{ key: string; uploadUrl: string; contentType: string }> {
  const now = deps.now?.() ?? new Date();
  const key = uploadKey(deps.prefixes, uploader, request.fileName, request.checkFirst, now);
  return {
    key,
    uploadUrl: await deps.presigner.uploadUrl(key, CSV_CONTENT_TYPE),
    contentType: CSV_CONTENT_TYPE,
  };
}

/** The person's recent files, newest first, each with where it stands. */
export async function recentFiles(deps: WebFilesDependencies, uploader: Uploader): Promise<FileStatus[]> {
  const folders = uploaderFolders(uploader);
  const newestFirst = (a: string, b: string) => fileName(b).localeCompare(fileName(a));
  // Files still being worked on are under incoming/; a processed file's input is deleted once its
  // results are written (DELETE_PROCESSED_INPUT), so finished ones are found by their summaries.
  const [waiting, finished] = await Promise.all([
    Promise.all(folders.map((folder) => deps.store.list(`${deps.prefixes.incoming}${folder}`))),
    Promise.all(folders.map((folder) => deps.store.list(`${deps.prefixes.outcomes}${folder}`))),
  ]);
  const summaries = finished
    .flat()
    .map((item) => item.key)
    .filter((key) => key.endsWith('.summary.json'))
    .sort(newestFirst)
    .slice(0, RECENT_FILES);
  const summarised = await Promise.all(
    summaries.map(async (key) => {
      const text = await deps.store.readText(key);
      return text === undefined ? undefined : (JSON.parse(text) as RunSummary).input.key;
    }),
  );
  // Upload keys start with the time, so the newest name sorts first here.
  const keys = [
    ...new Set([
      ...waiting.flat().map((item) => item.key),
      ...summarised.filter((key): key is string => key !== undefined),
    ]),
  ]
    .filter((key) => /\.csv$/i.test(key))
    .sort(newestFirst)
    .slice(0, RECENT_FILES);
  return Promise.all(keys.map(async (key) => (await readProgress(deps, key)).status));
}

/** One file's status and the rows reported so far. */
export async function fileDetail(
  deps: WebFilesDependencies,
  uploader: Uploader,
  key: string,
): Promise<FileDetail> {
  ownInput(deps.prefixes, uploader, key);
  const { status, rows } = await readProgress(deps, key);
  return { ...status, rows: await rows() };
}

/** A link that downloads one of the person's own results files. */
export async function resultsDownload(
  deps: WebFilesDependencies,
  uploader: Uploader,
  resultsKey: string,
): Promise<{ downloadUrl: string }> {
  const own = uploaderFolders(uploader).map((folder) => `${deps.prefixes.outcomes}${folder}`);
  const below = own.find((prefix) => resultsKey.startsWith(prefix));
  const rest = below === undefined ? '' : resultsKey.slice(below.length);
  if (rest === '' || rest.includes('/') || !rest.endsWith('.csv')) {
    throw new WebRequestError('that results file is not one of yours', 403);
  }
  return { downloadUrl: await deps.presigner.downloadUrl(resultsKey, rest) };
}

function ownInput(prefixes: DropPrefixes, uploader: Uploader, key: string): void {
  const own = uploaderFolders(uploader).map((folder) => `${prefixes.incoming}${folder}`);
  const below = own.find((prefix) => key.startsWith(prefix));
  const rest = below === undefined ? '' : key.slice(below.length);
  if (rest === '' || rest.includes('/') || !/\.csv$/i.test(rest)) {
    throw new WebRequestError('that file is not one of yours', 403);
  }
}

/** `20261202T101500123Z-new-hires.csv` → `new-hires.csv` */
function fileName(key: string): string {
  return key.split('/').pop() ?? key;
}

function displayName(key: string): string {
  return fileName(key).replace(/^\d{8}T\d{9}Z-/, '');
}

function uploadTime(key: string): string | undefined {
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(fileName(key));
  if (!stamp) return undefined;
  const [, y, mo, d, h, mi, s, ms] = stamp;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
}

/**
 * Where a file stands, from what the engine writes (lambda/drop/drop.ts names them): the summary
 * beside the results once done, else the run record under the state prefix while running.
 * Names are `<base>.<time>.<tag>...`, so `<base>.` finds them without the S3 event.
 */
async function readProgress(
  deps: WebFilesDependencies,
  key: string,
): Promise<{ status: FileStatus; rows: () => Promise<ResultRow[]> }> {
  const { prefixes, store } = deps;
  const stem = key.slice(prefixes.incoming.length).replace(/\.csv$/i, '');
  const status: FileStatus = {
    key,
    fileName: displayName(key),
    checkFirst: key.startsWith(`${prefixes.incoming}${DRY_RUN_FOLDER}`),
    uploadedAt: uploadTime(key),
    state: 'waiting',
    rowsDone: 0,
  };

  const summaryKeys = (await store.list(`${prefixes.outcomes}${stem}.`))
    .map((item) => item.key)
    .filter((k) => k.endsWith('.summary.json'))
    .sort();
  const summaryKey = summaryKeys.at(-1);
  const summaryText = summaryKey === undefined ? undefined : await store.readText(summaryKey);
  if (summaryKey !== undefined && summaryText !== undefined) {
    const summary = JSON.parse(summaryText) as RunSummary;
    const resultsKey = summary.results.key ?? summaryKey.replace(/\.summary\.json$/, '.csv');
    return {
      status: {
        ...status,
        state: summary.fileError === undefined ? 'done' : 'failed',
        rowsDone: summary.rows,
        counts: summary.counts,
        fileError: summary.fileError,
        resultsKey,
      },
      rows: async () => parseResults((await store.readText(resultsKey)) ?? '', true),
    };
  }

  const recordKey = (await store.list(`${prefixes.state}${stem}.`))
    .map((item) => item.key)
    .filter((k) => k.endsWith('/run.json'))
    .sort()
    .at(-1);
  const recordText = recordKey === undefined ? undefined : await store.readText(recordKey);
  if (recordText === undefined) return { status, rows: async () => [] };
  const record = JSON.parse(recordText) as RunRecord;
  return {
    status: {
      ...status,
      state: record.status === 'failed' ? 'failed' : 'running',
      rowsDone: Object.values(record.counts).reduce((sum, n) => sum + n, 0),
      counts: record.counts,
      fileError: record.fileError,
    },
    rows: async () => {
      const parts = await Promise.all(record.parts.map((part) => store.readText(part)));
      return parts.flatMap((text) => parseResults(text ?? '', false));
    },
  };
}

/** Results lines (with or without the header) as rows of the six fixed columns. */
function parseResults(text: string, withHeader: boolean): ResultRow[] {
  const records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  return records.slice(withHeader ? 1 : 0).map((cells) => {
    const row = Object.fromEntries(RESULT_COLUMNS.map((column, i) => [column, cells[i] ?? '']));
    return row as unknown as ResultRow;
  });
}
