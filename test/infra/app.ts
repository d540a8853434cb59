import { readFileSync } from 'node:fs';
import type { App } from 'aws-cdk-lib';
import { buildApp } from '../../infra/aws/build-app.ts';
import type { ClearwayStack } from '../../infra/aws/stack.ts';

/** The context `cdk synth` runs with (feature flags, env, logRetentionDays), read from cdk.json. */
export const cdkContext: Record<string, unknown> = (JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }).context;

/**
 * The app exactly as `infra/aws/app.ts` builds it, cdk-nag packs included. `skipBundling` leaves
 * the functions' code unbundled (CDK's `aws:cdk:bundling-stacks` context) for tests that only
 * look at the construct tree.
 */
export function clearwayApp(options: { skipBundling?: boolean; context?: Record<string, unknown> } = {}): { app: App; stack: ClearwayStack } {
  return buildApp({
    context: {
      ...cdkContext,
      ...(options.skipBundling ? { 'aws:cdk:bundling-stacks': [] } : {}),
      ...options.context,
    },
  });
}
