/**
 * The run record: one small JSON object per input version under the state prefix. It is the
 * claim (who is working on the file, until when), the checkpoint (which rows are reported, in
 * which part files) and the done marker, in one. Every write is conditional (If-None-Match to
 * create, If-Match to update), so two invocations can never both believe they own the file.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { StatusCounts } from '../results/results-file';

export interface RunRecord {
  /** Lambda request id of the invocation working on the file; '' when released. */
  owner: string;
  /** Epoch ms after which a silent owner is taken to be dead. */
  leaseUntil: number;
  status: 'running' | 'failed' | 'done';
  startedAt: string;
  invocations: number;
  /** First spreadsheet row not yet reported; rows before it are in `parts`. */
  nextRow: number;
  /** Keys of the part files holding the reported rows, in order. */
  parts: string[];
  counts: StatusCounts;
  /** Set when the previous owner stopped without releasing (crash, timeout, lost claim). */
  interrupted: boolean;
  /**
   * Set when the previous invocation cut its requests short: this many creates from `nextRow` on
   * may have reached JumpCloud, so the next invocation looks each up before sending it.
   */
  unconfirmedCreates?: number;
  fileError?: string;
}

export type ClaimResult =
  | {
      kind: 'acquired';
      record: RunRecord;
      etag: string;
      takenOver: 'no' | 'released' | 'expired' | 'retry' | 'failed';
    }
  | { kind: 'done'; record: RunRecord }
  | { kind: 'busy'; record: RunRecord };

/** Another invocation took the file over; this one must stop writing. */
export class ClaimLostError extends Error {
  override readonly name = 'ClaimLostError';
}

export class RunRecordStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
  ) {}

  /**
   * Claims the file for `owner`. A Lambda retry keeps its request id, so the same owner may take
   * its own claim back; anyone may take a released, failed or expired one.
   */
  async claim(owner: string, fresh: RunRecord, now: number): Promise<ClaimResult> {
    const created = await this.put(fresh, { IfNoneMatch: '*' });
    if (created) return { kind: 'acquired', record: fresh, etag: created, takenOver: 'no' };

    const current = await this.read();
    if (!current) return this.claim(owner, fresh, now); // vanished (state expired): start afresh
    const { record, etag } = current;
    if (record.status === 'done') return { kind: 'done', record };
    const takenOver =
      record.status === 'failed'
        ? 'failed'
        : record.owner === ''
          ? 'released'
          : record.owner === owner
            ? 'retry'
            : record.leaseUntil < now
              ? 'expired'
              : undefined;
    if (takenOver === undefined) return { kind: 'busy', record };

    const interrupted =
      takenOver === 'expired' || takenOver === 'retry' || takenOver === 'failed' || record.interrupted;
    const next: RunRecord = {
      ...record,
      owner,
      leaseUntil: fresh.leaseUntil,
      status: 'running',
      invocations: record.invocations + 1,
      interrupted,
      fileError: undefined, // a failure is for this attempt to mend, not to inherit
    };
    const updated = await this.put(next, { IfMatch: etag });
    if (!updated) return { kind: 'busy', record };
    return { kind: 'acquired', record: next, etag: updated, takenOver };
  }

  /** Writes the record if nobody else changed it since `etag`; returns the new etag. */
  async update(record: RunRecord, etag: string): Promise<string> {
    const updated = await this.put(record, { IfMatch: etag });
    if (!updated) throw new ClaimLostError('another invocation took this file over');
    return updated;
  }

  /** Forgets the run: once its results are written, the results file is the only record of it. */
  async remove(): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key }));
  }

  private async read(): Promise<{ record: RunRecord; etag: string } | undefined> {
    try {
      const answer = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key }));
      const text = (await answer.Body?.transformToString('utf-8')) ?? '';
      return { record: JSON.parse(text) as RunRecord, etag: answer.ETag ?? '' };
    } catch (error) {
      if (error instanceof S3ServiceException && error.name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  /** A conditional put: the new etag, or undefined when the condition did not hold. */
  private async put(
    record: RunRecord,
    condition: { IfNoneMatch: '*' } | { IfMatch: string },
  ): Promise<string | undefined> {
    try {
      const answer = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: JSON.stringify(record),
          ContentType: 'application/json',
          ...condition,
        }),
      );
      return answer.ETag ?? '';
    } catch (error) {
      // 412: the condition failed. 409: a concurrent conditional write to the same key won.
      const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
      if (status === 412 || status === 409) return undefined;
      throw error;
    }
  }
}
