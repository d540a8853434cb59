import { actorOf } from '#shared/domain/history.ts';
import { canSeeHousehold, type Household } from '#shared/domain/household.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { getTombstone } from '#shared/db/repositories/erasure.ts';
import { getHousehold, recordHouseholdAccess, type AccessPurpose, type HouseholdAccessEntry } from '#shared/db/repositories/households.ts';
import { Gone, NotFound } from '#shared/http/problem.ts';

/**
 * How a route reaches one household: within the caller's scope (404 outside it, 410 for an erased
 * one the caller could have read), and the access-log entry of a read or change of its personal
 * data. Shared by every function that serves paths of a household.
 */

/** The answer about an erased household, to those who could read it. */
export const erasedProblem = (id: string, erasedAt: string) => new Gone(`Household ${id} was erased on ${erasedAt}: its personal data is no longer held.`, { erasedAt });

/** Throws 410 when `id` is an erased household the caller could have read; returns otherwise (the caller answers 404). */
async function refuseErased(principal: Principal, id: string): Promise<void> {
  const tombstone = await getTombstone(id);
  if (tombstone && canSeeHousehold(principal, tombstone)) throw erasedProblem(id, tombstone.erasedAt);
}

/**
 * A household the caller may see; anything else (another organisation's, another country's, any
 * household for roles without household access) is the same 404 as a missing one, so that
 * existence is not revealed.
 */
export async function visibleHousehold(principal: Principal, id: string): Promise<Household> {
  const household = await getHousehold(id);
  if (!household) await refuseErased(principal, id);
  if (!household || !canSeeHousehold(principal, household)) throw new NotFound(`No household ${id}.`);
  return household;
}

/** A read of the full household (`GET /v1/households/{id}`, a replayed registration): scoped, and recorded in its access log before it is answered. */
export async function readHousehold(principal: Principal, id: string): Promise<Household> {
  const household = await visibleHousehold(principal, id);
  await recordHouseholdAccess(accessEntry(principal, household.id, 'READ'));
  return household;
}


export const accessEntry = (principal: Principal, householdId: string, purpose: AccessPurpose, at = new Date().toISOString()): HouseholdAccessEntry => ({
  id: newId(),
  at,
  householdId,
  actor: actorOf(principal),
  purpose,
});

