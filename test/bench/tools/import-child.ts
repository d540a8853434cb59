/**
 * Runs one household import job in a process of its own, for the `household-import` bench, so
 * that its peak memory is the importing process's alone (not the bench harness's, which generated
 * the file). Configuration (table, endpoint, secrets) comes from the environment like the
 * functions'. Arguments: the uploaded file (CSV or XLSX), then `--stop-at-completed` to end the
 * process once the job is COMPLETED, cutting off the duplicate pass that follows it (a large run's
 * pass can take longer than its import); the result is the same line, with `importMs` equal to
 * `completedMs` and `stoppedAtCompleted: true`. Creates the job as an upload would, runs
 * the import core, samples the job's progress every 2 s (one GetItem) with the process's memory, and
 * prints one JSON line: `{ outcome, importMs, processingMs, completedMs, maxRssBytes, job, samples: [[ms, rows, rssMb, heapMb]] }`
 * (`processingMs`: when the check of the whole file ended and the import of its chunks began;
 * `completedMs`: when the job turned COMPLETED, before the duplicate pass that `importMs` includes).
 */
import { createReadStream } from 'node:fs';
import { uploadedImportJob } from '../lib/import-job.ts';

const [file, ...flags] = process.argv.slice(2);
if (!file) throw new Error('usage: node test/bench/tools/import-child.ts <file> [--stop-at-completed]');
const stopAtCompleted = flags.includes('--stop-at-completed');
const { runImport } = await import('../../../functions/importer/run-import.ts');
const { getImportJob } = await import('../../../shared/db/repositories/household-imports.ts');
const job = await uploadedImportJob(file);

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
      const { rss, heapUsed } = process.memoryUsage();
      samples.push([ms, j.rowsImported + j.rowsRejected, Math.round(rss / 2 ** 20), Math.round(heapUsed / 2 ** 20)]);
      if (j.status === 'COMPLETED' && completedMs === undefined) {
        completedMs = ms;
        // Said at once, so a long run's import figures are on record before its duplicate pass ends.
        process.stderr.write(
          `\nimport-child: job COMPLETED after ${(ms / 1000).toFixed(1)} s (${j.rowsImported + j.rowsRejected} rows, ${j.households} households), peak RSS so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MB${stopAtCompleted ? '' : '; the duplicate pass follows'}\n`,
        );
        if (stopAtCompleted) finish('COMPLETED', j);
      }
      if (process.stderr.isTTY) process.stderr.write(`\rimporting ${j.rowsImported + j.rowsRejected}/${j.rowsTotal || '?'} rows   `);
    }
    await new Promise((r) => setTimeout(r, processingMs === undefined ? 250 : 2000));
  }
};
/** Prints the result line and ends the process (the import's work, if still running, with it). */
function finish(outcome: string, final: Awaited<ReturnType<typeof getImportJob>> & object, importMs = completedMs!): never {
  // process.resourceUsage().maxRSS is the kernel's peak resident set of this process, in KB.
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  const result = { outcome, importMs, processingMs: processingMs ?? 0, completedMs: completedMs ?? importMs, maxRssBytes, job: final, samples };
  process.stdout.write(`${JSON.stringify(stopAtCompleted ? { ...result, stoppedAtCompleted: true } : result)}\n`);
  process.exit(0);
}
const poller = poll();
const outcome = await runImport(job.id, { open: async (range) => createReadStream(file, range ?? {}) });
const importMs = performance.now() - started;
polling = false;
await poller;
const final = (await getImportJob(job.id))!;
const { rss, heapUsed } = process.memoryUsage();
samples.push([Math.round(importMs), final.rowsImported + final.rowsRejected, Math.round(rss / 2 ** 20), Math.round(heapUsed / 2 ** 20)]);
finish(outcome, final, importMs);
