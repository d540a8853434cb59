/**
 * Runs one household import job in a process of its own, for the `household-import` bench, so
 * that its peak memory is the importing process's alone (not the bench harness's, which generated
 * the file). Configuration (table, endpoint, secrets) comes from the environment like the
 * functions'. Argument: the uploaded file (CSV or XLSX). Creates the job as an upload would, runs
 * the import core, samples the job's progress every 2 s (one GetItem) with the process's memory, and
 * prints one JSON line: `{ outcome, importMs, processingMs, completedMs, maxRssBytes, job, samples: [[ms, rows, rssMb, heapMb]] }`
 * (`processingMs`: when the check of the whole file ended and the import of its chunks began;
 * `completedMs`: when the job turned COMPLETED, before the duplicate pass that `importMs` includes).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

const [file] = process.argv.slice(2);
if (!file) throw new Error('usage: node test/bench/tools/import-child.ts <file>');
const { runImport } = await import('../../../functions/importer/run-import.ts');
const { importJobWrite, newImportJob, markUploaded, getImportJob } = await import('../../../shared/db/repositories/household-imports.ts');
const { transact } = await import('../../../shared/db/transact.ts');
const { newId } = await import('../../../shared/domain/ids.ts');
// The files' places carry the gazetteer's P-codes: the table gets the shipped edition first, as npm start gives a new one (not timed).
const { readGazetteerDir } = await import('../../../infra/local/gazetteer-files.ts');
const { currentEdition, loadEdition } = await import('../../../shared/db/repositories/gazetteer.ts');
if (!(await currentEdition())) {
  const shipped = await readGazetteerDir();
  await loadEdition(shipped.edition, shipped.countries, { sub: 'bench', role: 'admin', org: 'bench' });
}
const job = newImportJob(newId(), { sub: 'bench', role: 'relief', country: 'KH', org: 'BENCH' }, 'KH', new Date().toISOString());
await transact([importJobWrite(job)]);
await markUploaded(job.id, (await stat(file)).size, new Date().toISOString());

/** (ms since the start, rows committed, resident set MB, V8 heap used MB) every 2 s. */
const samples: [number, number, number, number][] = [];
const started = performance.now();
/** When the check of the whole file ended (the job turned PROCESSING), found within 250 ms. */
let processingMs: number | undefined;
/** When the job turned COMPLETED (its rows committed and rechecked; the duplicate pass runs after), found within 2 s. */
let completedMs: number | undefined;
let polling = true;
const poll = async () => {
  while (polling) {
    const j = await getImportJob(job.id);
    const ms = Math.round(performance.now() - started);
    if (j && j.status !== 'UPLOADED') {
      processingMs ??= ms;
      if (j.status === 'COMPLETED') completedMs ??= ms;
      const { rss, heapUsed } = process.memoryUsage();
      samples.push([ms, j.rowsImported + j.rowsRejected, Math.round(rss / 2 ** 20), Math.round(heapUsed / 2 ** 20)]);
      if (process.stderr.isTTY) process.stderr.write(`\rimporting ${j.rowsImported + j.rowsRejected}/${j.rowsTotal || '?'} rows   `);
    }
    await new Promise((r) => setTimeout(r, processingMs === undefined ? 250 : 2000));
  }
};
const poller = poll();
const outcome = await runImport(job.id, { open: async (range) => createReadStream(file, range ?? {}) });
const importMs = performance.now() - started;
polling = false;
await poller;
const final = (await getImportJob(job.id))!;
const { rss, heapUsed } = process.memoryUsage();
samples.push([Math.round(importMs), final.rowsImported + final.rowsRejected, Math.round(rss / 2 ** 20), Math.round(heapUsed / 2 ** 20)]);
// process.resourceUsage().maxRSS is the kernel's peak resident set of this process, in KB.
process.stdout.write(
  `${JSON.stringify({ outcome, importMs, processingMs: processingMs ?? 0, completedMs: completedMs ?? importMs, maxRssBytes: process.resourceUsage().maxRSS * 1024, job: final, samples })}\n`,
);
process.exit(0);
