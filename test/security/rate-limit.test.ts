import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MockIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it, vi } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as tasksApp } from '../../functions/tasks/app.ts';
import { Firewall, userRateLimitRuleName, wafPathRegex } from '../../infra/aws/constructs/firewall.ts';
import { TooManyRequests } from '#shared/http/problem.ts';
import { FixedWindowLimiter } from '#shared/http/rate-limiter.ts';
import { USER_RATE_LIMITS, userRateLimitOf, type UserRateLimit } from '#shared/http/user-rate-limits.ts';
import { bearer } from '../support/tokens.ts';

const rule = (name: string): UserRateLimit => USER_RATE_LIMITS.find((r) => r.name === name)!;

async function send(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
) {
  const res = await app.request(path, { method, headers: { ...headers, 'content-type': 'application/json' }, body });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('per-user limits in the local server', () => {
  it('answers 429 problem+json with Retry-After once a user passes the lookup limit, and leaves another user alone', async () => {
    const limit = rule('household-lookup').limit;
    const probe = JSON.stringify({ documentType: 'NATIONAL_ID', documentNumber: '010203040' });
    const prober = await bearer({ role: 'relief', country: 'KH', org: 'DRC', sub: 'prober' });
    for (let i = 0; i < limit; i++) {
      const r = await send(householdsApp, 'POST', '/v1/households/lookup', prober, probe);
      expect(r.status, `lookup ${i + 1} of ${limit}`).toBe(200);
    }
    const refused = await send(householdsApp, 'POST', '/v1/households/lookup', prober, probe);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(rule('household-lookup').windowSeconds);
    expect(JSON.parse(refused.text)).toMatchObject({ status: 429, type: 'urn:clearway:problem:too-many-requests' });

    // Another user of the same organisation is counted apart.
    const colleague = await bearer({ role: 'relief', country: 'KH', org: 'DRC', sub: 'colleague' });
    expect((await send(householdsApp, 'POST', '/v1/households/lookup', colleague, probe)).status).toBe(200);
    // The limited user's other operations are not this rule's business.
    expect((await householdsApp.request('/v1/households', { headers: prober })).status).toBe(200);
  });

  it('counts geometry requests before their bodies are parsed, across the hazard-area operations', async () => {
    const limit = rule('geometry').limit;
    const ops = await bearer({ role: 'operations', country: 'KH', org: 'CMAC', sub: 'geometry-sender' });
    for (let i = 0; i < limit; i++) {
      // Alternating create and patch: one budget for both; malformed bodies still cost a request.
      const r =
        i % 2 === 0
          ? await send(tasksApp, 'POST', '/v1/hazard-areas', ops, '{"geometry":')
          : await send(tasksApp, 'PATCH', '/v1/hazard-areas/01JNOSUCHAREAAAAAAAAAAAAAA', { ...ops, 'if-match': '"1"' }, '{}');
      expect(r.status, `request ${i + 1}`).not.toBe(429);
    }
    const refused = await send(tasksApp, 'POST', '/v1/hazard-areas', ops, '{}');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    const other = await bearer({ role: 'operations', country: 'KH', org: 'CMAC', sub: 'geometry-other' });
    expect((await send(tasksApp, 'POST', '/v1/hazard-areas', other, '{}')).status).toBe(400);
  });

  it('opens a new window when the old one ends, and counts Retry-After down to it', () => {
    let now = 1_000_000;
    const limiter = new FixedWindowLimiter(
      () => 2,
      () => now,
    );
    const lookup = rule('household-lookup');
    limiter.take(lookup, 'a');
    now += 100_000;
    limiter.take(lookup, 'a');
    const refusal = (() => {
      try {
        limiter.take(lookup, 'a');
      } catch (e: unknown) {
        return e;
      }
    })();
    expect(refusal).toBeInstanceOf(TooManyRequests);
    expect((refusal as TooManyRequests).headers['Retry-After']).toBe(String(lookup.windowSeconds - 100));
    expect(() => limiter.take(rule('geometry'), 'a')).not.toThrow();
    now += lookup.windowSeconds * 1000;
    expect(() => limiter.take(lookup, 'a')).not.toThrow();
  });

  it('takes the local limits from the environment when set', async () => {
    vi.resetModules();
    process.env.RATE_LIMIT_HOUSEHOLD_IMPORT = '3';
    try {
      const { localRateLimiter } = await import('#shared/http/rate-limiter.ts');
      for (let i = 0; i < 3; i++) localRateLimiter!.take(rule('household-import'), 'importer');
      expect(() => localRateLimiter!.take(rule('household-import'), 'importer')).toThrow(/more than 3 requests/);
    } finally {
      delete process.env.RATE_LIMIT_HOUSEHOLD_IMPORT;
      vi.resetModules();
    }
  });
});

describe('per-user limits on AWS (WAF)', () => {
  const stack = new Stack();
  const api = new RestApi(stack, 'Api');
  api.root.addMethod('GET', new MockIntegration());
  new Firewall(stack, 'Firewall', {
    stage: api.deploymentStage,
    logRetention: RetentionDays.ONE_MONTH,
    logEncryptionKey: new Key(stack, 'LogKey'),
    corsAllowedOrigin: 'https://console.example',
  });
  const acl = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL'))[0]!.Properties as {
    Rules: { Name: string; Priority: number; Action?: unknown; Statement: { RateBasedStatement?: Record<string, unknown> } }[];
    CustomResponseBodies: Record<string, { ContentType: string; Content: string }>;
  };

  it('has one rate-based rule per limit, keyed on the Authorization header, with the shared numbers and a 429 answer', () => {
    for (const limit of USER_RATE_LIMITS) {
      const wafRule = acl.Rules.find((r) => r.Name === userRateLimitRuleName(limit));
      expect(wafRule, limit.name).toMatchObject({
        Action: {
          Block: {
            CustomResponse: {
              ResponseCode: 429,
              CustomResponseBodyKey: 'rate-limited',
              // The console reads the answer (and when to retry) across origins.
              ResponseHeaders: [
                { Name: 'Retry-After', Value: String(limit.windowSeconds) },
                { Name: 'Access-Control-Allow-Origin', Value: 'https://console.example' },
                { Name: 'Access-Control-Expose-Headers', Value: 'Retry-After' },
              ],
            },
          },
        },
        Statement: {
          RateBasedStatement: {
            Limit: limit.limit,
            EvaluationWindowSec: limit.windowSeconds,
            AggregateKeyType: 'CUSTOM_KEYS',
            CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
          },
        },
      });
      // Scoped down to exactly its operations: method and URL-decoded path.
      const scope = JSON.stringify(wafRule!.Statement.RateBasedStatement!.ScopeDownStatement);
      for (const o of limit.operations) {
        expect(scope).toContain(JSON.stringify({ SearchString: o.method }).slice(1, -1));
        expect(scope).toContain(JSON.stringify(wafPathRegex(o.path)));
      }
      expect(scope.match(/RegexMatchStatement/g)).toHaveLength(limit.operations.length);
      expect(scope).toContain('URL_DECODE');
    }
    const body = acl.CustomResponseBodies['rate-limited']!;
    expect(body.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body.Content)).toMatchObject({ status: 429, type: 'urn:clearway:problem:too-many-requests' });
    expect(new Set(acl.Rules.map((r) => r.Priority)).size).toBe(acl.Rules.length);
  });

  it('matches the operations as API Gateway receives them, with or without the stage in the path', () => {
    const regex = (path: string) => new RegExp(wafPathRegex(path));
    expect(regex('/v1/households').test('/prod/v1/households')).toBe(true);
    expect(regex('/v1/households').test('/v1/households')).toBe(true);
    expect(regex('/v1/households').test('/prod/v1/households/lookup')).toBe(false);
    expect(regex('/v1/hazard-areas/{id}').test('/prod/v1/hazard-areas/01JHAZARD')).toBe(true);
    expect(regex('/v1/hazard-areas/{id}').test('/prod/v1/hazard-areas/01JHAZARD/history')).toBe(false);
  });

  it('limits only operations that exist, as their routes declare them', async () => {
    const { allRoutes } = await import('../../functions/routes.ts');
    const declared = new Set((await allRoutes()).map((r) => `${r.method.toUpperCase()} ${r.path}`));
    for (const limit of USER_RATE_LIMITS) for (const o of limit.operations) expect(declared, `${o.method} ${o.path}`).toContain(`${o.method} ${o.path}`);
    expect(userRateLimitOf('post', '/v1/cleared-areas')?.name).toBe('geometry');
    expect(userRateLimitOf('get', '/v1/cleared-areas')).toBeUndefined();
  });
});
