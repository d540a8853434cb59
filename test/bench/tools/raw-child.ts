/**
 * The `household-import` bench's baseline, in a process of its own: the items an import of the
 * file writes (households with their claims, history and safety-index items, and rejected rows,
 * then the duplicate blocking index's buckets its people are filed in), made from the file's rows by
 * the import's own code (`plannedItems`, `blockingBucketItems`), written with raw
 * BatchWriteItem — 25 items a request, 4 requests in flight as the importer keeps, UnprocessedItems
 * re-sent with backoff — into the table of the environment. Only the writes are timed; items are
 * made 5,000 at a time, so memory does not grow with the file (a Scan back of a million-person
 * table on DynamoDB Local would take hours). Prints `{ rawMs, bucketsMs, items, bucketItems, rows, samples: [[ms, rows]] }`
 * (`bucketsMs`: of `rawMs`, the buckets' part).
 */
import { createReadStream } from 'node:fs';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: node test/bench/tools/raw-child.ts <file>');
const { plannedItems, peopleOfFile } = await import('../../../functions/importer/run-import.ts');
const { newImportJob } = await import('../../../shared/db/repositories/household-imports.ts');
const { documentClient, tableName } = await import('../../../shared/db/client.ts');
const { newId } = await import('../../../shared/domain/ids.ts');
const { sitesByCode } = await import('../../../functions/importer/hooks.ts');
const { blockingBucketItems } = await import('../../../shared/db/repositories/duplicates.ts');
const job = newImportJob(newId(), { sub: 'bench', role: 'relief', country: 'KH', org: 'BENCH' }, 'KH', new Date().toISOString());

const RAW_CONCURRENCY = 4;
async function rawBatchPut(items: Record<string, unknown>[]): Promise<void> {
  const requests: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) requests.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      let pending: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = requests[next++]!.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const out = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = out.UnprocessedItems?.[tableName] as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: RAW_CONCURRENCY }, worker));
}

let rawMs = 0;
let items = 0;
let rows = 0;
let batchRows = 0;
let batch: Record<string, unknown>[] = [];
/** (ms of writing so far, rows written): the rates of the first and last rows, as the import's are reported. */
const samples: [number, number][] = [];
const flush = async () => {
  const t = performance.now();
  await rawBatchPut(batch);
  rawMs += performance.now() - t;
  items += batch.length;
  rows += batchRows;
  samples.push([Math.round(rawMs), rows]);
  batch = [];
  batchRows = 0;
  if (process.stderr.isTTY) process.stderr.write(`\rraw BatchWriteItem ${items} items   `);
};
// The sites registered in this table (when the bench put households at sites), as the importer finds them.
const sites = await sitesByCode('KH');
/** The people of the households written, filed in the duplicate blocking index at the end as the import's duplicate pass files them. */
const people: Parameters<typeof blockingBucketItems>[0][number][] = [];
for await (const chunk of plannedItems(job, await peopleOfFile({ open: async (range) => createReadStream(file, range ?? {}) }), undefined, sites)) {
  batch.push(...chunk.items);
  for (const item of chunk.items)
    if (item.entity === 'Household')
      people.push({ country: 'KH', id: String(item.id), org: String(item.org), origin: item.origin as never, members: item.members as never });
  batchRows += chunk.rows;
  if (batch.length >= 5000) await flush();
}
if (batch.length > 0) await flush();
// The blocking index's buckets, each written once with all its people (the import's pass updates them).
const buckets = await blockingBucketItems(people);
const bucketsStarted = performance.now();
await rawBatchPut(buckets);
rawMs += performance.now() - bucketsStarted;
items += buckets.length;
const bucketsMs = performance.now() - bucketsStarted;
process.stdout.write(`${JSON.stringify({ rawMs, bucketsMs, items, bucketItems: buckets.length, rows, samples })}\n`);
process.exit(0);
