import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as mineApp } from '../../functions/mine-action/app.ts';
import { app as tasksApp } from '../../functions/tasks/app.ts';
import { app as reportsApp } from '../../functions/reports/app.ts';
import { backfillPriorities, PRIORITIES_BACKFILL_MARKER } from '../../infra/local/priorities-backfill.ts';
import { documentClient, tableName } from '#shared/db/client.ts';
import { monthOf, recountMonthly } from '../../shared/domain/monthly.ts';
import { casualtyCounters, casualtyView, type Accident } from '../../shared/domain/accident.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { Household, HouseholdSummary } from '../../shared/domain/household.ts';
import { ACCIDENT_WEIGHT, DEMAND_WEIGHTS } from '../../shared/domain/priorities.ts';
import { EventType, type EventEnvelope } from '../../shared/events/catalogue.ts';
import { hazardBody, json, scanTable, square } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Accidents, risk education and clearance priorities against DynamoDB Local through the apps:
 * an accident's suspected area makes a household near it AT_RISK at once, victims' names stay
 * with those who may read them, the casualty statistics equal a recount of the stored accidents,
 * and the priorities follow household and accident changes within the request that makes them.
 */
type AnyApp = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };
type H = Record<string, string>;

async function call<T = Record<string, unknown>>(app: AnyApp, method: string, path: string, headers: H, body?: unknown, extra: H = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, etag: res.headers.get('etag'), text, body: (text && isJson ? JSON.parse(text) : undefined) as T };
}

// Metres per degree of latitude, and of longitude at 14.4° N (turf's sphere).
const M_LAT = (Math.PI * 6_371_008.8) / 180;
const M_LON = M_LAT * Math.cos((14.4 * Math.PI) / 180);

const household = (point: [number, number], members = 1, province = 'KH22') => ({
  origin: { province },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province, point: { type: 'Point', coordinates: point } },
  members: Array.from({ length: members }, (_, i) => ({
    givenName: `Dara${i}`,
    familyName: 'Keo',
    sex: i % 2 ? 'M' : 'F',
    birthYear: 1980 + i,
    relationship: i === 0 ? 'HEAD' : 'CHILD',
  })),
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE', 'REGISTRATION'] },
});

const VICTIM_NAME = 'Chanthou Vong';
const VICTIM_PHONE = '+855 97 111 2222';
const accidentBody = (point: [number, number], extra: Record<string, unknown> = {}) => ({
  country: 'KH',
  occurredAt: new Date().toISOString().slice(0, 10),
  point: { type: 'Point', coordinates: point },
  province: 'KH22',
  device: { category: 'AP_MINE', model: 'PMN-2' },
  activityAtTime: 'COLLECTING_FOOD_OR_WOOD',
  source: 'CMAC field report',
  victims: [
    {
      sex: 'F',
      age: 34,
      outcome: 'INJURED',
      victimType: 'CIVILIAN',
      nationality: 'KH',
      name: VICTIM_NAME,
      contact: VICTIM_PHONE,
      injuries: ['AMPUTATION_LOWER_LIMB'],
    },
    { sex: 'M', ageBand: '12-17', outcome: 'KILLED', victimType: 'CIVILIAN', nationality: 'KH' },
  ],
  ...extra,
});

let opsKH: H, opsTH: H, ministryKH: H, ministryTH: H, observer: H, reliefKH: H, admin: H;

beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH', org: 'CMAC' });
  opsTH = await bearer({ role: 'operations', country: 'TH', org: 'TMAC' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoI-KH' });
  ministryTH = await bearer({ role: 'ministry', country: 'TH', org: 'MoI-TH' });
  observer = await bearer({ role: 'observer', org: 'AOT' });
  reliefKH = await bearer({ role: 'relief', country: 'KH', org: 'DRC' });
  admin = await bearer({ role: 'admin', org: 'platform' });
});

async function events(type: string): Promise<EventEnvelope[]> {
  return (await scanTable()).filter((i) => i.entity === 'OutboxEvent' && i.type === type).map((i) => i.event as EventEnvelope);
}

describe('accidents', () => {
  const origin: [number, number] = [103.6, 14.5];
  // The household's destination is 200 m east of the accident; the suspected area's edge 100 m from it.
  const destination: [number, number] = [origin[0] + 200 / M_LON, origin[1]];
  let accident: Accident;
  let registered: Household;

  it('records a suspected hazard area around the point in the same request, which turns a household 200 m away AT_RISK with a ReturnSafetyChanged event', async () => {
    const r = await call<Household>(householdsApp, 'POST', '/v1/households', reliefKH, household(destination, 3));
    expect(r.status).toBe(201);
    expect(r.body.returnSafety.status).toBe('SAFE');
    registered = r.body;
    const created = await call<Accident>(
      mineApp,
      'POST',
      '/v1/accidents',
      opsKH,
      accidentBody(origin, { createSuspectedHazardArea: { radiusM: 100, period: '2025_CONFLICT' } }),
      { 'idempotency-key': 'accident-1' },
    );
    expect(created.status).toBe(201);
    accident = created.body;
    expect(accident).toMatchObject({ killed: 1, injured: 1, createdSuspectedHazardArea: true });
    expect(accident.victims[0]).toMatchObject({ name: VICTIM_NAME, contact: VICTIM_PHONE, ageBand: '18-59' });
    const sha = await call<HazardArea>(tasksApp, 'GET', `/v1/hazard-areas/${accident.hazardAreaId}`, opsKH);
    expect(sha.body).toMatchObject({
      classification: 'SHA',
      evidence: 'DIRECT',
      status: 'OPEN',
      contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
    });
    const after = await call<Household>(householdsApp, 'GET', `/v1/households/${registered.id}`, reliefKH);
    expect(after.body.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [accident.hazardAreaId] });
    const changed = (await events(EventType.ReturnSafetyChanged)).filter((e) => e.subject.id === registered.id);
    expect(changed).toHaveLength(1);
    expect(changed[0]!.data).toMatchObject({ from: 'SAFE', to: 'AT_RISK', cause: { hazardAreaId: accident.hazardAreaId } });
  });

  it('tells both ministries of the accident with totals and a rounded point, never a victim’s name or contact', async () => {
    const reported = (await events(EventType.AccidentReported)).filter((e) => e.subject.id === accident.id);
    expect(reported).toHaveLength(1);
    const event = reported[0]!;
    expect(event.audience).toEqual(['KH', 'TH']);
    expect(event.data).toMatchObject({ killed: 1, injured: 1, deviceCategory: 'AP_MINE', province: 'KH22', point: { coordinates: [103.6, 14.5] } });
    const text = JSON.stringify(event);
    for (const secret of [VICTIM_NAME, VICTIM_PHONE, '12-17', 'CIVILIAN']) expect(text).not.toContain(secret);
  });

  it('shows victims’ names and contacts to the recording country’s operations and ministry and to admins, and to nobody else', async () => {
    for (const [who, headers] of [
      ['ministry KH', ministryKH],
      ['admin', admin],
    ] as const) {
      const r = await call<Accident>(mineApp, 'GET', `/v1/accidents/${accident.id}`, headers);
      expect(r.status, who).toBe(200);
      expect(r.body.victims[0]!.name, who).toBe(VICTIM_NAME);
    }
    for (const [who, headers] of [
      ['ministry TH', ministryTH],
      ['operations TH', opsTH],
      ['observer', observer],
    ] as const) {
      const r = await call<Accident>(mineApp, 'GET', `/v1/accidents/${accident.id}`, headers);
      expect(r.status, who).toBe(200);
      expect(r.body.killed, who).toBe(1);
      expect(r.text, who).not.toContain(VICTIM_NAME);
      expect(r.text, who).not.toContain(VICTIM_PHONE);
      const list = await call<{ items: Accident[] }>(mineApp, 'GET', '/v1/accidents?country=KH', headers);
      expect(
        list.body.items.map((a) => a.id),
        who,
      ).toContain(accident.id);
      expect(list.text, who).not.toContain(VICTIM_NAME);
    }
    expect((await call(mineApp, 'GET', `/v1/accidents/${accident.id}`, reliefKH)).status).toBe(403);
    expect((await call(mineApp, 'POST', '/v1/accidents', opsTH, accidentBody(origin))).status).toBe(403);
  });

  it('answers a retried create with the first accident and counts it once', async () => {
    const again = await call<Accident>(
      mineApp,
      'POST',
      '/v1/accidents',
      opsKH,
      accidentBody(origin, { createSuspectedHazardArea: { radiusM: 100, period: '2025_CONFLICT' } }),
      { 'idempotency-key': 'accident-1' },
    );
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(accident.id);
    const stats = await call<{ accidents: number; killed: number; injured: number }>(mineApp, 'GET', '/v1/stats/casualties?country=KH', ministryKH);
    expect(stats.body).toMatchObject({ accidents: 1, killed: 1, injured: 1 });
    expect((await events(EventType.AccidentReported)).length).toBe(1);
    const month = monthOf(accident.occurredAt);
    const monthly = await call<{ totals: { accidents: { accidents: number; killed: number; injured: number } } }>(
      reportsApp,
      'GET',
      `/v1/stats/monthly?country=KH&from=${month}&to=${month}`,
      ministryKH,
    );
    expect(monthly.status, monthly.text).toBe(200);
    expect(monthly.body.totals.accidents).toEqual({ accidents: 1, killed: 1, injured: 1 });
  });

  it('refuses bad input with a problem and changes nothing', async () => {
    const before = (await scanTable()).length;
    const bad = await call<{ errors: { path: string }[] }>(
      mineApp,
      'POST',
      '/v1/accidents',
      opsKH,
      accidentBody(origin, { province: 'TH34', victims: [{ sex: 'F', outcome: 'INJURED', victimType: 'CIVILIAN', nationality: 'KH' }] }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['body.province', 'body.victims.0.age']));
    const both = await call(
      mineApp,
      'POST',
      '/v1/accidents',
      opsKH,
      accidentBody(origin, { hazardAreaId: accident.hazardAreaId, createSuspectedHazardArea: {} }),
    );
    expect(both.status).toBe(400);
    expect((await scanTable()).length).toBe(before);
  });

  it('keeps the casualty statistics equal to a recount of the stored accidents through creates, corrections and in every scope', async () => {
    await call(
      mineApp,
      'POST',
      '/v1/accidents',
      opsKH,
      accidentBody([103.9, 14.2], {
        province: 'KH13',
        device: { category: 'SUBMUNITION' },
        victims: [{ sex: 'M', age: 9, outcome: 'INJURED', victimType: 'CIVILIAN', nationality: 'KH' }],
      }),
    );
    await call(
      mineApp,
      'POST',
      '/v1/accidents',
      admin,
      accidentBody([102.6, 13.0], {
        country: 'TH',
        province: 'TH27',
        victims: [{ sex: 'M', age: 25, outcome: 'KILLED', victimType: 'MILITARY', nationality: 'TH' }],
      }),
    );
    const current = await call<Accident>(mineApp, 'GET', `/v1/accidents/${accident.id}`, opsKH);
    const patched = await call<Accident>(
      mineApp,
      'PATCH',
      `/v1/accidents/${accident.id}`,
      opsKH,
      { victims: [...accidentBody(origin).victims, { sex: 'X', age: 70, outcome: 'INJURED', victimType: 'OTHER', nationality: 'OTHER' }] },
      { 'if-match': current.etag! },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.injured).toBe(2);
    // Both ministries hear of the corrected totals, still without names; a change of names alone tells them nothing.
    const corrected = (await events(EventType.AccidentCorrected)).filter((e) => e.subject.id === accident.id);
    expect(corrected).toHaveLength(1);
    expect(corrected[0]).toMatchObject({
      audience: ['KH', 'TH'],
      data: { accidentId: accident.id, injured: 2, killed: 1, version: patched.body.version, changed: ['injured'] },
    });
    expect(JSON.stringify(corrected[0])).not.toContain(VICTIM_NAME);
    const renamed = await call<Accident>(
      mineApp,
      'PATCH',
      `/v1/accidents/${accident.id}`,
      opsKH,
      { victims: patched.body.victims.map((v, i) => (i === 0 ? { ...v, name: 'Another Name' } : v)) },
      { 'if-match': patched.etag! },
    );
    expect(renamed.status, renamed.text).toBe(200);
    expect((await events(EventType.AccidentCorrected)).filter((e) => e.subject.id === accident.id)).toHaveLength(1);
    const stored = (await scanTable()).filter((i) => i.entity === 'Accident') as unknown as Accident[];
    const recount = (keep: (a: Accident) => boolean) => {
      const c: Record<string, number> = {};
      for (const a of stored.filter(keep)) for (const [k, v] of Object.entries(casualtyCounters(a))) c[k] = (c[k] ?? 0) + v;
      return casualtyView(c);
    };
    for (const [query, keep] of [
      ['', () => true],
      ['?country=KH', (a: Accident) => a.country === 'KH'],
      ['?country=TH', (a: Accident) => a.country === 'TH'],
      ['?province=KH22', (a: Accident) => a.province === 'KH22'],
    ] as const) {
      const r = await call<Record<string, unknown>>(mineApp, 'GET', `/v1/stats/casualties${query}`, admin);
      const { scope: _s, suppressed, ...view } = r.body;
      expect(suppressed).toEqual([]);
      expect(view, query).toEqual(recount(keep));
    }
    // The monthly buckets of the accidents (month they occurred, corrections moved) equal a recount of the stored accidents.
    const month = monthOf(accident.occurredAt);
    const expected = recountMonthly({ households: [], householdTransitions: [], clearedAreas: [], tasks: [], progressReports: [], accidents: stored }).filter(
      (c) => c.month === month && c.country === 'KH',
    );
    const sum = (k: string) => expected.reduce((n, c) => n + (c.counters[k] ?? 0), 0);
    const monthly = await call<{ totals: { accidents: Record<string, number> } }>(
      reportsApp,
      'GET',
      `/v1/stats/monthly?country=KH&from=${month}&to=${month}`,
      admin,
    );
    expect(monthly.body.totals.accidents).toEqual({ accidents: sum('accidents'), killed: sum('killed'), injured: sum('injured') });
  });

  it('withholds the small cells of the breakdown from observers but not the totals, and writes CSV with HXL', async () => {
    const r = await call<{ killed: number; bySexAndAge: { killed: { M: Record<string, number | null> } }; suppressed: string[] }>(
      mineApp,
      'GET',
      '/v1/stats/casualties?country=KH',
      observer,
    );
    expect(r.body.killed).toBe(1);
    expect(r.body.bySexAndAge.killed.M['12-17']).toBeNull();
    expect(r.body.suppressed).toContain('bySexAndAge.killed.M.12-17');
    const csv = await call(mineApp, 'GET', '/v1/stats/casualties?country=KH&format=csv', observer);
    const [header, hxl, ...rows] = csv.text.trim().split('\r\n');
    expect(header!.split(',').slice(0, 6)).toEqual(['country', 'province_pcode', 'province_name', 'accidents', 'killed', 'injured']);
    expect(hxl).toContain('#affected+killed');
    expect(hxl).toContain('#affected+injured');
    expect(hxl).toContain('#adm1+code');
    const kh22 = rows.find((row) => row.includes('KH22'))!.split(',');
    expect(kh22[4]).toBe('1');
    expect(kh22).toContain('<5');
  });

  it('erases victims’ names and contacts and keeps the accident and its counts', async () => {
    const current = await call<Accident>(mineApp, 'GET', `/v1/accidents/${accident.id}`, opsKH);
    const erased = await call<Accident>(
      mineApp,
      'POST',
      `/v1/accidents/${accident.id}/victim-data-erasure`,
      opsKH,
      { reason: 'asked by the family' },
      { 'if-match': current.etag! },
    );
    expect(erased.status).toBe(200);
    const read = await call<Accident>(mineApp, 'GET', `/v1/accidents/${accident.id}`, admin);
    expect(read.text).not.toContain(VICTIM_NAME);
    expect(read.body.victimDataErasedAt).toBeTruthy();
    expect(JSON.stringify(await scanTable())).not.toContain(VICTIM_NAME);
  });
});

describe('clearance priorities', () => {
  // Three areas in KH01, 6 km apart: demand (A), accidents (B), contamination of the 2025 conflict (C).
  const at = (i: number): [number, number] => [102.8 + i * 0.06, 13.8];
  let areas: HazardArea[];
  let big: Household;

  const priorities = async (headers: H, query = '?province=KH01') =>
    call<{
      items: {
        hazardAreaId: string;
        rank: number;
        score: number | null;
        households: { total: number | null };
        people: { total: number | null };
        accidents: number;
      }[];
      suppressed: string[];
    }>(tasksApp, 'GET', `/v1/hazard-areas/priorities${query}`, headers);

  it('ranks three areas by people waiting near them, accidents near them and 2025 contamination, by the documented score', async () => {
    areas = [];
    for (const [i, contamination] of [
      [0, [{ category: 'UXO', period: 'LEGACY' }]],
      [1, [{ category: 'AT_MINE', period: 'LEGACY' }]],
      [
        2,
        [
          { category: 'AP_MINE', period: '2025_CONFLICT' },
          { category: 'SUBMUNITION', period: '2025_CONFLICT' },
        ],
      ],
    ] as const) {
      const r = await call<HazardArea>(
        tasksApp,
        'POST',
        '/v1/hazard-areas',
        opsKH,
        hazardBody({ name: `Area ${'ABC'[i]}`, country: 'KH', province: 'KH01', contamination, geometry: square(at(i)[0], at(i)[1], 0.005) }),
      );
      expect(r.status).toBe(201);
      areas.push(r.body);
    }
    // A: one household of 20 people, still displaced, 100 m north of the area, and one of 1 person.
    const north: [number, number] = [at(0)[0] + 0.0025, at(0)[1] + 0.005 + 100 / M_LAT];
    big = (await call<Household>(householdsApp, 'POST', '/v1/households', reliefKH, household(north, 20, 'KH01'))).body;
    expect(big.returnSafety.hazardAreaIds).toEqual([areas[0]!.id]);
    await call(householdsApp, 'POST', '/v1/households', reliefKH, household(north, 1, 'KH01'));
    // B: two accidents inside it this year.
    for (let k = 0; k < 2; k++)
      expect(
        (
          await call(
            mineApp,
            'POST',
            '/v1/accidents',
            opsKH,
            accidentBody([at(1)[0] + 0.002, at(1)[1] + 0.002], { province: 'KH01', hazardAreaId: areas[1]!.id }),
          )
        ).status,
      ).toBe(201);
    const r = await priorities(ministryKH);
    expect(r.status, r.text).toBe(200);
    const scores = { A: 21 * DEMAND_WEIGHTS.DISPLACED, B: 2 * ACCIDENT_WEIGHT, C: 60 };
    expect(r.body.items.map((i) => [i.hazardAreaId, i.score, i.rank])).toEqual([
      [areas[2]!.id, scores.C, 1],
      [areas[1]!.id, scores.B, 2],
      [areas[0]!.id, scores.A, 3],
    ]);
    expect(r.body.items[2]).toMatchObject({ households: { total: 2 }, people: { total: 21 } });
    expect(r.body.items[1]!.accidents).toBe(2);
  });

  it('moves an area up within the request that changes a household’s status, and down with its destination', async () => {
    const moved = await call<Household>(
      householdsApp,
      'POST',
      `/v1/households/${big.id}/transitions`,
      reliefKH,
      { to: 'INTENDS_RETURN' },
      { 'if-match': `"${big.version}"` },
    );
    expect(moved.status).toBe(200);
    const up = await priorities(ministryKH);
    expect(up.body.items.map((i) => i.hazardAreaId)).toEqual([areas[0]!.id, areas[2]!.id, areas[1]!.id]);
    expect(up.body.items[0]!.score).toBe(20 * DEMAND_WEIGHTS.INTENDS_RETURN + 1);
    const away = await call<Household>(
      householdsApp,
      'PATCH',
      `/v1/households/${big.id}`,
      reliefKH,
      { destination: { province: 'KH01', point: { type: 'Point', coordinates: [102.5, 13.5] } } },
      { 'if-match': `"${moved.body.version}"` },
    );
    expect(away.status).toBe(200);
    const down = await priorities(ministryKH);
    expect(down.body.items.map((i) => [i.hazardAreaId, i.score])).toEqual([
      [areas[2]!.id, 60],
      [areas[1]!.id, 40],
      [areas[0]!.id, 1],
    ]);
  });

  it('withholds small counts from those who may not read every household, and shows the same counts on the area', async () => {
    const seen = await priorities(observer);
    const a = seen.body.items.find((i) => i.hazardAreaId === areas[0]!.id)!;
    expect(a.households.total).toBeNull();
    expect(a.people.total).toBeNull();
    expect(seen.body.suppressed).toEqual(expect.arrayContaining(['items.2.households.total', 'items.2.people.total', 'items.2.score']));
    expect(a.score).toBeNull();
    const exact = await priorities(ministryKH);
    expect(exact.body.items[2]!.households.total).toBe(1);
    const area = await call<{ priority: { households: { total: number | null }; score: number; rank: number; of: number; suggestedTaskPriority: number } }>(
      tasksApp,
      'GET',
      `/v1/hazard-areas/${areas[2]!.id}`,
      ministryKH,
    );
    expect(area.body.priority).toMatchObject({ score: 60, households: { total: 0 } });
    expect(area.body.priority.rank).toBeGreaterThanOrEqual(1);
    expect((await call(tasksApp, 'GET', '/v1/hazard-areas/priorities?province=KH01', reliefKH)).status).toBe(403);
  });

  it('drops an area from the list once it is withdrawn', async () => {
    const current = await call<HazardArea>(tasksApp, 'GET', `/v1/hazard-areas/${areas[1]!.id}`, opsKH);
    const withdrawn = await call(
      tasksApp,
      'POST',
      `/v1/hazard-areas/${areas[1]!.id}/transitions`,
      opsKH,
      { to: 'WITHDRAWN', reason: 'recorded twice' },
      { 'if-match': current.etag! },
    );
    expect(withdrawn.status).toBe(200);
    expect((await priorities(ministryKH)).body.items.map((i) => i.hazardAreaId)).toEqual([areas[2]!.id, areas[0]!.id]);
  });

  it('ranks areas recorded before the priorities existed once npm start counts them (the one-off backfill), as the transactions would have', async () => {
    const lists = async () => Promise.all(['?country=KH', '?province=KH01', '?province=KH22'].map(async (q) => (await priorities(ministryKH, q)).body.items));
    const before = await lists();
    expect(before[0]!.length).toBeGreaterThanOrEqual(3);
    // As an old table holds them: no demand items for the areas, or items that only ADDs made (no index key).
    const demand = (await scanTable()).filter((i) => i.entity === 'HazardDemand');
    for (const item of demand) {
      if (item.hazardAreaId === areas[0]!.id)
        await documentClient.send(
          new UpdateCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk }, UpdateExpression: 'REMOVE gsi5pk, contamination' }),
        );
      else await documentClient.send(new DeleteCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }));
    }
    expect((await lists()).map((l) => l.length)).toEqual([0, 0, 0]);
    const first = await backfillPriorities(documentClient, tableName);
    expect(first.ran).toBe(true);
    expect(first.areas).toBe(before[0]!.length);
    expect(await lists()).toEqual(before);
    // The withdrawn area stays out; a second start counts nothing again.
    expect((await lists())[1]!.map((i) => i.hazardAreaId)).not.toContain(areas[1]!.id);
    expect(await backfillPriorities(documentClient, tableName)).toEqual({ ran: false, areas: 0 });
    await documentClient.send(new DeleteCommand({ TableName: tableName, Key: PRIORITIES_BACKFILL_MARKER }));
  });
});

describe('risk education', () => {
  it('records sessions with their statistics and lists the AT_RISK households not yet briefed until PATCH records it', async () => {
    const session = await call<{ id: string; reached: number }>(mineApp, 'POST', '/v1/risk-education-sessions', reliefKH, {
      date: '2026-02-01',
      province: 'KH22',
      site: 'Pagoda camp 4',
      provider: 'DRC',
      delivery: 'FACE_TO_FACE',
      categories: ['AP_MINE', 'SUBMUNITION'],
      audience: { girls: 3, boys: 4, women: 5, men: 6 },
    });
    expect(session.status).toBe(201);
    expect(session.body.reached).toBe(18);
    const stats = await call<{ sessions: number; reached: { total: number; girls: number } }>(
      mineApp,
      'GET',
      '/v1/stats/risk-education?province=KH22',
      observer,
    );
    expect(stats.body).toMatchObject({ sessions: 1, reached: { total: 18, girls: 3 } });
    const csv = await call(mineApp, 'GET', '/v1/stats/risk-education?country=KH', observer, undefined, { accept: 'text/csv' });
    expect(csv.text.split('\r\n')[1]).toContain('#reached+ind');
    expect((await call<{ items: unknown[] }>(mineApp, 'GET', '/v1/risk-education-sessions?site=Pagoda%20camp%204', reliefKH)).body.items).toHaveLength(1);

    const due = await call<{ items: HouseholdSummary[] }>(householdsApp, 'GET', '/v1/households?returnSafety=AT_RISK&riskEducation=none&limit=100', reliefKH);
    expect(due.status).toBe(200);
    expect(due.body.items.length).toBeGreaterThan(0);
    expect(due.body.items.every((h) => h.returnSafety.status === 'AT_RISK')).toBe(true);
    const first = due.body.items[0]!;
    const briefed = await call<Household>(
      householdsApp,
      'PATCH',
      `/v1/households/${first.id}`,
      reliefKH,
      { riskEducation: { receivedAt: '2026-02-01', sessionId: session.body.id } },
      { 'if-match': `"${first.version}"` },
    );
    expect(briefed.status).toBe(200);
    expect(briefed.body.riskEducation).toEqual({ receivedAt: '2026-02-01', sessionId: session.body.id });
    const after = await call<{ items: HouseholdSummary[] }>(householdsApp, 'GET', '/v1/households?returnSafety=AT_RISK&riskEducation=none&limit=100', reliefKH);
    expect(after.body.items.map((h) => h.id)).not.toContain(first.id);
    expect(after.body.items.length).toBe(due.body.items.length - 1);
    expect((await call(householdsApp, 'GET', '/v1/households?returnSafety=AT_RISK', reliefKH)).status).toBe(400);
    const other = await bearer({ role: 'relief', country: 'KH', org: 'OTHER-NGO' });
    expect((await call<{ items: unknown[] }>(householdsApp, 'GET', '/v1/households?returnSafety=AT_RISK&riskEducation=none', other)).body.items).toEqual([]);
  });
});
