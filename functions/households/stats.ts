import * as z from 'zod/mini';
import { Country, named } from '#shared/domain/common.ts';
import { addContributions, DISPLACEMENT_COUNT_PATHS, displacementView, type Counters, type DisplacementView } from '#shared/domain/displacement-stats.ts';
import { AGE_BANDS, HOUSEHOLD_STATUSES, RETURN_INTENTS, RETURN_OBSTACLES, RETURN_WHEN, SEXES } from '#shared/domain/household.ts';
import { isProvinceOf, PROVINCES, provinceOf } from '#shared/domain/provinces.ts';
import type { Role } from '#shared/domain/roles.ts';
import { readsEveryHousehold, suppressSmallCells } from '#shared/domain/small-cells.ts';
import { NEED_CATEGORIES } from '#shared/domain/specific-needs.ts';
import { readCountryDisplacementStats, readDisplacementStats } from '#shared/db/repositories/displacement-stats.ts';
import type { Api } from '#shared/http/api.ts';
import { BadRequest, Forbidden } from '#shared/http/problem.ts';
import { csvResponse, hxlRows, wantsCsv, type CsvColumn } from '#shared/http/csv.ts';

/** Statistics are counts, not personal data: every role that works with households reads them, observers included. */
const STATS_READERS = ['relief', 'ministry', 'observer', 'admin'] as const satisfies readonly Role[];

/** A count, `null` when withheld as a small cell (`shared/domain/small-cells.ts`). */
const count = () => z.nullable(z.number());
const counts = () => z.record(z.string(), count());
const bySexAge = () => z.record(z.string(), counts());
const DisplacementStats = named('DisplacementStats', () =>
  z.object({
    scope: z.object({ country: z.nullable(Country), province: z.nullable(z.string()) }),
    ageBandsYear: z.int(),
    households: z.object({ total: count(), byStatus: counts(), withSpecificNeeds: count() }),
    people: z.object({
      total: count(),
      byStatus: counts(),
      bySexAndAge: bySexAge(),
      displaced: z.object({ total: count(), bySexAndAge: bySexAge() }),
      returned: z.object({ total: count(), bySexAndAge: bySexAge() }),
    }),
    specificNeeds: z.object({ people: count(), byCategory: counts(), byCode: counts() }),
    returnSafety: z.object({
      households: counts(),
      people: counts(),
      atRiskReturns: z.object({ households: count(), people: count() }),
      householdsByStatus: z.record(z.string(), counts()),
    }),
    returnIntentions: z.object({ households: counts(), byWhen: counts(), byObstacle: counts() }),
    /** Dotted paths of the counts withheld as small cells (1 to 4) for this reader; empty when every count is exact. */
    suppressed: z.array(z.string()),
  }),
);

type Column = CsvColumn<[pcode: string, v: DisplacementView]>;
const lower = (s: string) => s.toLowerCase();
const bandTag = (b: string) => `age${b.replace('-', '_').replace('+', '_plus')}`;
const bandHeader = (b: string) => b.replace('-', '_').replace('+', '_plus');

/**
 * CSV columns with their HXL hashtags (Humanitarian Exchange Language), one row per origin
 * province. IDPs are every household not yet home (DISPLACED, INTENDS_RETURN, RETURN_BLOCKED,
 * REDISPLACED); returnees are RETURNED. Counts only: no personal data.
 */
const COLUMNS: Column[] = [
  ['country', '#country+code', (p) => provinceOf(p)!.country],
  ['province_pcode', '#adm1+code', (p) => p],
  ['province_name', '#adm1+name', (p) => provinceOf(p)!.name],
  ['households', '#affected+hh', (_p, v) => v.households.total],
  ['people', '#affected+ind', (_p, v) => v.people.total],
  ['idp_households', '#affected+idps+hh', (_p, v) => HOUSEHOLD_STATUSES.filter((s) => s !== 'RETURNED').reduce((t, s) => t + v.households.byStatus[s], 0)],
  ['idp_people', '#affected+idps+ind', (_p, v) => v.people.displaced.total],
  ['returnee_households', '#affected+returnees+hh', (_p, v) => v.households.byStatus.RETURNED],
  ['returnee_people', '#affected+returnees+ind', (_p, v) => v.people.returned.total],
  ...HOUSEHOLD_STATUSES.map((s): Column => [`households_${lower(s)}`, `#affected+hh+${lower(s)}`, (_p, v) => v.households.byStatus[s]]),
  ...HOUSEHOLD_STATUSES.map((s): Column => [`people_${lower(s)}`, `#affected+ind+${lower(s)}`, (_p, v) => v.people.byStatus[s]]),
  ...(['F', 'M'] as const).map((sex): Column => [
    `children_${lower(sex)}`,
    `#affected+${lower(sex)}+children`,
    (_p, v) => {
      const bands = v.people.bySexAndAge[sex];
      return bands['0-4'] + bands['5-11'] + bands['12-17'];
    },
  ]),
  ...(['displaced', 'returned'] as const).flatMap((group) =>
    SEXES.flatMap((sex) =>
      AGE_BANDS.map((band): Column => [
        `${group === 'displaced' ? 'idp' : 'returnee'}_${lower(sex)}_${bandHeader(band)}`,
        `#affected+${group === 'displaced' ? 'idps' : 'returnees'}+${lower(sex)}+${bandTag(band)}`,
        (_p, v) => v.people[group].bySexAndAge[sex][band],
      ]),
    ),
  ),
  ['households_specific_needs', '#affected+hh+specific_needs', (_p, v) => v.households.withSpecificNeeds],
  ['people_specific_needs', '#affected+ind+specific_needs', (_p, v) => v.specificNeeds.people],
  ...NEED_CATEGORIES.map((k): Column => [`people_needs_${lower(k)}`, `#affected+ind+specific_needs+${lower(k)}`, (_p, v) => v.specificNeeds.byCategory[k] ?? 0]),
  ['households_return_at_risk', '#affected+hh+return_at_risk', (_p, v) => v.returnSafety.households.AT_RISK],
  ['people_return_at_risk', '#affected+ind+return_at_risk', (_p, v) => v.returnSafety.people.AT_RISK],
  ['households_return_safe', '#affected+hh+return_safe', (_p, v) => v.returnSafety.households.SAFE],
  ['households_return_unknown', '#affected+hh+return_unknown', (_p, v) => v.returnSafety.households.UNKNOWN],
  ['at_risk_return_households', '#affected+returnees+hh+at_risk', (_p, v) => v.returnSafety.atRiskReturns.households],
  ['at_risk_return_people', '#affected+returnees+ind+at_risk', (_p, v) => v.returnSafety.atRiskReturns.people],
  ...[...RETURN_INTENTS, 'notSurveyed' as const].map((i): Column => [`households_intends_${i === 'notSurveyed' ? 'not_surveyed' : lower(i)}`, `#affected+idps+hh+intends_${i === 'notSurveyed' ? 'not_surveyed' : lower(i)}`, (_p, v) => v.returnIntentions.households[i]]),
  ...RETURN_WHEN.map((w): Column => [`households_intends_when_${lower(w)}`, `#affected+idps+hh+intends_when_${lower(w)}`, (_p, v) => v.returnIntentions.byWhen[w]]),
  ...RETURN_OBSTACLES.map((o): Column => [`households_obstacle_${lower(o)}`, `#affected+idps+hh+obstacle_${lower(o)}`, (_p, v) => v.returnIntentions.byObstacle[o]]),
];

/** `GET /v1/stats/displacement`: mounted on the households app (`functions/households/app.ts`). */
export function displacementStatsRoutes(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/stats/displacement',
      operationId: 'displacementStats',
      summary: 'Displacement statistics of a country or an origin province (JSON, or CSV with HXL hashtags)',
      description:
        "Households and people by status; people by sex and age band (0-4, 5-11, 12-17, 18-59, 60+, computed for the current year), for everyone and for IDPs (not yet home) and returnees apart; people with specific needs by UNHCR category and code; households not yet home by return intention, by when and by obstacle (`returnIntentions`); households and people by return safety, and at-risk returns (INTENDS_RETURN, RETURN_BLOCKED or RETURNED with an AT_RISK destination). Households are counted by origin province. Counters are kept in the same transactions as the changes, so the figures are exact and a read is one item whatever the number of households. Relief agencies and ministries read their own country (the default); observers and admins either, or both together when no country is named. With `Accept: text/csv` (or `?format=csv`) the answer is one CSV row per origin province of the scope with an HXL hashtag row under the header. Counts only, never personal data. Small cells: a reader who may not read every household counted (observers; relief agencies, whose country's counts include other organisations' households) gets every count from 1 to 4 as `null`, listed in `suppressed` by dotted path, and as `<5` in CSV; 0 stays 0. Ministries (their own country) and admins get exact counts.",
      tag: 'Statistics',
      access: STATS_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
        format: z.optional(z.enum(['json', 'csv'])),
      }),
      responses: {
        200: { description: 'The statistics (JSON), or one CSV row per origin province with HXL hashtags', schema: DisplacementStats },
      },
    },
    async (c, { principal, query }) => {
      if (query.province && !provinceOf(query.province)) throw new BadRequest('Unknown province.', [{ path: 'query.province', message: 'not a border province' }]);
      if (query.province && query.country && !isProvinceOf(query.province, query.country)) throw new BadRequest('The province is not in that country.', [{ path: 'query.province', message: `not a province of ${query.country}` }]);
      const named = query.country ?? (query.province ? provinceOf(query.province)!.country : undefined);
      if (principal.country && named && named !== principal.country) throw new Forbidden(`A ${principal.role} of ${principal.country} reads the statistics of ${principal.country} only.`);
      const country = named ?? principal.country;
      const countries = country ? [country] : (['KH', 'TH'] as const);
      const year = new Date().getUTCFullYear();
      const exact = readsEveryHousehold(principal, countries);
      if (wantsCsv(c, query.format)) {
        const provinces = query.province ? [query.province] : PROVINCES.filter((p) => countries.includes(p.country)).map((p) => p.pcode);
        const byProvince = new Map<string, Counters>();
        for (const cc of countries) for (const [p, counters] of (await readCountryDisplacementStats(cc)).provinces) byProvince.set(p, counters);
        const rows = provinces.map((p): [string, DisplacementView] => [p, displacementView(byProvince.get(p) ?? {}, year)]);
        return csvResponse(c, hxlRows(COLUMNS, rows), `displacement-${query.province ?? country ?? 'KH-TH'}.csv`, !exact);
      }
      const counters = query.province ? await readDisplacementStats(country!, query.province) : addContributions(...(await Promise.all(countries.map((cc) => readDisplacementStats(cc)))));
      const view = displacementView(counters, year);
      const { value, suppressed } = exact ? { value: view, suppressed: [] } : suppressSmallCells(view, DISPLACEMENT_COUNT_PATHS);
      return c.json({ scope: { country: country ?? null, province: query.province ?? null }, ...value, suppressed });
    },
  );
}
