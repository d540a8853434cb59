import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import { localToken, repoRoot, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * `npm run seed` against `npm start`: demo data through the public API, and a second run that
 * finds everything already there and creates nothing.
 */
let dataDir: string;
let server: LocalServer;
let observer: string;
let admin: string;

const STATUSES = ['PLANNED', 'ASSIGNED', 'IN_PROGRESS', 'SUSPENDED', 'COMPLETED', 'CANCELLED'] as const;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-seed-'));
  server = await startLocalServer(dataDir, await freePort());
  observer = localToken(dataDir, '--role', 'observer');
  admin = localToken(dataDir, '--role', 'admin');
});

afterAll(async () => {
  await server?.stop('SIGINT');
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs `node infra/local/seed.ts <args>` with the server's DATA_DIR. */
function seed(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['infra/local/seed.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 300_000);
    proc.once('error', reject);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function list<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const res = await fetch(`${server.base}${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      headers: { authorization: `Bearer ${observer}` },
    });
    expect(res.status, path).toBe(200);
    const page = (await res.json()) as { items: T[]; next: string | null };
    items.push(...page.items);
    cursor = page.next;
  } while (cursor);
  return items;
}

interface Seen {
  teams: Record<string, number>;
  provinces: string[];
  hazardAreas: number;
  tasks: Record<string, string[]>;
  jointTasks: number;
  sites: number;
  present: Record<string, number>;
}

/** What an observer sees: the numbers the second run must leave unchanged. */
async function snapshot(): Promise<Seen> {
  const seen: Seen = { teams: {}, provinces: [], hazardAreas: 0, tasks: {}, jointTasks: 0, sites: 0, present: {} };
  const provinces = new Set<string>();
  const joint = new Set<string>();
  for (const country of ['KH', 'TH']) {
    seen.teams[country] = (await list<{ country: string }>(`/v1/teams?country=${country}`)).filter((t) => t.country === country).length;
    const areas = await list<{ province: string }>(`/v1/hazard-areas?country=${country}`);
    seen.hazardAreas += areas.length;
    for (const a of areas) provinces.add(a.province);
    for (const status of STATUSES) {
      const tasks = await list<{ id: string; joint: boolean; status: string }>(`/v1/tasks?country=${country}&status=${status}`);
      expect(tasks.every((t) => t.status === status)).toBe(true);
      seen.tasks[`${country} ${status}`] = tasks.map((t) => t.id).sort();
      for (const t of tasks) if (t.joint) joint.add(t.id);
    }
  }
  for (const country of ['KH', 'TH']) {
    seen.sites += (await list<{ id: string }>(`/v1/sites?country=${country}`)).length;
    const res = await fetch(`${server.base}/v1/stats/sites?country=${country}`, { headers: { authorization: `Bearer ${admin}` } });
    for (const s of ((await res.json()) as { sites: { code: string; present: { people: number } }[] }).sites) seen.present[s.code] = s.present.people;
  }
  seen.provinces = [...provinces].sort();
  seen.jointTasks = joint.size;
  return seen;
}

describe('npm run seed', { timeout: 360_000 }, () => {
  it('says in one line to start the server when nothing answers', async () => {
    const run = await seed('--url', `http://127.0.0.1:${await freePort()}`);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/start the server first with npm start, or pass --url/);
  });

  it('creates teams, hazard areas and tasks in every state through the API, and a second run creates nothing', async () => {
    const first = await seed('--url', server.base);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/teams\s+\d+: \d+ created/);
    expect(first.stdout).toMatch(/done in .*: \d+ created, 0 already there/);

    const seen = await snapshot();
    expect(seen.teams.KH).toBeGreaterThanOrEqual(5);
    expect(seen.teams.TH).toBeGreaterThanOrEqual(5);
    expect(seen.hazardAreas).toBeGreaterThanOrEqual(10);
    expect(seen.provinces.length).toBeGreaterThanOrEqual(4);
    expect(seen.provinces.some((p) => p.startsWith('KH')) && seen.provinces.some((p) => p.startsWith('TH'))).toBe(true);
    for (const status of STATUSES) expect(seen.tasks[`KH ${status}`]!.length + seen.tasks[`TH ${status}`]!.length, status).toBeGreaterThan(0);
    expect(seen.jointTasks).toBeGreaterThanOrEqual(1);
    // Sites in the affected provinces, households at them, and their dated movements in the months they happened.
    expect(first.stdout).toMatch(/sites\s+\d+: \d+ created/);
    expect(seen.sites).toBeGreaterThanOrEqual(30);
    expect(Object.values(seen.present).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    const flows = await fetch(`${server.base}/v1/stats/sites/flows?country=KH&from=2025-07&to=2026-01`, { headers: { authorization: `Bearer ${admin}` } });
    const months = ((await flows.json()) as { months: { month: string; sites: unknown[]; origins: { returns: { households: number } }[] }[] }).months;
    expect(months.find((m) => m.month === '2025-07')!.sites.length).toBeGreaterThan(0);
    expect(months.find((m) => m.month === '2025-11')!.origins.some((o) => o.returns.households > 0)).toBe(true);

    // An IN_PROGRESS task carries the deminers' progress, with a PMN-2 find inside its area.
    const inProgress = [...seen.tasks['KH IN_PROGRESS']!, ...seen.tasks['TH IN_PROGRESS']!];
    const finds: { model?: string; reviewRequired: boolean; distanceOutsideHazardAreaM: number }[] = [];
    for (const id of new Set(inProgress)) {
      const reports = await list<{ createdBy: string; finds: typeof finds }>(`/v1/tasks/${id}/progress`);
      expect(reports.length).toBeGreaterThanOrEqual(1);
      expect(reports.every((r) => r.createdBy.startsWith('seed-deminer-'))).toBe(true);
      finds.push(...reports.flatMap((r) => r.finds));
    }
    expect(finds.some((f) => f.model === 'PMN-2' && f.distanceOutsideHazardAreaM === 0 && !f.reviewRequired)).toBe(true);

    const second = await seed('--url', server.base);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/done in .*: 0 created, \d+ already there, 0 task moves made/);
    expect(await snapshot()).toEqual(seen);
  }, 600_000);
});
