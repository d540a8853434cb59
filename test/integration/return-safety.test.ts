import ngeohash from 'ngeohash';
import { beforeAll, describe, expect, it } from 'vitest';
import { app as clearedApp } from '../../functions/cleared-areas/app.ts';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as sitesApp } from '../../functions/sites/app.ts';
import { app as notificationsApp } from '../../functions/notifications/app.ts';
import { app as tasksApp } from '../../functions/tasks/app.ts';
import { recomputeForHazardArea } from '../../shared/db/repositories/return-safety.ts';
import { newId } from '../../shared/domain/ids.ts';
import type { ClearedArea } from '../../shared/domain/cleared-area.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { Household, HouseholdSummary } from '../../shared/domain/household.ts';
import { cellOfPoint, hazardCells, MAX_HAZARD_CELLS, SAFETY_CELL_PRECISION } from '../../shared/domain/return-safety.ts';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { hazardCellPartition } from '../../shared/db/keys/geo.ts';
import type { Task } from '../../shared/domain/task.ts';
import type { Team } from '../../shared/domain/team.ts';
import { EventType, type EventEnvelope } from '../../shared/events/catalogue.ts';
import { createHazard, createTask, createTeam, hazardBody, json, recordHazard, square, transition } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

type PageOf<T> = { items: T[]; next: string | null };
type AnyApp = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

async function call<T>(app: AnyApp, method: string, path: string, headers: Record<string, string>, body?: unknown, extra: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as T };
}

// Metres per degree on turf's sphere.
const M_PER_DEG = (Math.PI * 6_371_008.8) / 180;
/** A point `metres` east of the east edge of `square(lon, lat, size)`, at mid-height. */
const eastOf = (lon: number, lat: number, size: number, metres: number): [number, number] => [
  lon + size + metres / (M_PER_DEG * Math.cos(((lat + size / 2) * Math.PI) / 180)),
  lat + size / 2,
];

const GIVEN = 'Sreymom';
const FAMILY = 'Sovannarith';
const khHousehold = (point?: [number, number]) => ({
  origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22', village: 'O Smach', ...(point ? { point: { type: 'Point', coordinates: point } } : {}) },
  members: [{ givenName: GIVEN, familyName: FAMILY, sex: 'F', birthYear: 1986, relationship: 'HEAD', specificNeeds: ['SP-PT'] }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});
const thHousehold = (point: [number, number]) => ({
  origin: { province: 'TH34' },
  current: { province: 'TH33', site: 'Temple shelter 12' },
  destination: { province: 'TH34', point: { type: 'Point', coordinates: point } },
  members: [{ givenName: 'Somchai', familyName: 'Boonmee', sex: 'M', birthYear: 1979, relationship: 'HEAD' }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});

let opsKH: Record<string, string>;
let opsTH: Record<string, string>;
let qaKH: Record<string, string>;
let reliefKH: Record<string, string>;
let reliefKHOther: Record<string, string>;
let reliefTH: Record<string, string>;
let ministryKH: Record<string, string>;
let ministryTH: Record<string, string>;
let admin: Record<string, string>;
let observer: Record<string, string>;
let khTeam: Team;
let deminerKH: Record<string, string>;

async function register(headers: Record<string, string>, body: unknown): Promise<Household> {
  const r = await call<Household>(householdsApp, 'POST', '/v1/households', headers, body);
  if (r.status !== 201) throw new Error(`household: ${r.status} ${r.text}`);
  return r.body;
}

const readHousehold = async (id: string) => (await call<Household>(householdsApp, 'GET', `/v1/households/${id}`, admin)).body;

const atRisk = (hazardId: string, headers: Record<string, string>) =>
  call<PageOf<HouseholdSummary> & { status?: number }>(tasksApp, 'GET', `/v1/hazard-areas/${hazardId}/households-at-risk`, headers);

async function feed(headers: Record<string, string>): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: PageOf<EventEnvelope> } = await call<PageOf<EventEnvelope>>(
      notificationsApp,
      'GET',
      `/v1/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers,
    );
    expect(r.status).toBe(200);
    events.push(...r.body.items);
    cursor = r.body.next;
  } while (cursor);
  return events;
}

const safetyEvents = async (headers: Record<string, string>, householdId: string) =>
  (await feed(headers)).filter((e) => e.type === EventType.ReturnSafetyChanged && e.subject.id === householdId);

const khHazard = (lon: number, lat: number, size = 0.01) => createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: square(lon, lat, size) });

beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  opsTH = await bearer({ role: 'operations', country: 'TH' });
  qaKH = await bearer({ role: 'qa', country: 'KH' });
  reliefKH = await bearer({ role: 'relief', country: 'KH', org: 'CARE' });
  reliefKHOther = await bearer({ role: 'relief', country: 'KH', org: 'CAREX' });
  reliefTH = await bearer({ role: 'relief', country: 'TH', org: 'CARE' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoI-KH' });
  ministryTH = await bearer({ role: 'ministry', country: 'TH', org: 'MoI-TH' });
  admin = await bearer({ role: 'admin' });
  observer = await bearer({ role: 'observer' });
  khTeam = await createTeam(opsKH, 'KH');
  deminerKH = await bearer({ role: 'deminer', country: 'KH', team: khTeam.id });
});

describe('return safety at registration', () => {
  it('is AT_RISK inside or 400 m from an OPEN hazard area, SAFE 600 m away, UNKNOWN without a point', async () => {
    const hazard = await khHazard(103.5, 14.4);
    const inside = await register(reliefKH, khHousehold([103.505, 14.405]));
    expect(inside.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    const near = await register(reliefKH, khHousehold(eastOf(103.5, 14.4, 0.01, 400)));
    expect(near.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    const away = await register(reliefKH, khHousehold(eastOf(103.5, 14.4, 0.01, 600)));
    expect(away.returnSafety).toMatchObject({ status: 'SAFE', hazardAreaIds: [] });
    const unknown = await register(reliefKH, khHousehold());
    expect(unknown.returnSafety).toMatchObject({ status: 'UNKNOWN', hazardAreaIds: [] });

    const listed = await atRisk(hazard.id, admin);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((h) => h.id).sort()).toEqual([inside.id, near.id].sort());
  });

  it('finds an area across a cell edge of the spatial index', async () => {
    // The area starts 100 m east of a cell's west edge; the destination is 300 m west of that edge, in the next cell.
    const [, edge] = ngeohash.decode_bbox(ngeohash.encode(14.8, 103.5, SAFETY_CELL_PRECISION));
    const mPerDegLon = M_PER_DEG * Math.cos((14.8 * Math.PI) / 180);
    const hazard = await createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: square(edge + 100 / mPerDegLon, 14.8, 0.004) });
    const point: [number, number] = [edge - 300 / mPerDegLon, 14.802];
    expect(cellOfPoint({ type: 'Point', coordinates: point })).not.toBe(ngeohash.encode(14.8, edge + 100 / mPerDegLon, SAFETY_CELL_PRECISION));
    const household = await register(reliefKH, khHousehold(point));
    expect(household.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
  });

  it('refuses a hazard area too large for the index with a 400 naming the geometry, and records nothing', async () => {
    const r = await call<{ errors: { path: string }[] }>(
      tasksApp,
      'POST',
      '/v1/hazard-areas',
      opsKH,
      hazardBody({ country: 'KH', province: 'KH22', geometry: square(102.8, 13.0, 0.5) }),
    );
    expect(r.status, r.text).toBe(400);
    expect(r.body.errors.map((e) => e.path)).toEqual(['body.geometry']);
    const listed = await call<PageOf<HazardArea>>(tasksApp, 'GET', '/v1/hazard-areas?country=KH&limit=100', opsKH);
    expect(listed.body.items.some((h) => h.geometry.type === 'Polygon' && h.geometry.coordinates[0]![0]![0] === 102.8)).toBe(false);
  });

  it('lists the households at risk from an area to the people allowed to see them, without personal data', async () => {
    const hazard = await khHazard(103.3, 14.2);
    const mine = await register(reliefKH, khHousehold([103.305, 14.205]));
    const theirs = await register(reliefKHOther, khHousehold([103.306, 14.206]));
    // A Thai household beside a Thai area: another country's scope entirely.
    const thHazard = await createHazard(opsTH, { geometry: square(105.3, 14.6) });
    const thai = await register(reliefTH, thHousehold([105.305, 14.605]));
    expect(thai.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [thHazard.id] });

    const ids = async (h: Record<string, string>, area = hazard.id) => {
      const r = await atRisk(area, h);
      expect(r.status, r.text).toBe(200);
      return r.body.items.map((i) => i.id).sort();
    };
    expect(await ids(reliefKH)).toEqual([mine.id]);
    expect(await ids(reliefKHOther)).toEqual([theirs.id]);
    expect(await ids(ministryKH)).toEqual([mine.id, theirs.id].sort());
    expect(await ids(admin)).toEqual([mine.id, theirs.id].sort());
    expect(await ids(ministryTH)).toEqual([]);
    expect(await ids(reliefTH)).toEqual([]);
    expect(await ids(ministryTH, thHazard.id)).toEqual([thai.id]);
    expect(await ids(ministryKH, thHazard.id)).toEqual([]);

    for (const h of [observer, opsKH]) expect((await atRisk(hazard.id, h)).status).toBe(403);
    expect((await atRisk('01JZZZZZZZZZZZZZZZZZZZZZZZ', admin)).status).toBe(404);

    const page = await atRisk(hazard.id, ministryKH);
    expect(page.body.items[0]).toMatchObject({
      country: 'KH',
      status: 'DISPLACED',
      originProvince: 'KH22',
      memberCount: 1,
      returnSafety: { status: 'AT_RISK', hazardAreaIds: [hazard.id] },
    });
    expect(page.text).not.toContain(GIVEN);
    expect(page.text).not.toContain(FAMILY);
    expect(page.text).not.toContain('members');
  });

  it('pages through the households at risk', async () => {
    const hazard = await khHazard(103.1, 14.0);
    const registered = [];
    for (let i = 0; i < 5; i++) registered.push((await register(reliefKH, khHousehold([103.101 + i * 0.001, 14.005]))).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: PageOf<HouseholdSummary> } = await call<PageOf<HouseholdSummary>>(
        tasksApp,
        'GET',
        `/v1/hazard-areas/${hazard.id}/households-at-risk?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        ministryKH,
      );
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.items.map((h) => h.id));
      cursor = r.body.next;
    } while (cursor);
    expect(seen.sort()).toEqual(registered.sort());
  });
});

describe('return safety recomputed when hazard areas change', () => {
  it('makes a SAFE household AT_RISK when an area is recorded beside it, with a ReturnSafetyChanged event to its country only', async () => {
    const point = eastOf(103.7, 14.6, 0.01, 300);
    const household = await register(reliefKH, khHousehold(point));
    expect(household.returnSafety.status).toBe('SAFE');

    const hazard = await khHazard(103.7, 14.6);
    const after = await readHousehold(household.id);
    expect(after.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    expect(after.version).toBe(household.version + 1);
    expect((await atRisk(hazard.id, reliefKH)).body.items.map((h) => h.id)).toEqual([household.id]);

    const events = await safetyEvents(ministryKH, household.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      audience: ['KH'],
      subject: { type: 'Household', id: household.id },
      actor: { role: 'operations' },
      data: {
        householdId: household.id,
        country: 'KH',
        province: 'KH22',
        org: 'CARE',
        from: 'SAFE',
        to: 'AT_RISK',
        hazardAreaIds: [hazard.id],
        cause: { hazardAreaId: hazard.id },
      },
    });
    expect(JSON.stringify(events[0])).not.toContain(GIVEN);
    expect(JSON.stringify(events[0])).not.toContain(FAMILY);
    expect(await safetyEvents(ministryTH, household.id)).toEqual([]);

    // Idempotent: running it again changes nothing and emits nothing.
    expect(await recomputeForHazardArea(hazard.id, { sub: 'x', role: 'admin', org: 'Clearway' })).toMatchObject({ changed: 0 });
    expect(await safetyEvents(ministryKH, household.id)).toHaveLength(1);
  });

  it('leaves a household 600 m from a new area SAFE and unchanged', async () => {
    const household = await register(reliefKH, khHousehold(eastOf(103.9, 14.6, 0.01, 600)));
    await khHazard(103.9, 14.6);
    const after = await readHousehold(household.id);
    expect(after.returnSafety.status).toBe('SAFE');
    expect(after.version).toBe(household.version);
  });

  it('moves a corrected polygon of 64 cells to 64 others (more than one transaction holds): the households near each reassessed, the index only the new cells', async () => {
    const before = square(102.6, 12.0, 0.3);
    const after = square(103.0, 12.0, 0.3);
    expect(hazardCells(before)).toHaveLength(MAX_HAZARD_CELLS);
    expect(hazardCells(after).filter((c) => hazardCells(before).includes(c))).toEqual([]);
    const left = await register(reliefKH, khHousehold([102.75, 12.15]));
    const reached = await register(reliefKH, khHousehold([103.15, 12.15]));
    const hazard = await khHazard(102.6, 12.0, 0.3);
    expect((await readHousehold(left.id)).returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    expect((await readHousehold(reached.id)).returnSafety.status).toBe('SAFE');

    const r = await call<HazardArea>(tasksApp, 'PATCH', `/v1/hazard-areas/${hazard.id}`, opsKH, { geometry: after }, { 'if-match': `"${hazard.version}"` });
    expect(r.status, r.text).toBe(200);
    expect(r.body.geometry).toEqual(after);
    expect((await readHousehold(left.id)).returnSafety.status).toBe('SAFE');
    expect((await readHousehold(reached.id)).returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    // The index: the area under each of its new cells, under none of the old.
    const cellsOf = async (cells: string[]) => {
      const found: string[] = [];
      for (const cell of cells) {
        const out = await documentClient.send(
          new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': hazardCellPartition(cell) } }),
        );
        if ((out.Items ?? []).some((i) => i.hazardAreaId === hazard.id)) found.push(cell);
      }
      return found;
    };
    expect(await cellsOf(hazardCells(after))).toEqual(hazardCells(after));
    expect(await cellsOf(hazardCells(before))).toEqual([]);
  });

  it('keeps a household AT_RISK from the areas still open when one of two is withdrawn', async () => {
    const west = await khHazard(104.1, 14.6);
    const east = await khHazard(104.1 + 0.01 + 0.004, 14.6); // ~430 m gap between the two areas
    const household = await register(reliefKH, khHousehold(eastOf(104.1, 14.6, 0.01, 200)));
    expect(household.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [west.id, east.id].sort() });

    const closed = await call<HazardArea>(
      tasksApp,
      'POST',
      `/v1/hazard-areas/${west.id}/transitions`,
      opsKH,
      { to: 'WITHDRAWN', reason: 'recorded in error: the survey was of another village' },
      { 'if-match': '"1"' },
    );
    expect(closed.status, closed.text).toBe(200);
    const after = await readHousehold(household.id);
    expect(after.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [east.id] });
    expect((await atRisk(west.id, admin)).body.items).toEqual([]);
    expect((await atRisk(east.id, admin)).body.items.map((h) => h.id)).toEqual([household.id]);
  });

  it('makes a household SAFE when its hazard area is released and handed over (task → cleared area → QA → handover)', async () => {
    const hazard = await khHazard(104.3, 14.6);
    const household = await register(reliefKH, khHousehold([104.305, 14.605]));
    expect(household.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });

    const task = await createTask(opsKH, { hazardAreaId: hazard.id, joint: false, teamIds: [khTeam.id] });
    expect((await transition(opsKH, task, 1, 'ASSIGNED')).status).toBe(200);
    expect((await transition(opsKH, task, 2, 'IN_PROGRESS')).status).toBe(200);
    expect((await readHousehold(household.id)).returnSafety.status).toBe('AT_RISK'); // WORKED_ON is still hazardous
    const done = await transition(opsKH, task, 3, 'COMPLETED');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const report = await call<ClearedArea>(clearedApp, 'POST', '/v1/cleared-areas', deminerKH, {
      taskId: (done.body as Task).id,
      outcome: 'CLEARED',
      method: 'MANUAL',
      depthCm: 13,
      completedAt: '2026-02-01',
      geometry: hazard.geometry,
    });
    expect(report.status, report.text).toBe(201);
    const accepted = await call<ClearedArea>(
      clearedApp,
      'POST',
      `/v1/cleared-areas/${report.body.id}/qa`,
      qaKH,
      { decision: 'ACCEPTED', nonconformities: [] },
      { 'if-match': '"1"' },
    );
    expect(accepted.status, accepted.text).toBe(200);
    const handed = await call<ClearedArea>(
      clearedApp,
      'POST',
      `/v1/cleared-areas/${report.body.id}/handover`,
      opsKH,
      {
        certificateRef: 'CMAA-HO-2026-0042',
        date: '2026-02-20',
        receivedBy: { type: 'COMMUNITY', name: 'O Smach village committee' },
        signatories: [
          { name: 'H.E. Ly T.', role: 'NATIONAL_AUTHORITY', organisation: 'CMAA' },
          { name: 'Team leader Dara K.', role: 'OPERATOR', organisation: 'CMAC' },
          { name: 'Village chief Sok P.', role: 'COMMUNITY', organisation: 'O Smach' },
        ],
        residualRisk: 'Cleared to 13 cm; deeper legacy items cannot be excluded.',
      },
      { 'if-match': '"2"' },
    );
    expect(handed.status, handed.text).toBe(200);
    expect((await call<HazardArea>(tasksApp, 'GET', `/v1/hazard-areas/${hazard.id}`, observer)).body.status).toBe('HANDED_OVER');

    const after = await readHousehold(household.id);
    expect(after.returnSafety).toMatchObject({ status: 'SAFE', hazardAreaIds: [] });
    expect((await atRisk(hazard.id, admin)).body.items).toEqual([]);
    const events = await safetyEvents(ministryKH, household.id);
    expect(
      events.map((e) => {
        const d = e.data as { from: string; to: string };
        return [d.from, d.to];
      }),
    ).toEqual([['AT_RISK', 'SAFE']]);
  });

  it('keeps the displacement statistics of return safety equal to a recount of the households', async () => {
    const households: HouseholdSummary[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: PageOf<HouseholdSummary> } = await call<PageOf<HouseholdSummary>>(
        householdsApp,
        'GET',
        `/v1/households?province=KH22&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        ministryKH,
      );
      expect(r.status).toBe(200);
      households.push(...r.body.items);
      cursor = r.body.next;
    } while (cursor);
    const recount = { SAFE: 0, AT_RISK: 0, UNKNOWN: 0 };
    for (const h of households) recount[h.returnSafety.status]++;
    expect(recount.AT_RISK).toBeGreaterThan(0);
    expect(recount.SAFE).toBeGreaterThan(0);
    const stats = await call<{ returnSafety: { households: Record<string, number> } }>(
      sitesApp,
      'GET',
      '/v1/stats/displacement?country=KH&province=KH22',
      ministryKH,
    );
    expect(stats.status, stats.text).toBe(200);
    expect(stats.body.returnSafety.households).toMatchObject(recount);
  });
});

describe('POST /v1/hazard-areas/{id}/return-safety-checks', () => {
  it('repairs households a failed recomputation left behind, once, and is refused to other roles and the other country', async () => {
    const point = eastOf(104.6, 14.9, 0.01, 200);
    const household = await register(reliefKH, khHousehold(point));
    expect(household.returnSafety.status).toBe('SAFE');
    // An area committed whose recomputation never ran (the process died right after the commit).
    const hazard = await recordHazard(104.6, 14.9, 'HA-KH-2026-REPAIR');
    expect((await readHousehold(household.id)).returnSafety.status).toBe('SAFE');

    const path = `/v1/hazard-areas/${hazard.id}/return-safety-checks`;
    expect((await call(tasksApp, 'POST', path, deminerKH)).status).toBe(403);
    expect((await call(tasksApp, 'POST', path, opsTH)).status).toBe(403);
    expect((await call(tasksApp, 'POST', `/v1/hazard-areas/${newId()}/return-safety-checks`, opsKH)).status).toBe(404);
    expect((await readHousehold(household.id)).returnSafety.status).toBe('SAFE');

    const first = await call<{ hazardAreaId: string; cells: number; candidates: number | null; changed: number | null; suppressed: string[] }>(
      tasksApp,
      'POST',
      path,
      opsKH,
    );
    expect(first.status, first.text).toBe(200);
    // Operations read no household: one household near the area is a small cell for them.
    expect(first.body).toMatchObject({ hazardAreaId: hazard.id, candidates: null, changed: null, suppressed: ['candidates', 'changed'] });
    expect(first.body.cells).toBeGreaterThan(0);
    expect((await readHousehold(household.id)).returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    expect((await atRisk(hazard.id, reliefKH)).body.items.map((h) => h.id)).toEqual([household.id]);

    const again = await call<{ changed: number }>(tasksApp, 'POST', path, admin);
    expect(again.body).toMatchObject({ candidates: 0, changed: 0, suppressed: [] });
    expect((await safetyEvents(ministryKH, household.id)).map((e) => (e.data as { to: string }).to)).toEqual(['AT_RISK']);
  });
});
