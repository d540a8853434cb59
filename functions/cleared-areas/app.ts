import * as z from 'zod/mini';
import { ClearedArea, ClearedAreaCreate, ClearedAreaStatus, Handover, QaDecision, WITHIN_TOLERANCE_M } from '#shared/domain/cleared-area.ts';
import { Country, Id, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { areaSqm, farthestVertexOutsideM } from '#shared/domain/geometry.ts';
import type { HazardArea } from '#shared/domain/hazard-area.ts';
import { actorOf, historyEntry } from '#shared/domain/history.ts';
import { newId } from '#shared/domain/ids.ts';
import { DEMINING_READERS, type Principal } from '#shared/domain/roles.ts';
import { canSeeTask, type Task } from '#shared/domain/task.ts';
import { clearedAreaWrite, getClearedArea, listClearedAreas, type ClearedListing } from '#shared/db/repositories/cleared-areas.ts';
import { getHazardArea, hazardHistoryWrite, hazardWrite } from '#shared/db/repositories/hazard-areas.ts';
import { hazardCellWritesOnChange, recomputeAfterHazardChange } from '#shared/db/repositories/return-safety.ts';
import { moved, statsWrites, type StatsChange } from '#shared/db/repositories/stats.ts';
import { getTask, listProgress, taskHistoryWrite, taskWrites } from '#shared/db/repositories/tasks.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { Api, problem } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed } from '#shared/http/problem.ts';

/** The hazard area is shared by all its tasks' reports: a write that lost a race on it is retried by the client. */
const hazardRace = () => new Conflict('The hazard area changed at the same moment (another report of it was decided or handed over): send the request again.');
import { registerLandReleaseStats } from './stats.ts';

const api = new Api({ idempotency });
const GEOJSON = 'application/geo+json';

async function mustGet(id: string): Promise<ClearedArea> {
  const area = await getClearedArea(id);
  if (!area) throw new NotFound(`No cleared area ${id}.`);
  return area;
}

/** A cleared area as `GET /v1/cleared-areas/{id}` reads it for the caller: one of a task it may not see is a 404. */
async function visibleClearedArea(principal: Principal, id: string): Promise<ClearedArea> {
  const area = await mustGet(id);
  if (principal.role === 'deminer' || principal.role === 'operations') {
    const task = await getTask(area.taskId);
    if (!task || !canSeeTask(principal, task)) throw new NotFound(`No cleared area ${id}.`);
  }
  return area;
}

function checkVersion(area: ClearedArea, expected: number): void {
  if (area.version !== expected) throw new PreconditionFailed(`The cleared area is at version ${area.version}, not ${expected}: read it again.`, area.version);
}

/** Sums a task's EO finds by category over all its progress reports (a Query, paginated). */
async function eoFromProgress(taskId: string): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  let cursor: string | undefined;
  do {
    const page = await listProgress(taskId, { limit: 100, cursor });
    for (const report of page.items) for (const f of report.finds) totals[f.category] = (totals[f.category] ?? 0) + f.quantity;
    cursor = page.next ?? undefined;
  } while (cursor);
  return totals;
}

function reconcile(fromProgress: Record<string, number>, reported: Record<string, number> | undefined): ClearedArea['eo'] {
  const differences: Record<string, number> = {};
  if (reported) {
    for (const category of new Set([...Object.keys(fromProgress), ...Object.keys(reported)])) {
      const diff = (reported[category] ?? 0) - (fromProgress[category] ?? 0);
      if (diff !== 0) differences[category] = diff;
    }
  }
  return { fromProgressReports: fromProgress, ...(reported ? { reported } : {}), mismatch: Object.keys(differences).length > 0, differences };
}

const place = (a: { country: 'KH' | 'TH'; province: string }) => ({ country: a.country, province: a.province });

api.route(
  {
    method: 'post',
    path: '/v1/cleared-areas',
    operationId: 'submitClearedArea',
    summary: 'Submit the completion report of a completed task',
    description: `The released land must lie within the task's hazard area (each vertex within ${WITHIN_TOLERANCE_M} m); its geodesic area is computed by the server. EO totals given by the team are reconciled against the task's progress reports and a mismatch is shown in \`eo\`. One report at a time per task: a rejected one is followed by a new report after rework.`,
    tag: 'Cleared areas',
    access: ['deminer', 'operations', 'admin'],
    body: ClearedAreaCreate,
    idempotent: true,
    reread: async (_c, { principal }, id) => {
      const area = await visibleClearedArea(principal, id);
      return { body: area, version: area.version };
    },
    responses: { 201: { description: 'The report, SUBMITTED', schema: ClearedArea }, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem },
  },
  async (c, { principal, body, idempotency }) => {
    const task = await getTask(body.taskId);
    if (!task || !canSeeTask(principal, task)) throw new BadRequest('The task does not exist.', [{ path: 'body.taskId', message: `no task ${body.taskId}` }]);
    if (task.status !== 'COMPLETED') throw new Conflict(`A completion report needs a COMPLETED task; this one is ${task.status}.`, { taskStatus: task.status });
    if (task.acceptedReportId) throw new Conflict(`QA already accepted report ${task.acceptedReportId} for this task.`, { acceptedReportId: task.acceptedReportId });
    if (task.openReportId) throw new Conflict(`Report ${task.openReportId} for this task awaits QA.`, { openReportId: task.openReportId });
    const teamId = principal.role === 'deminer' ? principal.team : body.submittingTeamId;
    if (body.submittingTeamId && principal.role === 'deminer' && body.submittingTeamId !== principal.team) throw new Forbidden('A deminer submits for its own team.');
    if (teamId && !task.teamIds.includes(teamId)) throw new BadRequest('The team is not assigned to this task.', [{ path: 'body.submittingTeamId', message: 'not a team of the task' }]);
    const hazard = (await getHazardArea(task.hazardAreaId))!;
    const outside = Math.round(farthestVertexOutsideM(body.geometry, hazard.geometry));
    if (outside > WITHIN_TOLERANCE_M) {
      throw new BadRequest('The released land reaches outside the hazard area.', [{ path: 'body.geometry', message: `a vertex lies ${outside} m outside hazard area ${hazard.id} (tolerance ${WITHIN_TOLERANCE_M} m)` }]);
    }
    const reported = body.eoTotals ? Object.fromEntries(body.eoTotals.map((e) => [e.category, e.quantity])) : undefined;
    const now = new Date().toISOString();
    const { taskId: _t, submittingTeamId: _s, eoTotals: _e, ...facts } = body;
    const area: ClearedArea = {
      ...facts,
      id: newId(),
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy: principal.sub,
      taskId: task.id,
      hazardAreaId: hazard.id,
      ...place(task),
      countries: task.countries,
      ...(teamId ? { submittingTeamId: teamId } : {}),
      submittedBy: actorOf(principal),
      areaSqm: areaSqm(body.geometry),
      eo: reconcile(await eoFromProgress(task.id), reported),
      status: 'SUBMITTED',
    };
    const updatedTask: Task = { ...task, openReportId: area.id, version: task.version + 1, updatedAt: now };
    const response = { status: 201, id: area.id, body: area, headers: { ETag: etagOf(1), Location: `/v1/cleared-areas/${area.id}` } };
    return commitCreate(c, [
      clearedAreaWrite(area, 'new'),
      ...taskWrites(updatedTask, task.version),
      taskHistoryWrite(task.id, historyEntry(principal, now, 'UPDATED', { changes: { completionReport: { submitted: area.id, outcome: area.outcome, areaSqm: area.areaSqm } } })),
      outboxEvent(EventType.ClearedAreaSubmitted, { type: 'ClearedArea', id: area.id }, area.country, principal, {
        clearedAreaId: area.id,
        taskId: task.id,
        hazardAreaId: hazard.id,
        ...place(area),
        outcome: area.outcome,
        areaSqm: area.areaSqm,
        eoMismatch: area.eo.mismatch,
      }, now).write,
      ...statsWrites([{ ...place(area), counters: moved('reports', null, 'SUBMITTED') }]),
    ], response, idempotency);
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/cleared-areas',
    operationId: 'listClearedAreas',
    summary: 'List cleared areas of a task, a province or a country; as GeoJSON with Accept: application/geo+json',
    description: 'Name `task`, `province` or `country` (national roles default to their own); `status` narrows province and country lists. With `Accept: application/geo+json` the page is a FeatureCollection (properties without geometry nesting, as QGIS expects); the next page is in `next` and the `Link` header.',
    tag: 'Cleared areas',
    access: [...DEMINING_READERS, 'deminer'],
    query: z.object({ task: z.optional(Id), province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))), country: z.optional(Country), status: z.optional(ClearedAreaStatus), ...PageQuery }),
    responses: { 200: { description: 'A page of cleared areas', schema: Page(ClearedArea) }, 400: problem, 401: problem, 403: problem },
  },
  async (c, { principal, query }) => {
    const named = (['task', 'province', 'country'] as const).filter((k) => query[k] !== undefined);
    if (named.length > 1) throw new BadRequest('Name one of task, province or country.', named.map((k) => ({ path: `query.${k}`, message: 'only one list filter at a time' })));
    let listing: ClearedListing;
    if (query.task) {
      if (query.status) throw new BadRequest('A task has few reports: leave out status when listing by task.', [{ path: 'query.status', message: 'not with task' }]);
      const task = await getTask(query.task);
      if (!task || !canSeeTask(principal, task)) throw new NotFound(`No task ${query.task}.`);
      listing = { by: 'task', taskId: task.id };
    } else {
      if (principal.role === 'deminer') throw new Forbidden('Deminers list the reports of their own tasks: pass ?task=.');
      if (query.province) listing = { by: 'province', province: query.province };
      else {
        const country = query.country ?? principal.country;
        if (!country) throw new BadRequest('Name a task, province or country.', [{ path: 'query.country', message: 'required' }]);
        listing = { by: 'country', country };
      }
    }
    const page = await listClearedAreas(listing, query.status, { limit: query.limit, cursor: query.cursor });
    if (!(c.req.header('accept') ?? '').includes(GEOJSON)) return c.json(page);
    const url = new URL(c.req.url);
    const next = page.next ? (url.searchParams.set('cursor', page.next), `${url.pathname}${url.search}`) : null;
    const collection = {
      type: 'FeatureCollection',
      features: page.items.map(({ geometry, qa, handover, eo, countries, submittedBy, ...props }) => ({
        type: 'Feature',
        id: props.id,
        geometry,
        // Flat properties: QGIS shows nested objects as text.
        properties: {
          ...props,
          countries: countries.join(','),
          submittedByOrg: submittedBy.org,
          eoMismatch: eo.mismatch,
          eoFromProgress: Object.entries(eo.fromProgressReports).map(([k, v]) => `${k}:${v}`).join(','),
          qaDecision: qa?.decision ?? null,
          qaNonconformities: qa?.nonconformities.length ?? null,
          handoverCertificate: handover?.certificateRef ?? null,
          handoverDate: handover?.date ?? null,
          residualRisk: handover?.residualRisk ?? null,
        },
      })),
      next,
    };
    return c.body(JSON.stringify(collection), 200, { 'Content-Type': GEOJSON, ...(next ? { Link: `<${next}>; rel="next"` } : {}) });
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/cleared-areas/{id}',
    operationId: 'getClearedArea',
    summary: 'Read a cleared area (completion report)',
    tag: 'Cleared areas',
    access: [...DEMINING_READERS, 'deminer'],
    params: IdParams,
    responses: { 200: { description: 'The report; ETag carries its version', schema: ClearedArea }, 401: problem, 404: problem },
  },
  async (c, { principal, params }) => {
    const area = await visibleClearedArea(principal, params.id);
    return c.json(area, 200, { ETag: etagOf(area.version) });
  },
);

api.route(
  {
    method: 'post',
    path: '/v1/cleared-areas/{id}/qa',
    operationId: 'decideQa',
    summary: 'Accept or reject a completion report (QA)',
    description:
      "By the qa role of the task's country (either country for a joint task). A rejection names nonconformities and sends the task back to IN_PROGRESS for rework; an acceptance releases the land: the hazard area's remainingSqm falls by the report's area, and an area with nothing remaining becomes CLOSED. One decision per report.",
    tag: 'Cleared areas',
    access: ['qa', 'admin'],
    params: IdParams,
    body: QaDecision,
    ifMatch: true,
    responses: { 200: { description: 'The report with its decision', schema: ClearedArea }, 400: problem, 403: problem, 404: problem, 409: problem, 412: problem, 428: problem },
  },
  async (c, { principal, params, body, expectedVersion }) => {
    const area = await mustGet(params.id);
    if (principal.role === 'qa' && !area.countries.includes(principal.country!)) {
      throw new Forbidden(`QA of ${principal.country} may not decide on a ${area.countries.length > 1 ? 'joint' : 'national'} task of ${area.countries.join(' and ')}.`);
    }
    checkVersion(area, expectedVersion);
    if (area.status !== 'SUBMITTED') throw new Conflict(`This report was already decided (${area.status}).`, { currentStatus: area.status });
    const task = (await getTask(area.taskId))!;
    const hazard = (await getHazardArea(area.hazardAreaId))!;
    const now = new Date().toISOString();
    const accepted = body.decision === 'ACCEPTED';
    const decided: ClearedArea = {
      ...area,
      status: accepted ? 'QA_ACCEPTED' : 'QA_REJECTED',
      qa: { decision: body.decision, nonconformities: body.nonconformities, ...(body.comment ? { comment: body.comment } : {}), decidedAt: now, decidedBy: actorOf(principal) },
      version: area.version + 1,
      updatedAt: now,
    };
    const writes: GuardedWrite[] = [clearedAreaWrite(decided, expectedVersion)];
    const stats: StatsChange[] = [{ ...place(area), counters: moved('reports', 'SUBMITTED', decided.status) }];
    const { openReportId: _open, ...taskRest } = task;
    let remaining = hazard.remainingSqm;
    let hazardClosed = false;
    if (accepted) {
      writes.push(...taskWrites({ ...taskRest, acceptedReportId: area.id, version: task.version + 1, updatedAt: now }, task.version));
      writes.push(taskHistoryWrite(task.id, historyEntry(principal, now, 'UPDATED', { changes: { completionReport: { accepted: area.id } } })));
      remaining = Math.max(0, Math.round(hazard.remainingSqm - area.areaSqm));
      const closes = remaining === 0 && hazard.status !== 'CLOSED' && hazard.status !== 'HANDED_OVER';
      const updatedHazard: HazardArea = {
        ...hazard,
        remainingSqm: remaining,
        releasedSqm: (hazard.releasedSqm ?? 0) + area.areaSqm,
        ...(closes ? { status: 'CLOSED' as const, statusChangedAt: now } : {}),
        version: hazard.version + 1,
        updatedAt: now,
      };
      writes.push({ ...hazardWrite(updatedHazard, hazard.version), onConditionFailed: hazardRace });
      stats.push({ ...place(area), counters: { [`sqm_${area.outcome}`]: area.areaSqm } });
      if (closes) {
        const reason = `nothing remains after completion report ${area.id} was accepted`;
        writes.push(
          hazardHistoryWrite(hazard.id, historyEntry(principal, now, 'TRANSITION', { from: hazard.status, to: 'CLOSED', reason })),
          outboxEvent(EventType.HazardAreaStatusChanged, { type: 'HazardArea', id: hazard.id }, hazard.country, principal, { hazardAreaId: hazard.id, ...place(hazard), from: hazard.status, to: 'CLOSED', reason, date: now.slice(0, 10) }, now).write,
        );
        stats.push({ ...place(hazard), counters: moved('hazards', hazard.status, 'CLOSED') });
        writes.push(...hazardCellWritesOnChange(hazard, updatedHazard));
        hazardClosed = true;
      }
    } else {
      // Rework: the task goes back to IN_PROGRESS, out of the usual lifecycle and on QA's word.
      const reason = `QA rejected completion report ${area.id}: ${body.nonconformities.map((n) => `${n.severity} ${n.type}`).join(', ')}`;
      writes.push(...taskWrites({ ...taskRest, status: 'IN_PROGRESS', statusReason: reason, statusChangedAt: now, version: task.version + 1, updatedAt: now }, task.version));
      writes.push(
        taskHistoryWrite(task.id, historyEntry(principal, now, 'TRANSITION', { from: task.status, to: 'IN_PROGRESS', reason })),
        outboxEvent(EventType.TaskStatusChanged, { type: 'Task', id: task.id }, task.country, principal, { taskId: task.id, hazardAreaId: task.hazardAreaId, ...place(task), from: task.status, to: 'IN_PROGRESS', reason }, now).write,
      );
      stats.push({ ...place(task), counters: moved('tasks', task.status, 'IN_PROGRESS') });
    }
    writes.push(
      outboxEvent(EventType.ClearedAreaQaDecided, { type: 'ClearedArea', id: area.id }, area.country, principal, {
        clearedAreaId: area.id,
        taskId: area.taskId,
        hazardAreaId: area.hazardAreaId,
        ...place(area),
        decision: body.decision,
        nonconformities: body.nonconformities.length,
        remainingSqm: remaining,
      }, now).write,
    );
    await transact([...writes, ...statsWrites(stats)]);
    if (hazardClosed) await recomputeAfterHazardChange(hazard.id, principal);
    return c.json(decided, 200, { ETag: etagOf(decided.version) });
  },
);

api.route(
  {
    method: 'post',
    path: '/v1/cleared-areas/{id}/handover',
    operationId: 'handOver',
    summary: 'Record the handover of accepted land',
    description:
      'Certificate reference, date, the receiving community or land user, signatories (national authority, operator and community; an AOT observer may sign) and the residual-risk statement. The hazard area becomes HANDED_OVER once nothing remains and all released land is handed over.',
    tag: 'Cleared areas',
    access: ['operations', 'admin'],
    params: IdParams,
    body: Handover,
    ifMatch: true,
    responses: { 200: { description: 'The report with its handover', schema: ClearedArea }, 400: problem, 403: problem, 404: problem, 409: problem, 412: problem, 428: problem },
  },
  async (c, { principal, params, body, expectedVersion }) => {
    const area = await mustGet(params.id);
    if (principal.role === 'operations' && !area.countries.includes(principal.country!)) throw new NotFound(`No cleared area ${params.id}.`);
    checkVersion(area, expectedVersion);
    if (area.status !== 'QA_ACCEPTED') throw new Conflict(`Only land QA accepted can be handed over; this report is ${area.status}.`, { currentStatus: area.status });
    const hazard = (await getHazardArea(area.hazardAreaId))!;
    const now = new Date().toISOString();
    const handed: ClearedArea = { ...area, status: 'HANDED_OVER', handover: { ...body, recordedAt: now, recordedBy: actorOf(principal) }, version: area.version + 1, updatedAt: now };
    const handedOverSqm = (hazard.handedOverSqm ?? 0) + area.areaSqm;
    const complete = hazard.status === 'CLOSED' && hazard.remainingSqm === 0 && handedOverSqm >= (hazard.releasedSqm ?? 0);
    const updatedHazard: HazardArea = { ...hazard, handedOverSqm, ...(complete ? { status: 'HANDED_OVER' as const, statusChangedAt: now } : {}), version: hazard.version + 1, updatedAt: now };
    const stats: StatsChange[] = [{ ...place(area), counters: { ...moved('reports', 'QA_ACCEPTED', 'HANDED_OVER'), sqm_HANDED_OVER: area.areaSqm } }];
    const writes: GuardedWrite[] = [
      clearedAreaWrite(handed, expectedVersion),
      { ...hazardWrite(updatedHazard, hazard.version), onConditionFailed: hazardRace },
      outboxEvent(EventType.LandHandedOver, { type: 'ClearedArea', id: area.id }, area.country, principal, {
        clearedAreaId: area.id,
        hazardAreaId: hazard.id,
        ...place(area),
        certificateRef: body.certificateRef,
        date: body.date,
        areaSqm: area.areaSqm,
        receivedByType: body.receivedBy.type,
      }, now).write,
    ];
    if (complete) {
      const reason = `all released land handed over (certificate ${body.certificateRef})`;
      writes.push(
        hazardHistoryWrite(hazard.id, historyEntry(principal, now, 'TRANSITION', { from: 'CLOSED', to: 'HANDED_OVER', reason })),
        outboxEvent(EventType.HazardAreaStatusChanged, { type: 'HazardArea', id: hazard.id }, hazard.country, principal, { hazardAreaId: hazard.id, ...place(hazard), from: 'CLOSED', to: 'HANDED_OVER', reason, date: body.date }, now).write,
      );
      stats.push({ ...place(hazard), counters: moved('hazards', 'CLOSED', 'HANDED_OVER') });
    }
    await transact([...writes, ...statsWrites(stats)]);
    if (complete) await recomputeAfterHazardChange(hazard.id, principal);
    return c.json(handed, 200, { ETag: etagOf(handed.version) });
  },
);

registerLandReleaseStats(api);

export const app = api.app;
export const routes = api.routes;
