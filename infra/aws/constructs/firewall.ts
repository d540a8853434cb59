import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface FirewallProps {
  /** The API stage the web ACL protects. */
  readonly stage: Stage;
  /** Requests one client IP may send in any 5-minute window before it is blocked. @default 2000 */
  readonly rateLimitPer5Minutes?: number;
  readonly logRetention: RetentionDays;
  /** Encrypts the WAF log group. */
  readonly logEncryptionKey: IKey;
}

/** Names of the rules, also their CloudWatch metric names. */
export const WAF_RULES = {
  rateLimit: 'RateLimitPerIp',
  common: 'AWSManagedRulesCommonRuleSet',
  knownBadInputs: 'AWSManagedRulesKnownBadInputsRuleSet',
} as const;

/**
 * A regional WAF web ACL on the API stage: a per-IP rate limit, then AWS's common rule set and
 * known-bad-inputs rule set. Every rule emits CloudWatch metrics and sampled requests; every
 * request is logged to a KMS-encrypted log group with the Authorization header redacted.
 *
 * The common rule set's `SizeRestrictions_BODY` (bodies over 8 KB) only counts: hazard-area and
 * cleared-area geometries legitimately reach hundreds of kilobytes (up to 5,000 vertices), and
 * the app enforces its own 1 MB limit with a 413 (`shared/http/api.ts`).
 */
export class Firewall extends Construct {
  public readonly webAcl: CfnWebACL;
  /** The web ACL's name, the `WebACL` dimension of its metrics. */
  public readonly webAclName: string;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: FirewallProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.webAclName = `${stack.stackName}-api`;

    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const managed = (name: string, priority: number, overrides: string[] = []): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ...(overrides.length > 0 ? { ruleActionOverrides: overrides.map((rule) => ({ name: rule, actionToUse: { count: {} } })) } : {}),
        },
      },
      visibilityConfig: visibility(name),
    });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: this.webAclName,
      description: `Protects the ${stack.stackName} API stage`,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${stack.stackName}-api`),
      rules: [
        {
          name: WAF_RULES.rateLimit,
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: props.rateLimitPer5Minutes ?? 2000, evaluationWindowSec: 300, aggregateKeyType: 'IP' } },
          visibilityConfig: visibility(WAF_RULES.rateLimit),
        },
        managed(WAF_RULES.common, 1, ['SizeRestrictions_BODY']),
        managed(WAF_RULES.knownBadInputs, 2),
      ],
    });

    new CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF delivers to CloudWatch Logs only into groups named aws-waf-logs-*.
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 100 })}`,
      retention: props.logRetention,
      encryptionKey: props.logEncryptionKey,
    });
    const logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // The group's ARN without the trailing `:*` that LogGroup.logGroupArn carries.
      logDestinationConfigs: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      // The ID token in Authorization carries e-mail and custom attributes: never log it.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(this.logGroup);
  }
}
