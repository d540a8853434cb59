import * as z from 'zod/mini';
import { Country, named } from '#shared/domain/common.ts';
import { AGE_BANDS, SEXES } from '#shared/domain/household.ts';
import type { Site } from '#shared/domain/site.ts';
import { FLOW_COUNT_PATHS, monthFlows, SITE_COUNT_PATHS, siteFigures, type MonthFlows, type SiteFigures } from '#shared/domain/site-stats.ts';
import { readsEveryHousehold, suppressSmallCells } from '#shared/domain/small-cells.ts';
import { allSitesOf, readSiteFlows, readSiteStats } from '#shared/db/repositories/sites.ts';
import type { Api } from '#shared/http/api.ts';
import { csvResponse, hxlRows, wantsCsv, type CsvColumn } from '#shared/http/csv.ts';
import { BadRequest } from '#shared/http/problem.ts';
import { readingCountry, SITE_READERS } from './sites.ts';

const count = () => z.nullable(z.number());
const counts = () => z.record(z.string(), count());
const SiteStats = named('SiteStats', () =>
  z.object({
    scope: z.object({ country: Country, province: z.nullable(z.string()) }),
    ageBandsYear: z.int(),
    sites: z.array(
      z.object({
        siteId: z.string(),
        code: z.string(),
        name: z.object({ en: z.string(), km: z.optional(z.string()), th: z.optional(z.string()) }),
        type: z.string(),
        province: z.string(),
        status: z.string(),
        capacity: z.number(),
        present: z.object({
          households: count(),
          people: count(),
          bySexAndAge: z.record(z.string(), counts()),
          specificNeeds: z.object({ households: count(), people: count(), byCategory: counts() }),
          returnIntentions: z.object({ households: counts(), byWhen: counts(), byObstacle: counts() }),
        }),
      }),
    ),
    suppressed: z.array(z.string()),
  }),
);
const Moved = () => z.object({ households: count(), people: count() });
const SiteFlows = named('SiteFlows', () =>
  z.object({
    scope: z.object({ country: Country, from: z.string(), to: z.string() }),
    months: z.array(
      z.object({
        month: z.string(),
        sites: z.array(z.object({ siteId: z.string(), code: z.nullable(z.string()), name: z.nullable(z.string()), arrivals: Moved(), departures: Moved() })),
        origins: z.array(z.object({ province: z.string(), returns: Moved(), redisplacements: Moved() })),
      }),
    ),
    suppressed: z.array(z.string()),
  }),
);

const Province = z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a province P-code such as KH22'));
const Month = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM'));
const lower = (s: string) => s.toLowerCase();
const band = (b: string) => b.replace('-', '_').replace('+', '_plus');

type SiteRow = [site: Site, present: SiteFigures];
/** One CSV row per site: HXL `#loc` for the site, `#affected+idps` for the people present. */
const siteColumns = (country: Country): CsvColumn<SiteRow>[] => [
  ['country', '#country+code', (s) => s.country],
  ['province_pcode', '#adm1+code', (s) => s.province],
  ['district_pcode', '#adm2+code', (s) => s.adm2 ?? ''],
  ['site_code', '#loc+code', (s) => s.code],
  ['site_name', '#loc+name', (s) => s.name.en],
  ['site_name_local', `#loc+name+i_${country === 'KH' ? 'km' : 'th'}`, (s) => s.name.km ?? s.name.th ?? ''],
  ['site_type', '#loc+type', (s) => s.type],
  ['site_status', '#status', (s) => s.status],
  ['capacity', '#capacity+ind', (s) => s.capacity],
  ['households', '#affected+idps+hh', (_s, f) => f.households],
  ['people', '#affected+idps+ind', (_s, f) => f.people],
  ...SEXES.flatMap((sex) =>
    AGE_BANDS.map(
      (b): CsvColumn<SiteRow> => [`people_${lower(sex)}_${band(b)}`, `#affected+idps+ind+${lower(sex)}+age${band(b)}`, (_s, f) => f.bySexAndAge[sex][b]],
    ),
  ),
  ['households_specific_needs', '#affected+idps+hh+specific_needs', (_s, f) => f.specificNeeds.households],
  ['people_specific_needs', '#affected+idps+ind+specific_needs', (_s, f) => f.specificNeeds.people],
];

type FlowRow = [
  month: string,
  site: (MonthFlows['sites'][number] & { code: string | null; name: string | null }) | undefined,
  origin: MonthFlows['origins'][number] | undefined,
];
/** One CSV row per month and site (arrivals, departures), then per month and origin province (returns, re-displacements). */
const FLOW_COLUMNS: CsvColumn<FlowRow>[] = [
  ['month', '#date+month', (m) => m],
  ['site_code', '#loc+code', (_m, s) => s?.code ?? ''],
  ['site_name', '#loc+name', (_m, s) => s?.name ?? ''],
  ['origin_pcode', '#adm1+code+origin', (_m, _s, o) => o?.province ?? ''],
  ['arrivals_households', '#affected+idps+hh+arrived', (_m, s) => s?.arrivals.households ?? ''],
  ['arrivals_people', '#affected+idps+ind+arrived', (_m, s) => s?.arrivals.people ?? ''],
  ['departures_households', '#affected+idps+hh+departed', (_m, s) => s?.departures.households ?? ''],
  ['departures_people', '#affected+idps+ind+departed', (_m, s) => s?.departures.people ?? ''],
  ['returns_households', '#affected+returnees+hh', (_m, _s, o) => o?.returns.households ?? ''],
  ['returns_people', '#affected+returnees+ind', (_m, _s, o) => o?.returns.people ?? ''],
  ['redisplaced_households', '#affected+idps+hh+redisplaced', (_m, _s, o) => o?.redisplacements.households ?? ''],
  ['redisplaced_people', '#affected+idps+ind+redisplaced', (_m, _s, o) => o?.redisplacements.people ?? ''],
];

/** The months from `from` to `to` (both `YYYY-MM`, included). */
function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let y = Number(from.slice(0, 4)), m = Number(from.slice(5)); `${y}-${String(m).padStart(2, '0')}` <= to; m === 12 ? ((m = 1), y++) : m++)
    months.push(`${y}-${String(m).padStart(2, '0')}`);
  return months;
}

const SMALL_CELLS =
  'Small cells: a reader who may not read every household counted (observers; relief agencies, whose country’s counts include other organisations’ ' +
  'households) gets every count from 1 to 4 as `null`, listed in `suppressed`, and as `<5` in CSV; ministries (their own country) and admins get exact counts.';

export function siteStatsRoutes(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/stats/sites',
      operationId: 'siteStats',
      summary: 'Households and people present at each displacement site (JSON, or CSV with HXL hashtags)',
      description:
        'Per site of the country (or of one province): households and people present now, people by sex and age band, specific needs and return ' +
        'intentions. Counters change in the transaction of the household change that moves them (registration, movement, erasure), so the figures are ' +
        'exact and cost one Query. With `Accept: text/csv` (or `?format=csv`) one row per site (`#loc+code`, `#loc+name`, `#affected+idps+ind`). Counts ' +
        'only. ' +
        SMALL_CELLS,
      tag: 'Statistics',
      access: SITE_READERS,
      query: z.object({ country: z.optional(Country), province: z.optional(Province), format: z.optional(z.enum(['json', 'csv'])) }),
      responses: { 200: { description: 'The figures of each site (JSON), or one CSV row per site with HXL hashtags', schema: SiteStats } },
    },
    async (c, { principal, query }) => {
      const country = readingCountry(principal, query.country ?? (query.province?.slice(0, 2) as Country | undefined));
      if (query.province && !query.province.startsWith(country))
        throw new BadRequest(`${query.province} is not a province of ${country}.`, [{ path: 'query.province', message: `not a province of ${country}` }]);
      const year = new Date().getUTCFullYear();
      const [sites, counters] = await Promise.all([allSitesOf(country), readSiteStats(country)]);
      const rows = sites
        .filter((s) => !query.province || s.province === query.province)
        .sort((a, b) => a.code.localeCompare(b.code))
        .map((s): SiteRow => [s, siteFigures(counters.get(s.id) ?? {}, year)]);
      const exact = readsEveryHousehold(principal, [country]);
      if (wantsCsv(c, query.format)) return csvResponse(c, hxlRows(siteColumns(country), rows), `sites-${query.province ?? country}.csv`, !exact);
      const items = rows.map(([s, present]) => ({
        siteId: s.id,
        code: s.code,
        name: s.name,
        type: s.type,
        province: s.province,
        status: s.status,
        capacity: s.capacity,
        present,
      }));
      const { value, suppressed } = exact ? { value: items, suppressed: [] } : withheld(items);
      return c.json({ scope: { country, province: query.province ?? null }, ageBandsYear: year, sites: value, suppressed });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/stats/sites/flows',
      operationId: 'siteFlows',
      summary: 'Movements per month: arrivals at and departures from each site, returns and re-displacements by origin (JSON, or CSV with HXL hashtags)',
      description:
        'Counted by the month of each movement’s `effectiveDate` (a back-dated movement lands in its own month), from `from` to `to` (`YYYY-MM`; by ' +
        'default the last 12 months). A registration at a site is an arrival in the month of `displacedSince` (or of the registration). ' +
        SMALL_CELLS,
      tag: 'Statistics',
      access: SITE_READERS,
      query: z.object({ country: z.optional(Country), from: z.optional(Month), to: z.optional(Month), format: z.optional(z.enum(['json', 'csv'])) }),
      responses: { 200: { description: 'The flows of each month (JSON), or CSV rows per month and site, then per month and origin', schema: SiteFlows } },
    },
    async (c, { principal, query }) => {
      const country = readingCountry(principal, query.country);
      const now = new Date();
      const to = query.to ?? now.toISOString().slice(0, 7);
      const from = query.from ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1)).toISOString().slice(0, 7);
      if (from > to) throw new BadRequest('The range of months is empty.', [{ path: 'query.from', message: `must not be after to (${to})` }]);
      const months = monthsBetween(from, to);
      if (months.length > 120) throw new BadRequest('Ask for at most 120 months at a time.', [{ path: 'query.from', message: 'at most 120 months before to' }]);
      const [sites, counters] = await Promise.all([allSitesOf(country), readSiteFlows(country, from, to)]);
      const byId = new Map(sites.map((s) => [s.id, s]));
      const flows = months.map((m) => {
        const f = monthFlows(m, counters.get(m) ?? {});
        return { ...f, sites: f.sites.map((s) => ({ ...s, code: byId.get(s.siteId)?.code ?? null, name: byId.get(s.siteId)?.name.en ?? null })) };
      });
      const exact = readsEveryHousehold(principal, [country]);
      if (wantsCsv(c, query.format)) {
        const rows: FlowRow[] = flows.flatMap((f) => [
          ...f.sites.map((s): FlowRow => [f.month, s, undefined]),
          ...f.origins.map((o): FlowRow => [f.month, undefined, o]),
        ]);
        return csvResponse(c, hxlRows(FLOW_COLUMNS, rows), `site-flows-${country}-${from}-${to}.csv`, !exact);
      }
      const { value, suppressed } = exact ? { value: flows, suppressed: [] } : suppressMonths(flows);
      return c.json({ scope: { country, from, to }, months: value, suppressed });
    },
  );
}

/** The site figures with small cells withheld, paths as `sites.<i>.present.…`. */
function withheld<T>(items: T[]): { value: unknown; suppressed: string[] } {
  const { value, suppressed } = suppressSmallCells(
    { sites: items },
    SITE_COUNT_PATHS.map((p) => `sites.*.present.${p}`),
  );
  return { value: value.sites, suppressed };
}

function suppressMonths<T>(months: T[]): { value: unknown; suppressed: string[] } {
  const { value, suppressed } = suppressSmallCells(
    { months },
    FLOW_COUNT_PATHS.map((p) => `months.*.${p}`),
  );
  return { value: value.months, suppressed };
}
