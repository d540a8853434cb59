import * as z from 'zod/mini';
import { Country, Id, StoredFields, named } from './common.ts';
import { Area } from './geometry.ts';
import { EoCategory } from './ordnance.ts';
import { MAX_REPORT_VERTICES, vertexCount } from './land-release.ts';
import { borderToday } from './border-day.ts';

/** Parts one completion report may hold. */
export const MAX_PARTS = 50;

/**
 * Completion reports of land release (IMAS 07.11, 08.30): what a completed task released, how,
 * QA's decision on it, and the handover of accepted land.
 */
export const OUTCOMES = ['CANCELLED', 'REDUCED', 'CLEARED'] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

export const ClearanceMethod = z.enum(['MANUAL', 'MECHANICAL', 'MDD', 'COMBINED', 'NTS', 'TS']);

/**
 * SUBMITTED until every required country's QA decided; QA_REJECTED on any rejection; QA_ACCEPTED
 * when all accepted; NOT_ATTESTED when the ASEAN observers refused to attest an accepted joint
 * release (taken back like a rejection); HANDED_OVER after handover.
 */
export const CLEARED_AREA_STATUSES = ['SUBMITTED', 'QA_ACCEPTED', 'QA_REJECTED', 'NOT_ATTESTED', 'HANDED_OVER'] as const;
export const ClearedAreaStatus = z.enum(CLEARED_AREA_STATUSES);
export type ClearedAreaStatus = z.infer<typeof ClearedAreaStatus>;

/** How far (m) a vertex of the released land may lie outside its hazard area: GPS error in the field. */
export const WITHIN_TOLERANCE_M = 10;

const isoDate = z.iso.date();
/** Dates recorded on the border are checked against its day (UTC+7), not the server's. */
const today = () => borderToday();

const EoTotal = z.strictObject({ category: EoCategory, quantity: z.int().check(z.minimum(0), z.maximum(1_000_000)) });

const partShape = {
  outcome: Outcome,
  method: ClearanceMethod,
  /** Clearance depth, required for CLEARED land. */
  depthCm: z.optional(z.int().check(z.minimum(1), z.maximum(1000))),
  /** Why a non-technical survey found no evidence of contamination; required for CANCELLED land. */
  evidence: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(4000))),
  geometry: Area,
};

/** One part of a completion report: land released in one way. */
export const ReportPart = z.strictObject(partShape).check(
  z.refine((p) => p.outcome !== 'CLEARED' || p.depthCm !== undefined, { message: 'is required for CLEARED land', path: ['depthCm'] }),
  z.refine((p) => p.outcome !== 'CANCELLED' || p.evidence !== undefined, {
    message: 'is required for CANCELLED land: why the survey found no evidence of contamination',
    path: ['evidence'],
  }),
);
export type ReportPart = z.infer<typeof ReportPart>;

const reportFacts = {
  taskId: Id,
  completedAt: isoDate.check(z.refine((d) => d <= today(), 'must not be in the future')),
  /** The team's own EO totals; compared with the sum of the task's progress reports. */
  eoTotals: z.optional(
    z.array(EoTotal).check(
      z.maxLength(20),
      z.refine((t) => new Set(t.map((e) => e.category)).size === t.length, 'must not repeat a category'),
    ),
  ),
  /** The submitting team; a deminer submits for its own team. */
  submittingTeamId: z.optional(Id),
  notes: z.optional(z.string().check(z.maxLength(2000))),
};

const single = (r: { parts?: unknown }) => r.parts === undefined;

/**
 * Body of `POST /v1/cleared-areas`: `parts` (1 to 50), or the single-part body (outcome,
 * method, depthCm, evidence and geometry at the top level), which is a report of one part.
 */
export const ClearedAreaCreate = z
  .strictObject({
    ...reportFacts,
    parts: z.optional(z.array(ReportPart).check(z.minLength(1), z.maxLength(MAX_PARTS))),
    outcome: z.optional(Outcome),
    method: z.optional(ClearanceMethod),
    depthCm: partShape.depthCm,
    evidence: partShape.evidence,
    geometry: z.optional(Area),
  })
  .check(
    z.refine((r) => single(r) || (r.outcome ?? r.method ?? r.depthCm ?? r.evidence ?? r.geometry) === undefined, {
      message: 'give either parts, or one part at the top level (outcome, method, depthCm, evidence, geometry), not both',
      path: ['parts'],
    }),
    z.refine((r) => !single(r) || r.outcome !== undefined, { message: 'is required (or give parts)', path: ['outcome'] }),
    z.refine((r) => !single(r) || r.method !== undefined, { message: 'is required (or give parts)', path: ['method'] }),
    z.refine((r) => !single(r) || r.geometry !== undefined, { message: 'is required (or give parts)', path: ['geometry'] }),
    z.refine((r) => !single(r) || r.outcome !== 'CLEARED' || r.depthCm !== undefined, { message: 'is required for CLEARED land', path: ['depthCm'] }),
    z.refine((r) => !single(r) || r.outcome !== 'CANCELLED' || r.evidence !== undefined, {
      message: 'is required for CANCELLED land: why the survey found no evidence of contamination',
      path: ['evidence'],
    }),
    z.refine((r) => (r.parts ?? (r.geometry ? [{ geometry: r.geometry }] : [])).reduce((n, p) => n + vertexCount(p.geometry), 0) <= MAX_REPORT_VERTICES, {
      message: `a report holds at most ${MAX_REPORT_VERTICES} vertices over all its parts`,
      path: ['parts'],
    }),
  );
export type ClearedAreaCreate = z.infer<typeof ClearedAreaCreate>;

/** The parts of a create body, whichever form it took. */
export const partsOf = (body: ClearedAreaCreate): ReportPart[] => {
  if (body.parts) return body.parts;
  const { outcome, method, depthCm, evidence, geometry } = body;
  return [
    { outcome: outcome!, method: method!, geometry: geometry!, ...(depthCm !== undefined ? { depthCm } : {}), ...(evidence !== undefined ? { evidence } : {}) },
  ];
};

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
    /** The country an admin decides for; QA decide for their own country and leave it out. */
    country: z.optional(Country),
  })
  .check(
    z.refine((d) => d.decision !== 'REJECTED' || d.nonconformities.length > 0, {
      message: 'a rejection names at least one nonconformity',
      path: ['nonconformities'],
    }),
    z.refine((d) => d.decision !== 'ACCEPTED' || d.nonconformities.every((n) => n.severity !== 'CRITICAL'), {
      message: 'land with a critical nonconformity cannot be accepted',
      path: ['nonconformities'],
    }),
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
export const Handover = z.strictObject(handoverShape).check(
  z.refine((h) => ['NATIONAL_AUTHORITY', 'OPERATOR', 'COMMUNITY'].every((role) => h.signatories.some((s) => s.role === role)), {
    message: 'the national authority, the operator and the community must each sign (an AOT observer may)',
    path: ['signatories'],
  }),
);
export type Handover = z.infer<typeof Handover>;

const Actor = z.object({ sub: z.string(), role: z.string(), org: z.string() });

/** Body of `POST /v1/cleared-areas/{id}/attestation`: the ASEAN Observer Team's word on a joint release. */
export const Attestation = z.strictObject({
  decision: z.enum(['ATTESTED', 'NOT_ATTESTED']),
  findings: z.string().check(z.trim(), z.minLength(1), z.maxLength(4000)),
});
export type Attestation = z.infer<typeof Attestation>;

const QaDecisionRecord = z.object({
  country: Country,
  decision: z.enum(['ACCEPTED', 'REJECTED']),
  nonconformities: z.array(Nonconformity),
  comment: z.optional(z.string()),
  decidedAt: z.iso.datetime(),
  decidedBy: Actor,
});
export type QaDecisionRecord = z.infer<typeof QaDecisionRecord>;

export const ClearedArea = named('ClearedArea', () =>
  z.object({
    ...StoredFields,
    taskId: Id,
    hazardAreaId: Id,
    country: Country,
    province: z.string(),
    /** The hazard area's district (gazetteer `adm2`), when it has one. */
    adm2: z.optional(z.string()),
    /** Countries whose QA may decide: the hazard area's, and both for a joint task. */
    countries: z.array(Country),
    submittingTeamId: z.optional(Id),
    submittedBy: Actor,
    /** The first part's outcome and method (kept for clients of single-part reports: read `parts`). */
    outcome: Outcome,
    method: ClearanceMethod,
    depthCm: z.optional(z.int()),
    completedAt: z.string(),
    /** All parts' land (a MultiPolygon when there are several). */
    geometry: Area,
    /** The parts' m² added up. */
    areaSqm: z.number(),
    parts: z.array(z.object({ ...partShape, areaSqm: z.number() })),
    /** Countries whose QA must each accept: both for a joint task or contested land, else the area's. */
    requiredQaCountries: z.array(Country),
    qaDecisions: z.array(QaDecisionRecord),
    /** Whether handover needs an ASEAN observer's attestation (joint task or contested land, by default). */
    attestationRequired: z.boolean(),
    attestation: z.optional(
      z.object({ ...{ decision: z.enum(['ATTESTED', 'NOT_ATTESTED']), findings: z.string() }, attestedAt: z.iso.datetime(), attestedBy: Actor }),
    ),
    eo: z.object({
      fromProgressReports: z.record(z.string(), z.number()),
      reported: z.optional(z.record(z.string(), z.number())),
      /** True when the team's totals differ from its progress reports; shown, never hidden. */
      mismatch: z.boolean(),
      differences: z.record(z.string(), z.number()),
    }),
    notes: z.optional(z.string()),
    status: ClearedAreaStatus,
    /** The final outcome once every required country decided (or one rejected). */
    qa: z.optional(
      z.object({
        decision: z.enum(['ACCEPTED', 'REJECTED']),
        nonconformities: z.array(Nonconformity),
        comment: z.optional(z.string()),
        decidedAt: z.iso.datetime(),
        decidedBy: Actor,
      }),
    ),
    /** Names (receiving party, signatories) are shown only within the report's country and to admins. */
    handover: z.optional(
      z.object({
        ...handoverShape,
        receivedBy: z.object({ type: z.enum(['COMMUNITY', 'LAND_USER']), name: z.optional(z.string()) }),
        signatories: z.array(z.object({ name: z.optional(z.string()), role: z.enum(SIGNATORY_ROLES), organisation: z.string() })),
        /** The observers' attestation the handover rests on, when one was required. */
        attestation: z.optional(z.object({ decision: z.string(), attestedAt: z.string(), attestedBy: Actor })),
        recordedAt: z.iso.datetime(),
        recordedBy: Actor,
      }),
    ),
  }),
);
export type ClearedArea = z.infer<ReturnType<typeof ClearedArea>>;
