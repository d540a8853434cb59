/**
 * `npm run gazetteer -- load <dir> [--edition <name>] [--url http://localhost:3000] [--token <admin jwt>]`
 *
 * Loads a gazetteer edition through the API (locally or on AWS, with an admin's token): reads
 * `<dir>/edition.json` and the country files it names (the shape of `data/gazetteer/`), sends each
 * province with `PUT /v1/places/editions/{edition}/provinces/{pcode}`, activates the edition with
 * `POST /v1/places/editions/{edition}/activation`, and prints the report: units per level, codes
 * added, and the codes dropped (which old records keep). Without `--token` it signs a local admin
 * token with the key in DATA_DIR, as `npm run token` does. Exit code 0 when the edition is in use.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { dataDirFromEnv } from './env.ts';
import { readGazetteerDir } from './gazetteer-files.ts';
import { ensureLocalSecrets, signLocalToken } from './keys.ts';

const usage = 'usage: npm run gazetteer -- load <dir> [--edition <name>] [--url http://localhost:3000] [--token <admin jwt>]';
const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const { values, positionals } = (() => {
  try {
    return parseArgs({
      options: {
        url: { type: 'string', default: process.env.CLEARWAY_URL ?? `http://localhost:${process.env.PORT ?? '3000'}` },
        token: { type: 'string' },
        edition: { type: 'string' },
      },
      allowPositionals: true,
    });
  } catch (e: unknown) {
    return fail(`${(e as Error).message}\n${usage}`);
  }
})();
if (positionals[0] !== 'load' || !positionals[1]) fail(usage);

const files = await readGazetteerDir(resolve(positionals[1]!), values.edition);
const token =
  values.token ??
  (await signLocalToken((await ensureLocalSecrets(dataDirFromEnv())).privateKeyFile, { sub: 'local-gazetteer-loader', role: 'admin', org: 'local' }));
const base = values.url!.replace(/\/+$/, '');
const send = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) fail(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
};

let sent = 0;
const total = files.countries.reduce((n, c) => n + c.provinces.length, 0);
for (const { provinces } of files.countries) {
  for (const p of provinces) {
    await send('PUT', `/v1/places/editions/${encodeURIComponent(files.edition)}/provinces/${p.pcode}`, p);
    process.stderr.write(`\rprovinces ${++sent}/${total}`);
  }
}
process.stderr.write('\n');
const report = (await send('POST', `/v1/places/editions/${encodeURIComponent(files.edition)}/activation`)) as {
  edition: string;
  previous: string | null;
  units: unknown;
  added: number;
  dropped: { count: number; codes: { pcode: string; level: string; en: string }[] };
};
process.stdout.write(
  `edition ${report.edition} is in use (previous: ${report.previous ?? 'none'}); units ${JSON.stringify(report.units)}; ${report.added} codes added, ` +
    `${report.dropped.count} dropped\n`,
);
for (const d of report.dropped.codes) process.stdout.write(`dropped ${d.pcode} (${d.level}) ${d.en}\n`);
