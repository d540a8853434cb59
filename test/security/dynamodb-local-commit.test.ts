import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../infra/local/dynamodb.ts';

/**
 * DynamoDB Local as `npm start` runs it answers a TransactWriteItems only once its SQLite COMMIT
 * has run. Its own code queues that COMMIT and answers at once, and a SIGKILL in between lost
 * transactions that clients had seen succeed. SQLite's rollback journal exists exactly while a
 * write transaction is open (it is deleted as the commit's last step), so a journal still on disk
 * when the answer arrives is an answer before the commit.
 */
let dataDir: string;
let dynamo: DynamoDbLocal;
let client: DynamoDBClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-commit-'));
  dynamo = await startDynamoDbLocal({ dataDir });
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await client.send(
    new CreateTableCommand({
      TableName: 'commits',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('DynamoDB Local under npm start', { timeout: 60_000 }, () => {
  it('has committed a transaction when it answers it', async () => {
    const journal = join(dataDir, 'dynamodb', 'shared-local-instance.db-journal');
    const openAtAnswer: number[] = [];
    for (let i = 0; i < 40; i++) {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: 'commits', Item: { pk: { S: `a${i}` } } } }, { Put: { TableName: 'commits', Item: { pk: { S: `b${i}` } } } }],
        }),
      );
      if (existsSync(journal)) openAtAnswer.push(i);
    }
    expect(openAtAnswer).toEqual([]);
  });
});
