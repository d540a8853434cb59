import type { Context } from 'hono';
import type { AppEnv } from './api.ts';

/**
 * Statistics as CSV with HXL hashtags (Humanitarian Exchange Language): a header row, the hashtag
 * row under it, then one row per record. The one writer every statistics route uses, so quoting,
 * line ends and the content type are the same everywhere.
 */

/** A column: its header, its HXL hashtag, and its value for one row (`args` are the row's). */
export type HxlColumn<A extends unknown[]> = [header: string, hxl: string, value: (...args: A) => string | number | null];

/** A text cell, quoted when it holds a comma, quote or line break. */
export const csvText = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * The CSV text: header, hashtags, and a line per row. Numbers go through `count` (by default as
 * they are; the small-cell rule passes `csvCount`), with the column's header for rules that apply
 * to some columns only; `null` (a count withheld upstream) is an empty cell.
 */
export function hxlCsv<A extends unknown[]>(columns: readonly HxlColumn<A>[], rows: readonly A[], count: (n: number, header: string) => string = (n) => String(n)): string {
  const cell = (v: string | number | null, header: string) => (v === null ? '' : typeof v === 'number' ? count(v, header) : csvText(v));
  const lines = [columns.map(([h]) => csvText(h)), columns.map(([, hxl]) => csvText(hxl)), ...rows.map((args) => columns.map(([header, , value]) => cell(value(...args), header)))];
  return `${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
}

/** Whether the caller asked for CSV: `?format=csv`, or `Accept: text/csv` without a `format`. */
export const wantsCsv = (c: Context<AppEnv>, format: 'json' | 'csv' | undefined): boolean => format === 'csv' || (format === undefined && (c.req.header('accept') ?? '').includes('text/csv'));

/** The CSV answer, as a download named `filename`. */
export const csvResponse = (c: Context<AppEnv>, filename: string, csv: string): Response =>
  c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });
