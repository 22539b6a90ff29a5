import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { optionsFromContext, stackNameFromContext } from '../../lib/onboarding-context';
import { OnboardingConfigurationError, resolveSettings } from '../../lib/settings';
import { buildApp } from './synth';

const contextOf = (context: Record<string, unknown>) => new App({ context }).node;

describe('deployment choices from context', () => {
  it('applies the documented defaults when no context is given', () => {
    const settings = resolveSettings(optionsFromContext(contextOf({})));

    expect(settings).toEqual({
      jumpcloudApiUrl: 'https://console.jumpcloud.com',
      jumpcloudSecretArn: undefined,
      jumpcloudSecretName: undefined,
      jumpcloudConcurrency: 64,
      reservedConcurrency: 2,
      incomingRetentionDays: 7,
      outcomesRetentionDays: 400,
      stateRetentionDays: 30,
      logRetentionDays: 365,
      notificationEmail: undefined,
      defaultAction: 'create',
      suspendLimit: 20,
      deleteProcessedInput: true,
      customerManagedKey: false,
    });
    expect(stackNameFromContext(contextOf({}))).toBe('JumpCloudOnboarding');
  });

  it('reads yes/no choices as JSON booleans or as text, and names a value that is neither', () => {
    const fromJson = resolveSettings(optionsFromContext(contextOf({ customerManagedKey: true })));
    const fromText = resolveSettings(optionsFromContext(contextOf({ deleteProcessedInput: 'false' })));

    expect(fromJson.customerManagedKey).toBe(true);
    expect(fromText.deleteProcessedInput).toBe(false);
    expect(() => optionsFromContext(contextOf({ customerManagedKey: 'yes' }))).toThrow(
      /customerManagedKey must be true or false/,
    );
  });

  it('reads numbers given as text, as `cdk deploy -c key=value` passes them', () => {
    const settings = resolveSettings(
      optionsFromContext(
        contextOf({ jumpcloudConcurrency: '4', incomingRetentionDays: ' 3 ', logRetentionDays: '30' }),
      ),
    );

    expect(settings).toMatchObject({
      jumpcloudConcurrency: 4,
      incomingRetentionDays: 3,
      logRetentionDays: 30,
    });
  });

  it.each([
    ['us', 'https://console.jumpcloud.com'],
    ['eu', 'https://console.eu.jumpcloud.com'],
    ['in', 'https://console.in.jumpcloud.com'],
  ])('turns jumpcloudRegion %s into its console URL', (region, url) => {
    expect(optionsFromContext(contextOf({ jumpcloudRegion: region })).jumpcloudApiUrl).toBe(url);
  });

  it('treats an empty value as not given', () => {
    const options = optionsFromContext(contextOf({ notificationEmail: '', jumpcloudSecretName: ' ' }));

    expect(options.notificationEmail).toBeUndefined();
    expect(options.jumpcloudSecretName).toBeUndefined();
  });

  it('names the deployment after stackName, so two can live in one account', () => {
    const { stack } = buildApp({ stackName: 'JumpCloudOnboardingStaging' });

    expect(stack.stackName).toBe('JumpCloudOnboardingStaging');
  });
});

describe('choices that make no sense fail synthesis with a message naming them', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/jumpcloud-AbC123';

  it.each([
    [
      { jumpcloudSecretArn: arn, jumpcloudSecretName: 'prod/jumpcloud' },
      /jumpcloudSecretArn or jumpcloudSecretName, not both/,
    ],
    [
      { jumpcloudSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/jumpcloud' },
      /complete secret ARN/,
    ],
    [
      { jumpcloudSecretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' },
      /jumpcloudSecretName/,
    ],
    [{ jumpcloudApiUrl: 'http://console.jumpcloud.com' }, /jumpcloudApiUrl must be an https URL/],
    [
      { jumpcloudApiUrl: 'https://console.jumpcloud.com', jumpcloudRegion: 'eu' },
      /jumpcloudApiUrl or jumpcloudRegion/,
    ],
    [{ jumpcloudRegion: 'uk' }, /jumpcloudRegion must be one of us, eu, in/],
    [{ incomingRetentionDays: '0' }, /incomingRetentionDays must be a whole number from 1/],
    [{ outcomesRetentionDays: '-5' }, /outcomesRetentionDays must be a whole number from 1/],
    [{ reservedConcurrency: '0' }, /reservedConcurrency must be a whole number from 1/],
    [{ jumpcloudConcurrency: '100' }, /jumpcloudConcurrency must be a whole number from 1 to 64/],
    [{ jumpcloudConcurrency: 'eight' }, /jumpcloudConcurrency must be a whole number/],
    [{ logRetentionDays: '10' }, /logRetentionDays must be one of 1, 3, 5, 7, 14/],
    [{ notificationEmail: 'it-alerts' }, /notificationEmail is not an email address/],
    [{ stackName: 'my stack' }, /stackName must start with a letter/],
  ])('%j', (context, message) => {
    expect(() => buildApp(context)).toThrow(OnboardingConfigurationError);
    expect(() => buildApp(context)).toThrow(message);
  });
});
