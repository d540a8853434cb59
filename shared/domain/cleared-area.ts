import * as z from 'zod/mini';
import { Country, Id, lazy, StoredFields } from './common.ts';
import { Area } from './geometry.ts';
import { EoCategory } from './ordnance.ts';

/**
 * Completion reports of land release (IMAS 07.11, 08.30): what a completed task released, how,
 * QA's decision on it, and the handover of accepted land.
 */
export const OUTCOMES = ['CANCELLED', 'REDUCED', 'CLEARED'] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const ClearanceMethod = z.enum(['MANUAL', 'MECHANICAL', 'MDD', 'COMBINED', 'NTS', 'TS']);

export const CLEARED_AREA_STATUSES = ['SUBMITTED', 'QA_ACCEPTED', 'QA_REJECTED', 'HANDED_OVER'] as const;
export const ClearedAreaStatus = z.enum(CLEARED_AREA_STATUSES);
export type ClearedAreaStatus = z.infer<typeof ClearedAreaStatus>;

/** How far (m) a vertex of the released land may lie outside its hazard area: GPS error in the field. */
export const WITHIN_TOLERANCE_M = 10;

const isoDate = z.iso.date();
const today = () => new Date().toISOString().slice(0, 10);

const EoTotal = z.strictObject({ category: EoCategory, quantity: z.int().check(z.minimum(0), z.maximum(1_000_000)) });

/** Body of `POST /v1/cleared-areas`. */
export const ClearedAreaCreate = z
  .strictObject({
    taskId: Id,
    outcome: Outcome,
    method: ClearanceMethod,
    /** Clearance depth, required for CLEARED land. */
    depthCm: z.optional(z.int().check(z.minimum(1), z.maximum(1000))),
    completedAt: isoDate.check(z.refine((d) => d <= today(), 'must not be in the future')),
    geometry: Area,
    /** The team's own EO totals; compared with the sum of the task's progress reports. */
    eoTotals: z.optional(z.array(EoTotal).check(z.maxLength(20), z.refine((t) => new Set(t.map((e) => e.category)).size === t.length, 'must not repeat a category'))),
    /** The submitting team; a deminer submits for its own team. */
    submittingTeamId: z.optional(Id),
    notes: z.optional(z.string().check(z.maxLength(2000))),
  })
  .check(z.refine((r) => r.outcome !== 'CLEARED' || r.depthCm !== undefined, { message: 'is required for CLEARED land', path: ['depthCm'] }));
export type ClearedAreaCreate = z.infer<typeof ClearedAreaCreate>;

const Nonconformity = z.strictObject({
  type: z.enum(['DOCUMENTATION', 'MARKING', 'DEPTH', 'BOUNDARY', 'PROCEDURE', 'SAFETY', 'QUALITY_CONTROL', 'OTHER']),
  severity: z.enum(['MINOR', 'MAJOR', 'CRITICAL']),
  description: z.optional(z.string().check(z.maxLength(2000))),
  correctiveAction: z.string().check(z.trim(), z.minLength(1), z.maxLength(2000)),
});

/** Body of `POST /v1/cleared-areas/{id}/qa`. */
export const QaDecision = z
  .strictObject({
    decision: z.enum(['ACCEPTED', 'REJECTED']),
    nonconformities: z._default(z.array(Nonconformity).check(z.maxLength(50)), []),
    comment: z.optional(z.string().check(z.maxLength(2000))),
  })
  .check(
    z.refine((d) => d.decision !== 'REJECTED' || d.nonconformities.length > 0, { message: 'a rejection names at least one nonconformity', path: ['nonconformities'] }),
    z.refine((d) => d.decision !== 'ACCEPTED' || d.nonconformities.every((n) => n.severity !== 'CRITICAL'), { message: 'land with a critical nonconformity cannot be accepted', path: ['nonconformities'] }),
  );

const SIGNATORY_ROLES = ['NATIONAL_AUTHORITY', 'OPERATOR', 'COMMUNITY', 'AOT_OBSERVER'] as const;
const Signatory = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  role: z.enum(SIGNATORY_ROLES),
  organisation: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
});

/** Body of `POST /v1/cleared-areas/{id}/handover`: the handover certificate. */
const handoverShape = {
  certificateRef: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  date: isoDate.check(z.refine((d) => d <= today(), 'must not be in the future')),
  receivedBy: z.strictObject({ type: z.enum(['COMMUNITY', 'LAND_USER']), name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)) }),
  signatories: z.array(Signatory).check(z.minLength(3), z.maxLength(10)),
  residualRisk: z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)),
};
export const Handover = z
  .strictObject(handoverShape)
  .check(
    z.refine((h) => ['NATIONAL_AUTHORITY', 'OPERATOR', 'COMMUNITY'].every((role) => h.signatories.some((s) => s.role === role)), {
      message: 'the national authority, the operator and the community must each sign (an AOT observer may)',
      path: ['signatories'],
    }),
  );
export type Handover = z.infer<typeof Handover>;

const Actor = z.object({ sub: z.string(), role: z.string(), org: z.string() });

export const ClearedArea = lazy(() =>
  z.object({
  ...StoredFields,
  taskId: Id,
  hazardAreaId: Id,
  country: Country,
  province: z.string(),
  /** Countries whose QA may decide: the hazard area's, and both for a joint task. */
  countries: z.array(Country),
  submittingTeamId: z.optional(Id),
  submittedBy: Actor,
  outcome: Outcome,
  method: ClearanceMethod,
  depthCm: z.optional(z.int()),
  completedAt: z.string(),
  geometry: Area,
  areaSqm: z.number(),
  eo: z.object({
    fromProgressReports: z.record(z.string(), z.number()),
    reported: z.optional(z.record(z.string(), z.number())),
    /** True when the team's totals differ from its progress reports; shown, never hidden. */
    mismatch: z.boolean(),
    differences: z.record(z.string(), z.number()),
  }),
  notes: z.optional(z.string()),
  status: ClearedAreaStatus,
  qa: z.optional(
    z.object({
      decision: z.enum(['ACCEPTED', 'REJECTED']),
      nonconformities: z.array(Nonconformity),
      comment: z.optional(z.string()),
      decidedAt: z.iso.datetime(),
      decidedBy: Actor,
    }),
  ),
  handover: z.optional(z.object({ ...handoverShape, recordedAt: z.iso.datetime(), recordedBy: Actor })),
  }),
);
export type ClearedArea = z.infer<ReturnType<typeof ClearedArea>>;
