/**
 * Provinces on or near the Cambodia–Thailand border (OCHA COD-AB P-codes: country code + the
 * national two-digit code). Copied from the shared reference data `border-provinces.json`.
 */
export interface Province {
  country: 'KH' | 'TH';
  pcode: string;
  name: string;
}

export const PROVINCES: readonly Province[] = [
  { country: 'KH', pcode: 'KH01', name: 'Banteay Meanchey' },
  { country: 'KH', pcode: 'KH02', name: 'Battambang' },
  { country: 'KH', pcode: 'KH09', name: 'Koh Kong' },
  { country: 'KH', pcode: 'KH13', name: 'Preah Vihear' },
  { country: 'KH', pcode: 'KH15', name: 'Pursat' },
  { country: 'KH', pcode: 'KH17', name: 'Siem Reap' },
  { country: 'KH', pcode: 'KH22', name: 'Oddar Meanchey' },
  { country: 'KH', pcode: 'KH24', name: 'Pailin' },
  { country: 'TH', pcode: 'TH22', name: 'Chanthaburi' },
  { country: 'TH', pcode: 'TH23', name: 'Trat' },
  { country: 'TH', pcode: 'TH27', name: 'Sa Kaeo' },
  { country: 'TH', pcode: 'TH31', name: 'Buri Ram' },
  { country: 'TH', pcode: 'TH32', name: 'Surin' },
  { country: 'TH', pcode: 'TH33', name: 'Si Sa Ket' },
  { country: 'TH', pcode: 'TH34', name: 'Ubon Ratchathani' },
];

const byCode = new Map(PROVINCES.map((p) => [p.pcode, p]));

export const provinceOf = (pcode: string): Province | undefined => byCode.get(pcode);

/** True when the P-code is one of the border provinces of that country (where hazard areas and tasks lie). */
export const isProvinceOf = (pcode: string, country: string): boolean => byCode.get(pcode)?.country === country;

/**
 * Every province of each country (of the gazetteer edition shipped in `data/gazetteer/`), by its
 * national two digits: where a place need not be on the border (a family sheltering in Phnom Penh
 * or Bangkok), any of them is valid. Once a gazetteer edition is loaded its own province list
 * decides (`shared/db/repositories/gazetteer.ts`); this list stands in until then.
 */
const COUNTRY_PROVINCES: Record<'KH' | 'TH', ReadonlySet<string>> = {
  KH: new Set('01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25'.split(' ').map((d) => `KH${d}`)),
  TH: new Set(
    (
      '10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 60 61 62 ' +
      '63 64 65 66 67 70 71 72 73 74 75 76 77 80 81 82 83 84 85 86 90 91 92 93 94 95 96'
    )
      .split(' ')
      .map((d) => `TH${d}`),
  ),
};

/** True when the P-code is a province of that country in the shipped gazetteer edition (border or not). */
export const isCountryProvince = (pcode: string, country: string): boolean => COUNTRY_PROVINCES[country as 'KH' | 'TH']?.has(pcode) ?? false;
