/**
 * Is an acknowledged write kept when DynamoDB Local dies under load?
 * `node test/bench/tools/db-kill.ts [--runs 3] [--workers 8] [--acked 40]`
 *
 * Each run starts `npm start` on a fresh DATA_DIR, registers households from `--workers`
 * concurrent clients, SIGKILLs DynamoDB Local's Java process (alone) once `--acked` were answered 201, keeps
 * the load on until npm start's supervision has restarted it and a few seconds more, then reads
 * back every registration that was answered 201: once on the supervised restart, and once more
 * after stopping npm start and starting it again. It prints, per run, the 201s before and after
 * the kill, the other answers, how long /health said 503, and how many 201s could not be read.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../../../infra/local/dynamodb.ts';
import { localToken, startLocalServer, type LocalServer } from '../../support/local-server.ts';
import { table } from '../lib/table.ts';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, workers: { type: 'string', default: '8' }, acked: { type: 'string', default: '40' } },
});
const runs = Number(args.runs);
const workers = Number(args.workers);
const killAfterAcks = Number(args.acked);

const registration = (n: number) => ({
  origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: [103.52, 14.42] } },
  members: [
    {
      givenName: 'Test',
      familyName: `Durability ${n}`,
      sex: 'F',
      birthYear: 1986,
      relationship: 'HEAD',
      document: { type: 'NATIONAL_ID', number: `DK${String(n).padStart(9, '0')}` },
    },
  ],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});

async function healthy(base: string): Promise<boolean> {
  try {
    return (await fetch(`${base}/health`)).status === 200;
  } catch {
    return false;
  }
}

async function readBack(base: string, token: string, ids: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const id of ids) {
    const res = await fetch(`${base}/v1/households/${id}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) missing.push(`${id} (${res.status})`);
  }
  return missing;
}

interface RunResult {
  ackBefore: number;
  ackAfter: number;
  other: Record<string, number>;
  unhealthyMs: number;
  missingSupervised: string[];
  missingRestarted: string[];
}

async function run(): Promise<RunResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'clearway-db-kill-'));
  let server: LocalServer | undefined;
  try {
    server = await startLocalServer(dataDir, await freePort(), { CLEARWAY_SKIP_WEB_BUILD: '1' });
    const base = server.base;
    const token = localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', 'UNHCR-KH');
    const acked: { id: string; at: number }[] = [];
    const other: Record<string, number> = {};
    let next = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const n = next++;
        try {
          const res = await fetch(`${base}/v1/households`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(registration(n)),
          });
          const body = (await res.json()) as { id?: string };
          if (res.status === 201 && body.id) acked.push({ id: body.id, at: Date.now() });
          else other[res.status] = (other[res.status] ?? 0) + 1;
        } catch (e: unknown) {
          const key = e instanceof Error ? e.message : 'error';
          other[key] = (other[key] ?? 0) + 1;
        }
      }
    };
    const load = Array.from({ length: workers }, worker);
    while (acked.length < killAfterAcks) await new Promise((r) => setTimeout(r, 5));
    const javaPid = Number(readFileSync(join(dataDir, 'dynamodb.pid'), 'utf8'));
    const killedAt = Date.now();
    process.kill(javaPid, 'SIGKILL');
    while (!(await healthy(base))) await new Promise((r) => setTimeout(r, 100));
    const unhealthyMs = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all(load);

    const ids = acked.map((a) => a.id);
    const missingSupervised = await readBack(base, token, ids);
    server.proc.kill('SIGTERM');
    await new Promise((r) => server!.proc.once('exit', r));
    server = await startLocalServer(dataDir, await freePort(), { CLEARWAY_SKIP_WEB_BUILD: '1' });
    const missingRestarted = await readBack(server.base, token, ids);
    return {
      ackBefore: acked.filter((a) => a.at <= killedAt).length,
      ackAfter: acked.filter((a) => a.at > killedAt).length,
      other,
      unhealthyMs,
      missingSupervised,
      missingRestarted,
    };
  } finally {
    if (server && server.proc.exitCode === null) {
      server.proc.kill('SIGTERM');
      await new Promise((r) => server!.proc.once('exit', r));
    }
    await rm(dataDir, { recursive: true, force: true });
  }
}

const rows: string[][] = [];
for (let i = 1; i <= runs; i++) {
  const r = await run();
  const others =
    Object.entries(r.other)
      .map(([k, v]) => `${k}×${v}`)
      .join(', ') || '-';
  rows.push([
    String(i),
    String(r.ackBefore),
    String(r.ackAfter),
    others,
    `${(r.unhealthyMs / 1000).toFixed(1)} s`,
    String(r.missingSupervised.length),
    String(r.missingRestarted.length),
  ]);
  for (const m of r.missingSupervised) process.stdout.write(`run ${i}: missing after the supervised restart: ${m}\n`);
}
const headers = ['run', '201 before kill', '201 after kill', 'other answers', '/health 503 for', 'missing (supervised)', 'missing (npm start again)'];
process.stdout.write(
  `${table(
    headers.map((header) => ({ header })),
    rows,
  )}\n`,
);
