import {
  AGE_BANDS,
  ageBand,
  HOUSEHOLD_STATUSES,
  RETURN_INTENTS,
  RETURN_OBSTACLES,
  RETURN_SAFETY_STATUSES,
  RETURN_WHEN,
  SEXES,
  type VERIFICATION_STATUSES,
  type AgeBand,
  type Household,
  type HouseholdStatus,
  type ReturnSafetyStatus,
  type Sex,
} from './household.ts';
import { NEED_CATEGORIES, needCategory, SPECIFIC_NEED_CODES } from './specific-needs.ts';

/**
 * Displacement statistics, pure: what a household contributes to the counters, the difference
 * between two of its states, and the view read from a set of counters. The counters change with
 * `ADD` in the transaction of every change they count, so they are exact and a read costs the same
 * at any size. Counts only. Names are `[A-Za-z0-9_]`, so `ADD` creates each on first use:
 *
 * | counter | counts |
 * |---|---|
 * | `hh_<STATUS>` | households by status |
 * | `p_<STATUS>` | people (members) by status |
 * | `p_<GROUP>_<SEX>_y<birthYear>` | people by group (`IDP` or `RET`), sex and year of birth, born less than 60 years before the write |
 * | `p_<GROUP>_<SEX>_o60` | the same, aged 60 or more in the year of the write |
 * | `hhneed_ANY` | households with at least one member with a specific need |
 * | `need_ANY`, `need_<CAT>` | people with any specific need, with a need of a category (`CR`, `SC`, ...) |
 * | `needc_<CAT>_<CODE>` | people with a code (`SP-PT` → `needc_SP_PT`) |
 * | `rs_hh_<STATUS>_<SAFETY>`, `rs_p_<STATUS>_<SAFETY>` | households and people by status and return safety |
 * | `ri_<INTENDS>`, `riw_<WHEN>`, `rio_<OBSTACLE>` | households not yet home (IDP) by return intention, when, each obstacle named |
 * | `hhver_<STATUS>` | households whose verification was recorded, by its status; the rest were never verified |
 *
 * `RET` is status RETURNED, `IDP` every other status. People are counted by year of birth and
 * banded when read, so ages stay exact every year without a write and a later change subtracts
 * exactly what an earlier one added. Only those already 60 in the year of a write go under `o60`
 * (the last band, which they never leave), to keep the item small: a read is never earlier than
 * the writes it reads, so a `y<year>` +1 / `o60` −1 pair left by writes of different years is in
 * 60+ on both sides and the sum stays exact.
 */
export type Counters = Record<string, number>;

/** People at least this old in the year of a write are counted under `o60` (the last age band). */
export const OLDEST_BAND_AGE = 60;

export type Group = 'IDP' | 'RET';
export const GROUPS = ['IDP', 'RET'] as const satisfies readonly Group[];
export const groupOf = (status: HouseholdStatus): Group => (status === 'RETURNED' ? 'RET' : 'IDP');

/** Statuses in which a household's return is under way or done: an AT_RISK destination there is an "at-risk return". */
export const RETURN_STATUSES = ['INTENDS_RETURN', 'RETURN_BLOCKED', 'RETURNED'] as const satisfies readonly HouseholdStatus[];

/** Counter names only ever use these characters. */
export const COUNTER_NAME = /^[A-Za-z0-9_]+$/;

const add = (c: Counters, name: string, delta: number) => {
  c[name] = (c[name] ?? 0) + delta;
};

/** The counter of a person of `birthYear`, for a write in `year`. */
export const personCounter = (group: Group, sex: Sex, birthYear: number, year: number): string =>
  `p_${group}_${sex}_${year - birthYear >= OLDEST_BAND_AGE ? 'o60' : `y${birthYear}`}`;

/** The counter of a specific-needs code (`SP-PT` → `needc_SP_PT`). */
export const needCodeCounter = (code: string): string => `needc_${code.replace('-', '_')}`;

/**
 * What one household adds to the counters of its country and of its origin province.
 * `year` is the UTC year of the write (only used to fold people 60 and over into `o60`).
 */
export function contributionOf(
  h: Pick<Household, 'status' | 'members' | 'returnSafety' | 'returnIntentions' | 'verification'>,
  year = new Date().getUTCFullYear(),
): Counters {
  const c: Counters = {};
  const group = groupOf(h.status);
  const safety = h.returnSafety.status;
  const people = h.members.length;
  add(c, `hh_${h.status}`, 1);
  add(c, `p_${h.status}`, people);
  add(c, `rs_hh_${h.status}_${safety}`, 1);
  add(c, `rs_p_${h.status}_${safety}`, people);
  let anyNeeds = false;
  for (const m of h.members) {
    add(c, personCounter(group, m.sex, m.birthYear, year), 1);
    if (m.specificNeeds.length === 0) continue;
    anyNeeds = true;
    add(c, 'need_ANY', 1);
    for (const category of new Set(m.specificNeeds.map(needCategory))) add(c, `need_${category}`, 1);
    for (const code of new Set(m.specificNeeds)) add(c, needCodeCounter(code), 1);
  }
  if (anyNeeds) add(c, 'hhneed_ANY', 1);
  if (h.verification) add(c, `hhver_${h.verification.status}`, 1);
  // Intentions of households not yet home: a returned household's answer is history.
  const intentions = h.returnIntentions;
  if (intentions && group === 'IDP') {
    add(c, `ri_${intentions.intends}`, 1);
    if (intentions.when) add(c, `riw_${intentions.when}`, 1);
    for (const o of new Set(intentions.obstacles)) add(c, `rio_${o}`, 1);
  }
  return c;
}

/** Drops the counters that are zero. */
export const nonZero = (c: Counters): Counters => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0));

/** The sum of contributions (zeros omitted): e.g. every household of an import chunk. */
export function addContributions(...contributions: Counters[]): Counters {
  const sum: Counters = {};
  for (const c of contributions) for (const [name, v] of Object.entries(c)) add(sum, name, v);
  return nonZero(sum);
}

/** What changes when `before` becomes `after` (`after − before`), zeros omitted: empty when nothing counted changed. */
export function difference(before: Counters, after: Counters): Counters {
  const d: Counters = { ...after };
  for (const [name, v] of Object.entries(before)) add(d, name, -v);
  return nonZero(d);
}

/** Subtracting a contribution (a household that is removed, or the `before` half of a move). */
export const negate = (c: Counters): Counters =>
  Object.fromEntries(
    Object.entries(c)
      .filter(([, v]) => v !== 0)
      .map(([k, v]) => [k, -v]),
  );

type BySexAge = Record<Sex, Record<AgeBand, number>>;
const emptyBySexAge = (): BySexAge => Object.fromEntries(SEXES.map((s) => [s, Object.fromEntries(AGE_BANDS.map((b) => [b, 0]))])) as BySexAge;
const PERSON = /^p_(IDP|RET)_([FMX])_(?:y(\d{4})|o60)$/;

export interface DisplacementView {
  /** The year the age bands are computed for (the year of the read). */
  ageBandsYear: number;
  households: { total: number; byStatus: Record<HouseholdStatus, number>; withSpecificNeeds: number };
  people: {
    total: number;
    byStatus: Record<HouseholdStatus, number>;
    bySexAndAge: BySexAge;
    /** Everyone not yet home: DISPLACED, INTENDS_RETURN, RETURN_BLOCKED, REDISPLACED. */
    displaced: { total: number; bySexAndAge: BySexAge };
    /** Status RETURNED. */
    returned: { total: number; bySexAndAge: BySexAge };
  };
  specificNeeds: { people: number; byCategory: Record<string, number>; byCode: Record<string, number> };
  returnSafety: {
    households: Record<ReturnSafetyStatus, number>;
    people: Record<ReturnSafetyStatus, number>;
    /** Households and people whose return (INTENDS_RETURN, RETURN_BLOCKED or RETURNED) is AT_RISK. */
    atRiskReturns: { households: number; people: number };
    householdsByStatus: Record<HouseholdStatus, Record<ReturnSafetyStatus, number>>;
  };
  /** Households by verification status; UNVERIFIED includes those never verified. */
  verification: Record<(typeof VERIFICATION_STATUSES)[number], number>;
  /** Households not yet home, by what they said of going home; `notSurveyed` said nothing yet. */
  returnIntentions: {
    households: Record<(typeof RETURN_INTENTS)[number] | 'notSurveyed', number>;
    byWhen: Record<(typeof RETURN_WHEN)[number], number>;
    byObstacle: Record<(typeof RETURN_OBSTACLES)[number], number>;
  };
}

/**
 * The counters of one scope (or the sum of several, see {@link addContributions}) as the API shows
 * them, every status, sex, age band, category and code present, zeros included; age bands for `year`.
 */
export function displacementView(c: Counters, year = new Date().getUTCFullYear()): DisplacementView {
  const v = (name: string) => c[name] ?? 0;
  const byStatus = (prefix: string) => Object.fromEntries(HOUSEHOLD_STATUSES.map((s) => [s, v(`${prefix}_${s}`)])) as Record<HouseholdStatus, number>;
  const groups: Record<Group, BySexAge> = { IDP: emptyBySexAge(), RET: emptyBySexAge() };
  for (const [name, n] of Object.entries(c)) {
    const m = PERSON.exec(name);
    if (!m) continue;
    const band: AgeBand = m[3] === undefined ? '60+' : ageBand(Number(m[3]), year);
    groups[m[1] as Group][m[2] as Sex][band] += n;
  }
  const sum = (...parts: BySexAge[]): BySexAge => {
    const out = emptyBySexAge();
    for (const p of parts) for (const s of SEXES) for (const b of AGE_BANDS) out[s][b] += p[s][b];
    return out;
  };
  const total = (x: BySexAge) => SEXES.reduce((t, s) => t + AGE_BANDS.reduce((u, b) => u + x[s][b], 0), 0);
  const hhByStatus = byStatus('hh');
  const pByStatus = byStatus('p');
  const safetyOf = (unit: 'hh' | 'p', statuses: readonly HouseholdStatus[]) =>
    Object.fromEntries(RETURN_SAFETY_STATUSES.map((r) => [r, statuses.reduce((t, s) => t + v(`rs_${unit}_${s}_${r}`), 0)])) as Record<
      ReturnSafetyStatus,
      number
    >;
  return {
    ageBandsYear: year,
    households: { total: HOUSEHOLD_STATUSES.reduce((t, s) => t + hhByStatus[s], 0), byStatus: hhByStatus, withSpecificNeeds: v('hhneed_ANY') },
    people: {
      total: HOUSEHOLD_STATUSES.reduce((t, s) => t + pByStatus[s], 0),
      byStatus: pByStatus,
      bySexAndAge: sum(groups.IDP, groups.RET),
      displaced: { total: total(groups.IDP), bySexAndAge: groups.IDP },
      returned: { total: total(groups.RET), bySexAndAge: groups.RET },
    },
    specificNeeds: {
      people: v('need_ANY'),
      byCategory: Object.fromEntries(NEED_CATEGORIES.map((k) => [k, v(`need_${k}`)])),
      byCode: Object.fromEntries(SPECIFIC_NEED_CODES.map((code) => [code, v(needCodeCounter(code))])),
    },
    returnSafety: {
      households: safetyOf('hh', HOUSEHOLD_STATUSES),
      people: safetyOf('p', HOUSEHOLD_STATUSES),
      atRiskReturns: { households: safetyOf('hh', RETURN_STATUSES).AT_RISK, people: safetyOf('p', RETURN_STATUSES).AT_RISK },
      householdsByStatus: Object.fromEntries(HOUSEHOLD_STATUSES.map((s) => [s, safetyOf('hh', [s])])) as Record<
        HouseholdStatus,
        Record<ReturnSafetyStatus, number>
      >,
    },
    verification: {
      VERIFIED: v('hhver_VERIFIED'),
      NEEDS_REVIEW: v('hhver_NEEDS_REVIEW'),
      UNVERIFIED: HOUSEHOLD_STATUSES.reduce((t, s) => t + hhByStatus[s], 0) - v('hhver_VERIFIED') - v('hhver_NEEDS_REVIEW'),
    },
    returnIntentions: {
      households: {
        ...(Object.fromEntries(RETURN_INTENTS.map((i) => [i, v(`ri_${i}`)])) as Record<(typeof RETURN_INTENTS)[number], number>),
        notSurveyed:
          HOUSEHOLD_STATUSES.filter((s) => s !== 'RETURNED').reduce((t, s) => t + hhByStatus[s], 0) - RETURN_INTENTS.reduce((t, i) => t + v(`ri_${i}`), 0),
      },
      byWhen: Object.fromEntries(RETURN_WHEN.map((w) => [w, v(`riw_${w}`)])) as Record<(typeof RETURN_WHEN)[number], number>,
      byObstacle: Object.fromEntries(RETURN_OBSTACLES.map((o) => [o, v(`rio_${o}`)])) as Record<(typeof RETURN_OBSTACLES)[number], number>,
    },
  };
}

/**
 * Where a {@link DisplacementView} holds counts of households or people: everything but
 * `ageBandsYear`. Small cells at these paths are withheld from readers who may not read every
 * household counted (`shared/domain/small-cells.ts`).
 */
export const DISPLACEMENT_COUNT_PATHS = [
  'households.total',
  'households.byStatus.*',
  'households.withSpecificNeeds',
  'people.total',
  'people.byStatus.*',
  'people.bySexAndAge.*.*',
  'people.displaced.total',
  'people.displaced.bySexAndAge.*.*',
  'people.returned.total',
  'people.returned.bySexAndAge.*.*',
  'specificNeeds.people',
  'specificNeeds.byCategory.*',
  'specificNeeds.byCode.*',
  'returnSafety.households.*',
  'returnSafety.people.*',
  'returnSafety.atRiskReturns.*',
  'returnSafety.householdsByStatus.*.*',
  'verification.*',
  'returnIntentions.households.*',
  'returnIntentions.byWhen.*',
  'returnIntentions.byObstacle.*',
] as const;
