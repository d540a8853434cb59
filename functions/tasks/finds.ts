import * as z from 'zod/mini';
import { Id, IdParams, Page, PageQuery, named } from '#shared/domain/common.ts';
import { addFindCounters, FindDisposal, FindRecord, FindReview, parseFindId, type Task } from '#shared/domain/task.ts';
import {
  findStateWrite,
  getProgress,
  listFindStates,
  listProgress,
  taskHistoryWrite,
  taskWrites,
  withFindStates,
  type FindState,
} from '#shared/db/repositories/tasks.ts';
import { transact } from '#shared/db/transact.ts';
import { statsWrites, statsPlace } from '#shared/db/repositories/stats.ts';
import { monthlyStatsWrites } from '#shared/db/repositories/monthly-stats.ts';
import { addCounters, destroyedCounters, monthOf } from '#shared/domain/monthly.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { Conflict, Forbidden, NotFound } from '#shared/http/problem.ts';
import { actorOf, historyEntry } from '#shared/domain/history.ts';
import { TASK_READERS, visibleTask } from './task-scope.ts';

/** The finds of a task's reports: listed, reviewed when outside the hazard area, and their disposal recorded. */
export function findRoutes(api: Api): void {
  listFindsRoute(api);
  reviewFindRoute(api);
  recordFindDisposalRoute(api);
}

const FindParams = z.object({
  id: Id,
  findId: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}-\d{1,3}$/, 'must be a find id (<progressReportId>-<index>)')),
});

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

function listFindsRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/tasks/{id}/finds',
      operationId: 'listFinds',
      summary: 'The explosive ordnance found on a task, as it is now (review and disposal)',
      description:
        'A page holds the finds of up to `limit` progress reports, oldest first. Each find has its id, whether it lay outside the hazard area ' +
        '(`reviewRequired`) and QA’s review of it, and its latest `disposal`.',
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
}

function reviewFindRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/finds/{findId}/review',
      operationId: 'reviewFind',
      summary: 'Review a find that lay outside the hazard area (QA)',
      description:
        'By QA of the task’s country (either country for a joint task) or an admin, once per find. The task’s completion report cannot be accepted while a ' +
        'find outside the hazard area awaits review.',
      tag: 'Tasks',
      access: ['qa', 'admin'],
      params: FindParams,
      body: FindReview,
      responses: { 200: { description: 'The find as reviewed', schema: FindView }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body }) => {
      const task = await visibleTask(principal, params.id);
      if (principal.role === 'qa' && !task.countries.includes(principal.country!))
        throw new Forbidden(`QA of ${principal.country} review the finds of their own country’s and joint tasks.`);
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
}

function recordFindDisposalRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/finds/{findId}/disposal',
      operationId: 'recordFindDisposal',
      summary: 'Record what became of a find (destroyed in situ, removed for destruction, rendered safe, not disposed)',
      description:
        'By the task’s deminers, operations of its countries, or an admin; may be changed later as the ordnance is dealt with. Statistics count as ' +
        'destroyed only DESTROYED_IN_SITU and show the other disposals apart.',
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
      const next: FindState = {
        findId: params.findId,
        disposal: body.disposal,
        ...(state?.review ? { review: state.review } : {}),
        version: (state?.version ?? 0) + 1,
      };
      const counters: Record<string, number> = {};
      addFindCounters(counters, find.category, find.disposal, -find.quantity);
      addFindCounters(counters, find.category, body.disposal, find.quantity);
      await transact([
        { ...findStateWrite(task.id, next), onConditionFailed: () => new Conflict('The find changed at the same moment: read it again.') },
        taskHistoryWrite(
          task.id,
          historyEntry(principal, now, 'UPDATED', { changes: { findDisposal: { findId: params.findId, from: find.disposal, to: body.disposal } } }),
        ),
        ...statsWrites([{ ...statsPlace(task), counters }]),
        ...monthlyStatsWrites([
          {
            country: task.country,
            province: task.province,
            month: monthOf(report.reportDate),
            counters: addCounters(
              destroyedCounters(find.category, find.disposal, -find.quantity),
              destroyedCounters(find.category, body.disposal, find.quantity),
            ),
          },
        ]),
      ]);
      return c.json({
        ...find,
        disposal: body.disposal,
        ...(next.review ? { review: next.review } : {}),
        progressId: report.id,
        reportDate: report.reportDate,
      });
    },
  );
}
