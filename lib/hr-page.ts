/**
 * The page for HR (README, "The page for HR"): a static page in a private bucket behind
 * CloudFront, sign-in through a Cognito user pool (federated to JumpCloud over SAML when a
 * metadata URL is given, Cognito's own users otherwise), and a small HTTP API with a JWT
 * authorizer whose function presigns uploads into `incoming/` and downloads of the caller's own
 * results. Only members of one Cognito group get past the API function.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  AssetHashType,
  Aws,
  CfnOutput,
  DockerImage,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { bundlePage } from '../web/bundle';
import type { PageConfig } from '../web/page-config';
import { PAGE_CORS_RULE } from '../web/upload-cors';
import { FUNCTION_BUNDLING, FUNCTION_TARGET } from './function-bundle';
import { OnboardingConfigurationError, PREFIXES } from './settings';

/** The name the JumpCloud SAML provider has in the user pool (and in the page's sign-in link). */
export const JUMPCLOUD_PROVIDER_NAME = 'JumpCloud';

export const HR_PAGE_DEFAULTS = {
  group: 'hr-onboarding',
  /** `jc-onboarding-<account id>`: Cognito domain prefixes are unique per region. */
  domainPrefix: Fn.join('-', ['jc-onboarding', Aws.ACCOUNT_ID]),
} as const;

export interface HrPageOptions {
  /**
   * SAML metadata URL of the JumpCloud SSO application HR signs in with (https).
   * @default - no federation: Cognito's own users, created by an admin, sign in
   */
  readonly samlMetadataUrl?: string;
  /**
   * The Cognito group whose members may use the page.
   * @default 'hr-onboarding'
   */
  readonly group?: string;
  /**
   * Prefix of the Cognito hosted sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`).
   * @default 'jc-onboarding-<account id>'
   */
  readonly domainPrefix?: string;
}

export interface HrPageProps extends HrPageOptions {
  /** The drop bucket: uploads go under `incoming/`, results are read from `outcomes/`. */
  readonly bucket: s3.Bucket;
  /** Retention of the API's function and access logs. */
  readonly logRetention: logs.RetentionDays;
}

export class HrPage extends Construct {
  /** `https://<distribution domain>/`: where HR goes. */
  readonly url: string;
  readonly siteBucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly userPool: cognito.UserPool;
  readonly group: string;
  readonly api: apigw.HttpApi;
  readonly apiFunction: NodejsFunction;

  constructor(scope: Construct, id: string, props: HrPageProps) {
    super(scope, id);
    checkOptions(props);
    this.group = props.group ?? HR_PAGE_DEFAULTS.group;

    this.siteBucket = new s3.Bucket(this, 'SiteBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.siteBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'SiteBucket holds only the built page (HTML, CSS, script, config), readable only by CloudFront; ' +
        'no person or file of HR is ever stored there, so its access logs would record nothing worth auditing.',
    });

    // Private origin: only this distribution may read the bucket (origin access control).
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'JumpCloud onboarding: the page for HR',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        // The page is a handful of small files, replaced on every deploy: no caching to invalidate.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    this.url = `https://${this.distribution.distributionDomainName}/`;
    const origin = `https://${this.distribution.distributionDomainName}`;
    acknowledgeDistribution(this.distribution);

    const signIn = this.signIn(props);
    this.userPool = signIn.userPool;

    this.apiFunction = this.apiHandler(props);
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'JumpCloud onboarding: the API of the page for HR',
      corsPreflight: {
        allowOrigins: [origin],
        allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
    });
    const authorizer = new HttpJwtAuthorizer(
      'CognitoAuthorizer',
      `https://cognito-idp.${Aws.REGION}.amazonaws.com/${this.userPool.userPoolId}`,
      { jwtAudience: [signIn.client.userPoolClientId] },
    );
    const integration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction);
    for (const [method, routePath] of [
      [apigw.HttpMethod.POST, '/api/uploads'],
      [apigw.HttpMethod.GET, '/api/files'],
      [apigw.HttpMethod.GET, '/api/file'],
      [apigw.HttpMethod.GET, '/api/download'],
    ] as const) {
      this.api.addRoutes({ path: routePath, methods: [method], integration, authorizer });
    }
    this.logApiAccess(props);

    // The browser PUTs the file to the drop bucket itself, through the presigned link.
    props.bucket.addCorsRule({
      allowedOrigins: [origin],
      allowedMethods: PAGE_CORS_RULE.AllowedMethods.map((method) => method as s3.HttpMethods),
      allowedHeaders: PAGE_CORS_RULE.AllowedHeaders,
      maxAge: PAGE_CORS_RULE.MaxAgeSeconds,
    });

    const pageConfig: PageConfig = {
      apiUrl: this.api.apiEndpoint,
      signIn: {
        kind: 'cognito',
        domainUrl: signIn.domain.baseUrl(),
        clientId: signIn.client.userPoolClientId,
        ...(props.samlMetadataUrl ? { identityProvider: JUMPCLOUD_PROVIDER_NAME } : {}),
      },
    };
    new s3deploy.BucketDeployment(this, 'Page', {
      sources: [pageAsset(), s3deploy.Source.jsonData('config.json', pageConfig)],
      destinationBucket: this.siteBucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
    acknowledgeBucketDeployment(Stack.of(this), this.siteBucket);

    new CfnOutput(this, 'PageUrl', { value: this.url, description: 'The page for HR: send HR this address' });
    new CfnOutput(this, 'UserPoolId', {
      value: this.userPool.userPoolId,
      description: `Add HR people to the "${this.group}" group of this user pool`,
    });
  }

  private signIn(props: HrPageProps) {
    const userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${Stack.of(this).stackName}-hr-page`,
      // People are invited (or federated from JumpCloud), never sign themselves up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      // Applies to Cognito's own users (the fallback); JumpCloud enforces its own MFA for federated ones.
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plusPlanReason =
      'Threat protection (advanced security) needs the Cognito Plus plan, a per-user cost for a pool of a few ' +
      'HR people; sign-in is federated to JumpCloud, whose own policies (MFA, lockout) protect the account.';
    Validations.of(userPool).acknowledge(
      { id: 'AwsSolutions-COG3', reason: plusPlanReason },
      { id: 'AwsSolutions-COG8', reason: plusPlanReason },
    );

    const providers: cognito.UserPoolClientIdentityProvider[] = [];
    let jumpcloud: cognito.UserPoolIdentityProviderSaml | undefined;
    if (props.samlMetadataUrl) {
      jumpcloud = new cognito.UserPoolIdentityProviderSaml(this, 'JumpCloudSaml', {
        userPool,
        name: JUMPCLOUD_PROVIDER_NAME,
        metadata: cognito.UserPoolIdentityProviderSamlMetadata.url(props.samlMetadataUrl),
        attributeMapping: { email: cognito.ProviderAttribute.other('email') },
      });
      providers.push(cognito.UserPoolClientIdentityProvider.custom(JUMPCLOUD_PROVIDER_NAME));
    } else {
      providers.push(cognito.UserPoolClientIdentityProvider.COGNITO);
    }

    const domain = userPool.addDomain('SignInDomain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? HR_PAGE_DEFAULTS.domainPrefix },
    });
    const client = userPool.addClient('PageClient', {
      // A browser keeps no secret: authorization code with PKCE.
      generateSecret: false,
      authFlows: {},
      preventUserExistenceErrors: true,
      supportedIdentityProviders: providers,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [this.url],
        logoutUrls: [this.url],
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
    });
    if (jumpcloud) client.node.addDependency(jumpcloud);

    new cognito.CfnUserPoolGroup(this, 'OnboardingGroup', {
      userPoolId: userPool.userPoolId,
      groupName: props.group ?? HR_PAGE_DEFAULTS.group,
      description: 'May drop files through the page for HR and read their results',
    });
    return { userPool, domain, client };
  }

  private apiHandler(props: HrPageProps): NodejsFunction {
    const logGroup = new logs.LogGroup(this, 'ApiLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(this, 'ApiRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description:
        'Page for HR API: presigns uploads under incoming/ and downloads of results, reads progress',
    });
    logGroup.grantWrite(role);
    const projectRoot = path.join(__dirname, '..');
    const fn = new NodejsFunction(this, 'ApiFunction', {
      description: 'The page for HR: presigned uploads, the uploader’s files and progress, results downloads',
      entry: path.join(projectRoot, 'lambda', 'web-api', 'handler.ts'),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(10),
      role,
      logGroup,
      environment: {
        DROP_BUCKET: props.bucket.bucketName,
        ALLOWED_GROUP: props.group ?? HR_PAGE_DEFAULTS.group,
        INCOMING_PREFIX: PREFIXES.incoming,
        OUTCOMES_PREFIX: PREFIXES.outcomes,
        STATE_PREFIX: PREFIXES.state,
        NODE_OPTIONS: '--enable-source-maps',
      },
      // Bundled as the onboarding function is (function-bundle.ts): the SDK's ES modules tree-shake.
      bundling: {
        format: OutputFormat.CJS,
        target: FUNCTION_TARGET,
        ...FUNCTION_BUNDLING,
        mainFields: [...FUNCTION_BUNDLING.mainFields],
      },
    });

    // A presigned link can do only what this role may: so the role names the web folders only.
    const web = (prefix: string) => [`${prefix}web/*`, `${prefix}dry-run/web/*`];
    const { bucket } = props;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PresignUploads',
        actions: ['s3:PutObject'],
        resources: web(PREFIXES.incoming).map((keys) => bucket.arnForObjects(keys)),
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadResultsAndProgress',
        actions: ['s3:GetObject'],
        resources: [...web(PREFIXES.outcomes), ...web(PREFIXES.state)].map((keys) =>
          bucket.arnForObjects(keys),
        ),
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListWebFolders',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: {
          StringLike: { 's3:prefix': [PREFIXES.incoming, PREFIXES.outcomes, PREFIXES.state].flatMap(web) },
        },
      }),
    );
    bucket.encryptionKey?.grantEncryptDecrypt(role);

    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy === undefined) throw new Error('HrPage: the API role has no default policy');
    const bucketId = Stack.of(this).getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
    Validations.of(defaultPolicy).acknowledge(
      ...[PREFIXES.incoming, PREFIXES.outcomes, PREFIXES.state].flatMap(web).map((keys) => ({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${keys}]`,
        reason:
          `Every person has a folder of their own below ${keys.replace('*', '')} (named by their sign-in id); the ` +
          'API function checks that a request is for the caller’s own folder before presigning or reading.',
      })),
    );
    Validations.of(fn).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'The API function is invoked synchronously by API Gateway; the caller sees any error at once.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'X-Ray needs xray:PutTraceSegments on Resource "*"; the API access log and the function log show each call.',
      },
    );
    return fn;
  }

  private logApiAccess(props: HrPageProps): void {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = this.api.defaultStage?.node.defaultChild as apigw.CfnStage | undefined;
    if (stage === undefined) throw new Error('HrPage: the API has no default stage');
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        time: '$context.requestTime',
        route: '$context.routeKey',
        status: '$context.status',
        caller: '$context.authorizer.claims.sub',
        error: '$context.authorizer.error',
      }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 20, throttlingRateLimit: 10 };
  }
}

/** The built page as an asset: bundled here with the project's esbuild (no Docker on these machines). */
function pageAsset(): s3deploy.ISource {
  return s3deploy.Source.asset(path.join(__dirname, '..', 'web'), {
    // The page embeds the engine's column registry: hash what was built, not the web/ folder.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('node:24-slim'),
      local: {
        tryBundle(outputDir: string) {
          mkdirSync(outputDir, { recursive: true });
          for (const [name, text] of bundlePage()) writeFileSync(path.join(outputDir, name), text);
          return true;
        },
      },
    },
  });
}

function checkOptions(props: HrPageOptions): void {
  if (props.samlMetadataUrl !== undefined && !/^https:\/\/\S+$/.test(props.samlMetadataUrl)) {
    throw new OnboardingConfigurationError(
      `hrPageSamlMetadataUrl must be the https metadata URL of the JumpCloud SSO application, got "${props.samlMetadataUrl}"`,
    );
  }
  if (props.group !== undefined && !/^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u.test(props.group)) {
    throw new OnboardingConfigurationError(
      `hrPageGroup must be a Cognito group name (no spaces), got "${props.group}"`,
    );
  }
  if (
    props.domainPrefix !== undefined &&
    !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(props.domainPrefix)
  ) {
    throw new OnboardingConfigurationError(
      `hrPageDomainPrefix must be lower-case letters, digits and hyphens, got "${props.domainPrefix}"`,
    );
  }
}

function acknowledgeDistribution(distribution: cloudfront.Distribution): void {
  Validations.of(distribution).acknowledge(
    {
      id: 'AwsSolutions-CFR1',
      reason: 'HR staff may work from anywhere; sign-in (JumpCloud) decides who gets in, not the country.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason:
        'The distribution serves a static page only; every request that does something goes to the API, which ' +
        'requires a signed-in JWT and is throttled. A WAF web ACL is a per-month cost left to the deployer.',
    },
    {
      id: 'AwsSolutions-CFR3',
      reason:
        'Standard CloudFront logs need ACLs, which the account-wide bucket owner enforced setting forbids here; ' +
        'the static page holds no data, and every API call is logged in the API access log.',
    },
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'The default *.cloudfront.net certificate allows only the TLS versions CloudFront chooses; a minimum ' +
        'protocol version can be set only with a custom domain and certificate, which the deployer may add.',
    },
  );
}

/** CDK's singleton function that copies the page into SiteBucket at deploy time. */
function acknowledgeBucketDeployment(stack: Stack, siteBucket: s3.Bucket): void {
  const siteBucketId = stack.getLogicalId(siteBucket.node.defaultChild as s3.CfnBucket);
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    const reason =
      'CDK’s deploy-time function that copies the built page into SiteBucket; CDK sets its role (basic ' +
      'execution policy, read of the asset, write to SiteBucket), runtime and settings, with no way to change them.';
    Validations.of(child).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason,
      },
      ...[
        'Action::s3:GetBucket*',
        'Action::s3:GetObject*',
        'Action::s3:List*',
        'Action::s3:Abort*',
        'Action::s3:DeleteObject*',
        'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
        `Resource::<${siteBucketId}.Arn>/*`,
        // cloudfront:CreateInvalidation has no resource-level form in CDK's policy for this function.
        'Resource::*',
      ].map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason })),
      { id: 'AwsSolutions-L1', reason },
      { id: 'Serverless-LambdaDLQ', reason },
      { id: 'Serverless-LambdaTracing', reason },
      { id: 'Serverless-LambdaDefaultMemorySize', reason },
      { id: 'Serverless-LambdaLatestVersion', reason },
    );
  }
}
