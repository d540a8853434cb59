/**
 * Key builders for assistance records, the one-per-round rule, the statistics per round and the
 * registration codes. Pure; unit-tested in `test/unit/assistance.test.ts`.
 *
 * Records and their markers live in the household's partition (`HH#<id>`), beside its history:
 * listing a household's assistance is one Query, and an erasure finds them all under one prefix.
 */

/** Every assistance item of a household starts with this (records, round markers, reached markers). */
export const ASSISTANCE_ITEM_PREFIX = 'ASSIST';

/** A record of assistance given to a household, oldest first. pk = HH#<householdId>, sk = ASSIST#<id> */
export const assistanceRecordKey = (householdId: string, id: string) => ({ pk: `HH#${householdId}`, sk: `ASSIST#${id}` });
export const ASSISTANCE_RECORD_PREFIX = 'ASSIST#';

/**
 * The one-per-round rule: at most one record of a type in a round for a household, whoever gives
 * it; created with `attribute_not_exists(pk)` in the record's transaction.
 * Item: { assistanceId }. pk = HH#<householdId>, sk = ASSISTROUND#<round>#<type>
 */
export const assistanceRoundMarkerKey = (householdId: string, round: string, type: string) => ({ pk: `HH#${householdId}`, sk: `ASSISTROUND#${round}#${type}` });

/**
 * The household was reached in a round (by any type): its people count once per round in the
 * statistics. Item: { firstAssistanceId }. pk = HH#<householdId>, sk = ASSISTREACHED#<round>
 */
export const assistanceReachedKey = (householdId: string, round: string) => ({ pk: `HH#${householdId}`, sk: `ASSISTREACHED#${round}` });

/** A country's counters of one round. pk = ASTATS#<country>, sk = ROUND#<round> */
export const assistanceStatsKey = (country: string, round: string) => ({
  pk: assistanceStatsPartition(country),
  sk: `${ASSISTANCE_STATS_ROUND_PREFIX}${round}`,
});
/** Every round of a country: Query pk = ASTATS#<country>, sk begins_with ROUND#. */
export const assistanceStatsPartition = (country: string) => `ASTATS#${country}`;
export const ASSISTANCE_STATS_ROUND_PREFIX = 'ROUND#';

/**
 * The registration code of a household, unique in its country: created with
 * `attribute_not_exists(pk)`, so no two households of a country hold one code.
 * Item: { householdId }. pk = HHCODE#<country>#<code>, sk = CODE
 */
export const registrationCodeKey = (country: string, code: string) => ({ pk: `HHCODE#${country}#${code}`, sk: 'CODE' });
