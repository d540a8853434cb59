import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks, type NagPack } from 'cdk-nag';

/**
 * Registers the cdk-nag packs the app must pass: AwsSolutions, Serverless and NIST 800-53 rev 5.
 * cdk-nag 3 runs as a CDK policy-validation plugin after synthesis: any unacknowledged finding,
 * error or warning, fails `cdk synth` (and `app.synth()` in tests) and is listed in
 * `cdk.out/validation-report.json`. Findings are acknowledged where the resource is defined,
 * with `Validations.of(construct).acknowledge({ id, reason })`, never on the app or a stack.
 */
export function addCompliancePacks(app: App): readonly NagPack[] {
  const packs = [new AwsSolutionsChecks(app), new ServerlessChecks(app), new NIST80053R5Checks(app)];
  Validations.of(app).addPlugins(...packs);
  return packs;
}
