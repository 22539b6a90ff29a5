/**
 * What tells someone that things went wrong: alarms on the function, its dead-letter queue and
 * the rows and files it could not onboard, all publishing to one encrypted topic.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME } from './settings';

export interface OnboardingAlarmsProps {
  readonly function: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Email address subscribed to the topic.
   * @default - no subscription
   */
  readonly notificationEmail?: string;
}

const PERIOD = Duration.minutes(5);

export class OnboardingAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OnboardingAlarmsProps) {
    super(scope, id);

    // CloudWatch cannot publish to a topic encrypted with the AWS managed aws/sns key, so the
    // topic gets its own key that lets CloudWatch (of this account only) use it.
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Encrypts the JumpCloud onboarding alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': key.stack.account } },
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'JumpCloud onboarding alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.notificationEmail !== undefined) {
      const subscription = this.topic.addSubscription(
        new subscriptions.EmailSubscription(props.notificationEmail),
      );
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'The alarm email subscription has no redrive queue: an undeliverable alarm email stays visible as the ' +
          'alarm state in CloudWatch, and a queue of undelivered alarm emails would have no reader.',
      });
    }

    const fn = props.function;
    this.watch('FunctionErrors', fn.metricErrors({ period: PERIOD, statistic: 'Sum' }), {
      description: 'The onboarding function failed an invocation (it is retried; see its logs).',
    });
    // Throttling alone is expected: reserved concurrency queues drops behind each other. Alarm
    // only when it lasts half an hour, a sign of a backlog that may outlive the event age.
    this.watch('FunctionThrottles', fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }), {
      description: 'The onboarding function has been throttled for 30 minutes: drops are queuing up.',
      evaluationPeriods: 6,
    });
    this.watch(
      'DeadLetterMessages',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: PERIOD,
        statistic: 'Maximum',
      }),
      {
        description: 'An event could not be processed after its retries and waits in the dead-letter queue.',
      },
    );
    this.watch('RowsFailed', this.onboardingMetric('RowsFailed'), {
      description:
        'JumpCloud users could not be created; the results file under outcomes/ says which rows and why.',
    });
    this.watch('FilesFailed', this.onboardingMetric('FilesFailed'), {
      description: 'A dropped file could not be processed; its results file under outcomes/ says why.',
    });
    this.watch('NotificationsFailed', this.onboardingMetric('NotificationsFailed'), {
      description:
        'A file was processed but its email digest or event could not be sent (see the function logs); ' +
        'its results under outcomes/ are complete.',
    });
  }

  /** A metric the function emits through Powertools Metrics (EMF). */
  private onboardingMetric(metricName: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName,
      dimensionsMap: { service: POWERTOOLS_SERVICE_NAME },
      period: PERIOD,
      statistic: 'Sum',
    });
  }

  /** An alarm when the metric is above zero, publishing to the topic. */
  private watch(
    id: string,
    metric: cloudwatch.IMetric,
    options: { description: string; evaluationPeriods?: number },
  ): void {
    const evaluationPeriods = options.evaluationPeriods ?? 1;
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: options.description,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 0,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      // No data means nothing happened, which is not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
