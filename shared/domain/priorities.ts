import type { HazardArea } from './hazard-area.ts';
import type { Household } from './household.ts';
import { currentMonth } from './monthly.ts';

/**
 * Clearance priorities from return demand (README "Clearance priorities"), pure: what a household,
 * an accident and an area's contamination add to a hazard area's score, and how it is read.
 *
 *   score = Σ people waiting near it × the weight of their household's group
 *         + {@link ACCIDENT_WEIGHT} × accidents within {@link ACCIDENT_RADIUS_M} in the last {@link ACCIDENT_WINDOW_MONTHS} months
 *         + {@link CONTAMINATION_WEIGHTS} of the 2025 conflict recorded in it
 *
 * The weights put first the people about to walk into the land (INTENDS_RETURN, and
 * RETURN_BLOCKED by the hazard). Each term is linear in a counter, so the score is kept with `ADD`
 * in the transaction of the change that moves it, and the index is ordered by it.
 */

/** The groups of households counted near an area, by status (and, when blocked, by reason). */
export const DEMAND_GROUPS = ['INTENDS_RETURN', 'BLOCKED_HAZARD', 'RETURNED', 'BLOCKED_OTHER', 'DISPLACED', 'REDISPLACED'] as const;
export type DemandGroup = (typeof DEMAND_GROUPS)[number];

/** Score points per person of each group. */
export const DEMAND_WEIGHTS: Readonly<Record<DemandGroup, number>> = {
  INTENDS_RETURN: 3,
  BLOCKED_HAZARD: 3,
  RETURNED: 2,
  BLOCKED_OTHER: 1,
  DISPLACED: 1,
  REDISPLACED: 1,
};

/** Score points per accident within {@link ACCIDENT_RADIUS_M} of the area in the window. */
export const ACCIDENT_WEIGHT = 20;
/** How far from an area's remaining land an accident counts towards it. */
export const ACCIDENT_RADIUS_M = 2000;
/** Accidents count for this many calendar months, the current one included. */
export const ACCIDENT_WINDOW_MONTHS = 12;
/** Most hazard areas one accident counts towards (they are written in its transaction). */
export const MAX_ACCIDENT_AREAS = 20;

/** Score points of contamination of the 2025 conflict, by category (each category once per area). */
export const CONTAMINATION_WEIGHTS: Readonly<Partial<Record<HazardArea['contamination'][number]['category'], number>>> = { AP_MINE: 30, SUBMUNITION: 30 };

export type Counters = Record<string, number>;

/** The counter names of a demand item: households and people per group, accidents per month (`acc_2026-03`), the contamination points, and the score. */
export const hhCounter = (g: DemandGroup) => `hh_${g}`;
export const pplCounter = (g: DemandGroup) => `ppl_${g}`;
export const accidentCounter = (month: string) => `acc_${month}`;
export const CONTAMINATION_COUNTER = 'contamination';

export function demandGroupOf(h: Pick<Household, 'status' | 'blockedReason'>): DemandGroup {
  if (h.status === 'RETURN_BLOCKED') return h.blockedReason === 'HAZARD' ? 'BLOCKED_HAZARD' : 'BLOCKED_OTHER';
  return h.status;
}

/** A change to the demand of one area: counters to add and the score to add with them. */
export interface DemandDelta {
  counters: Counters;
  score: number;
}

const add = (into: Map<string, DemandDelta>, areaId: string, counters: Counters, score: number) => {
  const d = into.get(areaId) ?? { counters: {}, score: 0 };
  for (const [k, v] of Object.entries(counters)) d.counters[k] = (d.counters[k] ?? 0) + v;
  d.score += score;
  into.set(areaId, d);
};

/**
 * What a household adds to the demand of each area it is at risk from (none without consent to
 * return assistance or a destination point: the same households as the at-risk lists).
 */
export function demandOf(h: Household | undefined, sign = 1): Map<string, DemandDelta> {
  const out = new Map<string, DemandDelta>();
  // As `assistedDestination` (erasure.ts) decides; not imported, to keep its schemas out of the functions that only close areas.
  if (!h?.consent.purposes.includes('RETURN_ASSISTANCE') || !h.destination?.point || h.returnSafety.status !== 'AT_RISK') return out;
  const group = demandGroupOf(h);
  const people = h.members.length;
  for (const id of h.returnSafety.hazardAreaIds)
    add(out, id, { [hhCounter(group)]: sign, [pplCounter(group)]: sign * people }, sign * DEMAND_WEIGHTS[group] * people);
  return out;
}

/** The change of every area's demand when a household goes from `before` to `after` (undefined: not existing); areas whose delta is nil are left out. */
export function demandChange(before: Household | undefined, after: Household | undefined): Map<string, DemandDelta> {
  const out = demandOf(after);
  for (const [id, d] of demandOf(before, -1)) add(out, id, d.counters, d.score);
  for (const [id, d] of out) {
    for (const [k, v] of Object.entries(d.counters)) if (v === 0) delete d.counters[k];
    if (Object.keys(d.counters).length === 0 && d.score === 0) out.delete(id);
  }
  return out;
}

/** The demand deltas of several households changing in one transaction (a split), merged per area. */
export function demandOfChanges(changes: readonly (readonly [Household | undefined, Household | undefined])[]): Map<string, DemandDelta> {
  const out = new Map<string, DemandDelta>();
  for (const [before, after] of changes) for (const [id, d] of demandChange(before, after)) add(out, id, d.counters, d.score);
  return out;
}

/** The demand deltas of many households at once (an import chunk), merged per area. */
export function demandOfMany(households: readonly Household[]): Map<string, DemandDelta> {
  const out = new Map<string, DemandDelta>();
  for (const h of households) for (const [id, d] of demandOf(h)) add(out, id, d.counters, d.score);
  return out;
}

/** The contamination points of an area: the categories of the 2025 conflict that weigh, each once. */
export function contaminationScore(h: Pick<HazardArea, 'contamination'>): number {
  const categories = new Set(h.contamination.filter((c) => c.period === '2025_CONFLICT').map((c) => c.category));
  return [...categories].reduce((n, c) => n + (CONTAMINATION_WEIGHTS[c] ?? 0), 0);
}

/**
 * The first month still in the window at `now` (`2025-04` in 2026-03: twelve months, the current one
 * included), in the border's months as the accidents' buckets are (`monthOf`).
 */
export function firstMonthInWindow(now: Date): string {
  const [year, month] = currentMonth(now).split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month - 1 - (ACCIDENT_WINDOW_MONTHS - 1), 1)).toISOString().slice(0, 7);
}

/** The accident months of a demand item that have left the window, with their counts. */
export function expiredAccidentMonths(item: Counters, now: Date): [month: string, count: number][] {
  const first = firstMonthInWindow(now);
  return Object.entries(item)
    .filter(([k, v]) => k.startsWith('acc_') && typeof v === 'number' && v !== 0 && k.slice(4) < first)
    .map(([k, v]) => [k.slice(4), v]);
}

/** Accidents near an area within the window: the month buckets summed as they are read. */
export function accidentsInWindow(item: Counters, now: Date): number {
  const first = firstMonthInWindow(now);
  return Object.entries(item).reduce((n, [k, v]) => (k.startsWith('acc_') && k.slice(4) >= first ? n + v : n), 0);
}

/** The demand of an area as the API shows it: households and people per group, accidents in the window. */
export interface DemandView {
  households: { total: number; byGroup: Record<DemandGroup, number> };
  people: { total: number; byGroup: Record<DemandGroup, number> };
  accidents: number;
  contaminationPoints: number;
  score: number;
}

export function demandView(item: Counters, now: Date): DemandView {
  const byGroup = (counter: (g: DemandGroup) => string) =>
    Object.fromEntries(DEMAND_GROUPS.map((g) => [g, Math.max(0, item[counter(g)] ?? 0)])) as Record<DemandGroup, number>;
  const households = byGroup(hhCounter);
  const people = byGroup(pplCounter);
  const sum = (r: Record<DemandGroup, number>) => DEMAND_GROUPS.reduce((n, g) => n + r[g], 0);
  const accidents = accidentsInWindow(item, now);
  const contaminationPoints = item[CONTAMINATION_COUNTER] ?? 0;
  const score = DEMAND_GROUPS.reduce((n, g) => n + DEMAND_WEIGHTS[g] * people[g], 0) + ACCIDENT_WEIGHT * accidents + contaminationPoints;
  return {
    households: { total: sum(households), byGroup: households },
    people: { total: sum(people), byGroup: people },
    accidents,
    contaminationPoints,
    score,
  };
}

/** Paths of the counts about people in a {@link DemandView}, for the small-cell rule. */
export const DEMAND_COUNT_PATHS = ['households.total', 'households.byGroup.*', 'people.total', 'people.byGroup.*'];

/** The task priority (1–5) an area's rank suggests: the top fifth 1, the next fifth 2, and so on. */
export const suggestedTaskPriority = (rank: number, of: number): number => (of <= 0 ? 3 : Math.min(5, Math.floor(((rank - 1) * 5) / of) + 1));
