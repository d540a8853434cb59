import { describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { SharedStrings } from '../../functions/importer/shared-strings.ts';

/** Strings of every kind a workbook holds: empty, ASCII, Khmer and Thai (3 bytes a character), long. */
function strings(n: number, seed = 7): string[] {
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const alphabets = ['abcdefghijklmnopqrstuvwxyz0123456789-', 'កខគឃងចឆជឈញដឋឌឍណតថទធនបផពភមយរលវសហឡអ', 'กขคงจฉชซญดตถทนบปผพฟภมยรลวศสหอฮ'];
  return Array.from({ length: n }, () => {
    if (rnd() < 0.05) return '';
    const alphabet = alphabets[Math.floor(rnd() * alphabets.length)]!;
    const length = rnd() < 0.01 ? 200 + Math.floor(rnd() * 300) : 1 + Math.floor(rnd() * 40);
    return Array.from({ length }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
  });
}

describe('a workbook’s shared strings kept compactly', () => {
  it('gives back every string as pushed, across blocks, whatever order they are asked in', () => {
    const values = strings(20_000);
    // Blocks of 256 bytes: strings end exactly at a block's end, do not fit and start the next, or are longer than a block.
    const table = new SharedStrings(256);
    for (const v of values) table.push(v);
    expect(table.size).toBe(values.length);
    for (let i = 0; i < values.length; i++) expect(table.get(i), `string ${i}`).toBe(values[i]);
    // Backwards and at random: the small cache never answers for another index.
    for (let i = values.length - 1; i >= 0; i -= 3) expect(table.get(i)).toBe(values[i]);
    for (let k = 0; k < 20_000; k++) {
      const i = (k * 7919) % values.length;
      expect(table.get(i)).toBe(values[i]);
    }
  });

  it('fills a block to its last byte and starts the next with the string that does not fit', () => {
    const table = new SharedStrings(8);
    const values = ['abcd', 'efgh', 'ij', 'klmnopq', '', 'ស', 'x'.repeat(8), 'y'.repeat(9), 'z'];
    for (const v of values) table.push(v);
    expect(values.map((_, i) => table.get(i))).toEqual(values);
  });

  it('has no string at an index it does not hold', () => {
    const table = new SharedStrings();
    table.push('F');
    expect([table.get(-1), table.get(1), table.get(0.5), table.get(Number.NaN)]).toEqual([undefined, undefined, undefined, undefined]);
    expect(table.get(0)).toBe('F');
  });

  it('holds a large table in a few bytes a string, not a JavaScript string each', () => {
    const table = new SharedStrings();
    const n = 200_000;
    for (let i = 0; i < n; i++) table.push(String(1_000_000_000 + i));
    // 10 bytes of text and 4 of its end a string, rounded up to whole blocks (1 MB) and arrays of ends (65,536).
    expect(table.bytes).toBeLessThanOrEqual(Math.ceil((n * 10) / 2 ** 20) * 2 ** 20 + Math.ceil(n / 65_536) * 65_536 * 4);
    // Every string, across the arrays of ends (65,536 a part).
    for (let i = 0; i < n; i++) if (table.get(i) !== String(1_000_000_000 + i)) throw new Error(`string ${i}: ${table.get(i)}`);
    expect([table.get(65_535), table.get(65_536), table.get(n - 1)]).toEqual(['1000065535', '1000065536', String(1_000_000_000 + n - 1)]);
  });
});

describe('a generated KoBoToolbox workbook', () => {
  it('reads the same rows whether its texts are inline or in a shared-strings table', async () => {
    const { writeKoboXlsx } = await import('../../infra/local/gen-households.ts');
    const { openTables } = await import('../../functions/importer/sources.ts');
    const read = async (sharedStrings: boolean) => {
      const chunks: Buffer[] = [];
      const out = new PassThrough();
      out.on('data', (c: Buffer) => chunks.push(c));
      await writeKoboXlsx({ people: 300, seed: 3, invalidRate: 0.05 }, out, { sharedStrings });
      const bytes = Buffer.concat(chunks);
      const open = async (range?: { start: number; end: number }) => Readable.from([range ? bytes.subarray(range.start, range.end + 1) : bytes]);
      const { format, tables } = await openTables(open, { zip: true, bytes: bytes.length });
      const rows: string[][][] = [];
      for (const t of tables) {
        const table: string[][] = [t.header];
        for await (const r of t.rows()) table.push(r.cells);
        rows.push(table);
      }
      return { format, bytes: bytes.length, names: tables.map((t) => t.name), rows };
    };
    const inline = await read(false);
    const shared = await read(true);
    expect(shared.format).toBe('XLSX');
    expect(shared.names).toEqual(['Clearway household registration', 'members']);
    expect(shared.rows[1]!.length).toBeGreaterThan(300);
    expect(shared.rows).toEqual(inline.rows);
    // The cells name indexes into the table, so the workbook is smaller.
    expect(shared.bytes).toBeLessThan(inline.bytes);
  });
});
