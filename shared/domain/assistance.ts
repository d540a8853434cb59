import * as z from 'zod/mini';
import { Country, Id, lazy } from './common.ts';
import type { Principal } from './roles.ts';
import { ASSISTANCE_TYPES, type AssistanceRecord } from './assistance-rules.ts';

export * from './assistance-rules.ts';

/**
 * Assistance given to households (cash, food, kits, transport) in rounds that the organisations
 * of a country share. Pure: the request and response schemas and who may do what; the rules that
 * need no schema (the registration code, the counters per round) are in `assistance-rules.ts`,
 * re-exported here.
 */

export const AssistanceType = z.enum(ASSISTANCE_TYPES);
export type AssistanceType = z.infer<typeof AssistanceType>;

/**
 * A round's name as the organisations of a country share it (`2026-R1`): compared without case
 * or surrounding spaces, so `2026-r1 ` is the same round.
 */
export const Round = z
  .string()
  .check(z.trim(), z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'must be 1–40 letters, digits, dots, dashes or underscores (e.g. 2026-R1)'), z.toUpperCase());

/** A unit quantities are summed in (USD, KHR, THB, KG, L, KIT, ITEM, TRIP, ...), compared without case. */
export const Unit = z
  .string()
  .check(
    z.trim(),
    z.regex(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, 'must be 1–16 letters, digits or underscores, starting with a letter (e.g. USD, KG, KIT)'),
    z.toUpperCase(),
  );

/** Largest quantity of one record. */
export const MAX_QUANTITY = 1_000_000_000;

const today = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

export const Quantity = z.number().check(
  z.refine((q) => Number.isFinite(q) && q > 0 && q <= MAX_QUANTITY, `must be more than 0 and at most ${MAX_QUANTITY}`),
  z.refine((q) => Math.abs(q * 100 - Math.round(q * 100)) < 1e-6, 'must have at most two decimals'),
);

const assistanceFields = {
  type: AssistanceType,
  round: Round,
  date: z.iso.date().check(z.refine((d) => d <= today(), 'must not be in the future')),
  quantity: Quantity,
  unit: Unit,
};

/** Body of `POST /v1/households/{id}/assistance`. */
export const AssistanceCreate = z.strictObject(assistanceFields);
export type AssistanceCreate = z.infer<typeof AssistanceCreate>;

/** Body of `POST /v1/assistance`: the same, naming the household by the code on its card. */
export const AssistanceByCode = z.strictObject({ code: z.string().check(z.minLength(1), z.maxLength(20)), ...assistanceFields });
export type AssistanceByCode = z.infer<typeof AssistanceByCode>;

export const AssistanceRecordSchema = lazy(() =>
  z.object({
    id: Id,
    version: z.int(),
    householdId: Id,
    country: Country,
    org: z.string(),
    type: AssistanceType,
    round: z.string(),
    date: z.string(),
    quantity: z.number(),
    unit: z.string(),
    people: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string(),
    importId: z.optional(z.string()),
  }),
);

/** Who records assistance: a relief agency of the household's country, whichever organisation registered it. */
export const canRecordAssistance = (p: Pick<Principal, 'role' | 'country'>, h: { country: string }): boolean => p.role === 'relief' && p.country === h.country;

/**
 * Who reads a record: whoever reads the household (its registering organisation, its ministry,
 * admins), and the organisation that gave it (its own records only).
 */
export const canReadAssistanceRecord = (
  p: Pick<Principal, 'role' | 'country' | 'org'>,
  r: Pick<AssistanceRecord, 'country' | 'org'>,
  household: { country: string; org: string } | undefined,
): boolean => {
  if (p.role === 'admin') return true;
  if (p.role === 'ministry') return p.country === r.country;
  if (p.role !== 'relief' || p.country !== r.country) return false;
  return p.org === r.org || (household !== undefined && household.org === p.org);
};
