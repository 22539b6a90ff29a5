/**
 * How people learn a file is done: an SNS topic for the email digest (HR subscribes to it; it is
 * not the alarm topic, which is for whoever runs the stack) and the account's default EventBridge
 * bus for the `Onboarding File Processed` event other systems react to. The function may publish
 * to that one topic and put events on that one bus, nothing else.
 */
import { Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface OnboardingNotificationsProps {
  /** The onboarding function: it gets the two variables and the two permissions. */
  readonly function: lambda.Function;
  /**
   * Email address subscribed to the digest topic (the recipient confirms it once).
   * @default - no subscription
   */
  readonly digestEmail?: string;
}

export class OnboardingNotifications extends Construct {
  /** One digest per processed file (`NOTIFY_TOPIC_ARN`). */
  readonly digestTopic: sns.Topic;
  /** Where the `Onboarding File Processed` events go (`EVENT_BUS_NAME`): the account's default bus. */
  readonly eventBus: events.IEventBus;

  constructor(scope: Construct, id: string, props: OnboardingNotificationsProps) {
    super(scope, id);

    // Only the function publishes here, so the AWS managed key suffices (the alarm topic needs its
    // own key because CloudWatch cannot use this one).
    this.digestTopic = new sns.Topic(this, 'DigestTopic', {
      displayName: 'JumpCloud onboarding',
      masterKey: kms.Alias.fromAliasName(this, 'SnsManagedKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    if (props.digestEmail !== undefined) {
      const subscription = this.digestTopic.addSubscription(
        new subscriptions.EmailSubscription(props.digestEmail),
      );
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'The digest email subscription has no redrive queue: every digest also stays readable as the results ' +
          'file and summary under outcomes/, and a queue of undelivered emails would have no reader.',
      });
    }
    this.eventBus = events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');

    const fn = props.function;
    fn.addEnvironment('NOTIFY_TOPIC_ARN', this.digestTopic.topicArn);
    fn.addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SendFileDigest',
        actions: ['sns:Publish'],
        resources: [this.digestTopic.topicArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'AnnounceProcessedFiles',
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
      }),
    );
  }
}
