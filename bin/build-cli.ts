/**
 * Bundles the `jc-onboard` command line (cli/main.ts and everything it imports) into one
 * JavaScript file, so a call starts without compiling TypeScript first. Run by `npm ci` (the
 * "prepare" script), by the test suite before it starts, and by `npm run build:cli`.
 * The list of source files written beside the bundle lets the launcher (bin/jc-onboard.mjs)
 * notice a bundle older than the code, and run the TypeScript instead.
 */
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type BuildOptions, build } from 'esbuild';

const REPO = path.resolve(__dirname, '..');
/** Where bin/jc-onboard.mjs looks for them. */
const BUNDLE = path.join(REPO, 'dist', 'jc-onboard.cjs');
const BUNDLE_INPUTS = path.join(REPO, 'dist', 'jc-onboard.inputs.json');

/** How a program of this project is bundled to run on this machine's Node: the CLI, and the benchmark's workers. */
export const NODE_PROGRAM_BUILD = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // ES module builds first, as the function's bundle does (lib/function-bundle.ts): jsonc-parser's
  // CommonJS build is UMD, whose require('./impl/...') esbuild cannot follow.
  mainFields: ['module', 'main'],
  format: 'cjs',
  minify: true,
} as const satisfies BuildOptions;

export async function buildCli(): Promise<void> {
  // Written under temporary names, then renamed: a launcher starting meanwhile reads a whole file.
  const temporary = (file: string) => `${file}.${process.pid}.tmp`;
  const result = await build({
    ...NODE_PROGRAM_BUILD,
    entryPoints: [path.join(REPO, 'cli', 'main.ts')],
    outfile: temporary(BUNDLE),
    keepNames: true,
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(REPO, input));
  await writeFile(temporary(BUNDLE_INPUTS), `${JSON.stringify(inputs)}\n`);
  // The inputs list last: until it is there, the launcher sees a new bundle with an old list and
  // falls back to the TypeScript at worst.
  await rename(temporary(BUNDLE), BUNDLE);
  await rename(temporary(BUNDLE_INPUTS), BUNDLE_INPUTS);
}

if (require.main === module) {
  buildCli().catch((error: unknown) => {
    process.stderr.write(`build-cli: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
