/**
 * The whole deployment: a drop bucket whose `incoming/*.csv` objects trigger the onboarding
 * function, the JumpCloud API key secret, and the alarms that tell someone when things go wrong.
 * Defaults and prop checks live in ./settings.ts.
 */
import * as path from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { OnboardingAlarms } from './alarms';
import { FUNCTION_ENTRY } from './function-bundle';
import { HrPage, type HrPageOptions } from './hr-page';
import { acknowledgeCdkInternals } from './nag-acknowledgements';
import { OnboardingNotifications } from './notifications';
import { OnboardingFunction } from './onboarding-function';
import { type OnboardingOptions, type OnboardingSettings, PREFIXES, resolveSettings } from './settings';

export type { OnboardingOptions } from './settings';

export interface OnboardingStackProps extends StackProps, OnboardingOptions {
  /**
   * The page for HR (lib/hr-page.ts), or `false` for none.
   * @default - the page, with Cognito's own users signing in
   */
  readonly hrPage?: HrPageOptions | false;
}

export class OnboardingStack extends Stack {
  /** Where files are dropped (`incoming/`) and results appear (`outcomes/`). */
  readonly bucket: s3.Bucket;
  /** The secret the function reads the JumpCloud API key from. */
  readonly secret: secretsmanager.ISecret;
  readonly onboarding: OnboardingFunction;
  readonly alarms: OnboardingAlarms;
  /** The digest topic and the event bus that tell people a file is done. */
  readonly notifications: OnboardingNotifications;
  /** The page for HR, unless turned off. */
  readonly hrPage?: HrPage;
  /** The customer-managed key of the bucket, log group and queue, when `customerManagedKey` is on. */
  readonly encryptionKey?: kms.Key;

  constructor(scope: Construct, id: string, props: OnboardingStackProps = {}) {
    super(scope, id, {
      description: 'JumpCloud onboarding: a CSV dropped in S3 becomes JumpCloud users, with a results file',
      ...props,
    });
    const settings = resolveSettings(props);

    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Server access log delivery supports SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(settings.outcomesRetentionDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    if (settings.customerManagedKey) {
      this.encryptionKey = new kms.Key(this, 'DataKey', {
        description:
          'JumpCloud onboarding: the drop bucket (files with passwords, results), logs and dead letters',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // CloudWatch Logs encrypts the function's log group with it, for this account's log groups only.
      this.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
          actions: [
            'kms:Encrypt*',
            'kms:Decrypt*',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:Describe*',
          ],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
            },
          },
        }),
      );
    }

    this.bucket = new s3.Bucket(this, 'DropBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      ...(this.encryptionKey
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: this.encryptionKey, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'drop-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: dropBucketLifecycle(settings),
    });

    this.secret = this.jumpcloudSecret(settings);

    this.onboarding = new OnboardingFunction(this, 'Onboarding', {
      entry: path.join(__dirname, '..', FUNCTION_ENTRY),
      projectRoot: path.join(__dirname, '..'),
      bucket: this.bucket,
      secret: this.secret,
      secretId: settings.jumpcloudSecretName ?? this.secret.secretArn,
      settings,
      encryptionKey: this.encryptionKey,
    });

    this.notifications = new OnboardingNotifications(this, 'Notifications', {
      function: this.onboarding.function,
      digestEmail: settings.digestEmail,
    });

    // Only `incoming/*.csv` triggers the function. It can write only under `outcomes/` and
    // `state/` (see OnboardingFunction), so nothing it writes can trigger it again.
    // S3 suffix filters are case-sensitive: `.CSV` (as some Windows exports name files) gets its own.
    for (const suffix of ['.csv', '.CSV']) {
      this.bucket.addEventNotification(
        s3.EventType.OBJECT_CREATED,
        new s3n.LambdaDestination(this.onboarding.function),
        { prefix: PREFIXES.incoming, suffix },
      );
    }

    this.alarms = new OnboardingAlarms(this, 'Alarms', {
      function: this.onboarding.function,
      deadLetterQueue: this.onboarding.deadLetterQueue,
      notificationEmail: settings.notificationEmail,
    });

    if (props.hrPage !== false) {
      this.hrPage = new HrPage(this, 'HrPage', {
        ...props.hrPage,
        bucket: this.bucket,
        logRetention: settings.logRetentionDays,
      });
    }

    acknowledgeCdkInternals(this);

    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName, description: 'Drop bucket' });
    new CfnOutput(this, 'SecretArn', {
      value: this.secret.secretArn,
      description: 'Secret holding the JumpCloud API key (set it with aws secretsmanager put-secret-value)',
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'Alarm notifications',
    });
    new CfnOutput(this, 'DigestTopicArn', {
      value: this.notifications.digestTopic.topicArn,
      description: 'One email-ready digest per processed file (subscribe HR with -c digestEmail=...)',
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.onboarding.deadLetterQueue.queueUrl,
      description: 'Events the function could not process after its retries',
    });
    new CfnOutput(this, 'FunctionName', { value: this.onboarding.function.functionName });
    new CfnOutput(this, 'LogGroupName', {
      value: this.onboarding.logGroup.logGroupName,
      description: 'The function logs: aws logs tail <name> --follow',
    });
    new CfnOutput(this, 'DropCommand', {
      value: `aws s3 cp users.csv s3://${this.bucket.bucketName}/${PREFIXES.incoming}users.csv`,
      description: `Drop a file; its results appear under s3://<bucket>/${PREFIXES.outcomes}`,
    });
  }

  private jumpcloudSecret(settings: OnboardingSettings): secretsmanager.ISecret {
    if (settings.jumpcloudSecretArn !== undefined) {
      return secretsmanager.Secret.fromSecretCompleteArn(
        this,
        'JumpCloudApiKey',
        settings.jumpcloudSecretArn,
      );
    }
    if (settings.jumpcloudSecretName !== undefined) {
      return secretsmanager.Secret.fromSecretNameV2(this, 'JumpCloudApiKey', settings.jumpcloudSecretName);
    }
    const secret = new secretsmanager.Secret(this, 'JumpCloudApiKey', {
      description:
        'JumpCloud admin API key for the onboarding function: a bare key, or JSON {"apiKey": "...", "orgId": "..."}. ' +
        'Created with a placeholder that holds no apiKey; set it with aws secretsmanager put-secret-value.',
      // No key in code or context: a placeholder with no `apiKey`, which the function reports as
      // malformed until the admin puts the real value.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({
          note: 'placeholder: put the JumpCloud API key here (README, Deploy)',
        }),
        generateStringKey: 'placeholder',
        excludePunctuation: true,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'JumpCloudApiKey holds a JumpCloud admin API key, which only JumpCloud can issue; AWS rotation cannot ' +
        'create a new one. The admin rotates it in JumpCloud and puts the new value.',
    });
    return secret;
  }
}

function dropBucketLifecycle(settings: OnboardingSettings): s3.LifecycleRule[] {
  return [
    {
      // Dropped files may hold initial passwords: keep them (and every old version) only briefly.
      id: 'expire-incoming',
      prefix: PREFIXES.incoming,
      expiration: Duration.days(settings.incomingRetentionDays),
      noncurrentVersionExpiration: Duration.days(settings.incomingRetentionDays),
    },
    {
      id: 'remove-incoming-delete-markers',
      prefix: PREFIXES.incoming,
      expiredObjectDeleteMarker: true,
    },
    {
      id: 'expire-outcomes',
      prefix: PREFIXES.outcomes,
      expiration: Duration.days(settings.outcomesRetentionDays),
      noncurrentVersionExpiration: Duration.days(settings.outcomesRetentionDays),
    },
    {
      id: 'expire-state',
      prefix: PREFIXES.state,
      expiration: Duration.days(settings.stateRetentionDays),
      noncurrentVersionExpiration: Duration.days(1),
    },
    { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
  ];
}
