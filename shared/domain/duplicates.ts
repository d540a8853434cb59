import * as z from 'zod/mini';
import { named } from './common.ts';

/**
 * Possible duplicates without documents: two households of one country with a member of the same
 * normalised name, born within a year of each other, from the same origin commune or village.
 * Pure: the normalisation, the blocking entries a household is indexed and looked up under, and
 * the score and reasons of a pair. The keyed hash of an entry and its items are in
 * `shared/db/repositories/duplicates.ts`.
 */

/** Latin letters that Unicode does not decompose into a base letter and a mark. */
const LATIN_FOLDS: Record<string, string> = { ß: 'ss', đ: 'd', ð: 'd', ø: 'o', ł: 'l', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th', ŋ: 'n', ħ: 'h' };
const LATIN_FOLD = new RegExp(`[${Object.keys(LATIN_FOLDS).join('')}]`, 'gu');
/** Scripts whose marks are letters of the name (vowels, tones, subscript consonants), never decoration. */
const OWN_SCRIPT_BASE = /[\p{Script=Khmer}\p{Script=Thai}]/u;
const MARK = /\p{M}/u;
/** Spacing, invisible format characters (Khmer and Thai text carries zero-width spaces) and punctuation. */
const NOT_COMPARED = /[\s\p{Cf}\p{P}\p{S}]+/gu;

/**
 * A name (or a free-text village) as compared: compatibility decomposition (NFKD), then marks on
 * Latin and other letters dropped (Đoàn = Doan), those on Khmer and Thai letters kept (they are
 * part of the spelling there: no transliteration, only Unicode normalisation, so ណ៍ and ណ differ),
 * recomposed (NFC), lower-cased, and spacing, zero-width characters and punctuation removed
 * ("Sok  Kha" = "sokha").
 */
export function normaliseName(value: string): string {
  let kept = '';
  let keepMarks = false;
  for (const ch of value.normalize('NFKD')) {
    if (MARK.test(ch)) {
      if (keepMarks) kept += ch;
      continue;
    }
    keepMarks = OWN_SCRIPT_BASE.test(ch);
    kept += ch;
  }
  return kept
    .normalize('NFC')
    .toLowerCase()
    .replace(LATIN_FOLD, (c) => LATIN_FOLDS[c]!)
    .replace(NOT_COMPARED, '');
}

/** A member's name as one comparable string: both parts normalised, in either order (family name first or last). */
export const personName = (m: { givenName: string; familyName: string }): string => [normaliseName(m.givenName), normaliseName(m.familyName)].sort().join('|');

export interface OriginPlace {
  province: string;
  adm3?: string | undefined;
  adm4?: string | undefined;
  village?: string | undefined;
}

/** How a pair's origins agree: by commune (adm3, or the commune of an adm4 village) or by village. */
export type PlaceKind = 'COMMUNE' | 'VILLAGE';

/**
 * The origin places a household is indexed and looked up under: its commune (a village P-code
 * lies in the commune its first eight characters name), and its free-text village when it has no
 * village code. A village code needs no entry of its own: two equal villages share a commune, and
 * the pair's reason then says village.
 */
export function originPlaces(origin: OriginPlace): { kind: PlaceKind; place: string }[] {
  const places: { kind: PlaceKind; place: string }[] = [];
  const commune = origin.adm3 ?? origin.adm4?.slice(0, 8);
  if (commune) places.push({ kind: 'COMMUNE', place: `adm3:${commune}` });
  const village = !origin.adm4 && origin.village ? normaliseName(origin.village) : '';
  if (village) places.push({ kind: 'VILLAGE', place: `village:${origin.province}:${village}` });
  return places;
}

/** One person under one origin place: what the keyed hash is taken of, and the year it is filed under. */
export interface BlockingEntry {
  memberIndex: number;
  /** `<normalised name>` + `<place>`: hashed with the country before it is stored. */
  name: string;
  place: string;
  kind: PlaceKind;
  birthYear: number;
}

/** The blocking entries of a household: each member with a name under each origin place. */
export function blockingEntries(household: {
  origin: OriginPlace;
  members: readonly { givenName: string; familyName: string; birthYear: number }[];
}): BlockingEntry[] {
  const places = originPlaces(household.origin);
  return household.members.flatMap((m, memberIndex) => {
    const name = personName(m);
    if (name === '|') return [];
    return places.map((p) => ({ memberIndex, name, place: p.place, kind: p.kind, birthYear: m.birthYear }));
  });
}

/** The years a person born in `year` is compared with. */
export const comparedYears = (year: number): number[] => [year - 1, year, year + 1];

export const DUPLICATE_REASONS = [
  'SAME_NAME',
  'SAME_BIRTH_YEAR',
  'BIRTH_YEAR_WITHIN_ONE',
  'SAME_ORIGIN_VILLAGE',
  'SAME_ORIGIN_COMMUNE',
  'SEVERAL_MEMBERS',
] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

/** One member of the household looked for matching one member of another household. */
export interface MemberMatch {
  memberIndex: number;
  otherMemberIndex: number;
  sameYear: boolean;
  /** VILLAGE when the villages agree (the same village code, or the same free-text village). */
  place: PlaceKind;
}

/**
 * The score (0–1, two decimals) and reasons of a pair from its member matches: each matched
 * person counts 0.6 for the name, 0.2 (same year) or 0.1 (a year apart), 0.2 (same village) or
 * 0.1 (same commune); people combine as independent evidence (1 − Π(1 − s)), so two matched
 * members score higher than one. A person matched under two places counts once, at its best.
 */
export function scorePair(matches: readonly MemberMatch[]): { score: number; reasons: DuplicateReason[] } {
  const best = new Map<string, MemberMatch & { s: number }>();
  for (const m of matches) {
    const s = 0.6 + (m.sameYear ? 0.2 : 0.1) + (m.place === 'VILLAGE' ? 0.2 : 0.1);
    const key = `${m.memberIndex}:${m.otherMemberIndex}`;
    if ((best.get(key)?.s ?? -1) < s) best.set(key, { ...m, s });
  }
  const people = [...best.values()];
  const score = Math.round((1 - people.reduce((p, m) => p * (1 - m.s), 1)) * 100) / 100;
  const reasons = new Set<DuplicateReason>(['SAME_NAME']);
  reasons.add(people.some((m) => m.sameYear) ? 'SAME_BIRTH_YEAR' : 'BIRTH_YEAR_WITHIN_ONE');
  reasons.add(people.some((m) => m.place === 'VILLAGE') ? 'SAME_ORIGIN_VILLAGE' : 'SAME_ORIGIN_COMMUNE');
  if (new Set(people.map((m) => m.memberIndex)).size > 1) reasons.add('SEVERAL_MEMBERS');
  return { score, reasons: DUPLICATE_REASONS.filter((r) => reasons.has(r)) };
}

export const DuplicateReasonSchema = z.enum(DUPLICATE_REASONS);

/** A possible duplicate as a registration answers it: only households the caller may read. */
export const PossibleDuplicateSchema = named('PossibleDuplicate', () =>
  z.object({ householdId: z.string(), score: z.number(), reasons: z.array(DuplicateReasonSchema) }),
);
export type PossibleDuplicate = z.infer<ReturnType<typeof PossibleDuplicateSchema>>;

export const REVIEW_STATUSES = ['PENDING', 'SAME', 'DIFFERENT'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export const DUPLICATE_DECISIONS = ['SAME', 'DIFFERENT'] as const;

export const DuplicateDecisionCreate = z.strictObject({
  decision: z.enum(DUPLICATE_DECISIONS),
  comment: z.optional(z.string().check(z.trim(), z.maxLength(1000))),
});

/** A pair on the ministry's review queue: ids, score and reasons only (no names). */
export interface DuplicateReview {
  id: string;
  version: number;
  country: string;
  /** The household found first (registered earlier), then the one whose registration or import found it. */
  householdIds: [string, string];
  score: number;
  reasons: DuplicateReason[];
  source: 'REGISTRATION' | 'IMPORT';
  importId?: string;
  status: ReviewStatus;
  decision?: { decision: 'SAME' | 'DIFFERENT'; comment?: string; at: string; by: { sub: string; role: string; org: string } };
  createdAt: string;
  updatedAt: string;
  createdBy: string;
}

export const DuplicateReviewSchema = named('DuplicateReview', () =>
  z.object({
    id: z.string(),
    version: z.number(),
    country: z.string(),
    householdIds: z.array(z.string()),
    score: z.number(),
    reasons: z.array(DuplicateReasonSchema),
    source: z.enum(['REGISTRATION', 'IMPORT']),
    importId: z.optional(z.string()),
    status: z.enum(REVIEW_STATUSES),
    decision: z.optional(
      z.object({
        decision: z.enum(DUPLICATE_DECISIONS),
        comment: z.optional(z.string()),
        at: z.string(),
        by: z.object({ sub: z.string(), role: z.string(), org: z.string() }),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string(),
  }),
);

/** The mark a SAME decision leaves on both households (no other household's id: the review names the pair). */
export interface DuplicateMark {
  reviewId: string;
  decision: 'SAME';
  at: string;
}
