/**
 * How every function is bundled: the options the CDK `NodejsFunction` wrapper passes to
 * esbuild, kept here so the cold-start benchmark builds its baseline the same way.
 */
export const LAMBDA_NODE_TARGET = 'node24';

/** Options for `aws-cdk-lib/aws-lambda-nodejs` `BundlingOptions` (see `ClearwayFunction`). */
export const bundlingOptions = {
  format: 'esm',
  target: LAMBDA_NODE_TARGET,
  platform: 'node',
  minify: true,
  sourceMap: true,
  // The SDK is bundled (pinned, tree-shaken) instead of taken from the runtime, except clients
  // imported lazily for rare calls, whose parse time every cold start would otherwise pay: the
  // Secrets Manager client (shared/secrets.ts, once per five minutes) and the S3 client with its
  // presigner (functions/households/imports.ts, once per import job; 230 KB that pushed the
  // households bundle over 600 KB). The nodejs24.x runtime's own AWS SDK v3 serves them.
  externalModules: ['@aws-sdk/client-secrets-manager', '@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner'] as string[],
  mainFields: ['module', 'main'],
  // Env-only credentials (see the shim): the default chain's other providers never answer on Lambda.
  esbuildArgs: { '--alias:@aws-sdk/credential-provider-node': './infra/aws/bundle-shims/credentials-from-env.ts' },
  // Some CommonJS dependencies call require() on Node built-ins; ESM output needs a require.
  banner: "import { createRequire as __cwCreateRequire } from 'node:module'; const require = __cwCreateRequire(import.meta.url);",
} as const;

/** Environment every API function needs beyond what the stack binds (see `shared/config.ts`). */
export const FUNCTION_ENTRY = (name: string) => `functions/${name}/handler.ts`;
