import type { ClearedArea } from '../../../shared/domain/cleared-area.ts';
import type { Area } from '../../../shared/domain/geometry.ts';
import type { HazardArea } from '../../../shared/domain/hazard-area.ts';
import type { Household } from '../../../shared/domain/household.ts';
import { newId } from '../../../shared/domain/ids.ts';
import { cellOfPoint, hazardCells, returnSafetyOf, type SafetyHazard } from '../../../shared/domain/return-safety.ts';
import type { Task } from '../../../shared/domain/task.ts';
import { alternateTwo } from '../lib/alternate.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import type { Scenario } from '../lib/scenario.ts';
import { fixed, table } from '../lib/table.ts';
import { benchHousehold, random } from './household-pages.ts';

/**
 * Accepting a completion report (`POST /v1/cleared-areas/{id}/qa`, KH QA, a national report that
 * releases the whole area) over HTTP through the same apps as `npm start`. The acceptance
 * releases the land, closes the area and reassesses the households around it: it reads the
 * household cells of the area's return-safety index and rewrites those whose safety changed.
 *
 * Two tables in one DynamoDB Local hold the same hazard areas (one per timed acceptance, on a
 * grid 1.2 km apart, so that each household is near one area at most), each with its COMPLETED
 * task and its SUBMITTED report, and the same 1,000 households around them: four by each area
 * (three 300 m from it, AT_RISK until the release; one in the corner of its 500 m box, SAFE but
 * assessed) and the rest scattered over the same cells. The large table holds 130,000 more
 * households in other cells (checked: none of the areas' cells). Everything is written with
 * BatchWriteItem of the very items the repositories build, into both tables alike with their
 * stream off; both streams are turned on (as the definition has them) before the servers start.
 * A seed with the stream on would leave the large table 130 times the stream records of the
 * small one, and DynamoDB Local's writes slow down with a table's stream records (a plain
 * transaction, the control below, 3.7× slower), which AWS's 24-hour stream does not model and
 * the registry's size is not. Acceptances alternate between the two servers, the n-th acceptance
 * of each side on the same area. Target: p95 with 130,000 elsewhere ≤ 1.1 × p95 with 1,000 —
 * the acceptance reads only the area's cells.
 */
const TARGET = 1.1;
const PROVINCE = 'KH22';
// The areas' grid (south-west corner, spacing, columns) and their size, in degrees at ~14.4° N.
const GRID = { lon: 103.4, lat: 14.3, step: 0.011, columns: 15 };
const SIZE = 0.0006; // ≈ 65 m
const M_PER_DEG_LAT = 110_600;
const M_PER_DEG_LON = 107_700;
// Where the other households live: ≈ 65 km × 55 km of cells far from the areas.
const ELSEWHERE = { west: 102.6, south: 13.4, east: 103.2, north: 13.9 };

const square = (lon: number, lat: number): Area => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + SIZE, lat],
      [lon + SIZE, lat + SIZE],
      [lon, lat + SIZE],
      [lon, lat],
    ],
  ],
});

export const landReleaseAcceptance: Scenario = {
  name: 'land-release-acceptance',
  description: 'accept a report that reassesses the households around its area: p95 with 130,000 households elsewhere vs 1,000',
  options: {
    'acceptance-elsewhere': { type: 'string', default: '130000' },
    'acceptance-near': { type: 'string', default: '1000' },
    'acceptance-requests': { type: 'string', default: '200' },
    'acceptance-warmups': { type: 'string', default: '20' },
  },
  optionHelp: {
    'acceptance-elsewhere': 'households stored in other cells in the large table (default 130000; e.g. 20000 for a quick check)',
    'acceptance-near': 'households in the areas’ cells, in both tables (default 1000)',
    'acceptance-requests': 'timed acceptances per table (default 200; each needs its own area)',
    'acceptance-warmups': 'acceptances per table before timing, discarded (default 20)',
  },
  async run(ctx) {
    const elsewhere = Number(ctx.options['acceptance-elsewhere']);
    const near = Number(ctx.options['acceptance-near']);
    const requests = Number(ctx.options['acceptance-requests']);
    const warmups = Number(ctx.options['acceptance-warmups']);
    const areas = requests + warmups;
    ctx.progress.update('land-release-acceptance: starting DynamoDB Local');
    const stack = await startLocalStack();
    try {
      // The repositories build the very items the API writes; they read their configuration at load.
      Object.assign(process.env, stack.env('unused'));
      const { householdItems } = await import('../../../shared/db/repositories/households.ts');
      const { returnSafetyItems, hazardCellWrites } = await import('../../../shared/db/repositories/return-safety.ts');
      const { hazardWrite } = await import('../../../shared/db/repositories/hazard-areas.ts');
      const { taskWrites } = await import('../../../shared/db/repositories/tasks.ts');
      const { clearedAreaWrite, reportLandWrite } = await import('../../../shared/db/repositories/cleared-areas.ts');
      const { areaSqm } = await import('../../../shared/domain/geometry.ts');
      const putOf = (w: { item: { Put?: { Item?: Record<string, unknown> } } }) => w.item.Put!.Item as Record<string, unknown>;
      const year = new Date().getUTCFullYear();
      const at = new Date().toISOString();
      const actor = { sub: 'bench', role: 'operations', org: 'CMAC' };

      // --- the areas, their tasks and reports --------------------------------------------------
      const hazards: HazardArea[] = [];
      const reports: ClearedArea[] = [];
      const areaItems: Record<string, unknown>[] = [];
      /** South-west corners of the areas. */
      const corners: [number, number][] = [];
      for (let i = 0; i < areas; i++) {
        corners.push([GRID.lon + (i % GRID.columns) * GRID.step, GRID.lat + Math.floor(i / GRID.columns) * GRID.step]);
        const geometry = square(...corners[i]!);
        const sqm = areaSqm(geometry);
        const hazard: HazardArea = {
          id: newId(),
          version: 3,
          createdAt: at,
          updatedAt: at,
          createdBy: 'bench',
          reference: `HA-KH-BENCH-${i}`,
          name: `Bench area ${i}`,
          country: 'KH',
          province: PROVINCE,
          contested: false,
          classification: 'CHA',
          evidence: 'DIRECT',
          dateOfInformation: '2025-07-20',
          contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
          geometry,
          areaSqm: sqm,
          remainingSqm: sqm,
          hasCompletionReport: true,
          status: 'WORKED_ON',
          statusChangedAt: at,
        };
        const reportId = newId();
        const task: Task = {
          id: newId(),
          version: 5,
          createdAt: at,
          updatedAt: at,
          createdBy: 'bench',
          hazardAreaId: hazard.id,
          country: 'KH',
          countries: ['KH'],
          province: PROVINCE,
          activityType: 'CLEARANCE',
          priority: 1,
          joint: false,
          teamIds: [newId()],
          plannedStart: '2026-01-10',
          plannedEnd: '2026-02-10',
          status: 'COMPLETED',
          statusChangedAt: at,
          areaClearedSqm: 0,
          ordnanceFound: 0,
          progressReports: 0,
          openReportId: reportId,
          startedAt: at,
          remainingSqmAtStart: sqm,
        };
        const part = { outcome: 'CLEARED' as const, method: 'MANUAL' as const, depthCm: 13, geometry, areaSqm: sqm };
        const report: ClearedArea = {
          id: reportId,
          version: 1,
          createdAt: at,
          updatedAt: at,
          createdBy: 'bench',
          taskId: task.id,
          hazardAreaId: hazard.id,
          country: 'KH',
          province: PROVINCE,
          countries: ['KH'],
          submittedBy: actor,
          outcome: 'CLEARED',
          method: 'MANUAL',
          depthCm: 13,
          completedAt: '2026-02-01',
          geometry,
          areaSqm: sqm,
          parts: [part],
          requiredQaCountries: ['KH'],
          qaDecisions: [],
          attestationRequired: false,
          eo: { fromProgressReports: {}, mismatch: false, differences: {} },
          status: 'SUBMITTED',
        };
        hazards.push(hazard);
        reports.push(report);
        areaItems.push(
          putOf(hazardWrite(hazard, 'new')),
          ...hazardCellWrites(hazard).map(putOf),
          ...taskWrites(task, 'new').map(putOf),
          putOf(clearedAreaWrite(report, 'new')),
          putOf(
            reportLandWrite(hazard.id, {
              clearedAreaId: report.id,
              state: 'PENDING',
              parts: [{ outcome: part.outcome, method: part.method, areaSqm: sqm, geometry }],
            }),
          ),
        );
      }
      const areaCells = new Set(hazards.flatMap((h) => hazardCells(h.geometry)));

      // --- households -----------------------------------------------------------------------------
      const safetyHazards: SafetyHazard[] = hazards.map((h) => ({ id: h.id, status: h.status, geometry: h.geometry }));
      const rnd = random(11);
      let n = 0;
      const householdAt = (point: [number, number]): Household => {
        const h = benchHousehold(rnd, n++, year);
        const destination = { province: PROVINCE, point: { type: 'Point' as const, coordinates: point } };
        return { ...h, destination, returnSafety: returnSafetyOf(destination.point, safetyHazards, h.createdAt) };
      };
      const itemsOf = (h: Household) => [
        ...householdItems(h, [], {
          id: newId(),
          at: h.createdAt,
          actor: { sub: 'bench-registrar', role: 'relief', org: h.org },
          action: 'CREATED',
          to: h.status,
        }),
        ...returnSafetyItems(h),
      ];
      const nearby: Household[] = [];
      const aroundFirst: string[] = [];
      for (const [i] of hazards.entries()) {
        if (nearby.length + 4 > near) break;
        const [lon, lat] = corners[i]!;
        const east = lon + SIZE + 300 / M_PER_DEG_LON;
        const north = lat + SIZE + 300 / M_PER_DEG_LAT;
        const west = lon - 300 / M_PER_DEG_LON;
        const corner: [number, number] = [lon + SIZE + 450 / M_PER_DEG_LON, lat + SIZE + 450 / M_PER_DEG_LAT];
        const four = [householdAt([east, lat + SIZE / 2]), householdAt([lon + SIZE / 2, north]), householdAt([west, lat + SIZE / 2]), householdAt(corner)];
        nearby.push(...four);
        if (i === 0) aroundFirst.push(...four.slice(0, 3).map((h) => h.id));
      }
      const [minLon, minLat] = [GRID.lon - 0.005, GRID.lat - 0.005];
      const [maxLon, maxLat] = [GRID.lon + GRID.step * (GRID.columns - 1) + 0.005, GRID.lat + GRID.step * Math.floor((areas - 1) / GRID.columns) + 0.005];
      while (nearby.length < near) nearby.push(householdAt([minLon + rnd() * (maxLon - minLon), minLat + rnd() * (maxLat - minLat)]));
      const atRisk = nearby.filter((h) => h.returnSafety.status === 'AT_RISK').length;
      const nearbyInAreaCells = nearby.filter((h) => areaCells.has(cellOfPoint(h.destination!.point!))).length;

      const sets = [
        { label: `${near.toLocaleString('en')} households`, table: 'accept-small', elsewhere: 0 },
        { label: `+ ${elsewhere.toLocaleString('en')} elsewhere`, table: 'accept-large', elsewhere },
      ];
      const seedStarted = performance.now();
      const put = async (tableName: string, items: Record<string, unknown>[]) => {
        // Four BatchWriteItem streams at once: DynamoDB Local takes them faster than one.
        const quarter = Math.ceil(items.length / 4);
        await Promise.all([0, 1, 2, 3].map((q) => stack.batchPut(tableName, items.slice(q * quarter, (q + 1) * quarter))));
      };
      const nearbyItems = nearby.flatMap(itemsOf);
      for (const set of sets) {
        await stack.createTable(set.table);
        await stack.setStream(set.table, false);
        ctx.progress.update(`land-release-acceptance: storing ${areas} areas and ${near} households in ${set.table}`);
        await put(set.table, areaItems);
        await put(set.table, nearbyItems);
      }
      const otherCells = new Set<string>();
      for (let stored = 0; stored < elsewhere; ) {
        const chunk: Household[] = [];
        while (chunk.length < 2000 && stored + chunk.length < elsewhere) {
          const point: [number, number] = [
            ELSEWHERE.west + rnd() * (ELSEWHERE.east - ELSEWHERE.west),
            ELSEWHERE.south + rnd() * (ELSEWHERE.north - ELSEWHERE.south),
          ];
          const h = householdAt(point);
          otherCells.add(cellOfPoint(h.destination!.point!));
          chunk.push(h);
        }
        await put(sets[1]!.table, chunk.flatMap(itemsOf));
        stored += chunk.length;
        ctx.progress.update(
          `land-release-acceptance: storing ${stored.toLocaleString('en')}/${elsewhere.toLocaleString('en')} households elsewhere (${fixed((performance.now() - seedStarted) / 1000, 0)} s)`,
        );
      }
      const shared = [...otherCells].filter((c) => areaCells.has(c));
      if (shared.length > 0) throw new Error(`households "elsewhere" fall in the areas' cells ${shared.join(', ')}`);
      for (const set of sets) await stack.setStream(set.table, true);
      const seedSeconds = (performance.now() - seedStarted) / 1000;

      ctx.progress.update('land-release-acceptance: starting the app servers');
      const servers = await Promise.all(sets.map((s) => stack.serve(s.table)));
      const qa = {
        authorization: `Bearer ${await stack.token({ sub: 'bench-qa', role: 'qa', country: 'KH', org: 'CMAA' })}`,
        'content-type': 'application/json',
      };
      const admin = { authorization: `Bearer ${await stack.token({ sub: 'bench-admin', role: 'admin', org: 'CLEARWAY' })}` };
      const next = [0, 0];
      const accept = async (side: 0 | 1) => {
        const report = reports[next[side]!++]!;
        const started = performance.now();
        const res = await fetch(`${servers[side]!.base}/v1/cleared-areas/${report.id}/qa`, {
          method: 'POST',
          headers: { ...qa, 'if-match': '"1"' },
          body: JSON.stringify({ decision: 'ACCEPTED' }),
        });
        const body = (await res.json()) as { status?: string };
        const ms = performance.now() - started;
        if (res.status !== 200 || body.status !== 'QA_ACCEPTED') throw new Error(`acceptance failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        return ms;
      };
      const { times, p50, p95, ratio } = await alternateTwo(accept, {
        requests,
        warmups,
        progress: (i) => ctx.progress.update(`land-release-acceptance: acceptance ${i}/${requests}`),
      });

      // The acceptances did what they are for: the first area is closed and its households are SAFE, on both sides.
      for (const server of servers) {
        const area = (await (await fetch(`${server.base}/v1/hazard-areas/${hazards[0]!.id}`, { headers: admin })).json()) as {
          status: string;
          remainingSqm: number;
        };
        const listed = (await (await fetch(`${server.base}/v1/hazard-areas/${hazards[0]!.id}/households-at-risk`, { headers: admin })).json()) as {
          items: unknown[];
        };
        const safety = await Promise.all(
          aroundFirst.map(
            async (id) =>
              ((await (await fetch(`${server.base}/v1/households/${id}`, { headers: admin })).json()) as { returnSafety?: { status: string } }).returnSafety
                ?.status,
          ),
        );
        if (area.status !== 'CLOSED' || area.remainingSqm !== 0 || listed.items.length !== 0 || safety.some((s) => s !== 'SAFE')) {
          throw new Error(`the first acceptance did not release its area and households: ${JSON.stringify({ area, listed: listed.items.length, safety })}`);
        }
      }

      // The emulator's own share: a raw 8-item TransactWriteItems (the size of a household's rewrite)
      // into each table, alternating the same way. Reported, not a target: near 1× it shows the two
      // tables cost the emulator the same per write, so the acceptance's ratio is the code's own.
      let probe = 0;
      const control = await alternateTwo(
        async (side) => {
          const n = probe++;
          const started = performance.now();
          await stack.transact(
            sets[side]!.table,
            Array.from({ length: 8 }, (_, j) => ({
              Put: { TableName: sets[side]!.table, Item: { pk: `BENCHPROBE#${n}`, sk: `ITEM#${j}`, entity: 'BenchProbe' } },
            })),
          );
          return performance.now() - started;
        },
        { requests, warmups },
      );

      const report = [
        `POST /v1/cleared-areas/{id}/qa (KH QA accepts a report releasing a whole area, which closes it and reassesses the households around it) over HTTP, alternating between two tables; seeded with the streams off in ${fixed(seedSeconds, 1)} s, then streams on`,
        `${areas} areas (${warmups} warm-up acceptances per table), ${areaCells.size} cells between them; ${near.toLocaleString('en')} households in both tables (${nearbyInAreaCells.toLocaleString('en')} in the areas' cells, ${atRisk} AT_RISK before); the large table holds ${elsewhere.toLocaleString('en')} more in ${otherCells.size} other cells`,
        table(
          [
            { header: 'stored' },
            { header: 'n', align: 'right' },
            { header: 'p50 ms', align: 'right' },
            { header: 'p95 ms', align: 'right' },
            { header: 'p95 / 1,000', align: 'right' },
          ],
          sets.map((s, k) => [s.label, String(times[k]!.length), fixed(p50[k]!, 2), fixed(p95[k]!, 2), fixed(p95[k]! / p95[0]!, 2)]),
        ),
        `target: p95 with ${elsewhere.toLocaleString('en')} elsewhere ≤ ${TARGET}× p95 with ${near.toLocaleString('en')} → ${ratio <= TARGET ? 'PASS' : 'FAIL'} (${fixed(ratio, 2)}×)`,
        `control (no target): raw 8-item TransactWriteItems into each table, p50 ${fixed(control.p50[0]!, 2)} / ${fixed(control.p50[1]!, 2)} ms, p95 ${fixed(control.p95[0]!, 2)} / ${fixed(control.p95[1]!, 2)} ms, p95 ratio ${fixed(control.ratio, 2)}×`,
      ].join('\n');
      return {
        report,
        failures: ratio <= TARGET ? [] : [`land-release-acceptance: p95 ratio ${fixed(ratio, 2)} > ${TARGET}`],
        data: {
          target: TARGET,
          ratio,
          control: { p50: control.p50, p95: control.p95, ratio: control.ratio },
          requests,
          warmups,
          seedSeconds,
          areas,
          areaCells: areaCells.size,
          near,
          nearbyInAreaCells,
          atRiskBefore: atRisk,
          elsewhere,
          otherCells: otherCells.size,
          sets: sets.map((s, k) => ({ label: s.label, elsewhere: s.elsewhere, p50: p50[k], p95: p95[k] })),
        },
      };
    } finally {
      ctx.progress.clear();
      await stack.stop();
    }
  },
};
