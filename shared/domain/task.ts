import * as z from 'zod/mini';
import { Country, Id, lazy, StoredFields, named } from './common.ts';
import { Point } from './geometry.ts';
import { EoCategory, EoModel } from './ordnance.ts';
import type { Principal } from './roles.ts';
import { TASK_STATUSES } from './task-lifecycle.ts';

// The lifecycle table is in a module without zod, so the web console's task board loads it without zod's schemas.
export { TASK_STATUSES, TASK_TRANSITIONS, allowedTaskMoves } from './task-lifecycle.ts';
export const TaskStatus = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatus>;

export const ActivityType = z.enum(['NTS', 'TS', 'CLEARANCE', 'BAC', 'EOD_SPOT']);

const isoDate = z.iso.date();
const teamIds = z.array(Id).check(
  z.minLength(1),
  z.maxLength(10),
  z.refine((ids) => new Set(ids).size === ids.length, 'must not repeat a team'),
);

/** Body of `POST /v1/tasks`. */
export const TaskCreate = z
  .strictObject({
    hazardAreaId: Id,
    activityType: ActivityType,
    priority: z.int().check(z.minimum(1), z.maximum(5)),
    joint: z._default(z.boolean(), false),
    teamIds,
    plannedStart: isoDate,
    plannedEnd: isoDate,
    notes: z.optional(z.string().check(z.maxLength(2000))),
  })
  .check(z.refine((t) => t.plannedEnd >= t.plannedStart, { message: 'must not be before plannedStart', path: ['plannedEnd'] }));
export type TaskCreate = z.infer<typeof TaskCreate>;

/** Body of `PATCH /v1/tasks/{id}`: planning facts; teams and status change by other means. */
export const TaskPatch = z
  .strictObject({
    priority: z.optional(z.int().check(z.minimum(1), z.maximum(5))),
    plannedStart: z.optional(isoDate),
    plannedEnd: z.optional(isoDate),
    notes: z.optional(z.string().check(z.maxLength(2000))),
  })
  .check(
    z.refine((p) => Object.keys(p).length > 0, 'name at least one field to change'),
    z.refine((p) => !p.plannedStart || !p.plannedEnd || p.plannedEnd >= p.plannedStart, { message: 'must not be before plannedStart', path: ['plannedEnd'] }),
  );
export type TaskPatch = z.infer<typeof TaskPatch>;

export const Task = named('Task', () =>
  z.object({
    ...StoredFields,
    hazardAreaId: Id,
    country: Country,
    /** Countries whose operations may act on the task: the hazard area's, and the other for a joint task. */
    countries: z.array(Country),
    province: z.string(),
    /** The hazard area's district (gazetteer `adm2`), when it has one: land-release statistics count it. */
    adm2: z.optional(z.string()),
    activityType: ActivityType,
    priority: z.int(),
    joint: z.boolean(),
    teamIds: z.array(Id),
    plannedStart: z.string(),
    plannedEnd: z.string(),
    notes: z.optional(z.string()),
    status: TaskStatus,
    statusReason: z.optional(z.string()),
    statusChangedAt: z.iso.datetime(),
    areaClearedSqm: z.number(),
    ordnanceFound: z.number(),
    progressReports: z.number(),
    /** The completion report awaiting QA, if any. */
    openReportId: z.optional(z.string()),
    /** The completion report QA accepted, once accepted. */
    acceptedReportId: z.optional(z.string()),
    /** When the task first went IN_PROGRESS: no progress is dated before it. */
    startedAt: z.optional(z.iso.datetime()),
    /** The hazard area's remaining m² when the task started: the most its progress may add up to. */
    remainingSqmAtStart: z.optional(z.number()),
    /** Finds outside the hazard area that QA has not reviewed yet: the task's land cannot be accepted before. */
    findsAwaitingReview: z.optional(z.int()),
  }),
);
export type Task = z.infer<ReturnType<typeof Task>>;

/** Body of `POST /v1/tasks/{id}/transitions`. */
export const TaskTransition = z.strictObject({
  to: TaskStatus,
  reason: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(500))),
});

export const FIND_TOLERANCE_M = 50;

export const FindCondition = z.enum(['INTACT', 'DAMAGED', 'DETERIORATED', 'UNKNOWN']);

/**
 * What became of a find. Only DESTROYED_IN_SITU counts as destroyed in the statistics; finds
 * recorded before disposal was kept are NOT_RECORDED.
 */
export const DISPOSALS = ['DESTROYED_IN_SITU', 'REMOVED_FOR_DESTRUCTION', 'RENDERED_SAFE', 'NOT_DISPOSED', 'NOT_RECORDED'] as const;
export const Disposal = z.enum(DISPOSALS);
export type Disposal = z.infer<typeof Disposal>;

const Find = z.strictObject({
  category: EoCategory,
  model: z.optional(EoModel),
  quantity: z.int().check(z.minimum(1), z.maximum(10_000)),
  condition: z._default(FindCondition, 'UNKNOWN'),
  depthCm: z.optional(z.int().check(z.minimum(0), z.maximum(1000))),
  position: Point,
  /** A find more than FIND_TOLERANCE_M outside the hazard area is accepted only with this flag, and is marked for review. */
  acceptOutsideHazardArea: z.optional(z.boolean()),
  disposal: z._default(Disposal, 'NOT_RECORDED'),
});

/** The day of a report: not in the future, with one day allowed for clock skew in the field. */
const notAfterTomorrow = (d: string) => d <= new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** Body of `POST /v1/tasks/{id}/progress`. */
export const ProgressCreate = z.strictObject({
  reportDate: isoDate.check(z.refine(notAfterTomorrow, 'must not be in the future')),
  areaClearedSqm: z.number().check(z.minimum(0), z.maximum(10_000_000)),
  finds: z._default(z.array(Find).check(z.maxLength(200)), []),
  notes: z.optional(z.string().check(z.maxLength(2000))),
});
export type ProgressCreate = z.infer<typeof ProgressCreate>;

const FindReviewRecord = z.object({
  decision: z.enum(['CONFIRMED', 'REJECTED']),
  comment: z.string(),
  reviewedAt: z.iso.datetime(),
  reviewedBy: z.object({ sub: z.string(), role: z.string(), org: z.string() }),
});
export type FindReviewRecord = z.infer<typeof FindReviewRecord>;

/** A find as stored and shown: the filed facts, its id, and what became of it since. */
export const FindRecord = lazy(() =>
  z.object({
    id: z.string(),
    category: EoCategory,
    model: z.optional(z.string()),
    quantity: z.int(),
    condition: FindCondition,
    depthCm: z.optional(z.int()),
    position: Point,
    distanceOutsideHazardAreaM: z.number(),
    reviewRequired: z.boolean(),
    disposal: Disposal,
    review: z.optional(FindReviewRecord),
  }),
);

export const ProgressReport = named('ProgressReport', () =>
  z.object({
    ...StoredFields,
    taskId: Id,
    reportDate: z.string(),
    areaClearedSqm: z.number(),
    finds: z.array(FindRecord()),

    notes: z.optional(z.string()),
  }),
);
export type ProgressReport = z.infer<ReturnType<typeof ProgressReport>>;

/** Body of `POST /v1/tasks/{id}/finds/{findId}/review`. */
export const FindReview = z.strictObject({
  decision: z.enum(['CONFIRMED', 'REJECTED']),
  comment: z.string().check(z.trim(), z.minLength(1), z.maxLength(2000)),
});

/** Body of `POST /v1/tasks/{id}/finds/{findId}/disposal`. */
export const FindDisposal = z.strictObject({ disposal: z.enum(['DESTROYED_IN_SITU', 'REMOVED_FOR_DESTRUCTION', 'RENDERED_SAFE', 'NOT_DISPOSED']) });

/** The id of the `index`th find of a progress report. */
export const findId = (progressId: string, index: number) => `${progressId}-${index}`;

/** The progress report and index a find id names, or undefined for a malformed one. */
export function parseFindId(id: string): { progressId: string; index: number } | undefined {
  const m = /^([0-9A-HJKMNP-TV-Z]{26})-(\d{1,3})$/.exec(id);
  return m ? { progressId: m[1]!, index: Number(m[2]) } : undefined;
}

/** Body of `POST /v1/tasks/{id}/observations`: an ASEAN observer's record of a visit. */
export const ObservationCreate = z.strictObject({
  observedAt: z.iso.datetime().check(z.refine((d) => Date.parse(d) <= Date.now() + 86_400_000, 'must not be in the future')),
  point: z.optional(Point),
  findings: z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)),
  compliance: z.strictObject({ jointTeamPresent: z.boolean(), markingInPlace: z.boolean(), proceduresFollowed: z.boolean() }),
  /** The observation this one corrects: observations are never edited. */
  corrects: z.optional(Id),
});

export const Observation = named('Observation', () =>
  z.object({
    ...StoredFields,
    taskId: Id,
    observedAt: z.string(),
    point: z.optional(Point),
    findings: z.string(),
    compliance: z.object({ jointTeamPresent: z.boolean(), markingInPlace: z.boolean(), proceduresFollowed: z.boolean() }),
    corrects: z.optional(Id),
    recordedBy: z.object({ sub: z.string(), role: z.string(), org: z.string() }),
  }),
);
export type Observation = z.infer<ReturnType<typeof Observation>>;

// In history.ts, so that modules that only keep histories do not load the task schemas.
export { HistoryEntry } from './history.ts';

/** Who may see a task: deminers their team's, operations their country's and joint ones, everyone else all. */
export function canSeeTask(p: Principal, t: Pick<Task, 'teamIds' | 'countries'>): boolean {
  if (p.role === 'deminer') return p.team !== undefined && t.teamIds.includes(p.team);
  if (p.role === 'operations') return p.country !== undefined && t.countries.includes(p.country);
  return true;
}

/** Statistics of finds: every find by category, each disposal by quantity, and as destroyed only what was destroyed in situ. */
export function addFindCounters(counters: Record<string, number>, category: string, disposal: Disposal, quantity: number): void {
  const add = (k: string, n: number) => (counters[k] = (counters[k] ?? 0) + n);
  add(`eofound_${category}`, quantity);
  add(`eodisp_${disposal}`, quantity);
  if (disposal === 'DESTROYED_IN_SITU') add(`eod_${category}`, quantity);
}

/** A task as planned: version 1, PLANNED, in its hazard area's country and province (both countries when joint). */
export const newTask = (
  id: string,
  body: TaskCreate,
  hazard: { id: string; country: Country; province: string; adm2?: string | undefined },
  createdBy: string,
  now: string,
): Task => ({
  id,
  version: 1,
  createdAt: now,
  updatedAt: now,
  createdBy,
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
});
