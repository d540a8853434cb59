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

/** True when the P-code is a known province of that country. */
export const isProvinceOf = (pcode: string, country: string): boolean => byCode.get(pcode)?.country === country;
