/**
 * How the onboarding function is bundled, in one place: the CDK construct (onboarding-function.ts)
 * hands these settings to NodejsFunction, and `buildFunctionBundle` runs esbuild with the same
 * ones, so the benchmark (or anyone curious) measures the very file `cdk deploy` uploads: its
 * size, gzipped size, what takes the room, and how fast it loads.
 * esbuild is the devDependency CDK bundles with; no CDK import here, so building the bundle does
 * not cost loading aws-cdk-lib.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The function's runtime (Lambda `nodejs24.x`) as esbuild's target. */
export const FUNCTION_TARGET = 'node24';

/**
 * Packages the bundle takes from the project instead (esbuild `alias`; paths from the project root).
 * Only the bundle: the tests, the demo and the command line run the TypeScript with the packages.
 */
export const FUNCTION_ALIASES = {
  // The SDK clients' default credential chain. In Lambda the role's credentials are always in the
  // environment; the chain's SSO, profile, web identity and metadata providers, with the STS,
  // SSO and sign-in clients they bring, were 105 KB of the bundle and never used.
  '@aws-sdk/credential-provider-node': './lambda/aws-credentials.ts',
} as const;

/** The esbuild settings NodejsFunction is given (aws-cdk-lib/aws-lambda-nodejs BundlingOptions). */
export const FUNCTION_BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // The function runs the SDK versions the lock file pins and the tests ran, not the runtime's.
  bundleAwsSDK: true,
  // The ES module builds first: the AWS SDK's and Powertools' tree-shake, their CommonJS builds
  // do not (the bundle is a third smaller). Output stays CommonJS, as NodejsFunction writes it.
  mainFields: ['module', 'main'],
  // On esbuild's command line as --alias:<package>=<path>.
  esbuildArgs: { '--alias': Object.entries(FUNCTION_ALIASES).map(([name, file]) => `${name}=${file}`) },
  // esbuild reads the aliases' paths from its working folder: the project root when bundling
  // locally, and in Docker (only without a local esbuild) where the root is mounted,
  // AssetStaging.BUNDLING_INPUT_DIR.
  workingDirectory: '/asset-input',
} as const;

/** The handler source, relative to the project root. */
export const FUNCTION_ENTRY = 'lambda/handler.ts';

export interface FunctionBundle {
  /** Absolute path of the bundled handler (`index.js`, CommonJS, exporting `handler`). */
  file: string;
  /** Size of `index.js` in bytes, minified, as uploaded (its source map is beside it). */
  bytes: number;
  gzipBytes: number;
  /** Bytes in the bundle by package (`@aws-sdk/client-s3`, `zod`, ...; our own code is `(project)`), largest first. */
  packages: { name: string; bytes: number }[];
  /** Bytes in the bundle by source file (relative to the project root), largest first. */
  modules: { path: string; bytes: number }[];
}

/**
 * Bundles the handler into `outDir/index.js` exactly as `cdk synth` does (same entry, target,
 * format and options) and says how big it is and what it is made of.
 */
export async function buildFunctionBundle(
  outDir: string,
  projectRoot = process.cwd(),
): Promise<FunctionBundle> {
  await mkdir(outDir, { recursive: true });
  const file = path.resolve(outDir, 'index.js');
  const result = await build({
    absWorkingDir: projectRoot,
    entryPoints: [FUNCTION_ENTRY],
    bundle: true,
    platform: 'node',
    target: FUNCTION_TARGET,
    format: 'cjs',
    outfile: file,
    minify: FUNCTION_BUNDLING.minify,
    sourcemap: FUNCTION_BUNDLING.sourceMap,
    sourcesContent: FUNCTION_BUNDLING.sourcesContent,
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    alias: FUNCTION_ALIASES,
    metafile: true,
    logLevel: 'warning',
  });
  const code = await readFile(file);
  const output = Object.values(result.metafile.outputs).find((entry) => entry.entryPoint !== undefined);
  const inputs = Object.entries(output?.inputs ?? {}).map(([input, { bytesInOutput }]) => ({
    path: input,
    bytes: bytesInOutput,
  }));
  const byPackage = new Map<string, number>();
  for (const { path: input, bytes: bytesInOutput } of inputs) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(project)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  return {
    file,
    bytes: code.length,
    gzipBytes: gzipSync(code).length,
    packages: [...byPackage]
      .map(([name, bytes]) => ({ name, bytes }))
      .sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)),
    modules: inputs.sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path)),
  };
}
