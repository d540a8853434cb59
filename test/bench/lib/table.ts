export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
}

/** Plain-text table with a header rule; numbers are expected to be formatted already. */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((col, i) => Math.max(col.header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((col, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return (col.align ?? 'left') === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
export const kb = (bytes: number, digits = 1): string => fixed(bytes / 1024, digits);
export const signed = (value: number, digits = 1): string => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '-');
