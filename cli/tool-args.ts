/**
 * Options of the project's other entry points (`npm run demo`, `npm start`, `npm run bench`):
 * each answers `--help` with its usage, and a bad option gets one line, not a stack trace.
 * (`jc-onboard` itself uses commander: cli/main.ts.)
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Exit code for wrong usage, as jc-onboard's (cli/exit-codes.ts). */
const EXIT_USAGE = 2;

/**
 * The parsed options; on `--help` prints `usage` and exits 0; on a bad option prints one line
 * naming it and exits 2.
 */
export function toolArgs<T extends ParseArgsConfig>(
  tool: string,
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  try {
    return parseArgs(config);
  } catch (error) {
    // node:util's messages name the option and say what is wrong with it, on one line.
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`${tool}: ${message} (add --help for usage)\n`);
    process.exit(EXIT_USAGE);
  }
}
