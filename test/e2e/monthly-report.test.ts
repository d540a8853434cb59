import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import { localToken, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * The monthly report over HTTP against `npm start`: real changes (a registration, a return, a
 * progress report with ordnance destroyed, an accepted release, an accident, a risk-education
 * session) show in this month's JSON and CSV (HXL) answer; creates retried with their
 * Idempotency-Key (registration, progress report, accident) count once; a restart on the same data
 * counts nothing again (the one-off backfill is done once).
 */

let dataDir: string;
let server: LocalServer;
let port: number;
const t: Record<string, string> = {};
/** The day and month on the border (UTC+7, no daylight saving), which the report's months follow. */
const borderDay = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
const month = borderDay().slice(0, 7);
const today = () => new Date().toISOString().slice(0, 10);
type Json = Record<string, any>;

async function call<T = Json>(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    etag: res.headers.get('etag'),
    type: res.headers.get('content-type'),
    replayed: res.headers.get('idempotent-replayed'),
    text,
    body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as T,
  };
}
async function ok<T = Json>(status: number, ...args: Parameters<typeof call>) {
  const r = await call<T>(...args);
  expect(r.status, `${args[0]} ${args[1]}: ${r.text}`).toBe(status);
  return r;
}

const square = (lon: number, lat: number, d = 0.01) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + d, lat],
      [lon + d, lat + d],
      [lon, lat + d],
      [lon, lat],
    ],
  ],
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-monthly-'));
  port = await freePort();
  server = await startLocalServer(dataDir, port);
  t.relief = localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', 'DRC');
  t.ops = localToken(dataDir, '--role', 'operations', '--country', 'TH', '--org', 'TMAC');
  t.opsKH = localToken(dataDir, '--role', 'operations', '--country', 'KH', '--org', 'CMAC');
  t.qa = localToken(dataDir, '--role', 'qa', '--country', 'TH', '--org', 'TMAC');
  t.admin = localToken(dataDir, '--role', 'admin', '--org', 'Clearway');
  t.ministry = localToken(dataDir, '--role', 'ministry', '--country', 'KH', '--org', 'MOSVY');
});

afterAll(async () => {
  await server?.stop('SIGINT');
  await rm(dataDir, { recursive: true, force: true });
});

const monthly = async (token: string, query: string) => (await ok(200, 'GET', `/v1/stats/monthly?from=${month}&to=${month}${query}`, token)).body.months[0];

describe('monthly report through npm start', () => {
  it('counts real changes once, retried creates included, in JSON and in CSV with HXL', async () => {
    // A registration sent twice with one Idempotency-Key (a retry after a lost answer).
    const body = {
      origin: { province: 'KH22', village: 'O Smach' },
      current: { province: 'KH17', site: 'Pagoda camp 4' },
      members: [{ givenName: 'Sreymom', familyName: 'Sok', sex: 'F', birthYear: 1986, relationship: 'HEAD' }],
      consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
    };
    const first = await ok(201, 'POST', '/v1/households', t.relief!, body, { 'idempotency-key': 'monthly-e2e-hh-1' });
    const retry = await ok(201, 'POST', '/v1/households', t.relief!, body, { 'idempotency-key': 'monthly-e2e-hh-1' });
    expect(retry.replayed).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    await ok(200, 'POST', `/v1/households/${first.body.id}/transitions`, t.relief!, { to: 'RETURNED' }, { 'if-match': first.etag! });

    // Demining in TH34: a progress report retried with its key, then an accepted release.
    const team = await ok(201, 'POST', '/v1/teams', t.ops!, { name: 'TMAC team 7', organisation: 'TMAC', country: 'TH', capabilities: ['MANUAL'] });
    const hazard = await ok(201, 'POST', '/v1/hazard-areas', t.ops!, {
      name: 'Hill 481',
      country: 'TH',
      province: 'TH34',
      classification: 'CHA',
      evidence: 'DIRECT',
      dateOfInformation: '2025-07-20',
      contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
      geometry: square(105.0, 14.35),
    });
    const task = await ok(201, 'POST', '/v1/tasks', t.ops!, {
      hazardAreaId: hazard.body.id,
      activityType: 'CLEARANCE',
      priority: 1,
      teamIds: [team.body.id],
      plannedStart: '2026-01-10',
      plannedEnd: '2026-02-10',
    });
    let etag = task.etag!;
    for (const to of ['ASSIGNED', 'IN_PROGRESS'])
      etag = (await ok(200, 'POST', `/v1/tasks/${task.body.id}/transitions`, t.ops!, { to }, { 'if-match': etag })).etag!;
    const progress = {
      reportDate: borderDay(),
      areaClearedSqm: 800,
      finds: [{ category: 'AP_MINE', model: 'PMN-2', quantity: 2, disposal: 'DESTROYED_IN_SITU', position: { type: 'Point', coordinates: [105.005, 14.355] } }],
    };
    await ok(201, 'POST', `/v1/tasks/${task.body.id}/progress`, t.ops!, progress, { 'idempotency-key': 'monthly-e2e-progress-1' });
    expect((await ok(201, 'POST', `/v1/tasks/${task.body.id}/progress`, t.ops!, progress, { 'idempotency-key': 'monthly-e2e-progress-1' })).replayed).toBe(
      'true',
    );
    etag = (await ok(200, 'GET', `/v1/tasks/${task.body.id}`, t.ops!)).etag!;
    await ok(200, 'POST', `/v1/tasks/${task.body.id}/transitions`, t.ops!, { to: 'COMPLETED' }, { 'if-match': etag });
    const report = await ok(201, 'POST', '/v1/cleared-areas', t.ops!, {
      taskId: task.body.id,
      outcome: 'CLEARED',
      method: 'MANUAL',
      depthCm: 13,
      completedAt: today(),
      geometry: square(105.0, 14.35),
    });
    await ok(200, 'POST', `/v1/cleared-areas/${report.body.id}/qa`, t.qa!, { decision: 'ACCEPTED', nonconformities: [] }, { 'if-match': report.etag! });

    // An accident whose create is retried with its Idempotency-Key, and a risk-education session.
    const accident = {
      country: 'KH',
      occurredAt: borderDay(),
      point: { type: 'Point', coordinates: [103.52, 14.42] },
      province: 'KH22',
      device: { category: 'AP_MINE', model: 'PMN-2' },
      activityAtTime: 'FARMING',
      source: 'CMAC field report',
      victims: [
        { sex: 'M', age: 30, outcome: 'KILLED', victimType: 'CIVILIAN', nationality: 'KH' },
        { sex: 'F', age: 12, outcome: 'INJURED', victimType: 'CIVILIAN', nationality: 'KH' },
      ],
    };
    const recorded = await ok(201, 'POST', '/v1/accidents', t.opsKH!, accident, { 'idempotency-key': 'monthly-e2e-accident-1' });
    const again = await ok(201, 'POST', '/v1/accidents', t.opsKH!, accident, { 'idempotency-key': 'monthly-e2e-accident-1' });
    expect(again.replayed).toBe('true');
    expect(again.body.id).toBe(recorded.body.id);
    await ok(201, 'POST', '/v1/risk-education-sessions', t.relief!, {
      date: borderDay(),
      province: 'KH22',
      provider: 'DRC',
      delivery: 'FACE_TO_FACE',
      categories: ['AP_MINE'],
      audience: { girls: 3, boys: 4, women: 5, men: 6 },
    });

    const kh = await monthly(t.ministry!, '&country=KH');
    expect(kh.households).toEqual({ registered: 1, returned: 1, redisplaced: 0 });
    expect(kh.accidents).toEqual({ accidents: 1, killed: 1, injured: 1 });
    expect(kh.riskEducation).toEqual({ sessions: 1, peopleReached: 18 });
    const th = await monthly(t.admin!, '&country=TH');
    expect(th.ordnanceDestroyed).toMatchObject({ AP_MINE: 2, total: 2 });
    expect(th.landReleasedSqm.CLEARED).toBe(Math.round(report.body.areaSqm));

    const csv = await ok(200, 'GET', `/v1/stats/monthly?country=KH&from=${month}&to=${month}`, t.ministry!, undefined, { accept: 'text/csv' });
    expect(csv.type).toBe('text/csv; charset=utf-8');
    const [header, hxl, ...rows] = csv.text
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(hxl!.slice(0, 3)).toEqual(['#date+month', '#country+code', '#adm1+code']);
    expect(hxl![header!.indexOf('households_returned')]).toBe('#affected+hh+returned');
    const kh22 = rows.find((r) => r[2] === 'KH22')!;
    expect(kh22[0]).toBe(month);
    expect(kh22[header!.indexOf('households_registered')]).toBe('1');
    expect(kh22[header!.indexOf('households_returned')]).toBe('1');
    expect(kh22[header!.indexOf('accidents')]).toBe('1');
    expect(hxl![header!.indexOf('killed')]).toBe('#affected+killed');
    expect(kh22[header!.indexOf('eore_people_reached')]).toBe('18');
  });

  it('counts nothing again when npm start runs again on the same data', async () => {
    const before = await monthly(t.admin!, '');
    expect(await server.stop('SIGINT')).toBe(0);
    server = await startLocalServer(dataDir, port);
    expect(server.output()).not.toContain('monthly report: counted');
    expect(await monthly(t.admin!, '')).toEqual(before);
    // A stop and a start of npm start (Java included) take well over the default 30 s on a loaded machine.
  }, 240_000);
});
