import { describe, it, expect } from 'vitest';
import { Stack, Stage, Validations, type App } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { clearwayApp, fullContext } from './app.ts';

/**
 * cdk-nag 3 is a CDK policy-validation plugin: after synthesis it walks the construct tree, skips
 * findings acknowledged with `Validations.of(construct).acknowledge()` on the resource or an
 * ancestor, writes the rest to `validation-report.json` in the cloud assembly and fails the
 * synthesis (a thrown ValidationFailed under vitest, exit code 1 under `cdk synth`).
 *
 * Bundling is skipped here: it changes no resource the packs look at. assembly.test.ts runs the
 * one full synthesis (bundling, plugins, report) of the suite.
 */
const PACK_IDS = /^Annotation::(AwsSolutions|Serverless|NIST\.800\.53\.R5)-[A-Za-z0-9]+(\[.+\])?$/;

/** The three packs, each recording which acknowledgement (construct path and rule id) silenced a finding. */
function recordingPacks(used: Set<string>): NagPack[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks(), new NIST80053R5Checks()].map((pack) => {
    const original = (pack as unknown as { isAcknowledged: (r: IConstruct, id: string) => boolean }).isAcknowledged.bind(pack);
    Object.assign(pack, {
      isAcknowledged(resource: IConstruct, ruleId: string): boolean {
        const acknowledged = original(resource, ruleId);
        for (let c: IConstruct | undefined = resource; acknowledged && c; c = c.node.scope) {
          if (acknowledgementsOn(c).some((a) => a.id === `Annotation::${ruleId}`)) {
            used.add(`${c.node.path} ${ruleId}`);
            break;
          }
        }
        return acknowledged;
      },
    });
    return pack;
  });
}

interface AcknowledgementRecord {
  readonly path: string;
  readonly id: string;
  readonly reason: unknown;
  /** Acknowledged on the app, a stage or a whole stack: a blanket acknowledgement. */
  readonly blanket: boolean;
}
function acknowledgementsOn(construct: IConstruct): AcknowledgementRecord[] {
  return construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) =>
      Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
        path: construct.node.path,
        id,
        reason,
        blanket: Stage.isStage(construct) || Stack.isStack(construct),
      })),
    );
}
const acknowledgements = (root: App) => root.node.findAll().flatMap(acknowledgementsOn);

const variants = [
  { name: 'cdk.json context', app: clearwayApp({ skipBundling: true }).app },
  { name: 'every optional context value set', app: clearwayApp({ skipBundling: true, context: fullContext }).app },
];

describe.each(variants)('cdk-nag (AwsSolutions, Serverless, NIST 800-53 rev 5) with $name', ({ app }) => {
  const used = new Set<string>();
  const findings = recordingPacks(used).flatMap((pack) =>
    pack
      .validateScope(app)
      .violations.flatMap((v) =>
        v.violatingResources.map((r) => ({ severity: v.severity, text: `${v.ruleName} (${v.severity}) at ${r.constructPath}: ${v.description}` })),
      ),
  );

  it('finds no unacknowledged error', () => {
    expect(findings.filter((f) => f.severity === 'error').map((f) => f.text)).toEqual([]);
  });

  it('finds no unacknowledged warning either (cdk-nag 3 fails synthesis on those too)', () => {
    expect(findings.filter((f) => f.severity === 'warning').map((f) => f.text)).toEqual([]);
  });

  it('gives every acknowledgement a specific reason, on a resource (never the app or a whole stack)', () => {
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(typeof ack.reason === 'string' ? ack.reason.trim().length : 0, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(60);
      expect(ack.id, ack.path).toMatch(PACK_IDS);
      expect(ack.blanket, `${ack.id} is acknowledged on all of ${ack.path || 'the app'}`).toBe(false);
    }
  });

  it('has no stale acknowledgement: each one silences a finding that would otherwise fail the build', () => {
    const stale = acknowledgements(app)
      .map((a) => `${a.path} ${a.id.replace(/^Annotation::/, '')}`)
      .filter((key) => !used.has(key));
    expect(stale).toEqual([]);
  });
});

describe('cdk-nag wiring', () => {
  it('fails synthesis of the same app wiring on an unacknowledged error or warning, from each of the three packs', () => {
    // The wiring check itself: add non-compliant resources to a fresh app built the same way.
    const { app: probeApp } = clearwayApp({ skipBundling: true, builtinCloudFormationValidation: false });
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
    expect(message).toContain('NIST.800.53.R5-SecretsManagerUsingKMSKey');
    expect(message).toContain('NagProbe/ForeverLogs/Resource');
    expect(message).toContain('Serverless-CloudWatchLogGroupRetentionPeriod');
    // ...and nothing of the Clearway stack itself.
    expect(message).not.toMatch(/Clearway-[a-z0-9-]+\//);
  });
});
