import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb.ts';
import { ensureTable } from '../../shared/db/ensure-table.ts';
import { tableDefinition } from '../../shared/db/table.ts';

// A DynamoDB Local of its own: building an index on the instance that the other test files load
// with transactions at the same time was seen to stall for minutes, which `npm start` (one user
// at a time, on its own instance) never meets.
let dynamo: DynamoDbLocal;
let client: DynamoDBClient;
beforeAll(async () => {
  dynamo = await startDynamoDbLocal();
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

// Adding an index makes DynamoDB Local build it; on a busy machine that takes a while.
describe('ensureTable', { timeout: 90_000 }, () => {
  it('creates the table from the shared definition: keys, indexes, stream and TTL', async () => {
    const name = `ensure-${randomUUID()}`;
    const result = await ensureTable(client, name, tableDefinition);
    expect(result).toEqual({ created: true, addedIndexes: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'] });
    const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
    expect(table.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.GlobalSecondaryIndexes!.map((i) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5']);
    expect(table.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  });

  it('adds the indexes an older table lacks instead of failing, and is a no-op when nothing lacks', async () => {
    const name = `ensure-${randomUUID()}`;
    const older = { ...tableDefinition, globalSecondaryIndexes: tableDefinition.globalSecondaryIndexes.slice(0, 1) };
    await ensureTable(client, name, older);
    expect(await ensureTable(client, name, tableDefinition)).toEqual({ created: false, addedIndexes: ['gsi2', 'gsi3', 'gsi4', 'gsi5'] });
    const table = (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
    expect(table.GlobalSecondaryIndexes!.map((i) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5']);
    expect(await ensureTable(client, name, tableDefinition)).toEqual({ created: false, addedIndexes: [] });
  });
});
