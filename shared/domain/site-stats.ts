import { addContributions, contributionOf, displacementView, negate, type Counters, type DisplacementView } from './displacement-stats.ts';
import type { Household } from './household.ts';

/**
 * Figures of displacement sites, pure, changed with `ADD` in the transaction of the household
 * change that moves them:
 *
 * - **Present at a site**: per site, what the households now at it contribute to the displacement
 *   counters (without return safety, which changes with hazard areas) plus `hh` and `p`.
 * - **Flows by month**: per country and month of the movement's `effectiveDate` (so a back-dated
 *   movement lands in its own month): arrivals and departures by site, returns and
 *   re-displacements by origin province. A registration at a site is an arrival; an erasure leaves
 *   the present figures but is no movement.
 */

/**
 * Why a household cannot be placed at a site (the API's check and the import's): the site must
 * exist in the household's country, be open, and lie in the province given. `undefined` when it can.
 */
export function arrivalProblem(
  site: { country: string; code: string; status: string; province: string } | undefined,
  country: string,
  province: string,
  named: string,
): string | undefined {
  if (!site || site.country !== country) return `no site ${named} in ${country}`;
  if (site.status !== 'OPEN') return `site ${site.code} is CLOSED`;
  if (site.province !== province) return `site ${site.code} is in province ${site.province}, not ${province}`;
  return undefined;
}

/** What a household adds to the figures of the site it is at (nothing when it is at none). */
export function siteContributionOf(
  h: Pick<Household, 'status' | 'members' | 'returnSafety' | 'returnIntentions' | 'current'>,
  year = new Date().getUTCFullYear(),
): Counters {
  if (!h.current.siteId) return {};
  // Return safety (`rs_*`) is left out: it changes with hazard areas, not with the household's place.
  const counters = Object.fromEntries(Object.entries(contributionOf(h, year)).filter(([name]) => !name.startsWith('rs_')));
  return { ...counters, hh: 1, p: h.members.length };
}

/** A change to the present figures of one site. */
export interface SiteDelta {
  country: string;
  siteId: string;
  counters: Counters;
}

/** What a household going from `before` to `after` (undefined: not existing) changes at each site: empty when nothing counted moved. */
export function siteDeltas(before: Household | undefined, after: Household | undefined, year = new Date().getUTCFullYear()): SiteDelta[] {
  const bySite = new Map<string, SiteDelta>();
  const put = (h: Household, counters: Counters) => {
    const siteId = h.current.siteId!;
    const entry = bySite.get(siteId) ?? { country: h.country, siteId, counters: {} };
    entry.counters = addContributions(entry.counters, counters);
    bySite.set(siteId, entry);
  };
  if (before?.current.siteId) put(before, negate(siteContributionOf(before, year)));
  if (after?.current.siteId) put(after, siteContributionOf(after, year));
  return [...bySite.values()].filter((d) => Object.keys(d.counters).length > 0);
}

/** The site deltas of several households changing in one transaction (a split), merged per site. */
export function siteDeltasOfChanges(
  changes: readonly (readonly [Household | undefined, Household | undefined])[],
  year = new Date().getUTCFullYear(),
): SiteDelta[] {
  const bySite = new Map<string, SiteDelta>();
  for (const [before, after] of changes) {
    for (const d of siteDeltas(before, after, year)) {
      const entry = bySite.get(d.siteId) ?? { country: d.country, siteId: d.siteId, counters: {} };
      entry.counters = addContributions(entry.counters, d.counters);
      bySite.set(d.siteId, entry);
    }
  }
  return [...bySite.values()].filter((d) => Object.keys(d.counters).length > 0);
}

/** The present figures of a site as the API shows them (counts only). */
export interface SiteFigures {
  households: number;
  people: number;
  bySexAndAge: DisplacementView['people']['bySexAndAge'];
  specificNeeds: { households: number; people: number; byCategory: Record<string, number> };
  returnIntentions: DisplacementView['returnIntentions'];
}

export function siteFigures(c: Counters, year = new Date().getUTCFullYear()): SiteFigures {
  const v = displacementView(c, year);
  return {
    households: c.hh ?? 0,
    people: c.p ?? 0,
    bySexAndAge: v.people.bySexAndAge,
    specificNeeds: { households: v.households.withSpecificNeeds, people: v.specificNeeds.people, byCategory: v.specificNeeds.byCategory },
    returnIntentions: v.returnIntentions,
  };
}

/** Where a {@link SiteFigures} holds counts of households or people (small cells are withheld there). */
export const SITE_COUNT_PATHS = [
  'households',
  'people',
  'bySexAndAge.*.*',
  'specificNeeds.households',
  'specificNeeds.people',
  'specificNeeds.byCategory.*',
  'returnIntentions.households.*',
  'returnIntentions.byWhen.*',
  'returnIntentions.byObstacle.*',
] as const;

/**
 * The flow counters of one movement of a household from `before` (undefined: its registration) to
 * `after`, for the month of its effective date: arrival and departure when its site changes, a
 * return or a re-displacement when its status becomes RETURNED or REDISPLACED.
 */
export function movementFlows(
  before: Pick<Household, 'status' | 'current'> | undefined,
  after: Pick<Household, 'status' | 'current' | 'members' | 'origin'>,
): Counters {
  const c: Counters = {};
  const count = (kind: string, id: string | undefined) => {
    if (!id) return;
    c[`${kind}_hh_${id}`] = 1;
    c[`${kind}_p_${id}`] = after.members.length;
  };
  const from = before?.current.siteId;
  const to = after.current.siteId;
  if (from !== to) {
    count('dep', from);
    count('arr', to);
  }
  const home = ({ RETURNED: 'ret', REDISPLACED: 'rdp' } as Record<string, string>)[after.status];
  if (home && before && before.status !== after.status) count(home, after.origin.province);
  return c;
}

const FLOW = /^(arr|dep|ret|rdp)_(hh|p)_([0-9A-Z]+)$/;

/** One month's flows: per site, arrivals and departures; per origin province, returns and re-displacements. */
export interface MonthFlows {
  month: string;
  sites: { siteId: string; arrivals: { households: number; people: number }; departures: { households: number; people: number } }[];
  origins: { province: string; returns: { households: number; people: number }; redisplacements: { households: number; people: number } }[];
}

/** The counters of one month as the API shows them, sites and provinces in code order, those with nothing left out. */
export function monthFlows(month: string, c: Counters): MonthFlows {
  const sites = new Map<string, MonthFlows['sites'][number]>();
  const origins = new Map<string, MonthFlows['origins'][number]>();
  for (const [name, n] of Object.entries(c)) {
    const m = FLOW.exec(name);
    if (!m) continue;
    const [, kind, unit, id] = m as unknown as [string, 'arr' | 'dep' | 'ret' | 'rdp', 'hh' | 'p', string];
    const field = unit === 'hh' ? 'households' : 'people';
    if (kind === 'arr' || kind === 'dep') {
      const s = sites.get(id) ?? { siteId: id, arrivals: { households: 0, people: 0 }, departures: { households: 0, people: 0 } };
      s[kind === 'arr' ? 'arrivals' : 'departures'][field] += n;
      sites.set(id, s);
    } else {
      const o = origins.get(id) ?? { province: id, returns: { households: 0, people: 0 }, redisplacements: { households: 0, people: 0 } };
      o[kind === 'ret' ? 'returns' : 'redisplacements'][field] += n;
      origins.set(id, o);
    }
  }
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  return { month, sites: byKey(sites), origins: byKey(origins) };
}

/** Where a month's flows hold counts (small cells are withheld there). */
export const FLOW_COUNT_PATHS = ['sites.*.arrivals.*', 'sites.*.departures.*', 'origins.*.returns.*', 'origins.*.redisplacements.*'] as const;
