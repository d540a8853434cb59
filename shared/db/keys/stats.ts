/**
 * Key builders for land-release statistics. Pure; unit-tested in `test/unit/domain.test.ts`.
 * Counters live in one item per scope, so a read is one GetItem however many records exist.
 */

export type StatsScope = { level: 'all' } | { level: 'country'; country: string } | { level: 'province'; province: string };

/** Land-release counters of a scope. pk = STATS#LAND_RELEASE, sk = ALL | COUNTRY#<cc> | PROVINCE#<pcode> */
export function landReleaseStatsKey(scope: StatsScope): { pk: string; sk: string } {
  const sk = scope.level === 'all' ? 'ALL' : scope.level === 'country' ? `COUNTRY#${scope.country}` : `PROVINCE#${scope.province}`;
  return { pk: 'STATS#LAND_RELEASE', sk };
}

/** The three scopes a change in one province counts towards. */
export const scopesOf = (country: string, province: string): StatsScope[] => [{ level: 'all' }, { level: 'country', country }, { level: 'province', province }];
