import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnElement } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { ContextError, readConfig } from '../../infra/aws/config.ts';
import { WEBHOOK_PORTS_ENV } from '../../infra/aws/constructs/deliverers.ts';
import { cspMismatch } from '../../infra/aws/csp-check.ts';
import { bootScript } from '../../web/boot-script.ts';
import type { ClearwayStack } from '../../infra/aws/stack.ts';
import { cdkContext, clearwayApp } from './app.ts';

const WEB_ACL = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/clearway-console/a1b2c3d4-5678-90ab-cdef-111122223333';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const hardened = {
  consoleWebAclArn: WEB_ACL,
  consoleDomainNames: 'console.clearway.example.org,www.console.clearway.example.org',
  consoleCertificateArn: CERTIFICATE,
  webhookPorts: '443,8443',
};

const read = (overrides: Record<string, unknown>) => readConfig(new App({ context: { ...cdkContext, ...overrides } }), ['meta', 'notifications']);
const failure = (overrides: Record<string, unknown>): string => {
  try {
    read(overrides);
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(ContextError);
    return (e as Error).message;
  }
  throw new Error(`no error for ${JSON.stringify(overrides)}`);
};

function distributionOf(stack: ClearwayStack) {
  const template = Template.fromStack(stack);
  const id = stack.getLogicalId(stack.web.distribution.node.defaultChild as CfnElement);
  return {
    template,
    config: (template.findResources('AWS::CloudFront::Distribution')[id] as { Properties: { DistributionConfig: Record<string, unknown> } }).Properties
      .DistributionConfig,
  };
}

describe('console distribution: WAF and TLS 1.2 when configured', () => {
  const { stack } = clearwayApp({ skipBundling: true, context: hardened });
  const { template, config } = distributionOf(stack);

  it('attaches the configured CLOUDFRONT-scope web ACL', () => {
    expect(config.WebACLId).toBe(WEB_ACL);
  });

  it('answers on the configured names with the us-east-1 certificate and TLS 1.2 at least (TLSv1.2_2021, SNI)', () => {
    expect(config.Aliases).toEqual(['console.clearway.example.org', 'www.console.clearway.example.org']);
    expect(config.ViewerCertificate).toEqual({ AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
  });

  it('makes the first name the console origin: sign-in callbacks and CORS follow it', () => {
    expect(stack.consoleOrigin).toBe('https://console.clearway.example.org');
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ConsoleUrl?.Value).toBe('https://console.clearway.example.org/');
    const client = Object.values(template.findResources('AWS::Cognito::UserPoolClient'))[0] as { Properties: { CallbackURLs: unknown[] } };
    expect(client.Properties.CallbackURLs).toContain('https://console.clearway.example.org/');
  });

  it('passes webhookPorts to every deliverer and to the subscriptions API as WEBHOOK_PORTS', () => {
    const functions = [...stack.deliverers.functions.values()].map((f) => f.fn);
    expect(functions).toHaveLength(2);
    functions.push(stack.functions.get('notifications')!.fn);
    const envOf = (logicalId: string) =>
      (template.findResources('AWS::Lambda::Function')[logicalId] as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
        .Environment.Variables;
    for (const fn of functions) expect(envOf(stack.getLogicalId(fn.node.defaultChild as CfnElement))[WEBHOOK_PORTS_ENV]).toBe('443,8443');
  });
});

describe('console distribution by default (nothing configured)', () => {
  const { stack } = clearwayApp({ skipBundling: true });
  const { template, config } = distributionOf(stack);

  it("sends a CSP that deploy-web accepts for a page carrying this checkout's boot script", () => {
    const id = stack.getLogicalId(stack.web.headers.node.defaultChild as CfnElement);
    const policy = template.findResources('AWS::CloudFront::ResponseHeadersPolicy')[id] as {
      Properties: { ResponseHeadersPolicyConfig: { SecurityHeadersConfig: { ContentSecurityPolicy: { ContentSecurityPolicy: unknown } } } };
    };
    // The CSP joins literal text with the API's and sign-in domain's tokens: the literal parts hold script-src.
    const joined = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy as {
      'Fn::Join': [string, unknown[]];
    };
    const csp = joined['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'https://token.example')).join('');
    expect(cspMismatch(`<html><head><script>${bootScript()}</script></head></html>`, csp)).toBeUndefined();
    expect(cspMismatch(`<html><head><script>${bootScript()}//changed</script></head></html>`, csp)).toBeDefined();
  });

  it('has no web ACL, no aliases and the default certificate, whose TLS policy CloudFront fixes', () => {
    expect(config.WebACLId).toBeUndefined();
    expect(config.Aliases).toBeUndefined();
    expect(config.ViewerCertificate).toBeUndefined();
  });
});

describe('the console hardening context values', () => {
  it('reads them, as -c strings or JSON', () => {
    expect(read(hardened)).toMatchObject({
      consoleWebAclArn: WEB_ACL,
      consoleDomain: { names: ['console.clearway.example.org', 'www.console.clearway.example.org'], certificateArn: CERTIFICATE },
      webhookPorts: [443, 8443],
    });
    expect(read({ consoleDomainNames: '["console.example.org"]', consoleCertificateArn: CERTIFICATE, webhookPorts: '[443]' })).toMatchObject({
      consoleDomain: { names: ['console.example.org'] },
      webhookPorts: [443],
    });
  });

  it('refuses a web ACL that is not CLOUDFRONT-scope in us-east-1, and a certificate outside us-east-1', () => {
    expect(failure({ consoleWebAclArn: 'arn:aws:wafv2:ap-southeast-1:123456789012:regional/webacl/x/a1b2c3d4-5678-90ab-cdef-111122223333' })).toMatch(
      /^Invalid -c consoleWebAclArn: .*us-east-1/,
    );
    expect(failure({ consoleDomainNames: 'console.example.org', consoleCertificateArn: CERTIFICATE.replace('us-east-1', 'ap-southeast-1') })).toMatch(
      /^Invalid -c consoleCertificateArn: .*us-east-1/,
    );
  });

  it('needs domain names and certificate together, and real names', () => {
    expect(failure({ consoleDomainNames: 'console.example.org' })).toMatch(/^Invalid -c consoleCertificateArn: is needed with consoleDomainNames/);
    expect(failure({ consoleCertificateArn: CERTIFICATE })).toMatch(/^Invalid -c consoleDomainNames: is needed with consoleCertificateArn/);
    expect(failure({ consoleDomainNames: 'https://console.example.org', consoleCertificateArn: CERTIFICATE })).toMatch(/is not a domain name/);
  });

  it('refuses webhook ports that are not port numbers', () => {
    for (const webhookPorts of ['0', '65536', 'https', '443,']) expect(failure({ webhookPorts }), webhookPorts).toMatch(/^Invalid -c webhookPorts/);
  });
});
