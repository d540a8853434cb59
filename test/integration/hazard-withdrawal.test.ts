import { beforeAll, describe, expect, it } from 'vitest';
import { app as clearedApp } from '../../functions/cleared-areas/app.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { Task } from '../../shared/domain/task.ts';
import type { Team } from '../../shared/domain/team.ts';
import { createHazard, createTask, createTeam, get, post, square, transition } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Withdrawing a hazard area with open tasks: the area and its tasks change in one transaction,
 * whose counters (the area's and the cancelled tasks') share one statistics item.
 */
type Stats = { tasksByStatus: Record<string, number>; hazardAreasByStatus: Record<string, number> };

let opsKH: Record<string, string>;
let observer: Record<string, string>;
let khTeam: Team;

beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  observer = await bearer({ role: 'observer' });
  khTeam = await createTeam(opsKH, 'KH');
});

const stats = async () => {
  const res = await clearedApp.request('/v1/stats/land-release?country=KH', { headers: observer });
  expect(res.status).toBe(200);
  return (await res.json()) as Stats;
};

describe('withdrawing a hazard area with open tasks', () => {
  it('cancels the tasks with the reason, in one transaction, and the statistics follow', async () => {
    const hazard = await createHazard(opsKH, { country: 'KH', province: 'KH13', geometry: square(104.6, 14.3, 0.002) });
    const planned = await createTask(opsKH, { hazardAreaId: hazard.id, teamIds: [khTeam.id] });
    const started = await createTask(opsKH, { hazardAreaId: hazard.id, teamIds: [khTeam.id], activityType: 'NTS' });
    expect((await transition(opsKH, started, 1, 'ASSIGNED')).status).toBe(200);
    expect((await transition(opsKH, started, 2, 'IN_PROGRESS')).status).toBe(200);
    const area = (await get<HazardArea>(`/v1/hazard-areas/${hazard.id}`, opsKH)).body;
    expect(area.status).toBe('WORKED_ON');
    const before = await stats();

    const reason = 'recorded twice: the same field as an earlier record';
    const r = await post<HazardArea>(`/v1/hazard-areas/${hazard.id}/transitions`, opsKH, { to: 'WITHDRAWN', reason }, { 'if-match': `"${area.version}"` });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ status: 'WITHDRAWN', withdrawn: { reason } });
    for (const task of [planned, started])
      expect((await get<Task>(`/v1/tasks/${task.id}`, opsKH)).body).toMatchObject({ status: 'CANCELLED', statusReason: reason });

    const after = await stats();
    const delta = (a: Record<string, number>, b: Record<string, number>, k: string) => (b[k] ?? 0) - (a[k] ?? 0);
    expect(delta(before.hazardAreasByStatus, after.hazardAreasByStatus, 'WORKED_ON')).toBe(-1);
    expect(delta(before.hazardAreasByStatus, after.hazardAreasByStatus, 'WITHDRAWN')).toBe(1);
    expect(delta(before.tasksByStatus, after.tasksByStatus, 'PLANNED')).toBe(-1);
    expect(delta(before.tasksByStatus, after.tasksByStatus, 'IN_PROGRESS')).toBe(-1);
    expect(delta(before.tasksByStatus, after.tasksByStatus, 'CANCELLED')).toBe(2);
  });
});
