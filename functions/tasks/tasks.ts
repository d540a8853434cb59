import * as z from 'zod/mini';
import { newId } from '#shared/domain/ids.ts';
import { Country, Id, IdParams, Page, PageQuery, named } from '#shared/domain/common.ts';
import { distanceToAreaM } from '#shared/domain/geometry.ts';
import { FINISHED_HAZARD_STATUSES, type HazardArea } from '#shared/domain/hazard-area.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { allowedTaskMoves, canSeeTask, FindDisposal, FindRecord, findId, FindReview, FIND_TOLERANCE_M, Observation, ObservationCreate, parseFindId, type Disposal, HistoryEntry, ProgressCreate, ProgressReport, Task, TASK_TRANSITIONS, TaskCreate, TaskPatch, TaskStatus, TaskTransition } from '#shared/domain/task.ts';
import { getHazardArea, hazardHistoryWrite, hazardWrite } from '#shared/db/repositories/hazard-areas.ts';
import { getTeam } from '#shared/db/repositories/teams.ts';
import { findStateWrite, getObservation, getProgress, getTask, listFindStates, listObservations, listProgress, listTaskHistory, listTasks, observationWrite, progressWrite, taskHistoryWrite, taskWrites, withFindStates, type FindState, type TaskListing } from '#shared/db/repositories/tasks.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { moved, statsWrites, type StatsChange, statsPlace } from '#shared/db/repositories/stats.ts';
import { monthlyStatsWrites } from '#shared/db/repositories/monthly-stats.ts';
import { addCounters, destroyedCounters, monthOf, type MonthlyCounters } from '#shared/domain/monthly.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { requireCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, Conflict, Forbidden, HttpProblem, NotFound, type FieldError } from '#shared/http/problem.ts';
import { checkVersion, StaleVersion } from '#shared/errors.ts';
import { actorOf, historyEntry } from '#shared/domain/history.ts';
import { DEMINING_READERS } from '#shared/domain/roles.ts';

const TASK_READERS = [...DEMINING_READERS, 'deminer'] as const;

const FindParams = z.object({ id: Id, findId: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}-\d{1,3}$/, 'must be a find id (<progressReportId>-<index>)')) });

/** A find as `GET /v1/tasks/{id}/finds` lists it: the find with its report's id and date. */
const FindView = named('Find', () => z.object({ ...FindRecord().shape, progressId: z.string(), reportDate: z.string() }));

/** A find of the task with what became of it since, or a 404. */
async function mustGetFind(task: Task, id: string) {
  const ref = parseFindId(id);
  const report = ref ? await getProgress(task.id, ref.progressId) : undefined;
  if (!ref || !report?.finds[ref.index]) throw new NotFound(`No find ${id} on task ${task.id}.`);
  const states = await listFindStates(task.id);
  const find = withFindStates(report, states).finds[ref.index]!;
  return { report, find, state: states.get(id) };
}

async function visibleTask(principal: Principal, id: string): Promise<Task> {
  const task = await getTask(id);
  // Not revealing tasks outside the caller's scope: the same 404 as for a missing one.
  if (!task || !canSeeTask(principal, task)) throw new NotFound(`No task ${id}.`);
  return task;
}


const placeOf = (t: Task) => ({ taskId: t.id, hazardAreaId: t.hazardAreaId, country: t.country, province: t.province });

export function registerTasks(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/tasks',
      operationId: 'createTask',
      example: { hazardAreaId: '01JD3V0M8Q8ZK5Y4W1H2C6N9TA', activityType: 'CLEARANCE', priority: 1, joint: true, teamIds: ['01JD3V0M8Q8ZK5Y4W1H2C6N9TB', '01JD3V0M8Q8ZK5Y4W1H2C6N9TC'], plannedStart: '2026-01-12', plannedEnd: '2026-02-20' },
      summary: 'Plan a de-mining task on a hazard area',
      description:
        'A joint task (`joint: true`) has teams of both countries; any other task only teams of the hazard area’s country, which must be the operations user’s own. Teams must exist and be active.',
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
      if (FINISHED_HAZARD_STATUSES.includes(hazard.status)) throw new Conflict(`The hazard area is ${hazard.status}: no new task can be planned on it.`, { hazardAreaStatus: hazard.status });
      // Either country's operations may plan a joint task; a national one only on its own land.
      if (principal.role === 'operations' && !body.joint) requireCountry(principal, hazard.country, 'plan national tasks on hazard areas');
      const teams = await Promise.all(body.teamIds.map((id) => getTeam(id)));
      const errors: FieldError[] = [];
      teams.forEach((team, i) => {
        const path = `body.teamIds.${i}`;
        if (!team) errors.push({ path, message: 'no such team' });
        else if (!team.active) errors.push({ path, message: 'the team is stood down (inactive)' });
        else if (!body.joint && team.country !== hazard.country) errors.push({ path, message: `a national task takes teams of ${hazard.country} only; set joint: true for a joint task` });
      });
      if (errors.length) throw new BadRequest('Some teams cannot be assigned to this task.', errors);
      const countries = [...new Set(teams.map((t) => t!.country))].sort() as ('KH' | 'TH')[];
      if (body.joint && countries.length < 2) throw new BadRequest('A joint task needs teams of both countries.', [{ path: 'body.teamIds', message: 'teams of both KH and TH are required for a joint task' }]);

      const now = new Date().toISOString();
      const task: Task = {
        id: newId(),
        version: 1,
        createdAt: now,
        updatedAt: now,
        createdBy: principal.sub,
        hazardAreaId: hazard.id,
        country: hazard.country,
        countries: body.joint ? ['KH', 'TH'] : [hazard.country],
        province: hazard.province,
        ...(hazard.adm2 ? { adm2: hazard.adm2 } : {}),
        activityType: body.activityType,
        priority: body.priority,
        joint: body.joint,
        teamIds: body.teamIds,
        plannedStart: body.plannedStart,
        plannedEnd: body.plannedEnd,
        ...(body.notes ? { notes: body.notes } : {}),
        status: 'PLANNED',
        statusChangedAt: now,
        areaClearedSqm: 0,
        ordnanceFound: 0,
        progressReports: 0,
      };
      const created = outboxEvent(EventType.TaskCreated, { type: 'Task', id: task.id }, task.country, principal, {
        ...placeOf(task),
        activityType: task.activityType,
        joint: task.joint,
        teamIds: task.teamIds,
        plannedStart: task.plannedStart,
        plannedEnd: task.plannedEnd,
      }, now);
      const response = { status: 201, id: task.id, body: task, headers: { ETag: etagOf(1), Location: `/v1/tasks/${task.id}` } };
      return commitCreate(c, [
        ...taskWrites(task, 'new'),
        taskHistoryWrite(task.id, historyEntry(principal, now, 'CREATED', { to: 'PLANNED' })),
        created.write,
        ...statsWrites([{ ...statsPlace(task), counters: moved('tasks', null, 'PLANNED') }]),
      ], response, idempotency);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/tasks',
      operationId: 'listTasks',
      summary: 'List tasks of a team, a province, a country or a hazard area, optionally of one status',
      description:
        'Name one of `team`, `province`, `country`, `hazardArea` (with `status` if you like). Deminers always get their own team’s tasks; operations users their country’s, joint ones included (the default).',
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
        throw new BadRequest('Name one of team, province, country or hazardArea (status may be combined with any).', named.map((k) => ({ path: `query.${k}`, message: 'only one list filter at a time' })));
      }
      let listing: TaskListing;
      if (principal.role === 'deminer') {
        if (query.team && query.team !== principal.team) throw new Forbidden('A deminer lists only its own team’s tasks.');
        listing = { by: 'team', teamId: principal.team! };
      } else if (query.team) {
        if (principal.role === 'operations') {
          const team = await getTeam(query.team);
          if (!team || team.country !== principal.country) throw new Forbidden('Operations users list the tasks of their own country’s teams; use ?country= for joint tasks.');
        }
        listing = { by: 'team', teamId: query.team };
      } else if (query.province) {
        if (principal.role === 'operations' && !query.province.startsWith(principal.country!)) throw new Forbidden('Operations users list tasks of their own country’s provinces.');
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
      if (task.status === 'COMPLETED' || task.status === 'CANCELLED') throw new Conflict(`A ${task.status} task can no longer be changed.`, { currentStatus: task.status });
      const updated: Task = { ...task, ...body, version: task.version + 1, updatedAt: new Date().toISOString() };
      if (updated.plannedEnd < updated.plannedStart) throw new BadRequest('The planned end would fall before the planned start.', [{ path: 'body.plannedEnd', message: 'must not be before plannedStart' }]);
      const changes = Object.fromEntries(Object.keys(body).map((k) => [k, { from: task[k as keyof Task], to: updated[k as keyof Task] }]));
      await transact([...taskWrites(updated, expectedVersion), taskHistoryWrite(task.id, historyEntry(principal, updated.updatedAt, 'UPDATED', { changes }))]);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/transitions',
      operationId: 'transitionTask',
      summary: 'Move a task through its lifecycle',
      description:
        'PLANNED → ASSIGNED → IN_PROGRESS ⇄ SUSPENDED → COMPLETED, and CANCELLED before completion. Suspending and cancelling need a reason. Deminers move only their own team’s tasks. A refused move is a 409 that lists the moves allowed from the current status. Starting the first task on an OPEN hazard area moves the area to WORKED_ON.',
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
        throw new Conflict(`A task cannot move from ${task.status} to ${body.to}${move ? ` by a ${principal.role}` : ''}.`, { currentStatus: task.status, allowedTransitions: allowedTaskMoves(task.status, principal.role) });
      }
      if (move.reasonRequired && !body.reason) throw new BadRequest(`Moving a task to ${body.to} needs a reason.`, [{ path: 'body.reason', message: 'required for this move' }]);

      const now = new Date().toISOString();
      const updated: Task = { ...task, status: body.to, statusChangedAt: now, version: task.version + 1, updatedAt: now };
      if (body.reason) updated.statusReason = body.reason;
      else delete updated.statusReason;
      // The reason is free text typed by a person: it stays in the task's history, out of the event both ministries receive.
      // Made first: the feed orders events by id, and the task's move comes before what it causes.
      const statusChanged = outboxEvent(EventType.TaskStatusChanged, { type: 'Task', id: task.id }, task.country, principal, { ...placeOf(task), from: task.status, to: body.to, ...(body.reason ? { reasonGiven: true } : {}) }, now);
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
        taskHistoryWrite(task.id, historyEntry(principal, now, 'TRANSITION', { from: task.status, to: body.to, ...(body.reason ? { reason: body.reason } : {}) })),
        statusChanged.write,
        ...hazardWrites,
      ];
      if (body.to === 'ASSIGNED') {
        writes.push(outboxEvent(EventType.TaskAssigned, { type: 'Task', id: task.id }, task.country, principal, { ...placeOf(task), teamIds: task.teamIds }, now).write);
      }
      await transact([...writes, ...statsWrites(stats)]);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/progress',
      operationId: 'reportProgress',
      summary: 'File a progress report: area cleared and explosive ordnance found',
      description: `Append-only, no If-Match. Only for a task IN_PROGRESS. A find more than ${FIND_TOLERANCE_M} m outside the hazard area is refused unless it carries acceptOutsideHazardArea: true; it is then marked for review.`,
      tag: 'Tasks',
      access: ['deminer', 'operations', 'admin'],
      params: IdParams,
      body: ProgressCreate,
      idempotent: true,
      reread: async (_c, { principal, params }, id) => {
        const task = await visibleTask(principal, params.id);
        const report = await getProgress(task.id, id);
        if (!report) throw new NotFound(`No progress report ${id} of task ${task.id}.`);
        return { body: withFindStates(report, await listFindStates(task.id)) };
      },
      responses: { 201: { description: 'The progress report', schema: ProgressReport }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body, idempotency }) => {
      // No If-Match: a concurrent change to the task is retried here rather than refused.
      for (let attempt = 0; ; attempt++) {
        const task = await visibleTask(principal, params.id);
        if (task.status !== 'IN_PROGRESS') throw new Conflict(`Progress is reported on a task IN_PROGRESS; this one is ${task.status}.`, { currentStatus: task.status });
        const hazard = (await getHazardArea(task.hazardAreaId))!;
        checkPlausible(task, hazard, body);
        const report = buildProgress(task, hazard, body, principal);
        const found = report.finds.reduce((n, f) => n + f.quantity, 0);
        const outside = report.finds.filter((f) => f.reviewRequired).length;
        const updated: Task = {
          ...task,
          version: task.version + 1,
          updatedAt: report.createdAt,
          areaClearedSqm: task.areaClearedSqm + report.areaClearedSqm,
          ordnanceFound: task.ordnanceFound + found,
          progressReports: task.progressReports + 1,
          ...(outside > 0 ? { findsAwaitingReview: (task.findsAwaitingReview ?? 0) + outside } : {}),
        };
        const writes: GuardedWrite[] = [
          progressWrite(report),
          ...taskWrites(updated, task.version),
          taskHistoryWrite(task.id, historyEntry(principal, report.createdAt, 'PROGRESS', { progressId: report.id, changes: { areaClearedSqm: report.areaClearedSqm, ordnanceFound: found } })),
        ];
        const eo: Record<string, number> = {};
        for (const f of report.finds) addFindCounters(eo, f.category, f.disposal, f.quantity);
        writes.push(...statsWrites([{ ...statsPlace(task), counters: eo }]));
        // The monthly report counts ordnance destroyed in the month of the report's date.
        const destroyed = report.finds.reduce((c, f) => addCounters(c, destroyedCounters(f.category, f.disposal, f.quantity)), {} as MonthlyCounters);
        writes.push(...monthlyStatsWrites([{ country: task.country, province: task.province, month: monthOf(report.reportDate), counters: destroyed }]));
        if (report.finds.length > 0) {
          writes.push(
            outboxEvent(EventType.OrdnanceFound, { type: 'Task', id: task.id }, task.country, principal, {
              ...placeOf(task),
              progressId: report.id,
              finds: report.finds.map((f) => ({ id: f.id, category: f.category, ...(f.model ? { model: f.model } : {}), quantity: f.quantity, reviewRequired: f.reviewRequired, disposal: f.disposal })),
            }, report.createdAt).write,
          );
        }
        const response = { status: 201, id: report.id, body: report, headers: { Location: `/v1/tasks/${task.id}/progress` } };
        try {
          return await commitCreate(c, writes, response, idempotency);
        } catch (e: unknown) {
          if (!(e instanceof StaleVersion) || attempt >= 4) throw e;
        }
      }
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/tasks/{id}/progress',
      operationId: 'listProgress',
      summary: 'Progress reports of a task, oldest first',
      tag: 'Tasks',
      access: TASK_READERS,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of progress reports', schema: Page(ProgressReport) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      await visibleTask(principal, params.id);
      return c.json(await listProgress(params.id, { limit: query.limit, cursor: query.cursor }));
    },
  );

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

  api.route(
    {
      method: 'get',
      path: '/v1/tasks/{id}/finds',
      operationId: 'listFinds',
      summary: 'The explosive ordnance found on a task, as it is now (review and disposal)',
      description: 'A page holds the finds of up to `limit` progress reports, oldest first. Each find has its id, whether it lay outside the hazard area (`reviewRequired`) and QA’s review of it, and its latest `disposal`.',
      tag: 'Tasks',
      access: TASK_READERS,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of finds', schema: Page(FindView) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      await visibleTask(principal, params.id);
      const page = await listProgress(params.id, { limit: query.limit, cursor: query.cursor });
      return c.json({ items: page.items.flatMap((r) => r.finds.map((f) => ({ ...f, progressId: r.id, reportDate: r.reportDate }))), next: page.next });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/finds/{findId}/review',
      operationId: 'reviewFind',
      summary: 'Review a find that lay outside the hazard area (QA)',
      description: 'By QA of the task’s country (either country for a joint task) or an admin, once per find. The task’s completion report cannot be accepted while a find outside the hazard area awaits review.',
      tag: 'Tasks',
      access: ['qa', 'admin'],
      params: FindParams,
      body: FindReview,
      responses: { 200: { description: 'The find as reviewed', schema: FindView }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body }) => {
      const task = await visibleTask(principal, params.id);
      if (principal.role === 'qa' && !task.countries.includes(principal.country!)) throw new Forbidden(`QA of ${principal.country} review the finds of their own country’s and joint tasks.`);
      const { report, find, state } = await mustGetFind(task, params.findId);
      if (!find.reviewRequired) throw new Conflict('This find lay within the hazard area: it needs no review.');
      if (state?.review) throw new Conflict(`This find was already reviewed (${state.review.decision}).`, { review: state.review.decision });
      const now = new Date().toISOString();
      const review = { decision: body.decision, comment: body.comment, reviewedAt: now, reviewedBy: actorOf(principal) };
      const next: FindState = { findId: params.findId, ...(state?.disposal ? { disposal: state.disposal } : {}), review, version: (state?.version ?? 0) + 1 };
      const updated: Task = { ...task, findsAwaitingReview: Math.max(0, (task.findsAwaitingReview ?? 0) - 1), version: task.version + 1, updatedAt: now };
      await transact([
        { ...findStateWrite(task.id, next), onConditionFailed: () => new Conflict('The find changed at the same moment: read it again.') },
        ...taskWrites(updated, task.version),
        taskHistoryWrite(task.id, historyEntry(principal, now, 'UPDATED', { changes: { findReview: { findId: params.findId, decision: body.decision } } })),
      ]);
      return c.json({ ...find, ...(next.disposal ? { disposal: next.disposal } : {}), review, progressId: report.id, reportDate: report.reportDate });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/finds/{findId}/disposal',
      operationId: 'recordFindDisposal',
      summary: 'Record what became of a find (destroyed in situ, removed for destruction, rendered safe, not disposed)',
      description: 'By the task’s deminers, operations of its countries, or an admin; may be changed later as the ordnance is dealt with. Statistics count as destroyed only DESTROYED_IN_SITU and show the other disposals apart.',
      tag: 'Tasks',
      access: ['deminer', 'operations', 'admin'],
      params: FindParams,
      body: FindDisposal,
      responses: { 200: { description: 'The find with its disposal', schema: FindView }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body }) => {
      const task = await visibleTask(principal, params.id);
      const { report, find, state } = await mustGetFind(task, params.findId);
      const now = new Date().toISOString();
      const next: FindState = { findId: params.findId, disposal: body.disposal, ...(state?.review ? { review: state.review } : {}), version: (state?.version ?? 0) + 1 };
      const counters: Record<string, number> = {};
      addFindCounters(counters, find.category, find.disposal, -find.quantity);
      addFindCounters(counters, find.category, body.disposal, find.quantity);
      await transact([
        { ...findStateWrite(task.id, next), onConditionFailed: () => new Conflict('The find changed at the same moment: read it again.') },
        taskHistoryWrite(task.id, historyEntry(principal, now, 'UPDATED', { changes: { findDisposal: { findId: params.findId, from: find.disposal, to: body.disposal } } })),
        ...statsWrites([{ ...statsPlace(task), counters }]),
        ...monthlyStatsWrites([
          {
            country: task.country,
            province: task.province,
            month: monthOf(report.reportDate),
            counters: addCounters(destroyedCounters(find.category, find.disposal, -find.quantity), destroyedCounters(find.category, body.disposal, find.quantity)),
          },
        ]),
      ]);
      return c.json({ ...find, disposal: body.disposal, ...(next.review ? { review: next.review } : {}), progressId: report.id, reportDate: report.reportDate });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/observations',
      operationId: 'recordObservation',
      summary: 'Record an ASEAN observer’s observation of a task',
      description: 'Append-only: an observation recorded in error is corrected by a new one that names it in `corrects`. The findings go to both ministries (`ObservationRecorded`): they are about the work, not about people; write no names.',
      tag: 'Tasks',
      access: ['observer', 'admin'],
      params: IdParams,
      body: ObservationCreate,
      idempotent: true,
      reread: async (_c, { principal, params }, id) => {
        const task = await visibleTask(principal, params.id);
        const observation = await getObservation(task.id, id);
        if (!observation) throw new NotFound(`No observation ${id} of task ${task.id}.`);
        return { body: observation };
      },
      responses: { 201: { description: 'The observation', schema: Observation }, 404: problem },
    },
    async (c, { principal, params, body, idempotency }) => {
      const task = await visibleTask(principal, params.id);
      if (body.corrects && !(await getObservation(task.id, body.corrects))) throw new BadRequest('The corrected observation is not one of this task’s.', [{ path: 'body.corrects', message: `no observation ${body.corrects} on task ${task.id}` }]);
      const now = new Date().toISOString();
      const observation: Observation = { id: newId(), version: 1, createdAt: now, updatedAt: now, createdBy: principal.sub, taskId: task.id, ...body, recordedBy: actorOf(principal) };
      const response = { status: 201, id: observation.id, body: observation, headers: { Location: `/v1/tasks/${task.id}/observations` } };
      return commitCreate(c, [
        observationWrite(observation),
        outboxEvent(EventType.ObservationRecorded, { type: 'Task', id: task.id }, task.country, principal, {
          observationId: observation.id,
          ...placeOf(task),
          observedAt: body.observedAt,
          findings: body.findings,
          compliance: body.compliance,
          ...(body.corrects ? { corrects: body.corrects } : {}),
        }, now).write,
      ], response, idempotency);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/tasks/{id}/observations',
      operationId: 'listObservations',
      summary: 'The observations of a task, oldest first',
      tag: 'Tasks',
      access: TASK_READERS,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of observations', schema: Page(Observation) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      await visibleTask(principal, params.id);
      return c.json(await listObservations(params.id, { limit: query.limit, cursor: query.cursor }));
    },
  );
}

/** The first task to start on an OPEN hazard area moves the area to WORKED_ON, in the same transaction. */
async function startHazardWork(task: Task, principal: Principal, now: string): Promise<{ writes: GuardedWrite[]; stats: StatsChange[]; remainingSqm: number }> {
  const hazard = (await getHazardArea(task.hazardAreaId))!;
  if (FINISHED_HAZARD_STATUSES.includes(hazard.status)) throw new Conflict(`The hazard area is ${hazard.status}: no work can start on it.`, { hazardAreaStatus: hazard.status });
  if (hazard.status !== 'OPEN') return { writes: [], stats: [], remainingSqm: hazard.remainingSqm };
  const updated: HazardArea = { ...hazard, status: 'WORKED_ON', statusChangedAt: now, version: hazard.version + 1, updatedAt: now };
  const reason = `task ${task.id} started`;
  const write = hazardWrite(updated, hazard.version);
  const writes = [
    { ...write, onConditionFailed: () => new HttpProblem(409, 'conflict', 'Conflict', 'The hazard area changed at the same moment; send the request again.') },
    hazardHistoryWrite(hazard.id, historyEntry(principal, now, 'TRANSITION', { from: 'OPEN', to: 'WORKED_ON', reason })),
    outboxEvent(EventType.HazardAreaStatusChanged, { type: 'HazardArea', id: hazard.id }, hazard.country, principal, {
      hazardAreaId: hazard.id,
      country: hazard.country,
      province: hazard.province,
      from: 'OPEN',
      to: 'WORKED_ON',
      reason,
      date: now.slice(0, 10),
    }, now).write,
  ];
  return { writes, stats: [{ ...statsPlace(hazard), counters: moved('hazards', 'OPEN', 'WORKED_ON') }], remainingSqm: hazard.remainingSqm };
}

/**
 * Progress a team could have made: dated on or after the task first started (and not in the
 * future, which the schema checks with a day of clock skew), and adding up to no more than the
 * hazard area had left when the task started.
 */
function checkPlausible(task: Task, hazard: HazardArea, body: ProgressCreate): void {
  const errors: FieldError[] = [];
  const startedOn = (task.startedAt ?? task.statusChangedAt).slice(0, 10);
  if (body.reportDate < startedOn) errors.push({ path: 'body.reportDate', message: `must not be before the task started (${startedOn})` });
  const cap = task.remainingSqmAtStart ?? hazard.remainingSqm;
  const total = task.areaClearedSqm + body.areaClearedSqm;
  if (total > cap) errors.push({ path: 'body.areaClearedSqm', message: `would bring the task to ${Math.round(total)} m², more than the ${Math.round(cap)} m² of the hazard area that remained when it started` });
  if (errors.length) throw new BadRequest('The progress report is not plausible for this task.', errors);
}

/** Statistics of finds: every find by category, each disposal by quantity, and as destroyed only what was destroyed in situ. */
export function addFindCounters(counters: Record<string, number>, category: string, disposal: Disposal, quantity: number): void {
  const add = (k: string, n: number) => (counters[k] = (counters[k] ?? 0) + n);
  add(`eofound_${category}`, quantity);
  add(`eodisp_${disposal}`, quantity);
  if (disposal === 'DESTROYED_IN_SITU') add(`eod_${category}`, quantity);
}

function buildProgress(task: Task, hazard: HazardArea, body: ProgressCreate, principal: Principal): ProgressReport {
  const errors: FieldError[] = [];
  const id = newId();
  const finds = body.finds.map((f, i) => {
    const distance = Math.round(distanceToAreaM(f.position, hazard.geometry));
    const outside = distance > FIND_TOLERANCE_M;
    if (outside && !f.acceptOutsideHazardArea) {
      errors.push({ path: `body.finds.${i}.position`, message: `${distance} m outside the hazard area (tolerance ${FIND_TOLERANCE_M} m); check the position, or set acceptOutsideHazardArea: true to record it for review` });
    }
    const { acceptOutsideHazardArea: _flag, ...find } = f;
    return { ...find, id: findId(id, i), distanceOutsideHazardAreaM: distance, reviewRequired: outside };
  });
  if (errors.length) throw new BadRequest('Some finds lie outside the hazard area.', errors);
  const now = new Date().toISOString();
  return {
    id,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: principal.sub,
    taskId: task.id,
    reportDate: body.reportDate,
    areaClearedSqm: body.areaClearedSqm,
    finds,
    ...(body.notes ? { notes: body.notes } : {}),
  };
}
