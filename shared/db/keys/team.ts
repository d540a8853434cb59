/**
 * Key builders for teams. Pure: no I/O, unit-tested in `test/unit/keys.test.ts`.
 */

/** A team by id. pk = TEAM#<id>, sk = TEAM */
export const teamKey = (id: string) => ({ pk: `TEAM#${id}`, sk: 'TEAM' });

/** Teams of one country, oldest first (ULIDs sort by creation). gsi1pk = TEAMS#COUNTRY#<country>, gsi1sk = TEAM#<id> */
export const teamsByCountry = (country: string, id: string) => ({ gsi1pk: `TEAMS#COUNTRY#${country}`, gsi1sk: `TEAM#${id}` });

/** All teams of both countries, oldest first (at most a few hundred teams exist). gsi2pk = TEAMS, gsi2sk = TEAM#<id> */
export const allTeams = (id: string) => ({ gsi2pk: 'TEAMS', gsi2sk: `TEAM#${id}` });
