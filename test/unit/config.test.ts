import { describe, expect, it } from 'vitest';
import { ConfigurationError, readConfig } from '../../lambda/config';

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const config = readConfig({ JUMPCLOUD_SECRET_ID: 'jumpcloud/api-key' });

    expect(config).toEqual({
      secretId: 'jumpcloud/api-key',
      apiUrl: 'https://console.jumpcloud.com',
      incomingPrefix: 'incoming/',
      outcomesPrefix: 'outcomes/',
      statePrefix: 'state/',
      mappingsPrefix: 'mappings/',
      concurrency: 64,
      defaultAction: 'create',
      suspendLimit: 20,
      deleteProcessedInput: true,
    });
  });

  it('keeps processed input files only when DELETE_PROCESSED_INPUT is false, and names it when wrong', () => {
    const keep = readConfig({ JUMPCLOUD_SECRET_ID: 's', DELETE_PROCESSED_INPUT: 'false' });

    expect(keep.deleteProcessedInput).toBe(false);
    expect(() => readConfig({ JUMPCLOUD_SECRET_ID: 's', DELETE_PROCESSED_INPUT: 'no' })).toThrow(
      /DELETE_PROCESSED_INPUT must be true or false/,
    );
  });

  it('adds the trailing slash to prefixes and drops it from the API URL', () => {
    const config = readConfig({
      JUMPCLOUD_SECRET_ID: 's',
      JUMPCLOUD_API_URL: 'https://console.eu.jumpcloud.com/',
      INCOMING_PREFIX: 'drops',
      OUTCOMES_PREFIX: 'results',
      JUMPCLOUD_CONCURRENCY: '4',
    });

    expect(config).toMatchObject({
      apiUrl: 'https://console.eu.jumpcloud.com',
      incomingPrefix: 'drops/',
      outcomesPrefix: 'results/',
      concurrency: 4,
    });
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => readConfig({})).toThrow(/JUMPCLOUD_SECRET_ID/);
    expect(() => readConfig({ JUMPCLOUD_SECRET_ID: 's', JUMPCLOUD_CONCURRENCY: 'zero' })).toThrow(
      /JUMPCLOUD_CONCURRENCY/,
    );
    expect(() => readConfig({ JUMPCLOUD_SECRET_ID: 's', JUMPCLOUD_API_URL: 'console' })).toThrow(
      ConfigurationError,
    );
  });

  it('refuses prefixes that would let the function trigger itself', () => {
    expect(() => readConfig({ JUMPCLOUD_SECRET_ID: 's', OUTCOMES_PREFIX: 'incoming/results/' })).toThrow(
      /overlap/,
    );
  });

  it('sends no digest and no event unless their variables are set (blank counts as unset)', () => {
    const unset = readConfig({ JUMPCLOUD_SECRET_ID: 's', NOTIFY_TOPIC_ARN: ' ', EVENT_BUS_NAME: '' });

    expect(unset.notifyTopicArn).toBeUndefined();
    expect(unset.eventBusName).toBeUndefined();
  });

  it('reads the digest topic and the event bus, and names either when it is malformed', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:onboarding-digest';

    const config = readConfig({
      JUMPCLOUD_SECRET_ID: 's',
      NOTIFY_TOPIC_ARN: topic,
      EVENT_BUS_NAME: 'default',
    });

    expect(config).toMatchObject({ notifyTopicArn: topic, eventBusName: 'default' });
    expect(() => readConfig({ JUMPCLOUD_SECRET_ID: 's', NOTIFY_TOPIC_ARN: 'onboarding-digest' })).toThrow(
      /NOTIFY_TOPIC_ARN must be an SNS topic ARN/,
    );
    expect(() => readConfig({ JUMPCLOUD_SECRET_ID: 's', EVENT_BUS_NAME: 'no spaces please' })).toThrow(
      /EVENT_BUS_NAME/,
    );
  });
});
