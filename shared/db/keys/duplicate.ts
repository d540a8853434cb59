/**
 * Key builders for possible duplicates without documents. Pure; unit-tested in `test/unit/duplicates.test.ts`.
 *
 * The blocking index is one bucket item per (country, keyed hash of name and origin place): every
 * person of that name and place is an attribute of it, with its year of birth, so a match reads
 * exactly one item per person and place with one BatchGetItem, however many people are registered,
 * and keeps those born within a year.
 */

/**
 * The people of a country with one normalised name from one origin place.
 * Item: { n, r_<householdId>_<memberIndex>: { h, o, m, y, a4? } }. pk = DUPNAME#<country>#<hash>, sk = K
 */
export const blockingBucketKey = (country: string, hash: string) => ({ pk: `DUPNAME#${country}#${hash}`, sk: 'K' });

/**
 * The bucket of the first blocking index, one per year of birth (a match read three):
 * pk = DUPKEY#<country>#<hash>#<year>, sk = K. Only the local backfill reads its prefix, to delete them.
 */
export const LEGACY_BLOCKING_BUCKET_PREFIX = 'DUPKEY#';

/** The attribute of one person in a bucket. */
export const blockingRefName = (householdId: string, memberIndex: number) => `r_${householdId}_${memberIndex}`;

/** Prefix of the person attributes of a bucket. */
export const BLOCKING_REF_PREFIX = 'r_';

/** A review of a pair of households. pk = DUPREVIEW#<id>, sk = DUPREVIEW */
export const duplicateReviewKey = (id: string) => ({ pk: `DUPREVIEW#${id}`, sk: 'DUPREVIEW' });

/** A country's reviews by status, oldest first. gsi1pk = DUPREVIEWS#<country>, gsi1sk = <status>#<id> */
export const duplicateReviewsByCountry = (country: string, status: string, id: string) => ({ gsi1pk: `DUPREVIEWS#${country}`, gsi1sk: `${status}#${id}` });

/** Sort-key prefix selecting one status of a country's reviews, or all. */
export const duplicateReviewStatusPrefix = (status: string | undefined) => (status ? `${status}#` : '');

/**
 * One household's side of a reviewed pair, in its partition: created with `attribute_not_exists`,
 * so a pair is queued once; an erasure finds its reviews here. Item: { reviewId, otherHouseholdId }.
 * pk = HH#<householdId>, sk = DUPPAIR#<otherHouseholdId>
 */
export const duplicatePairKey = (householdId: string, otherHouseholdId: string) => ({
  pk: `HH#${householdId}`,
  sk: `${DUPLICATE_PAIR_PREFIX}${otherHouseholdId}`,
});

export const DUPLICATE_PAIR_PREFIX = 'DUPPAIR#';
