import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../shared/db/client.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { ProgressReport, Task } from '../../shared/domain/task.ts';
import type { Team } from '../../shared/domain/team.ts';
import { createHazard, createTask, createTeam, get, post, square, transition } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

let opsKH: Record<string, string>;
let opsTH: Record<string, string>;
let observer: Record<string, string>;
let khTeam: Team;
let thTeam: Team;
let hazard: HazardArea;
let deminerKH: Record<string, string>;

const eventsOf = async (subjectId: string) =>
  (
    (
      await documentClient.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: 'entity = :e AND event.subject.id = :id',
          ExpressionAttributeValues: { ':e': 'OutboxEvent', ':id': subjectId },
        }),
      )
    ).Items ?? []
  )
    .map((i) => i.event as { type: string; occurredAt: string; audience: string[]; data: Record<string, unknown> })
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));

beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  opsTH = await bearer({ role: 'operations', country: 'TH' });
  observer = await bearer({ role: 'observer' });
  khTeam = await createTeam(opsKH, 'KH', 'CMAC DU3 Team 12');
  thTeam = await createTeam(opsTH, 'TH', 'TMAC HMAU 2 Team 1');
  hazard = await createHazard(opsTH);
  deminerKH = await bearer({ role: 'deminer', country: 'KH', team: khTeam.id });
});

describe('joint task lifecycle', () => {
  it('runs create → assign → start → progress with a PMN-2 find → suspend → resume → complete, with history and events', async () => {
    const task = await createTask(opsTH, { hazardAreaId: hazard.id, joint: true, teamIds: [khTeam.id, thTeam.id] });
    expect(task).toMatchObject({ status: 'PLANNED', version: 1, joint: true, countries: ['KH', 'TH'], country: 'TH', province: 'TH34' });

    expect((await transition(opsTH, task, 1, 'ASSIGNED')).status).toBe(200);
    const started = await transition(deminerKH, task, 2, 'IN_PROGRESS');
    expect(started.status).toBe(200);
    const area = await get<HazardArea>(`/v1/hazard-areas/${hazard.id}`, observer);
    expect(area.body.status).toBe('WORKED_ON');

    const progress = await post<ProgressReport>(`/v1/tasks/${task.id}/progress`, deminerKH, {
      reportDate: new Date().toISOString().slice(0, 10),
      areaClearedSqm: 1200,
      finds: [
        { category: 'AP_MINE', model: 'PMN-2', quantity: 3, condition: 'INTACT', depthCm: 5, position: { type: 'Point', coordinates: [105.005, 14.355] } },
      ],
    });
    expect(progress.status).toBe(201);
    expect(progress.body.finds[0]).toMatchObject({ reviewRequired: false, distanceOutsideHazardAreaM: 0 });

    const noReason = await transition(deminerKH, task, 4, 'SUSPENDED');
    expect(noReason.status).toBe(400);
    expect((noReason.body as unknown as { errors: { path: string }[] }).errors[0]!.path).toBe('body.reason');
    expect((await transition(deminerKH, task, 4, 'SUSPENDED', 'flooding')).status).toBe(200);
    expect((await transition(deminerKH, task, 5, 'IN_PROGRESS')).status).toBe(200);
    const completed = await transition(deminerKH, task, 6, 'COMPLETED');
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'COMPLETED', version: 7, areaClearedSqm: 1200, ordnanceFound: 3, progressReports: 1 });

    const history = await get<{ items: { action: string; from?: string; to?: string; reason?: string; actor: { role: string } }[] }>(
      `/v1/tasks/${task.id}/history`,
      observer,
    );
    expect(history.body.items.map((h) => `${h.action}:${h.to ?? ''}:${h.actor.role}`)).toEqual([
      'CREATED:PLANNED:operations',
      'TRANSITION:ASSIGNED:operations',
      'TRANSITION:IN_PROGRESS:deminer',
      'PROGRESS::deminer',
      'TRANSITION:SUSPENDED:deminer',
      'TRANSITION:IN_PROGRESS:deminer',
      'TRANSITION:COMPLETED:deminer',
    ]);
    expect(history.body.items[4]!.reason).toBe('flooding');

    const events = await eventsOf(task.id);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['TaskCreated', 'TaskAssigned', 'TaskStatusChanged', 'OrdnanceFound']));
    expect(events.filter((e) => e.type === 'TaskStatusChanged')).toHaveLength(5);
    expect(events.find((e) => e.type === 'OrdnanceFound')!.data).toMatchObject({ finds: [{ category: 'AP_MINE', model: 'PMN-2', quantity: 3 }] });
    for (const e of events) expect(e.audience).toEqual(['KH', 'TH']);
    expect((await eventsOf(hazard.id)).map((e) => `${e.type}:${e.data.to ?? ''}`)).toContain('HazardAreaStatusChanged:WORKED_ON');
  });

  it('refuses an illegal move with 409 listing the moves allowed from the current state', async () => {
    const task = await createTask(opsKH, {
      hazardAreaId: (await createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: square(103.5, 14.3) })).id,
      teamIds: [khTeam.id],
    });
    const r = await transition(opsKH, task, 1, 'COMPLETED');
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ currentStatus: 'PLANNED', allowedTransitions: ['ASSIGNED', 'CANCELLED'] });
    const byDeminer = await transition(deminerKH, task, 1, 'ASSIGNED');
    expect(byDeminer.status).toBe(409);
    expect(byDeminer.body).toMatchObject({ allowedTransitions: [] });
  });
});

describe('task rules and scopes', () => {
  it('keeps a national task to teams of its own country', async () => {
    const r = await post<{ errors: { path: string }[] }>('/v1/tasks', opsTH, {
      hazardAreaId: hazard.id,
      activityType: 'TS',
      priority: 2,
      teamIds: [thTeam.id, khTeam.id],
      plannedStart: '2026-01-10',
      plannedEnd: '2026-01-20',
    });
    expect(r.status).toBe(400);
    expect(r.body.errors.map((e) => e.path)).toEqual(['body.teamIds.1']);
  });

  it('needs teams of both countries for a joint task, and existing teams', async () => {
    const one = await post<{ errors: { path: string }[] }>('/v1/tasks', opsTH, {
      hazardAreaId: hazard.id,
      activityType: 'TS',
      priority: 2,
      joint: true,
      teamIds: [thTeam.id],
      plannedStart: '2026-01-10',
      plannedEnd: '2026-01-20',
    });
    expect(one.status).toBe(400);
    expect(one.body.errors[0]!.path).toBe('body.teamIds');
    const missing = await post<{ errors: { path: string }[] }>('/v1/tasks', opsTH, {
      hazardAreaId: hazard.id,
      activityType: 'TS',
      priority: 2,
      teamIds: ['01JZZZZZZZZZZZZZZZZZZZZZZZ'],
      plannedStart: '2026-01-10',
      plannedEnd: '2026-01-20',
    });
    expect(missing.body.errors[0]).toMatchObject({ path: 'body.teamIds.0', message: 'no such team' });
  });

  it('keeps a deminer off another team’s task', async () => {
    const task = await createTask(opsTH, { hazardAreaId: hazard.id, teamIds: [thTeam.id] });
    await transition(opsTH, task, 1, 'ASSIGNED');
    const r = await transition(deminerKH, task, 2, 'IN_PROGRESS');
    expect(r.status).toBe(404);
    expect(r.res.headers.get('content-type')).toBe('application/problem+json');
    expect((await get(`/v1/tasks/${task.id}`, deminerKH)).status).toBe(404);
    const after = await get<Task>(`/v1/tasks/${task.id}`, opsTH);
    expect(after.body).toMatchObject({ status: 'ASSIGNED', version: 2 });
  });

  it('lets exactly one of two concurrent transitions with the same If-Match succeed', async () => {
    const task = await createTask(opsTH, { hazardAreaId: hazard.id, teamIds: [thTeam.id] });
    const [a, b] = await Promise.all([transition(opsTH, task, 1, 'ASSIGNED'), transition(opsTH, task, 1, 'CANCELLED', 'duplicate plan')]);
    expect([a.status, b.status].sort()).toEqual([200, 412]);
    const now = await get<Task>(`/v1/tasks/${task.id}`, opsTH);
    expect(now.body.version).toBe(2);
    const history = await get<{ items: unknown[] }>(`/v1/tasks/${task.id}/history`, opsTH);
    expect(history.body.items).toHaveLength(2);
  });

  it('creates one task for a retried create with the same Idempotency-Key', async () => {
    const body = { hazardAreaId: hazard.id, activityType: 'NTS', priority: 3, teamIds: [thTeam.id], plannedStart: '2026-03-01', plannedEnd: '2026-03-05' };
    const [first, retry] = await Promise.all([
      post<Task>('/v1/tasks', opsTH, body, { 'idempotency-key': 'plan-nts-1' }),
      post<Task>('/v1/tasks', opsTH, body, { 'idempotency-key': 'plan-nts-1' }),
    ]);
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    const tasks = await get<{ items: Task[] }>(`/v1/tasks?hazardArea=${hazard.id}&status=PLANNED&limit=100`, observer);
    expect(tasks.body.items.filter((t) => t.activityType === 'NTS')).toHaveLength(1);
  });

  it('refuses a find outside the hazard area unless flagged, and marks a flagged one for review', async () => {
    const task = await createTask(opsTH, { hazardAreaId: hazard.id, teamIds: [thTeam.id] });
    await transition(opsTH, task, 1, 'ASSIGNED');
    await transition(opsTH, task, 2, 'IN_PROGRESS');
    const far = { category: 'SUBMUNITION', model: 'M85', quantity: 1, position: { type: 'Point', coordinates: [105.03, 14.355] } };
    const refused = await post<{ errors: { path: string; message: string }[] }>(`/v1/tasks/${task.id}/progress`, opsTH, {
      reportDate: new Date().toISOString().slice(0, 10),
      areaClearedSqm: 100,
      finds: [far],
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]!.path).toBe('body.finds.0.position');
    expect(refused.body.errors[0]!.message).toMatch(/m outside the hazard area/);
    const accepted = await post<ProgressReport>(`/v1/tasks/${task.id}/progress`, opsTH, {
      reportDate: new Date().toISOString().slice(0, 10),
      areaClearedSqm: 100,
      finds: [{ ...far, acceptOutsideHazardArea: true }],
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body.finds[0]).toMatchObject({ reviewRequired: true });
    expect(accepted.body.finds[0]!.distanceOutsideHazardAreaM).toBeGreaterThan(2000);
    const list = await get<{ items: ProgressReport[] }>(`/v1/tasks/${task.id}/progress`, observer);
    expect(list.body.items).toHaveLength(1);
  });

  it('serves each list from its own partition: team, country and status, province, hazard area', async () => {
    const khHazard = await createHazard(opsKH, { country: 'KH', province: 'KH01', geometry: square(102.9, 13.8) });
    const national = await createTask(opsKH, { hazardAreaId: khHazard.id, teamIds: [khTeam.id] });
    const joint = await createTask(opsKH, { hazardAreaId: khHazard.id, joint: true, teamIds: [khTeam.id, thTeam.id] });

    const team = await get<{ items: Task[] }>('/v1/tasks?limit=100', deminerKH);
    expect(team.body.items.map((t) => t.id)).toEqual(expect.arrayContaining([national.id, joint.id]));
    expect(team.body.items.every((t) => t.teamIds.includes(khTeam.id))).toBe(true);

    const thView = await get<{ items: Task[] }>('/v1/tasks?country=TH&status=PLANNED&limit=100', opsTH);
    const thIds = thView.body.items.map((t) => t.id);
    expect(thIds).toContain(joint.id);
    expect(thIds).not.toContain(national.id);
    expect(thView.body.items.every((t) => t.status === 'PLANNED')).toBe(true);
    expect((await get(`/v1/tasks/${national.id}`, opsTH)).status).toBe(404);
    expect((await get('/v1/tasks?country=KH', opsTH)).status).toBe(403);

    const province = await get<{ items: Task[] }>('/v1/tasks?province=KH01', observer);
    expect(province.body.items.map((t) => t.id).sort()).toEqual([national.id, joint.id].sort());
    const ofHazard = await get<{ items: Task[] }>(`/v1/hazard-areas/${khHazard.id}/tasks`, observer);
    expect(ofHazard.body.items).toHaveLength(2);

    await transition(opsKH, national, 1, 'ASSIGNED');
    const assigned = await get<{ items: Task[] }>('/v1/tasks?province=KH01&status=ASSIGNED', observer);
    expect(assigned.body.items.map((t) => t.id)).toEqual([national.id]);
    const teamCopy = await get<{ items: Task[] }>('/v1/tasks?status=ASSIGNED', deminerKH);
    expect(teamCopy.body.items.find((t) => t.id === national.id)?.version).toBe(2);

    const two = await get('/v1/tasks?province=KH01&country=KH', observer);
    expect(two.status).toBe(400);
  });
});
