/**
 * The memory of reading a whole import file, as the importer's check pass reads it (its tables,
 * then its people: the members sheet joined to the households), without a database: for a file
 * too large to import in a few minutes, whether the reader fits the importer's memory. Run it with
 * the heap the importer Lambda and the `household-import` bench give the importing process:
 *
 *   node --max-old-space-size=160 --max-semi-space-size=16 test/bench/tools/check-pass-memory.ts <file> [<repository>]
 *
 * (`<repository>`: another checkout whose reader to measure, e.g. a `git worktree` of an earlier
 * commit; this one by default). Prints one JSON line: rows, seconds, the heap and RSS once the
 * workbook's parts (its shared strings) are read, the RSS sampled every 50,000 rows and the
 * process's peak RSS (`maxRSS`). Files: `npm run gen:households -- --people 1000000 --format
 * kobo-xlsx [--shared-strings] --out file.xlsx`, or any CSV, XLSX or ZIP the importer takes.
 */
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';

const [file, repository = resolve(import.meta.dirname, '../../..')] = process.argv.slice(2);
if (!file) throw new Error('usage: check-pass-memory.ts <file> [<repository>]');
const { fingerprint, openTables } = (await import(
  resolve(repository, 'functions/importer/sources.ts')
)) as typeof import('../../../functions/importer/sources.ts');
const { peopleOf } = (await import(resolve(repository, 'functions/importer/people.ts'))) as typeof import('../../../functions/importer/people.ts');
const { ValueTranslator } = (await import(resolve(repository, 'shared/domain/import-columns.ts'))) as typeof import('../../../shared/domain/import-columns.ts');

const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
const started = performance.now();
const open = async (range?: { start: number; end: number }) => createReadStream(file, range ?? {});
const { zip } = await fingerprint(open);
const { format, tables } = await openTables(open, { zip, bytes: statSync(file).size });
const parts = process.memoryUsage();
let rows = 0;
let sampledRss = parts.rss;
for await (const _ of peopleOf(format, tables, undefined).rows(new ValueTranslator(undefined))) {
  if (++rows % 50_000 === 0) sampledRss = Math.max(sampledRss, process.memoryUsage().rss);
}
console.log(
  JSON.stringify({
    file,
    repository,
    format,
    rows,
    seconds: Math.round(performance.now() - started) / 1000,
    heapAfterPartsMb: mb(parts.heapUsed),
    rssAfterPartsMb: mb(parts.rss),
    rssSampledMaxMb: mb(sampledRss),
    peakRssMb: mb(process.resourceUsage().maxRSS * 1024),
  }),
);
