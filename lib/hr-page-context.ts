/**
 * The page for HR's context parameters (`npx cdk deploy -c hrPage=false`, or cdk.json's
 * "context"): on by default. The table is in the README, "The page for HR".
 */
import type { Node } from 'constructs';
import type { HrPageOptions } from './hr-page';
import { OnboardingConfigurationError } from './settings';

export function hrPageFromContext(node: Node): HrPageOptions | false {
  const enabled = text(node, 'hrPage');
  if (enabled === 'false') return false;
  if (enabled !== undefined && enabled !== 'true') {
    throw new OnboardingConfigurationError(`Context hrPage must be true or false, got "${enabled}"`);
  }
  return {
    samlMetadataUrl: text(node, 'hrPageSamlMetadataUrl'),
    group: text(node, 'hrPageGroup'),
    domainPrefix: text(node, 'hrPageDomainPrefix'),
  };
}

function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}
