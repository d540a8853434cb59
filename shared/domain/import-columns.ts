import { CONSENT_PURPOSE_LABELS, DOCUMENT_TYPE_LABELS, RELATIONSHIP_LABELS, SEX_LABELS, SPECIFIC_NEED_LABELS, type Labels } from './choice-labels.ts';
import { HOUSEHOLD_COLUMNS, IMPORT_COLUMNS, type ImportColumn, type ImportRow } from './household-import.ts';
import { FORM_CALCULATIONS } from './xlsform.ts';
import { GEOPOINT_FIELD, MAPPABLE_FIELDS, VALUE_FIELDS, type ImportMapping, type MappableField, type ValueField } from './import-mapping.ts';

/**
 * How a file's columns and values become Clearway's import columns (pure). A header cell maps to a
 * Clearway column when the mapping says so, or when it is Clearway's own name, alone or after the
 * group path KoBoToolbox (`household/origin_province`) or ODK Central (`household-origin_province`)
 * puts before it. The metadata those tools add (`_id`, `_uuid`, `KEY`, `meta/instanceID`, ...) is
 * ignored silently; any other column is ignored and reported once. Values of the choice columns
 * are matched against the codes, the choices' labels in English, Khmer and Thai (what a "labels"
 * export writes), common codes (`1`/`2` for sex), then the mapping's own values.
 */

/** Metadata columns KoBoToolbox and ODK add to every export (compared ignoring case, after the group path). */
const METADATA = new Set(
  [
    '_id',
    '_uuid',
    '_submission_time',
    '_index',
    '_parent_index',
    '_parent_table_name',
    '_validation_status',
    '_notes',
    '_status',
    '_submitted_by',
    '_tags',
    '_version_',
    '__version__',
    '_xform_id_string',
    '_attachments',
    '_geolocation',
    '_media_all_received',
    '_media_count',
    '_total_media',
    'start',
    'end',
    'today',
    'deviceid',
    'subscriberid',
    'simserial',
    'phonenumber',
    'username',
    'email',
    'audit',
    'instanceid',
    'instancename',
    'rootuuid',
    'deprecatedid',
    'formhub/uuid',
    'uuid',
    'submissiondate',
    'key',
    'parent_key',
    'submitterid',
    'submittername',
    'attachmentspresent',
    'attachmentsexpected',
    'status',
    'reviewstate',
    'edits',
    'formversion',
    'updatedat',
    ...FORM_CALCULATIONS,
  ].map((m) => m.toLowerCase()),
);

/** KoBoToolbox's submission columns in a repeat sheet (`_submission__uuid`, ...). */
const isMetadata = (name: string): boolean => {
  const n = name.toLowerCase();
  if (METADATA.has(n) || n.startsWith('_submission_')) return true;
  const last = n.split(/[/-]/).pop() ?? n;
  return METADATA.has(last) || /^(meta|formhub)[/-]/.test(n) || /_(altitude|precision|accuracy)$/.test(last) || /^(altitude|accuracy)$/.test(last);
};

/** Names that mean a Clearway column although they are not its name (a geopoint split by the tool). */
const ALIASES: Record<string, MappableField> = {
  destination_latitude: 'destination_lat',
  destination_longitude: 'destination_lon',
  destination_point_latitude: 'destination_lat',
  destination_point_longitude: 'destination_lon',
  destination_geopoint: GEOPOINT_FIELD,
};

const KNOWN = new Map<string, MappableField>([...MAPPABLE_FIELDS.map((f) => [f, f] as const), ...Object.entries(ALIASES)]);

/** Clearway's field for a header cell without a mapping: its own name after any group path (`/` or `-`). */
export function autoField(name: string): MappableField | undefined {
  const segments = name.trim().replace(/^_+/, '').toLowerCase().split(/[/-]/).filter(Boolean);
  // The last one, two or three segments: `household-destination_point-Latitude` is destination_point_latitude.
  for (let k = 1; k <= Math.min(3, segments.length); k++) {
    const field = KNOWN.get(segments.slice(-k).join('_'));
    if (field) return field;
  }
  return undefined;
}

/** Where each Clearway field is in a table's header, and what was recognised or ignored. */
export interface ResolvedHeader {
  /** For each source column, its field (undefined: ignored). */
  fields: (MappableField | undefined)[];
  recognised: { column: string; field: MappableField }[];
  /** Columns neither Clearway's nor known metadata: reported once as ignored. */
  ignored: string[];
  /** Fields that two columns map to (the first wins; reported). */
  repeated: MappableField[];
  /** The record's own key (`_index`, `KEY`) and its parent's (`_parent_index`, `PARENT_KEY`), when the table has them. */
  keyAt?: number;
  parentAt?: number;
}

const KEY_COLUMNS = ['_index', 'key'];
const PARENT_COLUMNS = ['_parent_index', 'parent_key'];

export function resolveHeader(header: readonly string[], mapping: ImportMapping | undefined): ResolvedHeader {
  const fields: (MappableField | undefined)[] = [];
  const recognised: ResolvedHeader['recognised'] = [];
  const ignored: string[] = [];
  const repeated = new Set<MappableField>();
  const taken = new Set<MappableField>();
  let keyAt: number | undefined;
  let parentAt: number | undefined;
  header.forEach((raw, i) => {
    const column = raw.trim();
    const lower = column.toLowerCase();
    if (keyAt === undefined && KEY_COLUMNS.includes(lower)) keyAt = i;
    if (parentAt === undefined && PARENT_COLUMNS.includes(lower)) parentAt = i;
    const mapped = mapping?.columns?.[column];
    const field = mapped === 'ignore' ? undefined : (mapped ?? autoField(column));
    if (field && taken.has(field)) {
      repeated.add(field);
      fields.push(undefined);
      return;
    }
    fields.push(field);
    if (field) {
      taken.add(field);
      recognised.push({ column, field });
    } else if (mapped !== 'ignore' && column !== '' && !isMetadata(column)) ignored.push(column);
  });
  return { fields, recognised, ignored, repeated: [...repeated], ...(keyAt !== undefined ? { keyAt } : {}), ...(parentAt !== undefined ? { parentAt } : {}) };
}

/** A value no map knows, by Clearway column: reported with its count (the mapping can name it). */
export type UnmappedCounter = (field: ValueField, value: string) => void;

const fold = (v: string) => v.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');

function labelMap(labels: Readonly<Record<string, Labels>>, extra: Record<string, string> = {}): Map<string, string> {
  const map = new Map<string, string>();
  for (const [code, names] of Object.entries(labels)) {
    map.set(fold(code), code);
    // XLSForm choice names are the codes with `-` kept; some tools write `_` instead.
    map.set(fold(code.replace(/-/g, '_')), code);
    for (const name of names) map.set(fold(name), code);
  }
  for (const [k, v] of Object.entries(extra)) map.set(fold(k), v);
  return map;
}

let defaults: Record<ValueField, Map<string, string>> | undefined;
/** The maps every import uses: codes, labels in the three languages, common codes and words. */
function defaultMaps(): Record<ValueField, Map<string, string>> {
  defaults ??= {
    sex: labelMap(SEX_LABELS, {
      female: 'F',
      woman: 'F',
      girl: 'F',
      2: 'F',
      male: 'M',
      man: 'M',
      boy: 'M',
      1: 'M',
      other: 'X',
      3: 'X',
      ស្រី: 'F',
      ប្រុស: 'M',
      หญิง: 'F',
      ชาย: 'M',
    }),
    relationship: labelMap(RELATIONSHIP_LABELS, { head: 'HEAD', wife: 'SPOUSE', husband: 'SPOUSE', son: 'CHILD', daughter: 'CHILD' }),
    consent_given: new Map(
      [
        'yes',
        'y',
        'true',
        '1',
        'ok',
        'agree',
        'បាទ',
        'ចាស',
        'បាទ/ចាស',
        'យល់ព្រម',
        'ใช่',
        'ยินยอม',
        'no',
        'n',
        'false',
        '0',
        'ទេ',
        'មិនយល់ព្រម',
        'ไม่',
        'ไม่ใช่',
        'ไม่ยินยอม',
      ].map((v, i, all) => [fold(v), i < all.indexOf('no') ? 'yes' : 'no']),
    ),
    consent_purposes: labelMap(CONSENT_PURPOSE_LABELS),
    specific_needs: labelMap(SPECIFIC_NEED_LABELS),
    document_type: labelMap(DOCUMENT_TYPE_LABELS, { national_id_card: 'NATIONAL_ID', id: 'NATIONAL_ID', id_card: 'NATIONAL_ID' }),
  };
  return defaults;
}

const MULTIPLE: ReadonlySet<ValueField> = new Set(['specific_needs', 'consent_purposes']);

/** Turns source values into Clearway values for one import (its mapping first, then the defaults). */
export class ValueTranslator {
  private readonly own: Partial<Record<ValueField, Map<string, string>>> = {};
  private readonly unmapped: UnmappedCounter | undefined;

  constructor(mapping: ImportMapping | undefined, unmapped?: UnmappedCounter) {
    this.unmapped = unmapped;
    for (const field of VALUE_FIELDS) {
      const map = mapping?.values?.[field];
      if (map) this.own[field] = new Map(Object.entries(map).map(([k, v]) => [fold(k), String(v)]));
    }
  }

  private one(field: ValueField, value: string): string | undefined {
    const key = fold(value);
    return this.own[field]?.get(key) ?? defaultMaps()[field].get(key);
  }

  /** The Clearway value of a cell; an unknown value is kept as it is (the schema refuses it) and counted. */
  translate(field: ValueField, raw: string): string {
    const value = raw.trim();
    if (value === '') return '';
    if (!MULTIPLE.has(field)) {
      const found = this.one(field, value);
      if (found === undefined) this.unmapped?.(field, value);
      return found ?? value;
    }
    // select_multiple: `;` or `|` between answers, or spaces (KoBoToolbox and ODK); a label with spaces is tried whole first.
    const whole = this.one(field, value);
    if (whole !== undefined) return whole;
    const out: string[] = [];
    for (const part of value
      .split(/[;|]/)
      .map((p) => p.trim())
      .filter(Boolean)) {
      const whole = this.one(field, part);
      if (whole !== undefined) {
        out.push(whole);
        continue;
      }
      for (const word of part.split(/\s+/)) {
        const found = this.one(field, word);
        if (found === undefined) this.unmapped?.(field, word);
        out.push(found ?? word);
      }
    }
    return out.join(';');
  }
}

const isValueField = (f: string): f is ValueField => (VALUE_FIELDS as readonly string[]).includes(f);
const DATE_FIELDS: ReadonlySet<string> = new Set(['birth_date', 'consent_date']);
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/** A cell as Clearway reads it: a spreadsheet's date serial in a date column becomes `YYYY-MM-DD`, a date-time its date. */
function cellValue(field: string, raw: string): string {
  const value = raw.trim();
  if (!DATE_FIELDS.has(field)) return value;
  if (/^\d{5}(\.\d+)?$/.test(value)) return new Date(EXCEL_EPOCH_MS + Math.floor(Number(value)) * 86_400_000).toISOString().slice(0, 10);
  const dated = /^(\d{4}-\d{2}-\d{2})T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  return dated ? dated[1]! : value;
}

/** An empty row of every Clearway column. */
export const emptyRow = (): ImportRow => Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, ''])) as ImportRow;

/**
 * Writes a source record's mapped cells into `row` (Clearway columns, translated values). Cells
 * already filled are kept unless this record has a value (a member's row over its household's).
 */
export function fillRow(row: ImportRow, record: readonly string[], header: ResolvedHeader, values: ValueTranslator): void {
  const fields = header.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field === undefined) continue;
    const raw = record[i] ?? '';
    if (raw === '' || raw.trim() === '') continue;
    if (field === GEOPOINT_FIELD) {
      // `lat lon [alt [accuracy]]`: the destination point in WGS84 degrees.
      const [lat, lon] = raw.trim().split(/\s+/);
      row.destination_lat = lat ?? '';
      row.destination_lon = lon ?? '';
      continue;
    }
    row[field] = isValueField(field) ? values.translate(field, raw) : cellValue(field, raw);
  }
}

/** Household columns of the import, for a header check of a households table. */
export const isHouseholdColumn = (c: ImportColumn): boolean => (HOUSEHOLD_COLUMNS as readonly string[]).includes(c);
