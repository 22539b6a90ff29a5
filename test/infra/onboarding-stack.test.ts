import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  arnText,
  buildApp,
  dropBucketId,
  functionRoleId,
  functionRoleStatements,
  list,
  logicalIdOf,
  onboardingFunctionId,
  resourcesGranting,
  type Statement,
  synth,
} from './synth';

const alarmTopicId = (t: Template) =>
  logicalIdOf(t, 'AWS::SNS::Topic', { DisplayName: 'JumpCloud onboarding alarms' });
const digestTopicId = (t: Template) =>
  logicalIdOf(t, 'AWS::SNS::Topic', { DisplayName: 'JumpCloud onboarding' });

// Synthesizing runs both cdk-nag packs: reaching an assertion means no unacknowledged finding.
let template: Template;
let bucketArn: string;
beforeAll(() => {
  template = synth();
  bucketArn = `<${dropBucketId(template)}.Arn>`;
});

describe('drop bucket', () => {
  it('is versioned, encrypted at rest, private, retained, and logs access to the log bucket', () => {
    const logBucket = logicalIdOf(template, 'AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-access-logs' })]) },
    });

    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: logBucket }, LogFilePrefix: 'drop-bucket/' },
      }),
    });
  });

  it('keeps its access logs in a bucket that is itself private, encrypted and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: Match.objectLike({
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        }),
        LifecycleConfiguration: {
          Rules: Match.arrayWith([{ Id: 'expire-access-logs', Status: 'Enabled', ExpirationInDays: 400 }]),
        },
      }),
    });
  });

  it('refuses every request without TLS and allows nothing to everyone, on both buckets', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);

    for (const policy of policies) {
      const statements = policy.Properties.PolicyDocument.Statement as Statement[];
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      const publicAllows = statements.filter(
        (s) => s.Effect === 'Allow' && JSON.stringify(s.Principal ?? {}).includes('"*"'),
      );
      expect(publicAllows).toEqual([]);
    }
  });

  it('deletes dropped files and their old versions after 7 days, keeps results 400 days and state 30', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'incoming/',
            Status: 'Enabled',
            ExpirationInDays: 7,
            NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          }),
          Match.objectLike({ Prefix: 'incoming/', ExpiredObjectDeleteMarker: true }),
          Match.objectLike({
            Prefix: 'outcomes/',
            ExpirationInDays: 400,
            NoncurrentVersionExpiration: { NoncurrentDays: 400 },
          }),
          Match.objectLike({ Prefix: 'state/', ExpirationInDays: 30 }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
    });
  });

  it('takes the retention periods from context', () => {
    const custom = synth({ incomingRetentionDays: '2', outcomesRetentionDays: 90 });

    custom.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'incoming/',
            ExpirationInDays: 2,
            NoncurrentVersionExpiration: { NoncurrentDays: 2 },
          }),
          Match.objectLike({ Prefix: 'outcomes/', ExpirationInDays: 90 }),
        ]),
      },
    });
  });
});

describe('trigger', () => {
  it('invokes the function for objects created under incoming/ ending in .csv or .CSV, nothing else', () => {
    const notifications = Object.values(template.findResources('Custom::S3BucketNotifications'));
    expect(notifications).toHaveLength(1);
    const config = notifications[0]?.Properties.NotificationConfiguration;

    expect(config.QueueConfigurations ?? []).toEqual([]);
    expect(config.TopicConfigurations ?? []).toEqual([]);
    const lambdaConfigs = config.LambdaFunctionConfigurations as {
      Events: string[];
      Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
      LambdaFunctionArn: unknown;
    }[];
    const filters = lambdaConfigs.map((c) => {
      expect(c.Events).toEqual(['s3:ObjectCreated:*']);
      expect(arnText(c.LambdaFunctionArn)).toBe(`<${onboardingFunctionId(template)}.Arn>`);
      return Object.fromEntries(c.Filter.Key.FilterRules.map((rule) => [rule.Name, rule.Value]));
    });
    expect(filters).toEqual(
      expect.arrayContaining([
        { prefix: 'incoming/', suffix: '.csv' },
        { prefix: 'incoming/', suffix: '.CSV' },
      ]),
    );
    expect(filters).toHaveLength(2);
  });

  it('lets only the drop bucket of this account invoke the function', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [onboardingFunctionId(template), 'Arn'] },
      SourceArn: { 'Fn::GetAtt': [dropBucketId(template), 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('cannot be set off by the function: it writes only under outcomes/ and state/', () => {
    const statements = functionRoleStatements(template);
    const writes = ['s3:PutObject', 's3:PutObjectAcl', 's3:CopyObject', 's3:RestoreObject'].flatMap(
      (action) => resourcesGranting(statements, action),
    );

    expect(writes.sort()).toEqual([`${bucketArn}/outcomes/*`, `${bucketArn}/state/*`]);
  });
});

describe('function permissions', () => {
  let statements: Statement[];
  beforeAll(() => {
    statements = functionRoleStatements(template);
  });

  it('reads dropped files (any version) only under incoming/, results under outcomes/, mapping files under mappings/ and state under state/', () => {
    expect(resourcesGranting(statements, 's3:GetObject')).toEqual([
      `${bucketArn}/incoming/*`,
      `${bucketArn}/mappings/*`,
      `${bucketArn}/outcomes/*`,
      `${bucketArn}/state/*`,
    ]);
    expect(resourcesGranting(statements, 's3:GetObjectVersion')).toEqual([`${bucketArn}/incoming/*`]);
  });

  it('deletes processed input versions and finished runs, and nothing under outcomes/', () => {
    expect(resourcesGranting(statements, 's3:DeleteObjectVersion')).toEqual([`${bucketArn}/incoming/*`]);
    expect(resourcesGranting(statements, 's3:DeleteObject')).toEqual([
      `${bucketArn}/incoming/*`,
      `${bucketArn}/state/*`,
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DELETE_PROCESSED_INPUT: 'true' }) },
    });
  });

  it('keeps processed input (no delete permission on incoming/) when context says deleteProcessedInput false', () => {
    const keeping = synth({ deleteProcessedInput: 'false' });

    const kept = functionRoleStatements(keeping);
    expect(resourcesGranting(kept, 's3:DeleteObjectVersion')).toEqual([]);
    expect(resourcesGranting(kept, 's3:DeleteObject')).toEqual([`<${dropBucketId(keeping)}.Arn>/state/*`]);
    keeping.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DELETE_PROCESSED_INPUT: 'false' }) },
    });
  });

  it('has no S3 wildcard action and nothing on the whole bucket or all its objects but listing mappings/', () => {
    const s3Statements = statements.filter((s) => list(s.Action).some((a) => a.startsWith('s3:')));
    const listing = s3Statements.filter((s) => list(s.Action).includes('s3:ListBucket'));
    const others = s3Statements.filter((s) => !listing.includes(s));
    const actions = others.flatMap((s) => list(s.Action));
    const resources = others.flatMap((s) => list(s.Resource).map(arnText));

    expect(s3Statements.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    expect(resources).not.toContain('*');
    expect(resources).not.toContain(bucketArn);
    expect(resources).not.toContain(`${bucketArn}/*`);
    // Listing only the mapping files: a source folder without one is then a 404, not access denied.
    expect(listing).toEqual([
      expect.objectContaining({
        Action: 's3:ListBucket',
        Condition: { StringLike: { 's3:prefix': ['mappings/*'] } },
      }),
    ]);
  });

  it('may read the value of the one JumpCloud secret and nothing else in Secrets Manager', () => {
    const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret', {});
    const secretStatements = statements.filter((s) =>
      list(s.Action).some((a) => a.startsWith('secretsmanager:')),
    );

    expect(secretStatements).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: secretId },
      }),
    ]);
  });

  it('may invoke itself (to finish long files) and no other function', () => {
    expect(resourcesGranting(statements, 'lambda:InvokeFunction')).toEqual([
      `<${onboardingFunctionId(template)}.Arn>`,
    ]);
    const lambdaActions = statements.flatMap((s) => list(s.Action)).filter((a) => a.startsWith('lambda:'));
    expect(lambdaActions).toEqual(['lambda:InvokeFunction']);
  });

  it('grants nothing account-wide but writing X-Ray traces: every other statement names a resource of this stack', () => {
    const wildcards = statements.filter((s) => list(s.Resource).some((r) => arnText(r) === '*'));

    expect(wildcards.flatMap((s) => list(s.Action)).sort()).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('writes logs only to its own log group, with no AWS managed policy on its role', () => {
    const roleId = functionRoleId(template);
    const logGroupId = logicalIdOf(template, 'AWS::Logs::LogGroup', { RetentionInDays: 365 });

    expect(template.findResources('AWS::IAM::Role')[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
    expect(resourcesGranting(statements, 'logs:PutLogEvents')).toEqual([`<${logGroupId}.Arn>`]);
  });
});

describe('function', () => {
  it('runs the handler on Node.js 24, arm64, with explicit memory, timeout and reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 900,
      ReservedConcurrentExecutions: 2,
      RecursiveLoop: 'Terminate',
    });
  });

  it('is traced with X-Ray', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('gets the configuration the handler reads from its environment', () => {
    const secretId = logicalIdOf(template, 'AWS::SecretsManager::Secret', {});

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: {
          JUMPCLOUD_SECRET_ID: { Ref: secretId },
          JUMPCLOUD_API_URL: 'https://console.jumpcloud.com',
          INCOMING_PREFIX: 'incoming/',
          OUTCOMES_PREFIX: 'outcomes/',
          STATE_PREFIX: 'state/',
          JUMPCLOUD_CONCURRENCY: '64',
          DEFAULT_ACTION: 'create',
          SUSPEND_LIMIT: '20',
          POWERTOOLS_SERVICE_NAME: 'jumpcloud-onboarding',
          POWERTOOLS_METRICS_NAMESPACE: 'JumpCloudOnboarding',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  it('logs to its own log group, kept for a year and retained with the stack deleted', () => {
    const logGroupId = logicalIdOf(template, 'AWS::Logs::LogGroup', { RetentionInDays: 365 });

    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 365 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      LoggingConfig: { LogGroup: { Ref: logGroupId } },
    });
  });

  it('takes region, concurrency and log retention from context', () => {
    const custom = synth({
      jumpcloudRegion: 'eu',
      jumpcloudConcurrency: '4',
      reservedConcurrency: '5',
      logRetentionDays: '90',
    });

    custom.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      ReservedConcurrentExecutions: 5,
      Environment: {
        Variables: Match.objectLike({
          JUMPCLOUD_API_URL: 'https://console.eu.jumpcloud.com',
          JUMPCLOUD_CONCURRENCY: '4',
        }),
      },
    });
    custom.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('takes the default action and the suspend limit from context, and refuses a default that deletes', () => {
    const custom = synth({ defaultAction: 'upsert', suspendLimit: '50' });

    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DEFAULT_ACTION: 'upsert', SUSPEND_LIMIT: '50' }) },
    });
    expect(() => synth({ defaultAction: 'delete' })).toThrow(/defaultAction must be create or upsert/);
  });

  it('reserves no concurrency when context says none (accounts with a small concurrency quota)', () => {
    const custom = synth({ reservedConcurrency: 'none' });

    custom.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('retries a failed event twice within 6 hours, then sends it to the dead-letter queue', () => {
    const dlqId = logicalIdOf(template, 'AWS::SQS::Queue', {});

    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: onboardingFunctionId(template) },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
  });

  it('keeps failed events in an encrypted dead-letter queue that refuses requests without TLS', () => {
    const dlqId = logicalIdOf(template, 'AWS::SQS::Queue', {});

    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86400,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('customer-managed key', () => {
  it("is not created by default: the bucket keeps SSE-S3, the log group and queue their services' encryption", () => {
    template.resourceCountIs('AWS::KMS::Key', 1); // the alarm topic's own key only
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.absent() });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('encrypts the drop bucket, the log group and the dead-letter queue when customerManagedKey is true', () => {
    const keyed = synth({ customerManagedKey: 'true' });
    const keyId = logicalIdOf(keyed, 'AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('drop bucket'),
    });

    keyed.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          }),
        ]),
      },
    });
    keyed.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          }),
        ],
      },
    });
    keyed.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    keyed.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(resourcesGranting(functionRoleStatements(keyed), 'kms:Decrypt')).toContain(`<${keyId}.Arn>`);
  });
});

describe('secret', () => {
  it('is created without a value in the template: a placeholder with no apiKey, set after deploy', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: Match.absent(),
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'placeholder' }),
    });
    const secret = Object.values(template.findResources('AWS::SecretsManager::Secret'))[0];
    const template_ = JSON.parse(secret?.Properties.GenerateSecretString.SecretStringTemplate as string);
    expect(template_).not.toHaveProperty('apiKey');
  });

  it('can be an existing one by complete ARN: nothing created, only that ARN readable', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/jumpcloud-AbC123';
    const custom = synth({ jumpcloudSecretArn: arn });

    custom.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(resourcesGranting(functionRoleStatements(custom), 'secretsmanager:GetSecretValue')).toEqual([arn]);
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ JUMPCLOUD_SECRET_ID: arn }) },
    });
  });

  it('can be an existing one by name: only that name plus its 6-character suffix is readable', () => {
    const custom = synth({ jumpcloudSecretName: 'prod/jumpcloud' });

    custom.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const granted = resourcesGranting(functionRoleStatements(custom), 'secretsmanager:GetSecretValue');
    expect(granted).toEqual([
      'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:prod/jumpcloud-??????',
    ]);
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ JUMPCLOUD_SECRET_ID: 'prod/jumpcloud' }) },
    });
  });
});

describe('notifications', () => {
  it('give the function a digest topic of its own, encrypted and refusing publishing without TLS', () => {
    const topic = template.findResources('AWS::SNS::Topic')[digestTopicId(template)];

    expect(arnText(topic?.Properties.KmsMasterKeyId)).toBe(
      'arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:alias/aws/sns',
    );
    expect(digestTopicId(template)).not.toBe(alarmTopicId(template));
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: digestTopicId(template) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('tell the function the digest topic and the default event bus', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          NOTIFY_TOPIC_ARN: { Ref: digestTopicId(template) },
          EVENT_BUS_NAME: 'default',
        }),
      },
    });
  });

  it('let the function publish to that one topic and put events on that one bus, nothing more', () => {
    const statements = functionRoleStatements(template);
    const actions = statements.flatMap((s) => list(s.Action));

    expect(resourcesGranting(statements, 'sns:Publish')).toEqual([`<${digestTopicId(template)}>`]);
    expect(resourcesGranting(statements, 'events:PutEvents')).toEqual([
      'arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:event-bus/default',
    ]);
    expect(actions.filter((a) => a.startsWith('sns:') || a.startsWith('events:'))).toEqual([
      'sns:Publish',
      'events:PutEvents',
    ]);
  });

  it('email nobody the digest unless digestEmail is given', () => {
    template.resourcePropertiesCountIs(
      'AWS::SNS::Subscription',
      { TopicArn: { Ref: digestTopicId(template) } },
      0,
    );
  });

  it('email the digest to the address given as digestEmail, not the alarms', () => {
    const custom = synth({ digestEmail: 'hr@example.com' });

    custom.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'hr@example.com',
      TopicArn: { Ref: digestTopicId(custom) },
    });
    custom.resourcePropertiesCountIs(
      'AWS::SNS::Subscription',
      { TopicArn: { Ref: alarmTopicId(custom) } },
      0,
    );
  });

  it('refuse a digestEmail that is not an email address', () => {
    expect(() => synth({ digestEmail: 'hr at example' })).toThrow(/digestEmail is not an email address/);
  });
});

describe('alarms', () => {
  const alarmTopic = () => ({ Ref: alarmTopicId(template) });

  it('publish to an encrypted topic that refuses publishing without TLS', () => {
    const keyId = logicalIdOf(template, 'AWS::KMS::Key', {});

    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it.each([
    ['Errors', 'AWS/Lambda', 1],
    ['Throttles', 'AWS/Lambda', 6],
  ])('watch the function %s', (metricName, namespace, periods) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: namespace,
      MetricName: metricName,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: onboardingFunctionId(template) } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: periods,
      TreatMissingData: 'notBreaching',
      AlarmActions: [alarmTopic()],
    });
  });

  it('watch the dead-letter queue for any message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::SQS::Queue', {}), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmActions: [alarmTopic()],
    });
  });

  it.each(['RowsFailed', 'FilesFailed', 'NotificationsFailed'])(
    'watch the %s metric the function emits',
    (metricName) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'JumpCloudOnboarding',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'jumpcloud-onboarding' }],
        Statistic: 'Sum',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        TreatMissingData: 'notBreaching',
        AlarmActions: [alarmTopic()],
      });
    },
  );

  it('email nobody unless notificationEmail is given', () => {
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 0);
  });

  it('email the address given as notificationEmail', () => {
    const custom = synth({ notificationEmail: 'it-alerts@example.com' });

    custom.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'it-alerts@example.com',
      TopicArn: { Ref: alarmTopicId(custom) },
    });
  });
});

describe('outputs', () => {
  it('name the bucket, secret, topic, dead-letter queue, function and log group, and give the drop command', () => {
    const outputs = template.findOutputs('*');

    expect(arnText(outputs.BucketName?.Value)).toBe(`<${dropBucketId(template)}>`);
    expect(arnText(outputs.SecretArn?.Value)).toBe(
      `<${logicalIdOf(template, 'AWS::SecretsManager::Secret', {})}>`,
    );
    expect(arnText(outputs.AlarmTopicArn?.Value)).toBe(`<${alarmTopicId(template)}>`);
    expect(arnText(outputs.DigestTopicArn?.Value)).toBe(`<${digestTopicId(template)}>`);
    expect(arnText(outputs.DeadLetterQueueUrl?.Value)).toBe(
      `<${logicalIdOf(template, 'AWS::SQS::Queue', {})}>`,
    );
    expect(arnText(outputs.FunctionName?.Value)).toBe(`<${onboardingFunctionId(template)}>`);
    expect(arnText(outputs.LogGroupName?.Value)).toBe(
      `<${logicalIdOf(template, 'AWS::Logs::LogGroup', { RetentionInDays: 365 })}>`,
    );
    expect(arnText(outputs.DropCommand?.Value)).toBe(
      `aws s3 cp users.csv s3://<${dropBucketId(template)}>/incoming/users.csv`,
    );
  });
});

describe('cdk-nag', () => {
  it('fails synthesis on a finding nobody acknowledged', () => {
    const { stack } = buildApp();
    // A bucket without access logs, TLS policy or the rest: AwsSolutions-S1 and S10 apply.
    new s3.Bucket(stack, 'CarelessBucket');

    expect(() => Template.fromStack(stack)).toThrow(/AwsSolutions-S1/);
  });

  it('passes with every optional feature on', () => {
    expect(() =>
      synth({
        notificationEmail: 'it-alerts@example.com',
        digestEmail: 'hr@example.com',
        jumpcloudSecretName: 'prod/jumpcloud',
        reservedConcurrency: 'none',
        customerManagedKey: 'true',
        deleteProcessedInput: 'false',
      }),
    ).not.toThrow();
  });
});
