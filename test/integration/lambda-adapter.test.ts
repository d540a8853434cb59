import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
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
