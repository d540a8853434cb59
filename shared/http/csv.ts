import type { Context } from 'hono';
import { csvCount } from '../domain/small-cells.ts';

/**
 * CSV answers of the statistics routes: content negotiation (`?format=csv` or `Accept: text/csv`),
 * RFC 4180 cells, and a body of a header row, an HXL hashtag row and the data rows.
 */

/** Whether the client asked for CSV: `?format=csv` wins; without `format`, an `Accept` naming text/csv. */
export const wantsCsv = (c: Context, format: string | undefined): boolean =>
  format === 'csv' || (format === undefined && (c.req.header('accept') ?? '').includes('text/csv'));

/** Text cells starting with these run as formulas in spreadsheets (CSV injection): such text gets a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell: strings quoted when they hold a quote, comma or line break, and prefixed with an
 * apostrophe when they start like a formula (a name typed as `=HYPERLINK(...)` in a distribution
 * list); counts as `<5` when small cells are suppressed.
 */
export function csvCell(v: string | number | null, suppress = false): string {
  if (v === null) return '';
  if (typeof v === 'number') return csvCount(v, suppress);
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as a CSV document (CRLF line ends, as RFC 4180 writes them). */
export const csvBody = (rows: readonly (readonly (string | number | null)[])[], suppress = false): string =>
  `${rows.map((r) => r.map((v) => csvCell(v, suppress)).join(',')).join('\r\n')}\r\n`;

/** A CSV attachment answer named `filename`. */
export const csvResponse = (c: Context, rows: readonly (readonly (string | number | null)[])[], filename: string, suppress = false): Response =>
  c.body(csvBody(rows, suppress), 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });

/** A column of a statistics export: its header, its HXL hashtag, and its cell for a row. */
export type CsvColumn<Row extends unknown[]> = [header: string, hxl: string, value: (...row: Row) => string | number | null];

/** The header row, the HXL hashtag row and one line per row, for {@link csvResponse}. */
export const hxlRows = <Row extends unknown[]>(columns: readonly CsvColumn<Row>[], rows: readonly Row[]): (string | number | null)[][] => [
  columns.map(([h]) => h),
  columns.map(([, hxl]) => hxl),
  ...rows.map((r) => columns.map(([, , value]) => value(...r))),
];
