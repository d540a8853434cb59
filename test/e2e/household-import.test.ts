import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import { EventType } from '../../shared/events/catalogue.ts';
import { exited, localToken, repoRoot, startLocalServer, type LocalServer } from '../support/local-server.ts';
import type { HouseholdImportView } from '../../shared/domain/household-import.ts';

/**
 * The household CSV import on the real local runtime: `npm run gen:households` writes the file,
 * `npm run import` drives a running `npm start` over HTTP, and a server SIGKILLed in the middle of
 * an import continues the job on the next start and ends with exactly the households, rows and
 * statistics of an uninterrupted import of the same file.
 */
type Job = HouseholdImportView;

interface Summary {
  id: string;
  org: string;
  status: string;
  memberCount: number;
}

/** Enough people for several chunks of 250 households, so that a kill lands while rows remain. */
const PEOPLE = 4000;
const ORG = 'UNHCR-KH';

let work: string;
let csv: string;
const dataDirs: string[] = [];
const started: LocalServer[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run <script> -- <args>` from the repository, as a user would, without blocking the event loop. */
function npmRun(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const proc = spawn('npm', ['run', script, '--', ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'clearway-import-e2e-'));
  dataDirs.push(dir);
  return dir;
}

async function start(dataDir: string): Promise<LocalServer> {
  const server = await startLocalServer(dataDir, await freePort());
  started.push(server);
  return server;
}

async function call<T>(server: LocalServer, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function getJob(server: LocalServer, token: string, id: string): Promise<Job> {
  const res = await call<Job>(server, 'GET', `/v1/household-imports/${id}`, token);
  expect(res.status).toBe(200);
  return res.body;
}

/** Every item of a paged list, following `next`. */
async function all<T>(server: LocalServer, token: string, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: { status: number; body: { items: T[]; next: string | null } } = await call(
      server,
      'GET',
      `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      token,
    );
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  return items;
}

const counts = (job: Job) => ({
  rowsTotal: job.rowsTotal,
  rowsImported: job.rowsImported,
  rowsRejected: job.rowsRejected,
  households: job.households,
  householdsRejected: job.householdsRejected,
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The server of the first test and its import, for the second. */
let first: { server: LocalServer; dataDir: string; jobId: string } | undefined;

/** What the uninterrupted import of the file (through the CLI) ended with: the reference for the interrupted one. */
const reference: { counts?: ReturnType<typeof counts>; stats?: unknown } = {};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'clearway-import-csv-'));
  csv = join(work, 'households.csv');
  const gen = await npmRun('gen:households', ['--people', String(PEOPLE), '--invalid-rate', '0.05', '--seed', '11', '--out', csv]);
  expect(gen.code, gen.stderr).toBe(0);
  expect(gen.stderr).toContain(`wrote ${PEOPLE} people to ${csv}`);
});

afterAll(async () => {
  for (const s of started) await s.stop('SIGKILL');
  for (const dir of dataDirs) {
    const pidFile = join(dir, 'dynamodb.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  }
  if (work) await rm(work, { recursive: true, force: true });
});

// An import of a few thousand people takes seconds on an idle machine and minutes on a busy one.
describe('household import through npm start', { timeout: 600_000 }, () => {
  it('npm run import uploads the file, draws its progress on stderr and prints a summary on stdout whose counts are the job’s', async () => {
    const lines = (await readFile(csv, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(PEOPLE + 1);

    const dataDir = await newDataDir();
    const server = await start(dataDir);
    const run = await npmRun('import', [csv, '--url', server.base, '--country', 'KH', '--org', ORG], { DATA_DIR: dataDir });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);

    const summary = /import (\w+): (\w+)\nrows: (\d+) total, (\d+) imported, (\d+) rejected\nhouseholds: (\d+) imported, (\d+) rejected\n/.exec(run.stdout);
    expect(summary, run.stdout).not.toBeNull();
    const [, id, status, rowsTotal, rowsImported, rowsRejected, households, householdsRejected] = summary!;
    const relief = localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', ORG);
    const job = await getJob(server, relief, id!);
    expect(job.status).toBe('COMPLETED');
    expect(status).toBe('COMPLETED');
    expect(counts(job)).toEqual({
      rowsTotal: Number(rowsTotal),
      rowsImported: Number(rowsImported),
      rowsRejected: Number(rowsRejected),
      households: Number(households),
      householdsRejected: Number(householdsRejected),
    });
    expect(job.rowsTotal).toBe(PEOPLE);
    expect(job.rowsImported + job.rowsRejected).toBe(job.rowsTotal);
    // The file has bad rows (5%), each rejecting its whole household, and mostly good ones.
    expect(job.rowsRejected).toBeGreaterThan(0);
    expect(job.householdsRejected).toBeGreaterThan(0);
    expect(job.rowsImported).toBeGreaterThan(job.rowsRejected);
    // The first rejected rows are shown with their numbers, and where to find the others.
    expect(run.stdout).toContain('first rejected rows:');
    expect(run.stdout).toContain(`  row ${job.errors[0]!.row}: `);
    expect(run.stdout).toContain(`/v1/household-imports/${id}/errors`);

    // Progress goes to stderr (a line per poll when stderr is not a terminal), never to stdout.
    expect(run.stderr).toContain(`import ${id}: uploading ${csv}`);
    expect(run.stderr).toContain(`] 100%  ${PEOPLE}/${PEOPLE} rows  ${job.households} households  ${job.rowsRejected} rejected  COMPLETED`);
    expect(run.stdout).not.toMatch(/\[[#.]{30}\]/);

    // What the job says was written is what the API lists and counts.
    const listed = await all<Summary>(server, relief, '/v1/households');
    expect(listed).toHaveLength(job.households);
    expect(listed.reduce((n, h) => n + h.memberCount, 0)).toBe(job.rowsImported);
    const stats = await call<{ households: { total: number }; people: { total: number } }>(server, 'GET', '/v1/stats/displacement?country=KH', relief);
    expect(stats.status).toBe(200);
    expect(stats.body.households.total).toBe(job.households);
    expect(stats.body.people.total).toBe(job.rowsImported);

    reference.counts = counts(job);
    reference.stats = stats.body;
    first = { server, dataDir, jobId: id! };
  });

  it('npm run import of the same file again imports nothing and names the first job; a file with a wrong header fails with exit code 1 and says why', async () => {
    expect(first, 'needs the server and import of the first test').toBeDefined();
    const { server, dataDir, jobId } = first!;
    const relief = localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', ORG);

    const again = await npmRun('import', [csv, '--url', server.base, '--country', 'KH', '--org', ORG], { DATA_DIR: dataDir });
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toContain(`This file was already imported by job ${jobId}; nothing new was imported.`);
    expect(again.stdout).toMatch(/rows: \d+ total, 0 imported, 0 rejected\nhouseholds: 0 imported, 0 rejected\n/);
    const listed = await all<Summary>(server, relief, '/v1/households');
    expect(listed).toHaveLength(reference.counts!.households);

    const bad = join(work, 'bad-header.csv');
    await writeFile(bad, 'household_key,given_name,colour\nHH-1,Sokha,blue\n');
    const failed = await npmRun('import', [bad, '--url', server.base, '--country', 'KH', '--org', ORG], { DATA_DIR: dataDir });
    expect(failed.code, `${failed.stdout}\n${failed.stderr}`).toBe(1);
    const head = /import (\w+): FAILED\n(.+)\n/.exec(failed.stdout);
    expect(head, failed.stdout).not.toBeNull();
    expect(head![2]).toMatch(/colour/);
    expect((await getJob(server, relief, head![1]!)).status).toBe('FAILED');
    expect(await all<Summary>(server, relief, '/v1/households')).toHaveLength(reference.counts!.households);

    server.proc.kill('SIGINT');
    expect(await exited(server.proc)).toBe(0);
  });

  it('an import whose server is SIGKILLed mid-way resumes on the next npm start and ends with every valid household exactly once and exact counts', async () => {
    expect(reference.counts, 'needs the uninterrupted import of the first test').toBeDefined();
    const dataDir = await newDataDir();
    let server = await start(dataDir);
    const relief = localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', ORG);

    const created = await call<{ id: string; uploadUrl: string }>(server, 'POST', '/v1/household-imports', relief, {});
    expect(created.status).toBe(201);
    const { id, uploadUrl } = created.body;
    const put = await fetch(uploadUrl, { method: 'PUT', body: await readFile(csv), headers: { 'content-type': 'text/csv' } });
    expect(put.status).toBe(200);

    // Wait until at least one chunk is committed while the import still runs, then kill the server outright.
    let seen = await getJob(server, relief, id);
    const deadline = Date.now() + 300_000;
    while (seen.rowsImported === 0 && seen.status !== 'COMPLETED' && seen.status !== 'FAILED' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await getJob(server, relief, id);
    }
    server.proc.kill('SIGKILL');
    await exited(server.proc);
    // Had it finished already, the file would be too small for this machine to prove anything.
    expect(seen.status).toBe('PROCESSING');
    expect(seen.rowsImported).toBeGreaterThan(0);
    expect(seen.rowsImported + seen.rowsRejected).toBeLessThan(PEOPLE);

    // The next start finds the unfinished job and continues it.
    server = await start(dataDir);
    await vi.waitFor(() => expect(server.output()).toContain('resuming 1 household import'), { timeout: 30_000, interval: 200 });
    let job: Job | undefined;
    await vi.waitFor(
      async () => {
        job = await getJob(server, relief, id);
        expect(job.status).toBe('COMPLETED');
      },
      { timeout: 480_000, interval: 500 },
    );

    // Exact counts, the same as the uninterrupted import of the same file.
    expect(job!.rowsImported + job!.rowsRejected).toBe(job!.rowsTotal);
    expect(counts(job!)).toEqual(reference.counts);

    // Every rejected row once.
    const errors = await all<{ row: number; message: string }>(server, relief, `/v1/household-imports/${id}/errors`);
    expect(errors).toHaveLength(job!.rowsRejected);
    expect(new Set(errors.map((e) => e.row)).size).toBe(errors.length);

    // Every valid household exactly once, registered to the organisation.
    const listed = await all<Summary>(server, relief, '/v1/households');
    expect(listed).toHaveLength(job!.households);
    expect(new Set(listed.map((h) => h.id)).size).toBe(listed.length);
    expect(listed.reduce((n, h) => n + h.memberCount, 0)).toBe(job!.rowsImported);
    expect(new Set(listed.map((h) => `${h.org} ${h.status}`))).toEqual(new Set([`${ORG} DISPLACED`]));

    // The statistics count exactly those people, figure for figure as after the uninterrupted import.
    const stats = await call<{ households: { total: number }; people: { total: number } }>(server, 'GET', '/v1/stats/displacement?country=KH', relief);
    expect(stats.status).toBe(200);
    expect(stats.body.households.total).toBe(job!.households);
    expect(stats.body.people.total).toBe(job!.rowsImported);
    expect(stats.body).toEqual(reference.stats);

    // One completion event for the job, to Cambodia's ministry, with the final counts (and nothing personal).
    const ministry = localToken(dataDir, '--role', 'ministry', '--country', 'KH', '--org', 'MoSVY-KH');
    const events = await all<{ type: string; subject: { id: string }; data: Record<string, unknown> }>(server, ministry, '/v1/notifications');
    const completed = events.filter((e) => e.type === EventType.HouseholdImportCompleted && e.subject.id === id);
    expect(completed).toHaveLength(1);
    expect(completed[0]!.data).toEqual({
      importId: id,
      country: 'KH',
      org: ORG,
      rowsTotal: job!.rowsTotal,
      rowsImported: job!.rowsImported,
      rowsRejected: job!.rowsRejected,
      households: job!.households,
    });

    server.proc.kill('SIGINT');
    expect(await exited(server.proc)).toBe(0);
  });
});
