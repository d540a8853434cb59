import type { Household, ReturnSafety } from '#shared/domain/household.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { householdMonthlyChanges } from '#shared/domain/monthly.ts';
import { arrivalProblem, monthOf, movementFlows, siteDeltas, siteDeltasOfChanges } from '#shared/domain/site-stats.ts';
import { displacementDeltas, displacementStatsWritesForDeltas } from '#shared/db/repositories/displacement-stats.ts';
import { monthlyStatsWrites } from '#shared/db/repositories/monthly-stats.ts';
import { getSite, siteFlowWrites, siteOpenCheck, siteStatsWrites } from '#shared/db/repositories/sites.ts';
import { BadRequest } from '#shared/http/problem.ts';
import { assessReturnSafety, recheckReturnSafety, returnSafetyChangeWrites, returnSafetyItems } from '#shared/db/repositories/return-safety.ts';
import { householdsChangeDemandWrites } from '#shared/db/repositories/priorities.ts';
import { copyPut } from '#shared/db/repositories/versioned.ts';
import type { GuardedWrite } from '#shared/db/transact.ts';

/**
 * What a household change adds to its transaction from the other parts of issue 5: the
 * displacement statistics (counters changed with `ADD`) and return safety (the assessment and
 * the spatial-index items). Kept in one place so that the routes read the same for every change.
 */

/**
 * The counter writes for a household going from `before` to `after` (undefined: not existing):
 * the displacement statistics, the monthly report's bucket of a registration or of a move to
 * RETURNED or REDISPLACED, the return demand of the hazard areas it is at risk from, and the present
 * figures of the sites it leaves and reaches.
 */
export const statsWrites = (before: Household | undefined, after: Household | undefined): GuardedWrite[] => statsWritesOfChanges([[before, after]]);

/**
 * The counter writes of several households changing in one transaction (a split: the household
 * that loses members and the new one), each counter item written once with the changes merged
 * (a transaction may touch an item only once).
 */
export const statsWritesOfChanges = (changes: readonly (readonly [Household | undefined, Household | undefined])[]): GuardedWrite[] => [
  ...displacementStatsWritesForDeltas(changes.flatMap(([before, after]) => displacementDeltas(before, after))),
  ...monthlyStatsWrites(changes.flatMap(([before, after]) => householdMonthlyChanges(before, after))),
  ...householdsChangeDemandWrites(changes),
  ...siteStatsWrites(siteDeltasOfChanges(changes)),
];

/** An erased household leaves the present figures of its site (the displacement statistics keep its counts). */
export const leaveSiteWrites = (household: Household): GuardedWrite[] => siteStatsWrites(siteDeltas(household, undefined));

/** The flow counters of a movement (`before` undefined: the registration) in the month of its effective date. */
export const flowWrites = (before: Household | undefined, after: Household, effectiveDate: string): GuardedWrite[] => siteFlowWrites(after.country, monthOf(effectiveDate), movementFlows(before, after));

/**
 * When a household's new current place names a site it was not at: the site must exist, be open,
 * and lie in the household's country and in the province given (400 naming `path` otherwise).
 * Answers the ConditionCheck that keeps it open until the change commits; nothing without a new site.
 */
export async function arrivalCheck(current: Household['current'], country: string, path: string, wasAt?: string): Promise<GuardedWrite[]> {
  const siteId = current.siteId;
  if (!siteId || siteId === wasAt) return [];
  const site = await getSite(siteId);
  const problem = arrivalProblem(site, country, current.province, siteId);
  if (problem) throw new BadRequest(`The site cannot take the household: ${problem}.`, [{ path: `${path}.siteId`, message: problem }]);
  return [siteOpenCheck(site!)];
}

/** The return safety of a destination now: UNKNOWN without a point. */
export const assessSafety = (destination: Household['destination'], now: string): Promise<ReturnSafety> => assessReturnSafety(destination, now);

/** The spatial-index and at-risk link items of a new household, as writes of its transaction. */
export const safetyWrites = (household: Household): GuardedWrite[] => returnSafetyItems(household).map(copyPut);

/** The index changes of a stored household whose destination or safety changes: stale items deleted, current ones put. */
export const safetyChangeWrites = (before: Household, after: Household): GuardedWrite[] => returnSafetyChangeWrites(before, after);

/**
 * After the commit of a household whose safety was assessed: the household as stored now when a
 * hazard area changed between the assessment and the commit (its safety rewritten), else undefined.
 */
export const recheckSafety = async (household: Household, actor: Principal): Promise<Household | undefined> => (await recheckReturnSafety([household], actor)).get(household.id);

/** The AT_RISK households of a country (of one organisation) without risk education, as summaries. */
export { listBriefingDue } from '#shared/db/repositories/return-safety.ts';
