/**
 * A dropped file: which object version it is, and where its results and working state live.
 * Everything here is derived from the event alone, so a re-delivered event, a Lambda retry and a
 * follow-on invocation all land on the same names.
 */
import { createHash } from 'node:crypto';
import path from 'node:path/posix';
import type { Config } from '../config';
import type { RowAction } from '../domain';

/** One input version to process, from an S3 event record or a follow-on invocation. */
export interface Drop {
  readonly bucket: string;
  /** The object key, decoded (S3 events form-encode it). */
  readonly key: string;
  readonly eTag: string;
  readonly versionId?: string;
  /** S3's per-key order of writes: tells two uploads of identical bytes apart on unversioned buckets. */
  readonly sequencer?: string;
  /** When S3 saw the upload: names the results so they sort by drop time. */
  readonly eventTime: string;
}

export interface DropNames {
  /** `outcomes/<path below incoming>/<base>.<yyyymmdd-hhmmss>.<tag>.csv` */
  readonly resultsKey: string;
  readonly summaryKey: string;
  /** Folder for this version's run record and partial results. */
  readonly stateFolder: string;
}

const CSV_SUFFIX = /\.csv$/i;

/** Decodes a key as S3 event notifications carry it (form-encoded: `+` is a space). */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/** Only `.csv` files (any case) under the incoming prefix are users files. */
export function isUsersFile(key: string, config: Pick<Config, 'incomingPrefix'>): boolean {
  return key.startsWith(config.incomingPrefix) && CSV_SUFFIX.test(key) && !key.endsWith('/');
}

export function dropNames(
  drop: Drop,
  config: Pick<Config, 'incomingPrefix' | 'outcomesPrefix' | 'statePrefix'>,
): DropNames {
  const below = drop.key.slice(config.incomingPrefix.length);
  const folder = path.dirname(below) === '.' ? '' : `${path.dirname(below)}/`;
  const base = path.basename(below).replace(CSV_SUFFIX, '');
  // The version id names an upload on a versioned bucket; without one, ETag + sequencer do.
  const identity = drop.versionId ?? `${drop.eTag}:${drop.sequencer ?? ''}`;
  const tag = createHash('sha256').update(identity).digest('hex').slice(0, 10);
  const stamp = drop.eventTime.replace(/\.\d+/, '').replace(/[-:]/g, '').replace('T', '-').replace('Z', '');
  const name = `${base}.${stamp}.${tag}`;
  return {
    resultsKey: `${config.outcomesPrefix}${folder}${name}.csv`,
    summaryKey: `${config.outcomesPrefix}${folder}${name}.summary.json`,
    stateFolder: `${config.statePrefix}${folder}${name}/`,
  };
}

/** How a drop is run, from the folder it landed in (contract: PRODUCT.md, "Drop folders"). */
export interface DropMode {
  /** Under `dry-run/`: everything but the writes. */
  readonly dryRun: boolean;
  /** What a row without an `action` cell does: `suspend` under `leavers/`, else the deployment's. */
  readonly defaultAction: RowAction;
  /**
   * The source folder: the first folder below those (`incoming/bamboohr/x.csv` → `bamboohr`). It
   * names the HR system's preset and the mapping file (`mappings/<folder>.json`).
   */
  readonly sourceFolder?: string;
}

export function dropMode(key: string, config: Pick<Config, 'incomingPrefix' | 'defaultAction'>): DropMode {
  let below = key.slice(config.incomingPrefix.length);
  const dryRun = below.startsWith('dry-run/');
  if (dryRun) below = below.slice('dry-run/'.length);
  const leavers = below.startsWith('leavers/');
  if (leavers) below = below.slice('leavers/'.length);
  const folder = below.includes('/') ? below.slice(0, below.indexOf('/')) : undefined;
  return {
    dryRun,
    defaultAction: leavers ? 'suspend' : config.defaultAction,
    ...(folder ? { sourceFolder: folder } : {}),
  };
}

/** The mapping file of a source folder. */
export function mappingKey(folder: string, config: Pick<Config, 'mappingsPrefix'>): string {
  return `${config.mappingsPrefix}${folder}.json`;
}
