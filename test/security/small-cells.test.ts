import { beforeAll, describe, expect, it } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as sitesApp } from '../../functions/sites/app.ts';
import { csvCount, readsEveryHousehold, suppressSmallCells } from '#shared/domain/small-cells.ts';
import { bearer } from '../support/tokens.ts';

const year = new Date().getUTCFullYear();

type Counts = Record<string, number | null>;
interface Stats {
  households: { total: number | null; byStatus: Counts };
  people: { total: number | null; bySexAndAge: Record<string, Counts> };
  specificNeeds: { people: number | null; byCategory: Counts; byCode: Counts };
  suppressed: string[];
}

async function call(path: string, headers: Record<string, string>, init: RequestInit = {}) {
  const res = await (path.startsWith('/v1/stats/') ? sitesApp : householdsApp).request(path, {
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  return { status: res.status, text, body: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as Stats };
}

const member = (sex: 'F' | 'M', age: number, relationship: string, specificNeeds: string[] = []) => ({
  givenName: 'Channary',
  familyName: 'Keo',
  sex,
  birthYear: year - age,
  relationship,
  specificNeeds,
});

describe('small cells in the unit rule', () => {
  it('withholds 1 to 4 at the given paths, keeps 0 and 5, and lists what it withheld', () => {
    const answer = { total: 12, byCode: { 'SV-VA': 3, 'SV-FM': 0, 'SP-PT': 5, 'DS-PM': 1 }, year: 3 };
    const { value, suppressed } = suppressSmallCells(answer, ['total', 'byCode.*']);
    expect(value).toEqual({ total: 12, byCode: { 'SV-VA': null, 'SV-FM': 0, 'SP-PT': 5, 'DS-PM': null }, year: 3 });
    expect(suppressed).toEqual(['byCode.SV-VA', 'byCode.DS-PM']);
    expect(answer.byCode['SV-VA']).toBe(3);
  });

  it('writes <5 in CSV only when suppressing, and 0 as 0', () => {
    expect([0, 1, 4, 5].map((n) => csvCount(n, true))).toEqual(['0', '<5', '<5', '5']);
    expect(csvCount(3, false)).toBe('3');
  });

  it('gives exact counts only to admins and to a ministry over its own country', () => {
    expect(readsEveryHousehold({ role: 'admin' }, ['KH', 'TH'])).toBe(true);
    expect(readsEveryHousehold({ role: 'ministry', country: 'KH' }, ['KH'])).toBe(true);
    expect(readsEveryHousehold({ role: 'ministry', country: 'TH' }, ['KH'])).toBe(false);
    expect(readsEveryHousehold({ role: 'ministry', country: 'KH' }, ['KH', 'TH'])).toBe(false);
    expect(readsEveryHousehold({ role: 'relief', country: 'KH' }, ['KH'])).toBe(false);
    expect(readsEveryHousehold({ role: 'observer' }, ['KH'])).toBe(false);
  });
});

describe('GET /v1/stats/displacement withholds small cells from readers who may not read every household', () => {
  let ministryKH: Record<string, string>;
  let ministryTH: Record<string, string>;
  let observer: Record<string, string>;
  let reliefOtherOrg: Record<string, string>;

  beforeAll(async () => {
    const relief = await bearer({ role: 'relief', country: 'KH', org: 'DRC' });
    ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MOSVY' });
    ministryTH = await bearer({ role: 'ministry', country: 'TH', org: 'MSDHS' });
    observer = await bearer({ role: 'observer', org: 'AOT' });
    reliefOtherOrg = await bearer({ role: 'relief', country: 'KH', org: 'IOM' });
    // One household of five in KH09, three of whom are survivors of violence.
    const res = await call(
      '/v1/households',
      { ...relief, 'content-type': 'application/json' },
      {
        method: 'POST',
        body: JSON.stringify({
          origin: { province: 'KH09', village: 'Thma Da' },
          current: { province: 'KH09', site: 'School shelter 2' },
          members: [
            member('F', 34, 'HEAD', ['SV-VA']),
            member('F', 16, 'CHILD', ['SV-VA']),
            member('F', 13, 'CHILD', ['SV-VA']),
            member('M', 9, 'CHILD'),
            member('M', 7, 'CHILD'),
          ],
          consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
        }),
      },
    );
    expect(res.status, res.text).toBe(201);
  });

  it('shows the ministry of the country the exact numbers', async () => {
    const r = await call('/v1/stats/displacement?province=KH09', ministryKH);
    expect(r.status).toBe(200);
    expect(r.body.households.total).toBe(1);
    expect(r.body.specificNeeds.byCategory.SV).toBe(3);
    expect(r.body.people.total).toBe(5);
    expect(r.body.suppressed).toEqual([]);
  });

  for (const [who, headers] of [
    ['an observer', () => observer],
    ['a relief agency reading counts of another organisation', () => reliefOtherOrg],
  ] as const) {
    it(`gives ${who} null for counts 1 to 4, listed in suppressed; 5 and 0 as they are`, async () => {
      const r = await call('/v1/stats/displacement?province=KH09', headers());
      expect(r.status).toBe(200);
      expect(r.body.specificNeeds.byCategory.SV).toBeNull();
      expect(r.body.specificNeeds.byCode['SV-VA']).toBeNull();
      expect(r.body.households.total).toBeNull();
      expect(r.body.people.bySexAndAge.M!['5-11']).toBeNull();
      expect(r.body.people.total).toBe(5);
      expect(r.body.specificNeeds.byCategory.CR).toBe(0);
      expect(r.body.households.byStatus.RETURNED).toBe(0);
      expect(r.body.suppressed).toEqual(
        expect.arrayContaining(['households.total', 'specificNeeds.byCategory.SV', 'specificNeeds.byCode.SV-VA', 'people.bySexAndAge.M.5-11']),
      );
      expect(r.body.suppressed).not.toContain('people.total');
      expect(r.text).not.toMatch(/"SV":3/);
    });

    it(`writes <5 in ${who}'s CSV and keeps 0 and 5`, async () => {
      const r = await call('/v1/stats/displacement?province=KH09&format=csv', headers());
      expect(r.status).toBe(200);
      const [header, , row] = r.text
        .trimEnd()
        .split('\r\n')
        .map((l) => l.split(','));
      const col = (name: string) => row![header!.indexOf(name)];
      expect(col('households')).toBe('<5');
      expect(col('people')).toBe('5');
      expect(col('people_needs_sv')).toBe('<5');
      expect(col('people_needs_cr')).toBe('0');
    });
  }

  it('keeps the CSV exact for the ministry of the country', async () => {
    const r = await call('/v1/stats/displacement?province=KH09&format=csv', ministryKH);
    const [header, , row] = r.text
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(row![header!.indexOf('people_needs_sv')]).toBe('3');
    expect(row![header!.indexOf('households')]).toBe('1');
  });

  it('refuses the other country outright (stricter than suppression)', async () => {
    const r = await call('/v1/stats/displacement?province=KH09', ministryTH);
    expect(r.status).toBe(403);
    expect(r.text).not.toContain('"SV"');
  });
});
