import { describe, it, expect } from 'vitest';
import { Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Table, AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { tableDefinition } from '../../shared/db/table.ts';
import { MINISTRY_ROUTES } from '../../shared/events/routing.ts';
import { ROLES } from '../../shared/domain/roles.ts';
import { apiFunctions } from '../../functions/manifest.ts';
import { POWERTOOLS_ENVIRONMENT } from '../../infra/aws/constructs/function.ts';
import { Observability } from '../../infra/aws/constructs/observability.ts';
import { WAF_RULES } from '../../infra/aws/constructs/firewall.ts';
import { DOCUMENT_HASH_SECRET_ENV } from '../../infra/aws/constructs/secrets.ts';
import { CONSOLE_ORIGIN_ENV, DOCUMENT_HASHING_FUNCTIONS, PUBLIC_FUNCTIONS, type ClearwayStack } from '../../infra/aws/stack.ts';
import { cdkContext, clearwayApp, fullContext } from './app.ts';

// Template assertions need no function code: bundling is left to assembly.test.ts.
const { stack } = clearwayApp({ skipBundling: true });
const template = Template.fromStack(stack);

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const asArray = <T,>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
const ref = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** Lookups over one synthesized stack. */
function inspect(s: ClearwayStack, t: Template) {
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => s.getLogicalId(construct.node.defaultChild as CfnElement);
  const resources = (type: string) => t.findResources(type) as Record<string, Resource>;
  const policies = () => Object.values(resources('AWS::IAM::Policy'));
  const statementsOfRole = (roleLogicalId: string): Statement[] =>
    policies()
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const allStatements = () => policies().flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const fnIds = new Map([...s.functions].map(([name, fn]) => [name as string, { fn: logicalId(fn.fn), role: logicalId(fn.role), logs: logicalId(fn.logGroup) }]));
  return { logicalId, resources, statementsOfRole, allStatements, fnIds };
}

const { logicalId, resources, statementsOfRole, allStatements, fnIds } = inspect(stack, template);
const tableId = logicalId(stack.data.table);
const tableKeyId = logicalId(stack.data.key);
const cursorSecretId = logicalId(stack.secrets.cursorSecret);
const hashSecretId = logicalId(stack.secrets.documentHashSecret);
const secretsKeyId = logicalId(stack.secrets.key);
const logKeyId = logicalId(stack.logKey.key);
const topicId = logicalId(stack.observability.topic);
const isPublicName = (name: string) => (PUBLIC_FUNCTIONS as ReadonlySet<string>).has(name);
const environmentOf = (fnId: string) => (resources('AWS::Lambda::Function')[fnId]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

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

  it('is encrypted with its own customer-managed KMS key, rotated yearly and retained', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arnOf(tableKeyId) },
    });
    expect(resources('AWS::KMS::Key')[tableKeyId]).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });

  it('is backed up daily (kept 7 days) and monthly (kept 1 year) by AWS Backup into an encrypted vault that refuses deletion of recovery points', () => {
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: Match.arrayWith([arnOf(tableId)]) }),
    });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: Match.arrayWith([
          Match.objectLike({ RuleName: 'Daily', Lifecycle: { DeleteAfterDays: 7 } }),
          Match.objectLike({ RuleName: 'Monthly', Lifecycle: { DeleteAfterDays: 365 } }),
        ]),
      }),
    });
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      EncryptionKeyArn: arnOf(tableKeyId),
      AccessPolicy: Match.objectLike({
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: Match.arrayWith(['backup:DeleteRecoveryPoint']) })]),
      }),
    });
  });
});

describe('functions', () => {
  it('defines one function per apiFunctions entry, each from its own handler', () => {
    expect([...stack.functions.keys()].sort()).toEqual(apiFunctions.map((f) => f.name).sort());
    expect(Object.keys(resources('AWS::Lambda::Function')).sort()).toEqual([...fnIds.values()].map((i) => i.fn).sort());
  });

  it('runs every function on nodejs24.x, arm64, X-Ray active, 1024 MB, 10 s, logging to its own retained, KMS-encrypted log group', () => {
    const retention = Number(cdkContext.logRetentionDays);
    for (const ids of fnIds.values()) {
      expect(resources('AWS::Lambda::Function')[ids.fn]?.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        MemorySize: 1024,
        Timeout: 10,
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: ref(ids.logs) },
      });
      expect(resources('AWS::Logs::LogGroup')[ids.logs]?.Properties).toMatchObject({ RetentionInDays: retention, KmsKeyId: arnOf(logKeyId) });
    }
  });

  it('reserves no concurrency by default (the account pool, bounded by API throttling)', () => {
    for (const ids of fnIds.values()) expect(resources('AWS::Lambda::Function')[ids.fn]?.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(resources('AWS::Lambda::Alias')).toEqual({});
  });

  it('gives every function the configuration shared/config.ts parses at cold start and the Powertools settings, and leaves AWS_REGION to Lambda', () => {
    for (const ids of fnIds.values()) {
      const variables = environmentOf(ids.fn);
      expect(variables).toMatchObject({
        RUNTIME: 'aws',
        NODE_OPTIONS: '--enable-source-maps',
        TABLE_NAME: ref(tableId),
        CURSOR_SECRET_ARN: ref(cursorSecretId),
        JWT_AUDIENCE: ref(logicalId(stack.auth.client)),
        ...POWERTOOLS_ENVIRONMENT,
      });
      const issuer = JSON.stringify(variables.JWT_ISSUER);
      expect(issuer).toContain('https://cognito-idp.');
      expect(issuer).toContain(logicalId(stack.auth.userPool));
      expect(JSON.stringify(variables.JWKS_URL)).toContain('/.well-known/jwks.json');
      expect(variables).not.toHaveProperty('AWS_REGION');
      expect(variables).not.toHaveProperty('JWKS_FILE');
      expect(variables).not.toHaveProperty('CURSOR_SECRET');
      expect(variables).not.toHaveProperty(CONSOLE_ORIGIN_ENV);
    }
    expect(POWERTOOLS_ENVIRONMENT).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'clearway', POWERTOOLS_METRICS_NAMESPACE: 'Clearway' });
  });

  it('gives no function a managed policy: each role may write only to its own log group', () => {
    for (const role of Object.values(resources('AWS::IAM::Role')).filter((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    for (const ids of fnIds.values()) {
      const logs = statementsOfRole(ids.role).filter((s) => asArray(s.Action).some((a) => a.startsWith('logs:')));
      expect(logs).toEqual([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(ids.logs) }]);
    }
  });
});

describe('IAM', () => {
  const touchesTable = (s: Statement) => JSON.stringify(s.Resource).includes(`"${tableId}"`);

  it('never grants a service-wide or "*" action, and no wildcard action at all on the table', () => {
    const statements = allStatements();
    expect(statements.filter(touchesTable).length).toBeGreaterThan(0);
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    for (const s of statements.filter(touchesTable)) expect(asArray(s.Action).filter((a) => a.includes('*'))).toEqual([]);
  });

  it('allows wildcard action families only where CDK key grants put them: kms:GenerateDataKey* / kms:ReEncrypt* on the table key alone', () => {
    for (const s of allStatements()) {
      const wildcards = asArray(s.Action).filter((a) => a.includes('*'));
      if (wildcards.length === 0) continue;
      expect(wildcards.every((a) => a === 'kms:GenerateDataKey*' || a === 'kms:ReEncrypt*'), JSON.stringify(s)).toBe(true);
      expect(s.Resource).toEqual(arnOf(tableKeyId));
    }
  });

  it('uses Resource "*" only for the X-Ray actions tracing needs', () => {
    const starred = allStatements().filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    expect(starred.length).toBeGreaterThan(0);
    for (const s of starred) expect(asArray(s.Action).every((a) => a.startsWith('xray:'))).toBe(true);
  });

  it('lets authenticated-API functions read and write the table (and use its key) and nothing else in DynamoDB', () => {
    for (const [name, ids] of fnIds) {
      const statements = statementsOfRole(ids.role);
      const dynamo = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
      const tableKey = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(arnOf(tableKeyId)));
      if (isPublicName(name)) {
        expect(dynamo, `${name} is public and must not touch the table`).toEqual([]);
        expect(tableKey).toEqual([]);
        continue;
      }
      expect(dynamo).toHaveLength(1);
      expect(dynamo[0]?.Action).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem']));
      expect(dynamo[0]?.Resource).toEqual([arnOf(tableId), { 'Fn::Join': ['', [arnOf(tableId), '/index/*']] }]);
      expect(tableKey).toHaveLength(1);
    }
  });

  it('lets each function read exactly the secrets it needs: the cursor secret unless public, the hashing secret only if it hashes documents', () => {
    const readable = (roleId: string) =>
      statementsOfRole(roleId)
        .filter((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue'))
        .map((s) => {
          expect(asArray(s.Action).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
          return (s.Resource as { Ref: string }).Ref;
        })
        .sort();
    for (const [name, ids] of fnIds) {
      const expected = [...(isPublicName(name) ? [] : [cursorSecretId]), ...(DOCUMENT_HASHING_FUNCTIONS.has(name) ? [hashSecretId] : [])].sort();
      expect(readable(ids.role), name).toEqual(expected);
      const variables = environmentOf(ids.fn);
      if (DOCUMENT_HASHING_FUNCTIONS.has(name)) expect(variables[DOCUMENT_HASH_SECRET_ENV]).toEqual(ref(hashSecretId));
      else expect(variables, name).not.toHaveProperty(DOCUMENT_HASH_SECRET_ENV);
    }
  });

  it('lets the secrets key decrypt, through Secrets Manager only, for exactly the functions that read a secret', () => {
    const statements = (resources('AWS::KMS::Key')[secretsKeyId]?.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    const forRoles = statements.filter((s) => JSON.stringify(s.Principal).includes('FunctionRole'));
    expect(forRoles).toHaveLength(1);
    expect(forRoles[0]?.Action).toBe('kms:Decrypt');
    expect(JSON.stringify(forRoles[0]?.Condition?.StringEquals?.['kms:ViaService'])).toContain('"secretsmanager."');
    const readers = [...fnIds].filter(([name]) => !isPublicName(name) || DOCUMENT_HASHING_FUNCTIONS.has(name)).map(([, ids]) => arnOf(ids.role));
    expect(asArray((forRoles[0]?.Principal as { AWS: unknown }).AWS)).toEqual(expect.arrayContaining(readers));
    expect(asArray((forRoles[0]?.Principal as { AWS: unknown }).AWS)).toHaveLength(readers.length);
  });
});

describe('secrets', () => {
  it('generates both secrets in CloudFormation (64 letters and digits), encrypted with the secrets key; the hashing key is retained', () => {
    for (const id of [cursorSecretId, hashSecretId]) {
      expect(resources('AWS::SecretsManager::Secret')[id]?.Properties).toEqual({
        Description: expect.any(String),
        KmsKeyId: arnOf(secretsKeyId),
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
        Tags: expect.any(Array),
      });
    }
    expect(resources('AWS::SecretsManager::Secret')[hashSecretId]?.DeletionPolicy).toBe('Retain');
  });
});

describe('encryption at rest', () => {
  it('encrypts every log group, secret, topic and the table with a customer-managed key, and every bucket', () => {
    const keys = new Set(Object.keys(resources('AWS::KMS::Key')));
    const keyRef = (value: unknown) => (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
    for (const [id, group] of Object.entries(resources('AWS::Logs::LogGroup'))) expect(keys.has(String(keyRef(group.Properties.KmsKeyId))), id).toBe(true);
    for (const [id, secret] of Object.entries(resources('AWS::SecretsManager::Secret'))) expect(keys.has(String(keyRef(secret.Properties.KmsKeyId))), id).toBe(true);
    for (const [id, topic] of Object.entries(resources('AWS::SNS::Topic'))) expect(keys.has(String(keyRef(topic.Properties.KmsMasterKeyId))), id).toBe(true);
    for (const [id, table] of Object.entries(resources('AWS::DynamoDB::Table'))) expect(keys.has(String(keyRef((table.Properties.SSESpecification as { KMSMasterKeyId: unknown }).KMSMasterKeyId))), id).toBe(true);
    for (const [id, bucket] of Object.entries(resources('AWS::S3::Bucket'))) {
      const rule = (bucket.Properties.BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { SSEAlgorithm: string } }[] }).ServerSideEncryptionConfiguration[0];
      expect(['aws:kms', 'AES256'], id).toContain(rule?.ServerSideEncryptionByDefault.SSEAlgorithm);
    }
    for (const [id, key] of Object.entries(resources('AWS::KMS::Key'))) expect(key.Properties.EnableKeyRotation, id).toBe(true);
  });

  it('lets CloudWatch Logs use the log key only for log groups of this account and region', () => {
    const statements = (resources('AWS::KMS::Key')[logKeyId]?.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    const forLogs = statements.filter((s) => JSON.stringify(s.Principal).includes('logs.'));
    expect(forLogs).toHaveLength(1);
    expect(JSON.stringify(forLogs[0]?.Condition?.ArnLike?.['kms:EncryptionContext:aws:logs:arn'])).toContain(':log-group:*');
  });
});

describe('import bucket', () => {
  const bucketId = logicalId(stack.imports.bucket);
  const logsBucketId = logicalId(stack.imports.accessLogsBucket);

  it('is KMS-encrypted with its own key, versioned, logged to the access-log bucket, and empties itself: uploads after 7 days, old versions after 1', () => {
    expect(resources('AWS::S3::Bucket')[bucketId]?.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(logicalId(stack.imports.key)) } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: ref(logsBucketId), LogFilePrefix: 'imports/' },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 7, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })],
      },
    });
    expect(resources('AWS::S3::Bucket')[bucketId]?.Properties.CorsConfiguration).toBeUndefined();
  });

  it('makes no bucket public: all public access blocked, TLS enforced, and no policy allows anyone', () => {
    const buckets = resources('AWS::S3::Bucket');
    expect(Object.keys(buckets).sort()).toEqual([bucketId, logsBucketId].sort());
    for (const [id, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      expect(bucket.Properties.AccessControl, id).toBeUndefined();
      const policy = Object.values(resources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify(ref(id)));
      const statements = (policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"')), id).toBe(true);
      for (const s of statements.filter((st) => st.Effect === 'Allow')) expect(JSON.stringify(s.Principal), id).not.toMatch(/^"\*"$|"AWS":"\*"/);
    }
  });
});

describe('user pool', () => {
  it('admits only administrator-created users with a strong password and TOTP MFA required of everyone (privileged groups included)', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true, PasswordHistorySize: 5 }) },
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

  it('has an app client that can read but not write the custom attributes, and never takes a password outside SRP or IAM-signed admin calls', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ReadAttributes: Match.arrayWith(['custom:country', 'custom:org', 'custom:team']),
    });
    const client = Object.values(resources('AWS::Cognito::UserPoolClient'))[0];
    expect((client?.Properties.WriteAttributes as string[]).filter((a) => a.startsWith('custom:'))).toEqual([]);
    expect([...(client?.Properties.ExplicitAuthFlows as string[])].sort()).toEqual(['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
  });
});

/** Methods of the REST API with their full paths. */
function apiMethods(s: ClearwayStack, t: Template) {
  const { logicalId: idOf, resources: res } = inspect(s, t);
  const apiResources = res('AWS::ApiGateway::Resource');
  const restApiId = idOf(s.api.restApi);
  const pathOf = (r: unknown): string => {
    const x = r as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    if (x['Fn::GetAtt']?.[0] === restApiId && x['Fn::GetAtt'][1] === 'RootResourceId') return '';
    const resource = x.Ref ? apiResources[x.Ref] : undefined;
    if (!resource) throw new Error(`unknown API resource ${JSON.stringify(r)}`);
    return `${pathOf(resource.Properties.ParentId)}/${String(resource.Properties.PathPart)}`;
  };
  return Object.values(res('AWS::ApiGateway::Method')).map((m) => ({
    path: pathOf(m.Properties.ResourceId) || '/',
    httpMethod: m.Properties.HttpMethod as string,
    authorizationType: m.Properties.AuthorizationType,
    authorizerId: (m.Properties.AuthorizerId as { Ref?: string } | undefined)?.Ref,
    validatorId: (m.Properties.RequestValidatorId as { Ref?: string } | undefined)?.Ref,
    requestParameters: m.Properties.RequestParameters as Record<string, boolean> | undefined,
    integration: m.Properties.Integration as Record<string, unknown>,
  }));
}

describe('REST API', () => {
  const authorizerId = Object.keys(resources('AWS::ApiGateway::Authorizer'))[0];
  const methods = apiMethods(stack, template);
  const expected = apiFunctions.flatMap((f) => f.basePaths.flatMap((p) => [p, `${p}/{proxy+}`].map((path) => ({ path, name: f.name as string }))));

  it('routes each base path and its {proxy+} child, method ANY, to the function that owns it', () => {
    expect(methods.map((m) => m.path).sort()).toEqual(expected.map((e) => e.path).sort());
    for (const { path, name } of expected) {
      const method = methods.find((m) => m.path === path);
      expect(method?.httpMethod, path).toBe('ANY');
      expect(JSON.stringify(method?.integration), path).toContain(`"${fnIds.get(name)?.fn}"`);
      expect(method?.integration.Type, path).toBe('AWS_PROXY');
    }
  });

  it('puts the Cognito authorizer on every method outside the public meta paths', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [arnOf(logicalId(stack.auth.userPool))],
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

  it('uses AuthorizationType NONE only on /health, /openapi.json, /asyncapi.json and /docs (and below)', () => {
    const publicPaths = methods.filter((m) => m.authorizationType === 'NONE').map((m) => m.path).sort();
    expect(publicPaths).toEqual(['/asyncapi.json', '/asyncapi.json/{proxy+}', '/docs', '/docs/{proxy+}', '/health', '/health/{proxy+}', '/openapi.json', '/openapi.json/{proxy+}']);
  });

  it('validates every method: the {proxy+} path, and on guarded methods the Authorization header, with a validator for parameters and bodies', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true, ValidateRequestBody: true });
    const validatorId = logicalId(stack.api.requestValidator);
    for (const m of methods) {
      expect(m.validatorId, m.path).toBe(validatorId);
      if (m.path.endsWith('{proxy+}')) expect(m.requestParameters?.['method.request.path.proxy'], m.path).toBe(true);
      expect(m.requestParameters?.['method.request.header.Authorization'], m.path).toBe(m.authorizationType === 'COGNITO_USER_POOLS' ? true : undefined);
    }
  });

  it('answers its own errors as problem details: unknown paths 404, missing or bad tokens 401 with WWW-Authenticate', () => {
    const responses = Object.values(resources('AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties);
    const byType = (type: string) => responses.find((r) => r.ResponseType === type);
    expect(byType('MISSING_AUTHENTICATION_TOKEN')).toMatchObject({ StatusCode: '404' });
    expect(byType('UNAUTHORIZED')).toMatchObject({ StatusCode: '401', ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="clearway"'` } });
    for (const type of ['UNAUTHORIZED', 'ACCESS_DENIED', 'THROTTLED', 'WAF_FILTERED', 'BAD_REQUEST_PARAMETERS', 'DEFAULT_4XX', 'DEFAULT_5XX']) {
      const template = (byType(type)?.ResponseTemplates as Record<string, string> | undefined)?.['application/json'];
      expect(template, type).toMatch(/^\{"type":.*"title":.*"detail":\$context\.error\.messageString.*\}$/);
    }
  });

  it('throttles, traces and access-logs the stage as JSON to an encrypted group, without request bodies', () => {
    const stage = Object.values(resources('AWS::ApiGateway::Stage'))[0];
    expect(stage?.Properties).toMatchObject({
      StageName: cdkContext.env,
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: arnOf(logicalId(stack.api.accessLogs)) },
      MethodSettings: [
        expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) }),
      ],
    });
    const format = JSON.parse(String((stage?.Properties.AccessLogSetting as { Format: string }).Format)) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(resources('AWS::Logs::LogGroup')[logicalId(stack.api.accessLogs)]?.Properties).toMatchObject({ RetentionInDays: Number(cdkContext.logRetentionDays), KmsKeyId: arnOf(logKeyId) });
  });

  it('has no CORS unless consoleOrigin is set', () => {
    expect(methods.filter((m) => m.httpMethod === 'OPTIONS')).toEqual([]);
    for (const r of Object.values(resources('AWS::ApiGateway::GatewayResponse'))) expect(JSON.stringify(r.Properties)).not.toContain('Access-Control-Allow-Origin');
  });
});

describe('WAF', () => {
  const aclId = stack.getLogicalId(stack.firewall.webAcl);

  it('is a regional web ACL associated with the API stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    const stageId = logicalId(stack.api.restApi.deploymentStage);
    const associations = Object.values(resources('AWS::WAFv2::WebACLAssociation'));
    expect(associations).toHaveLength(1);
    expect(associations[0]?.Properties.WebACLArn).toEqual(arnOf(aclId));
    const target = JSON.stringify(associations[0]?.Properties.ResourceArn);
    expect(target).toContain(`:apigateway:`);
    expect(target).toContain(`"Ref":"${logicalId(stack.api.restApi)}"`);
    expect(target).toContain(`"/stages/",{"Ref":"${stageId}"}`);
  });

  it('rate-limits per IP, then applies the AWS common and known-bad-inputs rule groups, each with CloudWatch metrics', () => {
    const acl = resources('AWS::WAFv2::WebACL')[aclId]?.Properties as { Rules: Record<string, unknown>[]; VisibilityConfig: Record<string, unknown> };
    expect(acl.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true });
    const rule = (name: string) => acl.Rules.find((r) => r.Name === name);
    expect(rule(WAF_RULES.rateLimit)).toMatchObject({ Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: expect.any(Number) } } });
    for (const name of [WAF_RULES.common, WAF_RULES.knownBadInputs]) {
      expect(rule(name)).toMatchObject({ OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } });
    }
    for (const r of acl.Rules) expect(r.VisibilityConfig, String(r.Name)).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
    // Geometry bodies legitimately exceed 8 KB: that one rule only counts.
    expect(JSON.stringify(rule(WAF_RULES.common))).toContain('"RuleActionOverrides":[{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}]');
  });

  it('logs to an encrypted aws-waf-logs-* group with the Authorization header redacted', () => {
    const groupId = logicalId(stack.firewall.logGroup);
    expect(resources('AWS::Logs::LogGroup')[groupId]?.Properties).toMatchObject({ LogGroupName: expect.stringMatching(/^aws-waf-logs-/), KmsKeyId: arnOf(logKeyId) });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: arnOf(aclId),
      LogDestinationConfigs: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':log-group:', ref(groupId)])] })],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }],
    });
  });
});

describe('alarms', () => {
  const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const routedToTopic = (a: Record<string, unknown>) => JSON.stringify(a.AlarmActions) === JSON.stringify([ref(topicId)]) && JSON.stringify(a.OKActions) === JSON.stringify([ref(topicId)]);

  it('alarm on each function’s errors and throttles, and notify the topic when they fire and clear', () => {
    for (const [name, ids] of fnIds) {
      for (const metricName of ['Errors', 'Throttles']) {
        const alarm = alarms.find((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === metricName && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: ref(ids.fn) }]));
        expect(alarm, `${metricName} of ${name}`).toMatchObject({ Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
        expect(routedToTopic(alarm ?? {}), `${metricName} of ${name}`).toBe(true);
      }
    }
  });

  it('alarm on the API’s 5xx share of the stage, and on a burst of WAF blocks, to the same topic', () => {
    const api = alarms.find((a) => JSON.stringify(a.Metrics).includes('"MetricName":"5XXError"'));
    expect(api).toBeDefined();
    const metrics = JSON.stringify(api?.Metrics);
    expect(metrics).toContain('errors / requests');
    expect(metrics).toContain('"MetricName":"Count"');
    expect(metrics).toContain(`{"Name":"Stage","Value":{"Ref":"${logicalId(stack.api.restApi.deploymentStage)}"}}`);
    expect(routedToTopic(api ?? {})).toBe(true);

    const waf = alarms.find((a) => a.Namespace === 'AWS/WAFV2' && a.MetricName === 'BlockedRequests');
    expect(waf?.Dimensions).toEqual(expect.arrayContaining([{ Name: 'WebACL', Value: stack.firewall.webAclName }, { Name: 'Rule', Value: 'ALL' }]));
    expect(routedToTopic(waf ?? {})).toBe(true);
  });

  it('go to a KMS-encrypted, TLS-only topic that CloudWatch alarms of this account may publish to; no e-mail unless alarmEmail is set', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(logicalId(stack.observability.topicKey)) });
    const statements = (Object.values(resources('AWS::SNS::TopicPolicy'))[0]?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } }) }),
      ]),
    );
    const keyPolicy = JSON.stringify(resources('AWS::KMS::Key')[logicalId(stack.observability.topicKey)]?.Properties.KeyPolicy);
    expect(keyPolicy).toContain('"Service":"cloudwatch.amazonaws.com"');
    expect(resources('AWS::SNS::Subscription')).toEqual({});
  });

  it('are all shown on a dashboard with API, function, table and WAF graphs', () => {
    const body = JSON.stringify(Object.values(resources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody);
    for (const metric of ['5XXError', '4XXError', 'Latency', 'Duration', 'Throttles', 'ConsumedReadCapacityUnits', 'WriteThrottleEvents', 'AllowedRequests', 'BlockedRequests']) expect(body, metric).toContain(metric);
    for (const ids of fnIds.values()) expect(body).toContain(ids.fn);
    expect(body).toContain('\\"type\\":\\"alarm\\"');
  });
});

describe('Observability construct with queues and stream consumers', () => {
  // The publisher and the ministries' queues do not exist yet: prove the lists are honoured.
  const probe = new Stack();
  const queue = new Queue(probe, 'Dlq', { encryption: QueueEncryption.KMS_MANAGED });
  const publisher = new LambdaFunction(probe, 'Publisher', { runtime: Runtime.NODEJS_24_X, handler: 'index.handler', code: Code.fromInline('export const handler = async () => {}') });
  const api = new RestApi(probe, 'Api');
  api.root.addMethod('GET');
  const table = new Table(probe, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  new Observability(probe, 'Observability', {
    functions: [{ name: 'publisher', fn: publisher }],
    stage: api.deploymentStage,
    table,
    webAclName: 'acl',
    deadLetterQueues: [{ name: 'publisher-dlq', queue }],
    streamConsumers: [{ name: 'publisher', fn: publisher, maxIteratorAge: Duration.minutes(2) }],
    alarmEmail: 'alarms@example.org',
  });
  const t = Template.fromStack(probe);

  it('alarms on any message in a dead-letter queue and on a stream consumer falling behind', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [probe.getLogicalId(queue.node.defaultChild as CfnElement), 'QueueName'] } }],
      Threshold: 1,
      AlarmActions: [Match.objectLike({ Ref: Match.stringLikeRegexp('AlarmTopic') })],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Statistic: 'Maximum', Threshold: 120_000 });
  });

  it('subscribes alarmEmail to the topic', () => {
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'alarms@example.org' });
  });
});

describe('with every optional context value set', () => {
  const full = clearwayApp({ skipBundling: true, context: fullContext });
  const t = Template.fromStack(full.stack);
  const { logicalId: idOf, resources: res } = inspect(full.stack, t);
  const methods = apiMethods(full.stack, t);
  const origin = String(fullContext.consoleOrigin);

  it('answers CORS preflights for the console origin only, unauthenticated, and adds the header to gateway errors', () => {
    const preflights = methods.filter((m) => m.httpMethod === 'OPTIONS');
    expect(preflights.map((p) => p.path)).toEqual(expect.arrayContaining(['/v1/tasks', '/v1/tasks/{proxy+}']));
    for (const p of preflights) {
      expect(p.integration.Type, p.path).toBe('MOCK');
      expect(JSON.stringify(p.integration), p.path).toContain(`'${origin}'`);
    }
    const unauthorized = Object.values(res('AWS::ApiGateway::GatewayResponse')).find((r) => r.Properties.ResponseType === 'UNAUTHORIZED');
    expect(unauthorized?.Properties.ResponseParameters).toMatchObject({ 'gatewayresponse.header.Access-Control-Allow-Origin': `'${origin}'` });
    // Everything that is not a preflight keeps its authorizer.
    for (const m of methods.filter((x) => x.httpMethod !== 'OPTIONS' && !/^\/(health|docs|openapi\.json|asyncapi\.json)/.test(x.path))) expect(m.authorizationType, m.path).toBe('COGNITO_USER_POOLS');
  });

  it('tells the functions the origin and lets the console PUT uploads to the import bucket', () => {
    for (const fn of full.stack.functions.values()) {
      const variables = (res('AWS::Lambda::Function')[idOf(fn.fn)]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(variables[CONSOLE_ORIGIN_ENV]).toBe(origin);
    }
    expect(res('AWS::S3::Bucket')[idOf(full.stack.imports.bucket)]?.Properties.CorsConfiguration).toEqual({
      CorsRules: [expect.objectContaining({ AllowedMethods: ['PUT'], AllowedOrigins: [origin] })],
    });
  });

  it('reserves and provisions concurrency as configured, and the API calls the provisioned alias', () => {
    const tasks = full.stack.functions.get('tasks');
    expect(tasks).toBeDefined();
    expect(res('AWS::Lambda::Function')[idOf(tasks!.fn)]?.Properties.ReservedConcurrentExecutions).toBe(20);
    const aliasId = idOf(tasks!.target as unknown as { node: { defaultChild?: unknown } });
    expect(res('AWS::Lambda::Alias')[aliasId]?.Properties).toMatchObject({ Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } });
    const integration = JSON.stringify(methods.find((m) => m.path === '/v1/tasks' && m.httpMethod === 'ANY')?.integration);
    expect(integration).toContain(`"${aliasId}"`);
    for (const [name, fn] of full.stack.functions) {
      if (name !== 'tasks') expect(res('AWS::Lambda::Function')[idOf(fn.fn)]?.Properties.ReservedConcurrentExecutions, name).toBeUndefined();
    }
  });

  it('e-mails the alarms to alarmEmail', () => {
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: fullContext.alarmEmail, TopicArn: ref(idOf(full.stack.observability.topic)) });
  });

  it('names its stack and stage after env and keeps the parsed ministries and allow-list on the stack', () => {
    expect(full.stack.stackName).toBe('Clearway-staging');
    expect(Object.values(res('AWS::ApiGateway::Stage'))[0]?.Properties.StageName).toBe('staging');
    expect(full.config.ministryAccounts).toEqual({ KH: '111111111111', TH: '222222222222' });
    expect(full.config.webhookAllowList).toEqual(['hooks.example.gov.kh', '*.example.go.th']);
  });

  it('hard-codes no account id and no ARN in the template; configured ministry accounts appear only as their event-bus targets', () => {
    for (const tmpl of [template, t]) {
      const text = JSON.stringify(tmpl.toJSON());
      expect(text.match(/arn:aws[a-z-]*:/g)).toBeNull();
      const accounts = [...new Set(text.match(/\b\d{12}\b/g) ?? [])].sort();
      expect(accounts).toEqual(tmpl === t ? ['111111111111', '222222222222'] : []);
    }
    for (const account of ['111111111111', '222222222222']) {
      t.hasResourceProperties('AWS::Events::Rule', {
        Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::Join': ['', Match.arrayWith([`:${account}:event-bus/default`])] } })]),
      });
    }
  });
});

describe('events for the ministries', () => {
  const eventsId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  it('has the bus with an archive of every Clearway event', () => {
    template.hasResourceProperties('AWS::Events::Archive', { EventPattern: { source: ['clearway'] }, SourceArn: Match.anyValue() });
  });

  it('generates one rule per ministry from the shared routing, each into its own encrypted queue with a dead-letter queue', () => {
    for (const route of MINISTRY_ROUTES) {
      const queueId = eventsId(stack.events.ministryQueues.find((m) => m.ministry === route.ministry)!.queue);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: eventsId(stack.events.bus) },
        EventPattern: route.pattern,
        Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }) })]),
      });
    }
    const queues = template.findResources('AWS::SQS::Queue');
    const eventQueues = Object.entries(queues).filter(([id]) => id.startsWith('Events'));
    expect(eventQueues.length).toBeGreaterThanOrEqual(MINISTRY_ROUTES.length * 2 + 1);
    for (const [id, q] of eventQueues) expect((q as { Properties: { KmsMasterKeyId?: unknown } }).Properties.KmsMasterKeyId, id).toBeDefined();
    for (const m of stack.events.ministryQueues) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [eventsId(m.deadLetterQueue), 'Arn'] }, maxReceiveCount: 5 },
      });
    }
  });

  it('alarms on anything in the events’ dead-letter queues', () => {
    for (const q of [stack.events.targetDeadLetterQueue, ...stack.events.ministryQueues.map((m) => m.deadLetterQueue)]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: Match.arrayWith([Match.objectLike({ Name: 'QueueName', Value: { 'Fn::GetAtt': [eventsId(q), 'QueueName'] } })]),
      });
    }
  });
});
