/**
 * The command line's tests run `bin/jc-onboard.mjs` as a person does, which runs the prebuilt
 * bundle: build it from the code as it is now, once, before any test starts.
 */
import { buildCli } from '../bin/build-cli';

export default async function setup(): Promise<void> {
  await buildCli();
}
