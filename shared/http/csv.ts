/**
 * CSV answers (statistics with HXL hashtag rows, distribution lists): one cell writer for all.
 * RFC 4180 quoting; text that a spreadsheet would run as a formula is neutralised.
 */

/** Text cells starting with these run as formulas in spreadsheets (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: numbers as they are; text quoted when it holds a comma, quote or line break, and
 * prefixed with an apostrophe when it starts like a formula (a name typed as `=HYPERLINK(...)`).
 */
export function csvCell(v: string | number): string {
  if (typeof v === 'number') return String(v);
  const text = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of cells as a CSV document (CRLF line ends, a final line end). Cells already written as CSV text pass through `write` unchanged when it is given. */
export const csvDocument = (rows: readonly (readonly (string | number)[])[], write: (v: string | number) => string = csvCell): string =>
  `${rows.map((r) => r.map(write).join(',')).join('\r\n')}\r\n`;

/** Headers of a CSV attachment. */
export const csvHeaders = (filename: string): Record<string, string> => ({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"` });

/** Whether the client asked for CSV: `?format=csv`, or `Accept: text/csv` when no format is named. */
export const wantsCsv = (format: string | undefined, accept: string | undefined): boolean => format === 'csv' || (format === undefined && (accept ?? '').includes('text/csv'));
