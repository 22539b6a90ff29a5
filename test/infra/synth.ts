/**
 * Builds the app exactly as bin/app.ts does (context parsing, cdk-nag packs), with cdk.json's
 * feature flags, and skips bundling so the tests need no esbuild run. An unacknowledged cdk-nag
 * finding makes synthesis, and so the test, fail.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { createOnboardingApp } from '../../lib/onboarding-app';

const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

export function buildApp(context: Record<string, unknown> = {}) {
  return createOnboardingApp({
    // The page for HR (on by default) has its own tests, hr-page.test.ts, which turn it on.
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], hrPage: 'false', ...context },
  });
}

export function synth(context: Record<string, unknown> = {}): Template {
  return Template.fromStack(buildApp(context).stack);
}

/** An IAM statement as CloudFormation renders it. */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

export const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * An ARN expression as readable text: `Fn::Join` joined, `Fn::GetAtt` as `<Id.Attr>`, `Ref`
 * as `<Id>`, so a test can compare `<DropBucket1234.Arn>/incoming/*` with a string.
 */
export function arnText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(arnText).join(separator);
  }
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Ref' in v) return `<${v.Ref as string}>`;
  return JSON.stringify(value);
}

export function logicalIdOf(template: Template, type: string, props: Record<string, unknown>): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} matching ${JSON.stringify(props)}, found ${ids.length}`);
  return ids[0] as string;
}

export const onboardingFunctionId = (template: Template) =>
  logicalIdOf(template, 'AWS::Lambda::Function', { Runtime: 'nodejs24.x' });

export const dropBucketId = (template: Template) =>
  logicalIdOf(template, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });

export function functionRoleId(template: Template): string {
  const fn = template.findResources('AWS::Lambda::Function')[onboardingFunctionId(template)];
  const role = fn?.Properties.Role as { 'Fn::GetAtt': [string, string] } | undefined;
  if (role === undefined) throw new Error('the onboarding function has no role');
  return role['Fn::GetAtt'][0];
}

/** Every statement of every policy attached to the onboarding function's role. */
export function functionRoleStatements(template: Template): Statement[] {
  const roleId = functionRoleId(template);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The resources (as text) that Allow statements grant `action` on. */
export function resourcesGranting(statements: Statement[], action: string): string[] {
  return statements
    .filter((s) => s.Effect === 'Allow' && list(s.Action).includes(action))
    .flatMap((s) => list(s.Resource).map(arnText))
    .sort();
}
