import type { Household, ReturnSafety } from '#shared/domain/household.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { assessReturnSafety, recheckReturnSafety, returnSafetyChangeWrites, returnSafetyItems } from '#shared/db/repositories/return-safety.ts';
import { householdFlowWrites, householdStatsWrites } from '#shared/db/repositories/household-figures.ts';
import { copyPut } from '#shared/db/repositories/versioned.ts';
import type { GuardedWrite } from '#shared/db/transact.ts';

export { arrivalCheck, leaveSiteWrites } from '#shared/db/repositories/household-figures.ts';
export { listBriefingDue } from '#shared/db/repositories/return-safety.ts';

export const statsWrites = householdStatsWrites;
export const flowWrites = householdFlowWrites;

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
