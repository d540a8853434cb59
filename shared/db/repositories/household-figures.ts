import type { Household } from '../../domain/household.ts';
import { householdMonthlyChanges, monthOf } from '../../domain/monthly.ts';
import { arrivalProblem, movementFlows, siteDeltas } from '../../domain/site-stats.ts';
import { InvalidInput } from '../../errors.ts';
import type { GuardedWrite } from '../transact.ts';
import { displacementStatsWrites } from './displacement-stats.ts';
import { monthlyStatsWrites } from './monthly-stats.ts';
import { householdDemandWrites } from './priorities.ts';
import { getSite, siteFlowWrites, siteOpenCheck, siteStatsWrites } from './sites.ts';

/**
 * The counter writes of a household going from `before` to `after` (undefined: not existing), for
 * the same transaction: displacement statistics, the monthly report, the return demand of the
 * hazard areas it is at risk from, and the present figures of the sites it leaves and reaches.
 */
export const householdStatsWrites = (before: Household | undefined, after: Household | undefined): GuardedWrite[] => [
  ...displacementStatsWrites(before, after),
  ...monthlyStatsWrites(householdMonthlyChanges(before, after)),
  ...householdDemandWrites(before, after),
  ...siteStatsWrites(siteDeltas(before, after)),
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
