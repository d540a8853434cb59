import * as z from 'zod/mini';
import { Country, Id, lazy, StoredFields } from './common.ts';
import { Point } from './geometry.ts';
import { AGE_BANDS, ageBand, type AgeBand } from './household.ts';
import { ContaminationPeriod, EoCategory, EoModel } from './ordnance.ts';
import { isProvinceOf } from './provinces.ts';
import type { Principal } from './roles.ts';
import { borderToday } from './border-day.ts';

/**
 * Accidents and their victims (IMAS 05.10, IMSMA "Accident"). Pure: schemas, who reads victims'
 * names and contacts, the casualty counters an accident contributes, and the facts both
 * ministries are told (no names, no breakdown).
 *
 * Victims' `name` and `contact` are personal data: stored apart from the accident (the item
 * `ACCIDENT#<id>`/`VICTIMS`, with its own retention), read by operations and the ministry of the
 * recording country and admins; everyone else reads the accident without them.
 */

export const ACTIVITIES = [
  'FARMING',
  'COLLECTING_FOOD_OR_WOOD',
  'HERDING',
  'TRAVELLING',
  'PLAYING',
  'TAMPERING',
  'DEMINING',
  'MILITARY_DUTY',
  'OTHER',
] as const;
export const Activity = z.enum(ACTIVITIES);
export const OUTCOMES = ['KILLED', 'INJURED'] as const;
export const VictimOutcome = z.enum(OUTCOMES);
export type VictimOutcome = (typeof OUTCOMES)[number];
export const VICTIM_TYPES = ['CIVILIAN', 'DEMINER', 'MILITARY', 'POLICE', 'OTHER'] as const;
export const VictimType = z.enum(VICTIM_TYPES);
export const VICTIM_SEXES = ['F', 'M', 'X'] as const;
export const VictimSex = z.enum(VICTIM_SEXES);
export const Nationality = z.enum(['KH', 'TH', 'OTHER']);
export const AgeBandSchema = z.enum(AGE_BANDS);
export const INJURIES = ['AMPUTATION_LOWER_LIMB', 'AMPUTATION_UPPER_LIMB', 'EYE', 'HEARING', 'FRAGMENTATION', 'BURNS', 'INTERNAL', 'OTHER'] as const;

/** The displacement age band of an age in years. */
export const ageBandOfAge = (age: number): AgeBand => ageBand(0, age);

/** Most victims one accident records (a transaction keeps the counters of all of them). */
export const MAX_VICTIMS = 50;

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
/** Dates recorded on the border are checked against its day (UTC+7), not the server's. */
const today = () => borderToday();

export const VictimInput = z
  .strictObject({
    sex: VictimSex,
    age: z.optional(z.int().check(z.minimum(0), z.maximum(120))),
    ageBand: z.optional(AgeBandSchema),
    outcome: VictimOutcome,
    injuries: z.optional(z.array(z.enum(INJURIES)).check(z.maxLength(8))),
    victimType: VictimType,
    nationality: Nationality,
    /** Personal data: see the module's note. */
    name: z.optional(text(200)),
    /** Personal data: a phone number or a note on how to reach the victim or the family. */
    contact: z.optional(text(300)),
    /** The service the victim was referred to (hospital, rehabilitation centre). */
    referredTo: z.optional(text(200)),
  })
  .check(
    z.refine((v) => v.age !== undefined || v.ageBand !== undefined, { message: 'give age or ageBand', path: ['age'] }),
    z.refine((v) => v.age === undefined || v.ageBand === undefined || ageBandOfAge(v.age) === v.ageBand, {
      message: 'ageBand does not match age',
      path: ['ageBand'],
    }),
  );
export type VictimInput = z.infer<typeof VictimInput>;

/** Body of `POST /v1/accidents`. */
export const AccidentCreate = z
  .strictObject({
    country: Country,
    /** The date (YYYY-MM-DD) or date-time (UTC) of the accident. */
    occurredAt: z.union([z.iso.date(), z.iso.datetime()]).check(z.refine((d) => d.slice(0, 10) <= today(), 'must not be in the future')),
    point: Point,
    province: z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a province P-code such as KH22')),
    adm2: z.optional(z.string().check(z.regex(/^(KH|TH)\d{4}$/, 'must be a district P-code'))),
    adm3: z.optional(z.string().check(z.regex(/^(KH|TH)\d{6}$/, 'must be a commune P-code'))),
    device: z.strictObject({ category: EoCategory, model: z.optional(EoModel) }),
    activityAtTime: Activity,
    source: text(200),
    description: z.optional(text(4000)),
    hazardAreaId: z.optional(Id),
    createSuspectedHazardArea: z.optional(
      z.strictObject({
        radiusM: z._default(z.int().check(z.minimum(10), z.maximum(2000)), 100),
        name: z.optional(text(200)),
        /** The contamination period of the device, recorded on the suspected area. */
        period: z._default(ContaminationPeriod, 'LEGACY'),
      }),
    ),
    victims: z._default(z.array(VictimInput).check(z.maxLength(MAX_VICTIMS)), []),
  })
  .check(
    z.refine((a) => isProvinceOf(a.province, a.country), { message: 'is not a border province of the given country', path: ['province'] }),
    z.refine((a) => !(a.hazardAreaId && a.createSuspectedHazardArea), {
      message: 'name a recorded hazard area or ask for a suspected one, not both',
      path: ['createSuspectedHazardArea'],
    }),
  );
export type AccidentCreate = z.infer<typeof AccidentCreate>;

/** Body of `PATCH /v1/accidents/{id}`: facts that may be corrected (the point and the area stay as recorded). */
export const AccidentPatch = z
  .strictObject({
    occurredAt: z.optional(z.union([z.iso.date(), z.iso.datetime()]).check(z.refine((d) => d.slice(0, 10) <= today(), 'must not be in the future'))),
    device: z.optional(z.strictObject({ category: EoCategory, model: z.optional(EoModel) })),
    activityAtTime: z.optional(Activity),
    source: z.optional(text(200)),
    description: z.optional(z.nullable(text(4000))),
    victims: z.optional(z.array(VictimInput).check(z.maxLength(MAX_VICTIMS))),
  })
  .check(z.refine((p) => Object.keys(p).length > 0, 'name at least one field to change'));
export type AccidentPatch = z.infer<typeof AccidentPatch>;

/** A victim as stored on the accident: no name, no contact (those are in the personal item). */
export interface Victim {
  sex: (typeof VICTIM_SEXES)[number];
  age?: number | undefined;
  ageBand: AgeBand;
  outcome: VictimOutcome;
  injuries?: (typeof INJURIES)[number][] | undefined;
  victimType: (typeof VICTIM_TYPES)[number];
  nationality: 'KH' | 'TH' | 'OTHER';
  referredTo?: string | undefined;
  /** Personal, only in answers to those who may read it. */
  name?: string | undefined;
  contact?: string | undefined;
}

/** The personal data of victims, by position in `victims`. */
export interface VictimPersonal {
  index: number;
  name?: string | undefined;
  contact?: string | undefined;
}

export interface Accident {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  reference: string;
  country: Country;
  occurredAt: string;
  point: Point;
  province: string;
  adm2?: string | undefined;
  adm3?: string | undefined;
  device: { category: z.infer<typeof EoCategory>; model?: string | undefined };
  activityAtTime: (typeof ACTIVITIES)[number];
  source: string;
  description?: string | undefined;
  hazardAreaId?: string | undefined;
  /** True when the accident recorded the suspected hazard area `hazardAreaId` around its point. */
  createdSuspectedHazardArea?: boolean | undefined;
  /** The hazard areas within 2 km (not closed) when it was recorded, whose priority it counts in. */
  nearHazardAreaIds: string[];
  victims: Victim[];
  killed: number;
  injured: number;
  /** When victims' names and contacts were erased, if they were, why and by whom (role and organisation). */
  victimDataErasedAt?: string | undefined;
  victimDataErasure?: { reason: string; by: { role: string; org: string } } | undefined;
}

/** Splits victims as given into what the accident stores and the personal data kept apart. */
export function splitVictims(victims: readonly VictimInput[]): { victims: Victim[]; personal: VictimPersonal[] } {
  const personal: VictimPersonal[] = [];
  const stored = victims.map((v, index): Victim => {
    if (v.name || v.contact) personal.push({ index, ...(v.name ? { name: v.name } : {}), ...(v.contact ? { contact: v.contact } : {}) });
    return {
      sex: v.sex,
      ...(v.age !== undefined ? { age: v.age } : {}),
      ageBand: v.ageBand ?? ageBandOfAge(v.age!),
      outcome: v.outcome,
      ...(v.injuries ? { injuries: v.injuries } : {}),
      victimType: v.victimType,
      nationality: v.nationality,
      ...(v.referredTo ? { referredTo: v.referredTo } : {}),
    };
  });
  return { victims: stored, personal };
}

export const totalsOf = (victims: readonly Victim[]) => ({
  killed: victims.filter((v) => v.outcome === 'KILLED').length,
  injured: victims.filter((v) => v.outcome === 'INJURED').length,
});

/** Who reads victims' names and contacts: operations and the ministry of the recording country, and admins. */
export const canReadVictimData = (p: Pick<Principal, 'role' | 'country'>, a: Pick<Accident, 'country'>): boolean =>
  p.role === 'admin' || ((p.role === 'operations' || p.role === 'ministry') && p.country === a.country);

/** Who records and corrects accidents: operations of the accident's country, and admins. */
export const canRecordAccident = (p: Pick<Principal, 'role' | 'country'>, country: string): boolean =>
  p.role === 'admin' || (p.role === 'operations' && p.country === country);

/** The accident with its victims' personal data merged in. */
export function withVictimData(a: Accident, personal: readonly VictimPersonal[]): Accident {
  const byIndex = new Map(personal.map((p) => [p.index, p]));
  return {
    ...a,
    victims: a.victims.map((v, i) => ({
      ...v,
      ...(byIndex.get(i)?.name ? { name: byIndex.get(i)!.name } : {}),
      ...(byIndex.get(i)?.contact ? { contact: byIndex.get(i)!.contact } : {}),
    })),
  };
}

/**
 * Casualty counters of an accident (negated with `sign` -1 to take it back): accidents, killed and
 * injured, and each by sex and age band, by victim type, by the device category.
 * Flat names (`killed_F_18-59`) so that `ADD` creates them on first use.
 */
export function casualtyCounters(a: Pick<Accident, 'victims' | 'device'>, sign: 1 | -1 = 1): Record<string, number> {
  const c: Record<string, number> = {};
  const inc = (k: string) => (c[k] = (c[k] ?? 0) + sign);
  inc('accidents');
  inc(`accidents_device_${a.device.category}`);
  for (const v of a.victims) {
    const o = v.outcome === 'KILLED' ? 'killed' : 'injured';
    inc(o);
    inc(`${o}_${v.sex}_${v.ageBand}`);
    inc(`${o}_type_${v.victimType}`);
  }
  return c;
}

/** Paths of the counts about people in a casualty view, for the small-cell rule. */
export const CASUALTY_COUNT_PATHS = ['killed', 'injured', 'bySexAndAge.*.*.*', 'byVictimType.*.*'];

/** The casualty statistics as the API shows them. */
export function casualtyView(c: Record<string, number>) {
  const sexAge = (o: string) => Object.fromEntries(VICTIM_SEXES.map((s) => [s, Object.fromEntries(AGE_BANDS.map((b) => [b, c[`${o}_${s}_${b}`] ?? 0]))]));
  return {
    accidents: c.accidents ?? 0,
    accidentsByDevice: Object.fromEntries(
      ['AP_MINE', 'AT_MINE', 'UXO', 'AXO', 'SUBMUNITION', 'BOOBY_TRAP', 'IED', 'OTHER'].map((k) => [k, c[`accidents_device_${k}`] ?? 0]),
    ),
    killed: c.killed ?? 0,
    injured: c.injured ?? 0,
    bySexAndAge: { killed: sexAge('killed'), injured: sexAge('injured') },
    byVictimType: Object.fromEntries(
      OUTCOMES.map((o) => [o.toLowerCase(), Object.fromEntries(VICTIM_TYPES.map((t) => [t, c[`${o.toLowerCase()}_type_${t}`] ?? 0]))]),
    ),
  };
}

/** The point rounded to about 100 m (three decimals of a degree), for events both ministries receive. */
export const roundedPoint = (p: Point): Point => ({
  type: 'Point',
  coordinates: [Math.round(p.coordinates[0]! * 1000) / 1000, Math.round(p.coordinates[1]! * 1000) / 1000],
});

/** Response schema, for the OpenAPI document. */
export const AccidentSchema = lazy(() =>
  z.object({
    ...StoredFields,
    reference: z.string(),
    country: Country,
    occurredAt: z.string(),
    point: Point,
    province: z.string(),
    adm2: z.optional(z.string()),
    adm3: z.optional(z.string()),
    device: z.object({ category: EoCategory, model: z.optional(z.string()) }),
    activityAtTime: Activity,
    source: z.string(),
    description: z.optional(z.string()),
    hazardAreaId: z.optional(Id),
    createdSuspectedHazardArea: z.optional(z.boolean()),
    nearHazardAreaIds: z.array(Id),
    victims: z.array(
      z.object({
        sex: VictimSex,
        age: z.optional(z.int()),
        ageBand: AgeBandSchema,
        outcome: VictimOutcome,
        injuries: z.optional(z.array(z.enum(INJURIES))),
        victimType: VictimType,
        nationality: Nationality,
        referredTo: z.optional(z.string()),
        name: z.optional(z.string()),
        contact: z.optional(z.string()),
      }),
    ),
    killed: z.int(),
    injured: z.int(),
    victimDataErasedAt: z.optional(z.string()),
    victimDataErasure: z.optional(z.object({ reason: z.string(), by: z.object({ role: z.string(), org: z.string() }) })),
  }),
);
