/**
 * Key builders of the return-safety spatial index. Pure; unit-tested in
 * `test/unit/return-safety.test.ts`. Cells are geohash cells (`shared/domain/return-safety.ts`).
 *
 * Every access is a Query on a partition key of the table, never a Scan:
 * - a registration reads the hazard areas of its point's cell: Query pk = HAGEO#<cell>;
 * - a recomputation for a hazard area reads the households of each of the area's cells:
 *   Query pk = HHGEO#<cell>;
 * - the households at risk from an area are listed from its link partition, narrowed to the
 *   caller's country or organisation by a sort-key prefix: Query pk = HAZARD#<id>#ATRISK.
 * The items live in the base table (the four GSIs carry the list keys of the resources).
 */

/**
 * A hazard area indexed under one cell. Item: { hazardAreaId, country, active, bbox }, where
 * `active` is false once the area is CLOSED or HANDED_OVER and `bbox` is the area's own
 * bounding box; the geometry stays on the hazard area item.
 * pk = HAGEO#<cell>, sk = HAZARD#<hazardAreaId>
 */
export const hazardCellKey = (cell: string, hazardAreaId: string) => ({ pk: hazardCellPartition(cell), sk: `HAZARD#${hazardAreaId}` });

/** The hazard areas near a cell: Query pk = HAGEO#<cell>. */
export const hazardCellPartition = (cell: string) => `HAGEO#${cell}`;

/**
 * A household indexed under the cell of its destination point. Item: { householdId, country,
 * org, point, safety, hazardAreaIds } (no personal data; the safety is a copy of the
 * household's, kept in the same transactions).
 * pk = HHGEO#<cell>, sk = HH#<householdId>
 */
export const householdCellKey = (cell: string, householdId: string) => ({ pk: householdCellPartition(cell), sk: `HH#${householdId}` });

/** The households whose destination lies in a cell: Query pk = HHGEO#<cell>. */
export const householdCellPartition = (cell: string) => `HHGEO#${cell}`;

/**
 * A household at risk from a hazard area. Item: { hazardAreaId, householdId, country, org }.
 * pk = HAZARD#<hazardAreaId>#ATRISK, sk = COUNTRY#<country>#ORG#<org>#HH#<householdId>
 */
export const atRiskKey = (hazardAreaId: string, country: string, org: string, householdId: string) => ({
  pk: atRiskPartition(hazardAreaId),
  sk: `${atRiskPrefix({ country, org })}${householdId}`,
});

/** The households at risk from a hazard area: Query pk = HAZARD#<id>#ATRISK. */
export const atRiskPartition = (hazardAreaId: string) => `HAZARD#${hazardAreaId}#ATRISK`;

/**
 * Sort-key prefix of the at-risk links a caller may list: all (admin), a country's (ministry)
 * or an organisation's in its country (relief). The organisation is closed by `#HH#` so that
 * one organisation's name that starts another's does not match it.
 */
export function atRiskPrefix(scope: { country?: string | undefined; org?: string | undefined }): string {
  if (!scope.country) return 'COUNTRY#';
  if (scope.org === undefined) return `COUNTRY#${scope.country}#`;
  return `COUNTRY#${scope.country}#ORG#${scope.org}#HH#`;
}

/**
 * A household AT_RISK that has had no explosive ordnance risk education yet, for the relief
 * agencies that brief people before they go home. Item: { householdId, country, org }; written
 * and deleted with the household's other index items.
 * pk = EOREDUE#<country>, sk = ORG#<org>#HH#<householdId>
 */
export const briefingDueKey = (country: string, org: string, householdId: string) => ({
  pk: briefingDuePartition(country),
  sk: `${briefingDuePrefix(org)}${householdId}`,
});

/** The AT_RISK households of a country without risk education: Query pk = EOREDUE#<country>. */
export const briefingDuePartition = (country: string) => `EOREDUE#${country}`;

/** Sort-key prefix of one organisation's households in that list (all of them without `org`). */
export const briefingDuePrefix = (org?: string) => (org === undefined ? 'ORG#' : `ORG#${org}#HH#`);
