import { beforeAll, describe, expect, it } from 'vitest';
import { app as placesApp } from '../../functions/places/app.ts';
import { readGazetteerDir, type GazetteerFiles } from '../../infra/local/gazetteer-files.ts';
import { checkPlaces, forgetGazetteerCache, loadEdition } from '#shared/db/repositories/gazetteer.ts';
import type { SourceUnit } from '#shared/domain/gazetteer.ts';
import { bearer } from '../support/tokens.ts';

let admin: Record<string, string>;
let relief: Record<string, string>;
let shipped: GazetteerFiles;

async function call<T>(method: string, path: string, headers: Record<string, string>, body?: unknown, extra: Record<string, string> = {}) {
  const res = await placesApp.request(path, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, res, text, body: (text ? JSON.parse(text) : undefined) as T };
}

type Unit = { pcode: string; level: string; parent: string | null; name: Record<string, string> };
type Listing = { edition: string; parent: string; items: Unit[] };

beforeAll(async () => {
  admin = await bearer({ role: 'admin' });
  relief = await bearer({ role: 'relief', country: 'KH', org: 'UNHCR' });
  shipped = await readGazetteerDir();
  await loadEdition(shipped.edition, shipped.countries, { sub: 'test', role: 'admin', org: 'test' });
});

describe('GET /v1/places', () => {
  it("lists a country's provinces with English and Khmer names, cacheable with an ETag", async () => {
    const r = await call<Listing>('GET', '/v1/places?parent=KH', relief);
    expect(r.status).toBe(200);
    expect(r.body.edition).toBe('2026-01');
    expect(r.body.items).toHaveLength(25);
    expect(r.body.items.find((u) => u.pcode === 'KH12')).toEqual({
      pcode: 'KH12',
      level: 'adm1',
      country: 'KH',
      parent: null,
      name: { en: 'Phnom Penh Capital', km: expect.stringMatching(/\p{Script=Khmer}/u) },
    });
    expect(r.res.headers.get('cache-control')).toBe('private, max-age=3600');
    const etag = r.res.headers.get('etag')!;
    expect(etag).toBe('"2026-01:KH"');
    const again = await call('GET', '/v1/places?parent=KH', relief, undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it("lists a Thai province's districts and a district's tambons in Thai", async () => {
    const districts = await call<Listing>('GET', '/v1/places?parent=TH32', relief);
    expect(districts.status).toBe(200);
    expect(districts.body.items[0]).toMatchObject({ pcode: 'TH3201', level: 'adm2', parent: 'TH32', name: { th: expect.stringMatching(/\p{Script=Thai}/u) } });
    const tambons = await call<Listing>('GET', '/v1/places?parent=TH3201', relief);
    expect(tambons.body.items.every((u) => u.level === 'adm3' && u.pcode.startsWith('TH3201'))).toBe(true);
  });

  it('answers 404 for a unit without children and 400 for a malformed parent, with no-store on errors', async () => {
    const none = await call('GET', '/v1/places?parent=TH320101', relief);
    expect(none.status).toBe(404);
    expect(none.res.headers.get('cache-control')).toBe('no-store');
    expect((await call('GET', '/v1/places?parent=KH2', relief)).status).toBe(400);
    expect((await call('GET', '/v1/places?parent=KH', {})).status).toBe(401);
  });
});

describe('GET /v1/places/{pcode}', () => {
  it('answers a village with its commune, district and province, following the source for KH05051001', async () => {
    const r = await call<Unit & { parents: Unit[] }>('GET', '/v1/places/KH05051001', relief);
    expect(r.status).toBe(200);
    expect(r.body.parent).toBe('KH050511');
    expect(r.body.parents.map((p) => p.pcode)).toEqual(['KH050511', 'KH0505', 'KH05']);
    expect((await call('GET', '/v1/places/KH99999999', relief)).status).toBe(404);
  });
});

describe('the shared place check', () => {
  it("names both codes when a commune is not in the district given, and accepts Phnom Penh's communes", async () => {
    expect(await checkPlaces('KH', [{ path: 'body.origin', place: { province: 'KH22', adm2: 'KH2201', adm3: 'KH220301' } }])).toEqual([
      { path: 'body.origin.adm3', message: expect.stringMatching(/^commune KH220301 is not in district KH2201/) },
    ]);
    expect(await checkPlaces('KH', [{ path: 'body.current', place: { province: 'KH12', adm2: 'KH1201' } }])).toEqual([]);
    expect(await checkPlaces('KH', [{ path: 'body', place: { province: 'KH12' }, border: true }])).toEqual([
      { path: 'body.province', message: 'KH12 is not a known province of KH' },
    ]);
  });
});

describe('loading a newer edition', () => {
  it('is for admins only, checks the tree, reports the codes it drops, and keeps them readable', async () => {
    const kh22 = structuredClone(shipped.countries[0]!.provinces.find((p) => p.pcode === 'KH22')!) as SourceUnit;
    const district = kh22.districts![0]!;
    const droppedCommune = district.communes!.pop()!;
    district.communes!.push({ pcode: `${district.pcode}99`, en: 'New commune', km: 'ឃុំថ្មី' });

    expect((await call('PUT', '/v1/places/editions/2026-06/provinces/KH22', relief, kh22)).status).toBe(403);
    const bad = await call<{ errors: { message: string }[] }>('PUT', '/v1/places/editions/2026-06/provinces/KH22', admin, {
      ...kh22,
      districts: [{ pcode: 'TH3201', en: 'x' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]!.message).toContain('TH3201');

    for (const { country, provinces } of shipped.countries) {
      for (const p of provinces) {
        const body = p.pcode === 'KH22' ? kh22 : p;
        const r = await call('PUT', `/v1/places/editions/2026-06/provinces/${p.pcode}`, admin, body);
        expect(r.status, `${country} ${p.pcode}: ${r.text}`).toBe(200);
      }
    }
    const activated = await call<{ previous: string; dropped: { count: number; codes: { pcode: string }[] }; added: number }>(
      'POST',
      '/v1/places/editions/2026-06/activation',
      admin,
    );
    expect(activated.status, activated.text).toBe(200);
    expect(activated.body.previous).toBe('2026-01');
    const droppedCodes = [droppedCommune.pcode, ...(droppedCommune.villages ?? []).map((v) => v.pcode)].sort();
    expect(activated.body.dropped.count).toBe(droppedCodes.length);
    expect(activated.body.dropped.codes.map((c) => c.pcode)).toEqual(droppedCodes);
    expect(activated.body.added).toBe(1);

    forgetGazetteerCache();
    const listed = await call<Listing>('GET', `/v1/places?parent=${district.pcode}`, relief);
    expect(listed.body.edition).toBe('2026-06');
    expect(listed.body.items.map((u) => u.pcode)).toContain(`${district.pcode}99`);
    const old = await call<{ edition: string; retired: { lastEdition: string; droppedIn: string } }>('GET', `/v1/places/${droppedCommune.pcode}`, relief);
    expect(old.status).toBe(200);
    expect(old.body.retired).toEqual({ lastEdition: '2026-01', droppedIn: '2026-06' });

    expect((await call('PUT', '/v1/places/editions/2026-06/provinces/KH22', admin, kh22)).status).toBe(409);
    expect((await call('POST', '/v1/places/editions/2026-06/activation', admin)).status).toBe(409);
    const editions = await call<{ current: string; items: { edition: string }[] }>('GET', '/v1/places/editions', relief);
    expect(editions.body.current).toBe('2026-06');
    expect(editions.body.items.map((e) => e.edition)).toEqual(['2026-01', '2026-06']);
  }, 180_000);
});
