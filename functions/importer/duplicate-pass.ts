import { newId } from '#shared/domain/ids.ts';
import { fileMany, findCandidatesMany, newReview, PairAlreadyQueued, reviewWrites } from '#shared/db/repositories/duplicates.ts';
import { getHouseholds } from '#shared/db/repositories/households.ts';
import { transact } from '#shared/db/transact.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ImportJob } from '#shared/db/repositories/household-imports.ts';
import { mapLimit } from '#shared/map-limit.ts';

const IN_FLIGHT = 8;
const LOOKUP_SLICE = 500;
/** Pairs queued per household at most, best-scored first: a name shared by dozens of households of one commune and age says little more. */
const REVIEWS_PER_HOUSEHOLD = 10;

/**
 * The duplicate pass of an import, once its households are stored: a slice of households at a
 * time, files their people in the blocking index, then looks each of them up and puts every pair
 * found (with households of the country registered before, or of this import) on the ministry's
 * review queue. A pair of two households of this import is found from the later slice's side (or
 * from both within one slice, and queued once). What it holds is one slice, whatever the size of
 * the import (at a million people, holding every household at once ran the importer out of its
 * heap). The import itself is not slowed: the chunks never wait for it. Safe to run again: a person
 * already filed and a pair already queued are left as they are.
 */
export async function queueImportDuplicates(
  job: Pick<ImportJob, 'id' | 'country' | 'actor'>,
  householdIds: readonly string[],
  log: Logger,
  slice = LOOKUP_SLICE,
): Promise<{ reviews: number }> {
  const started = performance.now();
  let reviews = 0;
  const seen = new Set<string>();
  const at = new Date().toISOString();
  for (let from = 0; from < householdIds.length; from += slice) {
    const ids = householdIds.slice(from, from + slice);
    const batches = Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) => ids.slice(i * 100, (i + 1) * 100));
    const people = (await mapLimit(batches, 2, (batch) => getHouseholds([...batch])))
      .flat()
      .map((h) => ({ country: h.country, id: h.id, org: h.org, origin: h.origin, members: h.members }));
    await fileMany(people);
    const found = await findCandidatesMany(people);
    const reviewsToQueue = people.flatMap((person, k) =>
      found[k]!.map((c) => newReview(newId(), person.country, c, person.id, 'IMPORT', at, job.actor.sub, job.id))
        .sort((a, b) => b.score - a.score)
        .slice(0, REVIEWS_PER_HOUSEHOLD)
        // A pair of two households of one slice is found from both sides: queued from the first.
        .filter((review) => {
          const pair = [...review.householdIds].sort().join(' ');
          if (seen.has(pair)) return false;
          seen.add(pair);
          return true;
        }),
    );
    await mapLimit(reviewsToQueue, IN_FLIGHT, async (review) => {
      try {
        await transact(reviewWrites(review));
        reviews++;
      } catch (e: unknown) {
        if (!(e instanceof PairAlreadyQueued)) throw e;
      }
    });
  }
  log.info('household import: duplicate pass', { importId: job.id, households: householdIds.length, reviews, ms: Math.round(performance.now() - started) });
  return { reviews };
}
