/**
 * The JumpCloud API key, read from Secrets Manager and kept for warm invocations.
 *
 * Powertools Parameters fetches and caches the secret string; its SecretsManagerClient uses the
 * SDK's default configuration, so AWS_ENDPOINT_URL_SECRETS_MANAGER points it at a local double.
 * Its GetParameterError keeps the SDK's exception as `cause`, which names the typed reason.
 */
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { SecretUnavailableError } from './errors';

export interface JumpCloudCredentials {
  apiKey: string;
  orgId?: string;
}

/** Keys a JSON secret may hold the API key under: the documented `apiKey`, and the snake-case spelling. */
const API_KEY_FIELDS = ['apiKey', 'api_key'] as const;
const ORG_ID_FIELDS = ['orgId', 'org_id'] as const;
const DEFAULT_MAX_AGE_MS = 5 * 60_000;

/**
 * Reads the secret (a bare key, or JSON `{"apiKey", "orgId"}`), cached across warm invocations.
 * Throws SecretUnavailableError (not-found | access-denied | malformed | unreachable); its message
 * names the secret id, never its value.
 */
export async function getJumpCloudCredentials(
  secretId: string,
  opts: { maxAgeMs?: number; forceFetch?: boolean } = {},
): Promise<JumpCloudCredentials> {
  let value: string | Uint8Array | undefined;
  try {
    value = await getSecret(secretId, {
      maxAge: Math.floor((opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS) / 1000),
      forceFetch: opts.forceFetch ?? false,
    });
  } catch (error) {
    throw unavailable(secretId, error instanceof Error && error.cause !== undefined ? error.cause : error);
  }
  if (typeof value !== 'string') {
    throw new SecretUnavailableError(
      `Secret "${secretId}" holds binary data; store the JumpCloud API key as a secret string`,
      'malformed',
    );
  }
  return parseSecret(secretId, value);
}

/** Drops every cached secret (tests, or after JumpCloud rejected a key that may have been rotated). */
export function forgetJumpCloudCredentials(): void {
  clearCaches();
}

function unavailable(secretId: string, error: unknown): SecretUnavailableError {
  const name = error instanceof Error ? error.name : '';
  switch (name) {
    case 'ResourceNotFoundException':
      return new SecretUnavailableError(
        `Secret "${secretId}" was not found in Secrets Manager: check JUMPCLOUD_SECRET_ID and the region`,
        'not-found',
      );
    case 'InvalidRequestException':
      // Secrets Manager answers this for a secret scheduled for deletion.
      return new SecretUnavailableError(
        `Secret "${secretId}" cannot be read (scheduled for deletion?)`,
        'not-found',
      );
    case 'AccessDeniedException':
    case 'DecryptionFailure':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return new SecretUnavailableError(
        `Not allowed to read secret "${secretId}" (${name}): check the function's role and the key policy`,
        'access-denied',
      );
    default: {
      // Our own words plus the error's code or class name: SDK messages are not ours to vouch for.
      const code = (error as { code?: unknown } | undefined)?.code;
      const what = typeof code === 'string' ? code : name || 'unknown error';
      return new SecretUnavailableError(
        `Secrets Manager could not be reached for secret "${secretId}" (${what})`,
        'unreachable',
      );
    }
  }
}

/** A bare key (whitespace around it trimmed) or a JSON object; never echoes the value. */
function parseSecret(secretId: string, secretString: string): JumpCloudCredentials {
  const text = secretString.trim();
  const malformed = (why: string) => new SecretUnavailableError(`Secret "${secretId}" ${why}`, 'malformed');
  if (text === '') throw malformed('is empty; store the JumpCloud API key in it');
  if (!text.startsWith('{')) {
    if (/\s/.test(text))
      throw malformed('holds more than one word; store the bare API key or JSON {"apiKey": "..."}');
    return { apiKey: text };
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw malformed('looks like JSON but does not parse; expected {"apiKey": "...", "orgId": "..."}');
  }
  const fields = json as Record<string, unknown>;
  const apiKey = pick(fields, API_KEY_FIELDS);
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw malformed('is JSON without a text "apiKey" field; expected {"apiKey": "...", "orgId": "..."}');
  }
  const orgId = pick(fields, ORG_ID_FIELDS);
  if (orgId !== undefined && orgId !== null && typeof orgId !== 'string')
    throw malformed('has an "orgId" that is not text');
  return {
    apiKey: apiKey.trim(),
    ...(typeof orgId === 'string' && orgId.trim() ? { orgId: orgId.trim() } : {}),
  };
}

function pick(fields: Record<string, unknown>, names: readonly string[]): unknown {
  for (const name of names) {
    if (fields[name] !== undefined) return fields[name];
  }
  return undefined;
}
