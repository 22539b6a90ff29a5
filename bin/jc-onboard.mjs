#!/usr/bin/env node
// Launcher for `jc-onboard` (package.json "bin"). It runs the prebuilt bundle (bin/build-cli.mjs,
// built by `npm ci`), which starts in a fraction of the time compiling TypeScript takes. When a
// source file is newer than the bundle (code changed since), it runs the TypeScript through tsx
// instead, so what runs is always the code as it is now. The package is CommonJS, hence require.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const bundle = fileURLToPath(new URL('../dist/jc-onboard.cjs', import.meta.url));
const inputs = fileURLToPath(new URL('../dist/jc-onboard.inputs.json', import.meta.url));

function bundleIsCurrent() {
  try {
    const builtAt = statSync(bundle).mtimeMs;
    const sources = JSON.parse(readFileSync(inputs, 'utf8'));
    return sources.every((source) => statSync(source).mtimeMs <= builtAt);
  } catch {
    return false; // no bundle yet, or a source moved: run the TypeScript
  }
}

let cli;
if (bundleIsCurrent()) {
  cli = require(bundle);
} else {
  // Both hooks: main.ts is required, and imports each command's code when that command runs.
  require('tsx/cjs/api').register();
  (await import('tsx/esm/api')).register();
  cli = require('../cli/main.ts');
}
process.exitCode = await cli.main(process.argv);
