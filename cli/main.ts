/**
 * `jc-onboard`: the command line for a users CSV on this machine. Exit codes: cli/exit-codes.ts.
 * Each command's code (and the engine under it) is imported when that command runs, so `--help`
 * and a usage error answer at once.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { RowAction } from '../lambda/domain';
import { CONCURRENCY_CEILING, DEFAULT_MAX_CONCURRENCY } from '../lambda/jumpcloud/adaptive-concurrency';
import { DEFAULT_SUSPEND_LIMIT } from '../lambda/onboarding/suspend-limit';
import { version } from '../package.json';
import { EXIT_OK, EXIT_USAGE, UsageError } from './exit-codes';
import { PromptCancelledError, readApiKey } from './prompt';

/** JumpCloud's console hosts per region (API notes, "Hosts, auth, tenancy"). */
export const REGION_URLS = {
  us: 'https://console.jumpcloud.com',
  eu: 'https://console.eu.jumpcloud.com',
  in: 'https://console.in.jumpcloud.com',
} as const;
type Region = keyof typeof REGION_URLS;

const MAPPING_HELP =
  'a mapping file (JSON) saying how this export reads: columns, constants, usernames, dates (see README)';
const DEFAULT_SIMULATOR_PORT = 4570;

const EXIT_CODES_HELP = `
Exit codes:
  0  every row was created or is already in JumpCloud (validate: every row is valid)
  1  some rows are invalid or failed: the results say which and why
  2  nothing was done: wrong usage, a problem with the file as a whole (missing,
     not a CSV, a required column missing), the API key, or a JumpCloud URL that
     cannot be reached
  130  stopped with Ctrl-C: the rows already started are in the results`;

interface RunOptions {
  dryRun?: boolean;
  out?: string;
  force?: boolean;
  region?: Region;
  apiUrl?: string;
  orgId?: string;
  concurrency: number;
  json?: boolean;
  action: RowAction;
  suspendLimit: number;
  mapping?: string;
  allowExample?: boolean;
}

/** The program; each command hands its exit code to `exitWith`. */
export function buildProgram(exitWith: (code: number) => void): Command {
  const program = new Command('jc-onboard')
    .description(
      'Create JumpCloud users from a CSV file, check a file first, or try it all on a local simulator.',
    )
    .version(version)
    .exitOverride()
    .showHelpAfterError('(add --help for usage and examples)')
    .addHelpText(
      'after',
      `
Examples:
  $ jc-onboard template --out users.csv            start from a template
  $ jc-onboard validate users.csv                   check every row, no API calls
  $ jc-onboard run users.csv --dry-run              what would happen, nothing created
  $ JUMPCLOUD_API_KEY=... jc-onboard run users.csv  create the users
  $ jc-onboard simulator                            a local JumpCloud to try run against
${EXIT_CODES_HELP}`,
    );

  program
    .command('run')
    .description('Create the users of FILE in JumpCloud and write a results CSV next to it.')
    .argument('<file>', 'the users CSV (header row, one person per row)')
    .option('--dry-run', 'look every person up and say what would happen; change nothing')
    .addOption(
      new Option(
        '--action <action>',
        'what a row without an "action" cell does: create (leave people already there alone), upsert ' +
          '(update them), update, suspend (a leavers file) or unsuspend',
      )
        .choices(['create', 'update', 'upsert', 'suspend', 'unsuspend'])
        .default('create'),
    )
    .option(
      '--suspend-limit <n>',
      'the most people the file may suspend; a file over it suspends nobody',
      wholeNumber(0, 100_000),
      DEFAULT_SUSPEND_LIMIT,
    )
    .option(
      '--out <path>',
      'results CSV (default: next to FILE, <name>.results-<time>.csv) and <path>.summary.json beside it',
    )
    .option('--force', 'replace the --out files if they exist (never FILE itself)')
    .option('--mapping <file>', MAPPING_HELP)
    .addOption(
      new Option('--region <region>', 'JumpCloud region of your org (default: us)').choices(
        Object.keys(REGION_URLS),
      ),
    )
    .addOption(
      new Option('--api-url <url>', 'JumpCloud base URL instead of a region (e.g. the simulator)').env(
        'JUMPCLOUD_API_URL',
      ),
    )
    .addOption(
      new Option('--org-id <id>', 'organisation id, for multi-tenant (MSP) admins').env('JUMPCLOUD_ORG_ID'),
    )
    .option(
      '--concurrency <n>',
      'most JumpCloud requests in flight; starts at 8, grows while latency limits, paced once JumpCloud throttles',
      wholeNumber(1, CONCURRENCY_CEILING),
      DEFAULT_MAX_CONCURRENCY,
    )
    .option(
      '--allow-example',
      'accept emails at example.com, .org, .net (reserved for examples, refused by default: the template row), e.g. for the simulator',
    )
    .option(
      '--json',
      'print only JSON (summary and every row) on stdout; also the default when stdout is not a terminal',
    )
    .addHelpText(
      'after',
      `
The API key is read from JUMPCLOUD_API_KEY; on a terminal without it, you are asked for it
(typing is hidden). It is never printed or written to any file. Passwords in the file are sent
to JumpCloud and never written anywhere either.

Examples:
  $ export JUMPCLOUD_API_KEY=jca_...
  $ jc-onboard run new-hires.csv --dry-run
  $ jc-onboard run new-hires.csv --out results/new-hires.results.csv
  $ jc-onboard run new-hires.csv --region eu --org-id 5f0c1b2a3d4e5f6a7b8c9d0e
  $ jc-onboard run new-hires.csv --json > run.json
  $ jc-onboard run examples/users.csv --api-url http://127.0.0.1:${DEFAULT_SIMULATOR_PORT} --allow-example   (jc-onboard simulator)
${EXIT_CODES_HELP}`,
    )
    .action(async (file: string, options: RunOptions, command: Command) => {
      const baseUrl = apiUrlOf(options, command);
      const { onboardFile } = await import('./commands/onboard-file');
      const { JumpCloudClient } = await import('../lambda/jumpcloud/client');
      exitWith(
        await onboardFile({
          file,
          kind: options.dryRun ? 'dry-run' : 'run',
          defaultAction: options.action,
          suspendLimit: options.suspendLimit,
          mapping: options.mapping,
          out: options.out,
          force: options.force,
          json: options.json === true,
          concurrency: options.concurrency,
          allowExample: options.allowExample === true,
          openDirectory: async () => {
            const apiKey = await readApiKey({
              env: process.env,
              stdin: process.stdin,
              prompt: process.stderr,
            });
            return new JumpCloudClient({
              baseUrl,
              apiKey,
              orgId: options.orgId,
              concurrency: options.concurrency,
            });
          },
        }),
      );
    });

  program
    .command('validate')
    .description('Check every row of FILE without contacting JumpCloud: a per-row report of what is wrong.')
    .argument('<file>', 'the users CSV')
    .option('--out <path>', 'also write the per-row results CSV (and its .summary.json) here')
    .option('--force', 'replace the --out files if they exist (never FILE itself)')
    .option('--mapping <file>', MAPPING_HELP)
    .option(
      '--allow-example',
      'accept emails at example.com, .org, .net (reserved for examples, refused by default: the template row), e.g. for the simulator',
    )
    .option('--json', 'print only JSON on stdout; also the default when stdout is not a terminal')
    .addHelpText(
      'after',
      `
Checks what needs no API: required columns, email and username rules, states, yes/no values,
duplicates within the file. Whether a user already exists needs JumpCloud: use run --dry-run.

Examples:
  $ jc-onboard validate new-hires.csv
  $ jc-onboard validate new-hires.csv --out new-hires.check.csv
  $ jc-onboard validate new-hires.csv --json | jq '.outcomes[] | select(.status == "invalid")'
${EXIT_CODES_HELP}`,
    )
    .action(
      async (
        file: string,
        options: { out?: string; force?: boolean; json?: boolean; mapping?: string; allowExample?: boolean },
      ) => {
        const { onboardFile } = await import('./commands/onboard-file');
        exitWith(
          await onboardFile({
            file,
            kind: 'validate',
            mapping: options.mapping,
            out: options.out ?? false,
            force: options.force,
            json: options.json === true,
            allowExample: options.allowExample === true,
          }),
        );
      },
    );

  program
    .command('columns')
    .description(
      'Show how each column of FILE is understood (field, HR system preset or mapping, or ignored and why) and its first rows, passwords masked.',
    )
    .argument('<file>', 'an export, e.g. from BambooHR, Workday, HiBob, Personio, Rippling or Gusto')
    .option('--mapping <file>', MAPPING_HELP)
    .option('--json', 'print only JSON on stdout; also the default when stdout is not a terminal')
    .addHelpText(
      'after',
      `
Nothing is sent anywhere. Exit code 1 when the file misses a column it needs.

Examples:
  $ jc-onboard columns bamboohr-export.csv
  $ jc-onboard columns acme-hr.csv --mapping acme-hr.json`,
    )
    .action(async (file: string, options: { mapping?: string; json?: boolean }) => {
      const { columnsCommand } = await import('./commands/columns');
      exitWith(await columnsCommand({ file, mapping: options.mapping, json: options.json === true }));
    });

  program
    .command('template')
    .description('Write a users CSV template: every supported column and one example row.')
    .option('--out <path>', 'write the template to this file (default: print it)')
    .option('--force', 'replace the --out file if it exists')
    .option('--columns', 'list every supported column, what it means and the header spellings accepted')
    .addHelpText(
      'after',
      `
Examples:
  $ jc-onboard template --out new-hires.csv
  $ jc-onboard template > new-hires.csv
  $ jc-onboard template --columns`,
    )
    .action(async (options: { out?: string; force?: boolean; columns?: boolean }) => {
      const { templateCommand } = await import('./commands/template');
      exitWith(await templateCommand(options));
    });

  program
    .command('simulator')
    .description('Serve a local JumpCloud simulator on 127.0.0.1, to try run without a JumpCloud account.')
    .option(
      '--port <n>',
      'port to listen on (0: any free port)',
      wholeNumber(0, 65_535),
      DEFAULT_SIMULATOR_PORT,
    )
    .option('--api-key <key>', 'the key the simulator accepts (default: a made-up key it prints)')
    .option('--org-id <id>', 'require this x-org-id, like a multi-tenant org')
    .addHelpText(
      'after',
      `
The simulator keeps its users in memory until it stops (Ctrl-C).

Examples:
  $ jc-onboard simulator
  $ jc-onboard simulator --port 8080 --api-key my-test-key`,
    )
    .action(async (options: { port: number; apiKey?: string; orgId?: string }) => {
      const { SIMULATOR_API_KEY, simulatorCommand } = await import('./commands/simulator');
      exitWith(
        await simulatorCommand({
          port: options.port,
          apiKey: options.apiKey ?? SIMULATOR_API_KEY,
          orgId: options.orgId,
        }),
      );
    });

  return program;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  // A script that asked for --json reads stdout only: a usage error must reach it there too.
  const usageError = (message: string): number => {
    if (argv.includes('--json')) {
      const command = argv.slice(2).find((arg) => !arg.startsWith('-')) ?? null;
      process.stdout.write(`${JSON.stringify({ command, exitCode: EXIT_USAGE, error: message }, null, 2)}\n`);
    }
    return EXIT_USAGE;
  };
  try {
    await program.parseAsync([...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version'
        ? EXIT_OK
        : usageError(error.message.replace(/^error: /, ''));
    }
    if (error instanceof UsageError || error instanceof PromptCancelledError) {
      process.stderr.write(`jc-onboard: ${error.message}\n`);
      return usageError(error.message);
    }
    // Our errors never carry a secret (lambda/errors.ts); say what broke and where to look.
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(
      `jc-onboard: unexpected error (${what}). Nothing more was sent; please report it.\n`,
    );
    return EXIT_USAGE;
  }
}

function apiUrlOf(options: RunOptions, command: Command): string {
  const fromCli = command.getOptionValueSource('apiUrl') === 'cli';
  if (options.region && options.apiUrl && fromCli) {
    throw new UsageError('give either --region or --api-url, not both');
  }
  // --region on the command line wins over JUMPCLOUD_API_URL from the environment.
  const url = options.region ? REGION_URLS[options.region] : (options.apiUrl ?? REGION_URLS.us);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `--api-url ${JSON.stringify(url)} is not a URL: give e.g. https://console.jumpcloud.com`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new UsageError(
      `--api-url must start with https:// (or http:// for a local simulator), got ${JSON.stringify(url)}`,
    );
  }
  return url;
}

function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max))
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    return n;
  };
}
