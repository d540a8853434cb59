import * as z from 'zod/mini';
import { Country, named } from './common.ts';
import { HouseholdCreate, placeProblems } from './household.ts';
import { arrivalProblem } from './site-stats.ts';

/**
 * Bulk import of households from CSV (DESIGN section 4, README "Household CSV import"). Pure:
 * the column list, the header check, a row → member, and a household's rows → a `HouseholdCreate`
 * validated with the very schema of `POST /v1/households`, so the two cannot drift.
 *
 * One row per person. `household_key` groups rows into a household; a household's rows must be
 * consecutive. Household columns (origin, current location, destination, contact, consent) are
 * read from the household's first row; on its other rows they must be empty or the same.
 * A household with any bad row is rejected whole, and each of its rows is reported.
 */

/**
 * Gazetteer P-codes of the household's places (district, commune or tambon, Cambodian village):
 * optional columns, which a file may leave out; checked like the API's `adm2`/`adm3`/`adm4`.
 */
export const PLACE_CODE_COLUMNS = [
  'origin_adm2',
  'origin_adm3',
  'origin_adm4',
  'current_adm2',
  'current_adm3',
  'current_adm4',
  'destination_adm2',
  'destination_adm3',
  'destination_adm4',
] as const;

/** Columns that describe the household (read from its first row). */
export const HOUSEHOLD_COLUMNS = [
  'origin_province',
  'origin_adm2',
  'origin_adm3',
  'origin_adm4',
  'origin_district',
  'origin_village',
  'current_province',
  'current_adm2',
  'current_adm3',
  'current_adm4',
  'current_district',
  'current_village',
  'current_site',
  'current_host_community',
  'current_site_code',
  'displaced_since',
  'destination_province',
  'destination_adm2',
  'destination_adm3',
  'destination_adm4',
  'destination_district',
  'destination_village',
  'destination_lon',
  'destination_lat',
  'contact_phone',
  'consent_given',
  'consent_date',
  'consent_purposes',
  'return_intends',
  'return_when',
  'return_obstacles',
  'return_surveyed_at',
] as const;

/** Columns a file may leave out (added after the first files were made): read as empty. */
export const OPTIONAL_COLUMNS: readonly string[] = [
  ...PLACE_CODE_COLUMNS,
  'current_site_code',
  'displaced_since',
  'return_intends',
  'return_when',
  'return_obstacles',
  'return_surveyed_at',
];

/** Columns that describe the person of the row. */
export const MEMBER_COLUMNS = [
  'given_name',
  'family_name',
  'sex',
  'birth_date',
  'birth_year',
  'relationship',
  'specific_needs',
  'document_type',
  'document_number',
] as const;

/** Every column, in the order `npm run gen:households` writes them; a file may order them freely. */
export const IMPORT_COLUMNS = ['household_key', ...HOUSEHOLD_COLUMNS, ...MEMBER_COLUMNS] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
export type ImportRow = Record<ImportColumn, string>;

/** A row's problem. Rows are numbered as a spreadsheet shows them: the header is row 1. */
export interface RowError {
  row: number;
  message: string;
}

/** A CSV row with its number, and what is wrong with it as a record (a wrong number of fields). */
export interface NumberedRow {
  row: number;
  fields: ImportRow;
  problem?: string | undefined;
}

export const JOB_STATUSES = ['AWAITING_UPLOAD', 'UPLOADED', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type ImportJobStatus = (typeof JOB_STATUSES)[number];

const list = (value: string): string[] =>
  value
    .split(/[;|]/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
const optional = (value: string): string | undefined => (value === '' ? undefined : value);
const YES = new Set(['true', 'yes', 'y', '1']);

/** The number of a year or coordinate column; `NaN` (reported by the schema) when it is not one. */
const numberOf = (value: string): number | undefined => (value === '' ? undefined : /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN);

function member(f: ImportRow): Record<string, unknown> {
  return {
    givenName: f.given_name,
    familyName: f.family_name,
    sex: f.sex.toUpperCase(),
    ...(f.birth_date ? { birthDate: f.birth_date } : {}),
    ...(f.birth_year ? { birthYear: numberOf(f.birth_year) } : {}),
    relationship: f.relationship.toUpperCase(),
    specificNeeds: list(f.specific_needs).map((c) => c.toUpperCase()),
    ...(f.document_number || f.document_type ? { document: { type: f.document_type.toUpperCase() || undefined, number: f.document_number } } : {}),
  };
}

function place(f: ImportRow, prefix: 'origin' | 'current' | 'destination'): Record<string, unknown> {
  const get = (c: string) => optional((f as Record<string, string>)[`${prefix}_${c}`] ?? '');
  return Object.fromEntries(
    Object.entries({
      province: get('province') ?? '',
      adm2: get('adm2'),
      adm3: get('adm3'),
      adm4: get('adm4'),
      district: get('district'),
      village: get('village'),
    }).filter(([, v]) => v !== undefined),
  );
}

/** The sites of the job's country by code (upper case), for `current_site_code`. */
export type SitesByCode = ReadonlyMap<string, { id: string; country: string; code: string; status: string; province: string }>;

/** The return intentions of a row, when any of its columns is filled. */
function intentions(f: ImportRow): Record<string, unknown> | undefined {
  if (![f.return_intends, f.return_when, f.return_obstacles, f.return_surveyed_at].some((v) => v !== '')) return undefined;
  return {
    intends: f.return_intends.toUpperCase(),
    ...(f.return_when ? { when: f.return_when.toUpperCase() } : {}),
    obstacles: list(f.return_obstacles).map((o) => o.toUpperCase()),
    surveyedAt: f.return_surveyed_at,
  };
}

/** The registration body a household's first row describes (members added by the caller). */
function household(f: ImportRow, country: Country, members: Record<string, unknown>[], sites: SitesByCode): Record<string, unknown> {
  const lon = numberOf(f.destination_lon);
  const lat = numberOf(f.destination_lat);
  const hasDestination = [
    f.destination_province,
    f.destination_adm2,
    f.destination_adm3,
    f.destination_adm4,
    f.destination_district,
    f.destination_village,
    f.destination_lon,
    f.destination_lat,
  ].some((v) => v !== '');
  const siteId = f.current_site_code ? sites.get(f.current_site_code.toUpperCase())?.id : undefined;
  // An unknown code is reported by its own check, not again as a missing site.
  const current = {
    ...place(f, 'current'),
    ...(siteId ? { siteId } : f.current_site_code ? { site: f.current_site_code } : {}),
    ...(f.current_site ? { site: f.current_site } : {}),
    ...(f.current_host_community ? { hostCommunity: f.current_host_community } : {}),
  };
  const returnIntentions = intentions(f);
  return {
    country,
    origin: place(f, 'origin'),
    current,
    ...(hasDestination
      ? {
          destination: {
            ...place(f, 'destination'),
            ...(lon !== undefined || lat !== undefined ? { point: { type: 'Point', coordinates: [lon ?? Number.NaN, lat ?? Number.NaN] } } : {}),
          },
        }
      : {}),
    members,
    ...(f.contact_phone ? { contact: { phone: f.contact_phone } } : {}),
    consent: { given: YES.has(f.consent_given.toLowerCase()), date: f.consent_date, purposes: list(f.consent_purposes).map((p) => p.toUpperCase()) },
    ...(f.displaced_since ? { displacedSince: f.displaced_since } : {}),
    ...(returnIntentions ? { returnIntentions } : {}),
  };
}

/** Schema paths of the return intentions, by their column. */
const INTENTION_COLUMNS: Record<string, string> = {
  intends: 'return_intends',
  when: 'return_when',
  obstacles: 'return_obstacles',
  surveyedAt: 'return_surveyed_at',
};

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The CSV column a schema path points at (`members.2.birthYear` → `birth_year`). */
export function columnOf(path: readonly PropertyKey[]): string {
  const parts = path.filter((p) => typeof p === 'string') as string[];
  if (parts[0] === 'members') {
    if (parts.length === 1) return 'relationship';
    return snake(parts.slice(1).join('_'));
  }
  if (parts[0] === 'destination' && parts[1] === 'point') return 'destination_lon/destination_lat';
  if (parts[0] === 'consent' && parts.length === 1) return 'consent_given';
  if (parts[0] === 'current' && parts[1] === 'siteId') return 'current_site_code';
  if (parts[0] === 'returnIntentions') return INTENTION_COLUMNS[parts[1] ?? ''] ?? 'return_intends';
  return snake(parts.join('_'));
}

export type GroupResult = { ok: true; household: HouseholdCreate } | { ok: false; errors: RowError[] };

/**
 * A household's rows (consecutive, same `household_key`) → a valid registration body, or an
 * error for each of its rows: the row's own problems, and for the others the reason the
 * household was refused. Nothing of a refused household is imported.
 */
export function householdFromRows(rows: readonly NumberedRow[], country: Country, sites: SitesByCode = new Map()): GroupResult {
  const first = rows[0];
  if (!first) return { ok: false, errors: [] };
  const own = new Map<number, string[]>();
  const note = (row: number, message: string) => own.set(row, [...(own.get(row) ?? []), message]);
  for (const r of rows) if (r.problem) note(r.row, r.problem);
  if (first.fields.household_key === '') note(first.row, 'household_key is empty');
  for (const r of rows.slice(1)) {
    for (const c of HOUSEHOLD_COLUMNS) {
      if (r.fields[c] !== '' && r.fields[c] !== first.fields[c])
        note(r.row, `${c} differs from the household's first row (row ${first.row}); give household columns once, or the same on every row`);
    }
  }
  const body = household(
    first.fields,
    country,
    rows.map((r) => member(r.fields)),
    sites,
  );
  const parsed = HouseholdCreate.safeParse(body);
  const code = first.fields.current_site_code;
  const atSite = code ? arrivalProblem(sites.get(code.toUpperCase()), country, first.fields.current_province, code) : undefined;
  if (atSite) note(first.row, `current_site_code: ${atSite}`);
  if (parsed.success) {
    for (const p of placeProblems(parsed.data, country)) note(first.row, `${columnOf(p.path.split('.'))}: ${p.message}`);
  } else {
    for (const issue of parsed.error.issues) {
      const [head, index] = issue.path;
      const row = head === 'members' && typeof index === 'number' ? (rows[index]?.row ?? first.row) : first.row;
      note(row, `${columnOf(issue.path)}: ${issue.message}`);
    }
  }
  if (own.size === 0 && parsed.success) return { ok: true, household: parsed.data };
  const key = first.fields.household_key || '(empty)';
  const summary = [...own.entries()].map(([row, messages]) => `row ${row}: ${messages.join('; ')}`).join(' | ');
  return {
    ok: false,
    errors: rows.map((r) => ({
      row: r.row,
      message: own.has(r.row) ? `household ${key}: ${own.get(r.row)!.join('; ')}` : `household ${key} is refused because of its other rows (${summary})`,
    })),
  };
}

/** Messages are reported, stored and returned in full up to this length. */
export const MAX_ERROR_MESSAGE = 1000;
export const clip = (message: string): string => (message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE - 1)}…` : message);

/** A value of a choice column that no map knows, and how many rows have it (the mapping can name it). */
export interface UnmappedValue {
  field: string;
  value: string;
  count: number;
}

/** How the importer read a file: its format, the columns it recognised and ignored, the values it could not translate. */
export interface ImportReport {
  format: 'CSV' | 'XLSX' | 'ZIP';
  recognised: { table: string; column: string; field: string }[];
  ignored: { table: string; column: string }[];
  unmappedValues: UnmappedValue[];
}

/**
 * Body of an upload's create (`POST /v1/assistance-imports`): only an admin names the country.
 * `POST /v1/household-imports` takes more (a mapping, a dry run): `HouseholdImportCreate` in import-mapping.ts.
 */
export const ImportUploadCreate = z.strictObject({
  country: z.optional(Country),
  /** The file's size in bytes: the upload must be exactly this long (required on AWS, where the presigned URL signs it). */
  bytes: z.optional(z.int().check(z.minimum(0))),
});

/** The job as `GET /v1/household-imports/{id}` answers it. */
export const HouseholdImportSchema = named('HouseholdImport', () =>
  z.object({
    id: z.string(),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string(),
    country: Country,
    org: z.string(),
    status: z.enum(JOB_STATUSES),
    rowsTotal: z.int(),
    rowsImported: z.int(),
    rowsRejected: z.int(),
    households: z.int(),
    householdsRejected: z.int(),
    /**
     * Pairs of possible duplicates without documents its households are in, queued for the ministry's review (`GET /v1/duplicate-reviews`) by
     * the duplicate pass that follows the import (counting up after COMPLETED, until `duplicatesCheckedAt`); not on a dry run.
     */
    possibleDuplicates: z.optional(z.int()),
    /** When the duplicate pass after the import ended. */
    duplicatesCheckedAt: z.optional(z.string()),
    bytesTotal: z.int(),
    message: z.optional(z.string()),
    duplicateOf: z.optional(z.string()),
    dryRun: z.boolean(),
    mappingId: z.optional(z.string()),
    /** How the file was read (once its check has run): format, columns recognised and ignored, unknown values with their counts. */
    report: z.optional(
      z.object({
        format: z.enum(['CSV', 'XLSX', 'ZIP']),
        recognised: z.array(z.object({ table: z.string(), column: z.string(), field: z.string() })),
        ignored: z.array(z.object({ table: z.string(), column: z.string() })),
        unmappedValues: z.array(z.object({ field: z.string(), value: z.string(), count: z.int() })),
      }),
    ),
    errors: z.array(z.object({ row: z.int(), message: z.string() })),
  }),
);
/** The job as the API answers it: what clients of the import (the CLI, tests) read. */
export type HouseholdImportView = z.infer<ReturnType<typeof HouseholdImportSchema>>;
/** The answer to the create; a replay once the file is uploaded carries no upload URL. */
export const CreatedHouseholdImportSchema = named('CreatedHouseholdImport', () =>
  z.object({ id: z.string(), uploadUrl: z.optional(z.string()), status: z.enum(JOB_STATUSES), uploadExpiresAt: z.optional(z.string()) }),
);
export const RowErrorSchema = named('ImportRowError', () => z.object({ row: z.int(), message: z.string() }));
