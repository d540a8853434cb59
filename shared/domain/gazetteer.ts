import type { Country } from './common.ts';

/**
 * The gazetteer: administrative units of both countries with P-codes (OCHA COD-AB style: the
 * country's ISO code and two digits per level) and names in English and the national language
 * (Khmer `km` for Cambodia, Thai `th` for Thailand). Pure: levels, parents, the shape of an
 * edition's source files, the checks an edition must pass and the checks a place must pass.
 *
 * Levels: `adm1` province (KH22), `adm2` district (KH2201), `adm3` commune / sub-district
 * (KH220101), `adm4` village (KH22010101, Cambodia only). A unit's parent is its code without the
 * last two digits, except where an edition records a parent override (the source places the village
 * KH05051001 under commune KH050511): those are kept as the source has them, never "corrected".
 *
 * The data itself lives in the table, one item per parent with its children (an edition loaded by
 * an administrator, `shared/db/repositories/gazetteer.ts`), so no function bundle carries it.
 */

export const PLACE_LEVELS = ['adm1', 'adm2', 'adm3', 'adm4'] as const;
export type PlaceLevel = (typeof PLACE_LEVELS)[number];

/** The national language of each country's names. */
export const NATIONAL_LANGUAGE = { KH: 'km', TH: 'th' } as const satisfies Record<Country, string>;

/** The deepest level each country's gazetteer has. */
export const DEEPEST_LEVEL: Record<Country, PlaceLevel> = { KH: 'adm4', TH: 'adm3' };

/** What each level is called, per country (for messages a registrar reads). */
export const LEVEL_NAMES: Record<Country, Record<PlaceLevel, string>> = {
  KH: { adm1: 'province', adm2: 'district', adm3: 'commune', adm4: 'village' },
  TH: { adm1: 'province', adm2: 'district', adm3: 'sub-district', adm4: 'village' },
};

/** Any P-code of either country at any level. */
export const PCODE = /^(KH|TH)(\d{2}){1,4}$/;

/** An edition's name: letters, digits, dot, dash, underscore (it appears in keys and ETags). */
export const EDITION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/** A unit as stored among its parent's children: code and names. */
export interface ChildUnit {
  pcode: string;
  en: string;
  km?: string | undefined;
  th?: string | undefined;
}

/** The level of a P-code by its length, or undefined when it is not one. */
export function levelOf(pcode: string): PlaceLevel | undefined {
  if (!PCODE.test(pcode)) return undefined;
  return PLACE_LEVELS[(pcode.length - 4) / 2];
}

export const countryOf = (pcode: string): Country => pcode.slice(0, 2) as Country;

/**
 * The parent of a unit: the country for a province, else the code without its last two digits,
 * unless the edition records an override for it.
 */
export function parentOf(pcode: string, overrides: Readonly<Record<string, string>> = {}): string {
  const override = overrides[pcode];
  if (override) return override;
  return pcode.length <= 4 ? pcode.slice(0, 2) : pcode.slice(0, -2);
}

/** The unit's ancestors, nearest first, up to and including its province (never the country). */
export function ancestorsOf(pcode: string, overrides: Readonly<Record<string, string>> = {}): string[] {
  const out: string[] = [];
  for (let at = pcode; at.length > 4; ) {
    at = parentOf(at, overrides);
    out.push(at);
  }
  return out;
}

/** The national-language name of a unit of `country`. */
export const nationalName = (country: Country, u: ChildUnit): string | undefined => (country === 'KH' ? u.km : u.th);

/** A unit's names as the API shows them: `{ en, km }` in Cambodia, `{ en, th }` in Thailand. */
export const namesOf = (country: Country, u: ChildUnit): Record<string, string> => {
  const local = nationalName(country, u);
  return { en: u.en, ...(local !== undefined ? { [NATIONAL_LANGUAGE[country]]: local } : {}) };
};

// ---------------------------------------------------------------------------------------------
// Editions: the source files (one tree per country) and their checks.

/** A unit of a source file: `districts` under a province, `communes` or `subdistricts` under a district, `villages` under a commune. */
export interface SourceUnit {
  pcode: string;
  en: string;
  km?: string;
  th?: string;
  districts?: SourceUnit[];
  communes?: SourceUnit[];
  subdistricts?: SourceUnit[];
  villages?: SourceUnit[];
  lat?: number;
  lon?: number;
}

const childrenIn = (u: SourceUnit): SourceUnit[] => u.districts ?? u.communes ?? u.subdistricts ?? u.villages ?? [];

/** One parent's children, as the edition stores them. */
export interface ChildList {
  parent: string;
  children: ChildUnit[];
}

/** A province of a source file as child lists (the province's own names in the country's list). */
export interface FlatProvince {
  province: ChildUnit;
  lists: ChildList[];
  /** Units whose code does not start with their parent's: unit → its parent as the source has it. */
  overrides: Record<string, string>;
  problems: string[];
  units: number;
}

const unitOf = (country: Country, u: SourceUnit): ChildUnit => {
  const local = country === 'KH' ? u.km : u.th;
  return { pcode: u.pcode, en: u.en, ...(local !== undefined ? { [NATIONAL_LANGUAGE[country]]: local } : {}) };
};

/**
 * A province's tree → the child lists to store, with what is wrong with it: codes that are not
 * P-codes of the country, at the wrong level, missing names, or repeated. A unit whose code does
 * not start with its parent's is kept where the source puts it and recorded in `overrides`.
 */
export function flattenProvince(country: Country, tree: SourceUnit): FlatProvince {
  const problems: string[] = [];
  const overrides: Record<string, string> = {};
  const lists: ChildList[] = [];
  const seen = new Set<string>();
  let units = 0;
  const visit = (u: SourceUnit, expected: PlaceLevel, parent: string) => {
    units++;
    const level = levelOf(u.pcode ?? '');
    if (typeof u.pcode !== 'string' || !level || countryOf(u.pcode) !== country) problems.push(`${String(u.pcode)} is not a P-code of ${country}`);
    else if (level !== expected) problems.push(`${u.pcode} is at ${level} where ${expected} was expected (under ${parent})`);
    if (seen.has(u.pcode)) problems.push(`${u.pcode} appears twice`);
    seen.add(u.pcode);
    if (typeof u.en !== 'string' || u.en.trim() === '') problems.push(`${u.pcode} has no English name`);
    if (expected !== 'adm1' && !u.pcode.startsWith(parent)) overrides[u.pcode] = parent;
    const kids = childrenIn(u);
    const next = PLACE_LEVELS[PLACE_LEVELS.indexOf(expected) + 1];
    if (kids.length > 0) {
      if (!next || PLACE_LEVELS.indexOf(next) > PLACE_LEVELS.indexOf(DEEPEST_LEVEL[country]))
        problems.push(`${u.pcode} has children below ${DEEPEST_LEVEL[country]}`);
      else {
        lists.push({ parent: u.pcode, children: kids.map((k) => unitOf(country, k)) });
        for (const k of kids) visit(k, next, u.pcode);
      }
    }
  };
  visit(tree, 'adm1', country);
  return { province: unitOf(country, tree), lists, overrides, problems, units };
}

/** Every code of an edition's child lists, with its parent: for uniqueness checks and for diffs. */
export function codesOf(lists: readonly ChildList[]): Map<string, { parent: string; unit: ChildUnit }> {
  const out = new Map<string, { parent: string; unit: ChildUnit }>();
  for (const l of lists) for (const u of l.children) out.set(u.pcode, { parent: l.parent, unit: u });
  return out;
}

/** Codes of `before` that `after` no longer has (reported when an edition replaces another; old records keep them). */
export function disappeared(before: ReadonlyMap<string, unknown>, after: ReadonlyMap<string, unknown>): string[] {
  return [...before.keys()].filter((c) => !after.has(c)).sort();
}

// ---------------------------------------------------------------------------------------------
// Places: the codes a record carries, checked against an edition and against each other.

/** The coded part of a place: its province and, optionally, district, commune and (Cambodia) village. */
export interface PlaceCodes {
  province: string;
  adm2?: string | undefined;
  adm3?: string | undefined;
  adm4?: string | undefined;
}

/** What a place check reads: an edition's children of a parent (undefined when it has none). */
export interface GazetteerView {
  edition: string;
  overrides: Readonly<Record<string, string>>;
  children(parent: string): readonly ChildUnit[] | undefined;
}

/** The parents whose children a check of these places reads. */
export function parentsToRead(country: Country, places: readonly PlaceCodes[], overrides: Readonly<Record<string, string>>): string[] {
  const out = new Set<string>([country]);
  for (const p of places) {
    out.add(p.province);
    for (const code of [p.adm2, p.adm3, p.adm4])
      if (code && PCODE.test(code)) for (const a of [parentOf(code, overrides), ...ancestorsOf(code, overrides)]) out.add(a);
  }
  return [...out];
}

export interface PlaceProblem {
  /** The field: `province`, `adm2`, `adm3` or `adm4`. */
  field: keyof PlaceCodes;
  message: string;
}

const CODE_LEVEL: Record<'adm2' | 'adm3' | 'adm4', PlaceLevel> = { adm2: 'adm2', adm3: 'adm3', adm4: 'adm4' };

/**
 * What is wrong with a place's codes in `country`: a province that is not the country's, a code at
 * the wrong level, unknown in the edition, or not inside the unit given above it ("commune
 * KH220305 is not in district KH2201": both codes named). `provinceKnown` decides the province
 * (every province of the country, or the border provinces where a place must be on the border).
 */
export function placeProblems(country: Country, place: PlaceCodes, view: GazetteerView | undefined, provinceKnown: (pcode: string) => boolean): PlaceProblem[] {
  const problems: PlaceProblem[] = [];
  const names = LEVEL_NAMES[country];
  if (!provinceKnown(place.province)) problems.push({ field: 'province', message: `${place.province} is not a known province of ${country}` });
  // The nearest code given above each level: the one a lower code must lie in.
  let above: { code: string; level: PlaceLevel } = { code: place.province, level: 'adm1' };
  for (const field of ['adm2', 'adm3', 'adm4'] as const) {
    const code = place[field];
    if (code === undefined) continue;
    const level = CODE_LEVEL[field];
    if (field === 'adm4' && DEEPEST_LEVEL[country] !== 'adm4') {
      problems.push({ field, message: `${country}'s gazetteer has no villages: give the ${names.adm3} (adm3) and the village as text` });
      continue;
    }
    if (levelOf(code) !== level || countryOf(code) !== country) {
      problems.push({
        field,
        message: `${code} is not a ${names[level]} P-code of ${country} (${level}: ${country} and ${(PLACE_LEVELS.indexOf(level) + 1) * 2} digits)`,
      });
      continue;
    }
    if (!view) {
      problems.push({ field, message: `no gazetteer edition is loaded, so ${code} cannot be checked (an administrator loads one)` });
      continue;
    }
    const parent = parentOf(code, view.overrides);
    if (!view.children(parent)?.some((u) => u.pcode === code)) {
      problems.push({ field, message: `${code} is not a ${names[level]} in gazetteer edition ${view.edition}` });
      continue;
    }
    const chain = [parent, ...ancestorsOf(parent, view.overrides)];
    if (!chain.includes(above.code)) {
      problems.push({
        field,
        message: `${names[level]} ${code} is not in ${names[above.level]} ${above.code} (it lies in ${names[levelOf(parent) ?? 'adm1']} ${parent})`,
      });
      continue;
    }
    above = { code, level };
  }
  return problems;
}

const CHILD_KEYS = ['districts', 'communes', 'subdistricts', 'villages'] as const;
const MAX_TREE_DEPTH = 4;

/**
 * The shape of a province tree received over the API, checked before it is read: objects with a
 * string `pcode` and `en`, optional string `km`/`th`, numeric `lat`/`lon`, and at most one list of
 * children, at most four levels deep. Answers the first problems found (none: the tree is a {@link SourceUnit}).
 */
export function sourceTreeProblems(tree: unknown, path = 'body', depth = 1, out: string[] = []): string[] {
  if (out.length >= 20) return out;
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) return [...out, `${path} must be an object`];
  const u = tree as Record<string, unknown>;
  for (const key of Object.keys(u)) {
    if (!['pcode', 'en', 'km', 'th', 'lat', 'lon', ...CHILD_KEYS].includes(key)) out.push(`${path}.${key} is not a field of a unit`);
  }
  if (typeof u.pcode !== 'string' || !PCODE.test(u.pcode)) out.push(`${path}.pcode must be a P-code`);
  if (typeof u.en !== 'string' || u.en.length > 200) out.push(`${path}.en must be a name (at most 200 characters)`);
  for (const k of ['km', 'th'] as const)
    if (u[k] !== undefined && (typeof u[k] !== 'string' || (u[k] as string).length > 200)) out.push(`${path}.${k} must be a name`);
  for (const k of ['lat', 'lon'] as const) if (u[k] !== undefined && typeof u[k] !== 'number') out.push(`${path}.${k} must be a number`);
  const lists = CHILD_KEYS.filter((k) => u[k] !== undefined);
  if (lists.length > 1) out.push(`${path} has more than one list of children`);
  for (const k of lists) {
    const list = u[k];
    if (!Array.isArray(list)) {
      out.push(`${path}.${k} must be an array`);
      continue;
    }
    if (depth >= MAX_TREE_DEPTH) {
      out.push(`${path}.${k} is deeper than four levels`);
      continue;
    }
    for (const [i, child] of list.entries()) sourceTreeProblems(child, `${path}.${k}.${i}`, depth + 1, out);
  }
  return out;
}
