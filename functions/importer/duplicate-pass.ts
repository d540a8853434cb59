import { newId } from '#shared/domain/ids.ts';
import { fileMany, findCandidatesMany, newReview, PairAlreadyQueued, reviewWrites } from '#shared/db/repositories/duplicates.ts';
import { transact } from '#shared/db/transact.ts';
import type { ImportJob } from '#shared/db/repositories/household-imports.ts';
import type { Household } from '#shared/domain/household.ts';
import { mapLimit } from '#shared/map-limit.ts';

const IN_FLIGHT = 8;
/** Pairs queued per household at most, best-scored first: a name shared by dozens of households of one commune and age says little more. */
const REVIEWS_PER_HOUSEHOLD = 10;

/** What an import's duplicate pass did over its chunks: pairs queued (or found queued already) and its time. */
export interface DuplicatePassTotals {
  pairs: number;
  ms: number;
}

/**
 * The duplicate pass of one chunk of an import, with its households as stored (no read back), run
 * before the chunk is committed: files their people in the blocking index, then looks each of them
 * up and puts every pair found (with households of the country registered before, or of this
 * import) on the ministry's review queue. A pair of two households of different chunks is found
 * from the later chunk's side; a pair within the chunk from both, and queued once. What it holds is
 * the chunk. Safe to run again (a run resumed after a crash redoes the chunks not committed): a
 * person already filed and a pair already queued are left as they are, and the pair is counted
 * all the same, so the job's count is the same. Answers the pairs of the chunk.
 */
export async function queueChunkDuplicates(
  job: Pick<ImportJob, 'id' | 'country' | 'actor'>,
  households: readonly Pick<Household, 'country' | 'id' | 'org' | 'origin' | 'members'>[],
  totals?: DuplicatePassTotals,
): Promise<number> {
  const started = performance.now();
  const people = households.map((h) => ({ country: h.country, id: h.id, org: h.org, origin: h.origin, members: h.members }));
  await fileMany(people);
  const found = await findCandidatesMany(people);
  const at = new Date().toISOString();
  const seen = new Set<string>();
  const reviews = people.flatMap((person, k) =>
    found[k]!.map((c) => newReview(newId(), person.country, c, person.id, 'IMPORT', at, job.actor.sub, job.id))
      .sort((a, b) => b.score - a.score)
      .slice(0, REVIEWS_PER_HOUSEHOLD)
      // A pair of two households of one chunk is found from both sides: queued from the first.
      .filter((review) => {
        const pair = [...review.householdIds].sort().join(' ');
        if (seen.has(pair)) return false;
        seen.add(pair);
        return true;
      }),
  );
  await mapLimit(reviews, IN_FLIGHT, async (review) => {
    try {
      await transact(reviewWrites(review));
    } catch (e: unknown) {
      if (!(e instanceof PairAlreadyQueued)) throw e;
    }
  });
  if (totals) {
    totals.pairs += reviews.length;
    totals.ms += performance.now() - started;
  }
  return reviews.length;
}
