import * as z from 'zod/mini';
import { Country, named, StoredFields } from './common.ts';
import { Point } from './geometry.ts';
import { isProvinceOf } from './provinces.ts';
import { borderToday } from './border-day.ts';

/**
 * Displacement sites (DTM "sites": camps, pagodas, schools, collective centres) where displaced
 * households stay. Pure: schemas and the rules a site's places must satisfy. A site is not
 * personal data; the households present at it are counted (`shared/domain/site-stats.ts`), never listed.
 */

export const SITE_TYPES = ['CAMP', 'PAGODA', 'SCHOOL', 'COLLECTIVE_CENTRE', 'HOST_COMMUNITY_AREA', 'OTHER'] as const;
export const SiteType = z.enum(SITE_TYPES);
export const SITE_STATUSES = ['OPEN', 'CLOSED'] as const;
export const SiteStatus = z.enum(SITE_STATUSES);
export type SiteStatus = z.infer<typeof SiteStatus>;

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
/** Dates recorded on the border are checked against its day (UTC+7), not the server's. */
const today = () => borderToday();
const pastDate = () => z.iso.date().check(z.refine((d) => d <= today(), 'must not be in the future'));

/** A site's code: unique in its country (e.g. the DTM site id `KH22-PGD-004`). */
export const SiteCode = z
  .string()
  .check(z.trim(), z.minLength(1), z.maxLength(40), z.regex(/^[A-Za-z0-9][A-Za-z0-9._/-]*$/, 'must be letters, digits, dots, dashes or slashes'));

/** Names in English and in the national language (Khmer for Cambodia, Thai for Thailand). */
export const SiteName = z.strictObject({ en: text(200), km: z.optional(text(200)), th: z.optional(text(200)) });

/** District (adm2), commune or tambon (adm3) and village (adm4, Cambodia) P-codes. */
export const Adm2 = z.string().check(z.regex(/^(KH|TH)\d{4}$/, 'must be a district P-code such as KH2201'));
export const Adm3 = z.string().check(z.regex(/^(KH|TH)\d{6}$/, 'must be a commune or tambon P-code such as KH220101'));
export const Adm4 = z.string().check(z.regex(/^KH\d{8}$/, 'must be a Cambodian village P-code such as KH22010101'));

const siteFields = {
  name: SiteName,
  type: SiteType,
  adm2: z.optional(Adm2),
  adm3: z.optional(Adm3),
  adm4: z.optional(Adm4),
  point: z.optional(Point),
  /** People the site can hold. */
  capacity: z.int().check(z.minimum(0), z.maximum(1_000_000)),
  managingOrganisation: text(200),
  openedAt: z.optional(pastDate()),
  closedAt: z.optional(pastDate()),
};

/** Body of `POST /v1/sites`; only an admin names the country. */
export const SiteCreate = z.strictObject({
  country: z.optional(Country),
  code: SiteCode,
  province: z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a province P-code such as KH22')),
  ...siteFields,
  status: z._default(SiteStatus, 'OPEN'),
});
export type SiteCreate = z.infer<typeof SiteCreate>;

/** Body of `PATCH /v1/sites/{id}`: everything but the country and province (a site elsewhere is another site). `null` removes an optional field. */
export const SitePatch = z
  .strictObject({
    code: z.optional(SiteCode),
    name: z.optional(SiteName),
    type: z.optional(SiteType),
    adm2: z.optional(z.nullable(Adm2)),
    adm3: z.optional(z.nullable(Adm3)),
    adm4: z.optional(z.nullable(Adm4)),
    point: z.optional(z.nullable(Point)),
    capacity: z.optional(siteFields.capacity),
    managingOrganisation: z.optional(siteFields.managingOrganisation),
    status: z.optional(SiteStatus),
    openedAt: z.optional(z.nullable(pastDate())),
    closedAt: z.optional(z.nullable(pastDate())),
  })
  .check(z.refine((p) => Object.keys(p).length > 0, 'name at least one field to change'));
export type SitePatch = z.infer<typeof SitePatch>;

export interface Site {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  country: Country;
  code: string;
  name: z.infer<typeof SiteName>;
  type: z.infer<typeof SiteType>;
  province: string;
  adm2?: string | undefined;
  adm3?: string | undefined;
  adm4?: string | undefined;
  point?: Point | undefined;
  capacity: number;
  managingOrganisation: string;
  status: SiteStatus;
  openedAt?: string | undefined;
  closedAt?: string | undefined;
}

/**
 * Where a coded place's units must agree: each code extends its parent's (province → adm2 → adm3
 * → adm4), a lower level needs the one above, and villages (adm4) exist only in Cambodia. Used
 * for sites and, until codes are checked against the gazetteer, wherever adm codes are given.
 */
export function admProblems(
  p: { province: string; adm2?: string | undefined; adm3?: string | undefined; adm4?: string | undefined },
  path: string,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const levels = [
    ['province', p.province],
    ['adm2', p.adm2],
    ['adm3', p.adm3],
    ['adm4', p.adm4],
  ] as const;
  for (let i = 1; i < levels.length; i++) {
    const [name, code] = levels[i]!;
    if (code === undefined) continue;
    const [parentName, parent] = levels[i - 1]!;
    if (parent === undefined) problems.push({ path: `${path}.${parentName}`, message: `required with ${name} ${code}` });
    else if (!code.startsWith(parent)) problems.push({ path: `${path}.${name}`, message: `${code} does not lie in ${parentName} ${parent}` });
  }
  return problems;
}

/** Problems of a site as it would be stored: places in its country, dates in order, names in the country's language. */
export function siteProblems(
  s: Pick<Site, 'country' | 'province' | 'adm2' | 'adm3' | 'adm4' | 'name' | 'status' | 'openedAt' | 'closedAt'>,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!isProvinceOf(s.province, s.country)) problems.push({ path: 'province', message: `${s.province} is not a known province of ${s.country}` });
  problems.push(...admProblems(s, '').map((p) => ({ ...p, path: p.path.slice(1) })));
  const other = s.country === 'KH' ? 'th' : 'km';
  if (s.name[other] !== undefined)
    problems.push({ path: `name.${other}`, message: `a site in ${s.country} is named in English and ${s.country === 'KH' ? 'Khmer (km)' : 'Thai (th)'}` });
  if (s.closedAt !== undefined && s.status !== 'CLOSED') problems.push({ path: 'closedAt', message: 'only a CLOSED site has closedAt' });
  if (s.closedAt !== undefined && s.openedAt !== undefined && s.closedAt < s.openedAt)
    problems.push({ path: 'closedAt', message: `must not be before openedAt (${s.openedAt})` });
  return problems;
}

/** Response schema, for the OpenAPI document (built on first use). */
export const SiteSchema = named('Site', () =>
  z.object({
    ...StoredFields,
    country: Country,
    code: z.string(),
    name: z.object({ en: z.string(), km: z.optional(z.string()), th: z.optional(z.string()) }),
    type: SiteType,
    province: z.string(),
    adm2: z.optional(z.string()),
    adm3: z.optional(z.string()),
    adm4: z.optional(z.string()),
    point: z.optional(Point),
    capacity: z.int(),
    managingOrganisation: z.string(),
    status: SiteStatus,
    openedAt: z.optional(z.string()),
    closedAt: z.optional(z.string()),
  }),
);
