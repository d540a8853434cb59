/**
 * Key builders for displacement statistics. Pure.
 * Counters live in one item per country and one per origin province, all in the country's
 * partition, so a scope is one GetItem and a country with all its provinces is one Query of at
 * most 1 + its number of border provinces items, however many households exist.
 */

/** The partition of a country's displacement counters: pk = DSTATS#<country>. */
export const displacementStatsPartition = (country: string) => `DSTATS#${country}`;

/** Sort key of the country-level item. */
export const DSTATS_COUNTRY_SK = 'ALL';
/** Sort-key prefix of the province items. */
export const DSTATS_PROVINCE_PREFIX = 'PROVINCE#';

/** Displacement counters of a country (no province) or of one origin province. pk = DSTATS#<country>, sk = ALL | PROVINCE#<pcode> */
export const displacementStatsKey = (country: string, province?: string) => ({
  pk: displacementStatsPartition(country),
  sk: province === undefined ? DSTATS_COUNTRY_SK : `${DSTATS_PROVINCE_PREFIX}${province}`,
});

/** Sort-key prefixes of the district and commune (tambon) items, by the household's origin `adm2` / `adm3`. */
export const DSTATS_ADM_PREFIX = { adm2: 'ADM2#', adm3: 'ADM3#' } as const;

/** Displacement counters of one origin district or commune. pk = DSTATS#<country>, sk = ADM2#<pcode> | ADM3#<pcode> */
export const displacementStatsAdmKey = (country: string, level: 'adm2' | 'adm3', pcode: string) => ({
  pk: displacementStatsPartition(country),
  sk: `${DSTATS_ADM_PREFIX[level]}${pcode}`,
});
