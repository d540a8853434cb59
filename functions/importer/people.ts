import type { NumberedRow } from '#shared/domain/household-import.ts';
import { emptyRow, fillRow, resolveHeader, type ResolvedHeader, type ValueTranslator } from '#shared/domain/import-columns.ts';
import type { ImportMapping, MappableField } from '#shared/domain/import-mapping.ts';
import { KeyIndex } from './key-index.ts';
import { Unreadable, type FileFormat, type SourceTable } from './sources.ts';

/**
 * A file's tables as the import's rows, one per person, in Clearway's columns. A file has either
 * one table of people (Clearway's CSV, a KoBoToolbox CSV, a one-sheet workbook), grouped into
 * households by `household_key` (or by the tool's `_index`/`KEY` when it has none: one person each);
 * or a households table (the first) and a members table (the first other whose rows carry
 * `_parent_index` or `PARENT_KEY`, KoBoToolbox's and ODK Central's links of a repeat group to its
 * submission). Members are joined to their household side by side, reading both tables in order
 * (as both tools export them), so memory does not grow with the file.
 */

/** What the import will read of each table: for the job's report and the console's mapping screen. */
export interface ColumnReport {
  format: FileFormat;
  recognised: { table: string; column: string; field: MappableField }[];
  /** Columns that are neither Clearway's (by name or mapping) nor known metadata. */
  ignored: { table: string; column: string }[];
}

export interface PeopleSource {
  report: ColumnReport;
  /** The people, from the start of the file; rows are the members table's (a household without members: its own row). */
  rows(values: ValueTranslator): AsyncIterable<NumberedRow>;
}

/** Columns without which no household can be valid; a file lacking one fails before anything is read further. */
const REQUIRED: readonly MappableField[] = [
  'origin_province',
  'current_province',
  'given_name',
  'family_name',
  'sex',
  'relationship',
  'consent_given',
  'consent_date',
  'consent_purposes',
];

const has = (h: ResolvedHeader, f: MappableField) => h.fields.includes(f);

function missingColumns(headers: ResolvedHeader[]): string[] {
  const all = (f: MappableField) => headers.some((h) => has(h, f));
  const missing = REQUIRED.filter((f) => !all(f)) as string[];
  if (!all('birth_year') && !all('birth_date')) missing.push('birth_year or birth_date');
  return missing;
}

/** The file's columns cannot make a household: what was recognised and ignored goes with the message, for the console's mapping screen. */
export class UnfitColumns extends Unreadable {
  readonly report: ColumnReport;
  constructor(message: string, report: ColumnReport) {
    super(message);
    this.report = report;
  }
}

function failOn(headers: ResolvedHeader[], hint: string, report: ColumnReport): void {
  const repeated = [...new Set(headers.flatMap((h) => h.repeated))];
  const missing = missingColumns(headers);
  if (missing.length === 0 && repeated.length === 0) return;
  const parts = [
    missing.length > 0 ? `no column for ${missing.join(', ')}` : '',
    repeated.length > 0 ? `more than one column for ${repeated.join(', ')}` : '',
    ...[...new Set(headers.flatMap((h) => h.ignored))]
      .slice(0, 1)
      .map(() => `columns not recognised: ${[...new Set(headers.flatMap((h) => h.ignored))].slice(0, 30).join(', ')}`),
  ].filter(Boolean);
  throw new UnfitColumns(`The file's columns do not fit: ${parts.join('; ')}. ${hint}`, report);
}

const HINT =
  'Name the columns as Clearway does (a group path before them is fine), or map them (the import\'s mapping); see the README, "Household CSV import".';

export function peopleOf(format: FileFormat, tables: readonly SourceTable[], mapping: ImportMapping | undefined): PeopleSource {
  const first = tables[0];
  if (!first)
    throw new Unreadable('The file holds no table: upload a file with a header row and one row per person (or a households sheet and a members sheet).');
  const resolved = tables.map((t) => ({ table: t, header: resolveHeader(t.header, mapping) }));
  const households = resolved[0]!;
  const members = resolved.slice(1).find((r) => r.header.parentAt !== undefined && (has(r.header, 'given_name') || has(r.header, 'relationship')));
  const used = members ? [households, members] : [households];
  const report: ColumnReport = {
    format,
    recognised: used.flatMap((r) => r.header.recognised.map((c) => ({ table: r.table.name, ...c }))),
    ignored: used.flatMap((r) => r.header.ignored.map((column) => ({ table: r.table.name, column }))),
  };
  failOn(
    used.map((r) => r.header),
    HINT,
    report,
  );
  if (!members) {
    const h = households.header;
    const keyAt = h.fields.indexOf('household_key');
    if (keyAt < 0 && h.keyAt === undefined)
      throw new UnfitColumns(
        `The file's columns do not fit: no column for household_key (or the _index or KEY of a KoBoToolbox or ODK export). ${HINT}`,
        report,
      );
    return { report, rows: (values) => singleTable(households.table, h, values) };
  }
  if (households.header.keyAt === undefined && !has(households.header, 'household_key')) {
    throw new Unreadable(`The households sheet ${households.table.name} has no _index or KEY column to join its members (sheet ${members.table.name}) to.`);
  }
  return { report, rows: (values) => joined(households.table, households.header, members.table, members.header, values) };
}

async function* singleTable(table: SourceTable, header: ResolvedHeader, values: ValueTranslator): AsyncGenerator<NumberedRow> {
  const ownKey = header.fields.includes('household_key');
  for await (const r of table.rows()) {
    const fields = emptyRow();
    fillRow(fields, r.cells, header, values);
    if (!ownKey) fields.household_key = (r.cells[header.keyAt!] ?? '').trim();
    yield { row: r.row, fields, ...(r.problem ? { problem: r.problem } : {}) };
  }
}

async function* joined(
  hTable: SourceTable,
  hHeader: ResolvedHeader,
  mTable: SourceTable,
  mHeader: ResolvedHeader,
  values: ValueTranslator,
): AsyncGenerator<NumberedRow> {
  const keyOf = (cells: readonly string[]) => (cells[hHeader.keyAt ?? -1] ?? '').trim();
  const memberRows = mTable.rows()[Symbol.asyncIterator]();
  let pending = await memberRows.next();
  const seen = new KeyIndex();
  for await (const h of hTable.rows()) {
    const link = keyOf(h.cells);
    const base = emptyRow();
    fillRow(base, h.cells, hHeader, values);
    if (!hHeader.fields.includes('household_key')) base.household_key = link;
    seen.set(link, Math.max(1, h.row));
    let count = 0;
    while (!pending.done && (pending.value.cells[mHeader.parentAt!] ?? '').trim() === link) {
      const m = pending.value;
      const fields = { ...base };
      fillRow(fields, m.cells, mHeader, values);
      fields.household_key = base.household_key;
      yield { row: m.row, fields, ...(m.problem ? { problem: m.problem } : {}) };
      count++;
      pending = await memberRows.next();
    }
    if (count === 0) yield { row: h.row, fields: base, problem: `has no members in ${mTable.name} (its rows must follow the order of ${hTable.name})` };
    // Members of a household that comes later stay pending; members of none (or of one already passed) are refused here.
    while (!pending.done && seen.has((pending.value.cells[mHeader.parentAt!] ?? '').trim())) {
      const m = pending.value;
      const fields = emptyRow();
      fillRow(fields, m.cells, mHeader, values);
      fields.household_key = `${mTable.name} row ${m.row}`;
      yield {
        row: m.row,
        fields,
        problem:
          `its household (${(m.cells[mHeader.parentAt!] ?? '').trim()}) came earlier ` + `in ${hTable.name}: members must follow the order of their households`,
      };
      pending = await memberRows.next();
    }
  }
  while (!pending.done) {
    const m = pending.value;
    const fields = emptyRow();
    fillRow(fields, m.cells, mHeader, values);
    fields.household_key = `${mTable.name} row ${m.row}`;
    yield { row: m.row, fields, problem: `no household in ${hTable.name} has ${(m.cells[mHeader.parentAt!] ?? '').trim() || '(empty)'} as its key` };
    pending = await memberRows.next();
  }
}
