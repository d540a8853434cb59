import { App, Tags, type AppProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { addCompliancePacks } from './compliance.ts';
import { ClearwayStack } from './stack.ts';

const ENV_NAME = /^[a-z][a-z0-9-]{0,19}$/;

function envName(app: App): string {
  const value: unknown = app.node.tryGetContext('env');
  if (typeof value !== 'string' || !ENV_NAME.test(value)) {
    throw new Error(`context "env" must be a short lower-case name such as dev or prod (got ${JSON.stringify(value)})`);
  }
  return value;
}

function logRetention(app: App): RetentionDays {
  const raw: unknown = app.node.tryGetContext('logRetentionDays');
  // `-c logRetentionDays=30` arrives as a string, cdk.json's value as a number.
  const days = typeof raw === 'string' ? Number(raw) : raw;
  const allowed = Object.values(RetentionDays).filter((v): v is RetentionDays => typeof v === 'number');
  const match = allowed.find((v) => v === days);
  if (match === undefined) {
    throw new Error(`context "logRetentionDays" must be one of CloudWatch's retention periods (${allowed.join(', ')}), got ${JSON.stringify(raw)}`);
  }
  return match;
}

/**
 * The Clearway CDK app: one stack `Clearway-<env>` checked by the cdk-nag packs. Kept apart
 * from `app.ts` (the entry `cdk.json` runs) so tests build exactly the same app.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: ClearwayStack } {
  const app = new App(props);
  const env = envName(app);
  const stack = new ClearwayStack(app, `Clearway-${env}`, {
    envName: env,
    logRetention: logRetention(app),
    description: `Clearway (${env}): API, data and identity`,
  });
  Tags.of(stack).add('project', 'clearway');
  Tags.of(stack).add('environment', env);
  addCompliancePacks(app);
  return { app, stack };
}
