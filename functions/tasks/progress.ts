import * as z from 'zod/mini';
import { newId } from '#shared/domain/ids.ts';
import { IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { distanceToAreaM } from '#shared/domain/geometry.ts';
import type { HazardArea } from '#shared/domain/hazard-area.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { addFindCounters, findId, FIND_TOLERANCE_M, ProgressCreate, ProgressReport, type Task } from '#shared/domain/task.ts';
import { getHazardArea } from '#shared/db/repositories/hazard-areas.ts';
import { getProgress, listFindStates, listProgress, progressWrite, taskHistoryWrite, taskWrites, withFindStates } from '#shared/db/repositories/tasks.ts';
import type { GuardedWrite } from '#shared/db/transact.ts';
import { statsWrites, statsPlace } from '#shared/db/repositories/stats.ts';
import { monthlyStatsWrites } from '#shared/db/repositories/monthly-stats.ts';
import { addCounters, destroyedCounters, monthOf, type MonthlyCounters } from '#shared/domain/monthly.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, Conflict, NotFound, type FieldError } from '#shared/http/problem.ts';
import { StaleVersion } from '#shared/errors.ts';
import { historyEntry } from '#shared/domain/history.ts';
import { placeOf, TASK_READERS, visibleTask } from './task-scope.ts';

/** A task's progress reports: the area cleared and the finds, as the team reports them. */
export function progressRoutes(api: Api): void {
  reportProgressRoute(api);
  listProgressRoute(api);
}

function reportProgressRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/progress',
      operationId: 'reportProgress',
      summary: 'File a progress report: area cleared and explosive ordnance found',
      description:
        `Append-only, no If-Match. Only for a task IN_PROGRESS. A find more than ${FIND_TOLERANCE_M} m outside the hazard area is refused unless ` +
        `it carries acceptOutsideHazardArea: true; it is then marked for review.`,
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
        if (task.status !== 'IN_PROGRESS')
          throw new Conflict(`Progress is reported on a task IN_PROGRESS; this one is ${task.status}.`, { currentStatus: task.status });
        const hazard = (await getHazardArea(task.hazardAreaId))!;
        checkPlausible(task, hazard, body);
        const report = buildProgress(task, hazard, body, principal);
        const writes = progressWrites(task, report, principal);
        const response = { status: 201, id: report.id, body: report, headers: { Location: `/v1/tasks/${task.id}/progress` } };
        try {
          return await commitCreate(c, writes, response, idempotency);
        } catch (e: unknown) {
          if (!(e instanceof StaleVersion) || attempt >= 4) throw e;
        }
      }
    },
  );
}

/**
 * What a report writes with the task: the report, the task's running totals and history, the
 * ordnance counters (all-time and of the report's month), and `OrdnanceFound` when it has finds.
 */
function progressWrites(task: Task, report: ProgressReport, principal: Principal): GuardedWrite[] {
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
    taskHistoryWrite(
      task.id,
      historyEntry(principal, report.createdAt, 'PROGRESS', {
        progressId: report.id,
        changes: { areaClearedSqm: report.areaClearedSqm, ordnanceFound: found },
      }),
    ),
  ];
  const eo: Record<string, number> = {};
  for (const f of report.finds) addFindCounters(eo, f.category, f.disposal, f.quantity);
  writes.push(...statsWrites([{ ...statsPlace(task), counters: eo }]));
  // The monthly report counts ordnance destroyed in the month of the report's date.
  const destroyed = report.finds.reduce((c, f) => addCounters(c, destroyedCounters(f.category, f.disposal, f.quantity)), {} as MonthlyCounters);
  writes.push(...monthlyStatsWrites([{ country: task.country, province: task.province, month: monthOf(report.reportDate), counters: destroyed }]));
  if (report.finds.length > 0) {
    writes.push(
      outboxEvent(
        EventType.OrdnanceFound,
        { type: 'Task', id: task.id },
        task.country,
        principal,
        {
          ...placeOf(task),
          progressId: report.id,
          finds: report.finds.map((f) => ({
            id: f.id,
            category: f.category,
            ...(f.model ? { model: f.model } : {}),
            quantity: f.quantity,
            reviewRequired: f.reviewRequired,
            disposal: f.disposal,
          })),
        },
        report.createdAt,
      ).write,
    );
  }
  return writes;
}

function listProgressRoute(api: Api): void {
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
  if (total > cap)
    errors.push({
      path: 'body.areaClearedSqm',
      message: `would bring the task to ${Math.round(total)} m², more than the ${Math.round(cap)} m² of the hazard area that remained when it started`,
    });
  if (errors.length) throw new BadRequest('The progress report is not plausible for this task.', errors);
}

function buildProgress(task: Task, hazard: HazardArea, body: ProgressCreate, principal: Principal): ProgressReport {
  const errors: FieldError[] = [];
  const id = newId();
  const finds = body.finds.map((f, i) => {
    const distance = Math.round(distanceToAreaM(f.position, hazard.geometry));
    const outside = distance > FIND_TOLERANCE_M;
    if (outside && !f.acceptOutsideHazardArea) {
      errors.push({
        path: `body.finds.${i}.position`,
        message:
          `${distance} m outside the hazard area (tolerance ${FIND_TOLERANCE_M} m); check ` +
          `the position, or set acceptOutsideHazardArea: true to record it for review`,
      });
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
