/**
 * The function's configuration, read once from the environment (contract: PRODUCT.md,
 * "Configuration"). A wrong value fails fast with the variable's name in the message.
 */
import * as z from 'zod';
import { CONCURRENCY_CEILING, DEFAULT_MAX_CONCURRENCY } from './jumpcloud/adaptive-concurrency';
import { DEFAULT_SUSPEND_LIMIT } from './onboarding/suspend-limit';

const prefix = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((value) => (value === '' || value.endsWith('/') ? value : `${value}/`));

/** Unset or blank: the feature is off. */
const optionalText = (pattern: RegExp, error: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(z.string().regex(pattern, error).optional());

const environmentSchema = z.object({
  JUMPCLOUD_SECRET_ID: z
    .string()
    .trim()
    .min(1, 'is required: the Secrets Manager id or ARN of the JumpCloud API key'),
  JUMPCLOUD_API_URL: z
    .string()
    .trim()
    .default('https://console.jumpcloud.com')
    .pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }))
    .transform((url) => url.replace(/\/+$/, '')),
  INCOMING_PREFIX: prefix('incoming/'),
  OUTCOMES_PREFIX: prefix('outcomes/'),
  STATE_PREFIX: prefix('state/'),
  MAPPINGS_PREFIX: prefix('mappings/'),
  JUMPCLOUD_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(CONCURRENCY_CEILING)
    .default(DEFAULT_MAX_CONCURRENCY),
  DEFAULT_ACTION: z.enum(['create', 'upsert'], { error: 'must be create or upsert' }).default('create'),
  SUSPEND_LIMIT: z.coerce.number().int().min(0).default(DEFAULT_SUSPEND_LIMIT),
  NOTIFY_TOPIC_ARN: optionalText(
    /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
    'must be an SNS topic ARN',
  ),
  EVENT_BUS_NAME: optionalText(
    /^(arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/)?[A-Za-z0-9._\-/]{1,256}$/,
    'must be an EventBridge bus name or ARN',
  ),
  DELETE_PROCESSED_INPUT: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true'),
});

export interface Config {
  /** Secrets Manager id or ARN holding the API key (bare, or JSON {"apiKey","orgId"}). */
  readonly secretId: string;
  readonly apiUrl: string;
  readonly incomingPrefix: string;
  readonly outcomesPrefix: string;
  /** Where the function keeps each file's claim, checkpoint and partial results. */
  readonly statePrefix: string;
  /** Where each source folder's mapping file is read from: `<prefix><folder>.json`. */
  readonly mappingsPrefix: string;
  /** Most JumpCloud requests in flight; the client starts lower and grows towards it. */
  readonly concurrency: number;
  /** What a row without an `action` cell does to a person already in JumpCloud: leave them, or update them. */
  readonly defaultAction: 'create' | 'upsert';
  /** The most people one file may suspend; a file over it suspends nobody. */
  readonly suspendLimit: number;
  /** SNS topic for the email digest of each processed file; undefined: no digest. */
  readonly notifyTopicArn?: string;
  /** EventBridge bus for the `Onboarding File Processed` event; undefined: no event. */
  readonly eventBusName?: string;
  /** Delete an input version once its results are written: it may hold initial passwords. */
  readonly deleteProcessedInput: boolean;
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Read once per container: zod's compiled fast path for objects (generated with new Function on
  // the first parse, which pays for a file's rows) costs a cold start about 2 ms and saves nothing here.
  const parsed = environmentSchema.safeParse(env, { jitless: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const value = parsed.data;
  const prefixes = [value.INCOMING_PREFIX, value.OUTCOMES_PREFIX, value.STATE_PREFIX, value.MAPPINGS_PREFIX];
  // Results and state written under INCOMING_PREFIX would trigger the function again.
  if (prefixes.some((p, i) => prefixes.some((q, j) => i !== j && p.startsWith(q)))) {
    throw new ConfigurationError(
      'Invalid configuration: INCOMING_PREFIX, OUTCOMES_PREFIX, STATE_PREFIX and MAPPINGS_PREFIX must not overlap',
    );
  }
  return {
    secretId: value.JUMPCLOUD_SECRET_ID,
    apiUrl: value.JUMPCLOUD_API_URL,
    incomingPrefix: value.INCOMING_PREFIX,
    outcomesPrefix: value.OUTCOMES_PREFIX,
    statePrefix: value.STATE_PREFIX,
    mappingsPrefix: value.MAPPINGS_PREFIX,
    concurrency: value.JUMPCLOUD_CONCURRENCY,
    defaultAction: value.DEFAULT_ACTION,
    suspendLimit: value.SUSPEND_LIMIT,
    notifyTopicArn: value.NOTIFY_TOPIC_ARN,
    eventBusName: value.EVENT_BUS_NAME,
    deleteProcessedInput: value.DELETE_PROCESSED_INPUT,
  };
}
