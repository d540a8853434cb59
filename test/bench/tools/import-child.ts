/**
 * Runs one household import job in a process of its own, for the `household-import` bench, so
 * that its peak memory is the importing process's alone (not the bench harness's, which generated
 * the CSV). Configuration comes from the environment like the functions'; arguments: the job id
 * and the CSV file. Prints one JSON line: `{ outcome, importMs, maxRssBytes }`.
 */
import { createReadStream } from 'node:fs';

const [jobId, file] = process.argv.slice(2);
if (!jobId || !file) throw new Error('usage: node test/bench/tools/import-child.ts <jobId> <file.csv>');
const { runImport } = await import('../../../functions/importer/run-import.ts');
const started = performance.now();
const outcome = await runImport(jobId, { open: async () => createReadStream(file) });
const importMs = performance.now() - started;
// process.resourceUsage().maxRSS is the kernel's peak resident set of this process, in KB.
process.stdout.write(`${JSON.stringify({ outcome, importMs, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
process.exit(0);
