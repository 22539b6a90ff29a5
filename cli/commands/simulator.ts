/**
 * `jc-onboard simulator`: the loopback JumpCloud stand-in the tests and the demo use, served until
 * Ctrl-C, for trying `run` without a JumpCloud account. Its key is made up and printed on purpose:
 * it opens nothing but this simulator.
 */
import { startJumpCloudSimulator } from '../../local/jumpcloud-simulator';
import { EXIT_OK, UsageError } from '../exit-codes';

/** A made-up key shaped like a real one (admin keys start with `jca_`). Not a secret. */
export const SIMULATOR_API_KEY = 'jca_SimulatorKeyForTryingJcOnboard00000';

export interface SimulatorCommandOptions {
  port: number;
  apiKey: string;
  orgId?: string;
}

export async function simulatorCommand(options: SimulatorCommandOptions): Promise<number> {
  const simulator = await startJumpCloudSimulator({
    apiKey: options.apiKey,
    port: options.port,
    ...(options.orgId ? { orgId: options.orgId } : {}),
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`port ${options.port} is in use: choose another with --port`);
    throw error;
  });
  const orgFlag = options.orgId ? ` --org-id ${options.orgId}` : '';
  process.stdout.write(
    [
      `JumpCloud simulator listening on ${simulator.url}  (Ctrl-C to stop)`,
      `API key: ${options.apiKey}  (made up: it opens only this simulator)`,
      '',
      'In another terminal:',
      `  export JUMPCLOUD_API_KEY=${options.apiKey}`,
      `  npx jc-onboard run examples/users.csv --api-url ${simulator.url}${orgFlag} --allow-example`,
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.close();
  process.stdout.write(`Simulator stopped (${simulator.users().length} users were in it).\n`);
  return EXIT_OK;
}
