import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { app } from '../../functions/tasks/app.ts';
import { bearer } from '../support/tokens.ts';

// DynamoDBDocumentClient.from() instances share the prototype's send: mocking the class
// intercepts the module-scope client that the repositories use.
const ddb = mockClient(DynamoDBDocumentClient);
const json = { 'content-type': 'application/json' };
let operations: Record<string, string>;

beforeAll(async () => {
  operations = await bearer({ role: 'operations', country: 'KH' });
});
beforeEach(() => ddb.reset());

describe('teams handler (DynamoDB mocked)', () => {
  it('creates a team with a guarded put and the idempotency record in one transaction', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(TransactWriteCommand).resolves({});
    const res = await app.request('/v1/teams', {
      method: 'POST',
      headers: { ...operations, ...json, 'idempotency-key': 'k-1' },
      body: JSON.stringify({ name: 'T', organisation: 'CMAC', country: 'KH', capabilities: ['EOD'] }),
    });
    expect(res.status).toBe(201);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        expect.objectContaining({
          Put: expect.objectContaining({
            ConditionExpression: 'attribute_not_exists(pk)',
            Item: expect.objectContaining({ entity: 'Team', gsi1pk: 'TEAMS#COUNTRY#KH', version: 1 }),
          }),
        }),
        expect.objectContaining({
          Put: expect.objectContaining({ Item: expect.objectContaining({ entity: 'IdempotencyRecord', pk: 'IDEMPOTENCY#user-kh-operations#k-1' }) }),
        }),
      ],
    });
  });

  it('writes nothing when validation fails', async () => {
    const res = await app.request('/v1/teams', { method: 'POST', headers: { ...operations, ...json }, body: JSON.stringify({ name: '' }) });
    expect(res.status).toBe(400);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('guards an update with the expected version and maps a stale one to 412', async () => {
    ddb.on(GetCommand).resolves({ Item: { id: '01JTEAM0000000000000000000', country: 'KH', version: 3 } });
    ddb.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {}, Item: { version: { N: '4' } } }));
    const res = await app.request('/v1/teams/01JTEAM0000000000000000000', {
      method: 'PATCH',
      headers: { ...operations, ...json, 'if-match': '"3"' },
      body: JSON.stringify({ active: false }),
    });
    expect(res.status).toBe(412);
    expect(await res.json()).toMatchObject({ currentVersion: 4 });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
      ExpressionAttributeValues: expect.objectContaining({ ':expected': 3 }),
    });
  });

  it('hides a storage failure behind a generic 500 without internals', async () => {
    ddb.on(GetCommand).rejects(new Error('socket hang up at 10.0.0.1'));
    const res = await app.request('/v1/teams/01JTEAM0000000000000000000', { headers: operations });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toMatch(/socket|10\.0\.0\.1|at /);
    expect(JSON.parse(text)).toMatchObject({ status: 500, title: 'Internal error' });
  });
});
