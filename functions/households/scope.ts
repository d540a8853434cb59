import type { Country } from '#shared/domain/common.ts';
import { actorOf } from '#shared/domain/history.ts';
import { canSeeHousehold, householdPlaces, placeProblems, type Household, type HouseholdCreate } from '#shared/domain/household.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { getTombstone } from '#shared/db/repositories/erasure.ts';
import { getHousehold, recordHouseholdAccess, type AccessPurpose, type HouseholdAccessEntry } from '#shared/db/repositories/households.ts';
import { refuseUnknownPlaces } from '#shared/http/places.ts';
import { BadRequest, Gone, NotFound, type FieldError } from '#shared/http/problem.ts';

/** What the household routes share: who may see a household, the record of reads, the place checks. */

export const TAG = 'Households';
/** Roles that register and change households. */
export const REGISTRARS = ['relief', 'admin'] as const;
/** Roles that list households and look documents up (each within its scope). */
export const HOUSEHOLD_READERS = ['relief', 'ministry', 'admin'] as const;

/** The answer about an erased household, to those who could read it. */
export const erasedProblem = (id: string, erasedAt: string) =>
  new Gone(`Household ${id} was erased on ${erasedAt}: its personal data is no longer held.`, { erasedAt });

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

/** A read of the full household: scoped, and recorded in its access log before it is answered. */
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

/** Where a household's events say it is: ids and places only, never personal data. */
export const placeOf = (h: Household) => ({ householdId: h.id, country: h.country, province: h.origin.province, org: h.org });

export const prefixed = (where: string, problems: FieldError[]): FieldError[] => problems.map((p) => ({ path: `${where}.${p.path}`, message: p.message }));

/**
 * Refuses places of a new household outside `country` or unknown to the gazetteer (400 naming the
 * fields under `body`).
 */
export async function refuseBadPlaces(body: HouseholdCreate, country: Country): Promise<void> {
  const places = placeProblems(body, country);
  if (places.length) throw new BadRequest(`Every place of a household must be in ${country}.`, prefixed('body', places));
  await refuseUnknownPlaces(country, householdPlaces(body, 'body'), 'household');
}
