/**
 * Key builders for accidents. Pure; unit-tested in `test/unit/accidents.test.ts`.
 * List sort keys start with when the accident happened, so `?from=&to=` is a range on the same Query.
 */

/** An accident by id. pk = ACCIDENT#<id>, sk = ACCIDENT */
export const accidentKey = (id: string) => ({ pk: `ACCIDENT#${id}`, sk: 'ACCIDENT' });

/**
 * The personal data of an accident's victims (names, contacts), apart from the accident so that
 * its readers, its retention (TTL) and its erasure are its own. pk = ACCIDENT#<id>, sk = VICTIMS
 */
export const victimDataKey = (id: string) => ({ pk: `ACCIDENT#${id}`, sk: 'VICTIMS' });

/** Accidents of a country, by date. gsi1pk = ACCIDENTS#COUNTRY#<cc>, gsi1sk = AT#<occurredAt>#<id> */
export const accidentsByCountry = (country: string, occurredAt: string, id: string) => ({
  gsi1pk: `ACCIDENTS#COUNTRY#${country}`,
  gsi1sk: `AT#${occurredAt}#${id}`,
});

/** Accidents of a province, by date. gsi2pk = ACCIDENTS#PROVINCE#<pcode>, gsi2sk = AT#<occurredAt>#<id> */
export const accidentsByProvince = (province: string, occurredAt: string, id: string) => ({
  gsi2pk: `ACCIDENTS#PROVINCE#${province}`,
  gsi2sk: `AT#${occurredAt}#${id}`,
});
