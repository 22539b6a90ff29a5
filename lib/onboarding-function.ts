/**
 * The onboarding function with exactly the permissions it needs, its own log group, and a
 * dead-letter queue for events it could not process.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_BUNDLING, FUNCTION_TARGET } from './function-bundle';
import {
  METRICS_NAMESPACE,
  ONBOARDING_DEFAULTS,
  type OnboardingSettings,
  POWERTOOLS_SERVICE_NAME,
  PREFIXES,
} from './settings';

export interface OnboardingFunctionProps {
  /** The handler source (`lambda/handler.ts`, exporting `handler`). */
  readonly entry: string;
  /** The folder holding package.json and package-lock.json. */
  readonly projectRoot: string;
  readonly bucket: s3.IBucket;
  readonly secret: secretsmanager.ISecret;
  /** What the function passes to GetSecretValue: the secret's ARN, or its name. */
  readonly secretId: string;
  readonly settings: OnboardingSettings;
  /**
   * Customer-managed key for the log group and the dead-letter queue (and the bucket's objects).
   * @default - CloudWatch Logs' and SQS's own encryption
   */
  readonly encryptionKey?: kms.IKey;
}

export class OnboardingFunction extends Construct {
  readonly function: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: OnboardingFunctionProps) {
    super(scope, id);
    const { settings } = props;

    const key = props.encryptionKey;
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...(key
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const dlqReason =
      'DeadLetterQueue is itself the on-failure destination of the onboarding function; a queue behind it would ' +
      'only move the same events again. Its messages raise an alarm.';
    Validations.of(this.deadLetterQueue).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: dlqReason },
      { id: 'Serverless-SQSRedrivePolicy', reason: dlqReason },
    );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetentionDays,
      encryptionKey: key,
      // Logs outlive the stack, like the results: they are part of the audit trail.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An own role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'JumpCloud onboarding function: reads drops, writes results and state, reads the one API key secret',
    });
    this.logGroup.grantWrite(role);

    this.function = new NodejsFunction(this, 'Function', {
      description:
        'Creates JumpCloud users from a CSV dropped under incoming/ and writes the results under outcomes/',
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: ONBOARDING_DEFAULTS.functionMemoryMb,
      // Long files continue in a follow-on invocation before this runs out (see the handler).
      timeout: ONBOARDING_DEFAULTS.functionTimeout,
      reservedConcurrentExecutions: settings.reservedConcurrency,
      role,
      // Where the time of a slow file went (S3, Secrets Manager, each call to JumpCloud).
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      // Lambda stops a chain of more than 16 invocations started by one event: the function's
      // own continuations count too, so a file must finish within 16 invocations.
      recursiveLoop: lambda.RecursiveLoop.TERMINATE,
      retryAttempts: ONBOARDING_DEFAULTS.asyncRetryAttempts,
      maxEventAge: ONBOARDING_DEFAULTS.maxEventAge,
      // Covers S3 events and the function's own continuations alike: both are asynchronous.
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      environment: {
        JUMPCLOUD_SECRET_ID: props.secretId,
        JUMPCLOUD_API_URL: settings.jumpcloudApiUrl,
        INCOMING_PREFIX: PREFIXES.incoming,
        OUTCOMES_PREFIX: PREFIXES.outcomes,
        STATE_PREFIX: PREFIXES.state,
        MAPPINGS_PREFIX: PREFIXES.mappings,
        JUMPCLOUD_CONCURRENCY: String(settings.jumpcloudConcurrency),
        DEFAULT_ACTION: settings.defaultAction,
        SUSPEND_LIMIT: String(settings.suspendLimit),
        DELETE_PROCESSED_INPUT: String(settings.deleteProcessedInput),
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      // The same settings buildFunctionBundle uses to measure the bundle.
      bundling: {
        format: OutputFormat.CJS,
        target: FUNCTION_TARGET,
        ...FUNCTION_BUNDLING,
        mainFields: [...FUNCTION_BUNDLING.mainFields],
      },
    });

    this.grantLeastPrivilege(role, props);
    this.acknowledgeFindings(props);
  }

  /** Each grant names one prefix of the bucket, the one secret, or the function itself. */
  private grantLeastPrivilege(role: iam.Role, props: OnboardingFunctionProps): void {
    const { bucket } = props;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadDroppedFiles',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [bucket.arnForObjects(`${PREFIXES.incoming}*`)],
      }),
    );
    if (props.settings.deleteProcessedInput) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'DeleteProcessedFiles',
          // DeleteObjectVersion removes the processed version for good (the bucket is versioned).
          actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
          resources: [bucket.arnForObjects(`${PREFIXES.incoming}*`)],
        }),
      );
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteResults',
        // GetObject answers HeadObject: a repeat delivery finds the results of a finished run.
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [bucket.arnForObjects(`${PREFIXES.outcomes}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadMappingFiles',
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${PREFIXES.mappings}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // Listing the mappings prefix makes a folder without a mapping file a 404, not an access error.
        sid: 'ListMappingFiles',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${PREFIXES.mappings}*`] } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'KeepClaimsAndCheckpoints',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [bucket.arnForObjects(`${PREFIXES.state}*`)],
      }),
    );
    // Objects under a customer-managed key are read and written through it.
    props.encryptionKey?.grantEncryptDecrypt(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadJumpCloudApiKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretResourceArn(this, props)],
      }),
    );
    // A long file finishes in follow-on asynchronous invocations of this same function. A
    // separate policy, not the role's default one: the function depends on the default policy,
    // so naming the function's ARN there would be a circular dependency.
    new iam.Policy(this, 'SelfInvokePolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ContinueLongFiles',
          actions: ['lambda:InvokeFunction'],
          resources: [this.function.functionArn],
        }),
      ],
    });
  }

  private acknowledgeFindings(props: OnboardingFunctionProps): void {
    const defaultPolicy = this.function.role?.node.tryFindChild('DefaultPolicy');
    // Should CDK ever rename it, fail loudly here rather than with puzzling nag findings.
    if (defaultPolicy === undefined) throw new Error('OnboardingFunction: the role has no default policy');
    const bucketArn = Stack.of(this).getLogicalId(props.bucket.node.defaultChild as s3.CfnBucket);
    const objects = (prefix: string) => `AwsSolutions-IAM5[Resource::<${bucketArn}.Arn>/${prefix}*]`;
    Validations.of(defaultPolicy).acknowledge(
      {
        id: objects(PREFIXES.incoming),
        reason: `The onboarding function reads any dropped file, and only those: objects under ${PREFIXES.incoming}.`,
      },
      {
        id: objects(PREFIXES.outcomes),
        reason: `The onboarding function writes results files named after each input, only under ${PREFIXES.outcomes}.`,
      },
      {
        id: objects(PREFIXES.mappings),
        reason: `The onboarding function reads the mapping file of a drop's source folder, only under ${PREFIXES.mappings}.`,
      },
      {
        id: objects(PREFIXES.state),
        reason: `The onboarding function keeps per-file claims and checkpoints, only under ${PREFIXES.state}.`,
      },
    );
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'The onboarding function sends failed asynchronous events to DeadLetterQueue through its event invoke ' +
        'config (on-failure destination), which also records the error; a DeadLetterConfig would duplicate it.',
    });
    if (props.encryptionKey) {
      const reason =
        'The onboarding function encrypts and decrypts with the one customer-managed key of this stack ' +
        '(its bucket objects and dead letters); the wildcard covers the variants of one KMS action on that key.';
      Validations.of(defaultPolicy).acknowledge(
        { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
        { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
      );
    }
    Validations.of(defaultPolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: X-Ray has no resource-level permissions, so xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords can only be granted on "*"; they write traces and read nothing.',
    });
  }
}

/**
 * The one secret's ARN. A secret known only by name has an ARN ending in a random 6-character
 * suffix: `-??????` matches exactly six characters, so no other secret's ARN fits.
 */
function secretResourceArn(scope: Construct, props: OnboardingFunctionProps): string {
  const name = props.settings.jumpcloudSecretName;
  if (name === undefined) return props.secret.secretArn;
  return Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${name}-??????`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
