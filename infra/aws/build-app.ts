import { App, Tags, type AppProps } from 'aws-cdk-lib';
import { apiFunctions } from '../../functions/manifest.ts';
import { addCompliancePacks } from './compliance.ts';
import { readConfig, type ClearwayConfig } from './config.ts';
import { ClearwayStack } from './stack.ts';

/**
 * The Clearway CDK app: one stack `Clearway-<env>` checked by the cdk-nag packs. Kept apart
 * from `app.ts` (the entry `cdk.json` runs) so tests build exactly the same app.
 *
 * The context (`cdk.json` and `-c` flags) is read and validated here, once, before any
 * construct exists: a bad value throws a `ContextError` naming the flag.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: ClearwayStack; config: ClearwayConfig } {
  const app = new App(props);
  const config = readConfig(
    app,
    apiFunctions.map((f) => f.name),
  );
  const stack = new ClearwayStack(app, `Clearway-${config.envName}`, {
    config,
    description: `Clearway (${config.envName}): API, data, identity, imports and monitoring`,
  });
  Tags.of(stack).add('project', 'clearway');
  Tags.of(stack).add('environment', config.envName);
  addCompliancePacks(app);
  return { app, stack, config };
}
