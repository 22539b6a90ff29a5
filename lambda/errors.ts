/**
 * Typed errors. Each carries what a person needs to fix the problem and never a secret:
 * messages are built from our own words and safe values (row numbers, column names, status
 * codes), never from request bodies, API keys or secret strings.
 */

/** JumpCloud answered 401/403: the key is wrong, revoked, or lacks x-org-id. Stops the run. */
export class ApiKeyRejectedError extends Error {
  override readonly name = 'ApiKeyRejectedError';
  constructor(readonly httpStatus: number) {
    super(
      httpStatus === 401
        ? 'JumpCloud rejected the API key (401): check the key, and the org id for multi-tenant admins'
        : 'JumpCloud refused the API key (403): the key lacks permission or the caller is blocked',
    );
  }
}

/**
 * JumpCloud never answered: the first requests could not even connect (refused, no such host).
 * A wrong or unreachable URL, not a slow API: stops the run like a rejected key, nothing sent.
 */
export class JumpCloudUnreachableError extends Error {
  override readonly name = 'JumpCloudUnreachableError';
  constructor(
    readonly url: string,
    /** The network error code, e.g. ECONNREFUSED or ENOTFOUND. */
    readonly code: string,
  ) {
    super(`cannot reach ${url} (${code})`);
  }
}

/** The API key could not be read from Secrets Manager (missing, malformed, access denied). */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
  constructor(
    message: string,
    readonly reason: 'not-found' | 'access-denied' | 'malformed' | 'unreachable',
  ) {
    super(message);
  }
}

/**
 * The whole file cannot be read as a users CSV (empty, binary, a spreadsheet renamed .csv,
 * undecodable text). No row can be processed; the results say why.
 */
export class UnreadableFileError extends Error {
  override readonly name = 'UnreadableFileError';
}

/** The input object could not be fetched from S3. */
export class InputUnavailableError extends Error {
  override readonly name = 'InputUnavailableError';
  constructor(
    message: string,
    /** False when trying again cannot help (the object was deleted or replaced). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The results could not be written. The file will be tried again by Lambda's retry. */
export class ResultsNotWritableError extends Error {
  override readonly name = 'ResultsNotWritableError';
}
