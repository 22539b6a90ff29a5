/**
 * A fresh process doing what Lambda's runtime does on a cold start: load the built bundle, then
 * call its handler once. The parent times it from spawn to the message sent here, so the figure
 * covers Node starting, the bundle loading and the first file's whole run. Bundled by
 * buildPrograms (cases.ts), so it starts as plain JavaScript.
 */
import { lambdaContext } from '../local/lambda-runtime';

const [bundle, event] = process.argv.slice(2);
const send = (message: object, code: number) => process.send?.(message, () => process.exit(code));
// The bundle to load is named at run time: esbuild leaves this require to Node.
require(bundle as string)
  .handler(
    JSON.parse(event as string),
    lambdaContext({ requestId: `cold-start-${process.pid}`, remainingMs: () => 900_000 }),
  )
  .then(
    (result: unknown) => send({ result }, 0),
    (error: unknown) => send({ error: String(error) }, 1),
  );
