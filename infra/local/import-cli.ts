/**
 * `npm run import -- file.csv [--url http://localhost:3000] [--token <jwt>] [--country KH|TH] [--org <org>]`
 *
 * Imports a household CSV through the public API, as any client would: creates an import job,
 * `PUT`s the file to its upload URL (streamed, not read into memory), then polls the job and
 * draws a progress bar on stderr until it completes or fails, and prints a summary (and the first
 * rejected rows) on stdout. Without `--token` it signs a relief token for `--country` (default KH)
 * and `--org` with the local key in DATA_DIR, as `npm run token` does. Exit code: 0 when the job
 * completed, 1 when it failed, 2 on a usage or connection error.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { dataDirFromEnv } from './env.ts';
import { ensureLocalSecrets, signLocalToken } from './keys.ts';
import type { HouseholdImportView } from '../../shared/domain/household-import.ts';

type Job = HouseholdImportView;

const fail = (message: string, code = 2): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

const { values, positionals } = (() => {
  try {
    return parseArgs({
      options: {
        url: { type: 'string', default: process.env.CLEARWAY_URL ?? `http://localhost:${process.env.PORT ?? '3000'}` },
        token: { type: 'string' },
        country: { type: 'string', default: 'KH' },
        org: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e: unknown) {
    return fail(`${(e as Error).message}\nusage: npm run import -- file.csv [--url http://localhost:3000] [--token <jwt>] [--country KH|TH] [--org <org>]`);
  }
})();
const file = positionals[0] ?? fail('usage: npm run import -- file.csv [--url http://localhost:3000] [--token <jwt>] [--country KH|TH] [--org <org>]');
const size = await stat(file)
  .then((s) => s.size)
  .catch(() => fail(`cannot read ${file}`));
if (values.country !== 'KH' && values.country !== 'TH') fail('--country is KH or TH');

async function token(): Promise<string> {
  if (values.token) return values.token;
  const secrets = await ensureLocalSecrets(dataDirFromEnv());
  const org = values.org ?? (values.country === 'KH' ? 'CMAC' : 'TMAC');
  return signLocalToken(secrets.privateKeyFile, { sub: `local-relief-${values.country!.toLowerCase()}`, role: 'relief', country: values.country, org });
}

const headers = { authorization: `Bearer ${await token()}` };
const base = values.url.replace(/\/$/, '');

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(`${base}${path}`, { ...init, headers: { ...headers, ...(init.headers ?? {}) } });
  } catch (e: unknown) {
    return fail(`cannot reach ${base}: ${(e as Error).message} (is npm start running?)`);
  }
}

const created = await call('/v1/household-imports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bytes: size }) });
if (created.status !== 201) fail(`could not create the import (${created.status}): ${await created.text()}`);
const { id, uploadUrl } = (await created.json()) as { id: string; uploadUrl: string };
process.stderr.write(`import ${id}: uploading ${file} (${(size / 1024 / 1024).toFixed(1)} MB)\n`);

const put = await fetch(uploadUrl, {
  method: 'PUT',
  body: Readable.toWeb(createReadStream(file)) as ReadableStream,
  headers: { 'content-type': 'text/csv', 'content-length': String(size) },
  duplex: 'half',
} as RequestInit).catch((e: unknown) => fail(`the upload to ${base} broke off: ${(e as Error).message} (is npm start running?)`));
if (!put.ok) fail(`the upload was refused (${put.status}): ${await put.text()}`);

const tty = process.stderr.isTTY === true;
const bar = (job: Job) => {
  const done = job.rowsImported + job.rowsRejected;
  const share = job.rowsTotal > 0 ? done / job.rowsTotal : 0;
  const width = 30;
  const filled = Math.round(share * width);
  const line =
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${done}/${job.rowsTotal || '?'} rows  ${job.households} ` +
    `households  ${job.rowsRejected} rejected  ${job.status}`;
  process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
};

let job: Job;
let lastPrinted = 0;
for (;;) {
  const res = await call(`/v1/household-imports/${id}`);
  if (res.status !== 200) fail(`could not read the import (${res.status}): ${await res.text()}`);
  job = (await res.json()) as Job;
  if (tty || Date.now() - lastPrinted > 5000 || job.status === 'COMPLETED' || job.status === 'FAILED') {
    bar(job);
    lastPrinted = Date.now();
  }
  if (job.status === 'COMPLETED' || job.status === 'FAILED') break;
  await new Promise((r) => setTimeout(r, 500));
}
if (tty) process.stderr.write('\n');

const lines = [
  `import ${job.id}: ${job.status}`,
  ...(job.message ? [job.message] : []),
  `rows: ${job.rowsTotal} total, ${job.rowsImported} imported, ${job.rowsRejected} rejected`,
  `households: ${job.households} imported, ${job.householdsRejected} rejected`,
  ...(job.errors.length > 0 ? ['first rejected rows:', ...job.errors.slice(0, 10).map((e) => `  row ${e.row}: ${e.message}`)] : []),
  ...(job.rowsRejected > 10 ? [`all of them: GET ${base}/v1/household-imports/${job.id}/errors`] : []),
];
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(job.status === 'COMPLETED' ? 0 : 1);
