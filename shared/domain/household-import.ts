import * as z from 'zod/mini';
import { Country, named } from './common.ts';
import { HouseholdCreate, placeProblems } from './household.ts';

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
export const PLACE_CODE_COLUMNS = ['origin_adm2', 'origin_adm3', 'origin_adm4', 'current_adm2', 'current_adm3', 'current_adm4', 'destination_adm2', 'destination_adm3', 'destination_adm4'] as const;

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
] as const;

/** Columns that describe the person of the row. */
export const MEMBER_COLUMNS = ['given_name', 'family_name', 'sex', 'birth_date', 'birth_year', 'relationship', 'specific_needs', 'document_type', 'document_number'] as const;

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

/** The header of a file, checked before anything is read further: the exact set of columns, each once. */
export function checkHeader(header: readonly string[]): { ok: true; index: Record<ImportColumn, number> } | { ok: false; message: string } {
  const names = header.map((h) => h.trim());
  const missing = IMPORT_COLUMNS.filter((c) => !names.includes(c) && !(PLACE_CODE_COLUMNS as readonly string[]).includes(c));
  const unknown = names.filter((n) => !(IMPORT_COLUMNS as readonly string[]).includes(n));
  const repeated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
  if (missing.length === 0 && unknown.length === 0 && repeated.length === 0) {
    return { ok: true, index: Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<ImportColumn, number> };
  }
  const parts = [
    missing.length > 0 ? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : '',
    unknown.length > 0 ? `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => (u === '' ? '(empty)' : u)).join(', ')}` : '',
    repeated.length > 0 ? `repeated column${repeated.length > 1 ? 's' : ''} ${repeated.join(', ')}` : '',
  ].filter(Boolean);
  return { ok: false, message: `The CSV header is wrong: ${parts.join('; ')}. Expected the columns ${IMPORT_COLUMNS.join(', ')} (see the README, "Household CSV import").` };
}

/** A parsed record as named fields, with a problem when it has the wrong number of fields. */
export function rowFields(record: readonly string[], index: Record<ImportColumn, number>, width: number): { fields: ImportRow; problem?: string } {
  const fields = Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, (record[index[c]] ?? '').trim()])) as ImportRow;
  return record.length === width ? { fields } : { fields, problem: `has ${record.length} fields where the header has ${width}` };
}

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
    Object.entries({ province: get('province') ?? '', adm2: get('adm2'), adm3: get('adm3'), adm4: get('adm4'), district: get('district'), village: get('village') }).filter(([, v]) => v !== undefined),
  );
}

/** The registration body a household's first row describes (members added by the caller). */
function household(f: ImportRow, country: Country, members: Record<string, unknown>[]): Record<string, unknown> {
  const lon = numberOf(f.destination_lon);
  const lat = numberOf(f.destination_lat);
  const hasDestination = [f.destination_province, f.destination_adm2, f.destination_adm3, f.destination_adm4, f.destination_district, f.destination_village, f.destination_lon, f.destination_lat].some((v) => v !== '');
  const current = { ...place(f, 'current'), ...(f.current_site ? { site: f.current_site } : {}), ...(f.current_host_community ? { hostCommunity: f.current_host_community } : {}) };
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
  };
}

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
  return snake(parts.join('_'));
}

export type GroupResult = { ok: true; household: HouseholdCreate } | { ok: false; errors: RowError[] };

/**
 * A household's rows (consecutive, same `household_key`) → a valid registration body, or an
 * error for each of its rows: the row's own problems, and for the others the reason the
 * household was refused. Nothing of a refused household is imported.
 */
export function householdFromRows(rows: readonly NumberedRow[], country: Country): GroupResult {
  const first = rows[0];
  if (!first) return { ok: false, errors: [] };
  const own = new Map<number, string[]>();
  const note = (row: number, message: string) => own.set(row, [...(own.get(row) ?? []), message]);
  for (const r of rows) if (r.problem) note(r.row, r.problem);
  if (first.fields.household_key === '') note(first.row, 'household_key is empty');
  for (const r of rows.slice(1)) {
    for (const c of HOUSEHOLD_COLUMNS) {
      if (r.fields[c] !== '' && r.fields[c] !== first.fields[c]) note(r.row, `${c} differs from the household's first row (row ${first.row}); give household columns once, or the same on every row`);
    }
  }
  const body = household(first.fields, country, rows.map((r) => member(r.fields)));
  const parsed = HouseholdCreate.safeParse(body);
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

/** Body of `POST /v1/household-imports`: only an admin names the country. */
export const HouseholdImportCreate = z.strictObject({
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
    bytesTotal: z.int(),
    message: z.optional(z.string()),
    duplicateOf: z.optional(z.string()),
    errors: z.array(z.object({ row: z.int(), message: z.string() })),
  }),
);
/** The job as the API answers it: what clients of the import (the CLI, tests) read. */
export type HouseholdImportView = z.infer<ReturnType<typeof HouseholdImportSchema>>;
/** The answer to the create; a replay once the file is uploaded carries no upload URL. */
export const CreatedHouseholdImportSchema = named('CreatedHouseholdImport', () => z.object({ id: z.string(), uploadUrl: z.optional(z.string()), status: z.enum(JOB_STATUSES), uploadExpiresAt: z.optional(z.string()) }));
export const RowErrorSchema = named('ImportRowError', () => z.object({ row: z.int(), message: z.string() }));
