import * as z from 'zod/mini';
import { newId } from '#shared/domain/ids.ts';
import { Country, Id, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { FINISHED_HAZARD_STATUSES, type HazardArea } from '#shared/domain/hazard-area.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { allowedTaskMoves, HistoryEntry, newTask, Task, TASK_TRANSITIONS, TaskCreate, TaskPatch, TaskStatus, TaskTransition } from '#shared/domain/task.ts';
import { getHazardArea, hazardHistoryWrite, hazardWrite } from '#shared/db/repositories/hazard-areas.ts';
import { getTeam } from '#shared/db/repositories/teams.ts';
import { listTaskHistory, listTasks, taskHistoryWrite, taskWrites, type TaskListing } from '#shared/db/repositories/tasks.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { moved, statsWrites, type StatsChange, statsPlace } from '#shared/db/repositories/stats.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { requireCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, Conflict, Forbidden, HttpProblem, type FieldError } from '#shared/http/problem.ts';
import { checkVersion } from '#shared/errors.ts';
import { historyEntry } from '#shared/domain/history.ts';
import { findRoutes } from './finds.ts';
import { observationRoutes } from './observations.ts';
import { progressRoutes } from './progress.ts';
import { placeOf, TASK_READERS, visibleTask } from './task-scope.ts';

/** Clearance tasks on hazard areas: planned, assigned, worked, reported and finished. */
export function registerTasks(api: Api): void {
  createTaskRoute(api);
  listTasksRoute(api);
  getTaskRoute(api);
  updateTaskRoute(api);
  transitionTaskRoute(api);
  progressRoutes(api);
  taskHistoryRoute(api);
  findRoutes(api);
  observationRoutes(api);
}

/** Refuses teams that are missing, stood down, or of the wrong country for a national or joint task (400 naming each). */
async function refuseUnassignableTeams(body: TaskCreate, hazard: HazardArea): Promise<void> {
  const teams = await Promise.all(body.teamIds.map((id) => getTeam(id)));
  const errors: FieldError[] = [];
  teams.forEach((team, i) => {
    const path = `body.teamIds.${i}`;
    if (!team) errors.push({ path, message: 'no such team' });
    else if (!team.active) errors.push({ path, message: 'the team is stood down (inactive)' });
    else if (!body.joint && team.country !== hazard.country)
      errors.push({ path, message: `a national task takes teams of ${hazard.country} only; set joint: true for a joint task` });
  });
  if (errors.length) throw new BadRequest('Some teams cannot be assigned to this task.', errors);
  const countries = [...new Set(teams.map((t) => t!.country))].sort() as ('KH' | 'TH')[];
  if (body.joint && countries.length < 2)
    throw new BadRequest('A joint task needs teams of both countries.', [
      { path: 'body.teamIds', message: 'teams of both KH and TH are required for a joint task' },
    ]);
}

function createTaskRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/tasks',
      operationId: 'createTask',
      example: {
        hazardAreaId: '01JD3V0M8Q8ZK5Y4W1H2C6N9TA',
        activityType: 'CLEARANCE',
        priority: 1,
        joint: true,
        teamIds: ['01JD3V0M8Q8ZK5Y4W1H2C6N9TB', '01JD3V0M8Q8ZK5Y4W1H2C6N9TC'],
        plannedStart: '2026-01-12',
        plannedEnd: '2026-02-20',
      },
      summary: 'Plan a de-mining task on a hazard area',
      description:
        'A joint task (`joint: true`) has teams of both countries; any other task only teams of the hazard area’s country, which must be the operations ' +
        'user’s own. Teams must exist and be active.',
      tag: 'Tasks',
      access: ['operations', 'admin'],
      body: TaskCreate,
      idempotent: true,
      reread: async (_c, { principal }, id) => {
        const task = await visibleTask(principal, id);
        return { body: task, version: task.version };
      },
      responses: { 201: { description: 'The task, PLANNED', schema: Task }, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      const hazard = await getHazardArea(body.hazardAreaId);
      if (!hazard) throw new BadRequest('The hazard area does not exist.', [{ path: 'body.hazardAreaId', message: `no hazard area ${body.hazardAreaId}` }]);
      if (FINISHED_HAZARD_STATUSES.includes(hazard.status))
        throw new Conflict(`The hazard area is ${hazard.status}: no new task can be planned on it.`, { hazardAreaStatus: hazard.status });
      // Either country's operations may plan a joint task; a national one only on its own land.
      if (principal.role === 'operations' && !body.joint) requireCountry(principal, hazard.country, 'plan national tasks on hazard areas');
      await refuseUnassignableTeams(body, hazard);

      const now = new Date().toISOString();
      const task = newTask(newId(), body, hazard, principal.sub, now);
      const created = outboxEvent(
        EventType.TaskCreated,
        { type: 'Task', id: task.id },
        task.country,
        principal,
        {
          ...placeOf(task),
          activityType: task.activityType,
          joint: task.joint,
          teamIds: task.teamIds,
          plannedStart: task.plannedStart,
          plannedEnd: task.plannedEnd,
        },
        now,
      );
      const response = { status: 201, id: task.id, body: task, headers: { ETag: etagOf(1), Location: `/v1/tasks/${task.id}` } };
      return commitCreate(
        c,
        [
          ...taskWrites(task, 'new'),
          taskHistoryWrite(task.id, historyEntry(principal, now, 'CREATED', { to: 'PLANNED' })),
          created.write,
          ...statsWrites([{ ...statsPlace(task), counters: moved('tasks', null, 'PLANNED') }]),
        ],
        response,
        idempotency,
      );
    },
  );
}

function listTasksRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/tasks',
      operationId: 'listTasks',
      summary: 'List tasks of a team, a province, a country or a hazard area, optionally of one status',
      description:
        'Name one of `team`, `province`, `country`, `hazardArea` (with `status` if you like). Deminers always get their own team’s tasks; operations users ' +
        'their country’s, joint ones included (the default).',
      tag: 'Tasks',
      access: TASK_READERS,
      query: z.object({
        status: z.optional(TaskStatus),
        team: z.optional(Id),
        province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
        country: z.optional(Country),
        hazardArea: z.optional(Id),
        ...PageQuery,
      }),
      responses: { 200: { description: 'A page of tasks', schema: Page(Task) } },
    },
    async (c, { principal, query }) => {
      const named = (['team', 'province', 'country', 'hazardArea'] as const).filter((k) => query[k] !== undefined);
      if (named.length > 1) {
        throw new BadRequest(
          'Name one of team, province, country or hazardArea (status may be combined with any).',
          named.map((k) => ({ path: `query.${k}`, message: 'only one list filter at a time' })),
        );
      }
      let listing: TaskListing;
      if (principal.role === 'deminer') {
        if (query.team && query.team !== principal.team) throw new Forbidden('A deminer lists only its own team’s tasks.');
        listing = { by: 'team', teamId: principal.team! };
      } else if (query.team) {
        if (principal.role === 'operations') {
          const team = await getTeam(query.team);
          if (!team || team.country !== principal.country)
            throw new Forbidden('Operations users list the tasks of their own country’s teams; use ?country= for joint tasks.');
        }
        listing = { by: 'team', teamId: query.team };
      } else if (query.province) {
        if (principal.role === 'operations' && !query.province.startsWith(principal.country!))
          throw new Forbidden('Operations users list tasks of their own country’s provinces.');
        listing = { by: 'province', province: query.province };
      } else if (query.hazardArea) {
        if (principal.role === 'operations') {
          const hazard = await getHazardArea(query.hazardArea);
          if (!hazard || hazard.country !== principal.country) throw new Forbidden('Operations users list the tasks of their own country’s hazard areas.');
        }
        listing = { by: 'hazardArea', hazardAreaId: query.hazardArea };
      } else {
        const country = query.country ?? principal.country;
        if (!country) throw new BadRequest('Name a team, province, country or hazardArea to list tasks.', [{ path: 'query.country', message: 'required' }]);
        if (principal.role === 'operations') requireCountry(principal, country, 'list tasks');
        listing = { by: 'country', country };
      }
      return c.json(await listTasks(listing, query.status, { limit: query.limit, cursor: query.cursor }));
    },
  );
}

function getTaskRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/tasks/{id}',
      operationId: 'getTask',
      summary: 'Read a task',
      tag: 'Tasks',
      access: TASK_READERS,
      params: IdParams,
      responses: { 200: { description: 'The task; ETag carries its version', schema: Task }, 404: problem },
    },
    async (c, { principal, params }) => {
      const task = await visibleTask(principal, params.id);
      return c.json(task, 200, { ETag: etagOf(task.version) });
    },
  );
}

function updateTaskRoute(api: Api): void {
  api.route(
    {
      method: 'patch',
      path: '/v1/tasks/{id}',
      operationId: 'updateTask',
      summary: 'Change the priority, planned dates or notes of a task',
      tag: 'Tasks',
      access: ['operations', 'admin'],
      params: IdParams,
      body: TaskPatch,
      ifMatch: true,
      responses: { 200: { description: 'The updated task', schema: Task }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const task = await visibleTask(principal, params.id);
      checkVersion(task, expectedVersion, 'task');
      if (task.status === 'COMPLETED' || task.status === 'CANCELLED')
        throw new Conflict(`A ${task.status} task can no longer be changed.`, { currentStatus: task.status });
      const updated: Task = { ...task, ...body, version: task.version + 1, updatedAt: new Date().toISOString() };
      if (updated.plannedEnd < updated.plannedStart)
        throw new BadRequest('The planned end would fall before the planned start.', [{ path: 'body.plannedEnd', message: 'must not be before plannedStart' }]);
      const changes = Object.fromEntries(Object.keys(body).map((k) => [k, { from: task[k as keyof Task], to: updated[k as keyof Task] }]));
      await transact([...taskWrites(updated, expectedVersion), taskHistoryWrite(task.id, historyEntry(principal, updated.updatedAt, 'UPDATED', { changes }))]);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );
}

function transitionTaskRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/transitions',
      operationId: 'transitionTask',
      summary: 'Move a task through its lifecycle',
      description:
        'PLANNED → ASSIGNED → IN_PROGRESS ⇄ SUSPENDED → COMPLETED, and CANCELLED before completion. Suspending and cancelling need a reason. Deminers move ' +
        'only their own team’s tasks. A refused move is a 409 that lists the moves allowed from the current status. Starting the first task on an OPEN ' +
        'hazard area moves the area to WORKED_ON.',
      tag: 'Tasks',
      access: ['operations', 'deminer', 'admin'],
      params: IdParams,
      body: TaskTransition,
      ifMatch: true,
      responses: { 200: { description: 'The task after the move', schema: Task }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const task = await visibleTask(principal, params.id);
      checkVersion(task, expectedVersion, 'task');
      const move = TASK_TRANSITIONS[task.status][body.to];
      if (!move?.roles.includes(principal.role)) {
        throw new Conflict(`A task cannot move from ${task.status} to ${body.to}${move ? ` by a ${principal.role}` : ''}.`, {
          currentStatus: task.status,
          allowedTransitions: allowedTaskMoves(task.status, principal.role),
        });
      }
      if (move.reasonRequired && !body.reason)
        throw new BadRequest(`Moving a task to ${body.to} needs a reason.`, [{ path: 'body.reason', message: 'required for this move' }]);

      const now = new Date().toISOString();
      const updated: Task = { ...task, status: body.to, statusChangedAt: now, version: task.version + 1, updatedAt: now };
      if (body.reason) updated.statusReason = body.reason;
      else delete updated.statusReason;
      // The reason is free text typed by a person: it stays in the task's history, out of the event both ministries receive.
      // Made first: the feed orders events by id, and the task's move comes before what it causes.
      const statusChanged = outboxEvent(
        EventType.TaskStatusChanged,
        { type: 'Task', id: task.id },
        task.country,
        principal,
        { ...placeOf(task), from: task.status, to: body.to, ...(body.reason ? { reasonGiven: true } : {}) },
        now,
      );
      const stats: StatsChange[] = [{ ...statsPlace(task), counters: moved('tasks', task.status, body.to) }];
      const hazardWrites: GuardedWrite[] = [];
      if (body.to === 'IN_PROGRESS') {
        const started = await startHazardWork(task, principal, now);
        hazardWrites.push(...started.writes);
        stats.push(...started.stats);
        if (!task.startedAt) {
          // The first start fixes what progress may claim: nothing dated before it, no more m² than remained then.
          updated.startedAt = now;
          updated.remainingSqmAtStart = started.remainingSqm;
        }
      }
      const writes: GuardedWrite[] = [
        ...taskWrites(updated, expectedVersion),
        taskHistoryWrite(
          task.id,
          historyEntry(principal, now, 'TRANSITION', { from: task.status, to: body.to, ...(body.reason ? { reason: body.reason } : {}) }),
        ),
        statusChanged.write,
        ...hazardWrites,
      ];
      if (body.to === 'ASSIGNED') {
        writes.push(
          outboxEvent(EventType.TaskAssigned, { type: 'Task', id: task.id }, task.country, principal, { ...placeOf(task), teamIds: task.teamIds }, now).write,
        );
      }
      await transact([...writes, ...statsWrites(stats)]);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );
}

function taskHistoryRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/tasks/{id}/history',
      operationId: 'taskHistory',
      summary: 'The append-only history of a task, with actors, oldest first',
      tag: 'Tasks',
      access: TASK_READERS,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of history entries', schema: Page(HistoryEntry) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      await visibleTask(principal, params.id);
      return c.json(await listTaskHistory(params.id, { limit: query.limit, cursor: query.cursor }));
    },
  );
}

/** The first task to start on an OPEN hazard area moves the area to WORKED_ON, in the same transaction. */
async function startHazardWork(task: Task, principal: Principal, now: string): Promise<{ writes: GuardedWrite[]; stats: StatsChange[]; remainingSqm: number }> {
  const hazard = (await getHazardArea(task.hazardAreaId))!;
  if (FINISHED_HAZARD_STATUSES.includes(hazard.status))
    throw new Conflict(`The hazard area is ${hazard.status}: no work can start on it.`, { hazardAreaStatus: hazard.status });
  if (hazard.status !== 'OPEN') return { writes: [], stats: [], remainingSqm: hazard.remainingSqm };
  const updated: HazardArea = { ...hazard, status: 'WORKED_ON', statusChangedAt: now, version: hazard.version + 1, updatedAt: now };
  const reason = `task ${task.id} started`;
  const write = hazardWrite(updated, hazard.version);
  const writes = [
    { ...write, onConditionFailed: () => new HttpProblem(409, 'conflict', 'Conflict', 'The hazard area changed at the same moment; send the request again.') },
    hazardHistoryWrite(hazard.id, historyEntry(principal, now, 'TRANSITION', { from: 'OPEN', to: 'WORKED_ON', reason })),
    outboxEvent(
      EventType.HazardAreaStatusChanged,
      { type: 'HazardArea', id: hazard.id },
      hazard.country,
      principal,
      {
        hazardAreaId: hazard.id,
        country: hazard.country,
        province: hazard.province,
        from: 'OPEN',
        to: 'WORKED_ON',
        reason,
        date: now.slice(0, 10),
      },
      now,
    ).write,
  ];
  return { writes, stats: [{ ...statsPlace(hazard), counters: moved('hazards', 'OPEN', 'WORKED_ON') }], remainingSqm: hazard.remainingSqm };
}
