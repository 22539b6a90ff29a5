/**
 * The page API's Lambda adapter: an API Gateway HTTP API request (already through its JWT
 * authorizer) in, one call into routes.ts, JSON out.
 *
 * Environment: DROP_BUCKET, ALLOWED_GROUP, and the engine's INCOMING_PREFIX / OUTCOMES_PREFIX /
 * STATE_PREFIX (same defaults).
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { type Caller, handleWebRequest, type WebApiDependencies } from './routes';
import { s3DropStore } from './s3-drop-store';

const s3 = new S3Client({});
const bucket = process.env.DROP_BUCKET ?? '';
const store = s3DropStore(s3, bucket);
const withSlash = (value: string | undefined, fallback: string) => {
  const prefix = value?.trim() || fallback;
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
};
const deps: WebApiDependencies = {
  store,
  presigner: store,
  prefixes: {
    incoming: withSlash(process.env.INCOMING_PREFIX, 'incoming/'),
    outcomes: withSlash(process.env.OUTCOMES_PREFIX, 'outcomes/'),
    state: withSlash(process.env.STATE_PREFIX, 'state/'),
  },
  allowedGroup: process.env.ALLOWED_GROUP ?? 'hr-onboarding',
};

export async function handler(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<APIGatewayProxyResultV2> {
  const answer = await handleWebRequest(deps, {
    method: event.requestContext.http.method,
    path: event.rawPath,
    query: event.queryStringParameters ?? {},
    body: parseBody(event.body, event.isBase64Encoded),
    caller: callerOf(event.requestContext.authorizer.jwt.claims),
  });
  return {
    statusCode: answer.status,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(answer.body),
  };
}

/**
 * HTTP API hands Cognito's `cognito:groups` over as text, `[a b]` (or a JSON array): a list
 * either way here.
 */
export function callerOf(claims: Record<string, string | number | boolean | string[]>): Caller {
  const raw = claims['cognito:groups'];
  const groups = Array.isArray(raw)
    ? raw.map(String)
    : String(raw ?? '')
        .replace(/^\[|\]$/g, '')
        .split(/[\s,]+/)
        .map((group) => group.replace(/^"|"$/g, ''))
        .filter((group) => group !== '');
  return { id: String(claims.sub ?? ''), groups };
}

function parseBody(body: string | undefined, base64: boolean): unknown {
  if (body === undefined || body === '') return undefined;
  try {
    return JSON.parse(base64 ? Buffer.from(body, 'base64').toString('utf8') : body);
  } catch {
    return undefined;
  }
}
