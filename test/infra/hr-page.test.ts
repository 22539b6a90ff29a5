import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { arnText, buildApp, dropBucketId, list, logicalIdOf, type Statement, synth } from './synth';

// Synthesizing runs both cdk-nag packs: reaching an assertion means no unacknowledged finding.
const METADATA_URL = 'https://sso.jumpcloud.com/saml2/metadata/onboarding-page';
let federated: Template;
let fallback: Template;
beforeAll(() => {
  federated = synth({ hrPage: 'true', hrPageSamlMetadataUrl: METADATA_URL, hrPageGroup: 'people-ops' });
  fallback = synth({ hrPage: 'true' });
});

const distributionId = (template: Template) => logicalIdOf(template, 'AWS::CloudFront::Distribution', {});
const apiRoleStatements = (template: Template): Statement[] => {
  const fn = Object.values(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: Match.objectLike({ ALLOWED_GROUP: Match.anyValue() }) } },
    }),
  );
  expect(fn).toHaveLength(1);
  const roleId = (fn[0]?.Properties.Role as { 'Fn::GetAtt': [string] } | undefined)?.['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
};

describe('sign-in', () => {
  it('federates to JumpCloud over SAML from the metadata URL given, and offers only JumpCloud', () => {
    federated.hasResourceProperties('AWS::Cognito::UserPoolIdentityProvider', {
      ProviderName: 'JumpCloud',
      ProviderType: 'SAML',
      ProviderDetails: { MetadataURL: METADATA_URL },
    });
    federated.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      SupportedIdentityProviders: ['JumpCloud'],
      AllowedOAuthFlows: ['code'],
      GenerateSecret: false,
      CallbackURLs: [
        { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(federated), 'DomainName'] }, '/']] },
      ],
    });
  });

  it('falls back to Cognito’s own users, invited by an admin only, when no metadata URL is given', () => {
    fallback.resourceCountIs('AWS::Cognito::UserPoolIdentityProvider', 0);
    fallback.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      SupportedIdentityProviders: ['COGNITO'],
    });
    fallback.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
    });
  });
});

describe('the API', () => {
  it('lets only signed-in users through: every route has the JWT authorizer of the user pool and page client', () => {
    const authorizerId = logicalIdOf(federated, 'AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    const authorizer = federated.findResources('AWS::ApiGatewayV2::Authorizer')[authorizerId];
    expect(arnText(authorizer?.Properties.JwtConfiguration.Issuer)).toMatch(
      /^https:\/\/cognito-idp\.<AWS::Region>\.amazonaws\.com\/<HrPageUserPool\w+>$/,
    );
    const routes = Object.values(federated.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([
      'GET /api/download',
      'GET /api/file',
      'GET /api/files',
      'POST /api/uploads',
    ]);
    for (const route of routes) {
      expect(route.Properties).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });

  it('lets only members of the configured group use it: the group exists and the function checks for it', () => {
    federated.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'people-ops' });
    federated.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALLOWED_GROUP: 'people-ops' }) },
    });
    fallback.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'hr-onboarding' });
  });

  it('can presign uploads only into the web folders of incoming/, and read only web results and progress', () => {
    const statements = apiRoleStatements(federated);
    const bucket = `<${dropBucketId(federated)}.Arn>`;
    const granting = (action: string) =>
      statements
        .filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action))
        .flatMap((s) => list(s.Resource).map(arnText))
        .sort();

    expect(granting('s3:PutObject')).toEqual([
      `${bucket}/incoming/dry-run/web/*`,
      `${bucket}/incoming/web/*`,
    ]);
    expect(granting('s3:GetObject')).toEqual([
      `${bucket}/outcomes/dry-run/web/*`,
      `${bucket}/outcomes/web/*`,
      `${bucket}/state/dry-run/web/*`,
      `${bucket}/state/web/*`,
    ]);
    const listing = statements.find((s) => list(s.Action).includes('s3:ListBucket'));
    expect(listing?.Condition).toEqual({
      StringLike: {
        's3:prefix': [
          'incoming/web/*',
          'incoming/dry-run/web/*',
          'outcomes/web/*',
          'outcomes/dry-run/web/*',
          'state/web/*',
          'state/dry-run/web/*',
        ],
      },
    });
    expect(statements.flatMap((s) => list(s.Action)).filter((a) => /Delete|\*$/.test(a))).toEqual([]);
  });

  it('lets the page’s origin, and no other, PUT into the drop bucket from a browser', () => {
    federated.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      CorsConfiguration: {
        CorsRules: [
          {
            AllowedMethods: ['PUT'],
            AllowedHeaders: ['content-type'],
            AllowedOrigins: [
              { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId(federated), 'DomainName'] }]] },
            ],
            MaxAge: 3000,
          },
        ],
      },
    });
  });
});

describe('the page', () => {
  it('is served by CloudFront over HTTPS from a private bucket only the distribution may read', () => {
    const distribution = distributionId(federated);
    federated.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Origins: [
          Match.objectLike({
            OriginAccessControlId: { 'Fn::GetAtt': [Match.stringLikeRegexp('OriginAccessControl'), 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
      }),
    });
    const siteBucket = logicalIdOf(federated, 'AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: Match.anyValue(),
      VersioningConfiguration: Match.absent(),
      LifecycleConfiguration: Match.absent(),
    });
    expect(federated.toJSON().Resources[siteBucket].Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = Object.values(federated.findResources('AWS::S3::BucketPolicy')).find(
      (p) => p.Properties.Bucket.Ref === siteBucket,
    );
    const allows = ((policy?.Properties.PolicyDocument.Statement ?? []) as Statement[]).filter(
      (s) => s.Effect === 'Allow',
    );
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': expect.objectContaining({
              'Fn::Join': ['', expect.arrayContaining([{ Ref: distribution }])],
            }),
          },
        },
      }),
    ]);
  });

  it('is left out with -c hrPage=false', () => {
    const { stack } = buildApp({ hrPage: 'false' });
    expect(stack.hrPage).toBeUndefined();
    expect(stack.node.tryFindChild('HrPage')).toBeUndefined();
  });
});
