import { readFileSync } from 'node:fs';
import type { App } from 'aws-cdk-lib';
import { buildApp } from '../../infra/aws/build-app.ts';
import type { ClearwayConfig } from '../../infra/aws/config.ts';
import type { ClearwayStack } from '../../infra/aws/stack.ts';

/** The context `cdk synth` runs with (feature flags, env, logRetentionDays...), read from cdk.json. */
export const cdkContext: Record<string, unknown> = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

/** Every optional context value set, as a deployment to a real environment would. */
export const fullContext: Record<string, unknown> = {
  env: 'staging',
  alarmEmail: 'alarms@example.org',
  consoleOrigin: 'https://console.example.org',
  ministryAccounts: '{"KH":"111111111111","TH":"222222222222"}',
  webhookAllowList: 'hooks.example.gov.kh,*.example.go.th',
  functionConcurrency: '{"tasks":{"reserved":20,"provisioned":2}}',
  webhookPorts: '443,8443',
  consoleWebAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/clearway-console/a1b2c3d4-5678-90ab-cdef-111122223333',
  consoleDomainNames: 'console.example.org',
  consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
};

/**
 * The app exactly as `infra/aws/app.ts` builds it, cdk-nag packs included. `skipBundling` leaves
 * the functions' code unbundled (CDK's `aws:cdk:bundling-stacks` context) for tests that only
 * look at the template or the construct tree; `context` overrides cdk.json's values as `-c` does;
 * `outdir` is where `app.synth()` writes the cloud assembly; `builtinCloudFormationValidation: false`
 * leaves out CDK's own template validation (seconds per synthesis) where only cdk-nag matters.
 */
export function clearwayApp(
  options: { skipBundling?: boolean; context?: Record<string, unknown>; outdir?: string; builtinCloudFormationValidation?: boolean } = {},
): { app: App; stack: ClearwayStack; config: ClearwayConfig } {
  return buildApp({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.builtinCloudFormationValidation === false ? { builtinCloudFormationValidation: false } : {}),
    context: {
      ...cdkContext,
      ...(options.skipBundling ? { 'aws:cdk:bundling-stacks': [] } : {}),
      ...options.context,
    },
  });
}
