/**
 * A loopback stand-in for Secrets Manager's GetSecretValue, speaking its JSON protocol
 * (`POST /`, `X-Amz-Target: secretsmanager.GetSecretValue`, body `{"SecretId"}`), so the real
 * `@aws-sdk/client-secrets-manager` runs end to end when AWS_ENDPOINT_URL_SECRETS_MANAGER points
 * here. No emulator exists on the registries; this is the smallest honest double.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { replyAwsJson as reply, serveOnLoopback } from './aws-double-server';

export interface SecretsManagerDoubleOptions {
  /** Secret name → secret string. */
  secrets: Record<string, string>;
  /** Names whose reads are answered with AccessDeniedException. */
  denied?: string[];
}

export interface SecretsManagerDouble {
  /** e.g. http://127.0.0.1:41234, for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly endpoint: string;
  setSecret(id: string, value: string): void;
  deleteSecret(id: string): void;
  deny(id: string): void;
  /** Undoes deny(). */
  allow(id: string): void;
  /** GetSecretValue calls answered so far (found or not). */
  readonly calls: number;
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

interface StoredSecret {
  value: string;
  arn: string;
  versionId: string;
  createdDate: number;
}

export async function startSecretsManagerDouble(
  options: SecretsManagerDoubleOptions,
): Promise<SecretsManagerDouble> {
  const secrets = new Map<string, StoredSecret>();
  const denied = new Set(options.denied ?? []);
  let calls = 0;

  const setSecret = (name: string, value: string) => {
    // Real ARNs end in a dash and six random characters.
    const arn =
      secrets.get(name)?.arn ??
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`;
    secrets.set(name, { value, arn, versionId: randomUUID(), createdDate: Date.now() / 1000 });
  };
  for (const [name, value] of Object.entries(options.secrets)) setSecret(name, value);

  /** By name or by full ARN, as GetSecretValue accepts either. */
  const find = (secretId: string): [string, StoredSecret] | undefined => {
    for (const entry of secrets) {
      if (entry[0] === secretId || entry[1].arn === secretId) return entry;
    }
    return undefined;
  };

  const answer = (request: IncomingMessage, response: ServerResponse, body: string) => {
    const target = request.headers['x-amz-target'];
    if (request.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
      return reply(response, 400, {
        __type: 'UnknownOperationException',
        message: `Unsupported operation ${String(target)}`,
      });
    }
    calls++;
    let secretId: unknown;
    try {
      secretId = (JSON.parse(body) as { SecretId?: unknown }).SecretId;
    } catch {
      return reply(response, 400, { __type: 'SerializationException', message: 'Request body is not JSON' });
    }
    if (typeof secretId !== 'string' || secretId === '') {
      return reply(response, 400, { __type: 'InvalidParameterException', message: 'SecretId is required' });
    }
    const found = find(secretId);
    const name = found?.[0] ?? secretId;
    if (denied.has(name) || (found && denied.has(found[1].arn))) {
      return reply(response, 400, {
        __type: 'AccessDeniedException',
        message: `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${secretId}`,
      });
    }
    if (!found) {
      return reply(response, 400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
    }
    const [secretName, secret] = found;
    return reply(response, 200, {
      ARN: secret.arn,
      Name: secretName,
      SecretString: secret.value,
      VersionId: secret.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdDate,
    });
  };

  const server = await serveOnLoopback(answer, (response) =>
    reply(response, 500, { __type: 'InternalServiceError', message: 'The double failed' }),
  );

  return {
    endpoint: server.endpoint,
    setSecret,
    deleteSecret: (id) => {
      const found = find(id);
      if (found) secrets.delete(found[0]);
    },
    deny: (id) => denied.add(id),
    allow: (id) => denied.delete(id),
    get calls() {
      return calls;
    },
    close: server.close,
  };
}
