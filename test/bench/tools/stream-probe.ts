/**
 * Does DynamoDB Local's per-write cost grow with a table's items or with its stream records?
 * Two tables in one DynamoDB Local, 1,000 households in both and N more in the second (the
 * items the repositories build), then a raw 8-item TransactWriteItems into each, alternating.
 *
 *   node test/bench/tools/stream-probe.ts on 30000   # streams on during the seed
 *   node test/bench/tools/stream-probe.ts off 30000  # streams off during the seed, on afterwards
 *
 * Here: `on` 2.30× p95 (p50 7.2 vs 23.4 ms), `off` 1.00× (p50 5.8 vs 5.8 ms).
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { alternateTwo } from '../lib/alternate.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import { tableDefinition as def } from '../../../shared/db/table.ts';
import { newId } from '../../../shared/domain/ids.ts';
import { returnSafetyOf } from '../../../shared/domain/return-safety.ts';
import { benchHousehold, random } from '../scenarios/household-pages.ts';

const mode = process.argv[2] ?? 'on';
const elsewhere = Number(process.argv[3] ?? 30000);
const stack = await startLocalStack();
try {
  const env = stack.env('unused');
  Object.assign(process.env, env);
  const client = new DynamoDBClient({
    endpoint: env.DYNAMODB_ENDPOINT,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { householdItems } = await import('../../../shared/db/repositories/households.ts');
  const { returnSafetyItems } = await import('../../../shared/db/repositories/return-safety.ts');
  const attrs = [
    ...new Map([def.partitionKey, def.sortKey, ...def.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])].map((a) => [a.name, a.type])),
  ].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType }));
  const create = async (name: string, stream: boolean) => {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attrs,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: def.globalSecondaryIndexes.map((i) => ({
          IndexName: i.indexName,
          KeySchema: [
            { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
        ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.streamViewType } } : {}),
      }),
    );
  };
  const rnd = random(11);
  let n = 0;
  const items = (count: number) =>
    Array.from({ length: count }, () => {
      const h0 = benchHousehold(rnd, n++, 2026);
      const destination = { province: 'KH22', point: { type: 'Point' as const, coordinates: [102.6 + rnd() * 0.6, 13.4 + rnd() * 0.5] as [number, number] } };
      const h = { ...h0, destination, returnSafety: returnSafetyOf(destination.point, [], h0.createdAt) };
      return [
        ...householdItems(h, [], { id: newId(), at: h.createdAt, actor: { sub: 'b', role: 'relief', org: h.org }, action: 'CREATED', to: h.status }),
        ...returnSafetyItems(h),
      ];
    }).flat();
  const put = async (t: string, xs: Record<string, unknown>[]) => {
    const q = Math.ceil(xs.length / 4);
    await Promise.all([0, 1, 2, 3].map((k) => stack.batchPut(t, xs.slice(k * q, (k + 1) * q))));
  };
  const tables = ['small', 'large'];
  // `create` builds the table as `ensureTable` does, with or without its stream.
  for (const t of tables) await create(t, mode === 'on');
  const near = items(1000);
  const started = performance.now();
  for (const t of tables) await put(t, near);
  for (let s = 0; s < elsewhere; s += 2000) await put('large', items(Math.min(2000, elsewhere - s)));
  console.log(`mode ${mode}: ${near.length} items per household set; seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (mode === 'off') {
    for (const t of tables) {
      await client.send(new UpdateTableCommand({ TableName: t, StreamSpecification: { StreamEnabled: true, StreamViewType: def.streamViewType } }));
      console.log(t, JSON.stringify((await client.send(new DescribeTableCommand({ TableName: t }))).Table?.StreamSpecification));
    }
  }
  let probe = 0;
  const control = await alternateTwo(
    async (side) => {
      const k = probe++;
      const t0 = performance.now();
      await stack.transact(
        tables[side]!,
        Array.from({ length: 8 }, (_, j) => ({ Put: { TableName: tables[side]!, Item: { pk: `BENCHPROBE#${k}`, sk: `ITEM#${j}`, entity: 'BenchProbe' } } })),
      );
      return performance.now() - t0;
    },
    { requests: 200, warmups: 20 },
  );
  console.log(
    `mode ${mode} elsewhere ${elsewhere}: control p50 ${control.p50.map((x) => x.toFixed(2)).join(' / ')} p95 ${control.p95.map((x) => x.toFixed(2)).join(' / ')} ratio ${control.ratio.toFixed(2)}`,
  );
} finally {
  await stack.stop();
}
