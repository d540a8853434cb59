/**
 * Key builders for explosive ordnance risk education (EORE) sessions. Pure; unit-tested in
 * `test/unit/accidents.test.ts`. List sort keys start with the session date (newest first by reading backwards).
 */

/** A session by id. pk = EORE#<id>, sk = EORE */
export const sessionKey = (id: string) => ({ pk: `EORE#${id}`, sk: 'EORE' });

/** Sessions of a country. gsi1pk = EORES#COUNTRY#<cc>, gsi1sk = DATE#<date>#<id> */
export const sessionsByCountry = (country: string, date: string, id: string) => ({ gsi1pk: `EORES#COUNTRY#${country}`, gsi1sk: `DATE#${date}#${id}` });

/** Sessions of a province. gsi2pk = EORES#PROVINCE#<pcode>, gsi2sk = DATE#<date>#<id> */
export const sessionsByProvince = (province: string, date: string, id: string) => ({ gsi2pk: `EORES#PROVINCE#${province}`, gsi2sk: `DATE#${date}#${id}` });

/** Sessions at a displacement site (by its name within a country). gsi3pk = EORES#SITE#<cc>#<site>, gsi3sk = DATE#<date>#<id> */
export const sessionsBySite = (country: string, site: string, date: string, id: string) => ({
  gsi3pk: `EORES#SITE#${country}#${site}`,
  gsi3sk: `DATE#${date}#${id}`,
});
