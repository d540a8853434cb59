import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as metaHandler } from '../../functions/meta/handler.ts';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as tasksApp } from '../../functions/tasks/app.ts';
import { createLocalServer } from '../../infra/local/server.ts';
import { bearer } from '../support/tokens.ts';

const MALFORMED = ['/%E0%A4%A', '/%', '/v1/households/%E0%A4%A', '/v1/tasks/%zz', '/index.html%C0'];

describe('a path that is not valid percent-encoding', () => {
  let webDir = '';
  let server: ServerType;
  let base = '';
  beforeAll(async () => {
    // The console's file server decodes paths: with it mounted, the malformed path used to throw (500 text/plain).
    webDir = await mkdtemp(join(tmpdir(), 'clearway-web-'));
    await writeFile(join(webDir, 'index.html'), '<!doctype html><title>console</title>');
    server = serve({ fetch: createLocalServer({ webDir }).fetch, port: 0, hostname: '127.0.0.1' });
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await rm(webDir, { recursive: true, force: true });
  });

  it('is a 400 problem+json from the local server (npm start), not a 500', async () => {
    for (const path of MALFORMED) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 400, detail: 'The request path is not valid percent-encoded UTF-8.' });
    }
    // A well-formed encoded path still reaches the console.
    expect((await fetch(`${base}/index%2Ehtml`)).status).toBe(200);
  });

  it('is a 400 problem+json from every function app, before authentication', async () => {
    for (const app of [householdsApp, tasksApp]) {
      for (const path of MALFORMED) {
        const res = await app.request(path);
        expect(res.status, path).toBe(400);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
      }
    }
  });

  it('is a 400 problem+json through the Lambda handler fed an API Gateway event', async () => {
    const event = JSON.parse(await readFile(new URL('../fixtures/apigw-rest-v1-health.json', import.meta.url), 'utf8')) as APIGatewayProxyEvent;
    const res = await (metaHandler as unknown as (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>)(
      { ...event, path: '/%E0%A4%A', resource: '/{proxy+}', requestContext: { ...event.requestContext, path: '/prod/%E0%A4%A', resourcePath: '/{proxy+}' } },
      { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 10_000 } as unknown as Context,
    );
    expect(res.statusCode).toBe(400);
    expect(res.multiValueHeaders?.['content-type']?.[0] ?? res.headers?.['content-type']).toBe('application/problem+json');
  });
});

describe('headers on API answers', () => {
  const expectNoStore = (res: Response, what: string) => {
    expect(res.headers.get('cache-control'), what).toBe('no-store');
    expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  };

  it('every authenticated answer says no-store and nosniff: reads, lists, creates and errors alike', async () => {
    const operations = await bearer({ role: 'operations', country: 'KH' });
    const relief = await bearer({ role: 'relief', country: 'KH', org: 'UNHCR' });
    const created = await tasksApp.request('/v1/teams', {
      method: 'POST',
      headers: { ...operations, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Headers team', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL'] }),
    });
    expect(created.status).toBe(201);
    expectNoStore(created, 'create');
    const { id } = (await created.json()) as { id: string };
    const read = await tasksApp.request(`/v1/teams/${id}`, { headers: operations });
    expect(read.status).toBe(200);
    expectNoStore(read, 'read');
    const households = await householdsApp.request('/v1/households', { headers: relief });
    expect(households.status).toBe(200);
    expectNoStore(households, 'household list');
    expectNoStore(await householdsApp.request('/v1/households'), 'no token (401)');
    expectNoStore(await tasksApp.request('/v1/teams/not-an-id', { headers: operations }), 'bad id (400)');
    expectNoStore(await householdsApp.request('/v1/households', { headers: operations }), 'wrong role (403)');
  });

  it('public answers say nosniff too', async () => {
    const { app: metaApp } = await import('../../functions/meta/app.ts');
    for (const path of ['/health', '/openapi.json', '/docs', '/no-such-thing']) {
      const res = await metaApp.request(path);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });
});
