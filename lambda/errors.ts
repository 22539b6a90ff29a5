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

/**
 * The caller cut its requests to JumpCloud short (a Lambda invocation running out of time). A
 * request in flight may have been acted on: the row is neither retried nor reported here, but
 * handed on, and the invocation that takes it up confirms by lookup what happened.
 */
export class RequestsCancelledError extends Error {
  override readonly name = 'RequestsCancelledError';
  constructor() {
    super('requests to JumpCloud were cut short: the invocation ran out of time');
  }
}

/** The results could not be written. The file will be tried again by Lambda's retry. */
export class ResultsNotWritableError extends Error {
  override readonly name = 'ResultsNotWritableError';
}
