import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { handler as metaHandler } from '../../functions/meta/handler.ts';
import { handler as tasksHandler } from '../../functions/tasks/handler.ts';
import { tokenFor } from '../support/tokens.ts';

const fixture = (name: string, values: Record<string, string>): APIGatewayProxyEvent => {
  let text = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
  for (const [k, v] of Object.entries(values)) text = text.replaceAll(`{{${k}}}`, v);
  return JSON.parse(text) as APIGatewayProxyEvent;
};

/** REST (v1) events that carry multiValueHeaders are answered with multiValueHeaders. */
const header = (res: APIGatewayProxyResult, name: string): unknown => res.multiValueHeaders?.[name]?.[0] ?? res.headers?.[name];

const context = { awsRequestId: 'lambda-req-1', functionName: 'tasks', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
const invoke = (h: unknown, event: APIGatewayProxyEvent) => (h as (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>)(event, context);

describe('Lambda handlers fed API Gateway REST (v1) events', () => {
  it('creates a team through functions/tasks/handler.ts and reads it back with its ETag', async () => {
    const token = await tokenFor({ role: 'operations', country: 'KH' });
    const created = await invoke(tasksHandler, fixture('apigw-rest-v1-post-team.json', { TOKEN: token }));
    expect(created.statusCode).toBe(201);
    const team = JSON.parse(created.body) as { id: string; name: string };
    expect(team.name).toBe('CMAC Demining Unit 3 Team 12');
    // The gateway's request id is the request id when the client sent none.
    expect(header(created, 'x-request-id')).toBe('c6af9ac6-7b61-11e6-9a41-93e8deadbeef');

    const read = await invoke(tasksHandler, fixture('apigw-rest-v1-get-team.json', { TOKEN: token, TEAM_ID: team.id }));
    expect(read.statusCode).toBe(200);
    expect(header(read, 'etag')).toBe('"1"');
    expect(JSON.parse(read.body)).toEqual(team);
  });

  it('answers a problem+json 401 through the handler when the token is not valid', async () => {
    const res = await invoke(tasksHandler, fixture('apigw-rest-v1-post-team.json', { TOKEN: 'a.b.c' }));
    expect(res.statusCode).toBe(401);
    expect(header(res, 'content-type')).toBe('application/problem+json');
  });

  it('answers /health through functions/meta/handler.ts', async () => {
    const res = await invoke(metaHandler, fixture('apigw-rest-v1-health.json', {}));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });
});

describe('observability of the Lambda handlers', () => {
  it('injects the Lambda context into the logger and flushes the invocation’s metrics (EMF) when it ends', async () => {
    const { logger } = await import('../../shared/logger.ts');
    const { metrics } = await import('../../shared/metrics.ts');
    const flush = vi.spyOn(metrics, 'publishStoredMetrics');
    const contexts: unknown[] = [];
    const append = vi.spyOn(logger, 'addContext').mockImplementation((c) => void contexts.push(c));
    try {
      const res = await invoke(metaHandler, fixture('apigw-rest-v1-health.json', {}));
      expect(res.statusCode).toBe(200);
      expect(contexts).toEqual([expect.objectContaining({ awsRequestId: 'lambda-req-1', functionName: 'tasks' })]);
      expect(flush).toHaveBeenCalledTimes(1);
    } finally {
      flush.mockRestore();
      append.mockRestore();
    }
  });

  it('counts a registration in the HouseholdsRegistered metric, once per household created', async () => {
    const { metrics } = await import('../../shared/metrics.ts');
    const { app } = await import('../../functions/households/app.ts');
    const added = vi.spyOn(metrics, 'addMetric');
    try {
      const relief = {
        authorization: `Bearer ${await tokenFor({ role: 'relief', country: 'KH', org: 'UNHCR' })}`,
        'content-type': 'application/json',
        'idempotency-key': 'metrics-once',
      };
      const body = JSON.stringify({
        origin: { province: 'KH22' },
        current: { province: 'KH17', site: 'Pagoda camp 4' },
        members: [{ givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD', specificNeeds: [] }],
        consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] },
      });
      const first = await app.request('/v1/households', { method: 'POST', headers: relief, body });
      expect(first.status, await first.clone().text()).toBe(201);
      expect((await app.request('/v1/households', { method: 'POST', headers: relief, body })).status).toBe(201);
      expect(added.mock.calls.filter(([name]) => name === 'HouseholdsRegistered')).toEqual([['HouseholdsRegistered', 'Count', 1]]);
    } finally {
      added.mockRestore();
    }
  });
});
