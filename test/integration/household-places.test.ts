import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as sitesApp } from '../../functions/sites/app.ts';
import { householdImportRoutes } from '../../functions/households/imports.ts';
import { app as tasksApp } from '../../functions/tasks/app.ts';
import { app as clearedAreasApp } from '../../functions/cleared-areas/app.ts';
import { readGazetteerDir } from '../../infra/local/gazetteer-files.ts';
import { mountLocalImports, startLocalImport } from '../../infra/local/imports.ts';
import { loadEdition } from '#shared/db/repositories/gazetteer.ts';
import type { Household } from '#shared/domain/household.ts';
import type { HouseholdImportView } from '#shared/domain/household-import.ts';
import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { createHazard, square } from '../support/fixtures.ts';
import { csvOf, headRow, householdsOf } from '../support/imports.ts';
import { bearer } from '../support/tokens.ts';

process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-places-'));

let relief: Record<string, string>;
let ministry: Record<string, string>;
let ops: Record<string, string>;

async function call<T>(
  app: { request: Hono['request'] },
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
  extra: Record<string, string> = {},
) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, res, text, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as T };
}

const household = (overrides: Record<string, unknown> = {}) => ({
  origin: { province: 'KH22', adm2: 'KH2203', adm3: 'KH220301', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [{ givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD' }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  ...overrides,
});

beforeAll(async () => {
  relief = await bearer({ role: 'relief', country: 'KH', org: 'CARE' });
  ministry = await bearer({ role: 'ministry', country: 'KH' });
  ops = await bearer({ role: 'operations', country: 'KH' });
  const shipped = await readGazetteerDir();
  await loadEdition(shipped.edition, shipped.countries, { sub: 'test', role: 'admin', org: 'test' });
});

describe('coded places of a household', () => {
  it('refuses a commune that is not in the district given, naming both codes, and registers nothing', async () => {
    const r = await call<{ detail: string; errors: { path: string; message: string }[] }>(
      householdsApp,
      'POST',
      '/v1/households',
      relief,
      household({ origin: { province: 'KH22', adm2: 'KH2201', adm3: 'KH220301' } }),
    );
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'body.origin.adm3', message: 'commune KH220301 is not in district KH2201 (it lies in district KH2203)' }]);
    expect(r.body.detail).toContain('KH220301');
    expect(r.body.detail).toContain('KH2201');
    const listed = await call<{ items: unknown[] }>(householdsApp, 'GET', '/v1/households', relief);
    expect(listed.body.items).toEqual([]);
  });

  it('registers a household sheltering in Phnom Penh (not a border province), with its codes', async () => {
    const r = await call<Household>(
      householdsApp,
      'POST',
      '/v1/households',
      relief,
      household({ current: { province: 'KH12', adm2: 'KH1201', adm3: 'KH120101', hostCommunity: 'Relatives in Tonle Basak' } }),
    );
    expect(r.status, r.text).toBe(201);
    expect(r.body.current).toMatchObject({ province: 'KH12', adm2: 'KH1201', adm3: 'KH120101' });
    expect(r.body.origin).toMatchObject({ adm2: 'KH2203', adm3: 'KH220301' });
  });

  it('refuses unknown codes, a village in Thailand and the other country; a PATCH with an unchanged place is not checked again', async () => {
    const unknown = await call<{ errors: { path: string }[] }>(
      householdsApp,
      'POST',
      '/v1/households',
      relief,
      household({ destination: { province: 'KH22', adm3: 'KH229999' } }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e) => e.path)).toEqual(['body.destination.adm3']);
    const created = await call<Household>(householdsApp, 'POST', '/v1/households', relief, household());
    const patched = await call<Household>(
      householdsApp,
      'PATCH',
      `/v1/households/${created.body.id}`,
      relief,
      { current: { province: 'KH17', adm2: 'KH1799', site: 'Pagoda camp 4' } },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(400);
    const ok = await call<Household>(
      householdsApp,
      'PATCH',
      `/v1/households/${created.body.id}`,
      relief,
      { destination: { province: 'KH22', adm2: 'KH2203', adm3: 'KH220302' } },
      { 'if-match': '"1"' },
    );
    expect(ok.status, ok.text).toBe(200);
  });

  it('counts households by origin district and commune, and exports a district row with #adm2+code', async () => {
    const byDistrict = await call<{ scope: { adm2: string }; households: { total: number } }>(sitesApp, 'GET', '/v1/stats/displacement?adm2=KH2203', ministry);
    expect(byDistrict.status).toBe(200);
    expect(byDistrict.body.scope.adm2).toBe('KH2203');
    expect(byDistrict.body.households.total).toBe(2);
    const byCommune = await call<{ households: { total: number } }>(sitesApp, 'GET', '/v1/stats/displacement?adm3=KH220301', ministry);
    expect(byCommune.body.households.total).toBe(2);
    const csv = await call<string>(sitesApp, 'GET', '/v1/stats/displacement?country=KH&level=adm2&format=csv', ministry);
    const [header, hxl, ...rows] = csv.text.trim().split('\r\n');
    expect(header!.split(',').slice(0, 5)).toEqual(['country', 'province_pcode', 'province_name', 'district_pcode', 'district_name']);
    expect(hxl!.split(',').slice(0, 5)).toEqual(['#country+code', '#adm1+code', '#adm1+name', '#adm2+code', '#adm2+name']);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.split(',').slice(0, 6)).toEqual(['KH', 'KH22', 'Oddar Meanchey', 'KH2203', 'Chong Kal', '2']);
    const communes = await call<string>(sitesApp, 'GET', '/v1/stats/displacement?country=KH&level=adm3&format=csv', ministry);
    expect(communes.text.split('\r\n')[1]).toContain('#adm3+code');
  });
});

describe('return safety without a point', () => {
  it('stays UNKNOWN with the open hazard areas of the destination commune and reason NO_POINT, never a centroid', async () => {
    const hazard = await createHazard(ops, { country: 'KH', province: 'KH22', adm2: 'KH2203', adm3: 'KH220302', geometry: square(103.6, 14.3) });
    const r = await call<Household>(
      householdsApp,
      'POST',
      '/v1/households',
      relief,
      household({ destination: { province: 'KH22', adm2: 'KH2203', adm3: 'KH220302', village: 'Chong Kal' } }),
    );
    expect(r.status).toBe(201);
    expect(r.body.returnSafety).toMatchObject({ status: 'UNKNOWN', hazardAreaIds: [], nearbyHazardAreaIds: [hazard.id], reason: 'NO_POINT' });
    expect(r.body.destination?.point).toBeUndefined();
    const elsewhere = await call<Household>(
      householdsApp,
      'POST',
      '/v1/households',
      relief,
      household({ destination: { province: 'KH22', adm3: 'KH220301' } }),
    );
    expect(elsewhere.body.returnSafety).toEqual({ status: 'UNKNOWN', hazardAreaIds: [], checkedAt: expect.any(String) });
  });

  it('counts land release by the hazard area’s district too (JSON and CSV level=adm2)', async () => {
    const qa = await bearer({ role: 'qa', country: 'KH' });
    const district = await call<{ scope: { adm2: string }; hazardAreasByStatus: Record<string, number> }>(
      clearedAreasApp,
      'GET',
      '/v1/stats/land-release?adm2=KH2203',
      qa,
    );
    expect(district.status).toBe(200);
    expect(district.body.scope.adm2).toBe('KH2203');
    expect(district.body.hazardAreasByStatus.OPEN).toBe(1);
    const csv = await call<string>(clearedAreasApp, 'GET', '/v1/stats/land-release?country=KH&level=adm2&format=csv', qa);
    const [header, hxl, ...rows] = csv.text.trim().split('\r\n');
    expect(header!.split(',').slice(0, 4)).toEqual(['country', 'province_pcode', 'province_name', 'district_pcode']);
    expect(hxl!.split(',')[3]).toBe('#adm2+code');
    expect(rows.map((r) => r.split(',').slice(0, 4))).toEqual([['KH', 'KH22', 'Oddar Meanchey', 'KH2203']]);
  });

  it('refuses a hazard area whose commune is not in its district', async () => {
    const r = await call<{ errors: { path: string; message: string }[] }>(tasksApp, 'POST', '/v1/hazard-areas', ops, {
      name: 'x',
      country: 'KH',
      province: 'KH22',
      adm2: 'KH2201',
      adm3: 'KH220302',
      classification: 'SHA',
      evidence: 'INDIRECT',
      dateOfInformation: '2026-01-10',
      contamination: [{ category: 'AP_MINE', period: 'LEGACY' }],
      geometry: square(103.6, 14.3),
    });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'body.adm3', message: 'commune KH220302 is not in district KH2201 (it lies in district KH2203)' }]);
  });
});

describe('CSV import with place codes', () => {
  const api = new Api({ idempotency });
  householdImportRoutes(api);
  const root = new Hono();
  mountLocalImports(root);
  root.route('/', api.app);

  it('checks *_adm2/*_adm3/*_adm4 like the API and counts the imported ones by district', async () => {
    const importer = await bearer({ role: 'relief', country: 'KH', org: 'IMPORTER', sub: 'registrar-importer' });
    const created = await call<{ id: string; uploadUrl: string }>(root, 'POST', '/v1/household-imports', importer, {});
    const url = new URL(created.body.uploadUrl);
    const file = csvOf([
      headRow('good', { origin_adm2: 'KH2202', origin_adm3: 'KH220201', origin_adm4: 'KH22020101', current_province: 'KH12', current_adm2: 'KH1202' }),
      headRow('bad', { origin_adm2: 'KH2201', origin_adm3: 'KH220201' }),
    ]);
    expect((await root.request(`${url.pathname}${url.search}`, { method: 'PUT', body: file, headers: { 'content-type': 'text/csv' } })).status).toBe(200);
    await startLocalImport(created.body.id);
    const job = await call<HouseholdImportView>(root, 'GET', `/v1/household-imports/${created.body.id}`, importer);
    expect(job.body).toMatchObject({ status: 'COMPLETED', households: 1, householdsRejected: 1 });
    expect(job.body.errors).toEqual([
      { row: 3, message: 'household bad: origin_adm3: commune KH220201 is not in district KH2201 (it lies in district KH2202)' },
    ]);
    const stored = await householdsOf('IMPORTER');
    expect(stored.map((h) => (h.origin as Record<string, string>).adm4)).toEqual(['KH22020101']);
    const stats = await call<{ households: { total: number } }>(sitesApp, 'GET', '/v1/stats/displacement?adm2=KH2202', ministry);
    expect(stats.body.households.total).toBe(1);
  });
});
