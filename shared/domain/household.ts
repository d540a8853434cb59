import * as z from 'zod/mini';
import { Country, Id, named } from './common.ts';
import type { DuplicateMark } from './duplicates.ts';
import { Point } from './geometry.ts';
import { newId } from './ids.ts';
import type { Principal, Role } from './roles.ts';
import { SPECIFIC_NEED_CODES } from './specific-needs.ts';
import { borderToday } from './border-day.ts';

/**
 * Returnee households (DESIGN sections 2–4). Pure: schemas, the status lifecycle, the rules a
 * registration must satisfy, and the non-personal summary. Personal data (names, birth dates,
 * contacts, identity documents) lives only in the full `Household`; lists, events, statistics and
 * logs use `HouseholdSummary` or counts.
 *
 * A household is listed and counted by its **origin province** (`origin.province`, where it was
 * displaced from and plans to return to); its country is the registering country, and origin,
 * current location and destination must all be provinces of that country.
 */

export const HOUSEHOLD_STATUSES = ['DISPLACED', 'INTENDS_RETURN', 'RETURN_BLOCKED', 'RETURNED', 'REDISPLACED'] as const;
export const HouseholdStatus = z.enum(HOUSEHOLD_STATUSES);
export type HouseholdStatus = z.infer<typeof HouseholdStatus>;

/** Why a return is blocked (DESIGN section 2). */
export const BLOCKED_REASONS = ['HAZARD', 'HOUSE_DESTROYED', 'OCCUPIED', 'OTHER'] as const;
export const BlockedReason = z.enum(BLOCKED_REASONS);
export type BlockedReason = z.infer<typeof BlockedReason>;

export const SEXES = ['F', 'M', 'X'] as const;
export const Sex = z.enum(SEXES);
export type Sex = z.infer<typeof Sex>;

export const RELATIONSHIPS = ['HEAD', 'SPOUSE', 'CHILD', 'PARENT', 'SIBLING', 'GRANDCHILD', 'GRANDPARENT', 'OTHER_RELATIVE', 'NON_RELATIVE'] as const;
export const Relationship = z.enum(RELATIONSHIPS);

export const DOCUMENT_TYPES = ['NATIONAL_ID', 'PASSPORT', 'FAMILY_BOOK', 'BIRTH_CERTIFICATE', 'OTHER'] as const;
export const DocumentType = z.enum(DOCUMENT_TYPES);

export const CONSENT_PURPOSES = ['RETURN_ASSISTANCE', 'REGISTRATION', 'REFERRAL', 'TRACING', 'STATISTICS'] as const;
export const ConsentPurpose = z.enum(CONSENT_PURPOSES);

/** One line naming the bad code, not the list of all 56: an import repeats it for every row of a household. */
export const SpecificNeedCode = z.enum(SPECIFIC_NEED_CODES, {
  error: (issue) => `unknown UNHCR specific-needs code ${JSON.stringify(issue.input)} (codes such as SP-PT or DS-PM; GET /openapi.json lists them)`,
});

/** Oldest plausible age, in years, of a living person. */
export const MAX_AGE_YEARS = 120;
export const MAX_MEMBERS = 30;

/** Dates recorded on the border are checked against its day (UTC+7), not the server's. */
const today = () => borderToday();
const thisYear = () => new Date().getUTCFullYear();
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

/** Document numbers: letters, digits, spaces, dashes and slashes as printed on the card. */
const DocumentNumber = z
  .string()
  .check(
    z.trim(),
    z.minLength(4),
    z.maxLength(40),
    z.regex(/^[\p{L}\p{N}][\p{L}\p{N} /-]*$/u, 'must be letters and digits (spaces, dashes and slashes allowed)'),
  );

/** The number as it is hashed: case and separators do not make a different document. */
export const normaliseDocumentNumber = (n: string): string =>
  n
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s/-]+/g, '');

/** How an import row is refused when another organisation's household holds its document: no household is named. */
export const FOREIGN_DOCUMENT_MESSAGE = 'the identity document is registered by another organisation; ask your ministry';

/**
 * A place: its province P-code (any province of the household's country), optionally its district
 * (`adm2`), commune or tambon (`adm3`) and, in Cambodia, village (`adm4`) P-codes from the gazetteer,
 * checked against the edition in use and against each other (`checkPlaces`), and free-text
 * `district`/`village` for what the gazetteer lacks.
 */
const place = (what: string) => ({
  province: z.string().check(z.regex(/^(KH|TH)\d{2}$/, `must be a province P-code (KH.. or TH..) for the ${what}`)),
  adm2: z.optional(z.string().check(z.regex(/^(KH|TH)\d{4}$/, 'must be a district P-code such as KH2203'))),
  adm3: z.optional(z.string().check(z.regex(/^(KH|TH)\d{6}$/, 'must be a commune or tambon P-code such as KH220305'))),
  adm4: z.optional(z.string().check(z.regex(/^KH\d{8}$/, 'must be a Cambodian village P-code such as KH22030501'))),
  district: z.optional(text(100)),
  village: z.optional(text(100)),
});

export const Origin = z.strictObject({ ...place('origin') });
/**
 * Where the household is now: a displacement site (camp, pagoda, school) or a host community.
 * `siteId` names a registered site (`/v1/sites`; open, of the household's country and province),
 * whose figures then count the household as present; `site` is free text for a place not registered.
 */
export const CurrentLocation = z
  .strictObject({ ...place('current location'), siteId: z.optional(Id), site: z.optional(text(200)), hostCommunity: z.optional(text(200)) })
  .check(
    z.refine((c) => Boolean(c.siteId) || Boolean(c.site) || Boolean(c.hostCommunity), {
      message: 'name the site (siteId or site) or the host community',
      path: ['site'],
    }),
  );

/** A day something happened (YYYY-MM-DD): not in the future. */
const pastDay = () => z.iso.date().check(z.refine((d) => d <= today(), 'must not be in the future'));

export const RETURN_INTENTS = ['YES', 'NO', 'UNDECIDED'] as const;
export const RETURN_WHEN = ['WITHIN_1_MONTH', '1_TO_3_MONTHS', '3_TO_6_MONTHS', 'LATER'] as const;
export const RETURN_OBSTACLES = ['MINES_OR_UXO', 'HOUSE_DESTROYED', 'LAND_OCCUPIED', 'NO_SERVICES', 'NO_LIVELIHOOD', 'INSECURITY', 'OTHER'] as const;

/** What the household said when asked whether, when and what keeps it from going home (DTM intention survey). */
export const ReturnIntentions = z
  .strictObject({
    intends: z.enum(RETURN_INTENTS),
    when: z.optional(z.enum(RETURN_WHEN)),
    obstacles: z._default(
      z.array(z.enum(RETURN_OBSTACLES)).check(
        z.maxLength(RETURN_OBSTACLES.length),
        z.refine((o) => new Set(o).size === o.length, 'must not repeat an obstacle'),
      ),
      [],
    ),
    surveyedAt: pastDay(),
  })
  .check(z.refine((r) => r.when === undefined || r.intends === 'YES', { message: 'only with intends YES', path: ['when'] }));
export type ReturnIntentions = z.infer<typeof ReturnIntentions>;
export const Destination = z.strictObject({ ...place('destination'), point: z.optional(Point) });

/** The fields of a member as given at registration (and when a member is added later). */
export const memberFields = {
  givenName: text(100),
  familyName: text(100),
  sex: Sex,
  birthDate: z.optional(z.iso.date().check(z.refine((d) => d <= today(), 'must not be in the future'))),
  birthYear: z.optional(z.int()),
  relationship: Relationship,
  specificNeeds: z._default(
    z.array(SpecificNeedCode).check(
      z.maxLength(20),
      z.refine((c) => new Set(c).size === c.length, 'must not repeat a code'),
    ),
    [],
  ),
  document: z.optional(z.strictObject({ type: DocumentType, number: DocumentNumber })),
};

type BirthFields = { birthDate?: string | undefined; birthYear?: number | undefined };
/** The birth rules of a member, for every schema that takes one. */
export const birthChecks = <T extends BirthFields>(required: boolean) => [
  z.refine<T>((m) => !required || m.birthDate !== undefined || m.birthYear !== undefined, { message: 'give birthDate or birthYear', path: ['birthYear'] }),
  z.refine<T>((m) => m.birthYear === undefined || (m.birthYear <= thisYear() && m.birthYear >= thisYear() - MAX_AGE_YEARS), {
    message: `must be a plausible year of birth (from ${MAX_AGE_YEARS} years ago to this year)`,
    path: ['birthYear'],
  }),
  z.refine<T>((m) => m.birthDate === undefined || Number(m.birthDate.slice(0, 4)) >= thisYear() - MAX_AGE_YEARS, {
    message: `must be a plausible date of birth (at most ${MAX_AGE_YEARS} years ago)`,
    path: ['birthDate'],
  }),
  z.refine<T>((m) => m.birthDate === undefined || m.birthYear === undefined || Number(m.birthDate.slice(0, 4)) === m.birthYear, {
    message: 'birthYear does not match birthDate',
    path: ['birthYear'],
  }),
];

export const MemberCreate = z.strictObject(memberFields).check(...birthChecks(true));
export type MemberCreate = z.infer<typeof MemberCreate>;

export const Contact = z.strictObject({
  phone: z.optional(z.string().check(z.regex(/^\+?[0-9 ()-]{6,20}$/, 'must be a phone number'))),
  note: z.optional(text(500)),
});

export const Consent = z.strictObject({
  given: z.literal(true, 'consent must be given to register a household'),
  date: z.iso.date().check(z.refine((d) => d <= today(), 'must not be in the future')),
  purposes: z.array(ConsentPurpose).check(
    z.minLength(1),
    z.refine((p) => new Set(p).size === p.length, 'must not repeat a purpose'),
  ),
});

/** Consent as stored: as given, with the purposes withdrawn since (and when). */
export type StoredConsent = z.infer<typeof Consent> & { withdrawn?: { purpose: z.infer<typeof ConsentPurpose>; date: string }[] | undefined };

/** Body of `POST /v1/households` (and one household of an import). */
export const HouseholdCreate = z
  .strictObject({
    /** Only an admin names the country; a relief agency registers in its own. */
    country: z.optional(Country),
    origin: Origin,
    current: CurrentLocation,
    destination: z.optional(Destination),
    members: z.array(MemberCreate).check(z.minLength(1, 'a household has at least one member'), z.maxLength(MAX_MEMBERS)),
    contact: z.optional(Contact),
    consent: Consent,
    /** The day the household was displaced (or arrived where it is, when that is all that is known): no movement may be dated before it. */
    displacedSince: z.optional(pastDay()),
    returnIntentions: z.optional(ReturnIntentions),
    /**
     * Registers the household although a member's document is already registered in the country,
     * after a registrar reviewed it: the id of the household it duplicates, and why.
     */
    reviewedDuplicate: z.optional(z.strictObject({ of: Id, reason: text(500) })),
  })
  .check(
    z.refine((h) => h.members.filter((m) => m.relationship === 'HEAD').length === 1, {
      message: 'a household has exactly one head (relationship HEAD)',
      path: ['members'],
    }),
  );
export type HouseholdCreate = z.infer<typeof HouseholdCreate>;

/**
 * Problems a valid-shaped registration can have without reading the gazetteer: a place whose codes
 * belong to the other country. Whether the codes exist and lie in each other is checked against the
 * gazetteer edition in use (`checkPlaces` with {@link householdPlaces}); a household may be
 * anywhere in its country (a family sheltering in Phnom Penh or Bangkok), not only on the border.
 */
export function placeProblems(h: Pick<HouseholdCreate, 'origin' | 'current' | 'destination'>, country: Country): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const check = (path: string, p: HouseholdPlace | undefined) => {
    if (!p) return;
    for (const field of ['province', 'adm2', 'adm3', 'adm4'] as const) {
      const code = p[field];
      if (code !== undefined && !code.startsWith(country))
        problems.push({
          path: `${path}.${field}`,
          message: field === 'province' ? `${code} is not a known province of ${country}` : `${code} is not a place of ${country}`,
        });
    }
  };
  check('origin', h.origin);
  check('current', h.current);
  check('destination', h.destination);
  return problems;
}

export type HouseholdPlace = z.infer<typeof Origin>;
type PlaceName = 'origin' | 'current' | 'destination';

/**
 * A household's places for the gazetteer check (`checkPlaces`), under `prefix` (`body`). With
 * `unchanged`, a place equal to the one already stored is left out: codes an edition has since
 * dropped stay on old records and do not block other changes.
 */
export function householdPlaces(
  h: Partial<Record<PlaceName, HouseholdPlace | null | undefined>>,
  prefix: string,
  stored?: Partial<Record<PlaceName, HouseholdPlace | undefined>>,
): { path: string; place: HouseholdPlace }[] {
  const out: { path: string; place: HouseholdPlace }[] = [];
  for (const name of ['origin', 'current', 'destination'] as const) {
    const p = h[name];
    if (!p) continue;
    const before = stored?.[name];
    const same = before && ['province', 'adm2', 'adm3', 'adm4'].every((f) => before[f as keyof HouseholdPlace] === p[f as keyof HouseholdPlace]);
    if (!same) out.push({ path: `${prefix}.${name}`, place: p });
  }
  return out;
}

/** A member as stored and shown: the document only as its type and last four characters. */
export interface Member {
  /** Stable for the person's life in the system, also when they move to another household by a split. */
  id: string;
  givenName: string;
  familyName: string;
  sex: Sex;
  birthDate?: string | undefined;
  birthYear: number;
  relationship: z.infer<typeof Relationship>;
  specificNeeds: z.infer<typeof SpecificNeedCode>[];
  document?: { type: z.infer<typeof DocumentType>; last4: string } | undefined;
}

export const RETURN_SAFETY_STATUSES = ['SAFE', 'AT_RISK', 'UNKNOWN'] as const;
export const ReturnSafetyStatus = z.enum(RETURN_SAFETY_STATUSES);
export type ReturnSafetyStatus = z.infer<typeof ReturnSafetyStatus>;

/** Distance within which a hazard area that is not closed makes a destination unsafe. */
export const RETURN_SAFETY_BUFFER_M = 500;

export interface ReturnSafety {
  status: ReturnSafetyStatus;
  /** The hazard areas that make it AT_RISK (empty otherwise), sorted. */
  hazardAreaIds: string[];
  checkedAt: string;
  /**
   * A destination without a point whose commune or tambon (`adm3`) holds hazard areas that are not
   * closed (by the areas' own `adm3`): still UNKNOWN, never a centroid, but staff see why and that a
   * point is needed (`reason: NO_POINT`, those areas sorted).
   */
  nearbyHazardAreaIds?: string[] | undefined;
  reason?: 'NO_POINT' | undefined;
}

/** A stored household, personal data included. Never logged, never in an event. */
export interface Household {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  country: Country;
  /** The registering organisation (the registrar's `org` claim); relief agencies see their own. */
  org: string;
  status: HouseholdStatus;
  blockedReason?: BlockedReason | undefined;
  statusReason?: string | undefined;
  statusChangedAt: string;
  origin: z.infer<typeof Origin>;
  current: z.infer<typeof CurrentLocation>;
  destination?: z.infer<typeof Destination> | undefined;
  members: Member[];
  contact?: z.infer<typeof Contact> | undefined;
  consent: StoredConsent;
  reviewedDuplicate?: { of: string; reason: string } | undefined;
  returnSafety: ReturnSafety;
  /** An erasure the registering organisation asked for, waiting for its ministry to confirm it. */
  erasure?: { status: 'REQUESTED'; requested: { role: string; org: string; at: string }; reason: string } | undefined;
  /** The import job that created it, for households from a CSV. */
  importId?: string | undefined;
  /** The day it was displaced, as registered. */
  displacedSince?: string | undefined;
  /** The effective date of its last movement (or `displacedSince`): no movement may be dated before it. */
  currentSince?: string | undefined;
  returnIntentions?: ReturnIntentions | undefined;
  /** The registration code on the family's card, unique in its country (`shared/domain/assistance.ts`). */
  code?: string | undefined;
  /** When the household was given explosive ordnance risk education (and at which session, when known). */
  riskEducation?: { receivedAt: string; sessionId?: string | undefined } | undefined;
  /** Members who left (died, left, married out, split off), oldest departure first: no longer counted. */
  formerMembers?: FormerMember[] | undefined;
  verification?: Verification | undefined;
  /** The household this one was split from. */
  splitFrom?: { householdId: string; at: string } | undefined;
  /** The households split from this one. */
  splitInto?: { householdId: string; at: string }[] | undefined;
  /** The ministry's SAME decisions on possible duplicates of it (the review names the other household). */
  duplicateReviews?: DuplicateMark[] | undefined;
}

export const VERIFICATION_STATUSES = ['UNVERIFIED', 'VERIFIED', 'NEEDS_REVIEW'] as const;
export const VerificationStatus = z.enum(VERIFICATION_STATUSES);
export const VERIFICATION_METHODS = ['DOCUMENT', 'HOME_VISIT', 'COMMUNITY_LEADER', 'PHONE'] as const;
export const VerificationMethod = z.enum(VERIFICATION_METHODS);
export interface Verification {
  status: (typeof VERIFICATION_STATUSES)[number];
  method?: (typeof VERIFICATION_METHODS)[number] | undefined;
  date?: string | undefined;
  by?: string | undefined;
  /** Who recorded it, and when. */
  recordedAt: string;
  recordedBy: { sub: string; role: string; org: string };
}

export const DEPARTURE_REASONS = ['DECEASED', 'LEFT', 'MARRIED_OUT', 'SPLIT', 'OTHER'] as const;
/** Why a member joined a household after its registration. */
export const ADD_REASONS = ['BIRTH', 'ARRIVAL', 'OTHER'] as const;
/** A member who left the household: as they were, with why and when. */
export type FormerMember = Member & {
  departure: { reason: (typeof DEPARTURE_REASONS)[number]; date: string; recordedAt: string; householdId?: string | undefined };
};

/** The non-personal view used by lists: no names, birth dates, contacts or documents. */
export interface HouseholdSummary {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  country: Country;
  org: string;
  status: HouseholdStatus;
  blockedReason?: BlockedReason | undefined;
  originProvince: string;
  currentProvince: string;
  currentSiteId?: string | undefined;
  destinationProvince?: string | undefined;
  memberCount: number;
  returnSafety: ReturnSafety;
}

export const summarise = (h: Household): HouseholdSummary => ({
  id: h.id,
  version: h.version,
  createdAt: h.createdAt,
  updatedAt: h.updatedAt,
  country: h.country,
  org: h.org,
  status: h.status,
  ...(h.blockedReason ? { blockedReason: h.blockedReason } : {}),
  originProvince: h.origin.province,
  currentProvince: h.current.province,
  ...(h.current.siteId ? { currentSiteId: h.current.siteId } : {}),
  ...(h.destination ? { destinationProvince: h.destination.province } : {}),
  memberCount: h.members.length,
  returnSafety: h.returnSafety,
});

/** A member's year of birth: given, or that of the birth date (the schema requires one of them). */
export const birthYearOf = (m: Pick<MemberCreate, 'birthYear' | 'birthDate'>): number => m.birthYear ?? Number(m.birthDate!.slice(0, 4));

/** A member as stored: the document number is replaced by its last four characters (its hash is stored apart). */
export function storedMember(m: MemberCreate, id: string = newId()): Member {
  return {
    id,
    givenName: m.givenName,
    familyName: m.familyName,
    sex: m.sex,
    ...(m.birthDate ? { birthDate: m.birthDate } : {}),
    birthYear: birthYearOf(m),
    relationship: m.relationship,
    specificNeeds: m.specificNeeds,
    ...(m.document ? { document: { type: m.document.type, last4: normaliseDocumentNumber(m.document.number).slice(-4) } } : {}),
  };
}

/**
 * The id of a member of a household registered before members had ids: its household's id and its
 * place in the list then. Worked out on every read until the household's next change stores it,
 * so it never changes (members could not be added or removed before they had ids); an import
 * derives its members' ids the same way, so a re-run writes the same ones.
 */
export const positionalMemberId = (householdId: string, index: number): string => `${householdId}-${index}`;

/** The household with an id on every member (see {@link positionalMemberId}). */
export function withMemberIds<H extends Pick<Household, 'id' | 'members'>>(h: H): H {
  return h.members.every((m) => m.id) ? h : { ...h, members: h.members.map((m, i) => (m.id ? m : { ...m, id: positionalMemberId(h.id, i) })) };
}

/** Who registers a household, and what was settled about it before it is built. */
export interface Registration {
  id: string;
  now: string;
  registrar: Pick<Principal, 'sub' | 'org'>;
  country: Country;
  reviewedDuplicate: HouseholdCreate['reviewedDuplicate'];
  returnSafety: ReturnSafety;
  code: string;
}

/** A household as registered through the API: version 1, DISPLACED, its members stored without document numbers. */
export const newHousehold = (body: HouseholdCreate, r: Registration): Household => ({
  id: r.id,
  version: 1,
  createdAt: r.now,
  updatedAt: r.now,
  createdBy: r.registrar.sub,
  country: r.country,
  org: r.registrar.org,
  status: 'DISPLACED',
  statusChangedAt: r.now,
  origin: body.origin,
  current: body.current,
  ...(body.destination ? { destination: body.destination } : {}),
  members: body.members.map((m) => storedMember(m)),
  ...(body.contact ? { contact: body.contact } : {}),
  consent: body.consent,
  ...(r.reviewedDuplicate ? { reviewedDuplicate: r.reviewedDuplicate } : {}),
  returnSafety: r.returnSafety,
  ...(body.displacedSince ? { displacedSince: body.displacedSince, currentSince: body.displacedSince } : {}),
  ...(body.returnIntentions ? { returnIntentions: body.returnIntentions } : {}),
  code: r.code,
});

/** The household after a dated movement: a move of place alone keeps its status date and the reason of its status. */
export function movedHousehold(household: Household, move: HouseholdTransition, now: string, effectiveDate: string): Household {
  const sameStatus = move.to === household.status;
  const updated: Household = {
    ...household,
    status: move.to,
    statusChangedAt: sameStatus ? household.statusChangedAt : now,
    version: household.version + 1,
    updatedAt: now,
    currentSince: effectiveDate,
  };
  if (move.current) updated.current = move.current;
  if (move.blockedReason) updated.blockedReason = move.blockedReason;
  else delete updated.blockedReason;
  if (move.reason) updated.statusReason = move.reason;
  else if (!sameStatus) delete updated.statusReason;
  return updated;
}

/** The household after a PATCH: each field given replaces the stored one, null removes it. */
export function patchedHousehold(household: Household, patch: HouseholdPatch, now: string): Household {
  const updated: Household = { ...household, version: household.version + 1, updatedAt: now };
  if (patch.destination === null) delete updated.destination;
  else if (patch.destination) updated.destination = patch.destination;
  if (patch.contact === null) delete updated.contact;
  else if (patch.contact) updated.contact = patch.contact;
  if (patch.returnIntentions === null) delete updated.returnIntentions;
  else if (patch.returnIntentions) updated.returnIntentions = patch.returnIntentions;
  if (patch.riskEducation === null) delete updated.riskEducation;
  else if (patch.riskEducation) updated.riskEducation = patch.riskEducation;
  return updated;
}

/** Age bands of the displacement statistics (the humanitarian standard bands). */
export const AGE_BANDS = ['0-4', '5-11', '12-17', '18-59', '60+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** The age band of a member in `year` (by year of birth: exact enough for planning, and stable within a year). */
export function ageBand(birthYear: number, year: number): AgeBand {
  const age = year - birthYear;
  if (age <= 4) return '0-4';
  if (age <= 11) return '5-11';
  if (age <= 17) return '12-17';
  if (age <= 59) return '18-59';
  return '60+';
}

interface Move {
  roles: readonly Role[];
  /** A blocked return needs a `blockedReason`; these moves need a free-text reason. */
  reasonRequired: boolean;
}
const registrars: readonly Role[] = ['relief', 'admin'];

/**
 * The household lifecycle as a table: from → to → who may make the move. Relief agencies move
 * their own organisation's households; ministries read; admins may do anything a registrar may.
 * Moving to RETURN_BLOCKED needs a `blockedReason`.
 */
export const HOUSEHOLD_TRANSITIONS: Readonly<Record<HouseholdStatus, Partial<Record<HouseholdStatus, Move>>>> = {
  DISPLACED: { INTENDS_RETURN: { roles: registrars, reasonRequired: false }, RETURNED: { roles: registrars, reasonRequired: false } },
  INTENDS_RETURN: {
    RETURN_BLOCKED: { roles: registrars, reasonRequired: false },
    RETURNED: { roles: registrars, reasonRequired: false },
    DISPLACED: { roles: registrars, reasonRequired: true },
  },
  RETURN_BLOCKED: {
    INTENDS_RETURN: { roles: registrars, reasonRequired: false },
    RETURNED: { roles: registrars, reasonRequired: false },
    DISPLACED: { roles: registrars, reasonRequired: true },
  },
  RETURNED: { REDISPLACED: { roles: registrars, reasonRequired: true } },
  REDISPLACED: { INTENDS_RETURN: { roles: registrars, reasonRequired: false }, RETURNED: { roles: registrars, reasonRequired: false } },
};

export const allowedHouseholdMoves = (from: HouseholdStatus, role: Role): HouseholdStatus[] =>
  (Object.entries(HOUSEHOLD_TRANSITIONS[from]) as [HouseholdStatus, Move][]).filter(([, m]) => m.roles.includes(role)).map(([to]) => to);

/**
 * Body of `POST /v1/households/{id}/transitions`: a change of status, of place (`current`), or
 * both, dated by `effectiveDate` (the day it happened; today when left out), apart from the
 * server's time of recording. A move within the same status names the new `current` place.
 */
export const HouseholdTransition = z
  .strictObject({
    to: HouseholdStatus,
    blockedReason: z.optional(BlockedReason),
    reason: z.optional(text(500)),
    current: z.optional(CurrentLocation),
    effectiveDate: z.optional(pastDay()),
  })
  .check(
    z.refine((t) => t.to !== 'RETURN_BLOCKED' || t.blockedReason !== undefined, {
      message: 'a blocked return needs blockedReason (HAZARD, HOUSE_DESTROYED, OCCUPIED or OTHER)',
      path: ['blockedReason'],
    }),
    z.refine((t) => t.to === 'RETURN_BLOCKED' || t.blockedReason === undefined, {
      message: 'only a move to RETURN_BLOCKED takes blockedReason',
      path: ['blockedReason'],
    }),
  );
export type HouseholdTransition = z.infer<typeof HouseholdTransition>;

/**
 * Why a dated movement cannot be recorded, beyond the status table: a move within the same status
 * must name the new place; a movement may not be dated before the household's last one (or before
 * it was displaced); a household that returned home is at no site. `undefined` when it can.
 */
export function movementProblem(
  h: Pick<Household, 'status' | 'current' | 'currentSince'>,
  t: HouseholdTransition,
  effectiveDate: string,
): { path: string; message: string } | undefined {
  if (t.to === h.status && t.current === undefined) return { path: 'current', message: `a move within ${h.status} names the new place` };
  if (h.currentSince !== undefined && effectiveDate < h.currentSince)
    return { path: 'effectiveDate', message: `must not be before ${h.currentSince} (the last movement)` };
  if (t.to === 'RETURNED' && (t.current ?? h.current).siteId !== undefined)
    return { path: 'current', message: 'a returned household is at no site: give its new current place' };
  return undefined;
}

/** Where a household now is changes only by a dated transition: a PATCH naming `current` is refused with this. */
export const CURRENT_BY_TRANSITION = 'changes only by a dated movement: POST /v1/households/{id}/transitions { to, current, effectiveDate }';

/** A household's explosive ordnance risk education, as `PATCH /v1/households/{id}` records it. */
export const HouseholdRiskEducation = z.strictObject({
  receivedAt: z.iso.date().check(z.refine((d) => d <= today(), 'must not be in the future')),
  /** The session the household attended, when known. */
  sessionId: z.optional(Id),
});

/** Body of `PATCH /v1/households/{id}`: where it wants to go, how to reach it, its return intentions and risk education. */
export const HouseholdPatch = z
  .strictObject({
    current: z.optional(z.never(CURRENT_BY_TRANSITION)),
    destination: z.optional(z.nullable(Destination)),
    contact: z.optional(z.nullable(Contact)),
    returnIntentions: z.optional(z.nullable(ReturnIntentions)),
    /** Risk education received (null: recorded in error). */
    riskEducation: z.optional(z.nullable(HouseholdRiskEducation)),
  })
  .check(z.refine((p) => Object.keys(p).length > 0, 'name at least one field to change (destination, contact, returnIntentions, riskEducation)'));
export type HouseholdPatch = z.infer<typeof HouseholdPatch>;

/** Response schemas, for the OpenAPI document (built on first use). */
export const ReturnSafetySchema = () =>
  z.object({
    status: ReturnSafetyStatus,
    hazardAreaIds: z.array(z.string()),
    checkedAt: z.string(),
    nearbyHazardAreaIds: z.optional(z.array(z.string())),
    reason: z.optional(z.literal('NO_POINT')),
  });
export const HouseholdSummarySchema = named('HouseholdSummary', () =>
  z.object({
    id: Id,
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    country: Country,
    org: z.string(),
    status: HouseholdStatus,
    blockedReason: z.optional(BlockedReason),
    originProvince: z.string(),
    currentProvince: z.string(),
    currentSiteId: z.optional(z.string()),
    destinationProvince: z.optional(z.string()),
    memberCount: z.int(),
    returnSafety: ReturnSafetySchema(),
  }),
);
/**
 * Who may see a household's record (DESIGN section 3): an admin any; a ministry its country's;
 * a relief agency its own organisation's in its country; nobody else (observers read statistics
 * only). Outside this scope a household answers 404, as if it did not exist.
 */
export function canSeeHousehold(p: Pick<Principal, 'role' | 'country' | 'org'>, h: Pick<Household, 'country' | 'org'>): boolean {
  if (p.role === 'admin') return true;
  if (p.role === 'ministry') return p.country === h.country;
  if (p.role === 'relief') return p.country === h.country && p.org === h.org;
  return false;
}

/** Who may read a household's access log: admins and the ministry of the household's country. */
export const canReadAccessLog = (p: Pick<Principal, 'role' | 'country'>, h: Pick<Household, 'country'>): boolean =>
  p.role === 'admin' || (p.role === 'ministry' && p.country === h.country);
