/**
 * Key builders of the clearance priorities (`shared/domain/priorities.ts`). Pure; unit-tested in
 * `test/unit/priorities.test.ts`.
 *
 * Each hazard area that is not closed has two demand items holding the same counters and score,
 * one per list it is ranked in (an item sits in one partition of an index):
 * - pk = HAZARD#<id>, sk = DEMAND#COUNTRY, gsi5pk = PRIORITY#COUNTRY#<cc>, gsi5sk = score (N);
 * - pk = HAZARD#<id>, sk = DEMAND#PROVINCE, gsi5pk = PRIORITY#PROVINCE#<pcode>, gsi5sk = score (N).
 * The priorities of a country or a province: Query gsi5 pk = PRIORITY#..., highest score first.
 * A closed area's items lose `gsi5pk` and so leave the lists (gsi5 is sparse).
 */

export type PriorityScope = { level: 'country'; country: string } | { level: 'province'; province: string };

/** The demand item of an area in one list. */
export const demandKey = (hazardAreaId: string, level: PriorityScope['level']) => ({
  pk: `HAZARD#${hazardAreaId}`,
  sk: level === 'country' ? 'DEMAND#COUNTRY' : 'DEMAND#PROVINCE',
});

/** The list an area is ranked in: gsi5pk = PRIORITY#COUNTRY#<cc> | PRIORITY#PROVINCE#<pcode>. */
export const priorityPartition = (scope: PriorityScope): string =>
  scope.level === 'country' ? `PRIORITY#COUNTRY#${scope.country}` : `PRIORITY#PROVINCE#${scope.province}`;

/** The two lists of an area of `country` and `province`. */
export const prioritiesOf = (country: string, province: string): PriorityScope[] => [
  { level: 'country', country },
  { level: 'province', province },
];
