import * as z from 'zod/mini';
import { Country, Id, lazy, StoredFields } from './common.ts';
import { Area } from './geometry.ts';
import { ContaminationPeriod, EoCategory, EoModel } from './ordnance.ts';
import { isProvinceOf } from './provinces.ts';
import type { Role } from './roles.ts';

export const HAZARD_STATUSES = ['OPEN', 'WORKED_ON', 'SUSPENDED', 'CLOSED', 'HANDED_OVER'] as const;
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
    district: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
    village: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
    contested: z._default(z.boolean(), false),
    classification: Classification,
    evidence: Evidence,
    dateOfInformation: isoDate.check(z.refine(notInFuture, 'must not be in the future')),
    contamination: z.array(Contamination).check(z.minLength(1), z.maxLength(20)),
    geometry: Area,
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
  })
  .check(z.refine((p) => Object.keys(p).length > 0, 'name at least one field to change'));
export type HazardAreaPatch = z.infer<typeof HazardAreaPatch>;

export const HazardArea = lazy(() =>
  z.object({
  ...StoredFields,
  reference: z.string(),
  name: z.string(),
  country: Country,
  province: z.string(),
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
 * when the first task on the area starts; `CLOSED` by land release and `HANDED_OVER` by handover
 * come with the cleared-area records.
 */
export const HAZARD_TRANSITIONS: Readonly<Record<HazardStatus, Partial<Record<HazardStatus, readonly Role[]>>>> = {
  OPEN: { WORKED_ON: ['operations', 'admin'], CLOSED: ['operations', 'admin'] },
  WORKED_ON: { SUSPENDED: ['operations', 'admin'], CLOSED: ['operations', 'admin'] },
  SUSPENDED: { WORKED_ON: ['operations', 'admin'], CLOSED: ['operations', 'admin'] },
  CLOSED: { HANDED_OVER: ['admin'] },
  HANDED_OVER: {},
};

export const allowedHazardMoves = (from: HazardStatus, role: Role): HazardStatus[] =>
  (Object.entries(HAZARD_TRANSITIONS[from]) as [HazardStatus, readonly Role[]][]).filter(([, roles]) => roles.includes(role)).map(([to]) => to);

export const HazardAreaId = Id;
