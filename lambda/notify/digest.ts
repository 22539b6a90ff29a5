/**
 * The email HR gets when a file is done: a subject that says the file and what became of it, and
 * a plain-text body with the counts, where the results are, and the first rows that need fixing.
 * Built only from the summary and the results file, which never hold a password or the API key.
 */
import path from 'node:path/posix';
import type { RowOutcome } from '../domain';
import { countsLine, type RunSummary, rowCount } from '../results/summary';

/** SNS refuses an email subject of 100 characters or more. */
export const MAX_SUBJECT_LENGTH = 99;
/** Rows listed in the body; the results file has them all. */
export const DIGEST_PROBLEM_ROWS = 10;

export interface Digest {
  subject: string;
  body: string;
}

export interface DigestOptions {
  /** AWS region of the bucket, for the console link. */
  region?: string;
}

/** Rows HR must look at: those JumpCloud refused or that were never sent. */
export function needsAttention(outcome: RowOutcome): boolean {
  return outcome.status === 'invalid' || outcome.status === 'failed';
}

export function fileDigest(
  summary: RunSummary,
  outcomes: readonly RowOutcome[],
  options: DigestOptions = {},
): Digest {
  const fileName = path.basename(summary.input.key.replace(/\\/g, '/'));
  const problems = outcomes.filter(needsAttention);
  const lines: string[] = [];

  if (summary.fileError !== undefined) lines.push(`${fileName} could not be processed: ${summary.fileError}`);
  else lines.push(`${fileName} has been processed.`);
  if (summary.dryRun) lines.push('This was a dry run: nothing was changed in JumpCloud.');
  if (summary.held)
    lines.push('The file was held: it would suspend more people than allowed, so nobody was.');
  lines.push('', `${rowCount(summary.rows)}: ${countsLine(summary.counts)}`, '');

  lines.push(...whereTheResultsAre(summary, options));

  if (problems.length > 0) {
    const shown = problems.slice(0, DIGEST_PROBLEM_ROWS);
    lines.push(
      '',
      `Rows to fix (${shown.length === problems.length ? 'all' : `first ${shown.length}`} of ${problems.length}):`,
    );
    for (const row of shown) {
      const who = row.username || row.email || 'no username';
      lines.push(`  row ${row.row}  ${row.status}  ${oneLine(who)}: ${oneLine(row.message)}`);
    }
    if (problems.length > shown.length) {
      lines.push(`  ... and ${problems.length - shown.length} more: every row is in the results file.`);
    }
  }
  // Unknown columns are among the notices already.
  if (summary.notices.length > 0) lines.push('');
  for (const notice of summary.notices) lines.push(`Note: ${notice}`);
  lines.push(
    '',
    `Input: ${inputText(summary)}`,
    `Started ${summary.startedAt}, finished ${summary.finishedAt}.`,
  );

  return { subject: subjectLine(fileName, summary), body: `${lines.join('\n')}\n` };
}

/** `new-hires.csv: 24 created, 1 failed`, shortened to fit SNS's limit, file name first to go. */
export function subjectLine(fileName: string, summary: RunSummary): string {
  const outcome = headline(summary);
  const name = oneLine(fileName);
  const room = MAX_SUBJECT_LENGTH - outcome.length - 2;
  const shownName = name.length <= room ? name : `${name.slice(0, Math.max(room - 1, 8))}…`;
  const subject = `${shownName}: ${outcome}`;
  return subject.length <= MAX_SUBJECT_LENGTH ? subject : `${subject.slice(0, MAX_SUBJECT_LENGTH - 1)}…`;
}

/** What became of the file, in a few words. */
function headline(summary: RunSummary): string {
  const dryRun = summary.dryRun ? 'dry run, ' : '';
  if (summary.fileError !== undefined) {
    const counts = summary.rows > 0 ? `, ${countsLine(summary.counts)}` : '';
    return `${dryRun}not processed${counts}`;
  }
  if (summary.held) return `${dryRun}held, nobody suspended`;
  return `${dryRun}${summary.rows > 0 ? countsLine(summary.counts) : 'no rows'}`;
}

function whereTheResultsAre(summary: RunSummary, options: DigestOptions): string[] {
  const { bucket } = summary.input;
  const { key, path: localPath } = summary.results;
  if (bucket !== undefined && key !== undefined) {
    const region = options.region ?? 'us-east-1';
    const console =
      `https://${region}.console.aws.amazon.com/s3/object/${encodeURIComponent(bucket)}` +
      `?region=${region}&prefix=${encodeURIComponent(key)}`;
    return [
      `Results (open in Excel or any spreadsheet): s3://${bucket}/${key}`,
      `In the AWS console: ${console}`,
    ];
  }
  if (localPath !== undefined) return [`Results (open in Excel or any spreadsheet): ${localPath}`];
  return ['No results file was written.'];
}

function inputText(summary: RunSummary): string {
  const { bucket, key, versionId } = summary.input;
  const where = bucket === undefined ? key : `s3://${bucket}/${key}`;
  return versionId === undefined ? where : `${where} (version ${versionId})`;
}

function oneLine(text: string): string {
  // Control characters would break a subject line (SNS refuses them) and a body's layout.
  return text.replace(/[\p{Cc}\s]+/gu, ' ').trim();
}
