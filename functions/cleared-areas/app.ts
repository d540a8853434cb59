import * as z from 'zod/mini';
import { config } from '#shared/config.ts';
import { ClearedArea, ClearedAreaCreate, ClearedAreaStatus, MAX_PARTS, partsOf, WITHIN_TOLERANCE_M, type ReportPart } from '#shared/domain/cleared-area.ts';
import { Country, Id, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { FeatureCollectionSchema } from '#shared/domain/geometry.ts';
import { contaminatedLand, FINISHED_HAZARD_STATUSES, type HazardArea } from '#shared/domain/hazard-area.ts';
import { actorOf, historyEntry } from '#shared/domain/history.ts';
import { newId } from '#shared/domain/ids.ts';
import {
  MAX_REPORT_VERTICES,
  METHODS_BY_OUTCOME,
  OUTCOMES_BY_ACTIVITY,
  overlap,
  partProblems,
  reconcileEo,
  sqmOf,
  toMulti,
} from '#shared/domain/land-release.ts';
import { DEMINING_READERS } from '#shared/domain/roles.ts';
import { canSeeTask, type Task } from '#shared/domain/task.ts';
import { clearedAreaWrite, listClearedAreas, reportLandWrite, type ClearedListing } from '#shared/db/repositories/cleared-areas.ts';
import { getHazardArea, hazardWrite } from '#shared/db/repositories/hazard-areas.ts';
import { moved, statsWrites, statsPlace } from '#shared/db/repositories/stats.ts';
import { getTask, listProgress, taskHistoryWrite, taskWrites } from '#shared/db/repositories/tasks.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { Api, problem } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, Conflict, Forbidden, NotFound, type FieldError } from '#shared/http/problem.ts';
import { registerReportDecisions } from './decisions.ts';
import { hazardRace, landOfHazard } from './release.ts';
import { registerLandReleaseStats } from './stats.ts';
import { asSeenBy, canSeeReport, visibleReport } from './visibility.ts';

const api = new Api({ idempotency });
const GEOJSON = 'application/geo+json';

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

const place = (a: { country: 'KH' | 'TH'; province: string }) => ({ country: a.country, province: a.province });

api.route(
  {
    method: 'post',
    path: '/v1/cleared-areas',
    operationId: 'submitClearedArea',
    summary: 'Submit the completion report of a completed task: one or more parts of released land',
    description:
      `\`parts\` (1 to ${MAX_PARTS}), each with outcome, method, depthCm (CLEARED) or evidence (CANCELLED) and geometry; the single-part body (those ` +
      `fields at the top level) is a report of one part. The activity decides the outcomes: NTS cancels, TS cancels or reduces, CLEARANCE and BAC ` +
      `clear or reduce, EOD_SPOT releases no land. Each part lies within the hazard area's remaining land (each vertex within ${WITHIN_TOLERANCE_M} ` +
      `m) and overlaps neither another part nor land released or awaiting QA (overlaps under 1 m² are ignored); its geodesic m² within the remaining ` +
      `land is computed by the server. At most ${MAX_REPORT_VERTICES} vertices in all. EO totals given by the team are reconciled against the task's ` +
      `progress reports and a mismatch is shown in \`eo\`. One report at a time per task: a rejected one is followed by a new report after rework.`,
    tag: 'Cleared areas',
    access: ['deminer', 'operations', 'admin'],
    body: ClearedAreaCreate,
    idempotent: true,
    reread: async (_c, { principal }, id) => {
      const area = await visibleReport(principal, id);
      return { body: asSeenBy(principal, area), version: area.version };
    },
    responses: { 201: { description: 'The report, SUBMITTED', schema: ClearedArea }, 404: problem, 409: problem },
  },
  async (c, { principal, body, idempotency }) => {
    const task = await getTask(body.taskId);
    if (!task || !canSeeTask(principal, task)) throw new BadRequest('The task does not exist.', [{ path: 'body.taskId', message: `no task ${body.taskId}` }]);
    if (task.status !== 'COMPLETED') throw new Conflict(`A completion report needs a COMPLETED task; this one is ${task.status}.`, { taskStatus: task.status });
    if (task.acceptedReportId)
      throw new Conflict(`QA already accepted report ${task.acceptedReportId} for this task.`, { acceptedReportId: task.acceptedReportId });
    if (task.openReportId) throw new Conflict(`Report ${task.openReportId} for this task awaits QA.`, { openReportId: task.openReportId });
    const teamId = principal.role === 'deminer' ? principal.team : body.submittingTeamId;
    if (body.submittingTeamId && principal.role === 'deminer' && body.submittingTeamId !== principal.team)
      throw new Forbidden('A deminer submits for its own team.');
    if (teamId && !task.teamIds.includes(teamId))
      throw new BadRequest('The team is not assigned to this task.', [{ path: 'body.submittingTeamId', message: 'not a team of the task' }]);
    const parts = partsOf(body);
    const pathOf = (i: number, field: string) => (body.parts ? `body.parts.${i}.${field}` : `body.${field}`);
    checkOutcomes(task.activityType, parts, pathOf);
    const hazard = (await getHazardArea(task.hazardAreaId))!;
    if (FINISHED_HAZARD_STATUSES.includes(hazard.status))
      throw new Conflict(`The hazard area is ${hazard.status}: no land of it can be reported released.`, { hazardAreaStatus: hazard.status });
    const { land, backfill } = await landOfHazard(hazard);
    const remaining = contaminatedLand(hazard);
    const taken = land.flatMap((l) =>
      l.parts.map((p) => ({ what: `${l.state === 'RELEASED' ? 'land released by' : 'land awaiting QA in'} report ${l.clearedAreaId}`, geometry: p.geometry })),
    );
    const problems = partProblems(
      parts.map((p) => p.geometry),
      remaining,
      taken,
      WITHIN_TOLERANCE_M,
    );
    if (problems.length > 0)
      throw new BadRequest(
        'Some parts do not fit the land that remains to be released.',
        problems.map((p) => ({ path: pathOf(p.part, 'geometry'), message: p.message })),
      );
    const storedParts = parts.map((p) => ({ ...p, areaSqm: Math.round(sqmOf(overlap(p.geometry, remaining!))) }));
    const reported = body.eoTotals ? Object.fromEntries(body.eoTotals.map((e) => [e.category, e.quantity])) : undefined;
    const now = new Date().toISOString();
    const first = storedParts[0]!;
    const jointRelease = task.joint || hazard.contested;
    const area: ClearedArea = {
      id: newId(),
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy: principal.sub,
      taskId: task.id,
      hazardAreaId: hazard.id,
      ...place(task),
      ...(task.adm2 ? { adm2: task.adm2 } : {}),
      countries: task.countries,
      ...(teamId ? { submittingTeamId: teamId } : {}),
      submittedBy: actorOf(principal),
      outcome: first.outcome,
      method: first.method,
      ...(first.depthCm !== undefined ? { depthCm: first.depthCm } : {}),
      completedAt: body.completedAt,
      geometry: storedParts.length === 1 ? first.geometry : { type: 'MultiPolygon', coordinates: storedParts.flatMap((p) => toMulti(p.geometry).coordinates) },
      areaSqm: storedParts.reduce((n, p) => n + p.areaSqm, 0),
      parts: storedParts,
      requiredQaCountries: jointRelease ? ['KH', 'TH'] : [hazard.country],
      qaDecisions: [],
      attestationRequired: jointRelease && config.REQUIRE_OBSERVER_ATTESTATION === 'joint',
      eo: reconcileEo(await eoFromProgress(task.id), reported),
      ...(body.notes ? { notes: body.notes } : {}),
      status: 'SUBMITTED',
    };
    const updatedTask: Task = { ...task, openReportId: area.id, version: task.version + 1, updatedAt: now };
    const updatedHazard: HazardArea = { ...hazard, hasCompletionReport: true, version: hazard.version + 1, updatedAt: now };
    const response = { status: 201, id: area.id, body: area, headers: { ETag: etagOf(1), Location: `/v1/cleared-areas/${area.id}` } };
    return commitCreate(
      c,
      [
        clearedAreaWrite(area, 'new'),
        ...taskWrites(updatedTask, task.version),
        // The area's version guards the overlap check: two reports on one area cannot both pass it on the same land.
        { ...hazardWrite(updatedHazard, hazard.version), onConditionFailed: hazardRace },
        reportLandWrite(hazard.id, {
          clearedAreaId: area.id,
          state: 'PENDING',
          parts: storedParts.map(({ outcome, method, areaSqm, geometry }) => ({ outcome, method, areaSqm, geometry })),
        }),
        ...backfill,
        taskHistoryWrite(
          task.id,
          historyEntry(principal, now, 'UPDATED', { changes: { completionReport: { submitted: area.id, parts: area.parts.length, areaSqm: area.areaSqm } } }),
        ),
        outboxEvent(
          EventType.ClearedAreaSubmitted,
          { type: 'ClearedArea', id: area.id },
          area.country,
          principal,
          {
            clearedAreaId: area.id,
            taskId: task.id,
            hazardAreaId: hazard.id,
            ...place(area),
            outcome: area.outcome,
            areaSqm: area.areaSqm,
            parts: area.parts.map((p) => ({ outcome: p.outcome, method: p.method, areaSqm: p.areaSqm })),
            eoMismatch: area.eo.mismatch,
          },
          now,
        ).write,
        ...statsWrites([{ ...statsPlace(area), counters: moved('reports', null, 'SUBMITTED') }]),
      ],
      response,
      idempotency,
    );
  },
);

/** The outcomes the task's activity may report, and the methods each outcome is reached by: a 400 naming what is allowed. */
function checkOutcomes(activity: Task['activityType'], parts: readonly ReportPart[], pathOf: (i: number, field: string) => string): void {
  const allowed = OUTCOMES_BY_ACTIVITY[activity];
  if (allowed.length === 0)
    throw new BadRequest(`An ${activity} task releases no land: it has no completion report.`, [
      { path: 'body.taskId', message: `${activity} tasks release no land` },
    ]);
  const errors: FieldError[] = [];
  parts.forEach((p, i) => {
    if (!allowed.includes(p.outcome))
      errors.push({ path: pathOf(i, 'outcome'), message: `a ${activity} task may report ${allowed.join(' or ')}, not ${p.outcome}` });
    else if (!METHODS_BY_OUTCOME[p.outcome].includes(p.method))
      errors.push({ path: pathOf(i, 'method'), message: `${p.outcome} land is reached by ${METHODS_BY_OUTCOME[p.outcome].join(', ')}, not ${p.method}` });
  });
  if (errors.length > 0) throw new BadRequest(`The outcomes do not fit a ${activity} task (allowed: ${allowed.join(', ')}).`, errors);
}

api.route(
  {
    method: 'get',
    path: '/v1/cleared-areas',
    operationId: 'listClearedAreas',
    summary: 'List cleared areas of a task, a province or a country; as GeoJSON with Accept: application/geo+json',
    description:
      'Name `task`, `province` or `country` (national roles default to their own); `status` narrows province and country lists. Operations users see their ' +
      'own country’s reports and joint ones (a page may then hold fewer items than `limit`). With `Accept: application/geo+json` the page is a ' +
      'FeatureCollection with one Feature per part (properties flat, as QGIS expects); the next page is in `next` and the `Link` header.',
    tag: 'Cleared areas',
    access: [...DEMINING_READERS, 'deminer'],
    query: z.object({
      task: z.optional(Id),
      province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
      country: z.optional(Country),
      status: z.optional(ClearedAreaStatus),
      ...PageQuery,
    }),
    responses: { 200: { description: 'A page of cleared areas', schema: Page(ClearedArea), alternatives: { [GEOJSON]: FeatureCollectionSchema } } },
  },
  async (c, { principal, query }) => {
    const named = (['task', 'province', 'country'] as const).filter((k) => query[k] !== undefined);
    if (named.length > 1)
      throw new BadRequest(
        'Name one of task, province or country.',
        named.map((k) => ({ path: `query.${k}`, message: 'only one list filter at a time' })),
      );
    let listing: ClearedListing;
    if (query.task) {
      if (query.status)
        throw new BadRequest('A task has few reports: leave out status when listing by task.', [{ path: 'query.status', message: 'not with task' }]);
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
    const found = await listClearedAreas(listing, query.status, { limit: query.limit, cursor: query.cursor });
    const page = { ...found, items: found.items.filter((a) => canSeeReport(principal, a)).map((a) => asSeenBy(principal, a)) };
    if (!(c.req.header('accept') ?? '').includes(GEOJSON)) return c.json(page);
    const url = new URL(c.req.url);
    const next = page.next ? (url.searchParams.set('cursor', page.next), `${url.pathname}${url.search}`) : null;
    const collection = { type: 'FeatureCollection', features: page.items.flatMap(reportFeatures), next };
    return c.body(JSON.stringify(collection), 200, { 'Content-Type': GEOJSON, ...(next ? { Link: `<${next}>; rel="next"` } : {}) });
  },
);

/** One Feature per part of a report, with flat properties (QGIS shows nested objects as text). */
function reportFeatures(area: ClearedArea) {
  const { geometry: _g, parts, qa, qaDecisions, attestation, handover, eo, countries, requiredQaCountries, submittedBy, ...props } = area;
  return parts.map((part, i) => ({
    type: 'Feature',
    id: `${area.id}#${i}`,
    geometry: part.geometry,
    properties: {
      ...props,
      clearedAreaId: area.id,
      part: i,
      outcome: part.outcome,
      method: part.method,
      depthCm: part.depthCm ?? null,
      evidence: part.evidence ?? null,
      areaSqm: part.areaSqm,
      reportAreaSqm: area.areaSqm,
      countries: countries.join(','),
      requiredQaCountries: requiredQaCountries.join(','),
      qaDecisions: qaDecisions.map((d) => `${d.country}:${d.decision}`).join(','),
      submittedByOrg: submittedBy.org,
      eoMismatch: eo.mismatch,
      eoFromProgress: Object.entries(eo.fromProgressReports)
        .map(([k, v]) => `${k}:${v}`)
        .join(','),
      qaDecision: qa?.decision ?? null,
      qaNonconformities: qa?.nonconformities.length ?? null,
      attestation: attestation?.decision ?? null,
      handoverCertificate: handover?.certificateRef ?? null,
      handoverDate: handover?.date ?? null,
      residualRisk: handover?.residualRisk ?? null,
    },
  }));
}

api.route(
  {
    method: 'get',
    path: '/v1/cleared-areas/{id}',
    operationId: 'getClearedArea',
    summary: 'Read a cleared area (completion report)',
    description:
      'Operations users read their own country’s reports and joint ones, deminers their team’s. The names in a handover (receiving party, signatories) are ' +
      'shown only within the report’s country and to admins; others see their type and organisation.',
    tag: 'Cleared areas',
    access: [...DEMINING_READERS, 'deminer'],
    params: IdParams,
    responses: { 200: { description: 'The report; ETag carries its version', schema: ClearedArea }, 404: problem },
  },
  async (c, { principal, params }) => {
    const area = await visibleReport(principal, params.id);
    return c.json(asSeenBy(principal, area), 200, { ETag: etagOf(area.version) });
  },
);

registerReportDecisions(api);
registerLandReleaseStats(api);

export const app = api.app;
export const routes = api.routes;
