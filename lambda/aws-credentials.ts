/**
 * The SDK clients' default credentials in the function's bundle: the role's credentials, from
 * the environment. The bundle takes this module in place of @aws-sdk/credential-provider-node
 * (FUNCTION_ALIASES, lib/function-bundle.ts); the TypeScript run by the tests, the demo and the
 * command line keeps the SDK's own chain.
 *
 * Lambda always hands a function its role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, valid for the life of the execution environment,
 * and that is the first link of the SDK's chain too. The rest of the chain (SSO, profiles, web
 * identity, container and instance metadata) never answers in Lambda. A function run where
 * credentials come some other way would need the alias removed.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { defaultProvider as sdkDefaultProvider } from '@aws-sdk/credential-provider-node';

/** Called as the SDK calls the chain's `defaultProvider`, with the same options. */
export const defaultProvider: typeof sdkDefaultProvider = (init) => fromEnv(init);
