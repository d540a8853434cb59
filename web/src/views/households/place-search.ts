/**
 * Places of the gazetteer as the console shows them (pure): a unit's name in the user's language
 * (Khmer or Thai where the gazetteer has it, English otherwise, with the English beside a national
 * name), and the search that matches a typed text against the names in every script and the code.
 */
import type { Lang } from '../../app/i18n.ts';

export interface PlaceUnit {
  pcode: string;
  level: 'adm1' | 'adm2' | 'adm3' | 'adm4';
  name: { en: string; km?: string | undefined; th?: string | undefined };
}

/** Levels a place can be picked down to in a country: villages only in Cambodia. */
export const pickLevels = (country: 'KH' | 'TH' | ''): ('adm2' | 'adm3' | 'adm4')[] =>
  country === 'KH' ? ['adm2', 'adm3', 'adm4'] : country === 'TH' ? ['adm2', 'adm3'] : [];

/** The unit's name for a reader of `lang`: the national name in its own language, English otherwise. */
export function unitLabel(u: PlaceUnit, lang: Lang): string {
  const local = lang === 'km' ? u.name.km : lang === 'th' ? u.name.th : undefined;
  if (!local || local === u.name.en) return u.name.en;
  return `${local} (${u.name.en})`;
}

const fold = (s: string) => s.normalize('NFC').toLocaleLowerCase().replace(/\s+/g, ' ').trim();

/** Whether a unit matches what was typed: any of its names (English, Khmer, Thai) or its code contains it. */
export function matchesPlace(u: PlaceUnit, typed: string): boolean {
  const q = fold(typed);
  if (q === '') return true;
  return [u.name.en, u.name.km, u.name.th, u.pcode].some((n) => n !== undefined && fold(n).includes(q));
}
