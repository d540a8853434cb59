import * as z from 'zod/mini';
import { CASUALTY_COUNT_PATHS, casualtyView, OUTCOMES, VICTIM_SEXES, VICTIM_TYPES } from '#shared/domain/accident.ts';
import { Country, lazy } from '#shared/domain/common.ts';
import { AGE_BANDS } from '#shared/domain/household.ts';
import { isProvinceOf, PROVINCES, provinceOf } from '#shared/domain/provinces.ts';
import { riskEducationView } from '#shared/domain/risk-education.ts';
import type { Principal, Role } from '#shared/domain/roles.ts';
import { suppressSmallCells } from '#shared/domain/small-cells.ts';
import { readProvinceStats, readStats, type Counters } from '#shared/db/repositories/stats.ts';
import type { Api } from '#shared/http/api.ts';
import { csvResponse, wantsCsv } from '#shared/http/csv.ts';
import { BadRequest } from '#shared/http/problem.ts';
import { CASUALTY_PREFIX } from './accidents.ts';
import { SESSION_READERS } from './risk-education.ts';

/** Casualty statistics are counts: everyone who reads mine action data, and relief agencies. */
const CASUALTY_READERS = ['operations', 'qa', 'relief', 'ministry', 'observer', 'admin'] as const satisfies readonly Role[];

const ScopeQuery = z.object({
  country: z.optional(Country),
  province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
  format: z.optional(z.enum(['json', 'csv'])),
});

/** The scope named by `country`/`province`, checked. */
function scopeOf(query: z.infer<typeof ScopeQuery>): { country: string | undefined; province: string | undefined } {
  if (query.province && !provinceOf(query.province)) throw new BadRequest('Unknown province.', [{ path: 'query.province', message: 'not a border province' }]);
  if (query.province && query.country && !isProvinceOf(query.province, query.country))
    throw new BadRequest('The province is not in that country.', [{ path: 'query.province', message: `not a province of ${query.country}` }]);
  return { country: query.country ?? (query.province ? provinceOf(query.province)!.country : undefined), province: query.province };
}

const read = (s: { country: string | undefined; province: string | undefined }) =>
  readStats(s.province ? { level: 'province', province: s.province } : s.country ? { level: 'country', country: s.country } : { level: 'all' });
const casualtiesOf = (c: Counters): Counters =>
  Object.fromEntries(
    Object.entries(c)
      .filter(([k]) => k.startsWith(CASUALTY_PREFIX))
      .map(([k, v]) => [k.slice(CASUALTY_PREFIX.length), v]),
  );

/**
 * Whether the breakdown by sex, age and victim type is shown exactly: to those who read the
 * victims themselves (admins; operations and the ministry of the one country of the scope).
 */
const exactFor = (p: Principal, country: string | undefined) =>
  p.role === 'admin' || (country !== undefined && (p.role === 'operations' || p.role === 'ministry') && p.country === country);

const count = () => z.nullable(z.number());
const CasualtyStats = lazy(() =>
  z.object({
    scope: z.object({ country: z.nullable(Country), province: z.nullable(z.string()) }),
    accidents: z.number(),
    accidentsByDevice: z.record(z.string(), z.number()),
    killed: count(),
    injured: count(),
    bySexAndAge: z.record(z.string(), z.record(z.string(), z.record(z.string(), count()))),
    byVictimType: z.record(z.string(), z.record(z.string(), count())),
    suppressed: z.array(z.string()),
  }),
);
const RiskEducationStats = lazy(() =>
  z.object({
    scope: z.object({ country: z.nullable(Country), province: z.nullable(z.string()) }),
    sessions: z.number(),
    sessionsByDelivery: z.record(z.string(), z.number()),
    reached: z.object({ total: z.number(), girls: z.number(), boys: z.number(), women: z.number(), men: z.number() }),
    bySexAndAge: z.record(z.string(), z.record(z.string(), z.number())),
  }),
);

type Column = [header: string, hxl: string, value: (pcode: string, c: Counters) => string | number];
const tag = (b: string) => `age${b.replace('-', '_').replace('+', '_plus')}`;
const head = (b: string) => b.replace('-', '_').replace('+', '_plus');
const place: Column[] = [
  ['country', '#country+code', (p) => provinceOf(p)!.country],
  ['province_pcode', '#adm1+code', (p) => p],
  ['province_name', '#adm1+name', (p) => provinceOf(p)!.name],
];
const CASUALTY_COLUMNS: Column[] = [
  ...place,
  ['accidents', '#event+accident+num', (_p, c) => c.accidents ?? 0],
  ['killed', '#affected+killed', (_p, c) => c.killed ?? 0],
  ['injured', '#affected+injured', (_p, c) => c.injured ?? 0],
  ...OUTCOMES.flatMap((o) =>
    VICTIM_SEXES.flatMap((s) =>
      AGE_BANDS.map(
        (b): Column => [
          `${o.toLowerCase()}_${s.toLowerCase()}_${head(b)}`,
          `#affected+${o.toLowerCase()}+${s.toLowerCase()}+${tag(b)}`,
          (_p, c) => c[`${o.toLowerCase()}_${s}_${b}`] ?? 0,
        ],
      ),
    ),
  ),
  ...OUTCOMES.flatMap((o) =>
    VICTIM_TYPES.map(
      (t): Column => [
        `${o.toLowerCase()}_${t.toLowerCase()}`,
        `#affected+${o.toLowerCase()}+${t.toLowerCase()}`,
        (_p, c) => c[`${o.toLowerCase()}_type_${t}`] ?? 0,
      ],
    ),
  ),
];
/** Columns that are totals, shown exactly to every reader (the breakdown is what is withheld). */
const TOTAL_COLUMNS = new Set(['accidents', 'killed', 'injured']);

const RISK_EDUCATION_COLUMNS: Column[] = [
  ...place,
  ['sessions', '#activity+eore+num', (_p, c) => c.eore_sessions ?? 0],
  ['reached', '#reached+ind', (_p, c) => c.eore_reached ?? 0],
  ['reached_girls', '#reached+ind+f+children', (_p, c) => c.eore_reached_girls ?? 0],
  ['reached_boys', '#reached+ind+m+children', (_p, c) => c.eore_reached_boys ?? 0],
  ['reached_women', '#reached+ind+f+adults', (_p, c) => c.eore_reached_women ?? 0],
  ['reached_men', '#reached+ind+m+adults', (_p, c) => c.eore_reached_men ?? 0],
];

const provincesOf = (s: { country: string | undefined; province: string | undefined }) =>
  s.province ? [s.province] : PROVINCES.filter((p) => !s.country || p.country === s.country).map((p) => p.pcode);

export function registerMineActionStats(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/stats/casualties',
      operationId: 'casualtyStats',
      summary: 'Casualty statistics of accidents: everything, a country or a province (JSON, or CSV with HXL hashtags)',
      description:
        'Accidents (and by device category), people killed and injured, each by sex and age band (0-4, 5-11, 12-17, 18-59, 60+) and by victim type. ' +
        'Counters change in the same transaction as each accident is recorded or corrected, so a retried create counts once. ' +
        'Totals are shown to every reader. Small cells: the breakdown by sex, age and type is exact only for admins and for operations and the ministry of ' +
        'the one country of the scope; for everyone else counts from 1 to 4 are `null`, listed in `suppressed`, and `<5` in CSV. With `Accept: text/csv` ' +
        '(or `?format=csv`): one row per province with HXL hashtags (`#affected+killed`, `#affected+injured`, `#adm1+code`, …).',
      tag: 'Statistics',
      access: CASUALTY_READERS,
      query: ScopeQuery,
      responses: { 200: { description: 'The statistics', schema: CasualtyStats } },
    },
    async (c, { principal, query }) => {
      const scope = scopeOf(query);
      const exact = exactFor(principal, scope.country);
      if (wantsCsv(c, query.format)) {
        const provinces = provincesOf(scope);
        const stats = await readProvinceStats(provinces);
        const rows = provinces.map((p) =>
          CASUALTY_COLUMNS.map(([h, , value]) => {
            const v = value(p, casualtiesOf(stats.get(p) ?? {}));
            return typeof v === 'number' && !exact && !TOTAL_COLUMNS.has(h) && v >= 1 && v <= 4 ? '<5' : v;
          }),
        );
        return csvResponse(
          c,
          [CASUALTY_COLUMNS.map(([h]) => h), CASUALTY_COLUMNS.map(([, hxl]) => hxl), ...rows],
          `casualties-${scope.province ?? scope.country ?? 'all'}.csv`,
        );
      }
      const view = casualtyView(casualtiesOf(await read(scope)));
      const breakdown = CASUALTY_COUNT_PATHS.filter((p) => p !== 'killed' && p !== 'injured');
      const { value, suppressed } = exact ? { value: view, suppressed: [] as string[] } : suppressSmallCells(view, breakdown);
      return c.json({ scope: { country: scope.country ?? null, province: scope.province ?? null }, ...value, suppressed });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/stats/risk-education',
      operationId: 'riskEducationStats',
      summary: 'Risk education statistics: sessions and people reached by sex and age (JSON, or CSV with HXL hashtags)',
      description:
        'Sessions (and by delivery) and people reached: girls and boys (0-17), women and men (18 and over), as the sessions counted them. Counters change ' +
        'in the same transaction as each session is recorded. With `Accept: text/csv` (or `?format=csv`): one row per province with HXL hashtags ' +
        '(`#reached+ind`, …). Audience counts are headcounts of sessions, not records of people: no small-cell rule applies.',
      tag: 'Statistics',
      access: SESSION_READERS,
      query: ScopeQuery,
      responses: { 200: { description: 'The statistics', schema: RiskEducationStats } },
    },
    async (c, { query }) => {
      const scope = scopeOf(query);
      if (wantsCsv(c, query.format)) {
        const provinces = provincesOf(scope);
        const stats = await readProvinceStats(provinces);
        return csvResponse(
          c,
          [
            RISK_EDUCATION_COLUMNS.map(([h]) => h),
            RISK_EDUCATION_COLUMNS.map(([, hxl]) => hxl),
            ...provinces.map((p) => RISK_EDUCATION_COLUMNS.map(([, , value]) => value(p, stats.get(p) ?? {}))),
          ],
          `risk-education-${scope.province ?? scope.country ?? 'all'}.csv`,
        );
      }
      return c.json({ scope: { country: scope.country ?? null, province: scope.province ?? null }, ...riskEducationView(await read(scope)) });
    },
  );
}
