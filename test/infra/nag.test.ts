import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, ServerlessChecks, type NagPack } from 'cdk-nag';
import { clearwayApp } from './app.ts';

/**
 * cdk-nag 3 is a CDK policy-validation plugin: after synthesis it walks the construct tree, skips
 * findings acknowledged with `Validations.of(construct).acknowledge()` on the resource or an
 * ancestor, writes the rest to `validation-report.json` in the cloud assembly and fails the
 * synthesis (a thrown ValidationFailed under vitest, exit code 1 under `cdk synth`).
 */
const { app } = clearwayApp();

const packs = (): NagPack[] => [new AwsSolutionsChecks(), new ServerlessChecks()];
const describeViolations = (pack: NagPack, severity?: string) =>
  pack
    .validateScope(app)
    .violations.filter((v) => severity === undefined || v.severity === severity)
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} (${v.severity}) at ${r.constructPath}: ${v.description}`));

interface AcknowledgementRecord {
  readonly path: string;
  readonly id: string;
  readonly reason: unknown;
  /** Acknowledged on the app, a stage or a whole stack: a blanket acknowledgement. */
  readonly blanket: boolean;
}
function acknowledgements(root: App): AcknowledgementRecord[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
          blanket: Stage.isStage(construct) || Stack.isStack(construct),
        })),
      ),
  );
}

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  it('finds no unacknowledged error in the app', () => {
    for (const pack of packs()) expect(describeViolations(pack, 'error'), pack.name).toEqual([]);
  });

  it('finds no unacknowledged warning either (cdk-nag 3 fails synthesis on those too)', () => {
    for (const pack of packs()) expect(describeViolations(pack, 'warning'), pack.name).toEqual([]);
  });

  // Bundles both functions and runs CDK's own template validation too: allow for a loaded machine.
  it('lets the app synthesize with its registered packs and writes a report with no violation', { timeout: 90_000 }, () => {
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations.map((v) => ({ plugin: r.pluginName, v })))).toEqual([]);
  });

  it('gives every acknowledgement a reason and puts none on the app or a whole stack', () => {
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(typeof ack.reason === 'string' ? ack.reason.trim().length : 0, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(40);
      expect(ack.id, ack.path).toMatch(/^Annotation::(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[.+\])?$/);
      expect(ack.blanket, `${ack.id} is acknowledged on all of ${ack.path || 'the app'}`).toBe(false);
    }
  });

  it('fails synthesis of the same app wiring on an unacknowledged error or warning', () => {
    // The wiring check itself: add non-compliant resources to a fresh app built the same way.
    const { app: probeApp } = clearwayApp({ skipBundling: true });
    const probe = new Stack(probeApp, 'NagProbe');
    new Secret(probe, 'UnrotatedSecret'); // AwsSolutions-SMG4, an error
    new LogGroup(probe, 'ForeverLogs', { retention: RetentionDays.INFINITE }); // Serverless-CloudWatchLogGroupRetentionPeriod, a warning
    let failure: unknown;
    try {
      probeApp.synth();
    } catch (e: unknown) {
      failure = e;
    }
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain('NagProbe/UnrotatedSecret/Resource');
    expect(message).toContain('AwsSolutions-SMG4');
    expect(message).toContain('NagProbe/ForeverLogs/Resource');
    expect(message).toContain('Serverless-CloudWatchLogGroupRetentionPeriod');
    // ...and nothing of the Clearway stack itself.
    expect(message).not.toMatch(/Clearway-[a-z0-9-]+\//);
  });
});
