import * as z from 'zod/mini';
import { newId } from '#shared/domain/ids.ts';
import { Country, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { areaSqm } from '#shared/domain/geometry.ts';
import { allowedHazardMoves, HazardArea, HazardAreaCreate, HazardAreaPatch, HazardStatus, HazardTransition } from '#shared/domain/hazard-area.ts';
import { isProvinceOf } from '#shared/domain/provinces.ts';
import { HistoryEntry, Task, TaskStatus } from '#shared/domain/task.ts';
import { getHazardArea, hazardHistoryWrite, hazardWrite, listHazardAreaHistory, listHazardAreasOfCountry, listHazardAreasOfProvince } from '#shared/db/repositories/hazard-areas.ts';
import { listTasks } from '#shared/db/repositories/tasks.ts';
import { moved, statsWrites } from '#shared/db/repositories/stats.ts';
import { transact } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { requireCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, Conflict, NotFound, PreconditionFailed } from '#shared/http/problem.ts';
import { historyEntry } from '#shared/domain/history.ts';
import { DEMINING_READERS } from '#shared/domain/roles.ts';
import { HouseholdSummarySchema } from '#shared/domain/household.ts';
import { MAX_HAZARD_CELLS } from '#shared/domain/return-safety.ts';
import { hazardCellCount, hazardCellWrites, hazardCellWritesOnChange, listHouseholdsAtRisk, recomputeAfterHazardChange, recomputeForHazardArea } from '#shared/db/repositories/return-safety.ts';

async function mustGet(id: string): Promise<HazardArea> {
  const hazard = await getHazardArea(id);
  if (!hazard) throw new NotFound(`No hazard area ${id}.`);
  return hazard;
}

/** What `POST /v1/hazard-areas/{id}/return-safety-checks` did (`RecomputeResult`): counts only. */
const ReturnSafetyCheck = z.object({
  hazardAreaId: z.string(),
  /** Cells of the return-safety index the area covers. */
  cells: z.number(),
  /** Households in those cells whose stored safety differed from the rule's answer. */
  candidates: z.number(),
  /** Households rewritten (with a ReturnSafetyChanged event each). */
  changed: z.number(),
});

const defaultReference = (country: string, at: string, id: string) => `HA-${country}-${at.slice(0, 4)}-${id.slice(-6)}`;

export function registerHazardAreas(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/hazard-areas',
      operationId: 'recordHazardArea',
      summary: 'Record a suspected or confirmed hazard area',
      description: 'The server computes the geodesic area (m²) from the validated GeoJSON geometry. Operations users record areas of their own country.',
      tag: 'Hazard areas',
      access: ['operations', 'admin'],
      body: HazardAreaCreate,
      idempotent: true,
      reread: async (_c, _input, id) => {
        const hazard = await mustGet(id);
        return { body: hazard, version: hazard.version };
      },
      responses: { 201: { description: 'The hazard area', schema: HazardArea }, 400: problem, 401: problem, 403: problem, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      requireCountry(principal, body.country, 'record hazard areas');
      if (hazardCellCount(body.geometry) > MAX_HAZARD_CELLS) throw new BadRequest(`The geometry spreads over more than ${MAX_HAZARD_CELLS} cells of the return-safety index (about 39 km across): record it as several hazard areas.`, [{ path: 'body.geometry', message: 'too large an extent for one hazard area' }]);
      const now = new Date().toISOString();
      const id = newId();
      const sqm = areaSqm(body.geometry);
      const hazard: HazardArea = {
        ...body,
        id,
        reference: body.reference ?? defaultReference(body.country, now, id),
        version: 1,
        createdAt: now,
        updatedAt: now,
        createdBy: principal.sub,
        areaSqm: sqm,
        remainingSqm: sqm,
        status: 'OPEN',
        statusChangedAt: now,
      };
      const recorded = outboxEvent(EventType.HazardAreaRecorded, { type: 'HazardArea', id }, hazard.country, principal, {
        hazardAreaId: id,
        country: hazard.country,
        province: hazard.province,
        classification: hazard.classification,
        areaSqm: sqm,
        contested: hazard.contested,
        categories: [...new Set(hazard.contamination.map((c) => c.category))],
      }, now);
      const response = { status: 201, id, body: hazard, headers: { ETag: etagOf(1), Location: `/v1/hazard-areas/${id}` } };
      const created = await commitCreate(c, [
        hazardWrite(hazard, 'new'),
        ...hazardCellWrites(hazard),
        hazardHistoryWrite(id, historyEntry(principal, now, 'CREATED', { to: 'OPEN', reason: `recorded (information of ${hazard.dateOfInformation})` })),
        recorded.write,
        ...statsWrites([{ country: hazard.country, province: hazard.province, counters: moved('hazards', null, 'OPEN') }]),
      ], response, idempotency);
      await recomputeAfterHazardChange(id, principal);
      return created;
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/hazard-areas',
      operationId: 'listHazardAreas',
      summary: 'List hazard areas of a province or a country, optionally of one status',
      description: 'Name `province`, or `country` (national roles default to their own). Sorted by status, then oldest first.',
      tag: 'Hazard areas',
      access: DEMINING_READERS,
      query: z.object({ country: z.optional(Country), province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))), status: z.optional(HazardStatus), ...PageQuery }),
      responses: { 200: { description: 'A page of hazard areas', schema: Page(HazardArea) }, 400: problem, 401: problem, 403: problem },
    },
    async (c, { principal, query }) => {
      const page = { limit: query.limit, cursor: query.cursor };
      if (query.province) {
        if (query.country && !isProvinceOf(query.province, query.country)) throw new BadRequest('The province is not in that country.', [{ path: 'query.province', message: `not a province of ${query.country}` }]);
        return c.json(await listHazardAreasOfProvince(query.province, query.status, page));
      }
      const country = query.country ?? principal.country;
      if (!country) throw new BadRequest('Name a country or a province to list hazard areas.', [{ path: 'query.country', message: 'required without province' }]);
      return c.json(await listHazardAreasOfCountry(country, query.status, page));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/hazard-areas/{id}',
      operationId: 'getHazardArea',
      summary: 'Read a hazard area',
      tag: 'Hazard areas',
      access: [...DEMINING_READERS, 'deminer'],
      params: IdParams,
      responses: { 200: { description: 'The hazard area; ETag carries its version', schema: HazardArea }, 401: problem, 403: problem, 404: problem },
    },
    async (c, { params }) => {
      const hazard = await mustGet(params.id);
      return c.json(hazard, 200, { ETag: etagOf(hazard.version) });
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/v1/hazard-areas/{id}',
      operationId: 'updateHazardArea',
      summary: 'Correct the survey facts of a hazard area',
      description: 'Status changes go through /transitions; geometry is fixed once recorded (record a new area instead).',
      tag: 'Hazard areas',
      access: ['operations', 'admin'],
      params: IdParams,
      body: HazardAreaPatch,
      ifMatch: true,
      responses: { 200: { description: 'The updated hazard area', schema: HazardArea }, 400: problem, 403: problem, 404: problem, 412: problem, 428: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const current = await mustGet(params.id);
      requireCountry(principal, current.country, 'change hazard areas');
      if (current.version !== expectedVersion) throw new PreconditionFailed(`The hazard area is at version ${current.version}, not ${expectedVersion}: read it again and reapply your change.`, current.version);
      const now = new Date().toISOString();
      const updated: HazardArea = { ...current, ...body, version: current.version + 1, updatedAt: now };
      const changes = Object.fromEntries(Object.keys(body).map((k) => [k, { from: current[k as keyof HazardArea], to: updated[k as keyof HazardArea] }]));
      await transact([hazardWrite(updated, expectedVersion), hazardHistoryWrite(current.id, historyEntry(principal, now, 'UPDATED', { changes }))]);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/hazard-areas/{id}/transitions',
      operationId: 'transitionHazardArea',
      summary: 'Change the status of a hazard area, with date, reason and comment',
      description: 'OPEN → WORKED_ON also happens by itself when the first task on the area starts. A refused move is a 409 listing the moves allowed from the current status.',
      tag: 'Hazard areas',
      access: ['operations', 'admin'],
      params: IdParams,
      body: HazardTransition,
      ifMatch: true,
      responses: { 200: { description: 'The hazard area after the change', schema: HazardArea }, 400: problem, 403: problem, 404: problem, 409: problem, 412: problem, 428: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const current = await mustGet(params.id);
      requireCountry(principal, current.country, 'change hazard areas');
      if (current.version !== expectedVersion) throw new PreconditionFailed(`The hazard area is at version ${current.version}, not ${expectedVersion}: read it again.`, current.version);
      const allowed = allowedHazardMoves(current.status, principal.role);
      if (!allowed.includes(body.to)) {
        throw new Conflict(`A hazard area cannot move from ${current.status} to ${body.to} by a ${principal.role}.`, { currentStatus: current.status, allowedTransitions: allowed });
      }
      const now = new Date().toISOString();
      const date = body.date ?? now.slice(0, 10);
      const updated: HazardArea = { ...current, status: body.to, statusChangedAt: now, version: current.version + 1, updatedAt: now };
      const changed = outboxEvent(EventType.HazardAreaStatusChanged, { type: 'HazardArea', id: current.id }, current.country, principal, {
        hazardAreaId: current.id,
        country: current.country,
        province: current.province,
        from: current.status,
        to: body.to,
        reason: body.reason,
        date,
      }, now);
      await transact([
        hazardWrite(updated, expectedVersion),
        hazardHistoryWrite(current.id, historyEntry(principal, now, 'TRANSITION', { from: current.status, to: body.to, reason: body.reason, ...(body.comment ? { changes: { comment: body.comment, date } } : { changes: { date } }) })),
        changed.write,
        ...statsWrites([{ country: current.country, province: current.province, counters: moved('hazards', current.status, body.to) }]),
        ...hazardCellWritesOnChange(current, updated),
      ]);
      await recomputeAfterHazardChange(current.id, principal);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/hazard-areas/{id}/history',
      operationId: 'hazardAreaHistory',
      summary: 'The append-only history of a hazard area, oldest first',
      tag: 'Hazard areas',
      access: DEMINING_READERS,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of history entries', schema: Page(HistoryEntry) }, 401: problem, 403: problem, 404: problem },
    },
    async (c, { params, query }) => {
      await mustGet(params.id);
      return c.json(await listHazardAreaHistory(params.id, { limit: query.limit, cursor: query.cursor }));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/hazard-areas/{id}/tasks',
      operationId: 'hazardAreaTasks',
      summary: "A hazard area's tasks, optionally of one status",
      description: 'Operations users list the tasks of their own country’s hazard areas.',
      tag: 'Hazard areas',
      access: DEMINING_READERS,
      params: IdParams,
      query: z.object({ status: z.optional(TaskStatus), ...PageQuery }),
      responses: { 200: { description: 'A page of tasks', schema: Page(Task) }, 401: problem, 403: problem, 404: problem },
    },
    async (c, { principal, params, query }) => {
      const hazard = await mustGet(params.id);
      if (principal.role === 'operations') requireCountry(principal, hazard.country, 'list the tasks of hazard areas');
      return c.json(await listTasks({ by: 'hazardArea', hazardAreaId: hazard.id }, query.status, { limit: query.limit, cursor: query.cursor }));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/hazard-areas/{id}/households-at-risk',
      operationId: 'householdsAtRisk',
      summary: 'Households whose destination lies in or within 500 m of a hazard area that is not closed',
      description:
        'Relief agencies list their organisation’s households, ministries their country’s, admins all; summaries without personal data. Recomputed when the area is recorded or changes status: an area CLOSED or HANDED_OVER lists none.',
      tag: 'Hazard areas',
      access: ['relief', 'ministry', 'admin'],
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of household summaries', schema: Page(HouseholdSummarySchema) }, 400: problem, 401: problem, 403: problem, 404: problem },
    },
    async (c, { principal, params, query }) => {
      await mustGet(params.id);
      const scope = principal.role === 'admin' ? {} : principal.role === 'ministry' ? { country: principal.country } : { country: principal.country, org: principal.org };
      return c.json(await listHouseholdsAtRisk(params.id, scope, { limit: query.limit, cursor: query.cursor }));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/hazard-areas/{id}/return-safety-checks',
      operationId: 'checkReturnSafety',
      summary: 'Recompute the return safety of the households near a hazard area',
      description:
        'The recomputation that follows every change of the area, run on demand: after a failure logged as "return safety recomputation failed", or to check an area. Idempotent: households already right are left alone and no event is repeated. Answers what it did, in counts. Operations users of the area’s country, admins.',
      tag: 'Hazard areas',
      access: ['operations', 'admin'],
      params: IdParams,
      responses: { 200: { description: 'What the recomputation did', schema: ReturnSafetyCheck }, 401: problem, 403: problem, 404: problem },
    },
    async (c, { principal, params }) => {
      const hazard = await mustGet(params.id);
      requireCountry(principal, hazard.country, 'check the return safety near hazard areas');
      return c.json(await recomputeForHazardArea(hazard.id, principal));
    },
  );
}

