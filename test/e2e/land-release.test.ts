import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import { localToken, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Land release as a new user would try it, over HTTP against `npm start`: no closing by hand,
 * NTS cancels with evidence, a clearance report of two parts shrinks the remaining land and only
 * the households near released land turn SAFE, joint releases need both countries' QA and an
 * observer's attestation before handover, observers write only observations, implausible
 * progress is refused, and a withdrawal cancels the area's tasks and frees its households.
 *
 * Geometry at ~14.4° N, where 1° of latitude ≈ 111.2 km and 1° of longitude ≈ 107.7 km (on
 * turf's sphere). The main area M is 0.03° × 0.01° (≈ 3.2 km × 1.1 km); households stand 300 m
 * outside its west and east edges, so that each is 300 m from one edge and more than 1 km from
 * the other.
 */
const M_PER_DEG_LAT = (Math.PI * 6_371_008.8) / 180;
const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos((14.405 * Math.PI) / 180);

const rect = (w: number, s: number, e: number, n: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

// The main hazard area (KH) and what is released of it.
const M = rect(103.5, 14.4, 103.53, 14.41);
const NTS_PART = rect(103.515, 14.4, 103.52, 14.405); // a notch on the south edge, far from both households
const CLEARED_PART = rect(103.5, 14.4, 103.505, 14.41); // the west sixth…
const REDUCED_PART = rect(103.505, 14.4, 103.51, 14.41); // …and the next: the west third of M in all
/** 300 m west of M's west edge: after the clearance the nearest contaminated land is 1,378 m away. */
const WEST_POINT: [number, number] = [103.5 - 300 / M_PER_DEG_LON, 14.405];
/** 300 m east of M's east edge, which stays contaminated. */
const EAST_POINT: [number, number] = [103.53 + 300 / M_PER_DEG_LON, 14.405];
// A Thai area worked by a joint task, and a small Cambodian one recorded twice (withdrawn), 17 km from M.
const J = rect(105.0, 14.35, 105.01, 14.36);
const W = rect(103.7, 14.4, 103.702, 14.402); // ≈ 215 m × 222 m ≈ 48,000 m²
const NORTH_OF_W: [number, number] = [103.701, 14.402 + 300 / M_PER_DEG_LAT];

let dataDir: string;
let server: LocalServer;
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-land-'));
  server = await startLocalServer(dataDir, await freePort());
});

afterAll(async () => {
  await server?.stop('SIGINT');
  await rm(dataDir, { recursive: true, force: true });
});

type Json = Record<string, any>;

async function call<T = Json>(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), type: res.headers.get('content-type'), text, body: (text ? JSON.parse(text) : undefined) as T };
}

const hazardBody = (country: 'KH' | 'TH', geometry: ReturnType<typeof rect>, name: string) => ({
  name,
  country,
  province: country === 'KH' ? 'KH22' : 'TH34',
  classification: 'CHA',
  evidence: 'DIRECT',
  dateOfInformation: '2025-07-20',
  contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
  geometry,
});

const household = (point: [number, number]) => ({
  origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: point } },
  members: [{ givenName: 'Sreymom', familyName: 'Sovannarith', sex: 'F', birthYear: 1986, relationship: 'HEAD' }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});

const handoverBody = (certificateRef: string) => ({
  certificateRef,
  date: today(),
  receivedBy: { type: 'COMMUNITY', name: 'Village committee' },
  signatories: [
    { name: 'A', role: 'NATIONAL_AUTHORITY', organisation: 'TMAC' },
    { name: 'B', role: 'OPERATOR', organisation: 'CMAC' },
    { name: 'C', role: 'COMMUNITY', organisation: 'Village' },
  ],
  residualRisk: 'Cleared to 13 cm.',
});

const t: Record<string, string> = {};
const ids: Record<string, string> = {};

/** A task created by `ops`, assigned, started and completed by the KH deminer (or only as far as `until`). */
async function runTask(ops: string, body: Json, until = 'COMPLETED'): Promise<{ id: string; etag: string }> {
  const created = await call('POST', '/v1/tasks', ops, { priority: 1, plannedStart: '2026-01-10', plannedEnd: '2026-02-10', teamIds: [ids.khTeam], ...body });
  expect(created.status, created.text).toBe(201);
  let etag = created.etag!;
  for (const [to, who] of [
    ['ASSIGNED', ops],
    ['IN_PROGRESS', t.deminerKH!],
    ['COMPLETED', t.deminerKH!],
  ] as const) {
    if (until === 'PLANNED') break;
    const r = await call('POST', `/v1/tasks/${created.body.id}/transitions`, who, { to }, { 'if-match': etag });
    expect(r.status, r.text).toBe(200);
    etag = r.etag!;
    if (to === until) break;
  }
  return { id: created.body.id, etag };
}

const hazard = (id: string) => call('GET', `/v1/hazard-areas/${id}`, t.observer!);
const safetyOf = async (householdId: string) =>
  (await call('GET', `/v1/households/${householdId}`, t.reliefKH!)).body.returnSafety as { status: string; hazardAreaIds: string[] };

/** The return safety once it is `status` (the recomputation follows the change), or as it stands after a few seconds. */
async function safetyBecomes(householdId: string, status: string): Promise<{ status: string; hazardAreaIds: string[] }> {
  let safety = await safetyOf(householdId);
  for (let i = 0; i < 20 && safety.status !== status; i++) {
    await new Promise((r) => setTimeout(r, 250));
    safety = await safetyOf(householdId);
  }
  return safety;
}

describe('land release against npm start', { timeout: 300_000 }, () => {
  beforeAll(() => {
    const token = (...args: string[]) => localToken(dataDir, ...args);
    Object.assign(t, {
      opsKH: token('--role', 'operations', '--country', 'KH'),
      opsTH: token('--role', 'operations', '--country', 'TH'),
      qaKH: token('--role', 'qa', '--country', 'KH'),
      qaTH: token('--role', 'qa', '--country', 'TH'),
      reliefKH: token('--role', 'relief', '--country', 'KH', '--org', 'CARE'),
      observer: token('--role', 'observer'),
    });
  });

  it('sets the scene: teams, the main area, and two households 300 m off its west and east edges, both AT_RISK', async () => {
    const kh = await call('POST', '/v1/teams', t.opsKH!, { name: 'CMAC DU3 Team 12', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL', 'MDD'] });
    const th = await call('POST', '/v1/teams', t.opsTH!, { name: 'TMAC HMAU 2 Team 1', organisation: 'TMAC', country: 'TH', capabilities: ['MANUAL'] });
    expect([kh.status, th.status]).toEqual([201, 201]);
    ids.khTeam = kh.body.id;
    ids.thTeam = th.body.id;
    t.deminerKH = localToken(dataDir, '--role', 'deminer', '--country', 'KH', '--team', ids.khTeam!);

    const m = await call('POST', '/v1/hazard-areas', t.opsKH!, hazardBody('KH', M, 'O Smach ridge'));
    expect(m.status, m.text).toBe(201);
    ids.m = m.body.id;
    expect(m.body.remainingGeometry).toBeUndefined();

    const west = await call('POST', '/v1/households', t.reliefKH!, household(WEST_POINT));
    const east = await call('POST', '/v1/households', t.reliefKH!, household(EAST_POINT));
    expect([west.status, east.status]).toEqual([201, 201]);
    ids.west = west.body.id;
    ids.east = east.body.id;
    expect(west.body.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [ids.m] });
    expect(east.body.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [ids.m] });
  });

  it('refuses to close or hand over an area by hand (409 saying how land is released) and changes nothing', async () => {
    const before = await hazard(ids.m!);
    for (const to of ['CLOSED', 'HANDED_OVER']) {
      const r = await call('POST', `/v1/hazard-areas/${ids.m}/transitions`, t.opsKH!, { to, reason: 'demining finished' }, { 'if-match': before.etag! });
      expect(r.status, r.text).toBe(409);
      expect(r.type).toMatch(/application\/problem\+json/);
      expect(r.body.detail).toMatch(/completion report/);
      expect(r.body.detail).toMatch(/POST \/v1\/cleared-areas/);
    }
    const after = await hazard(ids.m!);
    expect(after.etag).toBe(before.etag);
    expect(after.body).toMatchObject({ status: 'OPEN', version: before.body.version, remainingSqm: before.body.remainingSqm });
    expect(await safetyOf(ids.west!)).toMatchObject({ status: 'AT_RISK' });
  });

  it('lets an NTS task cancel part of the area with evidence; the other country’s QA cannot accept it, its own can', async () => {
    const task = await runTask(t.opsKH!, { hazardAreaId: ids.m, activityType: 'NTS' });
    const cancelled = { outcome: 'CANCELLED', method: 'NTS', geometry: NTS_PART };
    // An NTS task may not clear, and cancelled land needs its evidence.
    const cleared = await call('POST', '/v1/cleared-areas', t.deminerKH!, {
      taskId: task.id,
      completedAt: today(),
      parts: [{ ...cancelled, outcome: 'CLEARED', method: 'MANUAL', depthCm: 13 }],
    });
    expect(cleared.status, cleared.text).toBe(400);
    expect(cleared.body.errors).toContainEqual({ path: 'body.parts.0.outcome', message: expect.stringMatching(/NTS task may report CANCELLED/) });
    const bare = await call('POST', '/v1/cleared-areas', t.deminerKH!, { taskId: task.id, completedAt: today(), parts: [cancelled] });
    expect(bare.status, bare.text).toBe(400);

    const report = await call('POST', '/v1/cleared-areas', t.deminerKH!, {
      taskId: task.id,
      completedAt: today(),
      parts: [{ ...cancelled, evidence: 'Key informants and district records: no accidents, no finds; farmed every season since 1999.' }],
    });
    expect(report.status, report.text).toBe(201);
    expect(report.body).toMatchObject({ status: 'SUBMITTED', requiredQaCountries: ['KH'], outcome: 'CANCELLED' });
    ids.ntsReport = report.body.id;

    const thai = await call('POST', `/v1/cleared-areas/${report.body.id}/qa`, t.qaTH!, { decision: 'ACCEPTED' }, { 'if-match': report.etag! });
    expect([403, 404], thai.text).toContain(thai.status);
    expect((await call('GET', `/v1/cleared-areas/${report.body.id}`, t.observer!)).body).toMatchObject({ status: 'SUBMITTED', qaDecisions: [] });

    const before = (await hazard(ids.m!)).body;
    const accepted = await call('POST', `/v1/cleared-areas/${report.body.id}/qa`, t.qaKH!, { decision: 'ACCEPTED' }, { 'if-match': report.etag! });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body).toMatchObject({ status: 'QA_ACCEPTED', qaDecisions: [{ country: 'KH', decision: 'ACCEPTED' }] });
    const after = (await hazard(ids.m!)).body;
    const partSqm = report.body.parts[0].areaSqm as number;
    expect(partSqm).toBeGreaterThan(250_000); // 0.005° × 0.005° ≈ 538 m × 556 m
    expect(after.remainingSqm).toBeLessThan(before.remainingSqm);
    expect(Math.abs(after.remainingSqm - (before.remainingSqm - partSqm))).toBeLessThanOrEqual(2);
    expect(after.releasedSqm).toBe(partSqm);
    expect(after.status).toBe('WORKED_ON');
    // The notch lies 1 km and more from both households: neither changes.
    expect(await safetyOf(ids.west!)).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [ids.m] });
    expect(await safetyOf(ids.east!)).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [ids.m] });
  });

  it('shrinks the remaining land by a clearance report of two parts, and turns SAFE only the household near released land', async () => {
    const task = await runTask(t.opsKH!, { hazardAreaId: ids.m, activityType: 'CLEARANCE' });
    const report = await call('POST', '/v1/cleared-areas', t.deminerKH!, {
      taskId: task.id,
      completedAt: today(),
      parts: [
        { outcome: 'CLEARED', method: 'MANUAL', depthCm: 13, geometry: CLEARED_PART },
        { outcome: 'REDUCED', method: 'MANUAL', geometry: REDUCED_PART },
      ],
    });
    expect(report.status, report.text).toBe(201);
    expect(report.body.parts.map((p: Json) => p.outcome)).toEqual(['CLEARED', 'REDUCED']);
    expect(report.body.geometry.type).toBe('MultiPolygon');
    expect(report.body.areaSqm).toBe(report.body.parts[0].areaSqm + report.body.parts[1].areaSqm);
    // Until QA accepts, the land is only awaiting QA: the households stay AT_RISK.
    expect(await safetyOf(ids.west!)).toMatchObject({ status: 'AT_RISK' });

    const before = (await hazard(ids.m!)).body;
    const accepted = await call('POST', `/v1/cleared-areas/${report.body.id}/qa`, t.qaKH!, { decision: 'ACCEPTED' }, { 'if-match': report.etag! });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body.status).toBe('QA_ACCEPTED');

    const after = (await hazard(ids.m!)).body;
    expect(Math.abs(after.remainingSqm - (before.remainingSqm - report.body.areaSqm))).toBeLessThanOrEqual(2);
    expect(after.remainingGeometry).toBeTruthy();
    expect(booleanPointInPolygon([103.5025, 14.405], after.remainingGeometry)).toBe(false);
    expect(booleanPointInPolygon([103.5075, 14.405], after.remainingGeometry)).toBe(false);
    expect(booleanPointInPolygon([103.5175, 14.4025], after.remainingGeometry)).toBe(false);
    expect(booleanPointInPolygon([103.525, 14.405], after.remainingGeometry)).toBe(true);

    const geo = await call('GET', `/v1/hazard-areas/${ids.m}`, t.observer!, undefined, { accept: 'application/geo+json' });
    expect(geo.status).toBe(200);
    expect(geo.type).toMatch(/application\/geo\+json/);
    expect(geo.body.type).toBe('FeatureCollection');
    const features = geo.body.features as Json[];
    const kinds = (k: string) => features.filter((f) => f.properties.kind === k);
    expect(kinds('original')).toHaveLength(1);
    expect(kinds('original')[0]!.geometry).toEqual(M);
    expect(kinds('remaining')).toHaveLength(1);
    expect(kinds('remaining')[0]!.geometry).toEqual(after.remainingGeometry);
    const released = kinds('released').filter((f) => f.properties.clearedAreaId === report.body.id);
    expect(released.map((f) => [f.properties.part, f.properties.outcome, f.properties.method])).toEqual([
      [0, 'CLEARED', 'MANUAL'],
      [1, 'REDUCED', 'MANUAL'],
    ]);
    expect(released.map((f) => f.geometry)).toEqual([CLEARED_PART, REDUCED_PART]);
    expect(released.map((f) => f.properties.areaSqm)).toEqual(report.body.parts.map((p: Json) => p.areaSqm));
    expect(
      kinds('released')
        .filter((f) => f.properties.clearedAreaId === ids.ntsReport)
        .map((f) => f.properties.outcome),
    ).toEqual(['CANCELLED']);

    // West: 300 m from released land, 1,378 m from what remains. East: 300 m from remaining land.
    expect(await safetyBecomes(ids.west!, 'SAFE')).toMatchObject({ status: 'SAFE', hazardAreaIds: [] });
    expect(await safetyOf(ids.east!)).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [ids.m] });
    const atRisk = await call('GET', `/v1/hazard-areas/${ids.m}/households-at-risk`, t.reliefKH!);
    expect(atRisk.body.items.map((h: Json) => h.id)).toEqual([ids.east]);

    // Land of this area was released: it can no longer be withdrawn.
    const withdraw = await call(
      'POST',
      `/v1/hazard-areas/${ids.m}/transitions`,
      t.opsKH!,
      { to: 'WITHDRAWN', reason: 'recorded twice' },
      { 'if-match': (await hazard(ids.m!)).etag! },
    );
    expect(withdraw.status, withdraw.text).toBe(409);
  });

  it('keeps a joint report SUBMITTED on KH QA alone, accepts it when TH QA follows with the If-Match it read before, and hands it over only after an observer attests', async () => {
    const j = await call('POST', '/v1/hazard-areas', t.opsTH!, hazardBody('TH', J, 'Hill 481 north slope'));
    expect(j.status, j.text).toBe(201);
    ids.j = j.body.id;
    const task = await runTask(t.opsTH!, { hazardAreaId: ids.j, activityType: 'CLEARANCE', joint: true, teamIds: [ids.khTeam, ids.thTeam] });
    ids.jointTask = task.id;
    const report = await call('POST', '/v1/cleared-areas', t.deminerKH!, {
      taskId: task.id,
      completedAt: today(),
      outcome: 'CLEARED',
      method: 'MANUAL',
      depthCm: 13,
      geometry: rect(105.0, 14.35, 105.005, 14.36),
    });
    expect(report.status, report.text).toBe(201);
    expect(report.body).toMatchObject({ requiredQaCountries: ['KH', 'TH'], attestationRequired: true });
    const readByTH = (await call('GET', `/v1/cleared-areas/${report.body.id}`, t.qaTH!)).etag!;

    const kh = await call('POST', `/v1/cleared-areas/${report.body.id}/qa`, t.qaKH!, { decision: 'ACCEPTED' }, { 'if-match': report.etag! });
    expect(kh.status, kh.text).toBe(200);
    expect(kh.body).toMatchObject({ status: 'SUBMITTED', qaDecisions: [{ country: 'KH', decision: 'ACCEPTED' }] });
    expect(kh.body.qa).toBeUndefined();
    expect((await hazard(ids.j!)).body.releasedSqm ?? 0).toBe(0);

    const th = await call('POST', `/v1/cleared-areas/${report.body.id}/qa`, t.qaTH!, { decision: 'ACCEPTED' }, { 'if-match': readByTH });
    expect(th.status, th.text).toBe(200);
    expect(th.body.status).toBe('QA_ACCEPTED');
    expect(th.body.qaDecisions.map((d: Json) => [d.country, d.decision])).toEqual([
      ['KH', 'ACCEPTED'],
      ['TH', 'ACCEPTED'],
    ]);
    expect(th.body.qa).toMatchObject({ decision: 'ACCEPTED' });
    expect((await hazard(ids.j!)).body.releasedSqm).toBe(report.body.areaSqm);

    const refused = await call('POST', `/v1/cleared-areas/${report.body.id}/handover`, t.opsTH!, handoverBody('TMAC-HO-2026-0101'), { 'if-match': th.etag! });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.detail).toMatch(/observer/);
    expect((await call('GET', `/v1/cleared-areas/${report.body.id}`, t.observer!)).body).toMatchObject({ status: 'QA_ACCEPTED', version: th.body.version });

    const attested = await call(
      'POST',
      `/v1/cleared-areas/${report.body.id}/attestation`,
      t.observer!,
      { decision: 'ATTESTED', findings: 'Joint teams present throughout; marking in place; procedures followed.' },
      { 'if-match': th.etag! },
    );
    expect(attested.status, attested.text).toBe(200);
    expect(attested.body.attestation).toMatchObject({ decision: 'ATTESTED', attestedBy: { role: 'observer' } });

    const handed = await call('POST', `/v1/cleared-areas/${report.body.id}/handover`, t.opsTH!, handoverBody('TMAC-HO-2026-0101'), {
      'if-match': attested.etag!,
    });
    expect(handed.status, handed.text).toBe(200);
    expect(handed.body.status).toBe('HANDED_OVER');
    expect(handed.body.handover.attestation).toEqual({
      decision: 'ATTESTED',
      attestedAt: attested.body.attestation.attestedAt,
      attestedBy: attested.body.attestation.attestedBy,
    });
  });

  it('lets an observer record and list observations and nothing else (403)', async () => {
    expect(ids.jointTask, 'the joint task must exist').toBeTruthy();
    const task = await call('GET', `/v1/tasks/${ids.jointTask}`, t.observer!);
    const refused = [
      await call('POST', '/v1/tasks', t.observer!, {
        hazardAreaId: ids.m,
        activityType: 'CLEARANCE',
        priority: 1,
        plannedStart: '2026-01-10',
        plannedEnd: '2026-02-10',
        teamIds: [ids.khTeam],
      }),
      await call('POST', `/v1/tasks/${ids.jointTask}/transitions`, t.observer!, { to: 'CANCELLED', reason: 'observer' }, { 'if-match': task.etag! }),
      await call('POST', '/v1/hazard-areas', t.observer!, hazardBody('KH', rect(103.8, 14.4, 103.801, 14.401), 'Observer area')),
      await call('POST', `/v1/cleared-areas/${ids.ntsReport}/qa`, t.observer!, { decision: 'ACCEPTED' }, { 'if-match': '"2"' }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403]);
    expect((await call('GET', `/v1/tasks/${ids.jointTask}`, t.observer!)).etag).toBe(task.etag);

    const observation = {
      observedAt: new Date().toISOString(),
      point: { type: 'Point', coordinates: [105.002, 14.355] },
      findings: 'Both national teams on site; lanes marked.',
      compliance: { jointTeamPresent: true, markingInPlace: true, proceduresFollowed: true },
    };
    const recorded = await call('POST', `/v1/tasks/${ids.jointTask}/observations`, t.observer!, observation);
    expect(recorded.status, recorded.text).toBe(201);
    const listed = await call('GET', `/v1/tasks/${ids.jointTask}/observations`, t.observer!);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        id: recorded.body.id,
        taskId: ids.jointTask,
        findings: observation.findings,
        compliance: observation.compliance,
        recordedBy: expect.objectContaining({ role: 'observer' }),
      }),
    ]);
  });

  it('refuses 10,000,000 m² of progress on a small area (400) and records nothing', async () => {
    const w = await call('POST', '/v1/hazard-areas', t.opsKH!, hazardBody('KH', W, 'O Smach ridge (recorded twice)'));
    expect(w.status, w.text).toBe(201);
    ids.w = w.body.id;
    expect(w.body.areaSqm).toBeLessThan(60_000);
    const task = await runTask(t.opsKH!, { hazardAreaId: ids.w, activityType: 'CLEARANCE' }, 'IN_PROGRESS');
    ids.wTask = task.id;
    const r = await call('POST', `/v1/tasks/${task.id}/progress`, t.deminerKH!, { reportDate: today(), areaClearedSqm: 10_000_000 });
    expect(r.status, r.text).toBe(400);
    expect(r.body.errors.map((e: Json) => e.path)).toEqual(['body.areaClearedSqm']);
    const after = await call('GET', `/v1/tasks/${task.id}`, t.observer!);
    expect(after.body).toMatchObject({ areaClearedSqm: 0, progressReports: 0 });
    expect(after.etag).toBe(task.etag);
  });

  it('withdraws an area recorded twice: its open tasks are cancelled and its AT_RISK household turns SAFE', async () => {
    expect(ids.w, 'the small area must exist').toBeTruthy();
    const planned = await runTask(t.opsKH!, { hazardAreaId: ids.w, activityType: 'NTS' }, 'PLANNED');
    const home = await call('POST', '/v1/households', t.reliefKH!, household(NORTH_OF_W));
    expect(home.status, home.text).toBe(201);
    expect(home.body.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [ids.w] });

    const before = await hazard(ids.w!);
    const withdrawn = await call(
      'POST',
      `/v1/hazard-areas/${ids.w}/transitions`,
      t.opsKH!,
      { to: 'WITHDRAWN', reason: 'recorded twice: same as the O Smach ridge record' },
      { 'if-match': before.etag! },
    );
    expect(withdrawn.status, withdrawn.text).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'WITHDRAWN', withdrawn: { reason: 'recorded twice: same as the O Smach ridge record' } });
    for (const id of [ids.wTask!, planned.id]) {
      const task = await call('GET', `/v1/tasks/${id}`, t.observer!);
      expect(task.body, id).toMatchObject({ status: 'CANCELLED', statusReason: 'recorded twice: same as the O Smach ridge record' });
    }
    expect(await safetyBecomes(home.body.id, 'SAFE')).toMatchObject({ status: 'SAFE', hazardAreaIds: [] });
    // The other areas' households are untouched.
    expect(await safetyOf(ids.east!)).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [ids.m] });
  });
});
