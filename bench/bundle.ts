/**
 * The function's bundle as `cdk deploy` ships it (lib/function-bundle.ts builds it with the
 * stack's own NodejsFunction settings), summed up for the report: raw and gzipped size, and the
 * biggest contributors with the AWS SDK's packages counted as one.
 */
import path from 'node:path';
import { buildFunctionBundle } from '../lib/function-bundle';

export interface BundleFigures {
  /** The minified index.js, bytes. */
  rawBytes: number;
  gzipBytes: number;
  /** Biggest contributors: npm packages by name, the project's own code as "(our code)". */
  biggest: { module: string; bytes: number; share: number }[];
  /** Path of the built index.js (for the cold start). */
  file: string;
}

export async function buildLambdaBundle(outdir: string): Promise<BundleFigures> {
  const bundle = await buildFunctionBundle(outdir, path.resolve(__dirname, '..'));
  const byModule = new Map<string, number>();
  for (const { name, bytes } of bundle.packages) {
    const module = contributorOf(name);
    byModule.set(module, (byModule.get(module) ?? 0) + bytes);
  }
  const biggest = [...byModule]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([module, bytes]) => ({ module, bytes, share: bytes / bundle.bytes }));
  return { rawBytes: bundle.bytes, gzipBytes: bundle.gzipBytes, biggest, file: bundle.file };
}

/** The SDK's clients and the packages under them, counted as one. */
const AWS_SDK_SCOPES = ['@aws-sdk/', '@smithy/', '@aws-crypto/'];

function contributorOf(packageName: string): string {
  if (packageName === '(project)') return '(our code)';
  if (AWS_SDK_SCOPES.some((scope) => packageName.startsWith(scope)))
    return 'AWS SDK (@aws-sdk, @smithy, @aws-crypto)';
  return packageName;
}
