/**
 * Key builders for the monthly report's buckets. Pure.
 * One item per country, month and province, all of a country in one partition sorted by month,
 * so a country's months `from`..`to` are one Query of at most (months × its border provinces)
 * items, and a province's the same Query narrowed to its items, however many records exist.
 */

/** The partition of a country's monthly buckets: pk = MSTATS#<country>. */
export const monthlyStatsPartition = (country: string) => `MSTATS#${country}`;

/** A province's bucket of a month. pk = MSTATS#<country>, sk = <YYYY-MM>#<province> */
export const monthlyStatsKey = (country: string, province: string, month: string) => ({ pk: monthlyStatsPartition(country), sk: `${month}#${province}` });

/** The sort-key range of months `from`..`to` (both included) in a country's partition. */
export const monthlyStatsRange = (from: string, to: string) => ({ start: `${from}#`, end: `${to}#~` });

/** The item recording that the one-off count of records older than the buckets is done. */
export const MONTHLY_BACKFILL_MARKER = { pk: 'MSTATS#BACKFILL', sk: 'DONE' } as const;
