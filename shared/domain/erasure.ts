import * as z from 'zod/mini';
import { Country, Id, named } from './common.ts';
import { ConsentPurpose, normaliseDocumentNumber, type Household } from './household.ts';
import type { Principal } from './roles.ts';

/**
 * Erasure, consent and the family's copy (README "Data responsibility"). Pure: the request
 * bodies, the tombstone an erased household leaves, who may do what, and the consent rule
 * that says which uses a household's data may still serve.
 */

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** Body of `POST /v1/households/{id}/erasure`. */
export const ErasureCreate = z.strictObject({ reason: text(500) });
export type ErasureCreate = z.infer<typeof ErasureCreate>;

/** Who asked for an erasure and who carried it out: roles and organisations, never user ids. */
export interface ErasureActor {
  role: string;
  org: string;
  at: string;
}

/**
 * What is left of an erased household: its id, country and organisation (so a caller who could
 * read it gets 410 and everyone else 404), when and by whom it was erased. No names, places,
 * points, phones or documents. The statistics counters it contributed to are left as they were.
 */
export interface HouseholdTombstone {
  id: string;
  version: number;
  country: Country;
  org: string;
  status: 'ERASED';
  createdAt: string;
  erasedAt: string;
  erasure: { requested: ErasureActor; carriedOut: ErasureActor; reason: string };
}

export const ERASED = 'ERASED';

const ErasureActorSchema = () => z.object({ role: z.string(), org: z.string(), at: z.string() });
export const HouseholdTombstoneSchema = named('HouseholdTombstone', () =>
  z.object({
    id: Id,
    version: z.int(),
    country: Country,
    org: z.string(),
    status: z.literal(ERASED),
    createdAt: z.string(),
    erasedAt: z.string(),
    erasure: z.object({ requested: ErasureActorSchema(), carriedOut: ErasureActorSchema(), reason: z.string() }),
  }),
);
export const ErasureRequestSchema = named('ErasureRequest', () =>
  z.object({ householdId: Id, status: z.literal('REQUESTED'), requested: ErasureActorSchema(), reason: z.string() }),
);

/**
 * Who may ask for an erasure: the registering organisation's relief agency (the ministry then
 * confirms), admins (carried out at once). Everyone else sees no household (404).
 */
export const canRequestErasure = (p: Pick<Principal, 'role' | 'country' | 'org'>, h: Pick<Household, 'country' | 'org'>): boolean =>
  p.role === 'admin' || (p.role === 'relief' && p.country === h.country && p.org === h.org);

/** Who confirms a requested erasure: the ministry of the household's country, and admins. */
export const canConfirmErasure = (p: Pick<Principal, 'role' | 'country'>, h: Pick<Household, 'country'>): boolean =>
  p.role === 'admin' || (p.role === 'ministry' && p.country === h.country);

/** Who may hand the family a copy of its data: the registering organisation's relief agency, and admins. */
export const canExportHousehold = canRequestErasure;

/** Who records the family's consent decisions: the registering organisation's relief agency, and admins. */
export const canChangeConsent = canRequestErasure;

/** Body of `POST /v1/households/{id}/consent`: purposes granted and withdrawn, as of `date`. */
export const ConsentChange = z
  .strictObject({
    grant: z.optional(z.array(ConsentPurpose).check(z.maxLength(5))),
    withdraw: z.optional(z.array(ConsentPurpose).check(z.maxLength(5))),
    date: z.iso.date().check(z.refine((d) => d <= new Date().toISOString().slice(0, 10), 'must not be in the future')),
  })
  .check(
    z.refine((c) => (c.grant?.length ?? 0) + (c.withdraw?.length ?? 0) > 0, { message: 'name at least one purpose to grant or withdraw', path: ['grant'] }),
    z.refine((c) => !(c.grant ?? []).some((p) => (c.withdraw ?? []).includes(p)), {
      message: 'a purpose cannot be granted and withdrawn at once',
      path: ['withdraw'],
    }),
  );
export type ConsentChange = z.infer<typeof ConsentChange>;

/** Withdrawing consent to the registration itself is an erasure, not a consent change. */
export const NOT_WITHDRAWABLE = 'REGISTRATION';

/** The consent after a change: purposes in the catalogue's order, withdrawals remembered with their date. */
export function changedConsent(consent: Household['consent'], change: ConsentChange): Household['consent'] {
  const withdraw = new Set(change.withdraw ?? []);
  const purposes = new Set([...consent.purposes.filter((p) => !withdraw.has(p)), ...(change.grant ?? [])]);
  const order = ConsentPurpose.options;
  const withdrawn = [
    ...(consent.withdrawn ?? []).filter((w) => !purposes.has(w.purpose) && !withdraw.has(w.purpose)),
    ...[...withdraw].filter((p) => consent.purposes.includes(p)).map((purpose) => ({ purpose, date: change.date })),
  ];
  const { withdrawn: _before, ...given } = consent;
  return {
    ...given,
    purposes: order.filter((p) => purposes.has(p)),
    ...(withdrawn.length > 0 ? { withdrawn } : {}),
  } as Household['consent'];
}

/**
 * Whether a household's data may serve a purpose now. Uses and the purpose they need:
 * RETURN_ASSISTANCE — the return-safety assessment of the destination point, the spatial index
 * and the households-at-risk lists built from it. The anonymous statistics need no purpose
 * (they hold counts, not people).
 */
export const consentsTo = (h: Pick<Household, 'consent'>, purpose: z.infer<typeof ConsentPurpose>): boolean => h.consent.purposes.includes(purpose);

/** The destination the return-safety checks may use: none once return assistance is withdrawn. */
export const assistedDestination = (h: Pick<Household, 'consent' | 'destination'>): Household['destination'] =>
  consentsTo(h, 'RETURN_ASSISTANCE') ? h.destination : undefined;

/**
 * The personal values of a household as text, for blanking them out of free text (an erasure
 * reason) and for tests that prove they are gone. Short values (under 3 characters) would blank
 * out ordinary words and are left out.
 */
export function personalValuesOf(h: Household): string[] {
  const values = new Set<string>();
  const add = (v: string | number | undefined) => {
    const s = v === undefined ? '' : String(v).trim();
    if (s.length >= 3) values.add(s);
  };
  for (const m of [...h.members, ...(h.formerMembers ?? [])]) {
    add(m.givenName);
    add(m.familyName);
    add(m.birthDate);
    if (m.document) add(normaliseDocumentNumber(m.document.last4));
  }
  add(h.contact?.phone);
  add(h.contact?.note);
  for (const place of [h.origin, h.current, h.destination]) {
    add(place?.district);
    add(place?.village);
  }
  add(h.current.site);
  add(h.current.hostCommunity);
  add(h.statusReason);
  add(h.reviewedDuplicate?.reason);
  add(h.verification?.by);
  return [...values];
}

/** `text` with every personal value of the household replaced by `[erased]` (case-insensitive). */
export function blankOut(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of [...values].sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'giu'), '[erased]');
  }
  return out;
}
