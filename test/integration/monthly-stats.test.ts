import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { app as clearedApp } from '../../functions/cleared-areas/app.ts';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as mineActionApp } from '../../functions/mine-action/app.ts';
import { app as reportsApp } from '../../functions/reports/app.ts';
import { app as tasksApp } from '../../functions/tasks/app.ts';
import { backfillMonthlyStats } from '../../infra/local/monthly-backfill.ts';
import { documentClient, tableName } from '#shared/db/client.ts';
import { MONTHLY_BACKFILL_MARKER } from '#shared/db/keys/monthly-stats.ts';
import type { ClearedArea } from '#shared/domain/cleared-area.ts';
import type { HazardArea } from '#shared/domain/hazard-area.ts';
import type { Household } from '#shared/domain/household.ts';
import type { Task } from '#shared/domain/task.ts';
import { json, scanTable, square } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * The monthly report against a recount over the stored records: land released (by the month of
 * its QA acceptance), ordnance destroyed (by the month of the progress report's date, also when a
 * disposal is recorded later), households registered, returned and displaced again, across two
 * months. The earlier month's changes are made with the clock set to it (only `Date` is faked),
 * since registration and QA acceptance take their month from the time they are recorded.
 */

type Headers = Record<string, string>;
const routeOf = (path: string) =>
  path.startsWith('/v1/households')
    ? householdsApp
    : path.startsWith('/v1/stats/monthly')
      ? reportsApp
      : path.startsWith('/v1/cleared-areas')
        ? clearedApp
        : path.startsWith('/v1/accidents') || path.startsWith('/v1/risk-education-sessions')
          ? mineActionApp
          : tasksApp;

async function call<T>(method: string, path: string, headers: Headers, body?: unknown, extra: Headers = {}) {
  const res = await routeOf(path).request(path, {
    method,
    headers: { ...headers, ...(body ? json : {}), ...extra },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const parsed = (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as T;
  return { status: res.status, res, text, body: parsed };
}
async function ok<T>(expected: number, method: string, path: string, headers: Headers, body?: unknown, extra: Headers = {}): Promise<T> {
  const r = await call<T>(method, path, headers, body, extra);
  if (r.status !== expected) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.body;
}

interface Users {
  reliefKH: Headers;
  reliefTH: Headers;
  opsTH: Headers;
  qaTH: Headers;
  opsKH: Headers;
  qaKH: Headers;
  observer: Headers;
  admin: Headers;
  ministryKH: Headers;
}
/** Tokens valid at the (possibly faked) time of the call. */
async function users(): Promise<Users> {
  return {
    reliefKH: await bearer({ role: 'relief', country: 'KH', org: 'DRC' }),
    reliefTH: await bearer({ role: 'relief', country: 'TH', org: 'TRC' }),
    opsTH: await bearer({ role: 'operations', country: 'TH' }),
    qaTH: await bearer({ role: 'qa', country: 'TH' }),
    opsKH: await bearer({ role: 'operations', country: 'KH' }),
    qaKH: await bearer({ role: 'qa', country: 'KH' }),
    observer: await bearer({ role: 'observer' }),
    admin: await bearer({ role: 'admin', org: 'Clearway' }),
    ministryKH: await bearer({ role: 'ministry', country: 'KH', org: 'MOSVY' }),
  };
}

const registration = (origin: string, current: string) => ({
  origin: { province: origin, village: 'O Smach' },
  current: { province: current, site: 'Pagoda camp 4' },
  members: [{ givenName: 'Sreymom', familyName: 'Sok', sex: 'F', birthYear: 1986, relationship: 'HEAD', specificNeeds: [] }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});
const register = (u: Headers, origin: string, current: string) => ok<Household>(201, 'POST', '/v1/households', u, registration(origin, current));
const move = (u: Headers, h: Household, to: string, extra: Record<string, unknown> = {}) =>
  ok<Household>(200, 'POST', `/v1/households/${h.id}/transitions`, u, { to, ...extra }, { 'if-match': `"${h.version}"` });

/** A TH hazard area and a task of one TH team on it (with a KH team when `joint`), started now. */
async function startWork(u: Users, lon: number, joint = false): Promise<{ task: Task; hazard: HazardArea; lon: number; joint: boolean }> {
  const team = await ok<{ id: string }>(201, 'POST', '/v1/teams', u.opsTH, {
    name: `TMAC team ${lon}`,
    organisation: 'TMAC',
    country: 'TH',
    capabilities: ['MANUAL'],
  });
  const khTeam = joint
    ? await ok<{ id: string }>(201, 'POST', '/v1/teams', u.opsKH, { name: `CMAC team ${lon}`, organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL'] })
    : undefined;
  const hazard = await ok<HazardArea>(201, 'POST', '/v1/hazard-areas', u.opsTH, {
    name: `Area ${lon}`,
    country: 'TH',
    province: 'TH34',
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-07-20',
    contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
    geometry: square(lon, 14.35),
  });
  const task = await ok<Task>(201, 'POST', '/v1/tasks', u.opsTH, {
    hazardAreaId: hazard.id,
    activityType: 'CLEARANCE',
    priority: 1,
    joint,
    teamIds: khTeam ? [team.id, khTeam.id] : [team.id],
    plannedStart: '2026-01-10',
    plannedEnd: '2026-02-10',
  });
  await ok(200, 'POST', `/v1/tasks/${task.id}/transitions`, u.opsTH, { to: 'ASSIGNED' }, { 'if-match': '"1"' });
  await ok(200, 'POST', `/v1/tasks/${task.id}/transitions`, u.opsTH, { to: 'IN_PROGRESS' }, { 'if-match': '"2"' });
  return { task, hazard, lon, joint };
}

/** The work finished now: a progress report of `reportDate` with the finds, completion, a report of the whole area in two parts, accepted by QA TH (and QA KH for joint work). */
async function finishWork(
  u: Users,
  work: { task: Task; lon: number; joint: boolean },
  reportDate: string,
  finds: { category: string; quantity: number; disposal?: string }[],
): Promise<{ task: Task; progressId: string; report: ClearedArea }> {
  const { task, lon } = work;
  const position = { type: 'Point', coordinates: [lon + 0.005, 14.355] };
  const progress = await ok<{ id: string }>(201, 'POST', `/v1/tasks/${task.id}/progress`, u.opsTH, {
    reportDate,
    areaClearedSqm: 500,
    finds: finds.map((f) => ({ ...f, position })),
  });
  const done = await ok<Task>(200, 'POST', `/v1/tasks/${task.id}/transitions`, u.opsTH, { to: 'COMPLETED' }, { 'if-match': '"4"' });
  const report = await ok<ClearedArea>(201, 'POST', '/v1/cleared-areas', u.opsTH, {
    taskId: task.id,
    parts: [
      { outcome: 'CLEARED', method: 'MANUAL', depthCm: 13, geometry: square(lon, 14.35, 0.005) },
      {
        outcome: 'REDUCED',
        method: 'TS',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [lon + 0.005, 14.35],
              [lon + 0.01, 14.35],
              [lon + 0.01, 14.36],
              [lon + 0.005, 14.36],
              [lon + 0.005, 14.35],
            ],
          ],
        },
      },
    ],
    completedAt: reportDate,
  });
  let decided = await ok<ClearedArea>(
    200,
    'POST',
    `/v1/cleared-areas/${report.id}/qa`,
    u.qaTH,
    { decision: 'ACCEPTED', nonconformities: [] },
    { 'if-match': `"${report.version}"` },
  );
  if (work.joint)
    decided = await ok<ClearedArea>(
      200,
      'POST',
      `/v1/cleared-areas/${report.id}/qa`,
      u.qaKH,
      { decision: 'ACCEPTED', nonconformities: [] },
      { 'if-match': `"${report.version}"` },
    );
  expect(decided.status).toBe('QA_ACCEPTED');
  return { task: done, progressId: progress.id, report: decided };
}

/** The month on the border (UTC+7, no daylight saving) of an instant; a date-only value as given. */
const borderMonth = (iso: string) => (iso.length > 10 ? new Date(Date.parse(iso) + 7 * 3_600_000).toISOString().slice(0, 7) : iso.slice(0, 7));

type MonthRow = {
  month: string;
  landReleasedSqm: Record<string, number>;
  ordnanceDestroyed: Record<string, number>;
  accidents: Record<string, number>;
  riskEducation: Record<string, number>;
  households: Record<string, number | null>;
};
type Monthly = { months: MonthRow[]; totals: Omit<MonthRow, 'month'>; suppressed: string[] };

/** The months recounted from the stored records (a test-only Scan), in the answer's shape: land, destroyed EO, household flows. */
async function recount(country: 'KH' | 'TH' | undefined, months: string[]) {
  const items = await scanTable();
  const empty = () => ({
    land: {} as Record<string, number>,
    eo: {} as Record<string, number>,
    accidents: { accidents: 0, killed: 0, injured: 0 },
    riskEducation: { sessions: 0, peopleReached: 0 },
    households: { registered: 0, returned: 0, redisplaced: 0 },
  });
  const byMonth = new Map(months.map((m) => [m, empty()]));
  const at = (m: string) => byMonth.get(m);
  const mine = (c: unknown) => country === undefined || c === country;
  for (const a of items.filter((i) => i.entity === 'ClearedArea') as unknown as ClearedArea[]) {
    if (!mine(a.country) || !['QA_ACCEPTED', 'HANDED_OVER'].includes(a.status)) continue;
    const m = at(borderMonth(a.qa!.decidedAt));
    for (const p of m ? a.parts : []) m!.land[p.outcome] = (m!.land[p.outcome] ?? 0) + p.areaSqm;
  }
  const tasks = new Map((items.filter((i) => i.entity === 'Task') as unknown as Task[]).map((t) => [t.id, t]));
  const states = new Map(items.filter((i) => i.entity === 'FindState').map((s) => [String(s.findId), s.disposal as string | undefined]));
  for (const r of items.filter((i) => i.entity === 'ProgressReport') as unknown as {
    id: string;
    taskId: string;
    reportDate: string;
    finds: { category: string; quantity: number; disposal: string }[];
  }[]) {
    const m = at(r.reportDate.slice(0, 7));
    if (!m || !mine(tasks.get(r.taskId)?.country)) continue;
    r.finds.forEach((f, i) => {
      if ((states.get(`${r.id}-${i}`) ?? f.disposal) === 'DESTROYED_IN_SITU') m.eo[f.category] = (m.eo[f.category] ?? 0) + f.quantity;
    });
  }
  for (const a of items.filter((i) => i.entity === 'Accident') as unknown as { country: string; occurredAt: string; victims: { outcome: string }[] }[]) {
    const m = mine(a.country) ? at(borderMonth(a.occurredAt)) : undefined;
    if (!m) continue;
    m.accidents.accidents += 1;
    m.accidents.killed += a.victims.filter((v) => v.outcome === 'KILLED').length;
    m.accidents.injured += a.victims.filter((v) => v.outcome === 'INJURED').length;
  }
  for (const r of items.filter((i) => i.entity === 'RiskEducationSession') as unknown as {
    country: string;
    date: string;
    audience: Record<string, number>;
  }[]) {
    const m = mine(r.country) ? at(borderMonth(r.date)) : undefined;
    if (!m) continue;
    m.riskEducation.sessions += 1;
    m.riskEducation.peopleReached += Object.values(r.audience).reduce((n, v) => n + v, 0);
  }
  const households = new Map((items.filter((i) => i.entity === 'Household') as unknown as Household[]).filter((h) => mine(h.country)).map((h) => [h.id, h]));
  for (const h of households.values()) {
    const m = at(borderMonth(h.createdAt));
    if (m) m.households.registered += 1;
  }
  for (const e of items.filter((i) => i.entity === 'HouseholdHistory' && i.action === 'TRANSITION')) {
    if (!households.has(String(e.householdId))) continue;
    const m = at(borderMonth(String(e.effectiveDate ?? e.at)));
    if (m && e.to === 'RETURNED') m.households.returned += 1;
    if (m && e.to === 'REDISPLACED') m.households.redisplaced += 1;
  }
  return byMonth;
}

const nonZero = (o: Record<string, number | null>) => Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== 0 && k !== 'total'));
const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));

async function expectMatchesRecount(u: Headers, country: 'KH' | 'TH' | undefined, months: string[]) {
  const q = `from=${months[0]}&to=${months.at(-1)}${country ? `&country=${country}` : ''}`;
  const answer = await ok<Monthly>(200, 'GET', `/v1/stats/monthly?${q}`, u);
  const truth = await recount(country, months);
  expect(answer.months.map((m) => m.month)).toEqual(months);
  for (const m of answer.months) {
    const t = truth.get(m.month)!;
    expect(nonZero(m.landReleasedSqm), `land ${m.month}`).toEqual(round(t.land));
    expect(nonZero(m.ordnanceDestroyed), `EO ${m.month}`).toEqual(t.eo);
    expect(m.households, `households ${m.month}`).toEqual(t.households);
    expect(m.accidents, `accidents ${m.month}`).toEqual(t.accidents);
    expect(m.riskEducation, `risk education ${m.month}`).toEqual(t.riskEducation);
  }
  return answer;
}

const OCT = '2026-10';
const NOV = '2026-11';
let now: Users;
let early: { returned: Household; release: { task: Task; progressId: string }; joint: ClearedArea };
let thisMonth: string;
let months: string[];

beforeAll(async () => {
  // Only Date is faked: timers, the SDK's sockets and DynamoDB Local run as usual.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(`${OCT}-15T09:00:00Z`));
  const u = await users();
  const a = await register(u.reliefKH, 'KH22', 'KH17');
  await register(u.reliefTH, 'TH34', 'TH34');
  const returned = await move(u.reliefKH, a, 'RETURNED');
  await register(u.reliefKH, 'KH22', 'KH17');
  const release = await finishWork(u, await startWork(u, 105.0), `${OCT}-15`, [
    { category: 'AP_MINE', quantity: 3, disposal: 'DESTROYED_IN_SITU' },
    { category: 'UXO', quantity: 2 },
  ]);
  // A joint release accepted in October that the observers refuse to attest in December: taken back from October.
  const joint = await finishWork(u, await startWork(u, 105.2, true), `${OCT}-15`, []);
  early = { returned, release, joint: joint.report };
  // Work started in November whose report is filed now.
  vi.setSystemTime(new Date(`${NOV}-18T09:00:00Z`));
  const novemberWork = await startWork(await users(), 105.1);
  vi.useRealTimers();

  now = await users();
  thisMonth = borderMonth(new Date().toISOString());
  months = [OCT, NOV, thisMonth].filter((m, i, all) => all.indexOf(m) === i).sort();
  await register(now.reliefKH, 'KH22', 'KH17');
  await move(now.reliefKH, early.returned, 'REDISPLACED', { reason: 'house destroyed by shelling' });
  // A report filed now for last month's work counts in last month.
  await finishWork(now, novemberWork, `${NOV}-20`, [{ category: 'SUBMUNITION', quantity: 5, disposal: 'DESTROYED_IN_SITU' }]);
  // The UXO of October is destroyed in situ later: it counts in October, the month of its report.
  await ok(200, 'POST', `/v1/tasks/${early.release.task.id}/finds/${early.release.progressId}-1/disposal`, now.opsTH, { disposal: 'DESTROYED_IN_SITU' });
  // Accidents keyed by occurredAt: one in October, one recorded in November and corrected to October with a third victim; a risk-education session in November.
  const victim = (outcome: 'KILLED' | 'INJURED') => ({ sex: 'M', age: 30, outcome, victimType: 'CIVILIAN', nationality: 'KH' });
  const accident = (occurredAt: string, victims: unknown[]) => ({
    country: 'KH',
    occurredAt,
    point: { type: 'Point', coordinates: [103.52, 14.42] },
    province: 'KH22',
    device: { category: 'AP_MINE', model: 'PMN-2' },
    activityAtTime: 'FARMING',
    source: 'CMAC field report',
    victims,
  });
  await ok(201, 'POST', '/v1/accidents', now.opsKH, accident(`${OCT}-20`, [victim('KILLED'), victim('INJURED')]));
  const later = await ok<{ id: string; version: number }>(201, 'POST', '/v1/accidents', now.opsKH, accident(`${NOV}-02T03:00:00Z`, [victim('INJURED')]));
  await ok(
    200,
    'PATCH',
    `/v1/accidents/${later.id}`,
    now.opsKH,
    { occurredAt: `${OCT}-30`, victims: [victim('INJURED'), victim('INJURED')] },
    { 'if-match': `"${later.version}"` },
  );
  await ok(201, 'POST', '/v1/risk-education-sessions', now.reliefKH, {
    date: `${NOV}-05`,
    province: 'KH22',
    provider: 'DRC',
    delivery: 'FACE_TO_FACE',
    categories: ['AP_MINE'],
    audience: { girls: 3, boys: 4, women: 5, men: 6 },
  });
  const refused = await ok<ClearedArea>(
    200,
    'POST',
    `/v1/cleared-areas/${early.joint.id}/attestation`,
    now.observer,
    { decision: 'NOT_ATTESTED', findings: 'Lanes not marked as reported.' },
    { 'if-match': `"${early.joint.version}"` },
  );
  expect(refused.status).toBe('NOT_ATTESTED');
});

afterAll(() => {
  vi.useRealTimers();
});

describe('GET /v1/stats/monthly', () => {
  it('matches a recount over the stored records, month by month, for both countries and each country', async () => {
    const both = await expectMatchesRecount(now.admin, undefined, months);
    const oct = both.months.find((m) => m.month === OCT)!;
    expect(oct.households).toEqual({ registered: 3, returned: 1, redisplaced: 0 });
    expect(oct.ordnanceDestroyed).toMatchObject({ AP_MINE: 3, UXO: 2, total: 5 });
    expect(oct.landReleasedSqm.CLEARED).toBeGreaterThan(0);
    expect(oct.landReleasedSqm.REDUCED).toBeGreaterThan(0);
    expect(oct.accidents).toEqual({ accidents: 2, killed: 1, injured: 3 });
    const nov = both.months.find((m) => m.month === NOV)!;
    expect(nov.ordnanceDestroyed).toMatchObject({ SUBMUNITION: 5, total: 5 });
    expect(nov.accidents).toEqual({ accidents: 0, killed: 0, injured: 0 });
    expect(nov.riskEducation).toEqual({ sessions: 1, peopleReached: 18 });
    const current = both.months.find((m) => m.month === thisMonth)!;
    expect(current.households).toMatchObject({ registered: 1, redisplaced: 1 });
    expect(current.landReleasedSqm.total).toBeGreaterThan(0);
    expect(both.totals.households).toEqual({ registered: 4, returned: 1, redisplaced: 1 });
    await expectMatchesRecount(now.admin, 'KH', months);
    await expectMatchesRecount(now.admin, 'TH', months);
  });

  it('gives one province its own buckets and CSV rows per month and province with HXL hashtags', async () => {
    const kh22 = await ok<Monthly>(200, 'GET', `/v1/stats/monthly?province=KH22&from=${OCT}&to=${thisMonth}`, now.ministryKH);
    expect(kh22.months.find((m) => m.month === OCT)!.households).toEqual({ registered: 2, returned: 1, redisplaced: 0 });
    expect(kh22.months.find((m) => m.month === OCT)!.landReleasedSqm.total).toBe(0);
    const csv = await call('GET', `/v1/stats/monthly?country=TH&from=${OCT}&to=${NOV}`, now.admin, undefined, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, hxl, ...rows] = csv.text
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(hxl![header!.indexOf('households_registered')]).toBe('#affected+hh+registered');
    expect(hxl![header!.indexOf('eo_destroyed_submunition')]).toBe('#indicator+eo+destroyed+submunition');
    const row = (month: string, p: string) => rows.find((r) => r[0] === month && r[2] === p)!;
    expect(row(NOV, 'TH34')[header!.indexOf('eo_destroyed_submunition')]).toBe('5');
    expect(row(OCT, 'TH34')[header!.indexOf('eo_destroyed_uxo')]).toBe('2');
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set([OCT, NOV]));
  });

  it('withholds small household counts from readers who may not read every household, not from the ministry of the country', async () => {
    const seen = await ok<Monthly>(200, 'GET', `/v1/stats/monthly?country=KH&from=${OCT}&to=${OCT}`, now.observer);
    expect(seen.months[0]!.households).toEqual({ registered: null, returned: null, redisplaced: 0 });
    expect(seen.suppressed).toEqual(expect.arrayContaining(['months.0.households.registered', 'months.0.households.returned', 'totals.households.registered']));
    expect(seen.months[0]!.ordnanceDestroyed.total).toBe(0);
    const csv = await call('GET', `/v1/stats/monthly?country=KH&from=${OCT}&to=${OCT}&format=csv`, now.observer);
    const [header, , ...rows] = csv.text
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(rows.find((r) => r[2] === 'KH22')![header!.indexOf('households_registered')]).toBe('<5');
    const exact = await ok<Monthly>(200, 'GET', `/v1/stats/monthly?country=KH&from=${OCT}&to=${OCT}`, now.ministryKH);
    expect(exact.months[0]!.households).toEqual({ registered: 2, returned: 1, redisplaced: 0 });
    expect(exact.suppressed).toEqual([]);
  });

  it('refuses a bad period or another country to a relief agency, with a problem naming the field', async () => {
    const backwards = await call<{ errors: { path: string }[] }>('GET', `/v1/stats/monthly?from=2026-06&to=2026-01`, now.admin);
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0]!.path).toBe('query.to');
    expect((await call('GET', `/v1/stats/monthly?from=2020-01&to=2026-01`, now.admin)).status).toBe(400);
    const badMonth = await call<{ errors: { path: string }[] }>('GET', `/v1/stats/monthly?from=2026-13&to=2026-12`, now.admin);
    expect(badMonth.status).toBe(400);
    expect(badMonth.body.errors[0]!.path).toBe('query.from');
    expect((await call('GET', `/v1/stats/monthly?country=TH&from=${OCT}&to=${OCT}`, now.reliefKH)).status).toBe(403);
    expect((await call('GET', `/v1/stats/monthly?from=${OCT}&to=${OCT}`, await bearer({ role: 'deminer', country: 'TH', team: 't1' }))).status).toBe(403);
  });

  it('backfills the same buckets from the records when they are counted afresh (the one-off count of npm start)', async () => {
    const before = (await scanTable())
      .filter((i) => i.entity === 'MonthlyStats')
      .sort((a, b) => `${String(a.pk)}${String(a.sk)}`.localeCompare(`${String(b.pk)}${String(b.sk)}`));
    expect(before.length).toBeGreaterThan(0);
    for (const item of before) await documentClient.send(new DeleteCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }));
    const first = await backfillMonthlyStats(documentClient, tableName);
    expect(first.ran).toBe(true);
    const after = (await scanTable())
      .filter((i) => i.entity === 'MonthlyStats')
      .sort((a, b) => `${String(a.pk)}${String(a.sk)}`.localeCompare(`${String(b.pk)}${String(b.sk)}`));
    // A counter that went back to 0 (an accident moved to another month) is 0 live and absent when recounted.
    const withoutZeros = (items: Record<string, unknown>[]) => items.map((i) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== 0)));
    expect(withoutZeros(after)).toEqual(withoutZeros(before));
    // Done once: a second start counts nothing again.
    expect(await backfillMonthlyStats(documentClient, tableName)).toEqual({ ran: false, buckets: 0 });
    expect((await scanTable()).filter((i) => i.entity === 'MonthlyStats')).toEqual(expect.arrayContaining(after));
    await documentClient.send(new DeleteCommand({ TableName: tableName, Key: MONTHLY_BACKFILL_MARKER }));
  });
});
