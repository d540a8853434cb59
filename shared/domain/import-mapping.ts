import * as z from 'zod/mini';
import { IMPORT_COLUMNS } from './household-import.ts';
import { Country } from './common.ts';
import { ConsentPurpose, DocumentType, Relationship, Sex, SpecificNeedCode } from './household.ts';

/**
 * A column mapping for household imports (README "Household CSV import", "Imports from KoBoToolbox
 * and ODK"): which source column is which Clearway column, and which source value is which
 * Clearway value. Given with an import (`mapping`) or saved by an organisation (`/v1/import-mappings`)
 * and named by id (`mappingId`). Only the schema lives here (the API validates it); the importer
 * applies it with `shared/domain/import-columns.ts`.
 */

/** A geopoint column (`lat lon [alt [accuracy]]`, as KoBoToolbox and ODK export one) that becomes the destination point. */
export const GEOPOINT_FIELD = 'destination_point';

/** What a source column may be mapped to: a Clearway column, the destination geopoint, or `ignore` (read no further, no warning). */
export const MAPPABLE_FIELDS = [...IMPORT_COLUMNS, GEOPOINT_FIELD] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

const source = z.string().check(z.minLength(1), z.maxLength(300));
const values = <T extends z.core.SomeType>(target: T) =>
  z.optional(z.record(source, target).check(z.refine((r) => Object.keys(r).length <= 2000, 'at most 2000 values')));

/** Columns whose values a mapping may translate, and what each may be translated to. */
export const ValueMaps = z.strictObject({
  sex: values(Sex),
  relationship: values(Relationship),
  consent_given: values(z.enum(['yes', 'no'])),
  consent_purposes: values(ConsentPurpose),
  specific_needs: values(SpecificNeedCode),
  document_type: values(DocumentType),
});
export type ValueMaps = z.infer<typeof ValueMaps>;
export type ValueField = keyof ValueMaps;
export const VALUE_FIELDS = [
  'sex',
  'relationship',
  'consent_given',
  'consent_purposes',
  'specific_needs',
  'document_type',
] as const satisfies readonly ValueField[];

export const ImportMapping = z.strictObject({
  /** Source column (as in the file's header) → Clearway column, `destination_point` or `ignore`. */
  columns: z.optional(
    z.record(source, z.union([z.enum(MAPPABLE_FIELDS), z.literal('ignore')])).check(z.refine((r) => Object.keys(r).length <= 500, 'at most 500 columns')),
  ),
  /** Per Clearway column, source value → Clearway value (matched ignoring case and surrounding spaces). */
  values: z.optional(ValueMaps),
});
export type ImportMapping = z.infer<typeof ImportMapping>;

/** Body of `POST /v1/import-mappings`. */
export const ImportMappingCreate = z.strictObject({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  mapping: ImportMapping,
});

/** Body of `POST /v1/household-imports`: only an admin names the country. */
export const HouseholdImportCreate = z
  .strictObject({
    country: z.optional(Country),
    /** The file's size in bytes: the upload must be exactly this long (required on AWS, where the presigned URL signs it). */
    bytes: z.optional(z.int().check(z.minimum(0))),
    /** Validate and report only: no household is written, and the file may be imported for real afterwards. */
    dryRun: z.optional(z.boolean()),
    /** How the file's columns and values map to Clearway's (see `/v1/import-mappings`). */
    mapping: z.optional(ImportMapping),
    /** A mapping the organisation saved (`POST /v1/import-mappings`), instead of `mapping`. */
    mappingId: z.optional(z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an import mapping id'))),
  })
  .check(z.refine((b) => !(b.mapping && b.mappingId), { message: 'give mapping or mappingId, not both', path: ['mappingId'] }));
