import type { PossibleDuplicate } from '#shared/domain/duplicates.ts';
import { canSeeHousehold, type Household } from '#shared/domain/household.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { blockingWrites, findCandidates, newReview, reviewWrites } from '#shared/db/repositories/duplicates.ts';
import type { GuardedWrite } from '#shared/db/transact.ts';

const TRANSACTION_ITEMS = 100;

/**
 * Possible duplicates of a registration without documents. Adds to the registration's writes the
 * household's blocking-index entries and a review for every pair found (the ministry's queue), and
 * answers the pairs the caller may read. A household it may not read changes nothing it can see:
 * the reads are the same (decided by its own household alone), the organisation comes from the
 * index (no extra read), and nothing in the answer counts or flags it.
 */
export async function matchPossibleDuplicates(principal: Principal, household: Household, writes: GuardedWrite[]): Promise<PossibleDuplicate[]> {
  const person = { country: household.country, id: household.id, org: household.org, origin: household.origin, members: household.members };
  const [{ candidates }, filed] = await Promise.all([findCandidates(person), blockingWrites(person)]);
  const reviews = candidates.map((c) => newReview(newId(), household.country, c, household.id, 'REGISTRATION', household.createdAt, principal.sub));
  // A transaction holds at most 100 items (the idempotency record among them): the people of a very
  // large household past that are left unfiled rather than the registration refused.
  const room = Math.max(0, TRANSACTION_ITEMS - 1 - writes.length - reviews.length * 3);
  writes.push(...filed.slice(0, room), ...reviews.flatMap(reviewWrites));
  return candidates
    .map((c, k) => ({ c, review: reviews[k]! }))
    .filter(({ c }) => canSeeHousehold(principal, { country: household.country, org: c.org }))
    .map(({ c, review }) => ({ householdId: c.householdId, score: review.score, reasons: review.reasons }))
    .sort((a, b) => b.score - a.score);
}
