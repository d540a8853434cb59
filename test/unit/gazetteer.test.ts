import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readGazetteerDir, SHIPPED_GAZETTEER_DIR } from '../../infra/local/gazetteer-files.ts';
import {
  ancestorsOf,
  flattenProvince,
  levelOf,
  parentOf,
  placeProblems,
  type ChildUnit,
  type GazetteerView,
  type SourceUnit,
} from '../../shared/domain/gazetteer.ts';

/** Units whose code does not start with their parent's, as the source has them (see data/gazetteer/NOTICE.md). */
const KNOWN_EXCEPTIONS: Record<string, string> = { KH05051001: 'KH050511' };

describe('the shipped gazetteer edition', async () => {
  const shipped = await readGazetteerDir();
  const walk = function* (country: string, u: SourceUnit, parent: string): Generator<{ u: SourceUnit; parent: string }> {
    yield { u, parent };
    for (const k of u.districts ?? u.communes ?? u.subdistricts ?? u.villages ?? []) yield* walk(country, k, u.pcode);
  };
  const all = shipped.countries.flatMap(({ country, provinces }) => provinces.flatMap((p) => [...walk(country, p, country)]));

  it('carries its sources, both MIT licences with their copyright lines, and the edition', async () => {
    const notice = await readFile(join(SHIPPED_GAZETTEER_DIR, 'NOTICE.md'), 'utf8');
    expect(notice).toContain('Copyright (c) 2020 KhmerLang');
    expect(notice).toContain('Copyright (c) 2025 Kongvut Sangkla');
    expect(notice.match(/MIT License/g)).toHaveLength(2);
    expect(notice).toContain('NCDD');
    expect(notice).toContain(`Edition shipped: \`${shipped.edition}\``);
  });

  it('has every P-code once, at the level its length says, with an English name', () => {
    const codes = all.map((x) => x.u.pcode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.length).toBe(25 + 197 + 1646 + 14372 + 77 + 929 + 7451);
    for (const { u } of all) {
      expect(levelOf(u.pcode), u.pcode).toBeDefined();
      expect(u.en.trim(), u.pcode).not.toBe('');
    }
  });

  it("has each child's code start with its parent's, but for the known exception", () => {
    const exceptions = Object.fromEntries(
      all.filter(({ u, parent }) => u.pcode.length > 4 && !u.pcode.startsWith(parent)).map(({ u, parent }) => [u.pcode, parent]),
    );
    expect(exceptions).toEqual(KNOWN_EXCEPTIONS);
  });

  it('flattens each province into child lists without problems, recording the exception as an override', () => {
    const overrides: Record<string, string> = {};
    for (const { country, provinces } of shipped.countries) {
      for (const p of provinces) {
        const flat = flattenProvince(country, p);
        expect(flat.problems, p.pcode).toEqual([]);
        Object.assign(overrides, flat.overrides);
      }
    }
    expect(overrides).toEqual(KNOWN_EXCEPTIONS);
    expect(parentOf('KH05051001', overrides)).toBe('KH050511');
    expect(ancestorsOf('KH05051001', overrides)).toEqual(['KH050511', 'KH0505', 'KH05']);
  });
});

describe('flattenProvince', () => {
  it('refuses codes of the wrong country or level, repeats and children below the deepest level', () => {
    const bad: SourceUnit = {
      pcode: 'TH32',
      en: 'Surin',
      th: 'สุรินทร์',
      districts: [
        {
          pcode: 'TH3201',
          en: 'A',
          subdistricts: [
            { pcode: 'TH320101', en: 'B', villages: [{ pcode: 'TH32010101', en: 'C' }] },
            { pcode: 'TH320101', en: 'D' },
          ],
        },
        { pcode: 'KH2201', en: 'E' },
      ],
    };
    const flat = flattenProvince('TH', bad);
    expect(flat.problems).toEqual(expect.arrayContaining(['TH320101 has children below adm3', 'TH320101 appears twice', 'KH2201 is not a P-code of TH']));
  });
});

describe('placeProblems', () => {
  const lists: Record<string, ChildUnit[]> = {
    KH: [
      { pcode: 'KH22', en: 'Oddar Meanchey', km: 'ឧត្ដរមានជ័យ' },
      { pcode: 'KH12', en: 'Phnom Penh', km: 'ភ្នំពេញ' },
    ],
    KH22: [
      { pcode: 'KH2201', en: 'Anlong Veaeng' },
      { pcode: 'KH2203', en: 'Samraong' },
    ],
    KH2201: [{ pcode: 'KH220101', en: 'Anlong Veaeng' }],
    KH2203: [{ pcode: 'KH220305', en: 'Samraong' }],
    KH220305: [{ pcode: 'KH22030501', en: 'O Smach' }],
  };
  const view: GazetteerView = { edition: 'test', overrides: {}, children: (p) => lists[p] };
  const known = (p: string) => lists.KH!.some((u) => u.pcode === p);

  it('accepts a consistent chain and any subset of it', () => {
    expect(placeProblems('KH', { province: 'KH22', adm2: 'KH2203', adm3: 'KH220305', adm4: 'KH22030501' }, view, known)).toEqual([]);
    expect(placeProblems('KH', { province: 'KH22', adm3: 'KH220305' }, view, known)).toEqual([]);
    expect(placeProblems('KH', { province: 'KH12' }, view, known)).toEqual([]);
  });
  it('names both codes when a commune is not in the district given', () => {
    expect(placeProblems('KH', { province: 'KH22', adm2: 'KH2201', adm3: 'KH220305' }, view, known)).toEqual([
      { field: 'adm3', message: 'commune KH220305 is not in district KH2201 (it lies in district KH2203)' },
    ]);
  });
  it('refuses unknown codes, wrong levels, another country and villages in Thailand', () => {
    expect(placeProblems('KH', { province: 'KH22', adm2: 'KH2299' }, view, known)[0]?.message).toBe('KH2299 is not a district in gazetteer edition test');
    expect(placeProblems('KH', { province: 'KH22', adm2: 'KH220305' }, view, known)[0]?.field).toBe('adm2');
    expect(placeProblems('KH', { province: 'KH99' }, view, known)).toEqual([{ field: 'province', message: 'KH99 is not a known province of KH' }]);
    expect(placeProblems('TH', { province: 'TH32', adm4: 'TH32010101' }, undefined, () => true)[0]?.field).toBe('adm4');
  });
});
