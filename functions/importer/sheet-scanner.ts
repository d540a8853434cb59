/**
 * The rows of a SpreadsheetML worksheet (`xl/worksheets/sheetN.xml`), from its XML fed in pieces
 * as it is inflated. A scanner for this one vocabulary rather than a general XML parser: a
 * worksheet of a 130,000-person export is ~150 MB of XML read twice per import, and saxes (a
 * conformant streaming parser, used here for the workbook's other parts) reads ~11 MB/s on the
 * machines this was measured on, which alone would take most of the import's time budget. It
 * reads `<row r>`, `<c r t>`, `<v>`, inline strings `<is><t>` (rich runs `<r><t>` joined,
 * phonetic runs `<rPh>` left out), the five XML entities and character references, and skips
 * comments, processing instructions, CDATA outside cells and every other element. Worksheet
 * attributes are short tokens (references, numbers, style ids): a `>` inside one is not expected.
 */
import type { SharedStringTable } from './shared-strings.ts';

export interface ScannedRow {
  row: number;
  /** Cells by column (gaps are empty); shared strings already resolved. */
  cells: string[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the entities and character references of XML text. */
export function decodeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref] ?? whole;
  });
}

/** Column index of a cell reference (`C5` → 2, `AA1` → 26). */
export function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

const attr = (tag: string, name: string): string | undefined => {
  const at = tag.indexOf(` ${name}="`);
  if (at < 0) return undefined;
  const start = at + name.length + 3;
  return tag.slice(start, tag.indexOf('"', start));
};

/** The local name (no namespace prefix) of the tag whose name starts at `from`; the names acted on are made without a new string. */
function nameAt(text: string, from: number, gt: number): string {
  let end = from;
  let start = from;
  for (; end < gt; end++) {
    const c = text.charCodeAt(end);
    if (c === 32 || c === 47 || c === 9 || c === 10 || c === 13) break;
    if (c === 58 /* : */) start = end + 1;
  }
  const length = end - start;
  if (length === 1) {
    const c = text.charCodeAt(start);
    if (c === 99) return 'c';
    if (c === 118) return 'v';
    if (c === 116) return 't';
  }
  if (length === 2 && text.charCodeAt(start) === 105 && text.charCodeAt(start + 1) === 115) return 'is';
  return text.slice(start, end);
}

export class SheetScanner {
  private rest = '';
  private row: string[] | undefined;
  private rowNumber = 0;
  private col = 0;
  private type = 'n';
  /** The value being read (inside `<v>` or an inline string's `<t>`), raw. */
  private value: string | undefined;
  private capturing = false;
  private inInline = false;
  private inPhonetic = false;
  private readonly shared: SharedStringTable;
  private readonly emit: (row: ScannedRow) => void;

  constructor(shared: SharedStringTable, emit: (row: ScannedRow) => void) {
    this.shared = shared;
    this.emit = emit;
  }

  write(chunk: string): void {
    const text = this.rest.length > 0 ? this.rest + chunk : chunk;
    let i = 0;
    const n = text.length;
    while (i < n) {
      const lt = text.indexOf('<', i);
      if (lt < 0) break;
      if (this.capturing && lt > i) this.value += text.slice(i, lt);
      const next = text.charCodeAt(lt + 1);
      if (next === 33 /* ! */ && (text.startsWith('<!--', lt) || text.startsWith('<![CDATA[', lt))) {
        const cdata = text[lt + 2] === '[';
        const end = text.indexOf(cdata ? ']]>' : '-->', lt + 4);
        if (end < 0) {
          i = lt;
          break;
        }
        if (cdata && this.capturing) this.value += text.slice(lt + 9, end).replace(/&/g, '&amp;');
        i = end + 3;
        continue;
      }
      const gt = text.indexOf('>', lt);
      if (gt < 0) {
        i = lt;
        break;
      }
      if (next === 47 /* / */) this.close(nameAt(text, lt + 2, gt));
      else if (next !== 63 /* ? */ && next !== 33) {
        const name = nameAt(text, lt + 1, gt);
        // Attributes are read only where they matter (`row`, `c`): no string is made for the others.
        this.open(name, name === 'row' || name === 'c' ? text.slice(lt + 1, gt) : '');
        if (text.charCodeAt(gt - 1) === 47) this.close(name);
      }
      i = gt + 1;
    }
    // Text before the next tag is kept whole (an entity may be cut in two); so is a tag cut in two.
    this.rest = i < n ? text.slice(i) : '';
  }

  private open(name: string, tag: string): void {
    switch (name) {
      case 'row': {
        const r = attr(tag, 'r');
        this.rowNumber = r ? Number(r) : this.rowNumber + 1;
        this.row = [];
        this.col = 0;
        return;
      }
      case 'c': {
        const r = attr(tag, 'r');
        if (r) this.col = columnIndex(r);
        this.type = attr(tag, 't') ?? 'n';
        this.value = undefined;
        return;
      }
      case 'v':
        this.value ??= '';
        this.capturing = true;
        return;
      case 'is':
        this.inInline = true;
        this.value ??= '';
        return;
      case 'rPh':
        this.inPhonetic = true;
        return;
      case 't':
        if (this.inInline && !this.inPhonetic) this.capturing = true;
        return;
      default:
        return;
    }
  }

  private close(name: string): void {
    switch (name) {
      case 'v':
      case 't':
        this.capturing = false;
        return;
      case 'is':
        this.inInline = false;
        return;
      case 'rPh':
        this.inPhonetic = false;
        return;
      case 'c': {
        if (!this.row) return;
        const raw = this.value === undefined ? '' : decodeXml(this.value);
        const type = this.type;
        this.row[this.col] = type === 's' ? (this.shared.get(Number(raw)) ?? '') : type === 'b' ? (raw === '1' ? 'TRUE' : 'FALSE') : type === 'e' ? '' : raw;
        this.col++;
        this.value = undefined;
        return;
      }
      case 'row': {
        const row = this.row;
        this.row = undefined;
        if (!row) return;
        const cells = Array.from(row, (c) => c ?? '');
        if (cells.some((c) => c.trim() !== '')) this.emit({ row: this.rowNumber, cells });
        return;
      }
      default:
        return;
    }
  }
}
