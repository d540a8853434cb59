import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks, type NagPack } from 'cdk-nag';

/**
 * Registers the cdk-nag packs the app must pass. cdk-nag 3 runs as a CDK policy-validation
 * plugin after synthesis: any unacknowledged finding fails `cdk synth` (and `app.synth()` in
 * tests) and is listed in `cdk.out/policy-validation-report.json`. Findings are acknowledged
 * where the resource is defined, with `Validations.of(construct).acknowledge({ id, reason })`.
 */
export function addCompliancePacks(app: App): readonly NagPack[] {
  const packs = [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
  Validations.of(app).addPlugins(...packs);
  return packs;
}
