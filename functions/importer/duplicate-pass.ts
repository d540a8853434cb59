import { newId } from '#shared/domain/ids.ts';
import { fileMany, findCandidatesMany, newReview, PairAlreadyQueued, reviewWrites } from '#shared/db/repositories/duplicates.ts';
import { recordDuplicatePass } from '#shared/db/repositories/household-imports.ts';
import { getHouseholds } from '#shared/db/repositories/households.ts';
import { transact } from '#shared/db/transact.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ImportJob } from '#shared/db/repositories/household-imports.ts';
import type { DuplicateReview } from '#shared/domain/duplicates.ts';
import type { Household } from '#shared/domain/household.ts';
import { mapLimit } from '#shared/map-limit.ts';

const IN_FLIGHT = 4;
/** Reviews written by one TransactWriteItems: three items each, within its hundred. */
const REVIEWS_PER_TRANSACTION = 33;
const LOOKUP_SLICE = 500;
/** Pairs queued per household at most, best-scored first: a name shared by dozens of households of one commune and age says little more. */
const REVIEWS_PER_HOUSEHOLD = 10;

/**
 * The duplicate pass of an import, once its households are stored and the job is COMPLETED (the
 * issue allows it after the import "so the import keeps its speed": the households are usable
 * before it ends): a slice of households at a time, read back, files their people in the blocking
 * index, then looks each of them up and puts every pair found (with households of the country
 * registered before, or of this import) on the ministry's review queue, and counts the slice's new
 * pairs on the job (`possibleDuplicates`); the job says when the pass has ended
 * (`duplicatesCheckedAt`). A pair of two households of different slices is found from the later
 * slice's side; within one slice from both, and queued once. What it holds is one slice, whatever
 * the size of the import (at a million people, holding every household at once ran the importer out
 * of its heap; the ids come from the job's chunk markers, `importedHouseholdIds`). Safe to run
 * again: a person already filed and a pair already queued are left as they are (and not counted
 * again), so a pass that failed is run again by the next run of the job.
 */
export async function queueImportDuplicates(
  job: Pick<ImportJob, 'id' | 'country' | 'actor'>,
  householdIds: Iterable<string> | AsyncIterable<string>,
  log: Logger,
  slice = LOOKUP_SLICE,
): Promise<{ reviews: number }> {
  const started = performance.now();
  let reviews = 0;
  let count = 0;
  const run = async (ids: string[]) => {
    const batches = Array.from({ length: Math.ceil(ids.length / 100) }, (_, i) => ids.slice(i * 100, (i + 1) * 100));
    const households = (await mapLimit(batches, 2, (batch) => getHouseholds([...batch]))).flat();
    const queued = await queueSliceDuplicates(job, households);
    reviews += queued;
    if (queued > 0) await recordDuplicatePass(job.id, queued);
  };
  let ids: string[] = [];
  for await (const id of householdIds) {
    ids.push(id);
    count++;
    if (ids.length === slice) {
      await run(ids);
      ids = [];
    }
  }
  if (ids.length > 0) await run(ids);
  await recordDuplicatePass(job.id, 0, new Date().toISOString());
  log.info('household import: duplicate pass', { importId: job.id, households: count, reviews, ms: Math.round(performance.now() - started) });
  return { reviews };
}

/**
 * One slice of the pass: files the households' people, looks them up, and queues each pair found
 * once (best-scored first, at most 10 per household). Answers the pairs queued now (a pair queued
 * already, by an earlier run, is left as it is and not counted).
 */
export async function queueSliceDuplicates(
  job: Pick<ImportJob, 'id' | 'country' | 'actor'>,
  households: readonly Pick<Household, 'country' | 'id' | 'org' | 'origin' | 'members'>[],
): Promise<number> {
  const people = households.map((h) => ({ country: h.country, id: h.id, org: h.org, origin: h.origin, members: h.members }));
  await fileMany(people);
  const found = await findCandidatesMany(people);
  const at = new Date().toISOString();
  const seen = new Set<string>();
  const reviews = people.flatMap((person, k) =>
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
  // Many reviews to a transaction (three items each): a million people's import queues pairs by
  // the hundred thousand, and one transaction each was most of its pass. A group refused because
  // one of its pairs is queued already (a pass run again, or a registration that queued it) is
  // written again review by review, each once.
  const groups = Array.from({ length: Math.ceil(reviews.length / REVIEWS_PER_TRANSACTION) }, (_, i) =>
    reviews.slice(i * REVIEWS_PER_TRANSACTION, (i + 1) * REVIEWS_PER_TRANSACTION),
  );
  const one = async (review: DuplicateReview) => {
    try {
      await transact(reviewWrites(review));
      return 1;
    } catch (e: unknown) {
      if (!(e instanceof PairAlreadyQueued)) throw e;
      return 0;
    }
  };
  const queued = await mapLimit(groups, IN_FLIGHT, async (group) => {
    if (group.length === 1) return one(group[0]!);
    try {
      await transact(group.flatMap(reviewWrites));
      return group.length;
    } catch (e: unknown) {
      if (!(e instanceof PairAlreadyQueued)) throw e;
      let n = 0;
      for (const review of group) n += await one(review);
      return n;
    }
  });
  return queued.reduce((a, b) => a + b, 0);
}
