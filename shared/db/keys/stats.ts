/**
 * Key builders for land-release statistics. Pure; unit-tested in `test/unit/domain.test.ts`.
 * Counters live in one item per scope, so a read is one GetItem however many records exist.
 */

export type StatsScope =
  | { level: 'all' }
  | { level: 'country'; country: string }
  | { level: 'province'; province: string }
  | { level: 'district'; district: string };

/** Land-release counters of a scope. pk = STATS#LAND_RELEASE, sk = ALL | COUNTRY#<cc> | PROVINCE#<pcode> | DISTRICT#<adm2> */
export function landReleaseStatsKey(scope: StatsScope): { pk: string; sk: string } {
  const sk =
    scope.level === 'all'
      ? 'ALL'
      : scope.level === 'country'
        ? `COUNTRY#${scope.country}`
        : scope.level === 'province'
          ? `PROVINCE#${scope.province}`
          : `DISTRICT#${scope.district}`;
  return { pk: 'STATS#LAND_RELEASE', sk };
}

/** The scopes a change in one province (and district, when the hazard area has one) counts towards. */
export const scopesOf = (country: string, province: string, district?: string): StatsScope[] => [
  { level: 'all' },
  { level: 'country', country },
  { level: 'province', province },
  ...(district ? [{ level: 'district' as const, district }] : []),
];
