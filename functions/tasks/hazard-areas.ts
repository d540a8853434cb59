import * as z from 'zod/mini';
import { newId } from '#shared/domain/ids.ts';
import { Country, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { areaSqm, FeatureCollectionSchema } from '#shared/domain/geometry.ts';
import {
  allowedHazardMoves,
  contaminatedLand,
  FINISHED_HAZARD_STATUSES,
  HazardArea,
  HazardAreaCreate,
  HazardAreaPatch,
  HazardStatus,
  HazardTransition,
  RELEASE_ONLY_STATUSES,
} from '#shared/domain/hazard-area.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { getClearedArea, listReportLand, type ReportLand } from '#shared/db/repositories/cleared-areas.ts';
import { taskHistoryWrite, taskWrites } from '#shared/db/repositories/tasks.ts';
import { isProvinceOf } from '#shared/domain/provinces.ts';
import { refuseUnknownPlaces } from '#shared/http/places.ts';
import { HistoryEntry, Task, TaskStatus } from '#shared/domain/task.ts';
import {
  getHazardArea,
  hazardHistoryWrite,
  hazardWrite,
  listHazardAreaHistory,
  listHazardAreasOfCountry,
  listHazardAreasOfProvince,
} from '#shared/db/repositories/hazard-areas.ts';
import { listTasks } from '#shared/db/repositories/tasks.ts';
import { OPEN_TASK_STATUSES } from '#shared/domain/task-lifecycle.ts';
import { moved, statsWrites, type StatsChange, statsPlace } from '#shared/db/repositories/stats.ts';
import { MAX_TRANSACTION_ITEMS, transact, type GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { requireCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, Conflict, NotFound, PreconditionFailed } from '#shared/http/problem.ts';
import { actorOf, historyEntry } from '#shared/domain/history.ts';
import { DEMINING_READERS } from '#shared/domain/roles.ts';
import { HouseholdSummarySchema } from '#shared/domain/household.ts';
import { MAX_HAZARD_CELLS } from '#shared/domain/return-safety.ts';
import { hazardDemandChangeWrites, hazardDemandWrites } from '#shared/db/repositories/priorities.ts';
import { areaPriority, AreaPriority, PRIORITY_READERS, registerPriorities } from './priorities.ts';
import { readsEveryHousehold, suppressSmallCells } from '#shared/domain/small-cells.ts';
import {
  hazardCellCount,
  hazardCellRemovals,
  hazardCellWrites,
  hazardCellWritesOnChange,
  listHouseholdsAtRisk,
  recomputeAfterHazardChange,
  recomputeForHazardArea,
} from '#shared/db/repositories/return-safety.ts';

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
  candidates: z.nullable(z.number()),
  /** Households rewritten (with a ReturnSafetyChanged event each). */
  changed: z.nullable(z.number()),
  /** Household counts withheld as small cells (1 to 4) from callers who may not read those households: every caller but admins. */
  suppressed: z.array(z.string()),
});

const GEOJSON = 'application/geo+json';

/** A hazard area's cells are written in the transaction that records or reshapes it: an extent beyond the cap is refused. */
function checkIndexable(geometry: HazardArea['geometry']): void {
  if (hazardCellCount(geometry) > MAX_HAZARD_CELLS)
    throw new BadRequest(
      `The geometry spreads over more than ${MAX_HAZARD_CELLS} cells of the return-safety index (about 39 km across): record it as several hazard areas.`,
      [{ path: 'body.geometry', message: 'too large an extent for one hazard area' }],
    );
}

const defaultReference = (country: string, at: string, id: string) => `HA-${country}-${at.slice(0, 4)}-${id.slice(-6)}`;

export function registerHazardAreas(api: Api): void {
  registerPriorities(api);
  recordHazardAreaRoute(api);
  listHazardAreasRoute(api);
  getHazardAreaRoute(api);
  updateHazardAreaRoute(api);
  transitionHazardAreaRoute(api);
  hazardAreaHistoryRoute(api);
  hazardAreaTasksRoute(api);
  householdsAtRiskRoute(api);
  checkReturnSafetyRoute(api);
}

/** The completion report a new hazard area was found on: it must exist and its land must have been released (400 otherwise). */
async function releasedLand(found: HazardAreaCreate['foundOnReleasedLand']) {
  const release = found ? await getClearedArea(found.clearedAreaId) : undefined;
  if (found && (!release || !['QA_ACCEPTED', 'HANDED_OVER'].includes(release.status))) {
    throw new BadRequest('Name a completion report whose land was released.', [
      {
        path: 'body.foundOnReleasedLand.clearedAreaId',
        message: release ? `report ${release.id} is ${release.status}, not released` : 'no such completion report',
      },
    ]);
  }
  return release;
}

/** A new hazard area's writes: the area, its cells of the return-safety index, its return demand, history, event and counters. */
function recordingWrites(hazard: HazardArea, principal: Principal): GuardedWrite[] {
  const { id, createdAt: now, areaSqm: sqm } = hazard;
  const recorded = outboxEvent(
    EventType.HazardAreaRecorded,
    { type: 'HazardArea', id },
    hazard.country,
    principal,
    {
      hazardAreaId: id,
      country: hazard.country,
      province: hazard.province,
      classification: hazard.classification,
      areaSqm: sqm,
      contested: hazard.contested,
      categories: [...new Set(hazard.contamination.map((c) => c.category))],
      ...(hazard.foundOnReleasedLand ? { foundOnReleasedLand: hazard.foundOnReleasedLand } : {}),
    },
    now,
  );
  return [
    hazardWrite(hazard, 'new'),
    ...hazardCellWrites(hazard),
    ...hazardDemandWrites(hazard),
    hazardHistoryWrite(id, historyEntry(principal, now, 'CREATED', { to: 'OPEN', reason: `recorded (information of ${hazard.dateOfInformation})` })),
    recorded.write,
    ...statsWrites([{ ...statsPlace(hazard), counters: moved('hazards', null, 'OPEN') }]),
  ];
}

function recordHazardAreaRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/hazard-areas',
      operationId: 'recordHazardArea',
      example: {
        reference: 'TH34-2025-0042',
        name: 'Hill 481 north slope',
        country: 'TH',
        province: 'TH34',
        classification: 'CHA',
        evidence: 'DIRECT',
        dateOfInformation: '2025-07-20',
        contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [105.0, 14.35],
              [105.01, 14.35],
              [105.01, 14.36],
              [105.0, 14.36],
              [105.0, 14.35],
            ],
          ],
        },
      },
      summary: 'Record a suspected or confirmed hazard area',
      description:
        'The server computes the geodesic area (m²) from the validated GeoJSON geometry. Operations users record areas of their own country, in a border ' +
        'province; `adm2`, `adm3` and (Cambodia) `adm4` P-codes are checked against the gazetteer edition in use and against each other (a commune not in ' +
        'the district given is a 400 naming both).',
      tag: 'Hazard areas',
      access: ['operations', 'admin'],
      body: HazardAreaCreate,
      idempotent: true,
      reread: async (_c, _input, id) => {
        const hazard = await mustGet(id);
        return { body: hazard, version: hazard.version };
      },
      responses: { 201: { description: 'The hazard area', schema: HazardArea }, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      requireCountry(principal, body.country, 'record hazard areas');
      checkIndexable(body.geometry);
      await refuseUnknownPlaces(body.country, [{ path: 'body', place: body, border: true }], 'hazard area');
      const { foundOnReleasedLand, ...facts } = body;
      const release = await releasedLand(foundOnReleasedLand);
      const now = new Date().toISOString();
      const id = newId();
      const sqm = areaSqm(body.geometry);
      const hazard: HazardArea = {
        ...facts,
        ...(release ? { foundOnReleasedLand: { clearedAreaId: release.id, hazardAreaId: release.hazardAreaId } } : {}),
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
      const response = { status: 201, id, body: hazard, headers: { ETag: etagOf(1), Location: `/v1/hazard-areas/${id}` } };
      const created = await commitCreate(c, recordingWrites(hazard, principal), response, idempotency);
      await recomputeAfterHazardChange(id, principal);
      return created;
    },
  );
}

function listHazardAreasRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/hazard-areas',
      operationId: 'listHazardAreas',
      summary: 'List hazard areas of a province or a country, optionally of one status',
      description: 'Name `province`, or `country` (national roles default to their own). Sorted by status, then oldest first.',
      tag: 'Hazard areas',
      access: DEMINING_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
        status: z.optional(HazardStatus),
        ...PageQuery,
      }),
      responses: { 200: { description: 'A page of hazard areas', schema: Page(HazardArea) } },
    },
    async (c, { principal, query }) => {
      const page = { limit: query.limit, cursor: query.cursor };
      if (query.province) {
        if (query.country && !isProvinceOf(query.province, query.country))
          throw new BadRequest('The province is not in that country.', [{ path: 'query.province', message: `not a province of ${query.country}` }]);
        return c.json(await listHazardAreasOfProvince(query.province, query.status, page));
      }
      const country = query.country ?? principal.country;
      if (!country)
        throw new BadRequest('Name a country or a province to list hazard areas.', [{ path: 'query.country', message: 'required without province' }]);
      return c.json(await listHazardAreasOfCountry(country, query.status, page));
    },
  );
}

function getHazardAreaRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/hazard-areas/{id}',
      operationId: 'getHazardArea',
      summary: 'Read a hazard area; as GeoJSON with Accept: application/geo+json',
      description:
        'For priority readers (operations, QA, observers, ministries, admins) `priority` holds the return demand near the area, its accidents and ' +
        'contamination points, its score and rank in its country’s priorities (small cells withheld as in `GET /v1/hazard-areas/priorities`) and the task ' +
        'priority the rank suggests (top fifth 1, next fifth 2, …). With `Accept: application/geo+json`: a FeatureCollection of the recorded polygon ' +
        '(`kind: original`), the land still contaminated (`kind: remaining`, absent when nothing remains) and each released part (`kind: released`, with ' +
        'its report, outcome and m²).',
      tag: 'Hazard areas',
      access: [...DEMINING_READERS, 'deminer'],
      params: IdParams,
      responses: {
        200: {
          description: 'The hazard area; ETag carries its version',
          schema: () => z.extend(HazardArea(), { priority: z.optional(AreaPriority()) }),
          alternatives: { [GEOJSON]: FeatureCollectionSchema },
        },
        404: problem,
      },
    },
    async (c, { principal, params }) => {
      const hazard = await mustGet(params.id);
      if (!(c.req.header('accept') ?? '').includes(GEOJSON)) {
        const priority = (PRIORITY_READERS as readonly string[]).includes(principal.role) ? { priority: await areaPriority(principal, hazard) } : {};
        return c.json({ ...hazard, ...priority }, 200, { ETag: etagOf(hazard.version) });
      }
      const land = await listReportLand(hazard.id);
      return c.body(JSON.stringify(hazardFeatures(hazard, land)), 200, { 'Content-Type': GEOJSON, ETag: etagOf(hazard.version) });
    },
  );
}

function updateHazardAreaRoute(api: Api): void {
  api.route(
    {
      method: 'patch',
      path: '/v1/hazard-areas/{id}',
      operationId: 'updateHazardArea',
      summary: 'Correct the survey facts of a hazard area',
      description:
        'Status changes go through /transitions. The polygon (`geometry`) may be corrected only while no completion report exists for the area (409 ' +
        'afterwards); the households near the old and the new polygon are reassessed.',
      tag: 'Hazard areas',
      access: ['operations', 'admin'],
      params: IdParams,
      body: HazardAreaPatch,
      ifMatch: true,
      responses: { 200: { description: 'The updated hazard area', schema: HazardArea }, 404: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const current = await mustGet(params.id);
      requireCountry(principal, current.country, 'change hazard areas');
      if (current.version !== expectedVersion)
        throw new PreconditionFailed(
          `The hazard area is at version ${current.version}, not ${expectedVersion}: read it again and reapply your change.`,
          current.version,
        );
      if (body.geometry && current.hasCompletionReport)
        throw new Conflict(
          'The polygon of a hazard area can be corrected only while no completion report exists for it: record ordnance found later as a new suspected area.',
          { hasCompletionReport: true },
        );
      if (body.geometry && FINISHED_HAZARD_STATUSES.includes(current.status))
        throw new Conflict(`The hazard area is ${current.status}: its polygon can no longer be corrected.`, { currentStatus: current.status });
      if (body.geometry) checkIndexable(body.geometry);
      const now = new Date().toISOString();
      const reshaped = body.geometry ? { areaSqm: areaSqm(body.geometry), remainingSqm: areaSqm(body.geometry) } : {};
      const updated: HazardArea = { ...current, ...body, ...reshaped, version: current.version + 1, updatedAt: now };
      const changes = Object.fromEntries(Object.keys(body).map((k) => [k, { from: current[k as keyof HazardArea], to: updated[k as keyof HazardArea] }]));
      // A corrected polygon moves the area's cells: the new ones are written with the area, and the old ones it left
      // deleted in the same transaction when they fit in it (with the version item transact adds), else just after it.
      // A cell left behind for a moment (or by a crash in between) costs a registration near it one read, never a wrong
      // answer: its box only selects the area, whose stored polygon is what the point is measured against.
      const writes = [
        hazardWrite(updated, expectedVersion),
        hazardHistoryWrite(current.id, historyEntry(principal, now, 'UPDATED', { changes })),
        ...(body.geometry ? hazardCellWrites(updated) : []),
        ...hazardDemandChangeWrites(current, updated),
      ];
      const removals = body.geometry ? hazardCellRemovals(current, updated) : [];
      const together = writes.length + removals.length < MAX_TRANSACTION_ITEMS;
      await transact(together ? [...writes, ...removals] : writes);
      if (!together) for (let i = 0; i < removals.length; i += MAX_TRANSACTION_ITEMS) await transact(removals.slice(i, i + MAX_TRANSACTION_ITEMS));
      if (body.geometry) {
        await recomputeAfterHazardChange(current.id, principal);
        await recomputeAfterHazardChange(current.id, principal, current.geometry);
      }
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );
}

function transitionHazardAreaRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/hazard-areas/{id}/transitions',
      operationId: 'transitionHazardArea',
      summary: 'Change the status of a hazard area (work, suspension, withdrawal), with date, reason and comment',
      description:
        'OPEN → WORKED_ON (also by itself when the first task on the area starts), WORKED_ON ⇄ SUSPENDED, and WITHDRAWN for a record made in error or ' +
        'twice: refused once any land of the area was accepted as released or while a report of it awaits QA; its open tasks are cancelled with the same ' +
        'reason, and the households near it are reassessed. CLOSED and HANDED_OVER come only from land release and handover: asking for them is a 409 that ' +
        'says how land is released. A refused move is a 409 listing the moves allowed from the current status.',
      tag: 'Hazard areas',
      access: ['operations', 'admin'],
      params: IdParams,
      body: HazardTransition,
      ifMatch: true,
      responses: { 200: { description: 'The hazard area after the change', schema: HazardArea }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const current = await mustGet(params.id);
      requireCountry(principal, current.country, 'change hazard areas');
      if (current.version !== expectedVersion)
        throw new PreconditionFailed(`The hazard area is at version ${current.version}, not ${expectedVersion}: read it again.`, current.version);
      if (RELEASE_ONLY_STATUSES.includes(body.to)) {
        throw new Conflict(
          `A hazard area is never ${body.to} by hand. Land is released through completion reports: a task on the area submits a report (POST ` +
            `/v1/cleared-areas) with parts cancelled by non-technical survey, reduced by technical survey or cleared; when QA accepts it the parts ` +
            `leave the area's remaining land, and the area becomes CLOSED once nothing remains; accepted land is HANDED_OVER through handover. ` +
            `A record made in error or twice is WITHDRAWN.`,
          { currentStatus: current.status, allowedTransitions: allowedHazardMoves(current.status, principal.role) },
        );
      }
      const allowed = allowedHazardMoves(current.status, principal.role);
      if (!allowed.includes(body.to)) {
        throw new Conflict(`A hazard area cannot move from ${current.status} to ${body.to} by a ${principal.role}.`, {
          currentStatus: current.status,
          allowedTransitions: allowed,
        });
      }
      const now = new Date().toISOString();
      const date = body.date ?? now.slice(0, 10);
      const withdrawn = body.to === 'WITHDRAWN' ? { withdrawn: { reason: body.reason, at: now, by: actorOf(principal) } } : {};
      const updated: HazardArea = { ...current, ...withdrawn, status: body.to, statusChangedAt: now, version: current.version + 1, updatedAt: now };
      const writes: GuardedWrite[] = [
        hazardWrite(updated, expectedVersion),
        hazardHistoryWrite(
          current.id,
          historyEntry(principal, now, 'TRANSITION', {
            from: current.status,
            to: body.to,
            reason: body.reason,
            ...(body.comment ? { changes: { comment: body.comment, date } } : { changes: { date } }),
          }),
        ),
        ...hazardCellWritesOnChange(current, updated),
        ...hazardDemandChangeWrites(current, updated),
      ];
      // One list of counter changes for the whole transaction: the area's and its cancelled tasks' share a statistics item.
      const stats: StatsChange[] = [{ ...statsPlace(current), counters: moved('hazards', current.status, body.to) }];
      if (body.to === 'WITHDRAWN') {
        const withdrawal = await withdrawalWrites(current, principal, body.reason, now);
        stats.push(...withdrawal.stats);
        writes.push(
          ...withdrawal.writes,
          // The reason is a person's free text: it stays in the area's history, out of the event both ministries receive.
          outboxEvent(
            EventType.HazardAreaWithdrawn,
            { type: 'HazardArea', id: current.id },
            current.country,
            principal,
            {
              hazardAreaId: current.id,
              country: current.country,
              province: current.province,
              from: current.status,
              date,
              tasksCancelled: withdrawal.tasksCancelled,
            },
            now,
          ).write,
        );
      } else {
        writes.push(
          outboxEvent(
            EventType.HazardAreaStatusChanged,
            { type: 'HazardArea', id: current.id },
            current.country,
            principal,
            { hazardAreaId: current.id, country: current.country, province: current.province, from: current.status, to: body.to, reasonGiven: true, date },
            now,
          ).write,
        );
      }
      await transact([...writes, ...statsWrites(stats)]);
      await recomputeAfterHazardChange(current.id, principal);
      return c.json(updated, 200, { ETag: etagOf(updated.version) });
    },
  );
}

function hazardAreaHistoryRoute(api: Api): void {
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
      responses: { 200: { description: 'A page of history entries', schema: Page(HistoryEntry) }, 404: problem },
    },
    async (c, { params, query }) => {
      await mustGet(params.id);
      return c.json(await listHazardAreaHistory(params.id, { limit: query.limit, cursor: query.cursor }));
    },
  );
}

function hazardAreaTasksRoute(api: Api): void {
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
      responses: { 200: { description: 'A page of tasks', schema: Page(Task) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      const hazard = await mustGet(params.id);
      if (principal.role === 'operations') requireCountry(principal, hazard.country, 'list the tasks of hazard areas');
      return c.json(await listTasks({ by: 'hazardArea', hazardAreaId: hazard.id }, query.status, { limit: query.limit, cursor: query.cursor }));
    },
  );
}

function householdsAtRiskRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/hazard-areas/{id}/households-at-risk',
      operationId: 'householdsAtRisk',
      summary: 'Households whose destination lies in or within 500 m of a hazard area that is not closed',
      description:
        'Relief agencies list their organisation’s households, ministries their country’s, admins all; summaries without personal data. Recomputed when ' +
        'the area is recorded or changes status: an area CLOSED or HANDED_OVER lists none.',
      tag: 'Hazard areas',
      access: ['relief', 'ministry', 'admin'],
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of household summaries', schema: Page(HouseholdSummarySchema) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      await mustGet(params.id);
      const scope =
        principal.role === 'admin' ? {} : principal.role === 'ministry' ? { country: principal.country } : { country: principal.country, org: principal.org };
      return c.json(await listHouseholdsAtRisk(params.id, scope, { limit: query.limit, cursor: query.cursor }));
    },
  );
}

function checkReturnSafetyRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/hazard-areas/{id}/return-safety-checks',
      operationId: 'checkReturnSafety',
      summary: 'Recompute the return safety of the households near a hazard area',
      description:
        'The recomputation that follows every change of the area, run on demand: after a failure logged as "return safety recomputation failed", or to ' +
        'check an area. Idempotent: households already right are left alone and no event is repeated. Answers what it did, in counts; for operations ' +
        'users, who read no household, household counts from 1 to 4 are `null` and listed in `suppressed`. Operations users of the area’s country, admins.',
      tag: 'Hazard areas',
      access: ['operations', 'admin'],
      params: IdParams,
      responses: { 200: { description: 'What the recomputation did', schema: ReturnSafetyCheck }, 404: problem },
    },
    async (c, { principal, params }) => {
      const hazard = await mustGet(params.id);
      requireCountry(principal, hazard.country, 'check the return safety near hazard areas');
      const result = await recomputeForHazardArea(hazard.id, principal, undefined, { repair: true });
      // Operations read no household: the counts of households near the area are small cells for them.
      const { value, suppressed } = readsEveryHousehold(principal, [hazard.country])
        ? { value: result, suppressed: [] }
        : suppressSmallCells(result, ['candidates', 'changed']);
      return c.json({ ...value, suppressed });
    },
  );
}

/** Open tasks are cancelled with the withdrawal in one transaction: at most this many. */
const MAX_TASKS_CANCELLED = 6;

/**
 * What withdrawing an area does besides its own status: refused once any of its land was
 * accepted as released or while a report of it awaits QA; its open tasks cancelled with the
 * withdrawal's reason, in the same transaction.
 */
async function withdrawalWrites(
  hazard: HazardArea,
  principal: Principal,
  reason: string,
  now: string,
): Promise<{ writes: GuardedWrite[]; stats: StatsChange[]; tasksCancelled: string[] }> {
  const land = await listReportLand(hazard.id);
  if ((hazard.releasedSqm ?? 0) > 0 || land.some((l) => l.state === 'RELEASED')) {
    throw new Conflict(
      'Land of this hazard area was already accepted as released: it cannot be withdrawn. Record what was wrong as a new hazard area, or correct ' +
        'the survey facts with PATCH.',
      { releasedSqm: hazard.releasedSqm ?? 0 },
    );
  }
  const pending = land.find((l) => l.state === 'PENDING');
  if (pending)
    throw new Conflict(`Completion report ${pending.clearedAreaId} of this hazard area awaits QA: have it decided before withdrawing the area.`, {
      openReportId: pending.clearedAreaId,
    });
  const open: Task[] = [];
  let cursor: string | undefined;
  do {
    const page = await listTasks({ by: 'hazardArea', hazardAreaId: hazard.id }, undefined, { limit: 100, cursor });
    open.push(...page.items.filter((t) => OPEN_TASK_STATUSES.includes(t.status)));
    cursor = page.next ?? undefined;
  } while (cursor);
  if (open.length > MAX_TASKS_CANCELLED)
    throw new Conflict(`The hazard area has ${open.length} open tasks: cancel some first (at most ${MAX_TASKS_CANCELLED} are cancelled with a withdrawal).`, {
      openTasks: open.length,
    });
  const writes: GuardedWrite[] = [];
  const stats: StatsChange[] = [];
  for (const task of open) {
    const cancelled: Task = { ...task, status: 'CANCELLED', statusReason: reason, statusChangedAt: now, version: task.version + 1, updatedAt: now };
    writes.push(
      ...taskWrites(cancelled, task.version),
      taskHistoryWrite(task.id, historyEntry(principal, now, 'TRANSITION', { from: task.status, to: 'CANCELLED', reason })),
      outboxEvent(
        EventType.TaskStatusChanged,
        { type: 'Task', id: task.id },
        task.country,
        principal,
        {
          taskId: task.id,
          hazardAreaId: hazard.id,
          country: task.country,
          province: task.province,
          from: task.status,
          to: 'CANCELLED',
          reason: 'hazard area withdrawn',
        },
        now,
      ).write,
    );
    stats.push({ ...statsPlace(task), counters: moved('tasks', task.status, 'CANCELLED') });
  }
  return { writes, stats, tasksCancelled: open.map((t) => t.id) };
}

/** A GeoJSON FeatureCollection of an area's land: recorded, remaining and released. */
function hazardFeatures(hazard: HazardArea, land: readonly ReportLand[]) {
  const base = { hazardAreaId: hazard.id, reference: hazard.reference, name: hazard.name, status: hazard.status };
  const remaining = contaminatedLand(hazard);
  return {
    type: 'FeatureCollection',
    features: [
      { type: 'Feature', id: `${hazard.id}#original`, geometry: hazard.geometry, properties: { ...base, kind: 'original', areaSqm: hazard.areaSqm } },
      ...(remaining
        ? [
            {
              type: 'Feature',
              id: `${hazard.id}#remaining`,
              geometry: remaining,
              properties: { ...base, kind: 'remaining', areaSqm: hazard.remainingSqm, simplified: hazard.remainingSimplified ?? false },
            },
          ]
        : []),
      ...land
        .filter((l) => l.state === 'RELEASED')
        .flatMap((l) =>
          l.parts.map((p, i) => ({
            type: 'Feature',
            id: `${l.clearedAreaId}#${i}`,
            geometry: p.geometry,
            properties: {
              ...base,
              kind: 'released',
              clearedAreaId: l.clearedAreaId,
              part: i,
              outcome: p.outcome,
              method: p.method,
              areaSqm: p.areaSqm,
              releasedAt: l.releasedAt ?? null,
            },
          })),
        ),
    ],
  };
}
