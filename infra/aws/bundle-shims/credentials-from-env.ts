import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias in
 * infra/aws/bundling.ts). On Lambda the role's credentials are always in the environment, the
 * first place the default chain looks; the rest of the chain (SSO, INI files, process, web
 * identity, container and instance metadata) never answers there but costs each bundle about
 * 80 KB of code to parse at every cold start. Locally the handlers run unbundled with the full chain.
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
