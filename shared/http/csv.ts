import type { Context } from 'hono';
import { csvCount } from '../domain/small-cells.ts';

/**
 * CSV answers of the statistics routes: content negotiation (`?format=csv` or `Accept: text/csv`),
 * RFC 4180 cells, and a body of a header row, an HXL hashtag row and the data rows.
 */

/** Whether the client asked for CSV: `?format=csv` wins; without `format`, an `Accept` naming text/csv. */
export const wantsCsv = (c: Context, format: string | undefined): boolean =>
  format === 'csv' || (format === undefined && (c.req.header('accept') ?? '').includes('text/csv'));

/** One cell: strings quoted when they hold a quote, comma or line break; counts as `<5` when small cells are suppressed. */
export const csvCell = (v: string | number | null, suppress = false): string =>
  v === null ? '' : typeof v === 'number' ? csvCount(v, suppress) : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/** The rows as a CSV document (CRLF line ends, as RFC 4180 writes them). */
export const csvBody = (rows: readonly (readonly (string | number | null)[])[], suppress = false): string =>
  `${rows.map((r) => r.map((v) => csvCell(v, suppress)).join(',')).join('\r\n')}\r\n`;

/** A CSV attachment answer named `filename`. */
export const csvResponse = (c: Context, rows: readonly (readonly (string | number | null)[])[], filename: string, suppress = false): Response =>
  c.body(csvBody(rows, suppress), 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });
