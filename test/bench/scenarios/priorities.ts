import type { HazardArea } from '../../../shared/domain/hazard-area.ts';
import type { Household, HouseholdStatus } from '../../../shared/domain/household.ts';
import { newId } from '../../../shared/domain/ids.ts';
import { alternateTwo } from '../lib/alternate.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import type { Scenario } from '../lib/scenario.ts';
import { fixed, table } from '../lib/table.ts';
import { benchMembers, random } from './household-pages.ts';

/**
 * Reading the clearance priorities (`GET /v1/hazard-areas/priorities?country=KH&limit=20`, the
 * Cambodian ministry) over HTTP through the same apps as `npm start`, with 1,000 households and
 * 20 hazard areas stored and with 130,000 households and 2,000 areas, in two tables of one
 * DynamoDB Local, requests alternating between them. Both tables are seeded with the streams off
 * (DynamoDB Local slows with stream records), then the streams are turned on: hazard areas with
 * their cell items, and the household items, by BatchWriteItem as the repositories build them
 * (not the households' index items, which this read never touches and which would triple the seed); the demand counters by the repositories' own UpdateItems (`hazardDemandWrites`,
 * `householdsDemandWrites`), so the index holds what the API would have produced. Most
 * households wait within 500 m of an area (AT_RISK from it), the rest elsewhere.
 * Target: p95 at 130,000/2,000 ≤ 1.1 × p95 at 1,000/20.
 */
const TARGET = 1.1;
const PROVINCES = ['KH01', 'KH02', 'KH13', 'KH22', 'KH24'] as const;
const STATUSES: HouseholdStatus[] = ['DISPLACED', 'INTENDS_RETURN', 'RETURN_BLOCKED', 'RETURNED', 'REDISPLACED'];
const SIZE = 0.005;

function area(i: number, rnd: () => number): HazardArea {
  const lon = 102.6 + (i % 50) * 0.03;
  const lat = 12.8 + Math.floor(i / 50) * 0.03;
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const geometry = {
    type: 'Polygon' as const,
    coordinates: [
      [
        [lon, lat],
        [lon + SIZE, lat],
        [lon + SIZE, lat + SIZE],
        [lon, lat + SIZE],
        [lon, lat],
      ],
    ],
  };
  const recent = rnd() < 0.3;
  return {
    id: newId(),
    reference: `HA-KH-2026-${String(i).padStart(6, '0')}`,
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: 'bench',
    name: `Bench area ${i}`,
    country: 'KH',
    province: PROVINCES[i % PROVINCES.length]!,
    contested: false,
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-08-01',
    contamination: [{ category: recent ? 'AP_MINE' : 'UXO', period: recent ? '2025_CONFLICT' : 'LEGACY' }],
    geometry,
    areaSqm: 300_000,
    remainingSqm: 300_000,
    status: 'OPEN',
    statusChangedAt: at,
  };
}

function household(n: number, areas: readonly HazardArea[], rnd: () => number, year: number): Household {
  const at = new Date(Date.UTC(2026, 0, 15) + n * 1000).toISOString();
  const near = rnd() < 0.7 ? areas[Math.floor(rnd() * areas.length)]! : undefined;
  const [lon, lat] = near ? (near.geometry.coordinates[0]![0] as [number, number]) : [101.5 + rnd(), 11.5 + rnd()];
  // 100 m north of the area's north edge: within the 500 m of the return-safety rule.
  const point = near ? [lon + SIZE / 2, lat + SIZE + 0.0009] : [lon, lat];
  const status = STATUSES[Math.floor(rnd() * STATUSES.length)]!;
  return {
    id: newId(),
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: 'bench',
    country: 'KH',
    org: `NGO-${n % 7}`,
    status,
    statusChangedAt: at,
    ...(status === 'RETURN_BLOCKED' ? { blockedReason: rnd() < 0.5 ? ('HAZARD' as const) : ('OCCUPIED' as const) } : {}),
    origin: { province: near?.province ?? 'KH22' },
    current: { province: 'KH17', site: 'Pagoda camp 4' },
    destination: { province: near?.province ?? 'KH22', point: { type: 'Point', coordinates: point } },
    members: benchMembers(rnd, year).map(({ document: _d, ...m }) => m),
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE', 'REGISTRATION'] },
    returnSafety: near ? { status: 'AT_RISK', hazardAreaIds: [near.id], checkedAt: at } : { status: 'SAFE', hazardAreaIds: [], checkedAt: at },
  };
}

export const priorities: Scenario = {
  name: 'priorities',
  description: 'read the clearance priorities: p95 with 130,000 households and 2,000 hazard areas vs 1,000 and 20',
  options: {
    'priorities-households': { type: 'string', default: '130000' },
    'priorities-areas': { type: 'string', default: '2000' },
    'priorities-requests': { type: 'string', default: '400' },
  },
  optionHelp: {
    'priorities-households': 'households stored on the large side (default 130000)',
    'priorities-areas': 'hazard areas stored on the large side (default 2000)',
    'priorities-requests': 'requests measured on each side (default 400)',
  },
  async run(ctx) {
    const largeHouseholds = Number(ctx.options['priorities-households']);
    const largeAreas = Number(ctx.options['priorities-areas']);
    const requests = Number(ctx.options['priorities-requests']);
    ctx.progress.update('priorities: starting DynamoDB Local');
    const stack = await startLocalStack();
    try {
      const sets = [
        { label: '1,000 households, 20 areas', table: 'prio-small', households: 1000, areas: 20 },
        {
          label: `${largeHouseholds.toLocaleString('en')} households, ${largeAreas.toLocaleString('en')} areas`,
          table: 'prio-large',
          households: largeHouseholds,
          areas: largeAreas,
        },
      ];
      Object.assign(process.env, stack.env('unused'));
      const { hazardWrite } = await import('../../../shared/db/repositories/hazard-areas.ts');
      const { householdWrite } = await import('../../../shared/db/repositories/households.ts');
      const { hazardCellWrites } = await import('../../../shared/db/repositories/return-safety.ts');
      const { hazardDemandWrites, householdsDemandWrites } = await import('../../../shared/db/repositories/priorities.ts');
      const year = new Date().getUTCFullYear();
      const started = performance.now();
      for (const set of sets) {
        await stack.createTable(set.table);
        await stack.setStream(set.table, false);
        const rnd = random(set.areas);
        const areas = Array.from({ length: set.areas }, (_, i) => area(i, rnd));
        await stack.batchPut(
          set.table,
          areas.flatMap((a) => [
            hazardWrite(a, 'new').item.Put!.Item as Record<string, unknown>,
            ...hazardCellWrites(a).map((w) => w.item.Put!.Item as Record<string, unknown>),
          ]),
        );
        const areaWrites = areas.flatMap((a) => hazardDemandWrites(a));
        for (let i = 0; i < areaWrites.length; i += 50)
          await stack.transact(
            set.table,
            areaWrites.slice(i, i + 50).map((w) => w.item),
          );
        for (let from = 0; from < set.households; from += 5000) {
          const chunk = Array.from({ length: Math.min(5000, set.households - from) }, (_, k) => household(from + k, areas, rnd, year));
          // The household items only: their index items (cell, at-risk links) are not what this read touches.
          await stack.batchPut(
            set.table,
            chunk.map((h) => householdWrite(h, 1).item.Put!.Item as Record<string, unknown>),
          );
          // One UpdateItem per demand item that the chunk moves, as the import applies them.
          const demand = householdsDemandWrites(chunk);
          for (let i = 0; i < demand.length; i += 50)
            await stack.transact(
              set.table,
              demand.slice(i, i + 50).map((w) => w.item),
            );
          ctx.progress.update(`priorities: storing ${set.label}: ${Math.min(from + 5000, set.households)}/${set.households}`);
        }
      }
      const seedSeconds = (performance.now() - started) / 1000;
      for (const set of sets) await stack.setStream(set.table, true);
      ctx.progress.update('priorities: starting the app servers');
      const servers = await Promise.all(sets.map((s) => stack.serve(s.table)));
      const headers = { authorization: `Bearer ${await stack.token({ sub: 'bench-ministry', role: 'ministry', country: 'KH', org: 'MoI-KH' })}` };
      const read = async (side: 0 | 1) => {
        const t0 = performance.now();
        const res = await fetch(`${servers[side]!.base}/v1/hazard-areas/priorities?country=KH&limit=20`, { headers });
        const body = (await res.json()) as { items: { score: number }[] };
        const ms = performance.now() - t0;
        const ordered = body.items.every((item, k) => k === 0 || body.items[k - 1]!.score >= item.score);
        if (res.status !== 200 || body.items.length !== 20 || !ordered)
          throw new Error(`priorities read failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        return ms;
      };
      const { times, p50, p95, ratio } = await alternateTwo(read, { requests, progress: (i) => ctx.progress.update(`priorities: request ${i}/${requests}`) });
      const report = [
        `GET /v1/hazard-areas/priorities?country=KH&limit=20 over HTTP (KH ministry), alternating between two tables; seeded with the streams off in ${fixed(seedSeconds, 1)} s, then streams on`,
        table(
          [
            { header: 'stored' },
            { header: 'n', align: 'right' },
            { header: 'p50 ms', align: 'right' },
            { header: 'p95 ms', align: 'right' },
            { header: 'p95 / small', align: 'right' },
          ],
          sets.map((s, k) => [s.label, String(times[k]!.length), fixed(p50[k]!, 2), fixed(p95[k]!, 2), fixed(p95[k]! / p95[0]!, 2)]),
        ),
        `target: p95 at ${sets[1]!.label} ≤ ${TARGET}× p95 at ${sets[0]!.label} → ${ratio <= TARGET ? 'PASS' : 'FAIL'} (${fixed(ratio, 2)}×)`,
      ].join('\n');
      return {
        report,
        failures: ratio <= TARGET ? [] : [`priorities: p95 ratio ${fixed(ratio, 2)} > ${TARGET}`],
        data: {
          target: TARGET,
          ratio,
          requests,
          seedSeconds,
          sets: sets.map((s, k) => ({ households: s.households, areas: s.areas, p50: p50[k], p95: p95[k] })),
        },
      };
    } finally {
      ctx.progress.clear();
      await stack.stop();
    }
  },
};
