import * as z from 'zod/mini';
import { newId } from '#shared/domain/ids.ts';
import { IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { Observation, ObservationCreate } from '#shared/domain/task.ts';
import { getObservation, listObservations, observationWrite } from '#shared/db/repositories/tasks.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, NotFound } from '#shared/http/problem.ts';
import { actorOf } from '#shared/domain/history.ts';
import { placeOf, TASK_READERS, visibleTask } from './task-scope.ts';

/** Field observations on a task, corrected by later ones, never edited. */
export function observationRoutes(api: Api): void {
  recordObservationRoute(api);
  listObservationsRoute(api);
}

function recordObservationRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/tasks/{id}/observations',
      operationId: 'recordObservation',
      summary: 'Record an ASEAN observer’s observation of a task',
      description:
        'Append-only: an observation recorded in error is corrected by a new one that names it in `corrects`. The findings go to both ministries ' +
        '(`ObservationRecorded`): they are about the work, not about people; write no names.',
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
      if (body.corrects && !(await getObservation(task.id, body.corrects)))
        throw new BadRequest('The corrected observation is not one of this task’s.', [
          { path: 'body.corrects', message: `no observation ${body.corrects} on task ${task.id}` },
        ]);
      const now = new Date().toISOString();
      const observation: Observation = {
        id: newId(),
        version: 1,
        createdAt: now,
        updatedAt: now,
        createdBy: principal.sub,
        taskId: task.id,
        ...body,
        recordedBy: actorOf(principal),
      };
      const response = { status: 201, id: observation.id, body: observation, headers: { Location: `/v1/tasks/${task.id}/observations` } };
      return commitCreate(
        c,
        [
          observationWrite(observation),
          outboxEvent(
            EventType.ObservationRecorded,
            { type: 'Task', id: task.id },
            task.country,
            principal,
            {
              observationId: observation.id,
              ...placeOf(task),
              observedAt: body.observedAt,
              findings: body.findings,
              compliance: body.compliance,
              ...(body.corrects ? { corrects: body.corrects } : {}),
            },
            now,
          ).write,
        ],
        response,
        idempotency,
      );
    },
  );
}

function listObservationsRoute(api: Api): void {
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
