import * as z from 'zod/mini';
import { Country, Id, StoredFields, named } from './common.ts';
import { Area } from './geometry.ts';
import { ContaminationPeriod, EoCategory, EoModel } from './ordnance.ts';
import { isProvinceOf } from './provinces.ts';
import type { Role } from './roles.ts';

/**
 * `OPEN → WORKED_ON → (SUSPENDED) → CLOSED → HANDED_OVER`, or `WITHDRAWN` for a record made in
 * error. CLOSED comes only from accepted land release that leaves nothing, HANDED_OVER only from
 * handover: never by hand.
 */
export const HAZARD_STATUSES = ['OPEN', 'WORKED_ON', 'SUSPENDED', 'CLOSED', 'HANDED_OVER', 'WITHDRAWN'] as const;
export const HazardStatus = z.enum(HAZARD_STATUSES);
export type HazardStatus = z.infer<typeof HazardStatus>;

export const Classification = z.enum(['SHA', 'CHA']);
export const Evidence = z.enum(['DIRECT', 'INDIRECT', 'NONE']);

const Contamination = z.strictObject({
  category: EoCategory,
  model: z.optional(EoModel),
  period: ContaminationPeriod,
});

const isoDate = z.iso.date();
const notInFuture = (d: string) => d <= new Date().toISOString().slice(0, 10);

/** Body of `POST /v1/hazard-areas`. */
export const HazardAreaCreate = z
  .strictObject({
    reference: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(60))),
    name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
    country: z.enum(['KH', 'TH']),
    province: z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22 or TH34')),
    /**
     * District and commune (tambon) P-codes from the gazetteer, checked against it and each other; `adm3` also
     * indexes the area for destinations without a point.
     */
    adm2: z.optional(z.string().check(z.regex(/^(KH|TH)\d{4}$/, 'must be a district P-code such as KH2203'))),
    adm3: z.optional(z.string().check(z.regex(/^(KH|TH)\d{6}$/, 'must be a commune or tambon P-code such as KH220305'))),
    adm4: z.optional(z.string().check(z.regex(/^KH\d{8}$/, 'must be a Cambodian village P-code such as KH22030501'))),
    district: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
    village: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
    contested: z._default(z.boolean(), false),
    classification: Classification,
    evidence: Evidence,
    dateOfInformation: isoDate.check(z.refine(notInFuture, 'must not be in the future')),
    contamination: z.array(Contamination).check(z.minLength(1), z.maxLength(20)),
    geometry: Area,
    /** Ordnance found on land released earlier: the completion report whose land this new suspected area lies on. */
    foundOnReleasedLand: z.optional(z.strictObject({ clearedAreaId: Id })),
  })
  .check(z.refine((h) => isProvinceOf(h.province, h.country), { message: 'is not a border province of the given country', path: ['province'] }));
export type HazardAreaCreate = z.infer<typeof HazardAreaCreate>;

/** Body of `PATCH /v1/hazard-areas/{id}`: the survey facts that may be corrected. Status moves go through transitions. */
export const HazardAreaPatch = z
  .strictObject({
    name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
    contested: z.optional(z.boolean()),
    classification: z.optional(Classification),
    evidence: z.optional(Evidence),
    dateOfInformation: z.optional(isoDate.check(z.refine(notInFuture, 'must not be in the future'))),
    contamination: z.optional(z.array(Contamination).check(z.minLength(1), z.maxLength(20))),
    /** A correction of the polygon, only while no completion report exists for the area. */
    geometry: z.optional(Area),
  })
  .check(z.refine((p) => Object.keys(p).length > 0, 'name at least one field to change'));
export type HazardAreaPatch = z.infer<typeof HazardAreaPatch>;

export const HazardArea = named('HazardArea', () =>
  z.object({
    ...StoredFields,
    reference: z.string(),
    name: z.string(),
    country: Country,
    province: z.string(),
    adm2: z.optional(z.string()),
    adm3: z.optional(z.string()),
    adm4: z.optional(z.string()),
    district: z.optional(z.string()),
    village: z.optional(z.string()),
    contested: z.boolean(),
    classification: Classification,
    evidence: Evidence,
    dateOfInformation: z.string(),
    contamination: z.array(Contamination),
    geometry: Area,
    areaSqm: z.number(),
    remainingSqm: z.number(),
    /**
     * The land still contaminated: the polygon minus every accepted part. Absent while nothing has
     * been released (the whole polygon remains), null once nothing remains.
     */
    remainingGeometry: z.optional(z.nullable(Area)),
    /** True when the remaining geometry was simplified outward to fit the record (it may then be larger, never smaller). */
    remainingSimplified: z.optional(z.boolean()),
    /** True once a completion report exists for the area: the polygon can no longer be corrected. */
    hasCompletionReport: z.optional(z.boolean()),
    foundOnReleasedLand: z.optional(z.object({ clearedAreaId: Id, hazardAreaId: Id })),
    withdrawn: z.optional(z.object({ reason: z.string(), at: z.iso.datetime(), by: z.object({ sub: z.string(), role: z.string(), org: z.string() }) })),
    /** Land released by accepted completion reports (m²). */
    releasedSqm: z.optional(z.number()),
    /** Released land handed over to its users (m²). */
    handedOverSqm: z.optional(z.number()),
    status: HazardStatus,
    statusChangedAt: z.iso.datetime(),
  }),
);
export type HazardArea = z.infer<ReturnType<typeof HazardArea>>;

/** Body of `POST /v1/hazard-areas/{id}/transitions`. */
export const HazardTransition = z.strictObject({
  to: HazardStatus,
  reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)),
  comment: z.optional(z.string().check(z.maxLength(2000))),
  date: z.optional(isoDate.check(z.refine(notInFuture, 'must not be in the future'))),
});

/**
 * Status moves a person may make by hand, and who. `OPEN → WORKED_ON` also happens by itself
 * when the first task on the area starts. `CLOSED` (accepted land release leaves nothing) and
 * `HANDED_OVER` (handover) come only with the cleared-area records; `WITHDRAWN` is for a record
 * made in error or twice, refused once any land of the area was accepted as released.
 */
export const HAZARD_TRANSITIONS: Readonly<Record<HazardStatus, Partial<Record<HazardStatus, readonly Role[]>>>> = {
  OPEN: { WORKED_ON: ['operations', 'admin'], WITHDRAWN: ['operations', 'admin'] },
  WORKED_ON: { SUSPENDED: ['operations', 'admin'], WITHDRAWN: ['operations', 'admin'] },
  SUSPENDED: { WORKED_ON: ['operations', 'admin'], WITHDRAWN: ['operations', 'admin'] },
  CLOSED: {},
  HANDED_OVER: {},
  WITHDRAWN: {},
};

/** Statuses only land release and handover reach. */
export const RELEASE_ONLY_STATUSES: readonly HazardStatus[] = ['CLOSED', 'HANDED_OVER'];

/** Statuses on which no new task or report may start. */
export const FINISHED_HAZARD_STATUSES: readonly HazardStatus[] = ['CLOSED', 'HANDED_OVER', 'WITHDRAWN'];

/** The land that still makes returns unsafe, as the record holds it. */
export const contaminatedLand = (h: Pick<HazardArea, 'geometry' | 'remainingGeometry'>): Area | null =>
  h.remainingGeometry === undefined ? h.geometry : h.remainingGeometry;

export const allowedHazardMoves = (from: HazardStatus, role: Role): HazardStatus[] =>
  (Object.entries(HAZARD_TRANSITIONS[from]) as [HazardStatus, readonly Role[]][]).filter(([, roles]) => roles.includes(role)).map(([to]) => to);

export const HazardAreaId = Id;
