import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { IndexDefinition, TableDefinition } from './table.ts';

const indexSpec = (index: IndexDefinition) => ({
  IndexName: index.indexName,
  KeySchema: [
    { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
    { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

function attributeDefinitions(def: TableDefinition): AttributeDefinition[] {
  const all = [def.partitionKey, def.sortKey, ...def.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const seen = new Map(all.map((a) => [a.name, a.type]));
  return [...seen].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (e: unknown) {
    if (e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
}

async function waitActive(client: DynamoDBClient, tableName: string): Promise<TableDescription> {
  // DynamoDB Local builds a new index in seconds when idle, far longer on a loaded machine.
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const table = await describe(client, tableName);
    const indexesReady = (table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (table?.TableStatus === 'ACTIVE' && indexesReady) return table;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}

/**
 * Creates the table from the shared definition, or brings an existing one up to it by adding
 * the indexes it lacks (one per UpdateTable, as DynamoDB requires). Used by `npm start` and
 * by the tests; on AWS, CloudFormation does the same from the same definition.
 *
 * @returns the names of the indexes that were added (all of them for a new table).
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, def: TableDefinition): Promise<{ created: boolean; addedIndexes: string[] }> {
  const existing = await describe(client, tableName);
  if (!existing) {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(def),
        KeySchema: [
          { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: def.globalSecondaryIndexes.map(indexSpec),
        StreamSpecification: { StreamEnabled: true, StreamViewType: def.streamViewType },
      }),
    );
    await waitActive(client, tableName);
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
      }),
    );
    return { created: true, addedIndexes: def.globalSecondaryIndexes.map((i) => i.indexName) };
  }

  const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const missing = def.globalSecondaryIndexes.filter((i) => !present.has(i.indexName));
  for (const index of missing) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions(def),
        GlobalSecondaryIndexUpdates: [{ Create: indexSpec(index) }],
      }),
    );
    await waitActive(client, tableName);
  }
  return { created: false, addedIndexes: missing.map((i) => i.indexName) };
}
