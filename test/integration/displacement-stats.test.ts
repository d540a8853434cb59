import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as sitesApp } from '../../functions/sites/app.ts';
import { documentClient, tableName } from '#shared/db/client.ts';
import { displacementStatsWrites, displacementStatsWritesForDelta } from '#shared/db/repositories/displacement-stats.ts';
import { transact } from '#shared/db/transact.ts';
import { addContributions, contributionOf, DISPLACEMENT_COUNT_PATHS, displacementView, type DisplacementView } from '#shared/domain/displacement-stats.ts';
import { suppressSmallCells } from '#shared/domain/small-cells.ts';
import type { Household } from '#shared/domain/household.ts';
import { bearer } from '../support/tokens.ts';

const json = { 'content-type': 'application/json' };
const year = new Date().getUTCFullYear();
type Stats = DisplacementView & { scope: { country: string | null; province: string | null } };

let reliefKH: Record<string, string>;
let reliefTH: Record<string, string>;
let ministryKH: Record<string, string>;
let ministryTH: Record<string, string>;
let observer: Record<string, string>;
let admin: Record<string, string>;

async function call<T>(method: string, path: string, headers: Record<string, string>, body?: unknown, extra: Record<string, string> = {}) {
  // The statistics are the sites function's (with the sites' figures); the households the households function's.
  const res = await (path.startsWith('/v1/stats/') ? sitesApp : householdsApp).request(path, {
    method,
    headers: { ...headers, ...(body ? json : {}), ...extra },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, res, text, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as T };
}
const stats = (path: string, headers: Record<string, string>, extra: Record<string, string> = {}) => call<Stats>('GET', path, headers, undefined, extra);

const person = (sex: 'F' | 'M', age: number, relationship: string, specificNeeds: string[] = []) => ({
  givenName: 'Sreymom',
  familyName: 'Sok',
  sex,
  birthYear: year - age,
  relationship,
  specificNeeds,
});

const registration = (origin: string, current: string, members: unknown[]) => ({
  origin: { province: origin, village: 'O Smach' },
  current: { province: current, site: 'Pagoda camp 4' },
  members,
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});

async function register(headers: Record<string, string>, body: unknown): Promise<Household> {
  const r = await call<Household>('POST', '/v1/households', headers, body);
  if (r.status !== 201) throw new Error(`registration: ${r.status} ${r.text}`);
  return r.body;
}

async function move(headers: Record<string, string>, h: Household, to: string, extra: Record<string, unknown> = {}): Promise<Household> {
  const r = await call<Household>('POST', `/v1/households/${h.id}/transitions`, headers, { to, ...extra }, { 'if-match': `"${h.version}"` });
  if (r.status !== 200) throw new Error(`transition: ${r.status} ${r.text}`);
  return r.body;
}

/** The statistics recounted from the stored households (a test-only Scan). */
async function recount(filter: (h: Household) => boolean) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  const households = (items.filter((i) => i.entity === 'Household') as unknown as Household[]).filter(filter);
  return displacementView(addContributions(...households.map((h) => contributionOf(h))));
}
const withoutScope = ({ scope: _s, ...rest }: Stats) => rest;
/** What a reader who may not read every household counted gets for `view`. */
const suppressedView = (view: DisplacementView) => {
  const { value, suppressed } = suppressSmallCells(view, DISPLACEMENT_COUNT_PATHS);
  return { ...value, suppressed };
};

beforeAll(async () => {
  reliefKH = await bearer({ role: 'relief', country: 'KH', org: 'DRC' });
  reliefTH = await bearer({ role: 'relief', country: 'TH', org: 'TRC' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MOSVY' });
  ministryTH = await bearer({ role: 'ministry', country: 'TH', org: 'MSDHS' });
  observer = await bearer({ role: 'observer', org: 'AOT' });
  admin = await bearer({ role: 'admin', org: 'Clearway' });
});

describe('displacement statistics kept by registrations and transitions', () => {
  let a: Household;

  beforeAll(async () => {
    a = await register(
      reliefKH,
      registration('KH22', 'KH17', [
        person('F', 35, 'HEAD', ['SP-PT']),
        person('M', 3, 'CHILD', ['SM-MN', 'SM-CI']),
        person('F', 14, 'CHILD'),
        person('M', 70, 'PARENT', ['ER-NF']),
      ]),
    );
    await register(reliefKH, registration('KH01', 'KH02', [person('M', 45, 'HEAD'), person('F', 40, 'SPOUSE')]));
    await register(reliefTH, registration('TH34', 'TH33', [person('F', 30, 'HEAD'), person('F', 8, 'CHILD', ['CR-NE'])]));
  });

  it('counts the registered households exactly, by status, sex, age band and specific needs', async () => {
    const r = await stats('/v1/stats/displacement?country=KH', ministryKH);
    expect(r.status).toBe(200);
    expect(r.body.scope).toEqual({ country: 'KH', province: null });
    expect(r.body.households.total).toBe(2);
    expect(r.body.households.byStatus.DISPLACED).toBe(2);
    expect(r.body.households.withSpecificNeeds).toBe(1);
    expect(r.body.people.total).toBe(6);
    expect(r.body.people.bySexAndAge.F).toEqual({ '0-4': 0, '5-11': 0, '12-17': 1, '18-59': 2, '60+': 0 });
    expect(r.body.people.bySexAndAge.M).toEqual({ '0-4': 1, '5-11': 0, '12-17': 0, '18-59': 1, '60+': 1 });
    expect(r.body.people.displaced.total).toBe(6);
    expect(r.body.people.returned.total).toBe(0);
    expect(r.body.specificNeeds.people).toBe(3);
    expect(r.body.specificNeeds.byCategory).toMatchObject({ SP: 1, SM: 1, ER: 1, CR: 0 });
    expect(r.body.specificNeeds.byCode).toMatchObject({ 'SP-PT': 1, 'SM-MN': 1, 'SM-CI': 1, 'ER-NF': 1 });
    expect(r.body.returnSafety.households).toEqual({ SAFE: 0, AT_RISK: 0, UNKNOWN: 2 });
    expect(withoutScope(r.body)).toEqual({ ...(await recount((h) => h.country === 'KH')), suppressed: [] });
  });

  it('counts a province by origin, and follows a household through its transitions', async () => {
    let province = await stats('/v1/stats/displacement?province=KH22', ministryKH);
    expect(province.status).toBe(200);
    expect(province.body.households.total).toBe(1);
    expect(province.body.people.total).toBe(4);
    const kh17 = await stats('/v1/stats/displacement?province=KH17', reliefKH);
    expect(kh17.body.households.total).toBe(0);

    a = await move(reliefKH, a, 'INTENDS_RETURN');
    a = await move(reliefKH, a, 'RETURN_BLOCKED', { blockedReason: 'HAZARD' });
    a = await move(reliefKH, a, 'RETURNED');
    province = await stats('/v1/stats/displacement?province=KH22', ministryKH);
    expect(province.body.households.byStatus).toEqual({ DISPLACED: 0, INTENDS_RETURN: 0, RETURN_BLOCKED: 0, RETURNED: 1, REDISPLACED: 0 });
    expect(province.body.people.byStatus.RETURNED).toBe(4);
    expect(province.body.people.displaced.total).toBe(0);
    expect(province.body.people.returned.bySexAndAge.M).toEqual({ '0-4': 1, '5-11': 0, '12-17': 0, '18-59': 0, '60+': 1 });
    expect(province.body.specificNeeds.people).toBe(3);
    expect(withoutScope(province.body)).toEqual({ ...(await recount((h) => h.country === 'KH' && h.origin.province === 'KH22')), suppressed: [] });

    a = await move(reliefKH, a, 'REDISPLACED', { reason: 'house destroyed' });
    const country = await stats('/v1/stats/displacement', ministryKH);
    expect(country.body.households.byStatus).toMatchObject({ DISPLACED: 1, RETURNED: 0, REDISPLACED: 1 });
    expect(country.body.people.displaced.total).toBe(6);
    expect(withoutScope(country.body)).toEqual({ ...(await recount((h) => h.country === 'KH')), suppressed: [] });
  });

  it('gives observers and admins both countries together, or one when named', async () => {
    const both = await stats('/v1/stats/displacement', observer);
    expect(both.status).toBe(200);
    expect(both.body.scope).toEqual({ country: null, province: null });
    // Observers read no household: their counts from 1 to 4 are withheld.
    expect(withoutScope(both.body)).toEqual(suppressedView(await recount(() => true)));
    const th = await stats('/v1/stats/displacement?country=TH', admin);
    expect(th.body.households.total).toBe(1);
    expect(th.body.specificNeeds.byCategory.CR).toBe(1);
    expect(withoutScope(th.body)).toEqual({ ...(await recount((h) => h.country === 'TH')), suppressed: [] });
  });

  it('keeps each national reader to its own country, and refuses roles without household work', async () => {
    expect((await stats('/v1/stats/displacement?country=TH', reliefKH)).status).toBe(403);
    expect((await stats('/v1/stats/displacement?province=KH22', ministryTH)).status).toBe(403);
    expect((await stats('/v1/stats/displacement', ministryTH)).body.scope).toEqual({ country: 'TH', province: null });
    expect((await stats('/v1/stats/displacement', await bearer({ role: 'operations', country: 'KH', org: 'CMAC' }))).status).toBe(403);
    expect((await stats('/v1/stats/displacement', await bearer({ role: 'qa', country: 'TH', org: 'TMAC' }))).status).toBe(403);
    expect((await stats('/v1/stats/displacement', {})).status).toBe(401);
    const bad = await stats('/v1/stats/displacement?country=KH&province=TH34', admin);
    expect(bad.status).toBe(400);
    expect((await stats('/v1/stats/displacement?province=KH99', admin)).status).toBe(400);
  });

  it('exports one CSV row per origin province with HXL hashtags, without personal data', async () => {
    const r = await stats('/v1/stats/displacement?country=KH', ministryKH, { accept: 'text/csv' });
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-type')).toContain('text/csv');
    const lines = r.text
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    const [header, hxl, ...rows] = lines;
    expect(hxl!.slice(0, 3)).toEqual(['#country+code', '#adm1+code', '#adm1+name']);
    for (const tag of [
      '#affected+idps+ind',
      '#affected+idps+hh',
      '#affected+returnees+hh',
      '#affected+returnees+ind',
      '#affected+f+children',
      '#affected+hh+return_at_risk',
    ])
      expect(hxl).toContain(tag);
    for (const tag of hxl!) expect(tag).toMatch(/^#[a-z0-9_]+(\+[a-z0-9_]+)*$/);
    expect(rows.map((row) => row[1])).toEqual(['KH01', 'KH02', 'KH09', 'KH13', 'KH15', 'KH17', 'KH22', 'KH24']);
    const col = (name: string, pcode: string) => Number(rows.find((row) => row[1] === pcode)![header!.indexOf(name)]);
    expect(col('households', 'KH22')).toBe(1);
    expect(col('people', 'KH22')).toBe(4);
    expect(col('idp_households', 'KH22')).toBe(1);
    expect(col('households_redisplaced', 'KH22')).toBe(1);
    expect(col('idp_m_0_4', 'KH22')).toBe(1);
    expect(col('children_f', 'KH22')).toBe(1);
    expect(col('people_needs_sm', 'KH22')).toBe(1);
    expect(col('households', 'KH01')).toBe(2 - 1);
    expect(col('people', 'KH01')).toBe(2);
    expect(col('households', 'KH17')).toBe(0);
    expect(r.text).not.toContain('Sreymom');
    expect(r.text).not.toContain('Sok,');

    const one = await stats('/v1/stats/displacement?province=TH34&format=csv', observer);
    expect(one.status).toBe(200);
    const oneRows = one.text.trimEnd().split('\r\n');
    expect(oneRows).toHaveLength(3);
    expect(oneRows[2]!.startsWith('TH,TH34,Ubon Ratchathani,<5,<5,')).toBe(true);
  });
});

describe('counter writes applied directly (what the importer does per chunk)', () => {
  const base = (id: string, over: Partial<Household> = {}): Household => ({
    id,
    version: 1,
    createdAt: '2026-01-15T00:00:00.000Z',
    updatedAt: '2026-01-15T00:00:00.000Z',
    createdBy: 'importer',
    country: 'TH',
    org: 'TRC',
    status: 'DISPLACED',
    statusChangedAt: '2026-01-15T00:00:00.000Z',
    origin: { province: 'TH27' },
    current: { province: 'TH22', site: 'School shelter 12' },
    members: [
      { id: 'm0', givenName: 'Somchai', familyName: 'Srisuk', sex: 'M', birthYear: year - 50, relationship: 'HEAD', specificNeeds: ['DS-PM'] },
      { id: 'm1', givenName: 'Malee', familyName: 'Srisuk', sex: 'F', birthYear: year - 2, relationship: 'CHILD', specificNeeds: [] },
    ],
    consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] },
    returnSafety: { status: 'AT_RISK', hazardAreaIds: ['01JHAZARDAAAAAAAAAAAAAAAAA'], checkedAt: '2026-01-15T00:00:00.000Z' },
    ...over,
  });

  it('adds a chunk of 200 households once, in one update per item, and a later change exactly', async () => {
    const chunk = Array.from({ length: 200 }, (_, i) => base(`H${i}`, i % 4 === 0 ? { status: 'INTENDS_RETURN' } : {}));
    const delta = addContributions(...chunk.map((h) => contributionOf(h)));
    const writes = displacementStatsWritesForDelta('TH', 'TH27', delta);
    expect(writes).toHaveLength(2);
    await transact(writes);
    let r = await stats('/v1/stats/displacement?province=TH27', ministryTH);
    expect(r.body.households.byStatus).toMatchObject({ DISPLACED: 150, INTENDS_RETURN: 50 });
    expect(r.body.people.total).toBe(400);
    expect(r.body.people.bySexAndAge.F['0-4']).toBe(200);
    expect(r.body.specificNeeds.byCode['DS-PM']).toBe(200);
    expect(r.body.returnSafety.atRiskReturns).toEqual({ households: 50, people: 100 });

    // Return safety recomputed: one of them becomes SAFE when its hazard area is handed over.
    const before = chunk[0]!;
    await transact(
      displacementStatsWrites(before, { ...before, version: 2, returnSafety: { status: 'SAFE', hazardAreaIds: [], checkedAt: '2026-02-01T00:00:00.000Z' } }),
    );
    r = await stats('/v1/stats/displacement?province=TH27', ministryTH);
    expect(r.body.returnSafety.atRiskReturns).toEqual({ households: 49, people: 98 });
    expect(r.body.returnSafety.households).toMatchObject({ SAFE: 1, AT_RISK: 199 });
    expect(r.body.households.total).toBe(200);
  });
});
