import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { Unzip, UnzipInflate, type UnzipFile } from 'fflate';
import sax from 'sax';

/**
 * The uploaded file as tables of text cells, whatever its format, read as streams (never whole in
 * memory): a CSV (comma, semicolon or tab, sniffed from the header line); an XLSX workbook (each
 * worksheet a table, read with fflate's streaming unzip and sax); a ZIP of CSV files as ODK Central
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

/** Opens the uploaded file from its start. */
export type Opener = () => Promise<Readable>;

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
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
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

/** The bytes of the ZIP entries `want` picks, as they are inflated, in the order of the archive. */
async function* zipEntries(open: Opener, want: (name: string) => boolean): AsyncGenerator<{ name: string; data: Uint8Array; final: boolean }> {
  const out: { name: string; data: Uint8Array; final: boolean }[] = [];
  let failure: unknown;
  const unzip = new Unzip((file: UnzipFile) => {
    if (!want(file.name)) return;
    file.ondata = (err, data, final) => {
      if (err) failure ??= new Unreadable(`The archive's entry ${file.name} cannot be read (${err.message}).`);
      else out.push({ name: file.name, data, final });
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const stream = await open();
  try {
    for await (const chunk of stream) {
      try {
        unzip.push(chunk as Uint8Array);
      } catch (e: unknown) {
        throw new Unreadable(`The file is not a readable ZIP archive (${e instanceof Error ? e.message : String(e)}).`);
      }
      if (failure) throw failure;
      while (out.length > 0) yield out.shift()!;
    }
    unzip.push(new Uint8Array(0), true);
    if (failure) throw failure;
    while (out.length > 0) yield out.shift()!;
  } finally {
    stream.destroy();
  }
}

/** One entry of a ZIP as a byte stream (for csv-parse). */
const entryStream = (open: Opener, name: string): Opener => async () =>
  Readable.from(
    (async function* () {
      for await (const part of zipEntries(open, (n) => n === name)) if (part.data.length > 0) yield Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength);
    })(),
  );

async function zipNames(open: Opener): Promise<string[]> {
  const names: string[] = [];
  const unzip = new Unzip((file) => names.push(file.name));
  const stream = await open();
  try {
    for await (const chunk of stream) unzip.push(chunk as Uint8Array);
    unzip.push(new Uint8Array(0), true);
  } catch (e: unknown) {
    throw new Unreadable(`The file is not a readable ZIP archive (${e instanceof Error ? e.message : String(e)}).`);
  }
  return names;
}

// ---------- XLSX ----------

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/** Parses the XML of entries with sax (strict), fed as it is inflated. */
function xmlParser(handlers: { open?: (name: string, attrs: Record<string, string>) => void; close?: (name: string) => void; text?: (t: string) => void }): sax.SAXParser {
  const parser = sax.parser(true, { trim: false, normalize: false });
  parser.onopentag = (tag) => handlers.open?.(localName(tag.name), tag.attributes as Record<string, string>);
  parser.onclosetag = (name) => handlers.close?.(localName(name));
  parser.ontext = (t) => handlers.text?.(t);
  parser.oncdata = (t) => handlers.text?.(t);
  parser.onerror = (e) => {
    throw new Unreadable(`The workbook's XML cannot be read (${e.message.split('\n')[0]}).`);
  };
  return parser;
}

/** Column index of a cell reference (`C5` → 2). */
function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

interface WorkbookParts {
  sheets: { name: string; path: string }[];
  shared: string[];
}

/** The workbook's sheets (names and entries, in order) and its shared strings, in one read of the file. */
async function workbookParts(open: Opener): Promise<WorkbookParts> {
  const sheets: { name: string; rid: string }[] = [];
  const targets = new Map<string, string>();
  const shared: string[] = [];
  const wanted = new Set(['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml']);
  const parsers = new Map<string, { parser: sax.SAXParser; decoder: TextDecoder }>();
  let si: string | undefined;
  let inT = false;
  let phonetic = false;
  const make = (name: string) => {
    if (name === 'xl/workbook.xml') return xmlParser({ open: (tag, a) => tag === 'sheet' && sheets.push({ name: a['name'] ?? '', rid: a['r:id'] ?? Object.entries(a).find(([k]) => k.endsWith(':id'))?.[1] ?? '' }) });
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
  for await (const part of zipEntries(open, (n) => wanted.has(n))) {
    let p = parsers.get(part.name);
    if (!p) parsers.set(part.name, (p = { parser: make(part.name), decoder: new TextDecoder('utf-8') }));
    p.parser.write(p.decoder.decode(part.data, { stream: !part.final }));
    if (part.final) p.parser.close();
  }
  if (!parsers.has('xl/workbook.xml')) throw new Unreadable('The ZIP archive is neither an XLSX workbook (no xl/workbook.xml) nor holds CSV files.');
  const path = (target: string) => (target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  return { sheets: sheets.map((s) => ({ name: s.name, path: path(targets.get(s.rid) ?? '') })), shared };
}

/** A worksheet's rows: `[row number, cells]`, cells placed by their reference (gaps are empty). */
async function* sheetRows(open: Opener, entry: string, shared: readonly string[]): AsyncGenerator<TableRecord> {
  const ready: TableRecord[] = [];
  let row: string[] | undefined;
  let rowNumber = 0;
  let col = 0;
  let type = '';
  let text: string | undefined;
  let inIs = false;
  const parser = xmlParser({
    open: (tag, a) => {
      if (tag === 'row') {
        rowNumber = a['r'] ? Number(a['r']) : rowNumber + 1;
        row = [];
        col = 0;
      } else if (tag === 'c') {
        col = a['r'] ? columnIndex(a['r']) : col;
        type = a['t'] ?? 'n';
        text = undefined;
      } else if (tag === 'is') inIs = true;
      else if (tag === 'v' || (tag === 't' && inIs)) text ??= '';
    },
    text: (t) => {
      if (text !== undefined) text += t;
    },
    close: (tag) => {
      if (tag === 'c' && row) {
        const v = text ?? '';
        row[col] = type === 's' ? (shared[Number(v)] ?? '') : type === 'b' ? (v === '1' ? 'TRUE' : 'FALSE') : type === 'e' ? '' : v;
        col++;
        text = undefined;
      } else if (tag === 'is') inIs = false;
      else if (tag === 'row' && row) {
        const cells = Array.from(row, (c) => c ?? '');
        if (cells.some((c) => c.trim() !== '')) ready.push({ row: rowNumber, cells });
        row = undefined;
      }
    },
  });
  const decoder = new TextDecoder('utf-8');
  for await (const part of zipEntries(open, (n) => n === entry)) {
    parser.write(decoder.decode(part.data, { stream: !part.final }));
    while (ready.length > 0) yield ready.shift()!;
  }
  parser.close();
  while (ready.length > 0) yield ready.shift()!;
}

async function xlsxTables(open: Opener): Promise<SourceTable[]> {
  const { sheets, shared } = await workbookParts(open);
  const tables: SourceTable[] = [];
  for (const sheet of sheets) {
    let header: TableRecord | undefined;
    for await (const r of sheetRows(open, sheet.path, shared)) {
      header = r;
      break;
    }
    if (!header) continue;
    const headerRow = header.row;
    tables.push({
      name: sheet.name,
      header: header.cells,
      async *rows() {
        for await (const r of sheetRows(open, sheet.path, shared)) if (r.row > headerRow) yield r;
      },
    });
  }
  return tables;
}

/**
 * The file's tables: one for a CSV, one per worksheet of an XLSX (in the workbook's order), one
 * per CSV of a ZIP (in the archive's order). Throws `Unreadable` for a file none of these.
 */
export async function openTables(open: Opener, zip: boolean): Promise<{ format: FileFormat; tables: SourceTable[] }> {
  if (!zip) {
    const table = await csvTable('CSV', open, 'The file');
    return { format: 'CSV', tables: table ? [table] : [] };
  }
  const names = await zipNames(open);
  if (names.includes('xl/workbook.xml')) return { format: 'XLSX', tables: await xlsxTables(open) };
  const csvs = names.filter((n) => /\.csv$/i.test(n) && !n.startsWith('__MACOSX/'));
  if (csvs.length === 0) throw new Unreadable('The ZIP archive holds no CSV files and is not an XLSX workbook: upload a CSV, an XLSX workbook or a ZIP of CSV files as ODK Central exports it.');
  const tables: SourceTable[] = [];
  for (const name of csvs) {
    const table = await csvTable(name, entryStream(open, name), `The archive's file ${name}`);
    if (table) tables.push(table);
  }
  return { format: 'ZIP', tables };
}
