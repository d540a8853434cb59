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
  // The SDK is bundled (pinned, tree-shaken) instead of taken from the runtime, except the
  // Secrets Manager client: imported lazily on first use (shared/secrets.ts), it would cost every
  // cold start its parse time for a call made once per five minutes; the runtime's copy serves.
  externalModules: ['@aws-sdk/client-secrets-manager'] as string[],
  mainFields: ['module', 'main'],
  // Some CommonJS dependencies call require() on Node built-ins; ESM output needs a require.
  banner: "import { createRequire as __cwCreateRequire } from 'node:module'; const require = __cwCreateRequire(import.meta.url);",
} as const;

/** Environment every API function needs beyond what the stack binds (see `shared/config.ts`). */
export const FUNCTION_ENTRY = (name: string) => `functions/${name}/handler.ts`;
