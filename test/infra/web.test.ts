import { describe, it, expect } from 'vitest';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { WEB_LOG_PREFIXES } from '../../infra/aws/constructs/web.ts';
import type { ClearwayStack } from '../../infra/aws/stack.ts';
import { clearwayApp, fullContext } from './app.ts';

// Template assertions need no function code: bundling is left to assembly.test.ts.
const { stack } = clearwayApp({ skipBundling: true });
const template = Template.fromStack(stack);

type Resource = { Type: string; Properties: Record<string, unknown> };
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
const asArray = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

function inspect(s: ClearwayStack, t: Template) {
  const idOf = (construct: { node: { defaultChild?: unknown } }) => s.getLogicalId(construct.node.defaultChild as CfnElement);
  const resources = (type: string) => t.findResources(type) as Record<string, Resource>;
  const distribution = () => resources('AWS::CloudFront::Distribution')[idOf(s.web.distribution)]?.Properties.DistributionConfig as Record<string, unknown>;
  const client = () => resources('AWS::Cognito::UserPoolClient')[idOf(s.auth.client)]?.Properties ?? {};
  return { idOf, resources, distribution, client };
}
const { idOf, resources, distribution, client } = inspect(stack, template);
const siteId = idOf(stack.web.bucket);
const logsId = idOf(stack.web.logsBucket);
const distributionId = idOf(stack.web.distribution);

describe('console bucket', () => {
  it('is private, versioned, encrypted, TLS-only and logs its access to the logs bucket', () => {
    expect(resources('AWS::S3::Bucket')[siteId]?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: WEB_LOG_PREFIXES.site },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(resources('AWS::S3::Bucket')[siteId]?.Properties.WebsiteConfiguration).toBeUndefined();
  });

  it('lets only CloudFront read it, and only on behalf of this distribution (Origin Access Control); everything else over plain HTTP is denied', () => {
    const policy = Object.values(resources('AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: siteId }));
    const statements = (policy?.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]?.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(asArray(allows[0]!.Action)).toEqual(['s3:GetObject']);
    const sourceArn = JSON.stringify(allows[0]?.Condition?.StringEquals?.['AWS:SourceArn']);
    expect(sourceArn).toContain(`:distribution/`);
    expect(sourceArn).toContain(`"Ref":"${distributionId}"`);
    expect(statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('"aws:SecureTransport":"false"'))).toBe(true);
    // No origin access identity: OAC only.
    expect(resources('AWS::CloudFront::CloudFrontOriginAccessIdentity')).toEqual({});
    const oac = Object.values(resources('AWS::CloudFront::OriginAccessControl'));
    expect(oac).toHaveLength(1);
    expect(oac[0]?.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
  });
});

describe('console distribution', () => {
  it('serves the bucket through Origin Access Control, HTTPS only, index.html at the root and as the single-page fallback', () => {
    const config = distribution();
    expect(config).toMatchObject({ Enabled: true, DefaultRootObject: 'index.html', HttpVersion: 'http2and3' });
    const origins = config.Origins as { DomainName: unknown; OriginAccessControlId?: unknown; S3OriginConfig?: { OriginAccessIdentity?: string } }[];
    expect(origins).toHaveLength(1);
    expect(JSON.stringify(origins[0]?.DomainName)).toContain(`"${siteId}","RegionalDomainName"`);
    expect(origins[0]?.OriginAccessControlId).toBeDefined();
    expect(origins[0]?.S3OriginConfig?.OriginAccessIdentity ?? '').toBe('');
    expect(config.DefaultCacheBehavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'], Compress: true });
    expect(config.CustomErrorResponses).toEqual(
      expect.arrayContaining([403, 404].map((code) => expect.objectContaining({ ErrorCode: code, ResponseCode: 200, ResponsePagePath: '/index.html' }))),
    );
  });

  it('logs requests to the logs bucket', () => {
    expect(distribution().Logging).toMatchObject({ Bucket: { 'Fn::GetAtt': [logsId, 'RegionalDomainName'] }, Prefix: WEB_LOG_PREFIXES.cdn });
    expect(resources('AWS::S3::Bucket')[logsId]?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ Status: 'Enabled', ExpirationInDays: expect.any(Number) })] },
    });
  });

  it('adds security headers: a CSP allowing only itself, the API, the Cognito sign-in domain and S3 uploads; HSTS; no framing or sniffing', () => {
    const policyRef = (distribution().DefaultCacheBehavior as { ResponseHeadersPolicyId: unknown }).ResponseHeadersPolicyId;
    expect(policyRef).toEqual({ Ref: idOf(stack.web.headers) });
    const headers = resources('AWS::CloudFront::ResponseHeadersPolicy')[idOf(stack.web.headers)]?.Properties.ResponseHeadersPolicyConfig as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };
    const security = headers.SecurityHeadersConfig;
    expect(security.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true });
    expect(security.FrameOptions).toMatchObject({ FrameOption: 'DENY' });
    expect(security.ContentTypeOptions).toMatchObject({ Override: true });
    const csp = JSON.stringify(security.ContentSecurityPolicy?.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    // connect-src: self, the REST API's own execute-api host, the user pool's hosted domain, S3 (presigned uploads).
    const connect = csp.slice(csp.indexOf('connect-src'), csp.indexOf('; manifest-src'));
    expect(connect).toContain(`{"Ref":"${idOf(stack.api.restApi)}"},".execute-api."`);
    expect(connect).toContain(`{"Ref":"${idOf(stack.auth.domain!)}"},".auth."`);
    expect(connect).toContain('https://*.s3.');
    expect(connect).not.toMatch(/ \* |https:\/\/\*"|'unsafe/);
  });
});

describe('console sign-in (Cognito hosted UI)', () => {
  it('has a user pool domain whose prefix is generated from the stack name and account', () => {
    const domains = Object.values(resources('AWS::Cognito::UserPoolDomain'));
    expect(domains).toHaveLength(1);
    expect(domains[0]?.Properties.Domain).toEqual({ 'Fn::Join': ['', [`${stack.stackName.toLowerCase()}-`, { Ref: 'AWS::AccountId' }]] });
    expect(domains[0]?.Properties.UserPoolId).toEqual({ Ref: idOf(stack.auth.userPool) });
  });

  it('gives the console client the authorization-code grant only (PKCE, no secret), scopes openid email profile, back to the distribution', () => {
    const c = client();
    expect(c).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    expect([...(c.AllowedOAuthScopes as string[])].sort()).toEqual(['email', 'openid', 'profile']);
    const callbacks = c.CallbackURLs as unknown[];
    expect(callbacks).toHaveLength(1);
    expect(JSON.stringify(callbacks[0])).toContain(`"Fn::GetAtt":["${distributionId}","DomainName"]`);
    expect(c.LogoutURLs).toEqual(c.CallbackURLs);
  });

  it('exports what infra/aws/deploy-web.ts writes into the console config.json', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const key of ['ApiUrl', 'CognitoDomain', 'UserPoolClientId', 'ConsoleUrl', 'ConsoleBucketName', 'ConsoleDistributionId'])
      expect(outputs[key], key).toBeDefined();
    expect(JSON.stringify(outputs.ConsoleUrl?.Value)).toContain(`"Fn::GetAtt":["${distributionId}","DomainName"]`);
  });
});

describe('console with -c consoleOrigin', () => {
  const full = clearwayApp({ skipBundling: true, context: fullContext });
  const f = inspect(full.stack, Template.fromStack(full.stack));
  const origin = String(fullContext.consoleOrigin);

  it('also accepts sign-ins coming back to the configured origin, and the API allows that origin', () => {
    const callbacks = f.client().CallbackURLs as unknown[];
    expect(callbacks).toHaveLength(2);
    expect(callbacks).toContain(`${origin}/`);
    expect(JSON.stringify(callbacks)).toContain(`"Fn::GetAtt":["${f.idOf(full.stack.web.distribution)}","DomainName"]`);
    expect(full.stack.consoleOrigin).toBe(origin);
  });
});
