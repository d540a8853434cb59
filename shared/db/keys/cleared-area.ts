/**
 * Key builders for cleared areas (completion reports). Pure; unit-tested in `test/unit/domain.test.ts`.
 */

/** A cleared area by id. pk = CLEARED#<id>, sk = CLEARED */
export const clearedKey = (id: string) => ({ pk: `CLEARED#${id}`, sk: 'CLEARED' });

/** A task's completion reports, oldest first. gsi1pk = TASK#<taskId>#CLEARED, gsi1sk = CLEARED#<id> */
export const clearedOfTask = (taskId: string, id: string) => ({ gsi1pk: `TASK#${taskId}#CLEARED`, gsi1sk: `CLEARED#${id}` });

/** Cleared areas of a country. gsi2pk = CLEARED#COUNTRY#<country>, gsi2sk = STATUS#<status>#CLEARED#<id> */
export const clearedByCountry = (country: string, status: string, id: string) => ({
  gsi2pk: `CLEARED#COUNTRY#${country}`,
  gsi2sk: `STATUS#${status}#CLEARED#${id}`,
});

/** Cleared areas of a province. gsi3pk = CLEARED#PROVINCE#<pcode>, gsi3sk = STATUS#<status>#CLEARED#<id> */
export const clearedByProvince = (province: string, status: string, id: string) => ({
  gsi3pk: `CLEARED#PROVINCE#${province}`,
  gsi3sk: `STATUS#${status}#CLEARED#${id}`,
});

/**
 * The land of one completion report, kept in its hazard area's partition so that a new report is
 * checked against everything released or awaiting QA on the area with one Query.
 * Item: { clearedAreaId, state: PENDING | RELEASED, parts: [{ outcome, method, areaSqm, geometry }], releasedAt? }.
 * pk = HAZARD#<hazardAreaId>, sk = LAND#<clearedAreaId>
 */
export const landKey = (hazardAreaId: string, clearedAreaId: string) => ({ pk: `HAZARD#${hazardAreaId}`, sk: `LAND#${clearedAreaId}` });

/** Sort-key prefix of the land items of a hazard area: Query pk = HAZARD#<id>, begins_with(sk, LAND#). */
export const LAND_PREFIX = 'LAND#';
