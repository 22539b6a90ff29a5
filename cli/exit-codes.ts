/**
 * What `jc-onboard` exits with, so scripts and schedulers can act on it:
 * 0 every row is done (created, already in JumpCloud, or in a dry run would be created),
 * 1 some rows are invalid or failed (the results say which and why),
 * 2 nothing was done: a usage or file-level problem (the message says how to fix it),
 * 130 stopped with Ctrl-C (the shell's code for SIGINT): the rows already started are in the results.
 */
import type { StatusCounts } from '../lambda/results/results-file';

export const EXIT_OK = 0;
export const EXIT_ROWS_NOT_DONE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT (2), what a shell reports for a command stopped with Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/**
 * A problem with how the command was called or with the file as a whole. The message is shown
 * as it is: it says what is wrong and how to fix it, and never holds a secret.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** 0 when no row is invalid or failed, else 1. */
export function exitCodeOf(counts: Readonly<StatusCounts>): number {
  return counts.invalid + counts.failed > 0 ? EXIT_ROWS_NOT_DONE : EXIT_OK;
}
