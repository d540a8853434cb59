import * as z from 'zod/mini';
import { Country, lazy } from '#shared/domain/common.ts';
import { ASSISTANCE_COUNT_PATHS, ASSISTANCE_TYPES, assistanceRoundView, Round, type AssistanceRoundView } from '#shared/domain/assistance.ts';
import type { Role } from '#shared/domain/roles.ts';
import { csvCount, readsEveryHousehold, suppressSmallCells } from '#shared/domain/small-cells.ts';
import { readCountryRoundStats, readRoundStats } from '#shared/db/repositories/assistance.ts';
import type { Api } from '#shared/http/api.ts';
import { BadRequest, Forbidden } from '#shared/http/problem.ts';
import { csvResponse, wantsCsv } from '#shared/http/csv.ts';

/** Counts, not personal data: every role that works with households reads them, observers included (as for displacement). */
const STATS_READERS = ['relief', 'ministry', 'observer', 'admin'] as const satisfies readonly Role[];

const count = () => z.nullable(z.number());
const quantities = () => z.record(z.string(), z.number());
const AssistanceStats = lazy(() =>
  z.object({
    scope: z.object({ country: Country, round: z.nullable(z.string()) }),
    rounds: z.array(
      z.object({
        round: z.string(),
        records: z.number(),
        households: count(),
        people: count(),
        quantity: quantities(),
        byType: z.record(z.string(), z.object({ records: z.number(), households: count(), people: count(), quantity: quantities() })),
      }),
    ),
    suppressed: z.array(z.string()),
  }),
);

type Row = { round: string; type: string; v: { records: number; households: number; people: number; quantity: Record<string, number> } };

export function assistanceStatsRoutes(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/stats/assistance',
      operationId: 'assistanceStats',
      summary: 'Assistance per round: households and people reached, quantities per unit (JSON, or CSV with HXL hashtags)',
      description:
        'For each round of a country (or the one named): records, households reached and people reached (a household and its members count once per round, ' +
        'and once per type), and the quantities given summed per unit, overall and per type of assistance. ' +
        'Counters are kept in the same transaction as every record, so a read is one item per round however many records exist. With `Accept: text/csv` ' +
        '(or `?format=csv`) one row per round and type (`ALL` first) with an HXL hashtag row (`#reached+hh`, `#reached+ind`, `#output+quantity+<unit>`). ' +
        'Relief agencies and ministries read their own country; observers and admins name one. Small cells as for the displacement statistics: readers who ' +
        'may not read every household counted get household and people counts from 1 to 4 as `null` (`<5` in CSV).',
      tag: 'Statistics',
      access: STATS_READERS,
      query: z.object({ country: z.optional(Country), round: z.optional(Round), format: z.optional(z.enum(['json', 'csv'])) }),
      responses: { 200: { description: 'The statistics per round', schema: AssistanceStats } },
    },
    async (c, { principal, query }) => {
      // National roles read their own country; observers and admins name one.
      if (principal.country && query.country && query.country !== principal.country)
        throw new Forbidden(`A ${principal.role} of ${principal.country} reads the statistics of ${principal.country} only.`);
      const country = principal.country ?? query.country;
      if (!country)
        throw new BadRequest('Name the country to read the assistance statistics of.', [
          { path: 'query.country', message: 'required for observers and admins' },
        ]);
      const rounds = query.round ? new Map([[query.round, await readRoundStats(country, query.round)]]) : await readCountryRoundStats(country);
      const views: AssistanceRoundView[] = [...rounds.entries()].map(([round, counters]) => assistanceRoundView(round, counters));
      const exact = readsEveryHousehold(principal, [country]);
      if (wantsCsv(c, query.format)) {
        const rows: Row[] = views.flatMap((v) => [
          { round: v.round, type: 'ALL', v },
          ...ASSISTANCE_TYPES.filter((t) => v.byType[t]).map((t) => ({ round: v.round, type: t, v: v.byType[t]! })),
        ]);
        const units = [...new Set(rows.flatMap((r) => Object.keys(r.v.quantity)))].sort();
        const lines: (string | number)[][] = [
          ['country', 'round', 'type', 'records', 'households_reached', 'people_reached', ...units.map((u) => `quantity_${u.toLowerCase()}`)],
          [
            '#country+code',
            '#activity+round',
            '#item+type',
            '#output+records',
            '#reached+hh',
            '#reached+ind',
            ...units.map((u) => `#output+quantity+${u.toLowerCase()}`),
          ],
          ...rows.map((r) => [
            country,
            r.round,
            r.type,
            r.v.records,
            csvCount(r.v.households, !exact),
            csvCount(r.v.people, !exact),
            ...units.map((u) => r.v.quantity[u] ?? 0),
          ]),
        ];
        // Only the counts of households and people are withheld as small cells (written as text already); records and quantities are not about people.
        return csvResponse(c, lines, `assistance-${country}${query.round ? `-${query.round}` : ''}.csv`);
      }
      const answer = { rounds: views };
      const paths = views.flatMap((_v, i) => ASSISTANCE_COUNT_PATHS.map((p) => `rounds.${i}.${p}`));
      const { value, suppressed } = exact ? { value: answer, suppressed: [] } : suppressSmallCells(answer, paths);
      return c.json({ scope: { country, round: query.round ?? null }, ...value, suppressed });
    },
  );
}
