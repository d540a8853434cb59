/**
 * Is a write DynamoDB Local answered kept if it is killed right after answering?
 * `node test/bench/tools/ack-kill.ts [transact|put] [count]`
 *
 * `count` times on one data directory: one TransactWriteItems (or PutItem), SIGKILL of DynamoDB
 * Local as soon as it is answered, a restart on the same data and port, a consistent read of the
 * item. Prints how many acknowledged writes were lost. It starts DynamoDB Local as `npm start`
 * does (infra/local/dynamodb.ts, through the loopback launcher where `javac` exists).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, freePort } from '../../../infra/local/dynamodb.ts';

const mode = process.argv[2] === 'put' ? 'put' : 'transact';
const n = Number(process.argv[3] ?? 10);
const dataDir = await mkdtemp(join(tmpdir(), 'ack-kill-'));
const port = await freePort();
let db = await startDynamoDbLocal({ dataDir, port });
const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
await client.send(
  new CreateTableCommand({
    TableName: 'durability',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }),
);
let lost = 0;
for (let i = 0; i < n; i++) {
  const item = { pk: { S: `k${i}` }, v: { S: 'x' } };
  if (mode === 'put') await client.send(new PutItemCommand({ TableName: 'durability', Item: item }));
  else
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: 'durability', Item: item } }, { Put: { TableName: 'durability', Item: { pk: { S: `k${i}b` } } } }],
      }),
    );
  db.process.kill('SIGKILL');
  await new Promise((r) => db.process.once('exit', r));
  db = await startDynamoDbLocal({ dataDir, port });
  const got = await client.send(new GetItemCommand({ TableName: 'durability', Key: { pk: { S: `k${i}` } }, ConsistentRead: true }));
  if (!got.Item) lost++;
  process.stdout.write(`${i}: ${got.Item ? 'kept' : 'LOST'}\n`);
}
process.stdout.write(`${mode}: ${lost} of ${n} acknowledged writes lost\n`);
await db.stop();
client.destroy();
await rm(dataDir, { recursive: true, force: true });
