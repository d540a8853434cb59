import * as z from 'zod/mini';
import { CLEARED_AREA_STATUSES, OUTCOMES } from '#shared/domain/cleared-area.ts';
import { Country, named } from '#shared/domain/common.ts';
import { HAZARD_STATUSES } from '#shared/domain/hazard-area.ts';
import { EO_CATEGORIES } from '#shared/domain/ordnance.ts';
import { isProvinceOf, PROVINCES, provinceOf } from '#shared/domain/provinces.ts';
import { DEMINING_READERS } from '#shared/domain/roles.ts';
import { DISPOSALS, TASK_STATUSES } from '#shared/domain/task.ts';
import { readDistrictStats, readProvinceStats, readStats, type Counters } from '#shared/db/repositories/stats.ts';
import type { Api } from '#shared/http/api.ts';
import { BadRequest } from '#shared/http/problem.ts';
import { csvResponse, wantsCsv } from '#shared/http/csv.ts';

/**
 * Finds by category: counted as `eofound_*` since disposal is recorded; before that every find
 * was counted under `eo_*` (then shown as destroyed), which is what was found.
 */
const foundOf = (c: Counters, category: string) => (c[`eofound_${category}`] ?? 0) + (c[`eo_${category}`] ?? 0);
/** Quantities by disposal; finds counted before disposal was recorded are NOT_RECORDED. */
const disposedOf = (c: Counters, disposal: string) =>
  (c[`eodisp_${disposal}`] ?? 0) + (disposal === 'NOT_RECORDED' ? EO_CATEGORIES.reduce((n, k) => n + (c[`eo_${k}`] ?? 0), 0) : 0);

const byKeys = (keys: readonly string[], counters: Counters, prefix: string) => Object.fromEntries(keys.map((k) => [k, counters[`${prefix}_${k}`] ?? 0]));

/** The counters of one scope as the API shows them: every category and status present, zeros included. */
export function landReleaseView(counters: Counters) {
  return {
    releasedSqm: { ...byKeys(OUTCOMES, counters, 'sqm'), HANDED_OVER: counters.sqm_HANDED_OVER ?? 0 },
    ordnanceDestroyed: byKeys(EO_CATEGORIES, counters, 'eod'),
    ordnanceFound: Object.fromEntries(EO_CATEGORIES.map((k) => [k, foundOf(counters, k)])),
    ordnanceByDisposal: Object.fromEntries(DISPOSALS.map((d) => [d, disposedOf(counters, d)])),
    tasksByStatus: byKeys(TASK_STATUSES, counters, 'tasks'),
    hazardAreasByStatus: byKeys(HAZARD_STATUSES, counters, 'hazards'),
    completionReportsByStatus: byKeys(CLEARED_AREA_STATUSES, counters, 'reports'),
  };
}

const LandReleaseStats = named('LandReleaseStats', () =>
  z.object({
    scope: z.object({ country: z.nullable(Country), province: z.nullable(z.string()), adm2: z.optional(z.string()) }),
    releasedSqm: z.record(z.string(), z.number()),
    /** Only what was destroyed in situ. */
    ordnanceDestroyed: z.record(z.string(), z.number()),
    ordnanceFound: z.record(z.string(), z.number()),
    ordnanceByDisposal: z.record(z.string(), z.number()),
    tasksByStatus: z.record(z.string(), z.number()),
    hazardAreasByStatus: z.record(z.string(), z.number()),
    completionReportsByStatus: z.record(z.string(), z.number()),
  }),
);

/** CSV columns with their HXL hashtags (Humanitarian Exchange Language), one row per province. */
const COLUMNS: [header: string, hxl: string, value: (pcode: string, c: Counters) => string | number][] = [
  ['country', '#country+code', (p) => provinceOf(p.slice(0, 4))!.country],
  ['province_pcode', '#adm1+code', (p) => p.slice(0, 4)],
  ['province_name', '#adm1+name', (p) => provinceOf(p.slice(0, 4))!.name],
  ...OUTCOMES.map((o): (typeof COLUMNS)[number] => [
    `released_sqm_${o.toLowerCase()}`,
    `#indicator+area+sqm+released+${o.toLowerCase()}`,
    (_p, c) => c[`sqm_${o}`] ?? 0,
  ]),
  ['handed_over_sqm', '#indicator+area+sqm+handed_over', (_p, c) => c.sqm_HANDED_OVER ?? 0],
  ...EO_CATEGORIES.map((k): (typeof COLUMNS)[number] => [
    `eo_destroyed_${k.toLowerCase()}`,
    `#indicator+eo+destroyed+${k.toLowerCase()}`,
    (_p, c) => c[`eod_${k}`] ?? 0,
  ]),
  ...EO_CATEGORIES.map((k): (typeof COLUMNS)[number] => [`eo_found_${k.toLowerCase()}`, `#indicator+eo+found+${k.toLowerCase()}`, (_p, c) => foundOf(c, k)]),
  ...DISPOSALS.map((d): (typeof COLUMNS)[number] => [
    `eo_disposal_${d.toLowerCase()}`,
    `#indicator+eo+disposal+${d.toLowerCase()}`,
    (_p, c) => disposedOf(c, d),
  ]),
  ...TASK_STATUSES.map((s): (typeof COLUMNS)[number] => [
    `tasks_${s.toLowerCase()}`,
    `#activity+tasks+num+${s.toLowerCase()}`,
    (_p, c) => c[`tasks_${s}`] ?? 0,
  ]),
  ...HAZARD_STATUSES.map((s): (typeof COLUMNS)[number] => [
    `hazard_areas_${s.toLowerCase()}`,
    `#site+hazard+num+${s.toLowerCase()}`,
    (_p, c) => c[`hazards_${s}`] ?? 0,
  ]),
];

/**
 * At `level=adm2` the rows are districts (the row's code is the district's). Codes only: naming
 * them would bring the gazetteer's reader into this function, which is at its bundle budget;
 * `GET /v1/places/{pcode}` names a code.
 */
const DISTRICT_COLUMNS: (typeof COLUMNS)[number][] = [['district_pcode', '#adm2+code', (d) => d]];

export function registerLandReleaseStats(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/stats/land-release',
      operationId: 'landReleaseStats',
      summary: 'Land-release statistics of everything, a country or a province (JSON, or CSV with HXL hashtags)',
      description:
        'm² released by outcome (each part of a report counted under its own outcome; nothing for withdrawn areas) and handed over, EO found by category, ' +
        'by disposal, and destroyed (in situ only) by category, tasks, hazard areas and completion reports by status. Counters are kept in the same ' +
        'transactions as the changes, so a read is one item whatever the number of records. Counters are also kept per district (`adm2`) for hazard areas ' +
        'recorded with one: `?adm2=` reads a district, and the CSV with `level=adm2` has one row per district with counters (`#adm2+code`). With `Accept: ' +
        'text/csv` (or `?format=csv`) the answer is one CSV row per province of the scope, with an HXL hashtag row under the header.',
      tag: 'Statistics',
      access: DEMINING_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
        adm2: z.optional(z.string().check(z.regex(/^(KH|TH)\d{4}$/, 'must be a district P-code such as KH2203'))),
        level: z.optional(z.enum(['adm1', 'adm2'])),
        format: z.optional(z.enum(['json', 'csv'])),
      }),
      responses: { 200: { description: 'The statistics', schema: LandReleaseStats } },
    },
    async (c, { query }) => {
      if (query.province && !provinceOf(query.province))
        throw new BadRequest('Unknown province.', [{ path: 'query.province', message: 'not a border province' }]);
      if (query.province && query.country && !isProvinceOf(query.province, query.country))
        throw new BadRequest('The province is not in that country.', [{ path: 'query.province', message: `not a province of ${query.country}` }]);
      if (query.adm2 && !provinceOf(query.adm2.slice(0, 4)))
        throw new BadRequest('Unknown district.', [{ path: 'query.adm2', message: 'not a district of a border province' }]);
      if (query.adm2 && ((query.province && !query.adm2.startsWith(query.province)) || (query.country && !query.adm2.startsWith(query.country))))
        throw new BadRequest('The district is not in that place.', [{ path: 'query.adm2', message: `not in ${query.province ?? query.country}` }]);
      const province = query.province ?? query.adm2?.slice(0, 4);
      const country = query.country ?? (province ? provinceOf(province)!.country : undefined);
      if (wantsCsv(c, query.format)) {
        const districts = query.level === 'adm2';
        let rows: { pcode: string; counters: Counters }[];
        if (districts) {
          // Districts with counters (hazard areas recorded with an adm2), of the province or country asked for.
          const byDistrict = await readDistrictStats(province ?? country);
          rows = [...byDistrict]
            .filter(([d]) => !query.adm2 || d === query.adm2)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([pcode, counters]) => ({ pcode, counters }));
        } else {
          const provinces = province ? [province] : PROVINCES.filter((p) => !country || p.country === country).map((p) => p.pcode);
          const stats = await readProvinceStats(provinces);
          rows = provinces.map((p) => ({ pcode: p, counters: stats.get(p) ?? {} }));
        }
        const columns = districts ? [...COLUMNS.slice(0, 3), ...DISTRICT_COLUMNS, ...COLUMNS.slice(3)] : COLUMNS;
        const lines = [columns.map(([h]) => h), columns.map(([, hxl]) => hxl), ...rows.map((r) => columns.map(([, , value]) => value(r.pcode, r.counters)))];
        const name = `land-release-${query.adm2 ?? province ?? country ?? 'all'}${districts ? '-adm2' : ''}.csv`;
        return csvResponse(c, lines, name);
      }
      const counters = await readStats(
        query.adm2
          ? { level: 'district', district: query.adm2 }
          : province
            ? { level: 'province', province }
            : country
              ? { level: 'country', country }
              : { level: 'all' },
      );
      return c.json({
        scope: { country: country ?? null, province: province ?? null, ...(query.adm2 ? { adm2: query.adm2 } : {}) },
        ...landReleaseView(counters),
      });
    },
  );
}
