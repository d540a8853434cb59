/**
 * The rules of assistance that need no schema (so the households function, which gives codes and
 * exports records, loads no assistance schema): the answers of the one-per-round rule and of
 * missing consent, the record's shape, the registration code's alphabet and check character, and
 * the counters of the statistics per round. Pure. The request schemas are in `assistance.ts`.
 */

export const ASSISTANCE_TYPES = ['CASH', 'FOOD', 'NFI', 'SHELTER_KIT', 'TRANSPORT', 'HYGIENE_KIT', 'OTHER'] as const;
export type AssistanceType = (typeof ASSISTANCE_TYPES)[number];

/** What a second record of the same type and round for a household answers: it names no other record. */
export const ALREADY_RECORDED = 'already recorded for this round';

/** What a household without consent to return assistance answers: nothing else about it. */
export const CONSENT_MISSING = 'consent to RETURN_ASSISTANCE is missing for this household';

/** One record of assistance given to a household. Stored in the household's partition. */
export interface AssistanceRecord {
  id: string;
  version: number;
  householdId: string;
  country: 'KH' | 'TH';
  /** The organisation that gave it (the recorder's `org` claim); not necessarily the registering one. */
  org: string;
  type: AssistanceType;
  round: string;
  date: string;
  quantity: number;
  unit: string;
  /** Members of the household when it was recorded: the people reached. */
  people: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  /** The distribution-list upload it came from. */
  importId?: string | undefined;
}

// ---------------------------------------------------------------------------------------------
// The registration code

/**
 * The code's alphabet: digits and capitals without those read or written alike (0 and O, 1 with I
 * and L, 2 and Z, U and V: O, I, L, Z and U are left out). 29 symbols, a prime, so the weighted
 * check character catches every single wrong character and every swap of two neighbours.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXY';
const BASE = CODE_ALPHABET.length;
/** Random characters of a code (29^6 ≈ 595 million per country), then one check character. */
export const CODE_BODY_LENGTH = 6;

/** The check character of a code's body: Σ (position+1)·value mod 29. */
export function checkCharacter(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += (i + 1) * CODE_ALPHABET.indexOf(body[i]!);
  return CODE_ALPHABET[sum % BASE]!;
}

/** A new code from `random` (one byte per character, as `crypto.getRandomValues` gives; biased bytes are drawn again). */
export function newRegistrationCode(randomBytes: (n: number) => Uint8Array): string {
  let body = '';
  while (body.length < CODE_BODY_LENGTH) {
    for (const b of randomBytes(CODE_BODY_LENGTH * 2)) {
      // 232 = 8 × 29: bytes above it would favour the first symbols.
      if (b < 232 && body.length < CODE_BODY_LENGTH) body += CODE_ALPHABET[b % BASE];
    }
  }
  return body + checkCharacter(body);
}

/** A code as typed or scanned (`abc-defg`, spaces, lower case) in its stored form, or undefined when it is not a valid code. */
export function normaliseRegistrationCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]+/g, '');
  if (code.length !== CODE_BODY_LENGTH + 1 || [...code].some((ch) => !CODE_ALPHABET.includes(ch))) return undefined;
  return checkCharacter(code.slice(0, CODE_BODY_LENGTH)) === code[CODE_BODY_LENGTH] ? code : undefined;
}

/** The code as printed on the card: `ABC-DEFG`. */
export const formatRegistrationCode = (code: string): string => `${code.slice(0, 3)}-${code.slice(3)}`;

// ---------------------------------------------------------------------------------------------
// Statistics per round

/** Counters of one round: flat names, so that `ADD` creates them on first use. */
export type AssistanceCounters = Record<string, number>;

/**
 * What one record adds to its round's counters: a record; households and people reached, once
 * per household and round (`firstOfRound`) and once per household, round and type; the quantity
 * per unit, overall and per type.
 */
export function assistanceContribution(r: Pick<AssistanceRecord, 'type' | 'unit' | 'quantity' | 'people'>, firstOfRound: boolean): AssistanceCounters {
  return {
    records: 1,
    [`records#${r.type}`]: 1,
    ...(firstOfRound ? { hh: 1, ind: r.people } : {}),
    [`hh#${r.type}`]: 1,
    [`ind#${r.type}`]: r.people,
    [`qty##${r.unit}`]: r.quantity,
    [`qty#${r.type}#${r.unit}`]: r.quantity,
  };
}

export interface AssistanceTypeView {
  records: number;
  households: number;
  people: number;
  quantity: Record<string, number>;
}

export interface AssistanceRoundView {
  round: string;
  records: number;
  households: number;
  people: number;
  /** Summed per unit. */
  quantity: Record<string, number>;
  byType: Partial<Record<AssistanceType, AssistanceTypeView>>;
}

/** The counters of a round as the API answers them. */
export function assistanceRoundView(round: string, c: AssistanceCounters): AssistanceRoundView {
  const view: AssistanceRoundView = { round, records: c['records'] ?? 0, households: c['hh'] ?? 0, people: c['ind'] ?? 0, quantity: {}, byType: {} };
  const typeView = (t: AssistanceType) => (view.byType[t] ??= { records: 0, households: 0, people: 0, quantity: {} });
  for (const [name, value] of Object.entries(c)) {
    const [kind, type, unit] = name.split('#');
    if (kind === 'qty' && unit) {
      if (type === '') view.quantity[unit] = value;
      else if ((ASSISTANCE_TYPES as readonly string[]).includes(type!)) typeView(type as AssistanceType).quantity[unit] = value;
    } else if ((ASSISTANCE_TYPES as readonly string[]).includes(type ?? '')) {
      const t = typeView(type as AssistanceType);
      if (kind === 'records') t.records = value;
      else if (kind === 'hh') t.households = value;
      else if (kind === 'ind') t.people = value;
    }
  }
  return view;
}

/** Paths of the counts about people in a round's view (small cells: `shared/domain/small-cells.ts`). */
export const ASSISTANCE_COUNT_PATHS = ['households', 'people', 'byType.*.households', 'byType.*.people'] as const;
