import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetJumpCloudCredentials, getJumpCloudCredentials } from '../../lambda/credentials';
import { SecretUnavailableError } from '../../lambda/errors';
import { type SecretsManagerDouble, startSecretsManagerDouble } from '../../local/secrets-manager-double';

const KEY = 'jca_0123456789abcdef0123456789abcdef';
const ENV_NAMES = [
  'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
] as const;

let double: SecretsManagerDouble;
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  double = await startSecretsManagerDouble({
    secrets: {
      'jc/bare': `  ${KEY}\n`,
      'jc/json': JSON.stringify({ apiKey: KEY }),
      'jc/json-org': JSON.stringify({ apiKey: KEY, orgId: 'org-42' }),
      'jc/snake': JSON.stringify({ api_key: KEY, org_id: 'org-7' }),
      'jc/broken-json': `{"apiKey": "${KEY}"`,
      'jc/no-key': JSON.stringify({ token: KEY }),
      'jc/empty': '   ',
      'jc/cached': KEY,
      'jc/rotating': 'jca_old',
      'jc/denied': KEY,
    },
    denied: ['jc/denied'],
  });
  for (const name of ENV_NAMES) savedEnv[name] = process.env[name];
  // The real SDK client, pointed at the double by the standard variable; the credentials are dummies.
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = double.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
  process.env.AWS_REGION = 'us-east-1';
});

afterAll(async () => {
  await double.close();
  for (const name of ENV_NAMES) {
    if (savedEnv[name] === undefined) delete process.env[name];
    else process.env[name] = savedEnv[name];
  }
});

async function failureOf(secretId: string): Promise<SecretUnavailableError> {
  const error = await getJumpCloudCredentials(secretId, { forceFetch: true }).catch(
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SecretUnavailableError);
  return error as SecretUnavailableError;
}

describe('getJumpCloudCredentials', () => {
  it('reads a bare key and trims the whitespace and newline around it', async () => {
    const credentials = await getJumpCloudCredentials('jc/bare');

    expect(credentials).toEqual({ apiKey: KEY });
  });

  it('reads the API key from a JSON secret', async () => {
    const credentials = await getJumpCloudCredentials('jc/json');

    expect(credentials).toEqual({ apiKey: KEY });
  });

  it('reads the org id of a multi-tenant admin from a JSON secret', async () => {
    const credentials = await getJumpCloudCredentials('jc/json-org');

    expect(credentials).toEqual({ apiKey: KEY, orgId: 'org-42' });
  });

  it('accepts the snake-case spellings api_key and org_id', async () => {
    const credentials = await getJumpCloudCredentials('jc/snake');

    expect(credentials).toEqual({ apiKey: KEY, orgId: 'org-7' });
  });

  it('finds the secret by its ARN as well as by its name', async () => {
    const arn = await arnOf('jc/json-org');

    const credentials = await getJumpCloudCredentials(arn);

    expect(credentials.orgId).toBe('org-42');
  });

  it('says not-found and names the secret when it does not exist', async () => {
    const error = await failureOf('jc/missing');

    expect(error.reason).toBe('not-found');
    expect(error.message).toContain('jc/missing');
  });

  it('says access-denied when the role may not read the secret', async () => {
    const error = await failureOf('jc/denied');

    expect(error.reason).toBe('access-denied');
    expect(error.message).toContain('jc/denied');
    expect(error.message).not.toContain(KEY);
  });

  it('says malformed, without the value, for JSON that does not parse', async () => {
    const error = await failureOf('jc/broken-json');

    expect(error.reason).toBe('malformed');
    expect(error.message).toContain('jc/broken-json');
    expect(error.message).not.toContain(KEY);
  });

  it('says malformed for JSON without an API key field', async () => {
    const error = await failureOf('jc/no-key');

    expect(error.reason).toBe('malformed');
    expect(error.message).not.toContain(KEY);
  });

  it('says malformed for a blank secret', async () => {
    const error = await failureOf('jc/empty');

    expect(error.reason).toBe('malformed');
  });

  it('answers a second read from the cache without asking Secrets Manager', async () => {
    await getJumpCloudCredentials('jc/cached');
    const callsAfterFirstRead = double.calls;

    const credentials = await getJumpCloudCredentials('jc/cached');

    expect(credentials).toEqual({ apiKey: KEY });
    expect(double.calls).toBe(callsAfterFirstRead);
  });

  it('fetches again when forced, picking up a rotated key', async () => {
    await getJumpCloudCredentials('jc/rotating');
    double.setSecret('jc/rotating', 'jca_new');

    const cached = await getJumpCloudCredentials('jc/rotating');
    const forced = await getJumpCloudCredentials('jc/rotating', { forceFetch: true });

    expect(cached.apiKey).toBe('jca_old');
    expect(forced.apiKey).toBe('jca_new');
  });

  it('keeps nothing when maxAgeMs is 0: every read asks Secrets Manager', async () => {
    forgetJumpCloudCredentials();
    await getJumpCloudCredentials('jc/json', { maxAgeMs: 0 });
    const callsBefore = double.calls;

    await getJumpCloudCredentials('jc/json', { maxAgeMs: 0 });

    expect(double.calls).toBe(callsBefore + 1);
  });

  it('says not-found once the secret is deleted', async () => {
    double.setSecret('jc/short-lived', KEY);
    double.deleteSecret('jc/short-lived');

    const error = await failureOf('jc/short-lived');

    expect(error.reason).toBe('not-found');
  });

  // Last: it stops the double.
  it('says unreachable when Secrets Manager does not answer', async () => {
    await double.close();

    const error = await failureOf('jc/json');

    expect(error.reason).toBe('unreachable');
    expect(error.message).toContain('jc/json');
  });
});

/** The ARN the double gave a secret, read through the SDK as a user would. */
async function arnOf(name: string): Promise<string> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  const answer = await client.send(new GetSecretValueCommand({ SecretId: name }));
  client.destroy();
  if (!answer.ARN) throw new Error('the double returned no ARN');
  return answer.ARN;
}
