import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { Inflate } from 'fflate';
import { SharedStrings, type SharedStringTable } from './shared-strings.ts';
import { SheetScanner } from './sheet-scanner.ts';
import { SaxesParser } from 'saxes';

/**
 * The uploaded file as tables of text cells, whatever its format, read as streams (never whole in
 * memory): a CSV (comma, semicolon or tab, sniffed from the header line); an XLSX workbook (each
 * worksheet a table: fflate inflates it, `sheet-scanner.ts` reads its rows, saxes the workbook's other parts); a ZIP of CSV files as ODK Central
 * exports a form with repeats (each CSV a table). Every table can be read again from its start
 * (`rows()` opens the file anew), so the importer can check a file in one pass and import it in
 * the next, and join a members table to its households by reading both side by side.
 */

/** A file that cannot be read as what it claims to be; the message is for the person who uploaded it. */
export class Unreadable extends Error {}

export type FileFormat = 'CSV' | 'XLSX' | 'ZIP';

export interface TableRecord {
  /** The row as a spreadsheet shows it (the header is row 1 of a CSV). */
  row: number;
  cells: string[];
  /** A CSV record with another number of fields than its header. */
  problem?: string;
}

export interface SourceTable {
  name: string;
  header: string[];
  /** The rows after the header, from the start of the file. */
  rows(): AsyncIterable<TableRecord>;
}

/** Opens the uploaded file from its start, or only the bytes `start` to `end` (inclusive). */
export type Opener = (range?: { start: number; end: number }) => Promise<Readable>;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Hashes and counts the bytes of the file, and says which format its first bytes are. */
export async function fingerprint(open: Opener): Promise<{ sha256: string; bytes: number; zip: boolean }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const head: number[] = [];
  for await (const chunk of await open()) {
    const buf = chunk as Buffer;
    for (let i = 0; head.length < 4 && i < buf.length; i++) head.push(buf[i]!);
    hash.update(buf);
    bytes += buf.length;
  }
  return { sha256: hash.digest('hex'), bytes, zip: head.length === 4 && head.every((b, i) => b === ZIP_MAGIC[i]) };
}

// ---------- CSV ----------

/** Turns bytes into UTF-8 text with a fatal decoder (a file in another encoding is refused, not mangled). */
class Utf8Text extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  private bytes = 0;
  private readonly what: string;
  constructor(what: string) {
    super({ decodeStrings: true });
    this.what = what;
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback): void {
    const at = this.bytes;
    this.bytes += chunk.length;
    try {
      const text = this.decoder.decode(chunk, { stream: true });
      done(null, text.length > 0 ? Buffer.from(text, 'utf8') : undefined);
    } catch {
      done(new Unreadable(`${this.what} is not UTF-8 text (invalid bytes after byte ${at}): save it as CSV UTF-8 and upload it again.`));
    }
  }
  override _flush(done: TransformCallback): void {
    try {
      const text = this.decoder.decode();
      done(null, text.length > 0 ? Buffer.from(text, 'utf8') : undefined);
    } catch {
      done(new Unreadable(`${this.what} is not UTF-8 text (it ends in the middle of a character): save it as CSV UTF-8 and upload it again.`));
    }
  }
}

/** The delimiter of a CSV: whichever of `,` `;` tab occurs most in its first line outside quotes (KoBoToolbox exports `;`). */
export function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  return [...counts.entries()].reduce((best, e) => (e[1] > best[1] ? e : best))[0];
}

async function firstText(stream: Readable, limit = 64 * 1024): Promise<string> {
  let text = '';
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of stream) {
    text += decoder.decode(chunk as Buffer, { stream: true });
    if (text.length >= limit || /[\r\n]/.test(text.replace(/"[^"]*"/g, ''))) break;
  }
  stream.destroy();
  return text;
}

const csvProblem = (e: unknown, what: string): unknown => (e instanceof CsvError ? new Unreadable(`${what} is not valid CSV: ${e.message}.`) : e);

/** A CSV's records (header first), from a text stream. */
async function* csvRecords(bytes: Readable, delimiter: string, what: string): AsyncGenerator<string[]> {
  const text = new Utf8Text(what);
  const parser = bytes.pipe(text).pipe(parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024 }));
  bytes.on('error', (e) => parser.destroy(e));
  text.on('error', (e) => parser.destroy(e));
  try {
    for await (const record of parser as AsyncIterable<string[]>) yield record;
  } catch (e: unknown) {
    throw csvProblem(e, what);
  } finally {
    bytes.destroy();
  }
}

/** A CSV table over `open` (the file itself, or an entry of a ZIP). */
async function csvTable(name: string, open: Opener, what: string): Promise<SourceTable | undefined> {
  const delimiter = sniffDelimiter(await firstText(await open()));
  let header: string[] | undefined;
  for await (const record of csvRecords(await open(), delimiter, what)) {
    header = record;
    break;
  }
  if (!header) return undefined;
  const width = header.length;
  return {
    name,
    header,
    async *rows() {
      let row = 0;
      for await (const cells of csvRecords(await open(), delimiter, what)) {
        row++;
        if (row === 1) continue;
        yield { row, cells, ...(cells.length !== width ? { problem: `has ${cells.length} fields where the header has ${width}` } : {}) };
      }
    },
  };
}

// ---------- ZIP ----------

/** An entry of a ZIP archive, from its central directory. */
interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  offset: number;
}

const zipProblem = (what: string) =>
  new Unreadable(`The file is not a readable ZIP archive (${what}): upload an XLSX workbook or a ZIP of CSV files as ODK Central exports it.`);

async function readRange(open: Opener, start: number, end: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of await open({ start, end })) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/**
 * The archive's entries, from its central directory at the end of the file (two small reads):
 * the sizes are there even when an entry's local header leaves them to a data descriptor, as
 * streaming writers do, so each entry is then read alone, by its byte range.
 */
async function zipDirectory(open: Opener, size: number): Promise<ZipEntry[]> {
  const tailStart = Math.max(0, size - (22 + 0xffff));
  const tail = await readRange(open, tailStart, size - 1);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw zipProblem('no end of central directory');
  const count = tail.readUInt16LE(eocd + 10);
  const cdSize = tail.readUInt32LE(eocd + 12);
  const cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) throw zipProblem('ZIP64 archives are not supported');
  if (cdOffset + cdSize > size) throw zipProblem('the central directory lies outside the file');
  const cd = await readRange(open, cdOffset, cdOffset + cdSize - 1);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw zipProblem('a broken central directory');
    const nameLength = cd.readUInt16LE(at + 28);
    const flags = cd.readUInt16LE(at + 8);
    const name = cd.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    entries.push({ name, method: cd.readUInt16LE(at + 10), compressedSize: cd.readUInt32LE(at + 20), offset: cd.readUInt32LE(at + 42) });
    at += 46 + nameLength + cd.readUInt16LE(at + 30) + cd.readUInt16LE(at + 32);
  }
  return entries;
}

/** Compressed bytes inflated at a time. */
const INFLATE_PIECE = 8 * 1024;

/** An entry's bytes as they are inflated (stored and deflated entries), read from its own byte range of the file. */
async function* entryData(open: Opener, entry: ZipEntry, size: number): AsyncGenerator<Uint8Array> {
  if (entry.method !== 0 && entry.method !== 8) throw zipProblem(`${entry.name} uses compression method ${entry.method}`);
  // The local header's name and extra field come first; their lengths are read from it.
  const end = Math.min(size - 1, entry.offset + 30 + 0xffff * 2 + entry.compressedSize);
  const stream = await open({ start: entry.offset, end });
  const out: Uint8Array[] = [];
  const inflate = entry.method === 8 ? new Inflate((data) => void out.push(data)) : undefined;
  let header: Buffer | undefined = Buffer.alloc(0);
  let remaining = entry.compressedSize;
  try {
    for await (const raw of stream) {
      let chunk = raw as Buffer;
      if (header) {
        header = Buffer.concat([header, chunk]);
        if (header.length < 30) continue;
        if (header.readUInt32LE(0) !== 0x04034b50) throw zipProblem(`no local header for ${entry.name}`);
        const skip = 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
        if (header.length < skip) continue;
        chunk = header.subarray(skip);
        header = undefined;
      }
      const take = chunk.subarray(0, remaining);
      remaining -= take.length;
      // Fed in small pieces: XML inflates ten to twenty times, and each piece's output is read before the next is inflated.
      for (let at = 0; at < take.length; at += INFLATE_PIECE) {
        const piece = take.subarray(at, at + INFLATE_PIECE);
        try {
          if (inflate) inflate.push(piece, remaining === 0 && at + INFLATE_PIECE >= take.length);
          else out.push(piece);
        } catch (e: unknown) {
          throw zipProblem(`${entry.name} cannot be inflated: ${e instanceof Error ? e.message : String(e)}`);
        }
        for (const data of out) yield data;
        out.length = 0;
      }
      if (remaining === 0) break;
    }
    if (remaining > 0) throw zipProblem(`${entry.name} is cut short`);
  } finally {
    stream.destroy();
  }
}

/** One entry of a ZIP as a byte stream (for csv-parse). */
const entryStream =
  (open: Opener, entry: ZipEntry, size: number): Opener =>
  async () =>
    Readable.from(
      (async function* () {
        for await (const data of entryData(open, entry, size)) if (data.length > 0) yield Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      })(),
    );

// ---------- XLSX ----------

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** A streaming XML parser (saxes, well-formedness checked) for entries fed as they are inflated. */
interface XmlParser {
  write(text: string): void;
  close(): void;
}

function xmlParser(handlers: {
  open?: (name: string, attrs: Record<string, string>) => void;
  close?: (name: string) => void;
  text?: (t: string) => void;
}): XmlParser {
  const parser = new SaxesParser();
  const { open, close, text } = handlers;
  if (open) parser.on('opentag', (tag) => open(localName(tag.name), tag.attributes as Record<string, string>));
  if (close) parser.on('closetag', (tag) => close(localName(tag.name)));
  if (text) {
    parser.on('text', text);
    parser.on('cdata', text);
  }
  parser.on('error', (e) => {
    throw new Unreadable(`The workbook's XML cannot be read (${e.message.split('\n')[0]}).`);
  });
  return {
    write: (t) => void parser.write(t),
    close: () => void parser.close(),
  };
}

interface WorkbookParts {
  sheets: { name: string; path: string }[];
  shared: SharedStringTable;
}

/** The workbook's sheets (names and entries, in order) and its shared strings (compactly, `shared-strings.ts`), in one read of the file. */
async function workbookParts(open: Opener, entries: ReadonlyMap<string, ZipEntry>, size: number): Promise<WorkbookParts> {
  const sheets: { name: string; rid: string }[] = [];
  const targets = new Map<string, string>();
  const shared = new SharedStrings();
  const wanted = new Set(['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml']);
  const parsers = new Map<string, { parser: XmlParser; decoder: TextDecoder }>();
  let si: string | undefined;
  let inT = false;
  let phonetic = false;
  const make = (name: string) => {
    if (name === 'xl/workbook.xml')
      return xmlParser({
        open: (tag, a) =>
          tag === 'sheet' && sheets.push({ name: a['name'] ?? '', rid: a['r:id'] ?? Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1] ?? '' }),
      });
    if (name === 'xl/_rels/workbook.xml.rels') return xmlParser({ open: (tag, a) => tag === 'Relationship' && targets.set(a['Id'] ?? '', a['Target'] ?? '') });
    return xmlParser({
      open: (tag) => {
        if (tag === 'si') si = '';
        else if (tag === 'rPh') phonetic = true;
        else if (tag === 't' && !phonetic) inT = true;
      },
      close: (tag) => {
        if (tag === 'si') {
          shared.push(si ?? '');
          si = undefined;
        } else if (tag === 'rPh') phonetic = false;
        else if (tag === 't') inT = false;
      },
      text: (t) => {
        if (inT && si !== undefined) si += t;
      },
    });
  };
  for (const name of wanted) {
    const entry = entries.get(name);
    if (!entry) continue;
    const parser = make(name);
    parsers.set(name, { parser, decoder: new TextDecoder('utf-8') });
    const decoder = new TextDecoder('utf-8');
    for await (const data of entryData(open, entry, size)) parser.write(decoder.decode(data, { stream: true }));
    parser.write(decoder.decode());
    parser.close();
  }
  if (!parsers.has('xl/workbook.xml')) throw new Unreadable('The ZIP archive is neither an XLSX workbook (no xl/workbook.xml) nor holds CSV files.');
  const path = (target: string) => (target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  return { sheets: sheets.map((s) => ({ name: s.name, path: path(targets.get(s.rid) ?? '') })), shared };
}

/** A worksheet's rows: `[row number, cells]`, cells placed by their reference (gaps are empty). */
async function* sheetRows(open: Opener, entry: ZipEntry, size: number, shared: SharedStringTable): AsyncGenerator<TableRecord> {
  const ready: TableRecord[] = [];
  const scanner = new SheetScanner(shared, (r) => ready.push(r));
  const decoder = new TextDecoder('utf-8');
  for await (const data of entryData(open, entry, size)) {
    scanner.write(decoder.decode(data, { stream: true }));
    for (const r of ready) yield r;
    ready.length = 0;
  }
  scanner.write(decoder.decode());
  for (const r of ready) yield r;
}

async function xlsxTables(open: Opener, entries: ReadonlyMap<string, ZipEntry>, size: number): Promise<SourceTable[]> {
  const { sheets, shared } = await workbookParts(open, entries, size);
  const tables: SourceTable[] = [];
  for (const sheet of sheets) {
    const entry = entries.get(sheet.path);
    if (!entry) throw new Unreadable(`The workbook names a sheet ${sheet.name} that it does not hold (${sheet.path}).`);
    let header: TableRecord | undefined;
    for await (const r of sheetRows(open, entry, size, shared)) {
      header = r;
      break;
    }
    if (!header) continue;
    const headerRow = header.row;
    tables.push({
      name: sheet.name,
      header: header.cells,
      async *rows() {
        for await (const r of sheetRows(open, entry, size, shared)) if (r.row > headerRow) yield r;
      },
    });
  }
  return tables;
}

/**
 * The file's tables: one for a CSV, one per worksheet of an XLSX (in the workbook's order), one
 * per CSV of a ZIP (in the archive's order). Throws `Unreadable` for a file none of these.
 */
export async function openTables(open: Opener, file: { zip: boolean; bytes: number }): Promise<{ format: FileFormat; tables: SourceTable[] }> {
  if (!file.zip) {
    const table = await csvTable('CSV', open, 'The file');
    return { format: 'CSV', tables: table ? [table] : [] };
  }
  const entries = new Map((await zipDirectory(open, file.bytes)).map((e) => [e.name, e]));
  if (entries.has('xl/workbook.xml')) return { format: 'XLSX', tables: await xlsxTables(open, entries, file.bytes) };
  const csvs = [...entries.values()].filter((e) => /\.csv$/i.test(e.name) && !e.name.startsWith('__MACOSX/'));
  if (csvs.length === 0)
    throw new Unreadable(
      'The ZIP archive holds no CSV files and is not an XLSX workbook: upload a CSV, an XLSX workbook or a ZIP of CSV files as ODK Central exports it.',
    );
  const tables: SourceTable[] = [];
  for (const entry of csvs) {
    const name = entry.name;
    const table = await csvTable(name, entryStream(open, entry, file.bytes), `The archive's file ${name}`);
    if (table) tables.push(table);
  }
  return { format: 'ZIP', tables };
}
