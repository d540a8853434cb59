import * as z from 'zod/mini';
import { Country, lazy, StoredFields } from './common.ts';
import { EO_CATEGORIES } from './ordnance-categories.ts';
import { EoCategory } from './ordnance.ts';
import { isProvinceOf } from './provinces.ts';
import { borderToday } from './border-day.ts';

/**
 * Explosive ordnance risk education (EORE, IMAS 12.10) sessions. Pure: schemas and the counters a
 * session contributes. Audiences are counts (girls, boys, women, men) as mine action reports
 * them: no names, so nothing in a session is personal data.
 */

export const DELIVERIES = ['FACE_TO_FACE', 'MASS_MEDIA', 'DIGITAL', 'OTHER'] as const;
export const Delivery = z.enum(DELIVERIES);
export const AUDIENCE_GROUPS = ['girls', 'boys', 'women', 'men'] as const;
export type AudienceGroup = (typeof AUDIENCE_GROUPS)[number];

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const headcount = () => z.int().check(z.minimum(0), z.maximum(100_000));
/** Dates recorded on the border are checked against its day (UTC+7), not the server's. */
const today = () => borderToday();

/** Body of `POST /v1/risk-education-sessions`. */
export const SessionCreate = z.strictObject({
  /** Only an admin names the country; operations and relief record in their own. */
  country: z.optional(Country),
  date: z.iso.date().check(z.refine((d) => d <= today(), 'must not be in the future')),
  province: z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a province P-code such as KH22')),
  adm2: z.optional(z.string().check(z.regex(/^(KH|TH)\d{4}$/, 'must be a district P-code'))),
  adm3: z.optional(z.string().check(z.regex(/^(KH|TH)\d{6}$/, 'must be a commune P-code'))),
  adm4: z.optional(z.string().check(z.regex(/^(KH|TH)\d{8}$/, 'must be a village P-code'))),
  site: z.optional(text(200)),
  provider: text(200),
  delivery: Delivery,
  categories: z.array(EoCategory).check(
    z.minLength(1),
    z.maxLength(EO_CATEGORIES.length),
    z.refine((c) => new Set(c).size === c.length, 'must not repeat a category'),
  ),
  audience: z
    .strictObject({ girls: headcount(), boys: headcount(), women: headcount(), men: headcount() })
    .check(z.refine((a) => a.girls + a.boys + a.women + a.men > 0, 'a session reaches at least one person')),
});
export type SessionCreate = z.infer<typeof SessionCreate>;

/** Whether a session's places hold together: the province (and any lower P-code) of its country. */
export function sessionPlaceProblems(s: SessionCreate, country: string): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (!isProvinceOf(s.province, country)) out.push({ path: 'body.province', message: `${s.province} is not a province of ${country}` });
  for (const k of ['adm2', 'adm3', 'adm4'] as const)
    if (s[k] && !s[k]!.startsWith(s.province)) out.push({ path: `body.${k}`, message: `must lie in ${s.province}` });
  return out;
}

export interface RiskEducationSession extends Omit<SessionCreate, 'country'> {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  country: 'KH' | 'TH';
  org: string;
  reached: number;
}

/** Counters of a session: sessions, people reached by group, by delivery. Flat names for `ADD`. */
export function riskEducationCounters(s: Pick<RiskEducationSession, 'audience' | 'delivery'>): Record<string, number> {
  const reached = AUDIENCE_GROUPS.reduce((n, g) => n + s.audience[g], 0);
  return {
    eore_sessions: 1,
    [`eore_sessions_${s.delivery}`]: 1,
    eore_reached: reached,
    ...Object.fromEntries(AUDIENCE_GROUPS.map((g) => [`eore_reached_${g}`, s.audience[g]])),
  };
}

export function riskEducationView(c: Record<string, number>) {
  return {
    sessions: c.eore_sessions ?? 0,
    sessionsByDelivery: Object.fromEntries(DELIVERIES.map((d) => [d, c[`eore_sessions_${d}`] ?? 0])),
    reached: {
      total: c.eore_reached ?? 0,
      ...(Object.fromEntries(AUDIENCE_GROUPS.map((g) => [g, c[`eore_reached_${g}`] ?? 0])) as Record<AudienceGroup, number>),
    },
    /** The same as the displacement statistics' bands: girls and boys are 0-17, women and men 18 and over. */
    bySexAndAge: {
      F: { '0-17': c.eore_reached_girls ?? 0, '18+': c.eore_reached_women ?? 0 },
      M: { '0-17': c.eore_reached_boys ?? 0, '18+': c.eore_reached_men ?? 0 },
    },
  };
}

export const SessionSchema = lazy(() =>
  z.object({
    ...StoredFields,
    country: Country,
    org: z.string(),
    date: z.string(),
    province: z.string(),
    adm2: z.optional(z.string()),
    adm3: z.optional(z.string()),
    adm4: z.optional(z.string()),
    site: z.optional(z.string()),
    provider: z.string(),
    delivery: Delivery,
    categories: z.array(EoCategory),
    audience: z.object({ girls: z.int(), boys: z.int(), women: z.int(), men: z.int() }),
    reached: z.int(),
  }),
);

/** A household's risk education (`PATCH /v1/households/{id}`): in `household.ts`, which every household function loads. */
export { HouseholdRiskEducation } from './household.ts';
