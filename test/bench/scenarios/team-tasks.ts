import { newId } from '../../../shared/domain/ids.ts';
import type { Task } from '../../../shared/domain/task.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import type { Scenario } from '../lib/scenario.ts';
import { alternateTwo } from '../lib/alternate.ts';
import { fixed, table } from '../lib/table.ts';

/**
 * Listing a team's tasks (the deminer's view, `GET /v1/tasks`, a page of 25) over HTTP through
 * the same apps as `npm start` — token verification, validation, the Query, the signed cursor.
 * Two tables in one DynamoDB Local: one holding 100 tasks, one holding 20,000 (all of one team,
 * the worst case for its partition). Requests alternate between the two servers so that machine
 * noise hits both alike. Target: p95 at 20,000 ≤ 1.25 × p95 at 100.
 */
const TARGET = 1.25;
const STATUSES = ['PLANNED', 'ASSIGNED', 'IN_PROGRESS', 'SUSPENDED', 'COMPLETED'] as const;

function makeTask(teamId: string, hazardAreaId: string, i: number): Task {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return {
    id: newId(),
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: 'bench',
    hazardAreaId,
    country: 'KH',
    countries: ['KH'],
    province: 'KH22',
    activityType: 'CLEARANCE',
    priority: 1 + (i % 5),
    joint: false,
    teamIds: [teamId],
    plannedStart: '2026-01-10',
    plannedEnd: '2026-02-10',
    status: STATUSES[i % STATUSES.length]!,
    statusChangedAt: at,
    areaClearedSqm: 0,
    ordnanceFound: 0,
    progressReports: 0,
  };
}

export const teamTasks: Scenario = {
  name: 'team-tasks',
  description: "list a team's tasks: p95 with 20,000 tasks stored vs 100 stored",
  options: {
    'team-tasks-large': { type: 'string', default: '20000' },
    'team-tasks-requests': { type: 'string', default: '500' },
  },
  async run(ctx) {
    const large = Number(ctx.options['team-tasks-large']);
    const requests = Number(ctx.options['team-tasks-requests']);
    ctx.progress.update('team-tasks: starting DynamoDB Local');
    const stack = await startLocalStack();
    try {
      // The repository builds the very items the API writes; it reads its configuration at load.
      Object.assign(process.env, stack.env('unused'));
      const { taskWrites } = await import('../../../shared/db/repositories/tasks.ts');
      const teamId = newId();
      const hazardAreaId = newId();
      const sets = [
        { label: '100 stored', table: 'tasks-100', count: 100 },
        { label: `${large} stored`, table: `tasks-${large}`, count: large },
      ];
      for (const set of sets) {
        await stack.createTable(set.table);
        for (let i = 0; i < set.count; i += 1000) {
          const items = Array.from({ length: Math.min(1000, set.count - i) }, (_, j) =>
            taskWrites(makeTask(teamId, hazardAreaId, i + j), 'new').map((w) => w.item.Put!.Item as Record<string, unknown>),
          ).flat();
          await stack.batchPut(set.table, items);
          ctx.progress.update(`team-tasks: storing ${set.label}: ${Math.min(i + 1000, set.count)}/${set.count}`);
        }
      }
      ctx.progress.update('team-tasks: starting the app servers');
      const servers = await Promise.all(sets.map((s) => stack.serve(s.table)));
      const headers = { authorization: `Bearer ${await stack.token({ sub: 'bench-deminer', role: 'deminer', country: 'KH', org: 'CMAC', team: teamId })}` };
      const list = async (base: string) => {
        const started = performance.now();
        const res = await fetch(`${base}/v1/tasks?limit=25`, { headers });
        const body = (await res.json()) as { items: unknown[] };
        const ms = performance.now() - started;
        if (res.status !== 200 || body.items.length !== 25) throw new Error(`listing failed: ${res.status}`);
        return ms;
      };
      const { times, p50, p95, ratio } = await alternateTwo((side) => list(servers[side]!.base), {
        requests,
        progress: (i) => ctx.progress.update(`team-tasks: request ${i}/${requests}`),
      });
      const report = [
        `GET /v1/tasks (a deminer's team, page of 25) over HTTP, alternating between two tables`,
        table(
          [
            { header: 'tasks stored' },
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
        failures: ratio <= TARGET ? [] : [`team-tasks: p95 ratio ${fixed(ratio, 2)} > ${TARGET}`],
        data: { target: TARGET, ratio, requests, sets: sets.map((s, k) => ({ stored: s.count, p50: p50[k], p95: p95[k] })) },
      };
    } finally {
      ctx.progress.clear();
      await stack.stop();
    }
  },
};
