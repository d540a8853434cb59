import type { Outcome } from './cleared-area.ts';
import type { Household } from './household.ts';
import { EO_CATEGORIES } from './ordnance-categories.ts';
import { BORDER_UTC_OFFSET_HOURS } from './border-day.ts';

/**
 * Monthly reporting, pure (no zod, no SDK: the console reads it too). What happened in a month —
 * land released, ordnance destroyed, accidents and casualties, people reached by risk education,
 * households registered, returned and displaced again — kept as counters in one item per
 * country, province and month (`shared/db/repositories/monthly-stats.ts`), added to in the same
 * transaction as the change, keyed by the month the thing happened:
 *
 * | counter | counts | month of |
 * |---|---|---|
 * | `sqm_<OUTCOME>` | m² released by outcome (a release taken back subtracts) | the QA acceptance |
 * | `eod_<CATEGORY>` | explosive ordnance destroyed in situ | the progress report's `reportDate` |
 * | `accidents`, `killed`, `injured` | accidents and their casualties | the accident's `occurredAt` |
 * | `eore_sessions`, `eore_people` | risk-education sessions and the people they reached | the session's `date` |
 * | `hh_registered`, `hh_returned`, `hh_redisplaced` | households registered, moved to RETURNED, to REDISPLACED | registration; the transition |
 *
 * Households count under their origin province (as the displacement statistics). These are flows
 * (what happened in the month), not stocks: a household erased later stays counted in the month it
 * was registered, as a report already filed would.
 */

/** A month, `YYYY-MM`. */
export type Month = string;

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The most months one read covers (three years). */
export const MAX_MONTHS = 36;

export const RELEASE_OUTCOMES = ['CANCELLED', 'REDUCED', 'CLEARED'] as const satisfies readonly Outcome[];

export type MonthlyCounters = Record<string, number>;

/** One change to one month's bucket of a province. */
export interface MonthlyChange {
  country: string;
  province: string;
  month: Month;
  counters: MonthlyCounters;
}

/**
 * Cambodia and Thailand both keep UTC+7 all year (no daylight saving): a month of the report is a
 * month on the border, so an event recorded at 2026-01-31T20:00Z (3 a.m. on 1 February there)
 * counts in February.
 */
export const REPORTING_UTC_OFFSET_HOURS = BORDER_UTC_OFFSET_HOURS;

/**
 * The month (`YYYY-MM`) of an ISO date (a day as given, e.g. a report date) or date-time (an
 * instant, taken in the border's time, {@link REPORTING_UTC_OFFSET_HOURS}).
 */
export function monthOf(isoDateOrTime: string): Month {
  const instant = isoDateOrTime.length > 10 ? Date.parse(isoDateOrTime) : Number.NaN;
  const month = Number.isNaN(instant) ? isoDateOrTime.slice(0, 7) : new Date(instant + REPORTING_UTC_OFFSET_HOURS * 3_600_000).toISOString().slice(0, 7);
  if (!MONTH.test(month) || (isoDateOrTime.length > 10 && Number.isNaN(instant))) throw new Error(`not an ISO date: ${isoDateOrTime}`);
  return month;
}

/** The month on the border now. */
export const currentMonth = (now = new Date()): Month => monthOf(now.toISOString());

/** Every month from `from` to `to`, both included (empty when `to` is before `from`). */
export function monthsBetween(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** Adds `counters` into `into` (zeros dropped at the end by the writer). */
export function addCounters(into: MonthlyCounters, counters: MonthlyCounters): MonthlyCounters {
  for (const [name, n] of Object.entries(counters)) into[name] = (into[name] ?? 0) + n;
  return into;
}

/** Released m² of a report's parts by outcome, `sign` -1 to take a release back. */
export function releasedByOutcome(parts: readonly { outcome: Outcome; areaSqm: number }[], sign: 1 | -1): MonthlyCounters {
  const c: MonthlyCounters = {};
  for (const p of parts) c[`sqm_${p.outcome}`] = (c[`sqm_${p.outcome}`] ?? 0) + sign * p.areaSqm;
  return c;
}

/** Ordnance destroyed (in situ only, as the land-release statistics count it): `quantity` may be negative to undo. */
export const destroyedCounters = (category: string, disposal: string, quantity: number): MonthlyCounters =>
  disposal === 'DESTROYED_IN_SITU' ? { [`eod_${category}`]: quantity } : {};

/** An accident and its casualties, for the month of its `occurredAt`. */
export const accidentCounters = (killed: number, injured: number): MonthlyCounters => ({ accidents: 1, killed, injured });

/** A risk-education session and the people it reached, for the month of its date. */
export const riskEducationCounters = (peopleReached: number): MonthlyCounters => ({ eore_sessions: 1, eore_people: peopleReached });

/** What {@link accidentMonthlyChanges} reads of an accident. */
export interface AccidentFlowState {
  country: string;
  province: string;
  occurredAt: string;
  killed: number;
  injured: number;
}

/**
 * The monthly changes of an accident going from `before` to `after` (undefined: not existing): its
 * count and casualties in the month it occurred, moved when a correction changes the date, the
 * place or the casualties (the old values taken out, the new ones put in; one bucket when the month
 * and place stay, since {@link MonthlyChange}s of one bucket are merged by the writer).
 */
export function accidentMonthlyChanges(before: AccidentFlowState | undefined, after: AccidentFlowState | undefined): MonthlyChange[] {
  const change = (a: AccidentFlowState, sign: 1 | -1): MonthlyChange => ({
    country: a.country,
    province: a.province,
    month: monthOf(a.occurredAt),
    counters: Object.fromEntries(Object.entries(accidentCounters(a.killed, a.injured)).map(([k, v]) => [k, sign * v])),
  });
  return [...(before ? [change(before, -1)] : []), ...(after ? [change(after, 1)] : [])];
}

/** A risk-education session's bucket: the month of its date, the people of its audience. */
export const riskEducationMonthlyChange = (s: { country: string; province: string; date: string; audience: Record<string, number> }): MonthlyChange => ({
  country: s.country,
  province: s.province,
  month: monthOf(s.date),
  counters: riskEducationCounters(Object.values(s.audience).reduce((n, v) => n + v, 0)),
});

/** The day a status change took effect: the movement's `effectiveDate` (the household's `currentSince` once it is recorded), else when it was recorded. */
export const transitionDateOf = (h: Pick<Household, 'statusChangedAt'> & { effectiveDate?: string | undefined; currentSince?: string | undefined }): string =>
  h.effectiveDate ?? h.currentSince ?? h.statusChangedAt;

/**
 * The monthly changes of a household going from `before` to `after` (undefined: not existing):
 * a registration counts in the month of `createdAt`; a move to RETURNED or REDISPLACED in the
 * month the move took effect. Anything else (a PATCH, a safety change, an erasure) counts nothing.
 */
export function householdMonthlyChanges(before: HouseholdFlowState | undefined, after: HouseholdFlowState | undefined): MonthlyChange[] {
  if (!after) return [];
  const place = { country: after.country, province: after.origin.province };
  if (!before) return [{ ...place, month: monthOf(after.createdAt), counters: { hh_registered: 1 } }];
  if (before.status === after.status) return [];
  if (after.status === 'RETURNED') return [{ ...place, month: monthOf(transitionDateOf(after)), counters: { hh_returned: 1 } }];
  if (after.status === 'REDISPLACED') return [{ ...place, month: monthOf(transitionDateOf(after)), counters: { hh_redisplaced: 1 } }];
  return [];
}

/** What {@link householdMonthlyChanges} reads of a household. */
export type HouseholdFlowState = Pick<Household, 'country' | 'origin' | 'createdAt' | 'status' | 'statusChangedAt' | 'currentSince'> & {
  effectiveDate?: string | undefined;
};

/** One month as the API shows it: every outcome and category present, zeros included. */
export interface MonthView {
  month: Month;
  landReleasedSqm: Record<(typeof RELEASE_OUTCOMES)[number] | 'total', number>;
  ordnanceDestroyed: Record<(typeof EO_CATEGORIES)[number] | 'total', number>;
  accidents: { accidents: number; killed: number; injured: number };
  riskEducation: { sessions: number; peopleReached: number };
  households: { registered: number; returned: number; redisplaced: number };
}

const round = (n: number) => Math.round(n);

/** The counters of one month (or the sum of several provinces') as the API shows them. */
export function monthView(month: Month, c: MonthlyCounters): MonthView {
  const v = (name: string) => c[name] ?? 0;
  const released = Object.fromEntries(RELEASE_OUTCOMES.map((o) => [o, round(v(`sqm_${o}`))])) as Record<(typeof RELEASE_OUTCOMES)[number], number>;
  const destroyed = Object.fromEntries(EO_CATEGORIES.map((k) => [k, v(`eod_${k}`)])) as Record<(typeof EO_CATEGORIES)[number], number>;
  return {
    month,
    landReleasedSqm: { ...released, total: RELEASE_OUTCOMES.reduce((t, o) => t + released[o], 0) },
    ordnanceDestroyed: { ...destroyed, total: EO_CATEGORIES.reduce((t, k) => t + destroyed[k], 0) },
    accidents: { accidents: v('accidents'), killed: v('killed'), injured: v('injured') },
    riskEducation: { sessions: v('eore_sessions'), peopleReached: v('eore_people') },
    households: { registered: v('hh_registered'), returned: v('hh_returned'), redisplaced: v('hh_redisplaced') },
  };
}

/**
 * Where the monthly answer (`months` and `totals`) counts households: small cells there are withheld from readers who
 * may not read every household (`small-cells.ts`).
 */
export const MONTHLY_HOUSEHOLD_COUNT_PATHS = ['months.*.households.*', 'totals.households.*'] as const;

/**
 * A year as a reader of `lang` expects it: Thai readers count in the Buddhist era (2026 → 2569),
 * as Thai official documents do; Khmer and English readers in the common era.
 */
export const displayYear = (year: number, lang: string): number => (lang === 'th' ? year + 543 : year);

/** The stored records a recount of the buckets reads (only the fields it needs). */
export interface MonthlyRecords {
  households: readonly (HouseholdFlowState & { id: string })[];
  /** Household history entries of status moves (`action` TRANSITION), with the household's id. */
  householdTransitions: readonly { householdId: string; at: string; to?: string | undefined; effectiveDate?: string | undefined }[];
  clearedAreas: readonly {
    country: string;
    province: string;
    status: string;
    parts: readonly { outcome: Outcome; areaSqm: number }[];
    qa?: { decidedAt: string } | undefined;
  }[];
  tasks: readonly { id: string; country: string; province: string }[];
  progressReports: readonly { taskId: string; reportDate: string; finds: readonly { category: string; quantity: number; disposal?: string | undefined }[] }[];
  accidents?: readonly AccidentFlowState[];
  riskEducationSessions?: readonly { country: string; province: string; date: string; audience: Record<string, number> }[];
}

/**
 * The buckets recounted from the stored records: what the live writes add up to, for records
 * written before the buckets existed (the one-off backfill). Land counts for reports whose release
 * stands (QA_ACCEPTED, HANDED_OVER); finds with the disposal they have now (`disposal` of a find
 * already merged with its later state).
 */
export function recountMonthly(r: MonthlyRecords): MonthlyChange[] {
  const changes: MonthlyChange[] = [];
  const byId = new Map(r.households.map((h) => [h.id, h]));
  for (const h of r.households) changes.push(...householdMonthlyChanges(undefined, h));
  for (const t of r.householdTransitions) {
    const h = byId.get(t.householdId);
    if (!h || (t.to !== 'RETURNED' && t.to !== 'REDISPLACED')) continue;
    changes.push({
      country: h.country,
      province: h.origin.province,
      month: monthOf(t.effectiveDate ?? t.at),
      counters: { [t.to === 'RETURNED' ? 'hh_returned' : 'hh_redisplaced']: 1 },
    });
  }
  for (const a of r.clearedAreas) {
    if ((a.status !== 'QA_ACCEPTED' && a.status !== 'HANDED_OVER') || !a.qa) continue;
    changes.push({ country: a.country, province: a.province, month: monthOf(a.qa.decidedAt), counters: releasedByOutcome(a.parts, 1) });
  }
  const tasks = new Map(r.tasks.map((t) => [t.id, t]));
  for (const p of r.progressReports) {
    const task = tasks.get(p.taskId);
    if (!task) continue;
    const counters = p.finds.reduce((c, f) => addCounters(c, destroyedCounters(f.category, f.disposal ?? 'NOT_RECORDED', f.quantity)), {} as MonthlyCounters);
    changes.push({ country: task.country, province: task.province, month: monthOf(p.reportDate), counters });
  }
  for (const a of r.accidents ?? []) changes.push(...accidentMonthlyChanges(undefined, a));
  for (const session of r.riskEducationSessions ?? []) changes.push(riskEducationMonthlyChange(session));
  return changes;
}
