/**
 * Structured JSON logs (Powertools Logger). The domain code logs only row numbers, usernames,
 * counts and our own messages; as a second line of defence any field whose name says it holds a
 * secret is masked before it is written, wherever it sits in the log entry.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const SERVICE_NAME = 'jumpcloud-onboarding';

const SECRET_FIELD = /pass(word)?|secret|api[-_]?key|x-api-key|authori[sz]ation|token|credential/i;

export function redactSecrets(key: string, value: unknown): unknown {
  return SECRET_FIELD.test(key) && value !== undefined && value !== null && typeof value !== 'object'
    ? '[redacted]'
    : value;
}

export function createLogger(): Logger {
  return new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
    jsonReplacerFn: redactSecrets,
  });
}
