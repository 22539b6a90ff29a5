/**
 * The function's bundle as `cdk deploy` ships it: esbuild with the options the stack's
 * NodejsFunction passes it (lib/onboarding-function.ts: CommonJS, minified, an external source
 * map without sources, the AWS SDK bundled, target = the runtime's Node, nodejs24.x), plus a
 * metafile to say which modules the bytes come from. Should the stack's build options move to a
 * shared function, build with that one here instead.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const HANDLER_ENTRY = path.resolve(__dirname, '..', 'lambda', 'handler.ts');

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
  const outfile = path.join(outdir, 'index.js');
  const result = await build({
    entryPoints: [HANDLER_ENTRY],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    outfile,
    metafile: true,
    logLevel: 'warning',
  });
  const code = await readFile(outfile);
  const inputs = result.metafile.outputs[path.relative(process.cwd(), outfile)]?.inputs ?? {};
  const byModule = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const name = moduleOf(input);
    byModule.set(name, (byModule.get(name) ?? 0) + bytesInOutput);
  }
  const biggest = [...byModule]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([module, bytes]) => ({ module, bytes, share: bytes / code.length }));
  return { rawBytes: code.length, gzipBytes: gzipSync(code).length, biggest, file: outfile };
}

/** The SDK's clients and the packages under them, counted as one. */
const AWS_SDK_SCOPES = ['@aws-sdk', '@smithy', '@aws-crypto'];

/** `node_modules/@aws-sdk/client-s3/dist-cjs/index.js` → the AWS SDK; `node_modules/zod/...` → `zod`; project files → "(our code)". */
function moduleOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return '(our code)';
  const [first = '', second = ''] = input.slice(at + 'node_modules/'.length).split('/');
  if (AWS_SDK_SCOPES.includes(first)) return 'AWS SDK (@aws-sdk, @smithy, @aws-crypto)';
  return first.startsWith('@') ? `${first}/${second}` : first;
}
