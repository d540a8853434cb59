import { beforeAll, describe, expect, it } from 'vitest';
import { loadShippedGazetteer } from '../support/gazetteer.ts';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as sitesApp } from '../../functions/sites/app.ts';
import { addContributions } from '#shared/domain/displacement-stats.ts';
import type { Household } from '#shared/domain/household.ts';
import type { Site } from '#shared/domain/site.ts';
import { siteContributionOf, siteFigures, type SiteFigures } from '#shared/domain/site-stats.ts';
import { scanTable } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

const json = { 'content-type': 'application/json' };
const year = new Date().getUTCFullYear();
const today = new Date().toISOString().slice(0, 10);
const thisMonth = today.slice(0, 7);
type H = Record<string, string>;
type Problem = { status: number; detail: string; errors?: { path: string; message: string }[] };

let reliefKH: H;
let reliefKH2: H;
let reliefTH: H;
let ministryKH: H;
let observer: H;
let admin: H;

async function call<T>(method: string, path: string, headers: H, body?: unknown, extra: H = {}) {
  const app = path.startsWith('/v1/sites') || path.startsWith('/v1/stats/') ? sitesApp : householdsApp;
  const res = await app.request(path, { method, headers: { ...headers, ...(body ? json : {}), ...extra }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, res, text, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as T };
}

const siteBody = (code: string, overrides: Record<string, unknown> = {}) => ({
  code,
  name: { en: `Pagoda ${code}`, km: 'វត្ត' },
  type: 'PAGODA',
  province: 'KH22',
  adm2: 'KH2201',
  capacity: 500,
  managingOrganisation: 'DRC',
  openedAt: '2025-12-10',
  ...overrides,
});

async function createSite(headers: H, code: string, overrides: Record<string, unknown> = {}): Promise<Site> {
  const r = await call<Site>('POST', '/v1/sites', headers, siteBody(code, overrides));
  if (r.status !== 201) throw new Error(`site: ${r.status} ${r.text}`);
  return r.body;
}

const person = (sex: 'F' | 'M', age: number, relationship: string, specificNeeds: string[] = []) => ({
  givenName: 'Sreymom',
  familyName: 'Sok',
  sex,
  birthYear: year - age,
  relationship,
  specificNeeds,
});

const registration = (current: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  origin: { province: 'KH22', village: 'O Smach' },
  current,
  members: [person('F', 34, 'HEAD', ['SP-PT']), person('M', 6, 'CHILD'), person('M', 70, 'PARENT')],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  ...extra,
});

async function register(headers: H, body: unknown): Promise<Household> {
  const r = await call<Household>('POST', '/v1/households', headers, body);
  if (r.status !== 201) throw new Error(`registration: ${r.status} ${r.text}`);
  return r.body;
}

const transition = (headers: H, h: Household, body: Record<string, unknown>) =>
  call<Household & { errors?: Problem['errors'] }>('POST', `/v1/households/${h.id}/transitions`, headers, body, { 'if-match': `"${h.version}"` });

async function move(headers: H, h: Household, body: Record<string, unknown>): Promise<Household> {
  const r = await transition(headers, h, body);
  if (r.status !== 200) throw new Error(`transition: ${r.status} ${r.text}`);
  return r.body;
}

type SiteStats = { sites: { siteId: string; code: string; present: SiteFigures }[]; suppressed: string[] };
const present = async (site: Site, headers = admin) =>
  (await call<SiteStats>('GET', `/v1/stats/sites?country=${site.country}`, headers)).body.sites.find((s) => s.siteId === site.id)?.present;

type Flows = {
  months: {
    month: string;
    sites: { siteId: string; code: string; arrivals: { households: number; people: number }; departures: { households: number; people: number } }[];
    origins: { province: string; returns: { households: number; people: number }; redisplacements: { households: number; people: number } }[];
  }[];
};
const flowsOf = async (from: string, to: string) => (await call<Flows>('GET', `/v1/stats/sites/flows?country=KH&from=${from}&to=${to}`, admin)).body.months;
const siteFlow = (months: Flows['months'], month: string, site: Site) => months.find((m) => m.month === month)?.sites.find((s) => s.siteId === site.id);

beforeAll(async () => {
  // Sites' coded places are checked against the gazetteer, as on a table npm start prepared.
  await loadShippedGazetteer();
  reliefKH = await bearer({ role: 'relief', country: 'KH', org: 'DRC' });
  reliefKH2 = await bearer({ role: 'relief', country: 'KH', org: 'LWF' });
  reliefTH = await bearer({ role: 'relief', country: 'TH', org: 'TRC' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MOSVY' });
  observer = await bearer({ role: 'observer', org: 'AOT' });
  admin = await bearer({ role: 'admin', org: 'Clearway' });
});

describe('displacement sites', () => {
  it('are registered by relief agencies of their country with a code unique in it, checked places and names, and changed with If-Match', async () => {
    const site = await createSite(reliefKH, 'KH22-PGD-001');
    expect(site).toMatchObject({ country: 'KH', status: 'OPEN', version: 1, code: 'KH22-PGD-001' });

    const again = await call<Problem>('POST', '/v1/sites', reliefKH2, siteBody('kh22-pgd-001'));
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('kh22-pgd-001');
    // The same code in the other country is another site.
    expect(
      (await call('POST', '/v1/sites', reliefTH, siteBody('KH22-PGD-001', { province: 'TH34', adm2: 'TH3401', name: { en: 'Wat', th: 'วัด' } }))).status,
    ).toBe(201);
    expect((await call('POST', '/v1/sites', reliefKH, { ...siteBody('X1'), country: 'TH' })).status).toBe(403);
    expect((await call('POST', '/v1/sites', ministryKH, siteBody('X2'))).status).toBe(403);

    const wrongCommune = await call<Problem>('POST', '/v1/sites', reliefKH, siteBody('X3', { adm3: 'KH010201' }));
    expect(wrongCommune.status).toBe(400);
    expect(wrongCommune.body.errors).toContainEqual({ path: 'body.adm3', message: 'KH010201 does not lie in adm2 KH2201' });
    const noDistrict = await call<Problem>('POST', '/v1/sites', reliefKH, siteBody('X4', { adm2: undefined, adm3: 'KH220101' }));
    expect(noDistrict.body.errors).toContainEqual({ path: 'body.adm2', message: 'required with adm3 KH220101' });
    expect((await call<Problem>('POST', '/v1/sites', reliefKH, siteBody('X5', { province: 'TH34', adm2: undefined }))).body.errors).toContainEqual({
      path: 'body.province',
      message: 'TH34 is not a known province of KH',
    });
    expect((await call<Problem>('POST', '/v1/sites', reliefKH, siteBody('X6', { name: { en: 'Wat', th: 'วัด' } }))).body.errors?.[0]?.path).toBe('body.name.th');
    expect((await call<Problem>('POST', '/v1/sites', reliefKH, siteBody('X7', { capacity: -1 }))).status).toBe(400);

    const read = await call<Site>('GET', `/v1/sites/${site.id}`, observer);
    expect(read.status).toBe(200);
    expect(read.res.headers.get('etag')).toBe('"1"');
    expect((await call('GET', `/v1/sites/${site.id}`, reliefTH)).status).toBe(404);

    const renamed = await call<Site>('PATCH', `/v1/sites/${site.id}`, reliefKH, { code: 'KH22-PGD-001A', capacity: 650, adm2: null }, { 'if-match': '"1"' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ version: 2, code: 'KH22-PGD-001A', capacity: 650 });
    expect(renamed.body.adm2).toBeUndefined();
    expect((await call('PATCH', `/v1/sites/${site.id}`, reliefKH, { capacity: 1 }, { 'if-match': '"1"' })).status).toBe(412);
    expect((await call('PATCH', `/v1/sites/${site.id}`, reliefKH, { capacity: 1 })).status).toBe(428);
    // The old code is free again.
    expect((await call('POST', '/v1/sites', reliefKH, siteBody('KH22-PGD-001'))).status).toBe(201);

    const listed = await call<{ items: Site[] }>('GET', '/v1/sites?province=KH22&status=OPEN&limit=100', reliefKH);
    expect(listed.body.items.map((s) => s.code)).toEqual(expect.arrayContaining(['KH22-PGD-001A', 'KH22-PGD-001']));
    expect(listed.body.items.every((s) => s.country === 'KH' && s.province === 'KH22')).toBe(true);
    expect((await call('GET', '/v1/sites', observer)).status).toBe(400);
    expect((await call('GET', '/v1/sites?country=TH', reliefKH)).status).toBe(403);
  });
});

describe('households at sites: present figures and dated movements', () => {
  let a: Site;
  let b: Site;
  beforeAll(async () => {
    a = await createSite(reliefKH, 'KH22-CMP-A');
    b = await createSite(reliefKH, 'KH22-CMP-B', { province: 'KH22', adm2: 'KH2202' });
  });

  it('a registration at a site must name an open site of the country and province, and is present there at once', async () => {
    const unknown = await call<Problem>('POST', '/v1/households', reliefKH, registration({ province: 'KH22', siteId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.path).toBe('body.current.siteId');
    const wrongProvince = await call<Problem>('POST', '/v1/households', reliefKH, registration({ province: 'KH01', siteId: a.id }));
    expect(wrongProvince.status).toBe(400);
    expect(wrongProvince.body.errors?.[0]?.message).toContain('KH22');

    const h = await register(reliefKH, registration({ province: 'KH22', siteId: a.id }, { displacedSince: '2025-12-14' }));
    expect(h).toMatchObject({ displacedSince: '2025-12-14', currentSince: '2025-12-14', current: { siteId: a.id } });
    const figures = await present(a);
    expect(figures).toMatchObject({ households: 1, people: 3, specificNeeds: { households: 1, people: 1 } });
    expect(figures!.bySexAndAge.F['18-59']).toBe(1);
    expect(figures!.bySexAndAge.M['5-11']).toBe(1);
    expect(figures!.bySexAndAge.M['60+']).toBe(1);
    // The arrival counts in the month of displacedSince.
    expect(siteFlow(await flowsOf('2025-12', '2025-12'), '2025-12', a)).toMatchObject({
      arrivals: { households: 1, people: 3 },
      departures: { households: 0, people: 0 },
    });
    // Relief agencies and observers get small counts withheld; ministries of the country exact ones.
    const forRelief = await call<SiteStats>('GET', '/v1/stats/sites', reliefKH);
    expect(forRelief.body.sites.find((s) => s.siteId === a.id)?.present.households).toBeNull();
    expect(forRelief.body.suppressed).toContain(`sites.${forRelief.body.sites.findIndex((s) => s.siteId === a.id)}.present.households`);
    expect((await present(a, ministryKH))?.households).toBe(1);
  });

  it('a dated move between sites is one transition: the present count moves, and flows count it in the month of its effective date', async () => {
    const h = await register(reliefKH, registration({ province: 'KH22', siteId: a.id }, { displacedSince: '2025-12-20' }));
    const before = { a: (await present(a))!.households, b: (await present(b))?.households ?? 0 };

    expect((await transition(reliefKH, h, { to: 'DISPLACED' })).body.errors?.[0]).toMatchObject({ path: 'body.current' });
    const tooEarly = await transition(reliefKH, h, { to: 'DISPLACED', current: { province: 'KH22', siteId: b.id }, effectiveDate: '2025-12-01' });
    expect(tooEarly.status).toBe(400);
    expect(tooEarly.body.errors?.[0]).toMatchObject({ path: 'body.effectiveDate', message: expect.stringContaining('2025-12-20') });
    const future = await transition(reliefKH, h, { to: 'DISPLACED', current: { province: 'KH22', siteId: b.id }, effectiveDate: '2099-01-01' });
    expect(future.status).toBe(400);
    const patched = await call<Problem>(
      'PATCH',
      `/v1/households/${h.id}`,
      reliefKH,
      { current: { province: 'KH22', siteId: b.id } },
      { 'if-match': `"${h.version}"` },
    );
    expect(patched.status).toBe(400);
    expect(patched.body.errors?.[0]?.message).toContain('/transitions');

    // Back-dated to January 2026: it lands in January, whatever month it is recorded in.
    const moved = await move(reliefKH, h, { to: 'DISPLACED', current: { province: 'KH22', siteId: b.id }, effectiveDate: '2026-01-10' });
    expect(moved).toMatchObject({ status: 'DISPLACED', currentSince: '2026-01-10', current: { siteId: b.id } });
    expect((await present(a))!.households).toBe(before.a - 1);
    expect((await present(b))!.households).toBe(before.b + 1);
    const january = await flowsOf('2026-01', '2026-01');
    expect(siteFlow(january, '2026-01', a)?.departures).toEqual({ households: 1, people: 3 });
    expect(siteFlow(january, '2026-01', b)?.arrivals).toEqual({ households: 1, people: 3 });
    const history = await call<{ items: { action: string; changes?: Record<string, unknown> }[] }>('GET', `/v1/households/${h.id}/history`, reliefKH);
    expect(history.body.items.at(-1)?.changes).toMatchObject({ effectiveDate: '2026-01-10', current: { fromSiteId: a.id, toSiteId: b.id } });

    // Going home leaves the site: a return counted by origin, in its month; a returned household is at no site.
    const stillAtSite = await transition(reliefKH, moved, { to: 'RETURNED', effectiveDate: '2026-02-03' });
    expect(stillAtSite.status).toBe(400);
    expect(stillAtSite.body.errors?.[0]?.path).toBe('body.current');
    const home = await move(reliefKH, moved, {
      to: 'RETURNED',
      current: { province: 'KH22', village: 'O Smach', hostCommunity: 'home' },
      effectiveDate: '2026-02-03',
    });
    expect(home.current.siteId).toBeUndefined();
    expect((await present(b))!.households).toBe(before.b);
    const february = await flowsOf('2026-02', '2026-02');
    expect(siteFlow(february, '2026-02', b)?.departures).toEqual({ households: 1, people: 3 });
    expect(february[0]!.origins.find((o) => o.province === 'KH22')?.returns).toEqual({ households: 1, people: 3 });

    // Displaced again, back to a site: a re-displacement by origin and an arrival.
    const again = await move(reliefKH, home, {
      to: 'REDISPLACED',
      reason: 'house destroyed',
      current: { province: 'KH22', siteId: a.id },
      effectiveDate: today,
    });
    const now = await flowsOf(thisMonth, thisMonth);
    expect(now[0]!.origins.find((o) => o.province === 'KH22')?.redisplacements.households).toBeGreaterThanOrEqual(1);
    expect(siteFlow(now, thisMonth, a)?.arrivals.households).toBeGreaterThanOrEqual(1);
    expect(again.current.siteId).toBe(a.id);
  });

  it('a closed site takes no household, and a site with households present cannot be closed', async () => {
    const c = await createSite(reliefKH, 'KH22-SCH-C', { type: 'SCHOOL' });
    const h = await register(reliefKH, registration({ province: 'KH22', siteId: c.id }));
    const refused = await call<Problem>('PATCH', `/v1/sites/${c.id}`, reliefKH, { status: 'CLOSED', closedAt: today }, { 'if-match': '"1"' });
    expect(refused.status).toBe(409);
    expect((await call<Site>('GET', `/v1/sites/${c.id}`, reliefKH)).body.status).toBe('OPEN');

    const left = await move(reliefKH, h, { to: 'DISPLACED', current: { province: 'KH22', siteId: a.id } });
    const closed = await call<Site>('PATCH', `/v1/sites/${c.id}`, reliefKH, { status: 'CLOSED', closedAt: today }, { 'if-match': '"1"' });
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('CLOSED');
    const toClosed = await transition(reliefKH, left, { to: 'DISPLACED', current: { province: 'KH22', siteId: c.id } });
    expect(toClosed.status).toBe(400);
    expect(toClosed.body.errors?.[0]?.message).toContain('CLOSED');
    expect((await call<{ items: Site[] }>('GET', '/v1/sites?status=CLOSED', reliefKH)).body.items.map((s) => s.id)).toContain(c.id);
  });

  it('an erased household leaves its site’s present figures', async () => {
    const d = await createSite(reliefKH, 'KH22-CC-D', { type: 'COLLECTIVE_CENTRE' });
    const h = await register(reliefKH, registration({ province: 'KH22', siteId: d.id }));
    expect((await present(d))!.households).toBe(1);
    expect((await call('POST', `/v1/households/${h.id}/erasure`, admin, { reason: 'withdrawal of consent' })).status).toBe(200);
    expect((await present(d))!.households).toBe(0);
  });

  it('the site figures equal a recount over the stored households', async () => {
    const items = await scanTable();
    const households = items.filter((i) => i.entity === 'Household') as unknown as Household[];
    const body = (await call<SiteStats>('GET', '/v1/stats/sites?country=KH', admin)).body;
    expect(body.sites.length).toBeGreaterThanOrEqual(4);
    for (const s of body.sites) {
      const here = households.filter((h) => h.current.siteId === s.siteId);
      expect(s.present).toEqual(siteFigures(addContributions(...here.map((h) => siteContributionOf(h))), year));
    }
    expect(body.sites.reduce((t, s) => t + s.present.households, 0)).toBe(households.filter((h) => h.country === 'KH' && h.current.siteId).length);
  });

  it('CSV with HXL hashtags: one row per site, counts only', async () => {
    const r = await call('GET', '/v1/stats/sites?country=KH&province=KH22', admin, undefined, { accept: 'text/csv' });
    expect(r.res.headers.get('content-type')).toContain('text/csv');
    const [header, hxl, ...rows] = r.text.trim().split('\r\n');
    expect(header!.split(',').slice(0, 5)).toEqual(['country', 'province_pcode', 'district_pcode', 'site_code', 'site_name']);
    expect(hxl).toContain('#loc+name');
    expect(hxl).toContain('#loc+code');
    expect(hxl).toContain('#affected+idps+ind');
    const rowA = rows.find((l) => l.includes(a.code))!.split(',');
    const people = header!.split(',').indexOf('people');
    expect(Number(rowA[people])).toBe((await present(a))!.people);
    expect(r.text).not.toContain('Sreymom');
    const flows = await call('GET', '/v1/stats/sites/flows?country=KH&from=2026-01&to=2026-01&format=csv', ministryKH);
    expect(flows.text.split('\r\n')[1]).toContain('#affected+idps+hh+arrived');
    expect(flows.text).toContain(`2026-01,${b.code}`);
  });
});

describe('return intentions', () => {
  it('are set at registration or by PATCH, checked, and counted in the displacement statistics and their CSV', async () => {
    const stats = async () =>
      (
        await call<{ returnIntentions: { households: Record<string, number>; byWhen: Record<string, number>; byObstacle: Record<string, number> } }>(
          'GET',
          '/v1/stats/displacement?country=TH',
          admin,
        )
      ).body.returnIntentions;
    const start = await stats();
    const body = (intentions: unknown) => ({
      ...registration({ province: 'TH34', site: 'Wat Phra' }),
      origin: { province: 'TH34' },
      returnIntentions: intentions,
    });
    const bad = await call<Problem>('POST', '/v1/households', reliefTH, body({ intends: 'NO', when: 'LATER', obstacles: [], surveyedAt: '2026-01-20' }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0]?.path).toBe('body.returnIntentions.when');
    expect(
      (await call<Problem>('POST', '/v1/households', reliefTH, body({ intends: 'YES', obstacles: ['MINES_OR_UXO', 'MINES_OR_UXO'], surveyedAt: '2026-01-20' })))
        .status,
    ).toBe(400);
    expect((await call<Problem>('POST', '/v1/households', reliefTH, body({ intends: 'MAYBE', surveyedAt: '2026-01-20' }))).status).toBe(400);

    const h = await register(
      reliefTH,
      body({ intends: 'YES', when: '1_TO_3_MONTHS', obstacles: ['MINES_OR_UXO', 'HOUSE_DESTROYED'], surveyedAt: '2026-01-20' }),
    );
    let now = await stats();
    expect(now.households.YES).toBe(start.households.YES! + 1);
    expect(now.byWhen['1_TO_3_MONTHS']).toBe(start.byWhen['1_TO_3_MONTHS']! + 1);
    expect(now.byObstacle.MINES_OR_UXO).toBe(start.byObstacle.MINES_OR_UXO! + 1);
    expect(now.households.notSurveyed).toBe(start.households.notSurveyed);

    const changed = await call<Household>(
      'PATCH',
      `/v1/households/${h.id}`,
      reliefTH,
      { returnIntentions: { intends: 'UNDECIDED', obstacles: ['INSECURITY'], surveyedAt: '2026-02-01' } },
      { 'if-match': `"${h.version}"` },
    );
    expect(changed.status).toBe(200);
    now = await stats();
    expect(now.households.YES).toBe(start.households.YES);
    expect(now.households.UNDECIDED).toBe(start.households.UNDECIDED! + 1);
    expect(now.byObstacle.MINES_OR_UXO).toBe(start.byObstacle.MINES_OR_UXO);
    expect(now.byObstacle.INSECURITY).toBe(start.byObstacle.INSECURITY! + 1);

    const csv = await call('GET', '/v1/stats/displacement?country=TH&province=TH34&format=csv', admin);
    const [header, hxl, row] = csv.text.trim().split('\r\n');
    const col = header!.split(',').indexOf('households_obstacle_insecurity');
    expect(col).toBeGreaterThan(0);
    expect(hxl!.split(',')[col]).toBe('#affected+idps+hh+obstacle_insecurity');
    expect(Number(row!.split(',')[col])).toBeGreaterThanOrEqual(1);

    // A returned household's intentions are history: no longer counted.
    await move(reliefTH, changed.body, { to: 'RETURNED', effectiveDate: today });
    expect((await stats()).households.UNDECIDED).toBe(start.households.UNDECIDED);
  });
});
