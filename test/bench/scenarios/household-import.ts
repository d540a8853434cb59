import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { householdCsvLines } from '../../../infra/local/gen-households.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import type { Scenario } from '../lib/scenario.ts';
import { fixed, table } from '../lib/table.ts';

/**
 * Bulk import of a synthetic CSV (`npm run gen:households`, Cambodian households, 5% invalid rows)
 * through the import core (the same `runImport` the local server and the importer Lambda run), in
 * a process of its own (test/bench/tools/import-child.ts), against DynamoDB Local; then the
 * baseline: the very items the import wrote, read back and written raw with BatchWriteItem (25 a
 * request, 4 requests in flight as the importer keeps, UnprocessedItems re-sent) into the same
 * table definition on a fresh DynamoDB Local. Peak memory is the importing process's kernel
 * maxRSS. Targets: import time ≤ 2× raw, peak RSS ≤ 300 MB.
 */
const ROOT = new URL('../../../', import.meta.url).pathname;
const TIME_TARGET = 2;
const RSS_TARGET_MB = 300;

export const householdImport: Scenario = {
  name: 'household-import',
  description: 'CSV import of 130,000 people vs raw BatchWriteItem of the same items; peak RSS',
  options: { 'import-people': { type: 'string', default: '130000' }, 'import-heap-mb': { type: 'string', default: '160' } },
  optionHelp: { 'import-people': 'people in the generated CSV', 'import-heap-mb': 'cap the importing process\'s V8 old space (--max-old-space-size), as a Lambda memory size would; empty: V8\'s own sizing' },
  async run(ctx) {
    const people = Number(ctx.options['import-people']);
    const dir = await mkdtemp(join(tmpdir(), 'clearway-bench-import-'));
    ctx.progress.update('household-import: starting DynamoDB Local');
    const stack = await startLocalStack();
    let stopped = false;
    try {
      await stack.createTable('import');
      const file = join(dir, 'households.csv');
      const out = createWriteStream(file);
      for (const line of householdCsvLines({ people, invalidRate: 0.05, seed: 1 })) if (!out.write(line)) await once(out, 'drain');
      out.end();
      await once(out, 'finish');
      const bytes = (await stat(file)).size;

      // The import core reads its configuration (table, endpoint, secrets) at load.
      Object.assign(process.env, stack.env('import'), { DATA_DIR: dir });
      const { importJobWrite, newImportJob, markUploaded, getImportJob } = await import('../../../shared/db/repositories/household-imports.ts');
      const { transact } = await import('../../../shared/db/transact.ts');
      // The generated places carry the gazetteer's P-codes: the table gets the shipped edition, as npm start gives a new one.
      const { readGazetteerDir } = await import('../../../infra/local/gazetteer-files.ts');
      const { loadEdition } = await import('../../../shared/db/repositories/gazetteer.ts');
      const shipped = await readGazetteerDir();
      await loadEdition(shipped.edition, shipped.countries, { sub: 'bench', role: 'admin', org: 'bench' });
      const { newId } = await import('../../../shared/domain/ids.ts');
      const job = newImportJob(newId(), { sub: 'bench', role: 'relief', country: 'KH', org: 'BENCH' }, 'KH', new Date().toISOString());
      await transact([importJobWrite(job)]);
      await markUploaded(job.id, bytes, new Date().toISOString());

      // The import runs in a process of its own (test/bench/tools/import-child.ts), so its peak
      // memory is the importing process's: the kernel's maxRSS of that process.
      const poller = setInterval(() => {
        void getImportJob(job.id).then((j) => j && ctx.progress.update(`household-import: importing ${j.rowsImported + j.rowsRejected}/${j.rowsTotal || people} rows`));
      }, 2000);
      const heapMb = ctx.options['import-heap-mb'];
      const child = spawn(process.execPath, [...(heapMb ? [`--max-old-space-size=${Number(heapMb)}`] : []), 'test/bench/tools/import-child.ts', job.id, file], { cwd: ROOT, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' }, stdio: ['ignore', 'pipe', 'inherit'] });
      let childOut = '';
      child.stdout.on('data', (d: Buffer) => (childOut += d.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      clearInterval(poller);
      if (code !== 0) throw new Error(`the import process exited with ${code}: ${childOut}`);
      const { outcome, importMs, maxRssBytes } = JSON.parse(childOut.trim().split('\n').pop()!) as { outcome: string; importMs: number; maxRssBytes: number };
      const peakRss = maxRssBytes;
      const final = (await getImportJob(job.id))!;
      if (outcome !== 'COMPLETED' || final.rowsTotal !== people) throw new Error(`import did not complete: ${outcome} ${JSON.stringify(final)}`);

      // Baseline: the very items the import wrote, read back (not timed), then written raw into a
      // fresh DynamoDB Local with the same table definition (stream included), as the import
      // started on one: DynamoDB Local slows down as its stream records pile up, so writing them
      // into the same instance after the import would make the baseline slower than it is.
      const env = stack.env('import');
      const reader = DynamoDBDocumentClient.from(
        new DynamoDBClient({ endpoint: env.DYNAMODB_ENDPOINT, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
        { marshallOptions: { removeUndefinedValues: true } },
      );
      const written: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await reader.send(new ScanCommand({ TableName: 'import', ExclusiveStartKey: start }));
        // The gazetteer was loaded before the import, not by it.
        written.push(...(page.Items ?? []).filter((i) => !String(i.entity).startsWith('Gazetteer')));
        start = page.LastEvaluatedKey;
        ctx.progress.update(`household-import: reading back ${written.length} items`);
      } while (start);
      reader.destroy();
      await stack.stop();
      stopped = true;

      const rawStack = await startLocalStack();
      let rawMs = 0;
      try {
        await rawStack.createTable('raw');
        const rawEnv = rawStack.env('raw');
        const client = DynamoDBDocumentClient.from(
          new DynamoDBClient({ endpoint: rawEnv.DYNAMODB_ENDPOINT, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
          { marshallOptions: { removeUndefinedValues: true } },
        );
        for (let i = 0; i < written.length; i += 5000) {
          const t = performance.now();
          await rawBatchPut(client, written.slice(i, i + 5000));
          rawMs += performance.now() - t;
          ctx.progress.update(`household-import: raw BatchWriteItem ${Math.min(i + 5000, written.length)}/${written.length} items`);
        }
        client.destroy();
      } finally {
        await rawStack.stop();
      }
      const items = written.length;

      const ratio = importMs / rawMs;
      const peakMb = peakRss / 1024 / 1024;
      const failures = [
        ...(ratio <= TIME_TARGET ? [] : [`household-import: import took ${fixed(ratio, 2)}× raw BatchWriteItem (target ≤ ${TIME_TARGET}×)`]),
        ...(peakMb <= RSS_TARGET_MB ? [] : [`household-import: peak RSS ${fixed(peakMb, 0)} MB (target ≤ ${RSS_TARGET_MB} MB)`]),
      ];
      const report = [
        `import of ${people} people (${(bytes / 1024 / 1024).toFixed(1)} MB CSV, ${final.households} households, ${final.rowsRejected} rows rejected) vs raw BatchWriteItem of the ${items} items it wrote`,
        table(
          [{ header: 'measure' }, { header: 'seconds', align: 'right' }, { header: 'items/s', align: 'right' }],
          [
            ['import (runImport)', fixed(importMs / 1000, 1), fixed(items / (importMs / 1000), 0)],
            ['raw BatchWriteItem', fixed(rawMs / 1000, 1), fixed(items / (rawMs / 1000), 0)],
          ],
        ),
        `target: import ≤ ${TIME_TARGET}× raw → ${ratio <= TIME_TARGET ? 'PASS' : 'FAIL'} (${fixed(ratio, 2)}×)`,
        `target: peak RSS ≤ ${RSS_TARGET_MB} MB → ${peakMb <= RSS_TARGET_MB ? 'PASS' : 'FAIL'} (${fixed(peakMb, 0)} MB: the importing process's peak resident set, ${heapMb ? `V8 old space capped at ${heapMb} MB` : 'V8 sizing its heap itself'})`,
      ].join('\n');
      return {
        report,
        failures,
        data: { people, bytes, households: final.households, rowsRejected: final.rowsRejected, items, importMs, rawMs, ratio, peakRssMb: peakMb, heapCapMb: heapMb ? Number(heapMb) : null, targets: { time: TIME_TARGET, rssMb: RSS_TARGET_MB } },
      };
    } finally {
      ctx.progress.clear();
      if (!stopped) await stack.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};

/**
 * The baseline's writes: BatchWriteItem, 25 items a request, with as many requests in flight as
 * the importer keeps (`batchPutAll`'s default of 4), UnprocessedItems re-sent with backoff — the
 * same work as the import's writes, without parsing, validation, hashing or bookkeeping.
 */
const RAW_CONCURRENCY = 4;
async function rawBatchPut(client: DynamoDBDocumentClient, items: Record<string, unknown>[]): Promise<void> {
  const requests: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) requests.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      let pending: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = requests[next++]!.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
        const out = await client.send(new BatchWriteCommand({ RequestItems: { raw: pending } }));
        pending = out.UnprocessedItems?.['raw'] as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: RAW_CONCURRENCY }, worker));
}
