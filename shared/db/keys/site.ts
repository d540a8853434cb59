/**
 * Key builders for displacement sites and their figures. Pure; unit-tested in `test/unit/keys.test.ts`.
 * List sort keys start with the status, so `?status=` is a `begins_with` on the same Query.
 */
const listSk = (status: string, id: string) => `STATUS#${status}#SITE#${id}`;

/** Sort-key prefix that selects one status in a site list, or all of them. */
export const siteStatusPrefix = (status: string | undefined) => (status ? `STATUS#${status}#` : 'STATUS#');

/** A site by id. pk = SITE#<id>, sk = SITE */
export const siteKey = (id: string) => ({ pk: `SITE#${id}`, sk: 'SITE' });

/**
 * The claim of a site code in a country (codes are unique per country, whatever their case),
 * created with `attribute_not_exists(pk)`. Item: { siteId }. pk = SITECODE#<country>#<CODE>, sk = CLAIM
 */
export const siteCodeKey = (country: string, code: string) => ({ pk: `SITECODE#${country}#${code.toUpperCase()}`, sk: 'CLAIM' });

/** A country's sites. gsi4pk = SITES#<country>, gsi4sk = STATUS#<status>#SITE#<id> */
export const sitesByCountry = (country: string, status: string, id: string) => ({ gsi4pk: `SITES#${country}`, gsi4sk: listSk(status, id) });

/** A country's sites in one province. gsi1pk = SITES#<country>#PROV#<pcode>, gsi1sk = STATUS#<status>#SITE#<id> */
export const sitesByProvince = (country: string, province: string, status: string, id: string) => ({
  gsi1pk: `SITES#${country}#PROV#${province}`,
  gsi1sk: listSk(status, id),
});

/** The partition of a country's per-site figures (one Query reads them all): pk = SSTATS#<country>. */
export const siteStatsPartition = (country: string) => `SSTATS#${country}`;
/** The present figures of one site. pk = SSTATS#<country>, sk = SITE#<siteId> */
export const siteStatsKey = (country: string, siteId: string) => ({ pk: siteStatsPartition(country), sk: `SITE#${siteId}` });

/** The partition of a country's monthly flows: pk = SFLOWS#<country>; a range of months is one Query on sk. */
export const siteFlowsPartition = (country: string) => `SFLOWS#${country}`;
/** The flows of a country in one effective month. pk = SFLOWS#<country>, sk = MONTH#<YYYY-MM> */
export const siteFlowsKey = (country: string, month: string) => ({ pk: siteFlowsPartition(country), sk: `MONTH#${month}` });
