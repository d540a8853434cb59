import * as z from 'zod/mini';
import { Country, Id, lazy, PageQuery } from '#shared/domain/common.ts';
import { HazardStatus, type HazardArea } from '#shared/domain/hazard-area.ts';
import {
  ACCIDENT_RADIUS_M,
  ACCIDENT_WEIGHT,
  ACCIDENT_WINDOW_MONTHS,
  CONTAMINATION_WEIGHTS,
  DEMAND_COUNT_PATHS,
  DEMAND_WEIGHTS,
  demandView,
  suggestedTaskPriority,
  type DemandView,
} from '#shared/domain/priorities.ts';
import { isProvinceOf, provinceOf } from '#shared/domain/provinces.ts';
import { bboxOf } from '#shared/domain/return-safety.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { readsEveryHousehold, suppressSmallCells } from '#shared/domain/small-cells.ts';
import { batchGetAll } from '#shared/db/batch.ts';
import { hazardKey } from '#shared/db/keys/hazard-area.ts';
import type { PriorityScope } from '#shared/db/keys/priority.ts';
import { listPriorities, rankOf, readDemand } from '#shared/db/repositories/priorities.ts';
import type { Api } from '#shared/http/api.ts';
import { BadRequest } from '#shared/http/problem.ts';

/** Who reads the priorities: planners and those who oversee them. Counts only, never personal data. */
export const PRIORITY_READERS = ['operations', 'qa', 'observer', 'ministry', 'admin'] as const;

const count = () => z.nullable(z.number());
const groups = () => z.record(z.string(), count());
const DemandSchema = () => ({
  /** `null` (and listed in `suppressed`) when a household or people count of the area is withheld. */
  score: z.nullable(z.number()),
  households: z.object({ total: count(), byGroup: groups() }),
  people: z.object({ total: count(), byGroup: groups() }),
  accidents: z.number(),
  contaminationPoints: z.number(),
});

const PriorityItem = lazy(() =>
  z.object({
    rank: z.int(),
    hazardAreaId: Id,
    reference: z.string(),
    name: z.string(),
    country: Country,
    province: z.string(),
    status: HazardStatus,
    classification: z.string(),
    contested: z.boolean(),
    /** The centre of the area's bounding box, [lon, lat], for a map marker. */
    centre: z.array(z.number()),
    remainingSqm: z.number(),
    ...DemandSchema(),
  }),
);
const PriorityPage = lazy(() => z.object({ items: z.array(PriorityItem()), next: z.nullable(z.string()), suppressed: z.array(z.string()) }));

/** What `GET /v1/hazard-areas/{id}` adds for priority readers: the area's demand, rank and the task priority it suggests. */
export const AreaPriority = lazy(() =>
  z.object({
    listed: z.boolean(),
    rank: z.nullable(z.int()),
    of: z.int(),
    suggestedTaskPriority: z.nullable(z.int()),
    ...DemandSchema(),
    suppressed: z.array(z.string()),
  }),
);

export const SCORE_DOCUMENTATION =
  `score = Σ people near the area × weight of their household's group (${Object.entries(DEMAND_WEIGHTS)
    .map(([g, w]) => `${g} ${w}`)
    .join(
      ', ',
    )}) + ${ACCIDENT_WEIGHT} × accidents within ${ACCIDENT_RADIUS_M} m in the last ${ACCIDENT_WINDOW_MONTHS} months + contamination of the 2025 conflict (${Object.entries(
    CONTAMINATION_WEIGHTS,
  )
    .map(([c, w]) => `${c} ${w}`)
    .join(', ')}). ` +
  'People near an area are the members of households whose destination point lies within 500 m of its remaining land (the return-safety rule), ' +
  'counted while they consent to return assistance.';

/** Exact counts for those who may read every household counted (admins; a ministry for its own country's lists), small cells withheld for the others. */
function shown<T extends DemandView>(principal: Principal, country: string, view: T, prefix: string) {
  if (readsEveryHousehold(principal, [country as 'KH' | 'TH'])) return { value: view, suppressed: [] as string[] };
  const { value, suppressed } = suppressSmallCells(view, DEMAND_COUNT_PATHS);
  if (suppressed.length === 0) return { value, suppressed: [] as string[] };
  // The score is linear in the people counts: with the accidents and contamination shown beside it,
  // it would give a withheld count back (one person waiting: score 1). Withheld with them.
  return { value: { ...value, score: null }, suppressed: [...suppressed, 'score'].map((p) => `${prefix}${p}`) };
}

const centreOf = (h: Pick<HazardArea, 'geometry'>) => {
  const [w, s, e, n] = bboxOf(h.geometry);
  return [Number(((w + e) / 2).toFixed(6)), Number(((s + n) / 2).toFixed(6))];
};

/** The priority facts of one area for `GET /v1/hazard-areas/{id}`. */
export async function areaPriority(principal: Principal, hazard: HazardArea) {
  const demand = await readDemand(hazard.id);
  const view = demandView(demand.counters, new Date());
  const { rank, of } = demand.listed ? await rankOf({ level: 'country', country: hazard.country }, demand.score) : { rank: null, of: 0 };
  const { value, suppressed } = shown(principal, hazard.country, view, '');
  return { listed: demand.listed, rank, of, suggestedTaskPriority: rank === null ? null : suggestedTaskPriority(rank, of), ...value, suppressed };
}

/** `GET /v1/hazard-areas/priorities`: registered before the `{id}` routes so that `priorities` is not taken for an id. */
export function registerPriorities(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/hazard-areas/priorities',
      operationId: 'clearancePriorities',
      summary: 'Hazard areas that are not closed, ranked by return demand, accidents and contamination',
      description:
        `Name \`country\` or \`province\` (national roles default to their own country). ${SCORE_DOCUMENTATION} ` +
        'The counters behind the score change in the same transaction as each household, accident or area change, and the list is one Query of ' +
        'an index ordered by score, highest first; `rank` counts from the top of the whole list across pages. ' +
        'Counts only, never personal data. Small cells: a reader who may not read every household counted (operations, QA, observers, the other ' +
        'country’s ministry) gets household and people counts from 1 to 4 as `null`, listed in `suppressed` (`items.<i>.<path>`), and then the ' +
        'area’s `score` too (it would give the count back); the order is the same for ' +
        'everyone. Admins and the ministry of the list’s country get exact counts.',
      tag: 'Hazard areas',
      access: PRIORITY_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
        ...PageQuery,
      }),
      responses: { 200: { description: 'A page of ranked hazard areas', schema: PriorityPage } },
    },
    async (c, { principal, query }) => {
      if (query.province && !provinceOf(query.province))
        throw new BadRequest('Unknown province.', [{ path: 'query.province', message: 'not a border province' }]);
      if (query.province && query.country && !isProvinceOf(query.province, query.country))
        throw new BadRequest('The province is not in that country.', [{ path: 'query.province', message: `not a province of ${query.country}` }]);
      const country = query.country ?? (query.province ? provinceOf(query.province)!.country : principal.country);
      if (!country) throw new BadRequest('Name a country or a province.', [{ path: 'query.country', message: 'required without province' }]);
      const scope: PriorityScope = query.province ? { level: 'province', province: query.province } : { level: 'country', country };
      const now = new Date();
      const page = await listPriorities(scope, { limit: query.limit, cursor: query.cursor }, now);
      const areas = new Map(
        (
          await batchGetAll(
            page.items.map((i) => hazardKey(i.hazardAreaId)),
            {
              projection: 'id, #ref, #name, country, province, #status, classification, contested, geometry, remainingSqm',
              names: { '#ref': 'reference', '#name': 'name', '#status': 'status' },
            },
          )
        ).map((a) => [String(a.id), a as unknown as HazardArea]),
      );
      const suppressed: string[] = [];
      const items = page.items.flatMap((item, i) => {
        const area = areas.get(item.hazardAreaId);
        if (!area) return [];
        const { value, suppressed: withheld } = shown(principal, country, demandView(item.counters, now), `items.${i}.`);
        suppressed.push(...withheld);
        return [
          {
            rank: item.rank,
            hazardAreaId: area.id,
            reference: area.reference,
            name: area.name,
            country: area.country,
            province: area.province,
            status: area.status,
            classification: area.classification,
            contested: area.contested,
            centre: centreOf(area),
            remainingSqm: area.remainingSqm,
            ...value,
          },
        ];
      });
      return c.json({ items, next: page.next, suppressed });
    },
  );
}
