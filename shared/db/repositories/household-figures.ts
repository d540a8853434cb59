import type { Household } from '../../domain/household.ts';
import { householdMonthlyChanges, monthOf } from '../../domain/monthly.ts';
import { arrivalProblem, movementFlows, siteDeltas, siteDeltasOfChanges } from '../../domain/site-stats.ts';
import { InvalidInput } from '../../errors.ts';
import type { GuardedWrite } from '../transact.ts';
import { displacementDeltas, displacementStatsWritesForDeltas } from './displacement-stats.ts';
import { monthlyStatsWrites } from './monthly-stats.ts';
import { householdsChangeDemandWrites } from './priorities.ts';
import { getSite, siteFlowWrites, siteOpenCheck, siteStatsWrites } from './sites.ts';

/**
 * The counter writes of a household going from `before` to `after` (undefined: not existing), for
 * the same transaction: displacement statistics, the monthly report, the return demand of the
 * hazard areas it is at risk from, and the present figures of the sites it leaves and reaches.
 */
export const householdStatsWrites = (before: Household | undefined, after: Household | undefined): GuardedWrite[] => householdsStatsWrites([[before, after]]);

/**
 * The counter writes of several households changing in one transaction (a split: the household
 * that loses members and the new one), each counter item written once with the changes merged
 * (a transaction may touch an item only once).
 */
export const householdsStatsWrites = (changes: readonly (readonly [Household | undefined, Household | undefined])[]): GuardedWrite[] => [
  ...displacementStatsWritesForDeltas(changes.flatMap(([before, after]) => displacementDeltas(before, after))),
  ...monthlyStatsWrites(changes.flatMap(([before, after]) => householdMonthlyChanges(before, after))),
  ...householdsChangeDemandWrites(changes),
  ...siteStatsWrites(siteDeltasOfChanges(changes)),
];

/** An erased household leaves the present figures of its site; the displacement statistics keep its counts. */
export const leaveSiteWrites = (household: Household): GuardedWrite[] => siteStatsWrites(siteDeltas(household, undefined));

/** The flow counters of a movement (`before` undefined: the registration) in the month of its effective date. */
export const householdFlowWrites = (before: Household | undefined, after: Household, effectiveDate: string): GuardedWrite[] =>
  siteFlowWrites(after.country, monthOf(effectiveDate), movementFlows(before, after));

/**
 * When a household's new current place names a site it was not at: the site must exist, be open,
 * and lie in the household's country and in the province given (InvalidInput naming `path`).
 * Answers the ConditionCheck that keeps it open until the change commits.
 */
export async function arrivalCheck(current: Household['current'], country: string, path: string, wasAt?: string): Promise<GuardedWrite[]> {
  const siteId = current.siteId;
  if (!siteId || siteId === wasAt) return [];
  const site = await getSite(siteId);
  const problem = arrivalProblem(site, country, current.province, siteId);
  if (problem) throw new InvalidInput(`The site cannot take the household: ${problem}.`, [{ path: `${path}.siteId`, message: problem }]);
  return [siteOpenCheck(site!)];
}
