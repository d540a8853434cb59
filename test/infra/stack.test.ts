import { describe, it, expect } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { tableDefinition } from '../../shared/db/table.ts';
import { ROLES } from '../../shared/domain/roles.ts';
import { apiFunctions } from '../../functions/manifest.ts';
import { PUBLIC_FUNCTIONS } from '../../infra/aws/stack.ts';
import { cdkContext, clearwayApp } from './app.ts';

// One synthesis (with real esbuild bundling) for the whole file.
const { stack } = clearwayApp();
const template = Template.fromStack(stack);
const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);

type Resource = { Type: string; Properties: Record<string, unknown> };
const resources = (type: string) => template.findResources(type) as Record<string, Resource>;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const asArray = <T,>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

/** The statements of every policy attached to a role, by role logical id. */
function statementsOfRole(roleLogicalId: string): Statement[] {
  return Object.values(resources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const allStatements = () => Object.values(resources('AWS::IAM::Policy')).flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

const tableId = logicalId(stack.data.table);
const keyId = logicalId(stack.data.key);
const secretId = logicalId(stack.secrets.cursorSecret);
const fnIds = new Map([...stack.functions].map(([name, fn]) => [name, { fn: logicalId(fn.fn), role: logicalId(fn.role), logs: logicalId(fn.logGroup) }]));
const isPublicName = (name: string) => (PUBLIC_FUNCTIONS as ReadonlySet<string>).has(name);

describe('table', () => {
  it('has the keys and indexes of tableDefinition', () => {
    const attr = (a: { name: string; type: string }) => ({ AttributeName: a.name, AttributeType: a.type });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        attr(tableDefinition.partitionKey),
        attr(tableDefinition.sortKey),
        ...tableDefinition.globalSecondaryIndexes.flatMap((i) => [attr(i.partitionKey), attr(i.sortKey)]),
      ]),
      GlobalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.map((i) => ({
        IndexName: i.indexName,
        KeySchema: [
          { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
    });
  });

  it('is on demand, streams new and old images, has PITR and deletion protection, and a generated name', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: Match.absent(),
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamViewType: tableDefinition.streamViewType },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('is encrypted with its own customer-managed KMS key, rotated yearly', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });
});

describe('functions', () => {
  it('defines one function per apiFunctions entry, each from its own handler', () => {
    expect([...stack.functions.keys()].sort()).toEqual(apiFunctions.map((f) => f.name).sort());
    expect(Object.keys(resources('AWS::Lambda::Function')).sort()).toEqual([...fnIds.values()].map((i) => i.fn).sort());
  });

  it('runs every function on nodejs24.x, arm64, traced, 1024 MB, 10 s, logging to its own retained log group', () => {
    const retention = Number(cdkContext.logRetentionDays);
    for (const ids of fnIds.values()) {
      const fn = resources('AWS::Lambda::Function')[ids.fn];
      expect(fn?.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: 1024,
        Timeout: 10,
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: ids.logs } },
      });
      expect(resources('AWS::Logs::LogGroup')[ids.logs]?.Properties).toMatchObject({ RetentionInDays: retention });
    }
  });

  it('gives every function the configuration shared/config.ts parses at cold start, and leaves AWS_REGION to Lambda', () => {
    for (const ids of fnIds.values()) {
      const variables = (resources('AWS::Lambda::Function')[ids.fn]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        RUNTIME: 'aws',
        NODE_OPTIONS: '--enable-source-maps',
        TABLE_NAME: { Ref: tableId },
        CURSOR_SECRET_ARN: { Ref: secretId },
        JWT_AUDIENCE: { Ref: logicalId(stack.auth.client) },
      });
      const issuer = JSON.stringify(variables.JWT_ISSUER);
      expect(issuer).toContain('https://cognito-idp.');
      expect(issuer).toContain(logicalId(stack.auth.userPool));
      expect(JSON.stringify(variables.JWKS_URL)).toContain('/.well-known/jwks.json');
      expect(variables).not.toHaveProperty('AWS_REGION');
      expect(variables).not.toHaveProperty('JWKS_FILE');
      expect(variables).not.toHaveProperty('CURSOR_SECRET');
    }
  });

  it('gives no function a managed policy: each role may write only to its own log group', () => {
    for (const role of Object.values(resources('AWS::IAM::Role')).filter((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const ids of fnIds.values()) {
      const logs = statementsOfRole(ids.role).filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
      expect(logs).toEqual([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [ids.logs, 'Arn'] } }]);
    }
  });
});

describe('IAM', () => {
  it('never grants a dynamodb:* (or any service-wide) wildcard action', () => {
    const actions = allStatements().flatMap((s) => asArray(s.Action));
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('dynamodb:') && a.includes('*'))).toEqual([]);
  });

  it('uses Resource "*" only for the X-Ray actions tracing needs', () => {
    const starred = allStatements().filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    expect(starred.length).toBeGreaterThan(0);
    for (const s of starred) expect(asArray(s.Action).every((a) => a.startsWith('xray:'))).toBe(true);
  });

  it('lets authenticated-API functions read and write the table (and its key) and nothing else in DynamoDB', () => {
    for (const [name, ids] of fnIds) {
      const statements = statementsOfRole(ids.role);
      const dynamo = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
      const kms = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:')));
      if (isPublicName(name)) {
        expect(dynamo, `${name} is public and must not touch the table`).toEqual([]);
        expect(kms).toEqual([]);
        continue;
      }
      expect(dynamo).toHaveLength(1);
      expect(dynamo[0]?.Action).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem']));
      expect(dynamo[0]?.Resource).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/*']] }]);
      expect(kms.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [keyId, 'Arn'] }]);
    }
  });

  it('lets functions read the cursor secret and no other secret; the public function cannot read it', () => {
    const secretStatements = allStatements().filter((s) => asArray(s.Action).some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements.length).toBeGreaterThan(0);
    for (const s of secretStatements) {
      expect(s.Resource).toEqual({ Ref: secretId });
      expect(asArray(s.Action).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    }
    for (const [name, ids] of fnIds) {
      const reads = statementsOfRole(ids.role).some((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue'));
      expect(reads, name).toBe(!isPublicName(name));
    }
  });
});

describe('cursor secret', () => {
  it('is generated by CloudFormation: 64 letters and digits', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: Match.absent(),
      SecretString: Match.absent(),
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
    });
  });
});

describe('user pool', () => {
  it('admits only administrator-created users with a strong password and TOTP MFA', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
  });

  it('has the custom attributes country, org and team', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith(['country', 'org', 'team'].map((Name) => Match.objectLike({ Name, AttributeDataType: 'String', Mutable: true }))),
    });
  });

  it('has one group per role', () => {
    const groups = Object.values(resources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual([...ROLES].sort());
  });

  it('has an app client that can read but not write the custom attributes', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ReadAttributes: Match.arrayWith(['custom:country', 'custom:org', 'custom:team']),
    });
    const client = Object.values(resources('AWS::Cognito::UserPoolClient'))[0];
    expect((client?.Properties.WriteAttributes as string[]).filter((a) => a.startsWith('custom:'))).toEqual([]);
  });
});

describe('REST API', () => {
  const apiResources = resources('AWS::ApiGateway::Resource');
  const restApiId = logicalId(stack.api.restApi);
  const authorizerId = Object.keys(resources('AWS::ApiGateway::Authorizer'))[0];

  /** `/v1/teams/{proxy+}` for an AWS::ApiGateway::Resource logical id, or `/` for the root. */
  function pathOf(ref: unknown): string {
    const r = ref as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    if (r['Fn::GetAtt']?.[0] === restApiId && r['Fn::GetAtt'][1] === 'RootResourceId') return '';
    const resource = r.Ref ? apiResources[r.Ref] : undefined;
    if (!resource) throw new Error(`unknown API resource ${JSON.stringify(ref)}`);
    return `${pathOf(resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}`;
  }

  const methods = Object.values(resources('AWS::ApiGateway::Method')).map((m) => ({
    path: pathOf(m.Properties.ResourceId) || '/',
    httpMethod: m.Properties.HttpMethod,
    authorizationType: m.Properties.AuthorizationType,
    authorizerId: (m.Properties.AuthorizerId as { Ref?: string } | undefined)?.Ref,
    integration: JSON.stringify(m.Properties.Integration),
  }));
  const expected = apiFunctions.flatMap((f) => f.basePaths.flatMap((p) => [p, `${p}/{proxy+}`].map((path) => ({ path, name: f.name }))));

  it('routes each base path and its {proxy+} child, method ANY, to the function that owns it', () => {
    expect(methods.map((m) => m.path).sort()).toEqual(expected.map((e) => e.path).sort());
    for (const { path, name } of expected) {
      const method = methods.find((m) => m.path === path);
      expect(method?.httpMethod, path).toBe('ANY');
      expect(method?.integration, path).toContain(`"${fnIds.get(name)?.fn}"`);
      expect(method?.integration, path).toContain('"Type":"AWS_PROXY"');
    }
  });

  it('puts the Cognito authorizer on every method outside the public meta paths', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [{ 'Fn::GetAtt': [logicalId(stack.auth.userPool), 'Arn'] }],
      IdentitySource: 'method.request.header.Authorization',
    });
    const guarded = expected.filter((e) => !isPublicName(e.name));
    expect(guarded.length).toBeGreaterThan(0);
    for (const { path } of guarded) {
      const method = methods.find((m) => m.path === path);
      expect(method?.authorizationType, path).toBe('COGNITO_USER_POOLS');
      expect(method?.authorizerId, path).toBe(authorizerId);
    }
  });

  it('uses AuthorizationType NONE only on the meta paths', () => {
    const publicPaths = methods.filter((m) => m.authorizationType === 'NONE').map((m) => m.path).sort();
    const metaPaths = expected.filter((e) => isPublicName(e.name)).map((e) => e.path).sort();
    expect(metaPaths).toContain('/health');
    expect(publicPaths).toEqual(metaPaths);
  });

  it('throttles, traces and access-logs the stage as JSON, without request bodies', () => {
    const stage = Object.values(resources('AWS::ApiGateway::Stage'))[0];
    expect(stage?.Properties).toMatchObject({
      StageName: cdkContext.env,
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [logicalId(stack.api.accessLogs), 'Arn'] } },
      MethodSettings: [
        expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) }),
      ],
    });
    const format = JSON.parse(String((stage?.Properties.AccessLogSetting as { Format: string }).Format)) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: Number(cdkContext.logRetentionDays) });
  });
});
