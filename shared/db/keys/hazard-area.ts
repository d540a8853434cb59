/**
 * Key builders for hazard areas. Pure; unit-tested in `test/unit/keys.test.ts`.
 * List sort keys start with the status so that `?status=` is a `begins_with` on the same Query.
 */

/** A hazard area by id. pk = HAZARD#<id>, sk = HAZARD */
export const hazardKey = (id: string) => ({ pk: `HAZARD#${id}`, sk: 'HAZARD' });

/**
 * The hazard areas' version: counted up by every transaction that writes a hazard area
 * (`shared/db/transact.ts`), so that a registration can commit on condition that none changed since
 * it read the version, before assessing its destination. pk = META#HAZARDS, sk = VERSION, { v }
 */
export const hazardsVersionKey = () => ({ pk: 'META#HAZARDS', sk: 'VERSION' });

/** Hazard areas of a country. gsi2pk = HAZARDS#COUNTRY#<country>, gsi2sk = STATUS#<status>#HAZARD#<id> */
export const hazardsByCountry = (country: string, status: string, id: string) => ({
  gsi2pk: `HAZARDS#COUNTRY#${country}`,
  gsi2sk: `STATUS#${status}#HAZARD#${id}`,
});

/** Hazard areas of a province. gsi3pk = HAZARDS#PROVINCE#<pcode>, gsi3sk = STATUS#<status>#HAZARD#<id> */
export const hazardsByProvince = (province: string, status: string, id: string) => ({
  gsi3pk: `HAZARDS#PROVINCE#${province}`,
  gsi3sk: `STATUS#${status}#HAZARD#${id}`,
});

/**
 * Hazard areas of a commune or tambon (by the area's own `adm3`), for destinations without a point.
 * gsi4pk = HAZARDS#ADM3#<pcode>, gsi4sk = STATUS#<status>#HAZARD#<id>
 */
export const hazardsByAdm3 = (adm3: string, status: string, id: string) => ({ gsi4pk: `HAZARDS#ADM3#${adm3}`, gsi4sk: `STATUS#${status}#HAZARD#${id}` });

/** Status history of a hazard area, oldest first. pk = HAZARD#<id>, sk = HISTORY#<entryId> */
export const hazardHistoryKey = (id: string, entryId: string) => ({ pk: `HAZARD#${id}`, sk: `HISTORY#${entryId}` });

/** Sort-key prefix that selects one status in a list, or all of them. */
export const statusPrefix = (status: string | undefined) => (status ? `STATUS#${status}#` : 'STATUS#');
