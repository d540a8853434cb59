import * as z from 'zod/mini';
import { Country, named } from '#shared/domain/common.ts';
import { addContributions, DISPLACEMENT_COUNT_PATHS, displacementView, type Counters, type DisplacementView } from '#shared/domain/displacement-stats.ts';
import { AGE_BANDS, HOUSEHOLD_STATUSES, RETURN_INTENTS, RETURN_OBSTACLES, RETURN_WHEN, SEXES, VERIFICATION_STATUSES } from '#shared/domain/household.ts';
import { isCountryProvince, PROVINCES, provinceOf } from '#shared/domain/provinces.ts';
import { unitNames } from '#shared/db/repositories/gazetteer.ts';
import type { Role } from '#shared/domain/roles.ts';
import { readsEveryHousehold, suppressSmallCells } from '#shared/domain/small-cells.ts';
import { NEED_CATEGORIES } from '#shared/domain/specific-needs.ts';
import { readAdmDisplacementStats, readDisplacementStats, readLevelDisplacementStats } from '#shared/db/repositories/displacement-stats.ts';
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
    scope: z.object({ country: z.nullable(Country), province: z.nullable(z.string()), adm2: z.optional(z.string()), adm3: z.optional(z.string()) }),
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
    /** Households by verification status (UNVERIFIED: also those never verified). */
    verification: counts(),
    returnIntentions: z.object({ households: counts(), byWhen: counts(), byObstacle: counts() }),
    /** Dotted paths of the counts withheld as small cells (1 to 4) for this reader; empty when every count is exact. */
    suppressed: z.array(z.string()),
  }),
);

type Level = 'adm1' | 'adm2' | 'adm3';

/** A row of the CSV: a unit of the level asked for (province, district or commune), with the units above it. */
interface Row {
  country: string;
  province: string;
  adm2?: string | undefined;
  adm3?: string | undefined;
}
type Column = CsvColumn<[row: Row, v: DisplacementView]>;

const placeColumns = (level: Level, names: ReadonlyMap<string, string>): Column[] => [
  ['country', '#country+code', (r) => r.country],
  ['province_pcode', '#adm1+code', (r) => r.province],
  ['province_name', '#adm1+name', (r) => names.get(r.province) ?? provinceOf(r.province)?.name ?? ''],
  ...(level !== 'adm1'
    ? ([
        ['district_pcode', '#adm2+code', (r) => r.adm2 ?? ''],
        ['district_name', '#adm2+name', (r) => names.get(r.adm2 ?? '') ?? ''],
      ] as Column[])
    : []),
  ...(level === 'adm3'
    ? ([
        ['commune_pcode', '#adm3+code', (r) => r.adm3 ?? ''],
        ['commune_name', '#adm3+name', (r) => names.get(r.adm3 ?? '') ?? ''],
      ] as Column[])
    : []),
];
const lower = (s: string) => s.toLowerCase();
const bandTag = (b: string) => `age${b.replace('-', '_').replace('+', '_plus')}`;
const bandHeader = (b: string) => b.replace('-', '_').replace('+', '_plus');

/**
 * CSV columns with their HXL hashtags (Humanitarian Exchange Language), one row per origin
 * province. IDPs are every household not yet home (DISPLACED, INTENDS_RETURN, RETURN_BLOCKED,
 * REDISPLACED); returnees are RETURNED. Counts only: no personal data.
 */
/** The count columns, the same at every level (the place columns come first, by level). */
const COLUMNS: Column[] = [
  ['households', '#affected+hh', (_p, v) => v.households.total],
  ['people', '#affected+ind', (_p, v) => v.people.total],
  ['idp_households', '#affected+idps+hh', (_p, v) => HOUSEHOLD_STATUSES.filter((s) => s !== 'RETURNED').reduce((t, s) => t + v.households.byStatus[s], 0)],
  ['idp_people', '#affected+idps+ind', (_p, v) => v.people.displaced.total],
  ['returnee_households', '#affected+returnees+hh', (_p, v) => v.households.byStatus.RETURNED],
  ['returnee_people', '#affected+returnees+ind', (_p, v) => v.people.returned.total],
  ...HOUSEHOLD_STATUSES.map((s): Column => [`households_${lower(s)}`, `#affected+hh+${lower(s)}`, (_p, v) => v.households.byStatus[s]]),
  ...HOUSEHOLD_STATUSES.map((s): Column => [`people_${lower(s)}`, `#affected+ind+${lower(s)}`, (_p, v) => v.people.byStatus[s]]),
  ...(['F', 'M'] as const).map(
    (sex): Column => [
      `children_${lower(sex)}`,
      `#affected+${lower(sex)}+children`,
      (_p, v) => {
        const bands = v.people.bySexAndAge[sex];
        return bands['0-4'] + bands['5-11'] + bands['12-17'];
      },
    ],
  ),
  ...(['displaced', 'returned'] as const).flatMap((group) =>
    SEXES.flatMap((sex) =>
      AGE_BANDS.map(
        (band): Column => [
          `${group === 'displaced' ? 'idp' : 'returnee'}_${lower(sex)}_${bandHeader(band)}`,
          `#affected+${group === 'displaced' ? 'idps' : 'returnees'}+${lower(sex)}+${bandTag(band)}`,
          (_p, v) => v.people[group].bySexAndAge[sex][band],
        ],
      ),
    ),
  ),
  ['households_specific_needs', '#affected+hh+specific_needs', (_p, v) => v.households.withSpecificNeeds],
  ['people_specific_needs', '#affected+ind+specific_needs', (_p, v) => v.specificNeeds.people],
  ...NEED_CATEGORIES.map(
    (k): Column => [`people_needs_${lower(k)}`, `#affected+ind+specific_needs+${lower(k)}`, (_p, v) => v.specificNeeds.byCategory[k] ?? 0],
  ),
  ['households_return_at_risk', '#affected+hh+return_at_risk', (_p, v) => v.returnSafety.households.AT_RISK],
  ['people_return_at_risk', '#affected+ind+return_at_risk', (_p, v) => v.returnSafety.people.AT_RISK],
  ['households_return_safe', '#affected+hh+return_safe', (_p, v) => v.returnSafety.households.SAFE],
  ['households_return_unknown', '#affected+hh+return_unknown', (_p, v) => v.returnSafety.households.UNKNOWN],
  ['at_risk_return_households', '#affected+returnees+hh+at_risk', (_p, v) => v.returnSafety.atRiskReturns.households],
  ['at_risk_return_people', '#affected+returnees+ind+at_risk', (_p, v) => v.returnSafety.atRiskReturns.people],
  ...VERIFICATION_STATUSES.map((s): Column => [`households_verification_${lower(s)}`, `#affected+hh+verification_${lower(s)}`, (_p, v) => v.verification[s]]),
  ...[...RETURN_INTENTS, 'notSurveyed' as const].map(
    (i): Column => [
      `households_intends_${i === 'notSurveyed' ? 'not_surveyed' : lower(i)}`,
      `#affected+idps+hh+intends_${i === 'notSurveyed' ? 'not_surveyed' : lower(i)}`,
      (_p, v) => v.returnIntentions.households[i],
    ],
  ),
  ...RETURN_WHEN.map(
    (w): Column => [`households_intends_when_${lower(w)}`, `#affected+idps+hh+intends_when_${lower(w)}`, (_p, v) => v.returnIntentions.byWhen[w]],
  ),
  ...RETURN_OBSTACLES.map(
    (o): Column => [`households_obstacle_${lower(o)}`, `#affected+idps+hh+obstacle_${lower(o)}`, (_p, v) => v.returnIntentions.byObstacle[o]],
  ),
];

/** `GET /v1/stats/displacement`: mounted on the sites app (`functions/sites/app.ts`), which reads the figures the household changes keep. */
export function displacementStatsRoutes(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/stats/displacement',
      operationId: 'displacementStats',
      summary: 'Displacement statistics of a country or an origin province (JSON, or CSV with HXL hashtags)',
      description:
        "Households and people by status; people by sex and age band (0-4, 5-11, 12-17, 18-59, 60+, computed for the current year), for everyone and for IDPs (not yet home) and returnees apart; people with specific needs by UNHCR category and code; households not yet home by return intention, by when and by obstacle (`returnIntentions`); households and people by return safety, and at-risk returns (INTENDS_RETURN, RETURN_BLOCKED or RETURNED with an AT_RISK destination). Households are counted by origin province, and by origin district (`adm2`) and commune or tambon (`adm3`) when their origin has those P-codes: name `province`, `adm2` or `adm3` for one unit's figures. Counters are kept in the same transactions as the changes, so the figures are exact and a read is one item whatever the number of households. Relief agencies and ministries read their own country (the default); observers and admins either, or both together when no country is named. With `Accept: text/csv` (or `?format=csv`) the answer is one CSV row per origin province of the scope (`level=adm1`, the default: the border provinces and any other with households), or per origin district (`level=adm2`, with `#adm2+code`) or commune (`level=adm3`, with `#adm3+code`) that has households, with an HXL hashtag row under the header. Counts only, never personal data. Small cells: a reader who may not read every household counted (observers; relief agencies, whose country's counts include other organisations' households) gets every count from 1 to 4 as `null`, listed in `suppressed` by dotted path, and as `<5` in CSV; 0 stays 0. Ministries (their own country) and admins get exact counts.",
      tag: 'Statistics',
      access: STATS_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
        adm2: z.optional(z.string().check(z.regex(/^(KH|TH)\d{4}$/, 'must be a district P-code such as KH2203'))),
        adm3: z.optional(z.string().check(z.regex(/^(KH|TH)\d{6}$/, 'must be a commune or tambon P-code such as KH220305'))),
        level: z.optional(z.enum(['adm1', 'adm2', 'adm3'])),
        format: z.optional(z.enum(['json', 'csv'])),
      }),
      responses: {
        200: {
          description: 'The statistics (JSON), or one CSV row per origin province, district or commune (`level`) with HXL hashtags',
          schema: DisplacementStats,
        },
      },
    },
    async (c, { principal, query }) => {
      const codes = [query.province, query.adm2, query.adm3].filter((x): x is string => x !== undefined);
      if (query.adm2 && query.adm3) throw new BadRequest('Name a district or a commune, not both.', [{ path: 'query.adm3', message: 'give adm2 or adm3' }]);
      const codeCountry = codes[0]?.slice(0, 2) as Country | undefined;
      for (const code of codes) {
        if (code.slice(0, 2) !== (query.country ?? codeCountry))
          throw new BadRequest('The places named are not in that country.', [{ path: 'query', message: `${code} is not in ${query.country ?? codeCountry}` }]);
      }
      if (query.province && !isCountryProvince(query.province, query.province.slice(0, 2)))
        throw new BadRequest('Unknown province.', [{ path: 'query.province', message: 'not a province of KH or TH' }]);
      const within = query.adm3 ?? query.adm2;
      if (query.province && within && !within.startsWith(query.province))
        throw new BadRequest(`${within} is not in province ${query.province}.`, [
          { path: query.adm3 ? 'query.adm3' : 'query.adm2', message: `not in ${query.province}` },
        ]);
      const named = query.country ?? codeCountry;
      if (principal.country && named && named !== principal.country)
        throw new Forbidden(`A ${principal.role} of ${principal.country} reads the statistics of ${principal.country} only.`);
      const country = named ?? principal.country;
      const countries = country ? [country] : (['KH', 'TH'] as const);
      const year = new Date().getUTCFullYear();
      const exact = readsEveryHousehold(principal, countries);
      if (wantsCsv(c, query.format)) {
        const level: Level = query.level ?? 'adm1';
        const rows: { row: Row; counters: Counters }[] = [];
        for (const cc of countries) {
          const units = await readLevelDisplacementStats(cc, level);
          if (level === 'adm1') {
            // The border provinces always, and any other province with households (a family sheltering in Phnom Penh).
            const provinces = new Set([...PROVINCES.filter((p) => p.country === cc).map((p) => p.pcode), ...units.keys()]);
            for (const p of [...provinces].sort()) rows.push({ row: { country: cc, province: p }, counters: units.get(p) ?? {} });
          } else {
            for (const code of [...units.keys()].sort()) {
              const row: Row = { country: cc, province: code.slice(0, 4), adm2: code.slice(0, 6), ...(level === 'adm3' ? { adm3: code } : {}) };
              rows.push({ row, counters: units.get(code)! });
            }
          }
        }
        const selected = rows.filter(
          ({ row }) => (!query.province || row.province === query.province) && (!within || (row.adm3 ?? row.adm2 ?? row.province).startsWith(within)),
        );
        const names = await unitNames(selected.flatMap(({ row }) => [row.province, row.adm2, row.adm3].filter((x): x is string => x !== undefined)));
        const lines = hxlRows(
          [...placeColumns(level, names), ...COLUMNS],
          selected.map(({ row, counters }): [Row, DisplacementView] => [row, displacementView(counters, year)]),
        );
        const name = `displacement-${within ?? query.province ?? country ?? 'KH-TH'}${level === 'adm1' ? '' : `-${level}`}.csv`;
        return csvResponse(c, lines, name, !exact);
      }
      const counters = query.adm3
        ? await readAdmDisplacementStats(country!, 'adm3', query.adm3)
        : query.adm2
          ? await readAdmDisplacementStats(country!, 'adm2', query.adm2)
          : query.province
            ? await readDisplacementStats(country!, query.province)
            : addContributions(...(await Promise.all(countries.map((cc) => readDisplacementStats(cc)))));
      const view = displacementView(counters, year);
      const { value, suppressed } = exact ? { value: view, suppressed: [] } : suppressSmallCells(view, DISPLACEMENT_COUNT_PATHS);
      return c.json({
        scope: {
          country: country ?? null,
          province: query.province ?? null,
          ...(query.adm2 ? { adm2: query.adm2 } : {}),
          ...(query.adm3 ? { adm3: query.adm3 } : {}),
        },
        ...value,
        suppressed,
      });
    },
  );
}
