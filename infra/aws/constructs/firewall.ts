import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { USER_RATE_LIMITS, type RateLimitedOperation, type UserRateLimit } from '../../../shared/http/user-rate-limits.ts';

export interface FirewallProps {
  /** The API stage the web ACL protects. */
  readonly stage: Stage;
  /** Requests one client IP may send in any 5-minute window before it is blocked. @default 2000 */
  readonly rateLimitPer5Minutes?: number;
  /** Per-user limits on expensive or probing operations, keyed on the Authorization header. @default USER_RATE_LIMITS (shared with the local server) */
  readonly userRateLimits?: readonly UserRateLimit[];
  /** The console's origin: the per-user limits' 429 carries CORS headers for it, so the console can read it. @default no CORS headers */
  readonly corsAllowedOrigin?: string;
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

/** The WAF rule (and metric) name of a per-user limit. */
export const userRateLimitRuleName = (rule: Pick<UserRateLimit, 'name'>): string => `UserLimit-${rule.name}`;

/** The custom response body every per-user limit answers with (problem details; WAF offers only `application/json`). */
const RATE_LIMITED_BODY = 'rate-limited';

/**
 * The URI paths of an operation as WAF sees them: the stage name first on the execute-api
 * endpoint (`/prod/v1/households`), none behind a custom domain's base-path mapping; a path
 * parameter is one segment.
 */
export function wafPathRegex(path: string): string {
  const segments = path.split('/').map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')));
  return `^(/[^/]+)?${segments.join('/')}$`;
}

const operationStatement = (o: RateLimitedOperation): CfnWebACL.StatementProperty => ({
  andStatement: {
    statements: [
      {
        byteMatchStatement: {
          fieldToMatch: { method: {} },
          positionalConstraint: 'EXACTLY',
          searchString: o.method,
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
      // URL-decoded first, so that an encoded character cannot step around the rule.
      { regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: wafPathRegex(o.path), textTransformations: [{ priority: 0, type: 'URL_DECODE' }] } },
    ],
  },
});

/**
 * A rate-based rule per user limit: requests to its operations counted per distinct
 * `Authorization` header (one signed-in user's token; a request without one is not counted and
 * the authorizer refuses it), blocked past the limit with 429 problem details and `Retry-After`.
 */
function userRateLimitRule(
  rule: UserRateLimit,
  priority: number,
  visibility: (name: string) => CfnWebACL.VisibilityConfigProperty,
  corsAllowedOrigin: string | undefined,
): CfnWebACL.RuleProperty {
  const name = userRateLimitRuleName(rule);
  const statements = rule.operations.map(operationStatement);
  return {
    name,
    priority,
    action: {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: RATE_LIMITED_BODY,
          responseHeaders: [
            { name: 'Retry-After', value: String(rule.windowSeconds) },
            ...(corsAllowedOrigin
              ? [
                  { name: 'Access-Control-Allow-Origin', value: corsAllowedOrigin },
                  { name: 'Access-Control-Expose-Headers', value: 'Retry-After' },
                ]
              : []),
          ],
        },
      },
    },
    statement: {
      rateBasedStatement: {
        limit: rule.limit,
        evaluationWindowSec: rule.windowSeconds,
        aggregateKeyType: 'CUSTOM_KEYS',
        customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
        scopeDownStatement: statements.length === 1 ? statements[0]! : { orStatement: { statements } },
      },
    },
    visibilityConfig: visibility(name),
  };
}

/**
 * A regional WAF web ACL on the API stage: a per-IP rate limit, per-user limits on the expensive
 * or probing operations (`shared/http/user-rate-limits.ts`), then AWS's common rule set and
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
    const userLimits = props.userRateLimits ?? USER_RATE_LIMITS;

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
        ...userLimits.map((rule, i) => userRateLimitRule(rule, 1 + i, visibility, props.corsAllowedOrigin)),
        managed(WAF_RULES.common, 1 + userLimits.length, ['SizeRestrictions_BODY']),
        managed(WAF_RULES.knownBadInputs, 2 + userLimits.length),
      ],
      customResponseBodies: {
        [RATE_LIMITED_BODY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: 'urn:clearway:problem:too-many-requests',
            title: 'Too many requests',
            status: 429,
            detail: 'You sent too many requests of this kind; wait for the number of seconds in Retry-After, then try again.',
          }),
        },
      },
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
      logDestinationConfigs: [
        stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: this.logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      // The ID token in Authorization carries e-mail and custom attributes: never log it.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(this.logGroup);
  }
}
