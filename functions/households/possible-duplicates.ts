import type { PossibleDuplicate } from '#shared/domain/duplicates.ts';
import { canSeeHousehold, type Household } from '#shared/domain/household.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { blockingWrites, findCandidates, newReview, reviewWrites } from '#shared/db/repositories/duplicates.ts';
import type { Prefetched } from '#shared/db/batch.ts';
import type { GuardedWrite } from '#shared/db/transact.ts';
import { logger } from '#shared/logger.ts';

const TRANSACTION_ITEMS = 100;

/**
 * Possible duplicates of a registration without documents. Adds to the registration's writes the
 * household's blocking-index entries and a review for every pair found (the ministry's queue), and
 * answers the pairs the caller may read (nothing at all when there are none). A household it may not read changes nothing it can see:
 * the reads are the same (decided by its own household alone), the organisation comes from the
 * index (no extra read), and nothing in the answer counts or flags it.
 */
export async function matchPossibleDuplicates(
  principal: Principal,
  household: Household,
  writes: GuardedWrite[],
  prefetched?: Prefetched,
): Promise<{ possibleDuplicates?: PossibleDuplicate[] }> {
  const person = { country: household.country, id: household.id, org: household.org, origin: household.origin, members: household.members };
  const [{ candidates }, filed] = await Promise.all([findCandidates(person, prefetched), blockingWrites(person)]);
  const found = candidates
    .map((c) => ({ c, review: newReview(newId(), household.country, c, household.id, 'REGISTRATION', household.createdAt, principal.sub) }))
    .sort((a, b) => b.review.score - a.review.score);
  // A transaction holds at most 100 items (the idempotency record among them). The people come
  // first, then the reviews of the best-scored pairs that fit (some 25 with a small household); the
  // rest, for a name shared by that many households of one commune and age, are left off and logged.
  const people = filed.slice(0, Math.max(0, TRANSACTION_ITEMS - 1 - writes.length));
  const reviews = found.slice(0, Math.max(0, Math.floor((TRANSACTION_ITEMS - 1 - writes.length - people.length) / 3)));
  if (reviews.length < found.length)
    logger.warn('possible duplicates left off the review queue: the registration transaction is full', {
      householdId: household.id,
      queued: reviews.length,
      found: found.length,
    });
  writes.push(...people, ...reviews.flatMap(({ review }) => reviewWrites(review)));
  const visible = found
    .filter(({ c }) => canSeeHousehold(principal, { country: household.country, org: c.org }))
    .map(({ c, review }) => ({ householdId: c.householdId, score: review.score, reasons: review.reasons }));
  return visible.length > 0 ? { possibleDuplicates: visible } : {};
}
