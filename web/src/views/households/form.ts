/**
 * The household registration form as plain data: its state (every input as the text typed), the
 * `POST /v1/households` body built from it, and the checks the form makes before sending — the
 * very schema the server validates with (`HouseholdCreate`), plus the country of every place —
 * with each problem keyed by the path of the input it concerns (`members.0.givenName`), the same
 * path the server's `errors[].path` names after `body.`. Pure: no DOM, tested in test/unit.
 */
import { HouseholdCreate, placeProblems } from '#shared/domain/household.ts';
import type { SpecificNeed } from '#shared/domain/specific-needs.ts';

export type CountryCode = 'KH' | 'TH';

export interface MemberState {
  /** Stable key for rendering a repeatable row; never sent. */
  key: number;
  givenName: string;
  familyName: string;
  sex: string;
  birthDate: string;
  birthYear: string;
  relationship: string;
  specificNeeds: SpecificNeed[];
  documentType: string;
  documentNumber: string;
}

export interface HouseholdFormState {
  /** Only an admin chooses; others register in their own country. */
  country: CountryCode | '';
  origin: { province: string; adm2: string; adm3: string; adm4: string; district: string; village: string };
  current: {
    province: string;
    adm2: string;
    adm3: string;
    adm4: string;
    district: string;
    village: string;
    siteId: string;
    site: string;
    hostCommunity: string;
  };
  /** The day the household was displaced (YYYY-MM-DD), optional. */
  displacedSince: string;
  /** What the household said of going home; `intends` empty: not asked. */
  intentions: { intends: string; when: string; obstacles: string[]; surveyedAt: string };
  destination: { province: string; adm2: string; adm3: string; adm4: string; district: string; village: string; lon: string; lat: string };
  members: MemberState[];
  contact: { phone: string; note: string };
  consent: { given: boolean; date: string; purposes: string[] };
}

let nextKey = 1;

export const emptyMember = (relationship = ''): MemberState => ({
  key: nextKey++,
  givenName: '',
  familyName: '',
  sex: '',
  birthDate: '',
  birthYear: '',
  relationship,
  specificNeeds: [],
  documentType: '',
  documentNumber: '',
});

export const today = (): string => new Date().toISOString().slice(0, 10);

export const emptyHousehold = (country: CountryCode | ''): HouseholdFormState => ({
  country,
  origin: { province: '', adm2: '', adm3: '', adm4: '', district: '', village: '' },
  current: { province: '', adm2: '', adm3: '', adm4: '', district: '', village: '', siteId: '', site: '', hostCommunity: '' },
  displacedSince: '',
  intentions: { intends: '', when: '', obstacles: [], surveyedAt: today() },
  destination: { province: '', adm2: '', adm3: '', adm4: '', district: '', village: '', lon: '', lat: '' },
  members: [emptyMember('HEAD')],
  contact: { phone: '', note: '' },
  consent: { given: false, date: today(), purposes: ['REGISTRATION'] },
});

/** Drops empty strings (after trimming) so optional fields are absent, not blank. */
function compact(o: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    const s = v?.trim();
    if (s) out[k] = s;
  }
  return out;
}

/** A number typed in a field, or NaN (which the schema reports) when it is not one. */
const numberOf = (s: string): number => (/^\s*-?\d+(\.\d+)?\s*$/.test(s) ? Number(s) : Number.NaN);

/** The `POST /v1/households` body the form describes. `country` is sent only when an admin chose it. */
export function householdBody(state: HouseholdFormState, sendCountry: boolean): Record<string, unknown> {
  const d = state.destination;
  const hasDestination = [d.province, d.adm2, d.adm3, d.adm4, d.district, d.village, d.lon, d.lat].some((v) => v.trim() !== '');
  const hasPoint = d.lon.trim() !== '' || d.lat.trim() !== '';
  const contact = compact(state.contact);
  const i = state.intentions;
  return {
    ...(sendCountry && state.country ? { country: state.country } : {}),
    origin: compact(state.origin),
    current: compact(state.current),
    ...(hasDestination
      ? {
          destination: {
            ...compact({ province: d.province, adm2: d.adm2, adm3: d.adm3, adm4: d.adm4, district: d.district, village: d.village }),
            ...(hasPoint ? { point: { type: 'Point', coordinates: [numberOf(d.lon), numberOf(d.lat)] } } : {}),
          },
        }
      : {}),
    members: state.members.map((m) => ({
      ...compact({ givenName: m.givenName, familyName: m.familyName, sex: m.sex, birthDate: m.birthDate, relationship: m.relationship }),
      ...(m.birthYear.trim() ? { birthYear: numberOf(m.birthYear) } : {}),
      specificNeeds: m.specificNeeds,
      ...(m.documentType || m.documentNumber.trim() ? { document: { type: m.documentType || undefined, number: m.documentNumber.trim() } } : {}),
    })),
    ...(Object.keys(contact).length > 0 ? { contact } : {}),
    consent: { given: state.consent.given, date: state.consent.date, purposes: state.consent.purposes },
    ...(state.displacedSince ? { displacedSince: state.displacedSince } : {}),
    ...(i.intends
      ? {
          returnIntentions: {
            intends: i.intends,
            ...(i.intends === 'YES' && i.when ? { when: i.when } : {}),
            obstacles: i.obstacles,
            surveyedAt: i.surveyedAt,
          },
        }
      : {}),
  };
}

/** Field errors keyed by input path (`members.0.givenName`), one message each (the first). */
export type FieldErrors = Record<string, string>;

/**
 * The input a server error path names: `body.members.0.givenName` → `members.0.givenName`;
 * `body.destination.point.coordinates.1` → `destination.lat`; a path deeper than any input
 * (`members.0.document.number`) → the input it belongs to (`members.0.documentNumber`).
 */
export function inputPath(path: string): string {
  const parts = path.replace(/^body\./, '').split('.');
  if (parts[0] === 'destination' && parts[1] === 'point') return parts[3] === '1' ? 'destination.lat' : 'destination.lon';
  if (parts[0] === 'members' && parts[2] === 'document') return `members.${parts[1]}.${parts[3] === 'type' ? 'documentType' : 'documentNumber'}`;
  if (parts[0] === 'members' && parts[2] === 'specificNeeds') return `members.${parts[1]}.specificNeeds`;
  if (parts[0] === 'consent' && parts[1] === 'purposes') return 'consent.purposes';
  return parts.join('.');
}

/** Server (or schema) errors as field errors; the first message for each input wins. */
export function fieldErrors(errors: readonly { path: string; message: string }[]): FieldErrors {
  const out: FieldErrors = {};
  for (const e of errors) {
    const key = inputPath(e.path);
    out[key] ??= e.message;
  }
  return out;
}

/** The schema's message when the members have no head or several (shown translated). */
export const ONE_HEAD = 'a household has exactly one head (relationship HEAD)';

/** Marks a field left empty; the view shows its translated "required". */
export const REQUIRED = 'REQUIRED';

const isMissing = (issue: { code: string; message: string; minimum?: unknown; origin?: unknown }): boolean =>
  (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) ||
  (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1);

/**
 * What the server would refuse, checked before sending (also offline): the registration schema and
 * the provinces of the country, plus "exactly one head" (reported on the members list).
 */
export function checkHousehold(body: Record<string, unknown>, country: CountryCode | undefined): FieldErrors {
  const parsed = HouseholdCreate.safeParse(body);
  const errors: { path: string; message: string }[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors.push({ path: issue.path.map(String).join('.'), message: isMissing(issue) ? REQUIRED : issue.message });
    // The schema checks the birth only once a member's fields parse; say it at once.
    const members = Array.isArray(body.members) ? (body.members as Record<string, unknown>[]) : [];
    members.forEach((m, i) => {
      if (m.birthDate === undefined && m.birthYear === undefined) errors.push({ path: `members.${i}.birthYear`, message: REQUIRED });
    });
  } else if (country) {
    errors.push(...placeProblems(parsed.data, country));
  }
  return fieldErrors(errors);
}

/** Index of the member who is head, or -1; more than one is reported by {@link checkHousehold}. */
export const headIndex = (members: readonly Pick<MemberState, 'relationship'>[]): number => members.findIndex((m) => m.relationship === 'HEAD');
