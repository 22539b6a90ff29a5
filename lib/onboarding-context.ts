/**
 * Reads the deployment's choices from CDK context (`npx cdk deploy -c key=value`, or the
 * "context" block of cdk.json). Values given with `-c` arrive as strings; numbers are parsed
 * here and a value that is not one fails with the key's name. The table is in the README.
 */
import type { Node } from 'constructs';
import { JUMPCLOUD_API_URLS, OnboardingConfigurationError, type OnboardingOptions } from './settings';

export const DEFAULT_STACK_NAME = 'JumpCloudOnboarding';

export function stackNameFromContext(node: Node): string {
  const name = text(node, 'stackName') ?? DEFAULT_STACK_NAME;
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
    throw new OnboardingConfigurationError(
      `stackName must start with a letter and hold only letters, digits and hyphens, got "${name}"`,
    );
  }
  return name;
}

export function optionsFromContext(node: Node): OnboardingOptions {
  return {
    jumpcloudApiUrl: apiUrl(node),
    jumpcloudSecretArn: text(node, 'jumpcloudSecretArn'),
    jumpcloudSecretName: text(node, 'jumpcloudSecretName'),
    jumpcloudConcurrency: whole(node, 'jumpcloudConcurrency'),
    reservedConcurrency:
      text(node, 'reservedConcurrency') === 'none' ? 'none' : whole(node, 'reservedConcurrency'),
    incomingRetentionDays: whole(node, 'incomingRetentionDays'),
    outcomesRetentionDays: whole(node, 'outcomesRetentionDays'),
    stateRetentionDays: whole(node, 'stateRetentionDays'),
    logRetentionDays: whole(node, 'logRetentionDays'),
    notificationEmail: text(node, 'notificationEmail'),
    defaultAction: text(node, 'defaultAction') as OnboardingOptions['defaultAction'],
    suspendLimit: whole(node, 'suspendLimit'),
    digestEmail: text(node, 'digestEmail'),
    deleteProcessedInput: yesNo(node, 'deleteProcessedInput'),
    customerManagedKey: yesNo(node, 'customerManagedKey'),
  };
}

function apiUrl(node: Node): string | undefined {
  const url = text(node, 'jumpcloudApiUrl');
  const region = text(node, 'jumpcloudRegion');
  if (region === undefined) return url;
  if (url !== undefined) {
    throw new OnboardingConfigurationError(
      'Give jumpcloudApiUrl or jumpcloudRegion, not both: the region only picks the API URL',
    );
  }
  const regions = Object.keys(JUMPCLOUD_API_URLS);
  if (!regions.includes(region)) {
    throw new OnboardingConfigurationError(
      `jumpcloudRegion must be one of ${regions.join(', ')}, got "${region}"`,
    );
  }
  return JUMPCLOUD_API_URLS[region as keyof typeof JUMPCLOUD_API_URLS];
}

/** A context value as trimmed text; absent or empty means "use the default". */
function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new OnboardingConfigurationError(`Context ${key} must be a string or a number`);
  }
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

/** `true`/`false`, as a JSON boolean in cdk.json or as text from `-c`. */
function yesNo(node: Node, key: string): boolean | undefined {
  const raw: unknown = node.tryGetContext(key);
  if (typeof raw === 'boolean') return raw;
  const value = text(node, key);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') {
    throw new OnboardingConfigurationError(`Context ${key} must be true or false, got "${value}"`);
  }
  return value === 'true';
}

function whole(node: Node, key: string): number | undefined {
  const value = text(node, key);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) {
    throw new OnboardingConfigurationError(`Context ${key} must be a whole number, got "${value}"`);
  }
  return Number(value);
}
