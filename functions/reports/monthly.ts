import * as z from 'zod/mini';
import { Country, lazy } from '#shared/domain/common.ts';
import {
  addCounters,
  MAX_MONTHS,
  MONTH,
  MONTHLY_HOUSEHOLD_COUNT_PATHS,
  monthsBetween,
  monthView,
  RELEASE_OUTCOMES,
  type MonthlyCounters,
  type MonthView,
} from '#shared/domain/monthly.ts';
import { EO_CATEGORIES } from '#shared/domain/ordnance-categories.ts';
import { isProvinceOf, PROVINCES, provinceOf } from '#shared/domain/provinces.ts';
import type { Role } from '#shared/domain/roles.ts';
import { csvCount, readsEveryHousehold, suppressSmallCells } from '#shared/domain/small-cells.ts';
import { readMonthlyBuckets, type MonthlyBucket } from '#shared/db/repositories/monthly-stats.ts';
import type { Api } from '#shared/http/api.ts';
import { csvResponse, wantsCsv } from '#shared/http/csv.ts';
import { BadRequest, Forbidden } from '#shared/http/problem.ts';

/** Everyone who reads de-mining data or displacement statistics; relief agencies only of their own country. */
const MONTHLY_READERS = ['operations', 'qa', 'ministry', 'observer', 'relief', 'admin'] as const satisfies readonly Role[];

const Month = z.string().check(z.regex(MONTH, 'must be a month such as 2026-01'));
const count = () => z.number();
const byKey = () => z.record(z.string(), count());
const MonthSchema = () =>
  z.object({
    landReleasedSqm: byKey(),
    ordnanceDestroyed: byKey(),
    accidents: z.object({ accidents: count(), killed: count(), injured: count() }),
    riskEducation: z.object({ sessions: count(), peopleReached: count() }),
    /** `null` when withheld as a small cell (1 to 4) for this reader. */
    households: z.object({ registered: z.nullable(count()), returned: z.nullable(count()), redisplaced: z.nullable(count()) }),
  });
const MonthlyStats = lazy(() =>
  z.object({
    scope: z.object({ country: z.nullable(Country), province: z.nullable(z.string()) }),
    from: z.string(),
    to: z.string(),
    months: z.array(z.extend(MonthSchema(), { month: z.string() })),
    totals: MonthSchema(),
    /** Dotted paths of the household counts withheld as small cells for this reader; empty when every count is exact. */
    suppressed: z.array(z.string()),
  }),
);

const lower = (s: string) => s.toLowerCase();
type Row = [month: string, pcode: string, v: MonthView];
type Column = [header: string, hxl: string, value: (...row: Row) => string | number | null];

/** CSV columns with their HXL hashtags, one row per month and province (months in ISO form; the console prints Buddhist-era years for Thai readers). */
const COLUMNS: Column[] = [
  ['month', '#date+month', (m) => m],
  ['country', '#country+code', (_m, p) => provinceOf(p)!.country],
  ['province_pcode', '#adm1+code', (_m, p) => p],
  ['province_name', '#adm1+name', (_m, p) => provinceOf(p)!.name],
  ...RELEASE_OUTCOMES.map((o): Column => [`released_sqm_${lower(o)}`, `#indicator+area+sqm+released+${lower(o)}`, (_m, _p, v) => v.landReleasedSqm[o]]),
  ['released_sqm_total', '#indicator+area+sqm+released+total', (_m, _p, v) => v.landReleasedSqm.total],
  ...EO_CATEGORIES.map((k): Column => [`eo_destroyed_${lower(k)}`, `#indicator+eo+destroyed+${lower(k)}`, (_m, _p, v) => v.ordnanceDestroyed[k]]),
  ['eo_destroyed_total', '#indicator+eo+destroyed+total', (_m, _p, v) => v.ordnanceDestroyed.total],
  ['accidents', '#event+accident+num', (_m, _p, v) => v.accidents.accidents],
  ['killed', '#affected+killed', (_m, _p, v) => v.accidents.killed],
  ['injured', '#affected+injured', (_m, _p, v) => v.accidents.injured],
  ['eore_sessions', '#activity+eore+num', (_m, _p, v) => v.riskEducation.sessions],
  ['eore_people_reached', '#reached+ind', (_m, _p, v) => v.riskEducation.peopleReached],
  ['households_registered', '#affected+hh+registered', (_m, _p, v) => v.households.registered],
  ['households_returned', '#affected+hh+returned', (_m, _p, v) => v.households.returned],
  ['households_redisplaced', '#affected+hh+redisplaced', (_m, _p, v) => v.households.redisplaced],
];
/** Columns that count households: small cells there are withheld (`<5`) from readers who may not read every household. */
const HOUSEHOLD_COLUMNS = new Set(['households_registered', 'households_returned', 'households_redisplaced']);

const withoutMonth = ({ month: _m, ...rest }: MonthView) => rest;

/** `GET /v1/stats/monthly`: the monthly report of a country, a province or both countries. */
export function registerMonthlyStats(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/stats/monthly',
      operationId: 'monthlyStats',
      summary:
        'Monthly report: land released, ordnance destroyed, accidents, risk education and household movements per month (JSON, or CSV with HXL hashtags)',
      description:
        `Per month from \`from\` to \`to\` (YYYY-MM, at most ${MAX_MONTHS} months): m² released by outcome (in the month of the QA acceptance; ` +
        `a release the observers refuse to attest is subtracted there), explosive ordnance destroyed in situ by category (month of the progress ` +
        `report's date), accidents, killed and injured (month the accident occurred), risk-education sessions and people reached (month of the ` +
        `session), households registered, returned and displaced again (month of the registration and of the transition), with the totals of the ` +
        `period. A month is a month on the border (instants taken at UTC+7, the time of both countries; dates as given). Households count under ` +
        `their origin province. The buckets are counters written in the same transaction as each change, so a retried request counts once and a ` +
        `read is one Query. Relief agencies read their own country; the other roles either, or both together when no country is named (national ` +
        `roles default to their own). Small cells: a reader who may not read every household counted gets household counts from 1 to 4 as \`null\` ` +
        `(listed in \`suppressed\`) and \`<5\` in CSV; ministries (own country) and admins get exact counts. With \`Accept: text/csv\` (or \`?format=csv\`) ` +
        `the answer is one row per month and province with an HXL hashtag row under the header.`,
      tag: 'Statistics',
      access: MONTHLY_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
        from: Month,
        to: Month,
        format: z.optional(z.enum(['json', 'csv'])),
      }),
      responses: { 200: { description: 'The months (JSON), or one CSV row per month and province with HXL hashtags', schema: MonthlyStats } },
    },
    async (c, { principal, query }) => {
      if (query.province && !provinceOf(query.province))
        throw new BadRequest('Unknown province.', [{ path: 'query.province', message: 'not a border province' }]);
      if (query.province && query.country && !isProvinceOf(query.province, query.country))
        throw new BadRequest('The province is not in that country.', [{ path: 'query.province', message: `not a province of ${query.country}` }]);
      const months = monthsBetween(query.from, query.to);
      if (months.length === 0) throw new BadRequest('The period ends before it starts.', [{ path: 'query.to', message: `must not be before ${query.from}` }]);
      if (months.length > MAX_MONTHS)
        throw new BadRequest(`A report covers at most ${MAX_MONTHS} months.`, [{ path: 'query.to', message: `at most ${MAX_MONTHS} months after from` }]);
      const named = query.country ?? (query.province ? provinceOf(query.province)!.country : undefined);
      if (principal.role === 'relief' && named && named !== principal.country)
        throw new Forbidden(`A relief agency of ${principal.country} reads the monthly report of ${principal.country} only.`);
      const country = named ?? principal.country;
      const countries = country ? [country] : (['KH', 'TH'] as const);
      const exact = readsEveryHousehold(principal, countries);
      const buckets: MonthlyBucket[] = (await Promise.all(countries.map((cc) => readMonthlyBuckets(cc, query.from, query.to, query.province)))).flat();

      if (wantsCsv(c, query.format)) {
        const provinces = query.province ? [query.province] : PROVINCES.filter((p) => (countries as readonly string[]).includes(p.country)).map((p) => p.pcode);
        const byKey = new Map(buckets.map((b) => [`${b.month}|${b.province}`, b.counters]));
        const rows = months.flatMap((m) => provinces.map((p): Row => [m, p, monthView(m, byKey.get(`${m}|${p}`) ?? {})]));
        const cells = (row: Row) =>
          COLUMNS.map(([header, , value]) => {
            const v = value(...row);
            return typeof v === 'number' && HOUSEHOLD_COLUMNS.has(header) ? csvCount(v, !exact) : v;
          });
        const lines = [COLUMNS.map(([h]) => h), COLUMNS.map(([, hxl]) => hxl), ...rows.map(cells)];
        return csvResponse(c, lines, `monthly-${query.province ?? country ?? 'KH-TH'}-${query.from}-${query.to}.csv`);
      }
      const byMonth = new Map<string, MonthlyCounters>();
      for (const b of buckets) byMonth.set(b.month, addCounters(byMonth.get(b.month) ?? {}, b.counters));
      const answer = {
        months: months.map((m) => monthView(m, byMonth.get(m) ?? {})),
        totals: withoutMonth(
          monthView(
            '',
            [...byMonth.values()].reduce((t, counters) => addCounters(t, counters), {} as MonthlyCounters),
          ),
        ),
      };
      const { value, suppressed } = exact ? { value: answer, suppressed: [] } : suppressSmallCells(answer, MONTHLY_HOUSEHOLD_COUNT_PATHS);
      return c.json({ scope: { country: country ?? null, province: query.province ?? null }, from: query.from, to: query.to, ...value, suppressed });
    },
  );
}
