#!/usr/bin/env node
// Launcher for `jc-onboard` (package.json "bin"): runs the TypeScript command line through tsx,
// so there is no build step. The package is CommonJS, hence tsx's require hook.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
const { main } = require('../cli/main.ts');

process.exitCode = await main(process.argv);
