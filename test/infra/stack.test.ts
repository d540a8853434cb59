import { describe, it, expect } from 'vitest';
import { Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Table, AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { tableDefinition } from '../../shared/db/table.ts';
import { MINISTRY_ROUTES, SAFETY_ROUTE } from '../../shared/events/routing.ts';
import { OUTBOX_STREAM_FILTER } from '../../shared/events/publish.ts';
import { ROLES } from '../../shared/domain/roles.ts';
import { apiFunctions, subPathsOf } from '../../functions/manifest.ts';
import { EVENT_BUS_ENV, POWERTOOLS_ENVIRONMENT } from '../../infra/aws/constructs/function.ts';
import { MINISTRY_ENV, WEBHOOK_ALLOW_LIST_ENV } from '../../infra/aws/constructs/deliverers.ts';
import { Observability } from '../../infra/aws/constructs/observability.ts';
import { WAF_RULES } from '../../infra/aws/constructs/firewall.ts';
import { DOCUMENT_HASH_SECRET_ENV } from '../../infra/aws/constructs/secrets.ts';
import { CONSOLE_ORIGIN_ENV, DOCUMENT_HASHING_FUNCTIONS, IMPORT_UPLOADING_FUNCTIONS, PUBLIC_FUNCTIONS, type ClearwayStack } from '../../infra/aws/stack.ts';
import { IMPORT_BUCKET_ENV } from '../../infra/aws/constructs/imports.ts';
import type { ClearwayFunction } from '../../infra/aws/constructs/function.ts';
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
const asArray = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
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
  const idsOf = (fn: ClearwayFunction) => ({ fn: logicalId(fn.fn), role: logicalId(fn.role), logs: logicalId(fn.logGroup) });
  const fnIds = new Map([...s.functions].map(([name, fn]) => [name as string, idsOf(fn)]));
  /** The functions that serve no API: the publisher, one deliverer per ministry, the return-safety checks, the importer. */
  const pipelineIds = new Map(
    [s.publisher.function, ...s.deliverers.functions.values(), s.safetyChecks.function, s.importer.function].map((fn) => [fn.name, idsOf(fn)]),
  );
  return { logicalId, resources, statementsOfRole, allStatements, fnIds, pipelineIds };
}

const { logicalId, resources, statementsOfRole, allStatements, fnIds, pipelineIds } = inspect(stack, template);
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
  it('defines one function per apiFunctions entry, each from its own handler, plus the publisher, one deliverer per ministry, the return-safety checks and the importer, and nothing else', () => {
    expect([...stack.functions.keys()].sort()).toEqual(apiFunctions.map((f) => f.name).sort());
    expect([...pipelineIds.keys()].sort()).toEqual(
      ['importer', 'publisher', 'safety', ...MINISTRY_ROUTES.map((r) => `deliverer-${r.ministry.toLowerCase()}`)].sort(),
    );
    expect(Object.keys(resources('AWS::Lambda::Function')).sort()).toEqual([...fnIds.values(), ...pipelineIds.values()].map((i) => i.fn).sort());
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

  it('runs the publisher, the deliverers and the importer the same way (nodejs24.x, arm64, X-Ray, own encrypted log group), with timeouts of their own', () => {
    for (const [name, ids] of pipelineIds) {
      expect(resources('AWS::Lambda::Function')[ids.fn]?.Properties, name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Timeout: expect.any(Number),
        MemorySize: expect.any(Number),
        LoggingConfig: { LogGroup: ref(ids.logs) },
      });
      expect(resources('AWS::Logs::LogGroup')[ids.logs]?.Properties, name).toMatchObject({
        RetentionInDays: Number(cdkContext.logRetentionDays),
        KmsKeyId: arnOf(logKeyId),
      });
      expect(environmentOf(ids.fn), name).toMatchObject({ RUNTIME: 'aws', ...POWERTOOLS_ENVIRONMENT });
    }
    // The importer's young generation is capped, as the household-import bench runs it.
    expect(environmentOf(pipelineIds.get('importer')!.fn).NODE_OPTIONS).toBe('--enable-source-maps --max-semi-space-size=16');
    expect(environmentOf(pipelineIds.get('publisher')!.fn).NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('reserves no concurrency by default (the account pool, bounded by API throttling, stream shards and queue concurrency caps)', () => {
    for (const ids of [...fnIds.values(), ...pipelineIds.values()])
      expect(resources('AWS::Lambda::Function')[ids.fn]?.Properties.ReservedConcurrentExecutions).toBeUndefined();
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
      // Without -c consoleOrigin the console is the distribution's own origin.
      expect(JSON.stringify(variables[CONSOLE_ORIGIN_ENV])).toContain(`"Fn::GetAtt":["${logicalId(stack.web.distribution)}","DomainName"]`);
    }
    expect(POWERTOOLS_ENVIRONMENT).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'clearway', POWERTOOLS_METRICS_NAMESPACE: 'Clearway' });
  });

  it('gives no function a managed policy: each role may write only to its own log group', () => {
    for (const role of Object.values(resources('AWS::IAM::Role')).filter((r) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('lambda.amazonaws.com'),
    )) {
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

  it('allows wildcard action families only where CDK key grants put them: kms:GenerateDataKey* / kms:ReEncrypt* on the table key, or for the publisher on the key of its on-failure queue', () => {
    // (The import bucket's grants are written out: s3:PutObject, s3:GetObject, s3:DeleteObject, kms:GenerateDataKey, kms:Decrypt.)
    const publisherStatements = new Set(statementsOfRole(pipelineIds.get('publisher')!.role).map((s) => JSON.stringify(s)));
    const eventsKey = arnOf(logicalId(stack.events.key));
    for (const s of allStatements()) {
      const wildcards = asArray(s.Action).filter((a) => a.includes('*'));
      if (wildcards.length === 0) continue;
      expect(
        wildcards.every((a) => a === 'kms:GenerateDataKey*' || a === 'kms:ReEncrypt*'),
        JSON.stringify(s),
      ).toBe(true);
      expect([arnOf(tableKeyId), ...(publisherStatements.has(JSON.stringify(s)) ? [eventsKey] : [])]).toContainEqual(s.Resource);
    }
  });

  it('uses Resource "*" only for the X-Ray actions tracing needs, and for the publisher dynamodb:ListStreams (which takes no resource)', () => {
    const publisherRole = pipelineIds.get('publisher')!.role;
    const starred = (roleId?: string) =>
      (roleId ? statementsOfRole(roleId) : allStatements()).filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
    expect(starred().length).toBeGreaterThan(0);
    const publisherStarred = new Set(starred(publisherRole).map((s) => JSON.stringify(s)));
    for (const s of starred()) {
      const allowed = (a: string) => a.startsWith('xray:') || (publisherStarred.has(JSON.stringify(s)) && a === 'dynamodb:ListStreams');
      expect(asArray(s.Action).every(allowed), JSON.stringify(s)).toBe(true);
    }
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
      expect(dynamo[0]?.Action).toEqual(
        expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem']),
      );
      expect(dynamo[0]?.Resource).toEqual([arnOf(tableId), { 'Fn::Join': ['', [arnOf(tableId), '/index/*']] }]);
      expect(tableKey).toHaveLength(1);
    }
  });

  it('lets each function read exactly the secrets it needs: the cursor secret unless public, the hashing secret only if it hashes documents', () => {
    const readable = (roleId: string) =>
      statementsOfRole(roleId)
        .filter((s) => asArray(s.Action).includes('secretsmanager:GetSecretValue'))
        .flatMap((s) => {
          expect(asArray(s.Action).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
          // One statement per secret, or one naming both once IAM policy minimization merges them.
          return asArray(s.Resource as { Ref: string } | { Ref: string }[]).map((r) => r.Ref);
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
    // Beyond the API: the deliverers and the return-safety checks (cursor secret, for shared/config.ts) and the importer (both secrets).
    const others = [...pipelineIds]
      .filter(([name]) => name.startsWith('deliverer-') || name === 'safety' || name === 'importer')
      .map(([, ids]) => arnOf(ids.role));
    expect(others).toHaveLength(MINISTRY_ROUTES.length + 2);
    const readers = [
      ...[...fnIds].filter(([name]) => !isPublicName(name) || DOCUMENT_HASHING_FUNCTIONS.has(name)).map(([, ids]) => arnOf(ids.role)),
      ...others,
    ];
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
    for (const [id, secret] of Object.entries(resources('AWS::SecretsManager::Secret')))
      expect(keys.has(String(keyRef(secret.Properties.KmsKeyId))), id).toBe(true);
    for (const [id, topic] of Object.entries(resources('AWS::SNS::Topic'))) expect(keys.has(String(keyRef(topic.Properties.KmsMasterKeyId))), id).toBe(true);
    for (const [id, table] of Object.entries(resources('AWS::DynamoDB::Table')))
      expect(keys.has(String(keyRef((table.Properties.SSESpecification as { KMSMasterKeyId: unknown }).KMSMasterKeyId))), id).toBe(true);
    for (const [id, bucket] of Object.entries(resources('AWS::S3::Bucket'))) {
      const rule = (bucket.Properties.BucketEncryption as { ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { SSEAlgorithm: string } }[] })
        .ServerSideEncryptionConfiguration[0];
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

  it('is KMS-encrypted with its own key, versioned, logged to the access-log bucket, and empties itself as a backstop to the importer’s deletions: uploads after 2 days, old versions after 1', () => {
    expect(resources('AWS::S3::Bucket')[bucketId]?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(logicalId(stack.imports.key)) } },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: ref(logsBucketId), LogFilePrefix: 'imports/' },
      LifecycleConfiguration: {
        Rules: [
          expect.objectContaining({
            Status: 'Enabled',
            ExpirationInDays: 2,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ],
      },
    });
    // Browsers PUT uploads only from the console, here the distribution's own origin.
    const cors = resources('AWS::S3::Bucket')[bucketId]?.Properties.CorsConfiguration as {
      CorsRules: { AllowedMethods: string[]; AllowedOrigins: unknown[] }[];
    };
    expect(cors.CorsRules).toHaveLength(1);
    expect(cors.CorsRules[0]?.AllowedMethods).toEqual(['PUT']);
    expect(JSON.stringify(cors.CorsRules[0]?.AllowedOrigins)).toContain(`"Fn::GetAtt":["${logicalId(stack.web.distribution)}","DomainName"]`);
  });

  it('makes no bucket public: all public access blocked, TLS enforced, and no policy allows anyone', () => {
    const buckets = resources('AWS::S3::Bucket');
    expect(Object.keys(buckets).sort()).toEqual([bucketId, logsBucketId, logicalId(stack.web.bucket), logicalId(stack.web.logsBucket)].sort());
    for (const [id, bucket] of Object.entries(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.AccessControl, id).toBeUndefined();
      const policy = Object.values(resources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify(ref(id)));
      const statements = (policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
      expect(
        statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"')),
        id,
      ).toBe(true);
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
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          PasswordHistorySize: 5,
        }),
      },
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
    expect([...(client?.Properties.ExplicitAuthFlows as string[])].sort()).toEqual([
      'ALLOW_ADMIN_USER_PASSWORD_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
      'ALLOW_USER_SRP_AUTH',
    ]);
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
  // CORS preflights (for the console's origin) are checked on their own below.
  const preflights = apiMethods(stack, template).filter((m) => m.httpMethod === 'OPTIONS');
  const methods = apiMethods(stack, template).filter((m) => m.httpMethod !== 'OPTIONS');
  // A sub-path of another function below a base path (`/v1/households/{id}/assistance`) replaces the
  // base path's `{proxy+}` by `{id}` and `{id}/{proxy+}`, beside which the sub-path and its `{proxy+}` sit.
  const subs = apiFunctions.flatMap((f) => subPathsOf(f).map((path) => ({ path, name: f.name as string })));
  const expected = [
    ...apiFunctions.flatMap((f) =>
      f.basePaths.flatMap((p) => {
        const below = subs.filter((s) => s.path.startsWith(`${p}/`));
        const children =
          below.length === 0
            ? [`${p}/{proxy+}`]
            : [...new Set(below.map((s) => `${p}/${s.path.slice(p.length + 1).split('/')[0]}`))].flatMap((v) => [v, `${v}/{proxy+}`]);
        return [p, ...children].map((path) => ({ path, name: f.name as string }));
      }),
    ),
    ...subs.flatMap((s) => [s.path, `${s.path}/{proxy+}`].map((path) => ({ path, name: s.name }))),
  ];

  it('sends /v1/households/{id}/assistance and below to the assistance function, everything else below /v1/households to households', () => {
    const owner = (path: string) => expected.find((e) => e.path === path)?.name;
    expect(owner('/v1/households/{id}/assistance')).toBe('assistance');
    expect(owner('/v1/households/{id}/assistance/{proxy+}')).toBe('assistance');
    expect(owner('/v1/households/{id}')).toBe('households');
    expect(owner('/v1/households/{id}/{proxy+}')).toBe('households');
    expect(owner('/v1/households/{proxy+}')).toBeUndefined();
    const method = methods.find((m) => m.path === '/v1/households/{id}/assistance');
    expect(JSON.stringify(method?.integration)).toContain(`"${fnIds.get('assistance')?.fn}"`);
  });

  it('sends the members, head, split and verification paths of a household (and below) to the household-members function', () => {
    const owner = (path: string) => expected.find((e) => e.path === path)?.name;
    for (const sub of ['members', 'head', 'split', 'verification']) {
      expect(owner(`/v1/households/{id}/${sub}`)).toBe('household-members');
      expect(owner(`/v1/households/{id}/${sub}/{proxy+}`)).toBe('household-members');
    }
    const method = methods.find((m) => m.path === '/v1/households/{id}/members/{proxy+}');
    expect(JSON.stringify(method?.integration)).toContain(`"${fnIds.get('household-members')?.fn}"`);
  });

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
    const publicPaths = methods
      .filter((m) => m.authorizationType === 'NONE')
      .map((m) => m.path)
      .sort();
    expect(publicPaths).toEqual([
      '/asyncapi.json',
      '/asyncapi.json/{proxy+}',
      '/docs',
      '/docs/{proxy+}',
      '/health',
      '/health/{proxy+}',
      '/openapi.json',
      '/openapi.json/{proxy+}',
    ]);
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
    expect(byType('UNAUTHORIZED')).toMatchObject({
      StatusCode: '401',
      ResponseParameters: { 'gatewayresponse.header.WWW-Authenticate': `'Bearer realm="clearway"'` },
    });
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
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: expect.any(Number),
          ThrottlingBurstLimit: expect.any(Number),
        }),
      ],
    });
    const format = JSON.parse(String((stage?.Properties.AccessLogSetting as { Format: string }).Format)) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(resources('AWS::Logs::LogGroup')[logicalId(stack.api.accessLogs)]?.Properties).toMatchObject({
      RetentionInDays: Number(cdkContext.logRetentionDays),
      KmsKeyId: arnOf(logKeyId),
    });
  });

  it('answers CORS for the origin of the console distribution alone when consoleOrigin is not set', () => {
    const distributionDomain = `"Fn::GetAtt":["${logicalId(stack.web.distribution)}","DomainName"]`;
    expect(preflights.map((p) => p.path)).toEqual(expect.arrayContaining(['/v1/tasks', '/v1/tasks/{proxy+}']));
    for (const p of preflights) {
      expect(p.integration.Type, p.path).toBe('MOCK');
      expect(JSON.stringify(p.integration), p.path).toContain(distributionDomain);
    }
    for (const r of Object.values(resources('AWS::ApiGateway::GatewayResponse'))) {
      expect(
        JSON.stringify((r.Properties.ResponseParameters as Record<string, unknown>)['gatewayresponse.header.Access-Control-Allow-Origin']),
        String(r.Properties.ResponseType),
      ).toContain(distributionDomain);
    }
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
    expect(rule(WAF_RULES.rateLimit)).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: expect.any(Number) } },
    });
    for (const name of [WAF_RULES.common, WAF_RULES.knownBadInputs]) {
      expect(rule(name)).toMatchObject({ OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } });
    }
    for (const r of acl.Rules) expect(r.VisibilityConfig, String(r.Name)).toMatchObject({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
    // Geometry bodies legitimately exceed 8 KB: that one rule only counts.
    expect(JSON.stringify(rule(WAF_RULES.common))).toContain('"RuleActionOverrides":[{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}]');
  });

  it('logs to an encrypted aws-waf-logs-* group with the Authorization header redacted', () => {
    const groupId = logicalId(stack.firewall.logGroup);
    expect(resources('AWS::Logs::LogGroup')[groupId]?.Properties).toMatchObject({
      LogGroupName: expect.stringMatching(/^aws-waf-logs-/),
      KmsKeyId: arnOf(logKeyId),
    });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: arnOf(aclId),
      LogDestinationConfigs: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':log-group:', ref(groupId)])] })],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }],
    });
  });
});

describe('alarms', () => {
  const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const routedToTopic = (a: Record<string, unknown>) =>
    JSON.stringify(a.AlarmActions) === JSON.stringify([ref(topicId)]) && JSON.stringify(a.OKActions) === JSON.stringify([ref(topicId)]);

  it('alarm on each function’s errors and throttles (API, publisher and deliverers), and notify the topic when they fire and clear', () => {
    for (const [name, ids] of [...fnIds, ...pipelineIds]) {
      for (const metricName of ['Errors', 'Throttles']) {
        const alarm = alarms.find(
          (a) =>
            a.Namespace === 'AWS/Lambda' &&
            a.MetricName === metricName &&
            JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: ref(ids.fn) }]),
        );
        expect(alarm, `${metricName} of ${name}`).toMatchObject({
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
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
    expect(waf?.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'WebACL', Value: stack.firewall.webAclName },
        { Name: 'Rule', Value: 'ALL' },
      ]),
    );
    expect(routedToTopic(waf ?? {})).toBe(true);
  });

  it('go to a KMS-encrypted, TLS-only topic that CloudWatch alarms of this account may publish to; no e-mail unless alarmEmail is set', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf(logicalId(stack.observability.topicKey)) });
    const statements = (Object.values(resources('AWS::SNS::TopicPolicy'))[0]?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } }),
        }),
      ]),
    );
    const keyPolicy = JSON.stringify(resources('AWS::KMS::Key')[logicalId(stack.observability.topicKey)]?.Properties.KeyPolicy);
    expect(keyPolicy).toContain('"Service":"cloudwatch.amazonaws.com"');
    expect(resources('AWS::SNS::Subscription')).toEqual({});
  });

  it('are all shown on a dashboard with API, function, table and WAF graphs', () => {
    const body = JSON.stringify(Object.values(resources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody);
    for (const metric of [
      '5XXError',
      '4XXError',
      'Latency',
      'Duration',
      'Throttles',
      'ConsumedReadCapacityUnits',
      'WriteThrottleEvents',
      'AllowedRequests',
      'BlockedRequests',
    ])
      expect(body, metric).toContain(metric);
    for (const ids of [...fnIds.values(), ...pipelineIds.values()]) expect(body).toContain(ids.fn);
    expect(body).toContain('\\"type\\":\\"alarm\\"');
  });
});

describe('Observability construct with queues and stream consumers', () => {
  // The lists in isolation, with a non-default iterator age.
  const probe = new Stack();
  const queue = new Queue(probe, 'Dlq', { encryption: QueueEncryption.KMS_MANAGED });
  const publisher = new LambdaFunction(probe, 'Publisher', {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('export const handler = async () => {}'),
  });
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

  it('alarms on Clearway’s own metrics: webhook deliveries dead-lettered and import rows rejected', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Clearway',
      MetricName: 'WebhookFailures',
      Dimensions: [{ Name: 'service', Value: 'clearway' }],
      Statistic: 'Sum',
      Threshold: 5,
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Clearway', MetricName: 'ImportRowsRejected', Statistic: 'Sum', Threshold: 1000 });
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
    for (const m of methods.filter((x) => x.httpMethod !== 'OPTIONS' && !/^\/(health|docs|openapi\.json|asyncapi\.json)/.test(x.path)))
      expect(m.authorizationType, m.path).toBe('COGNITO_USER_POOLS');
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
    expect(res('AWS::Lambda::Alias')[aliasId]?.Properties).toMatchObject({
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
    });
    const integration = JSON.stringify(methods.find((m) => m.path === '/v1/tasks' && m.httpMethod === 'ANY')?.integration);
    expect(integration).toContain(`"${aliasId}"`);
    for (const [name, fn] of full.stack.functions) {
      if (name !== 'tasks') expect(res('AWS::Lambda::Function')[idOf(fn.fn)]?.Properties.ReservedConcurrentExecutions, name).toBeUndefined();
    }
  });

  it('passes the webhookAllowList context to every deliverer and to the subscriptions API as WEBHOOK_ALLOW_LIST', () => {
    expect(full.stack.deliverers.functions.size).toBe(MINISTRY_ROUTES.length);
    const variablesOf = (fn: { fn: unknown }) =>
      (res('AWS::Lambda::Function')[idOf(fn.fn as never)]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    for (const [ministry, fn] of full.stack.deliverers.functions) {
      expect(variablesOf(fn), ministry).toMatchObject({ [MINISTRY_ENV]: ministry, [WEBHOOK_ALLOW_LIST_ENV]: 'hooks.example.gov.kh,*.example.go.th' });
    }
    expect(variablesOf(full.stack.functions.get('notifications')!)).toMatchObject({ [WEBHOOK_ALLOW_LIST_ENV]: 'hooks.example.gov.kh,*.example.go.th' });
    expect(variablesOf(full.stack.functions.get('tasks')!)[WEBHOOK_ALLOW_LIST_ENV]).toBeUndefined();
  });

  it('e-mails the alarms to alarmEmail', () => {
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: fullContext.alarmEmail,
      TopicArn: ref(idOf(full.stack.observability.topic)),
    });
  });

  it('names its stack and stage after env and keeps the parsed ministries and allow-list on the stack', () => {
    expect(full.stack.stackName).toBe('Clearway-staging');
    expect(Object.values(res('AWS::ApiGateway::Stage'))[0]?.Properties.StageName).toBe('staging');
    expect(full.config.ministryAccounts).toEqual({ KH: '111111111111', TH: '222222222222' });
    expect(full.config.webhookAllowList).toEqual(['hooks.example.gov.kh', '*.example.go.th']);
  });

  it('hard-codes no account id and no ARN in the template; configured ministry accounts appear only as their event-bus targets, configured ARNs only as given', () => {
    // The console's web ACL and certificate live in us-east-1, outside this stack: given by ARN.
    const configuredArns = [String(fullContext.consoleWebAclArn), String(fullContext.consoleCertificateArn)];
    for (const arn of configuredArns) expect(JSON.stringify(t.toJSON())).toContain(`"${arn}"`);
    for (const tmpl of [template, t]) {
      const text = configuredArns.reduce((all, arn) => all.replaceAll(arn, ''), JSON.stringify(tmpl.toJSON()));
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
        Targets: Match.arrayWith([
          Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }) }),
        ]),
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

describe('event pipeline: stream → publisher → bus', () => {
  const publisher = pipelineIds.get('publisher')!;
  const dlqId = logicalId(stack.publisher.deadLetterQueue);
  const busId = logicalId(stack.events.bus);
  const mappings = Object.values(resources('AWS::Lambda::EventSourceMapping')).map((m) => m.Properties);
  const mapping = mappings.find((m) => JSON.stringify(m.FunctionName) === JSON.stringify(ref(publisher.fn)));

  it('maps the table stream to the publisher, letting through only outbox inserts (the filter the local poller applies)', () => {
    expect(mapping).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: { Filters: [{ Pattern: expect.any(String) }] },
    });
    const filters = (mapping?.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(JSON.parse(filters[0]!.Pattern)).toEqual(OUTBOX_STREAM_FILTER);
  });

  it('reports failed records one by one, bisects failing batches, retries a bounded number of times within a bounded record age, keeps shard order, and sends what it gives up on to its on-failure queue', () => {
    expect(mapping).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: arnOf(dlqId) } },
    });
    // -1 would mean "until the record expires": both must be finite.
    expect(mapping?.MaximumRetryAttempts).toEqual(expect.any(Number));
    expect(mapping?.MaximumRetryAttempts as number).toBeGreaterThanOrEqual(1);
    expect(mapping?.MaximumRetryAttempts as number).toBeLessThanOrEqual(10_000);
    expect(mapping?.MaximumRecordAgeInSeconds).toEqual(expect.any(Number));
    expect(mapping?.MaximumRecordAgeInSeconds as number).toBeGreaterThanOrEqual(60);
    // A stream keeps records for 24 hours.
    expect(mapping?.MaximumRecordAgeInSeconds as number).toBeLessThanOrEqual(86_400);
  });

  it('encrypts the on-failure queue with the event queues’ customer-managed key and refuses it plain HTTP', () => {
    expect(resources('AWS::SQS::Queue')[dlqId]?.Properties).toMatchObject({
      KmsMasterKeyId: arnOf(logicalId(stack.events.key)),
      MessageRetentionPeriod: 1_209_600,
    });
    const policy = Object.values(resources('AWS::SQS::QueuePolicy')).find((p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([ref(dlqId)]));
    const statements = (policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(statements).toEqual(expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]));
  });

  it('lets the publisher put events on the Clearway bus only, and tells it the bus name', () => {
    const statements = statementsOfRole(publisher.role);
    const events = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('events:')));
    expect(events).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: arnOf(busId) }]);
    expect(environmentOf(publisher.fn)[EVENT_BUS_ENV]).toEqual(ref(busId));
    // Nobody else publishes.
    for (const [name, ids] of [...fnIds, ...pipelineIds].filter(([n]) => n !== 'publisher')) {
      expect(
        statementsOfRole(ids.role)
          .flatMap((s) => asArray(s.Action))
          .filter((a) => a.startsWith('events:')),
        name,
      ).toEqual([]);
    }
  });

  it('gives the publisher the stream and nothing else of the table: no item action, no table name', () => {
    const statements = statementsOfRole(publisher.role);
    const dynamo = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap((s) => asArray(s.Action).filter((a) => a.startsWith('dynamodb:'))).sort()).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    const records = dynamo.find((s) => asArray(s.Action).includes('dynamodb:GetRecords'));
    expect(records?.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    // The stream is encrypted with the table key: reading it needs Decrypt, never Encrypt.
    const tableKey = statements.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(arnOf(tableKeyId)));
    expect(tableKey.flatMap((s) => asArray(s.Action)).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(environmentOf(publisher.fn)).not.toHaveProperty('TABLE_NAME');
  });

  it('lets the publisher send to its on-failure queue and to no other queue', () => {
    const sqs = statementsOfRole(publisher.role).filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')));
    expect(sqs).toHaveLength(1);
    expect(sqs[0]?.Resource).toEqual(arnOf(dlqId));
    expect(asArray(sqs[0]!.Action)).toContain('sqs:SendMessage');
  });

  it('alarms on any message in the on-failure queue and on the publisher falling 5 minutes behind the stream', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const dlq = alarms.find(
      (a) =>
        a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }]),
    );
    expect(dlq).toMatchObject({ Namespace: 'AWS/SQS', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [ref(topicId)] });
    const age = alarms.find((a) => a.MetricName === 'IteratorAge');
    expect(age).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Maximum',
      Threshold: 300_000,
      Dimensions: [{ Name: 'FunctionName', Value: ref(publisher.fn) }],
      AlarmActions: [ref(topicId)],
      OKActions: [ref(topicId)],
    });
  });
});

describe('event pipeline: ministry queue → deliverer', () => {
  const functions = resources('AWS::Lambda::Function');
  const mappings = Object.values(resources('AWS::Lambda::EventSourceMapping')).map((m) => m.Properties);

  it.each(MINISTRY_ROUTES.map((r) => r.ministry))(
    'has a %s deliverer fed by that ministry’s queue, 10 messages a batch, with partial batch failures and a concurrency cap',
    (ministry) => {
      const fn = stack.deliverers.functions.get(ministry)!;
      const queue = stack.events.ministryQueues.find((m) => m.ministry === ministry)!.queue;
      const own = mappings.filter((m) => JSON.stringify(m.FunctionName) === JSON.stringify(ref(logicalId(fn.fn))));
      expect(own).toHaveLength(1);
      expect(own[0]).toMatchObject({
        EventSourceArn: arnOf(logicalId(queue)),
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: expect.any(Number) },
      });
      // It receives from its own queue only.
      const receive = statementsOfRole(logicalId(fn.role)).filter((s) => asArray(s.Action).includes('sqs:ReceiveMessage'));
      expect(receive.map((s) => s.Resource)).toEqual([arnOf(logicalId(queue))]);
    },
  );

  it.each(MINISTRY_ROUTES.map((r) => r.ministry))(
    'runs the %s deliverer from functions/deliverer with its MINISTRY, the API configuration and no allow-list by default, outside any VPC',
    (ministry) => {
      const fn = stack.deliverers.functions.get(ministry)!;
      const properties = functions[logicalId(fn.fn)]!.Properties;
      expect(properties.VpcConfig).toBeUndefined();
      expect(environmentOf(logicalId(fn.fn))).toMatchObject({
        [MINISTRY_ENV]: ministry,
        RUNTIME: 'aws',
        TABLE_NAME: ref(tableId),
        CURSOR_SECRET_ARN: ref(cursorSecretId),
        JWT_AUDIENCE: ref(logicalId(stack.auth.client)),
        JWKS_URL: expect.anything(),
        JWT_ISSUER: expect.anything(),
      });
      expect(environmentOf(logicalId(fn.fn))).not.toHaveProperty(WEBHOOK_ALLOW_LIST_ENV);
      const dynamo = statementsOfRole(logicalId(fn.role)).filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toHaveLength(1);
      expect(dynamo[0]?.Action).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem']));
    },
  );

  it('keeps each delivery queue’s visibility timeout at least 6 times its deliverer’s timeout', () => {
    const queues = resources('AWS::SQS::Queue');
    for (const { ministry, queue } of stack.events.ministryQueues) {
      const timeout = functions[logicalId(stack.deliverers.functions.get(ministry)!.fn)]?.Properties.Timeout as number;
      expect(timeout, ministry).toBeGreaterThan(0);
      expect(queues[logicalId(queue)]?.Properties.VisibilityTimeout as number, ministry).toBeGreaterThanOrEqual(6 * timeout);
    }
  });
});

describe('return-safety checks: bus rule → queue → safety function', () => {
  const functions = resources('AWS::Lambda::Function');
  const safety = pipelineIds.get('safety')!;
  const queueId = logicalId(stack.safetyChecks.queue);
  const dlqId = logicalId(stack.safetyChecks.deadLetterQueue);
  const eventsKey = arnOf(logicalId(stack.events.key));

  it('has a rule on the Clearway bus whose pattern is SAFETY_ROUTE’s, into the return-safety queue (with the targets’ dead-letter queue)', () => {
    const rules = Object.values(resources('AWS::Events::Rule')).filter((r) => JSON.stringify(r.Properties.Targets).includes(`"${queueId}"`));
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({
      EventBusName: ref(logicalId(stack.events.bus)),
      EventPattern: SAFETY_ROUTE.pattern,
      Targets: [expect.objectContaining({ Arn: arnOf(queueId), DeadLetterConfig: { Arn: arnOf(logicalId(stack.events.targetDeadLetterQueue)) } })],
    });
  });

  it('encrypts the queue and its dead-letter queue with the events key, refuses them plain HTTP, and redrives after a bounded number of receives', () => {
    const queues = resources('AWS::SQS::Queue');
    expect(queues[queueId]?.Properties).toMatchObject({ KmsMasterKeyId: eventsKey, RedrivePolicy: { deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: 5 } });
    expect(queues[dlqId]?.Properties).toMatchObject({ KmsMasterKeyId: eventsKey });
    for (const id of [queueId, dlqId]) {
      const policy = Object.values(resources('AWS::SQS::QueuePolicy')).find((p) => JSON.stringify(p.Properties.Queues) === JSON.stringify([ref(id)]));
      expect((policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement, id).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  it('feeds the safety function from the queue, 10 messages a batch with partial batch failures, and from no other source', () => {
    const own = Object.values(resources('AWS::Lambda::EventSourceMapping'))
      .map((m) => m.Properties)
      .filter((m) => JSON.stringify(m.FunctionName) === JSON.stringify(ref(safety.fn)));
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({
      EventSourceArn: arnOf(queueId),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: expect.any(Number) },
    });
    const receive = statementsOfRole(safety.role).filter((s) => asArray(s.Action).includes('sqs:ReceiveMessage'));
    expect(receive.map((s) => s.Resource)).toEqual([arnOf(queueId)]);
  });

  it('keeps the queue’s visibility timeout at least 6 times the function’s timeout', () => {
    const timeout = functions[safety.fn]?.Properties.Timeout as number;
    expect(timeout).toBeGreaterThan(10);
    expect(resources('AWS::SQS::Queue')[queueId]?.Properties.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('runs functions/safety with the configuration shared/config.ts needs, reading and writing the table, outside any VPC', () => {
    expect(functions[safety.fn]?.Properties.VpcConfig).toBeUndefined();
    expect(environmentOf(safety.fn)).toMatchObject({
      RUNTIME: 'aws',
      TABLE_NAME: ref(tableId),
      CURSOR_SECRET_ARN: ref(cursorSecretId),
      JWT_AUDIENCE: ref(logicalId(stack.auth.client)),
      JWKS_URL: expect.anything(),
      JWT_ISSUER: expect.anything(),
    });
    const dynamo = statementsOfRole(safety.role).filter((s) => asArray(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect(dynamo[0]?.Action).toEqual(
      expect.arrayContaining([
        'dynamodb:Query',
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
      ]),
    );
  });

  it('alarms on any message in its dead-letter queue, and on the function’s errors', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const dlq = alarms.find(
      (a) =>
        a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
        JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }]),
    );
    expect(dlq).toMatchObject({
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [ref(topicId)],
      OKActions: [ref(topicId)],
    });
    expect(
      alarms.find((a) => a.MetricName === 'Errors' && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: ref(safety.fn) }])),
    ).toBeDefined();
  });
});

describe('household imports: presigned uploads → bucket notification → importer', () => {
  const bucketId = logicalId(stack.imports.bucket);
  const importsKeyId = logicalId(stack.imports.key);
  const importer = pipelineIds.get('importer')!;
  const uploads = { 'Fn::Join': ['', [arnOf(bucketId), '/uploads/*']] };
  const s3Actions = (roleId: string) => statementsOfRole(roleId).filter((st) => asArray(st.Action).some((a) => a.startsWith('s3:')));
  const importsKeyActions = (roleId: string) =>
    statementsOfRole(roleId)
      .filter((st) => JSON.stringify(st.Resource) === JSON.stringify(arnOf(importsKeyId)))
      .flatMap((st) => asArray(st.Action))
      .sort();

  it('tells the uploading API functions the bucket and lets them put and delete (erasure) objects under uploads/ only (with the key to encrypt them), and no other function', () => {
    expect([...IMPORT_UPLOADING_FUNCTIONS].every((name) => fnIds.has(name))).toBe(true);
    for (const [name, ids] of fnIds) {
      if (IMPORT_UPLOADING_FUNCTIONS.has(name)) {
        expect(environmentOf(ids.fn)[IMPORT_BUCKET_ENV], name).toEqual(ref(bucketId));
        expect(s3Actions(ids.role), name).toEqual([{ Effect: 'Allow', Action: ['s3:DeleteObject', 's3:PutObject'], Resource: uploads }]);
        expect(importsKeyActions(ids.role), name).toEqual(['kms:GenerateDataKey']);
      } else {
        expect(environmentOf(ids.fn), name).not.toHaveProperty(IMPORT_BUCKET_ENV);
        expect(s3Actions(ids.role), name).toEqual([]);
        expect(importsKeyActions(ids.role), name).toEqual([]);
      }
    }
  });

  it('invokes the importer for every object created under uploads/, and lets S3 of this account invoke it', () => {
    const bucket = resources('AWS::S3::Bucket')[bucketId]!;
    expect(bucket.Properties.NotificationConfiguration).toEqual({
      LambdaConfigurations: [
        { Event: 's3:ObjectCreated:*', Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'uploads/' }] } }, Function: arnOf(importer.fn) },
      ],
    });
    const permission = Object.entries(resources('AWS::Lambda::Permission')).find(
      ([, p]) => JSON.stringify(p.Properties.FunctionName) === JSON.stringify(arnOf(importer.fn)),
    );
    expect(permission?.[1].Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: arnOf(importer.fn),
      Principal: 's3.amazonaws.com',
      SourceAccount: ref('AWS::AccountId'),
    });
    // S3 validates the destination when the configuration is set: the permission must exist first.
    expect((template.toJSON() as { Resources: Record<string, { DependsOn?: string[] }> }).Resources[bucketId]?.DependsOn).toContain(permission?.[0]);
  });

  it('gives the importer 15 minutes and 1 GB, an encrypted dead-letter queue for events that failed their retries, and the configuration and secrets of the households function', () => {
    const dlqId = logicalId(stack.importer.deadLetterQueue);
    expect(resources('AWS::Lambda::Function')[importer.fn]?.Properties).toMatchObject({
      Timeout: 900,
      MemorySize: 1024,
      DeadLetterConfig: { TargetArn: arnOf(dlqId) },
    });
    expect(resources('AWS::SQS::Queue')[dlqId]?.Properties).toMatchObject({ KmsMasterKeyId: arnOf(importsKeyId) });
    expect(environmentOf(importer.fn)).toMatchObject({
      TABLE_NAME: ref(tableId),
      CURSOR_SECRET_ARN: ref(cursorSecretId),
      [DOCUMENT_HASH_SECRET_ENV]: ref(hashSecretId),
      JWT_AUDIENCE: ref(logicalId(stack.auth.client)),
      JWKS_URL: expect.anything(),
      JWT_ISSUER: expect.anything(),
    });
    const secrets = statementsOfRole(importer.role)
      .filter((st) => asArray(st.Action).includes('secretsmanager:GetSecretValue'))
      .flatMap((st) => asArray(st.Resource));
    expect(secrets).toEqual(expect.arrayContaining([ref(cursorSecretId), ref(hashSecretId)]));
    const sqs = statementsOfRole(importer.role).filter((st) => asArray(st.Action).some((a) => a.startsWith('sqs:')));
    expect(sqs).toEqual([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: arnOf(dlqId) }]);
  });

  it('lets the importer read and delete uploads/ objects by version (decrypting them), write the table, and nothing else of the bucket', () => {
    expect(s3Actions(importer.role)).toEqual([
      { Effect: 'Allow', Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:GetObject', 's3:GetObjectVersion'], Resource: uploads },
    ]);
    expect(importsKeyActions(importer.role)).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    const dynamo = statementsOfRole(importer.role).filter((st) => asArray(st.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect(dynamo[0]?.Action).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem']));
  });

  it('alarms on the importer’s errors and on anything in its dead-letter queue', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const dlqId = logicalId(stack.importer.deadLetterQueue);
    expect(
      alarms.some(
        (a) =>
          a.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }]),
      ),
    ).toBe(true);
    expect(
      alarms.some((a) => a.MetricName === 'Errors' && JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: ref(importer.fn) }])),
    ).toBe(true);
  });
});

describe('template', () => {
  it('has no dependency cycle (the bucket notification names the importer, so nothing the importer waits for may name the bucket)', () => {
    const all = (template.toJSON() as { Resources: Record<string, { DependsOn?: string | string[] }> }).Resources;
    const edges = new Map<string, Set<string>>();
    for (const [id, r] of Object.entries(all)) {
      const targets = new Set<string>(asArray(r.DependsOn ?? []));
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') {
          const o = v as Record<string, unknown>;
          if (typeof o.Ref === 'string' && o.Ref in all) targets.add(o.Ref);
          const att = o['Fn::GetAtt'];
          if (Array.isArray(att) && typeof att[0] === 'string' && att[0] in all) targets.add(att[0]);
          Object.values(o).forEach(walk);
        }
      };
      walk(r);
      edges.set(id, targets);
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(id)), id].join(' → '));
        return;
      }
      state.set(id, 'visiting');
      for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
      state.set(id, 'done');
    };
    for (const id of edges.keys()) visit(id, []);
    expect(cycles).toEqual([]);
  });
});
