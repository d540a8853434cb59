import type { Context } from 'hono';
import { csvCount } from '../domain/small-cells.ts';

/**
 * CSV with HXL hashtags (Humanitarian Exchange Language): a header row, the hashtag row under it,
 * then one row per unit. The one writer of every statistics export.
 */

/** A column: its header, its HXL hashtag, and its cell for a row (a count, or text). */
export type CsvColumn<Row extends unknown[]> = [header: string, hxl: string, value: (...row: Row) => string | number];

/** A cell: counts through the small-cell rule when `suppress` (`<5`), text quoted when it must be. */
const cell = (v: string | number, suppress: boolean): string => (typeof v === 'number' ? csvCount(v, suppress) : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The CSV text: header, hashtags, one line per row (CRLF, as RFC 4180 has it). */
export function hxlCsv<Row extends unknown[]>(columns: readonly CsvColumn<Row>[], rows: readonly Row[], suppress: boolean): string {
  const lines = [columns.map(([h]) => h).join(','), columns.map(([, hxl]) => hxl).join(','), ...rows.map((r) => columns.map(([, , value]) => cell(value(...r), suppress)).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Whether the caller asked for CSV: `?format=csv`, or `Accept: text/csv` without `format`. */
export const wantsCsv = (c: Context, format: string | undefined): boolean => format === 'csv' || (format === undefined && (c.req.header('accept') ?? '').includes('text/csv'));

/** The CSV answer, as a download named `filename`. */
export const csvResponse = (c: Context, body: string, filename: string): Response =>
  c.body(body, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });
