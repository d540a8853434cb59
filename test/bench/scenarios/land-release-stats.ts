import { newId } from '../../../shared/domain/ids.ts';
import type { ClearedArea } from '../../../shared/domain/cleared-area.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import type { Scenario } from '../lib/scenario.ts';
import { alternateTwo } from '../lib/alternate.ts';
import { fixed, table } from '../lib/table.ts';

/**
 * Reading land-release statistics (`GET /v1/stats/land-release?country=KH`) over HTTP through the
 * same apps as `npm start`, with 100 and with 10,000 cleared areas stored, in two tables of one
 * DynamoDB Local, requests alternating between them. The records are written with BatchWriteItem
 * and their counters with the same `statsWrites` the API uses (one transaction per 100 records),
 * so both tables hold what the API would have produced. Target: p95 at 10,000 ≤ 1.2 × p95 at 100.
 */
const TARGET = 1.2;
const OUTCOMES = ['CANCELLED', 'REDUCED', 'CLEARED'] as const;
const PROVINCES = ['KH01', 'KH13', 'KH22'] as const;

export const landReleaseStats: Scenario = {
  name: 'land-release-stats',
  description: 'read land-release statistics: p95 with 10,000 cleared areas vs 100',
  options: {
    'stats-large': { type: 'string', default: '10000' },
    'stats-requests': { type: 'string', default: '500' },
  },
  async run(ctx) {
    const large = Number(ctx.options['stats-large']);
    const requests = Number(ctx.options['stats-requests']);
    ctx.progress.update('land-release-stats: starting DynamoDB Local');
    const stack = await startLocalStack();
    try {
      const sets = [
        { label: '100 cleared areas', table: 'stats-100', count: 100 },
        { label: `${large} cleared areas`, table: `stats-${large}`, count: large },
      ];
      // The repositories build the very items the API writes; they read their configuration at load.
      Object.assign(process.env, stack.env('unused'));
      const { clearedAreaWrite } = await import('../../../shared/db/repositories/cleared-areas.ts');
      const { statsWrites, moved } = await import('../../../shared/db/repositories/stats.ts');
      for (const set of sets) {
        await stack.createTable(set.table);
        for (let i = 0; i < set.count; i += 100) {
          const batch: ClearedArea[] = Array.from({ length: Math.min(100, set.count - i) }, (_, j) => {
            const n = i + j;
            const at = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
            const lon = 103 + (n % 100) * 0.01;
            const lat = 14 + Math.floor(n / 100) * 0.001;
            const outcome = OUTCOMES[n % OUTCOMES.length]!;
            const geometry = {
              type: 'Polygon' as const,
              coordinates: [
                [
                  [lon, lat],
                  [lon + 0.001, lat],
                  [lon + 0.001, lat + 0.001],
                  [lon, lat + 0.001],
                  [lon, lat],
                ],
              ],
            };
            return {
              parts: [{ outcome, method: 'MANUAL' as const, depthCm: 13, geometry, areaSqm: 11_900 }],
              requiredQaCountries: ['KH'],
              qaDecisions: [],
              attestationRequired: false,
              id: newId(),
              version: 2,
              createdAt: at,
              updatedAt: at,
              createdBy: 'bench',
              taskId: newId(),
              hazardAreaId: newId(),
              country: 'KH',
              province: PROVINCES[n % PROVINCES.length]!,
              countries: ['KH'],
              submittedBy: { sub: 'bench', role: 'operations', org: 'CMAC' },
              outcome,
              method: 'MANUAL',
              depthCm: 13,
              completedAt: '2026-02-01',
              geometry,
              areaSqm: 11_900,
              eo: { fromProgressReports: { AP_MINE: 1 }, mismatch: false, differences: {} },
              status: 'QA_ACCEPTED',
            };
          });
          await stack.batchPut(
            set.table,
            batch.map((a) => clearedAreaWrite(a, 'new').item.Put!.Item as Record<string, unknown>),
          );
          await stack.transact(
            set.table,
            statsWrites(
              batch.map((a) => ({
                country: a.country,
                province: a.province,
                counters: { ...moved('reports', null, a.status), [`sqm_${a.outcome}`]: a.areaSqm, eo_AP_MINE: 1 },
              })),
            ).map((w) => w.item),
          );
          ctx.progress.update(`land-release-stats: storing ${set.label}: ${Math.min(i + 100, set.count)}/${set.count}`);
        }
      }
      ctx.progress.update('land-release-stats: starting the app servers');
      const servers = await Promise.all(sets.map((s) => stack.serve(s.table)));
      const headers = { authorization: `Bearer ${await stack.token({ sub: 'bench-observer', role: 'observer', org: 'AOT' })}` };
      const read = async (base: string, expected: number) => {
        const started = performance.now();
        const res = await fetch(`${base}/v1/stats/land-release?country=KH`, { headers });
        const body = (await res.json()) as { completionReportsByStatus: { QA_ACCEPTED: number } };
        const ms = performance.now() - started;
        if (res.status !== 200 || body.completionReportsByStatus.QA_ACCEPTED !== expected)
          throw new Error(`statistics read failed: ${res.status} ${JSON.stringify(body)}`);
        return ms;
      };
      const { times, p50, p95, ratio } = await alternateTwo((side) => read(servers[side]!.base, sets[side]!.count), {
        requests,
        progress: (i) => ctx.progress.update(`land-release-stats: request ${i}/${requests}`),
      });
      const report = [
        'GET /v1/stats/land-release?country=KH over HTTP, alternating between two tables',
        table(
          [
            { header: 'stored' },
            { header: 'n', align: 'right' },
            { header: 'p50 ms', align: 'right' },
            { header: 'p95 ms', align: 'right' },
            { header: 'p95 / 100', align: 'right' },
          ],
          sets.map((s, k) => [s.label, String(times[k]!.length), fixed(p50[k]!, 2), fixed(p95[k]!, 2), fixed(p95[k]! / p95[0]!, 2)]),
        ),
        `target: p95 at ${large} ≤ ${TARGET}× p95 at 100 → ${ratio <= TARGET ? 'PASS' : 'FAIL'} (${fixed(ratio, 2)}×)`,
      ].join('\n');
      return {
        report,
        failures: ratio <= TARGET ? [] : [`land-release-stats: p95 ratio ${fixed(ratio, 2)} > ${TARGET}`],
        data: { target: TARGET, ratio, requests, sets: sets.map((s, k) => ({ stored: s.count, p50: p50[k], p95: p95[k] })) },
      };
    } finally {
      ctx.progress.clear();
      await stack.stop();
    }
  },
};
