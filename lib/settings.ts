/**
 * What a deployment can choose, the secure default of each, and the checks that reject a
 * combination that makes no sense. The stack and the context reader both build on this.
 */
import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CONCURRENCY_CEILING, DEFAULT_MAX_CONCURRENCY } from '../lambda/jumpcloud/adaptive-concurrency';
import { DEFAULT_SUSPEND_LIMIT } from '../lambda/onboarding/suspend-limit';

/** Where things live in the drop bucket. Part of the function's environment contract. */
export const PREFIXES = {
  incoming: 'incoming/',
  outcomes: 'outcomes/',
  state: 'state/',
  /** Mapping files, one per source folder (`mappings/<folder>.json`): read only. */
  mappings: 'mappings/',
} as const;

/** Powertools service name and metrics namespace the function reports under; the alarms watch these. */
export const POWERTOOLS_SERVICE_NAME = 'jumpcloud-onboarding';
export const METRICS_NAMESPACE = 'JumpCloudOnboarding';

/** JumpCloud console hosts by region (API notes: "Hosts, auth, tenancy"). */
export const JUMPCLOUD_API_URLS = {
  us: 'https://console.jumpcloud.com',
  eu: 'https://console.eu.jumpcloud.com',
  in: 'https://console.in.jumpcloud.com',
} as const;

/** Every default in one place. */
export const ONBOARDING_DEFAULTS = {
  jumpcloudApiUrl: JUMPCLOUD_API_URLS.us,
  // An upper bound: each invocation starts at 8 in flight and learns JumpCloud's limit from its 429s.
  jumpcloudConcurrency: DEFAULT_MAX_CONCURRENCY,
  // Two files side by side; at most reservedConcurrency x jumpcloudConcurrency requests in flight.
  reservedConcurrency: 2,
  incomingRetentionDays: 7,
  outcomesRetentionDays: 400,
  stateRetentionDays: 30,
  logRetentionDays: 365,
  deleteProcessedInput: true,
  customerManagedKey: false,
  functionMemoryMb: 1024,
  functionTimeout: Duration.minutes(15),
  asyncRetryAttempts: 2,
  maxEventAge: Duration.hours(6),
  // Nobody already in JumpCloud is changed unless the file or the admin asks for it.
  defaultAction: 'create',
  // Microsoft's directory sync guards against mass deletion with a threshold; this is ours.
  suspendLimit: DEFAULT_SUSPEND_LIMIT,
} as const;

/** The CloudWatch Logs retention periods AWS accepts, in days. */
const LOG_RETENTION_CHOICES = Object.values(logs.RetentionDays).filter(
  (days): days is logs.RetentionDays => typeof days === 'number' && days !== logs.RetentionDays.INFINITE,
);

export interface OnboardingOptions {
  /**
   * JumpCloud base URL the function calls (`JUMPCLOUD_API_URL`); must be https.
   * @default 'https://console.jumpcloud.com' (the US console)
   */
  readonly jumpcloudApiUrl?: string;
  /**
   * Complete ARN (with its 6-character suffix) of an existing secret holding the API key.
   * Mutually exclusive with `jumpcloudSecretName`.
   * @default - the stack creates a secret, to be set after deploy
   */
  readonly jumpcloudSecretArn?: string;
  /**
   * Name of an existing secret holding the API key. Mutually exclusive with `jumpcloudSecretArn`.
   * @default - the stack creates a secret, to be set after deploy
   */
  readonly jumpcloudSecretName?: string;
  /**
   * Most JumpCloud requests one invocation keeps in flight (`JUMPCLOUD_CONCURRENCY`), 1-64. It
   * starts at 8 (or this, if lower), grows while latency limits and paces itself once JumpCloud answers 429.
   * @default 64
   */
  readonly jumpcloudConcurrency?: number;
  /**
   * Reserved concurrency of the function: how many files are worked on at once. `'none'` reserves
   * nothing (for accounts whose concurrency quota is too small to reserve any).
   * @default 2
   */
  readonly reservedConcurrency?: number | 'none';
  /**
   * Days after which dropped files (current and old versions) are deleted: they may hold passwords.
   * @default 7
   */
  readonly incomingRetentionDays?: number;
  /**
   * Days results files under `outcomes/` (and the server access logs) are kept for audit.
   * @default 400
   */
  readonly outcomesRetentionDays?: number;
  /**
   * Days the function's claims and checkpoints under `state/` are kept.
   * @default 30
   */
  readonly stateRetentionDays?: number;
  /**
   * Days the function's log group keeps its logs; one of the values CloudWatch Logs accepts.
   * @default 365
   */
  readonly logRetentionDays?: number;
  /**
   * Email address subscribed to the alarm topic (the recipient confirms it once).
   * @default - no subscription
   */
  readonly notificationEmail?: string;
  /**
   * What a row without an `action` cell does to a person already in JumpCloud (`DEFAULT_ACTION`):
   * `create` leaves them as they are, `upsert` updates the fields that changed.
   * @default 'create'
   */
  readonly defaultAction?: 'create' | 'upsert';
  /**
   * The most people one file may suspend (`SUSPEND_LIMIT`); a file over it suspends nobody.
   * @default 20
   */
  readonly suspendLimit?: number;
  /**
   * Email address subscribed to the digest topic: one email per processed file, for HR (the
   * recipient confirms it once).
   * @default - no subscription
   */
  readonly digestEmail?: string;
  /**
   * Delete each dropped file's version as soon as its results are written (it may hold initial
   * passwords). The `incoming/` lifecycle rule stays as the backstop either way.
   * @default true
   */
  readonly deleteProcessedInput?: boolean;
  /**
   * Encrypt the drop bucket, the function's log group and the dead-letter queue with a
   * customer-managed KMS key the stack creates (rotated yearly), so that reading them also needs
   * the key. Off: S3-managed keys (SSE-S3), CloudWatch Logs' and SQS's own encryption.
   * @default false
   */
  readonly customerManagedKey?: boolean;
}

/** The props with every default applied, after validation. */
export interface OnboardingSettings {
  readonly jumpcloudApiUrl: string;
  readonly jumpcloudSecretArn?: string;
  readonly jumpcloudSecretName?: string;
  readonly jumpcloudConcurrency: number;
  readonly reservedConcurrency: number | undefined;
  readonly incomingRetentionDays: number;
  readonly outcomesRetentionDays: number;
  readonly stateRetentionDays: number;
  readonly logRetentionDays: logs.RetentionDays;
  readonly notificationEmail?: string;
  readonly defaultAction: 'create' | 'upsert';
  readonly suspendLimit: number;
  readonly digestEmail?: string;
  readonly deleteProcessedInput: boolean;
  readonly customerManagedKey: boolean;
}

/** Thrown when the stack's props (or the context they came from) make no sense. */
export class OnboardingConfigurationError extends Error {
  override readonly name = 'OnboardingConfigurationError';
}

export function resolveSettings(props: OnboardingOptions): OnboardingSettings {
  const d = ONBOARDING_DEFAULTS;
  if (props.jumpcloudSecretArn !== undefined && props.jumpcloudSecretName !== undefined) {
    throw new OnboardingConfigurationError(
      'Give jumpcloudSecretArn or jumpcloudSecretName, not both: they name the one secret the function may read',
    );
  }
  if (props.jumpcloudSecretArn !== undefined && !isCompleteSecretArn(props.jumpcloudSecretArn)) {
    throw new OnboardingConfigurationError(
      'jumpcloudSecretArn must be the complete secret ARN, ending in the 6-character suffix ' +
        '(arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf); or give jumpcloudSecretName instead',
    );
  }
  if (
    props.jumpcloudSecretName !== undefined &&
    !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(props.jumpcloudSecretName)
  ) {
    throw new OnboardingConfigurationError(
      'jumpcloudSecretName may hold only letters, digits and /_+=.@- (it is a name, not an ARN)',
    );
  }
  const jumpcloudApiUrl = props.jumpcloudApiUrl ?? d.jumpcloudApiUrl;
  if (!isHttpsUrl(jumpcloudApiUrl)) {
    throw new OnboardingConfigurationError(`jumpcloudApiUrl must be an https URL, got "${jumpcloudApiUrl}"`);
  }
  const notificationEmail = emailAddress('notificationEmail', props.notificationEmail);
  const digestEmail = emailAddress('digestEmail', props.digestEmail);
  const logRetentionDays = props.logRetentionDays ?? d.logRetentionDays;
  if (!LOG_RETENTION_CHOICES.includes(logRetentionDays)) {
    throw new OnboardingConfigurationError(
      `logRetentionDays must be one of ${LOG_RETENTION_CHOICES.join(', ')} (CloudWatch Logs accepts no other), ` +
        `got ${logRetentionDays}`,
    );
  }
  const reserved = props.reservedConcurrency ?? d.reservedConcurrency;
  const defaultAction = props.defaultAction ?? d.defaultAction;
  if (defaultAction !== 'create' && defaultAction !== 'upsert') {
    throw new OnboardingConfigurationError(`defaultAction must be create or upsert, got "${defaultAction}"`);
  }
  return {
    jumpcloudApiUrl,
    jumpcloudSecretArn: props.jumpcloudSecretArn,
    jumpcloudSecretName: props.jumpcloudSecretName,
    jumpcloudConcurrency: wholeNumber(
      'jumpcloudConcurrency',
      props.jumpcloudConcurrency ?? d.jumpcloudConcurrency,
      1,
      CONCURRENCY_CEILING,
    ),
    reservedConcurrency:
      reserved === 'none' ? undefined : wholeNumber('reservedConcurrency', reserved, 1, 1000),
    incomingRetentionDays: wholeNumber(
      'incomingRetentionDays',
      props.incomingRetentionDays ?? d.incomingRetentionDays,
    ),
    outcomesRetentionDays: wholeNumber(
      'outcomesRetentionDays',
      props.outcomesRetentionDays ?? d.outcomesRetentionDays,
    ),
    stateRetentionDays: wholeNumber('stateRetentionDays', props.stateRetentionDays ?? d.stateRetentionDays),
    logRetentionDays,
    notificationEmail,
    defaultAction,
    suspendLimit: wholeNumber('suspendLimit', props.suspendLimit ?? d.suspendLimit, 0, 100_000),
    digestEmail,
    deleteProcessedInput: props.deleteProcessedInput ?? d.deleteProcessedInput,
    customerManagedKey: props.customerManagedKey ?? d.customerManagedKey,
  };
}

function emailAddress(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) {
    throw new OnboardingConfigurationError(`${name} is not an email address: "${value}"`);
  }
  return value;
}

function wholeNumber(name: string, value: number, min = 1, max = 36_500): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new OnboardingConfigurationError(
      `${name} must be a whole number from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

function isCompleteSecretArn(value: string): boolean {
  return /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/.test(value);
}
