/**
 * A workbook's shared-strings table, kept compactly: the strings' UTF-8 bytes in blocks of 1 MB
 * and the end of each in `Uint32Array`s, ~1 byte a character (3 for Khmer or Thai) and 4 a
 * string, instead of a JavaScript string each (~40 bytes for a short one, and a substring can
 * keep the whole chunk of XML it came from alive). A spreadsheet program such as Excel writes
 * every distinct text of a workbook once to this table (each document number, uuid and submission
 * time of a million-person export), so it is the one part of a workbook the importer must hold
 * whole while it reads the sheets (a million-person workbook's 2.2 million texts: ~35 MB). A string is decoded again when a cell asks for it;
 * the last few thousand asked for are kept (the same sexes, provinces and answers recur).
 */
export interface SharedStringTable {
  /** The `index`th string; `undefined` when the table has no such string. */
  get(index: number): string | undefined;
  readonly size: number;
}

const CACHE = 4096;
const ENDS = 65_536;

export class SharedStrings implements SharedStringTable {
  private readonly blockBytes: number;
  private readonly blocks: Buffer[] = [];
  /** Where the next string's bytes go, counted across blocks (block × blockBytes + offset). */
  private position = 0;
  /**
   * Each string's end, counted as `position` (its start is the end before it or, when it opened a
   * block, that block's start), in arrays of 65,536 (256 KB): grown a part at a time, not doubled.
   */
  private readonly ends: Uint32Array[] = [];
  private count = 0;
  private readonly long = new Map<number, string>();
  private readonly cachedIndex = new Int32Array(CACHE).fill(-1);
  private readonly cachedValue: string[] = new Array<string>(CACHE);

  /** `blockBytes` only for tests (small blocks to cross); a string longer than a block is kept as a string. */
  constructor(blockBytes = 1 << 20) {
    this.blockBytes = blockBytes;
  }

  get size(): number {
    return this.count;
  }

  /** The bytes the table holds (blocks and ends), for reports. */
  get bytes(): number {
    return this.blocks.reduce((n, b) => n + b.length, 0) + this.ends.length * ENDS * 4;
  }

  push(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    const size = this.blockBytes;
    if (length > size) {
      // Longer than a block (only with a test's small blocks: an Excel cell holds 32,767 characters, ≤ 96 KB).
      this.long.set(this.count, value);
    } else if (length > 0) {
      let block = Math.floor(this.position / size);
      let offset = this.position - block * size;
      // A string never spans two blocks: one that does not fit starts the next.
      if (offset + length > size) {
        block++;
        offset = 0;
      }
      while (this.blocks.length <= block) this.blocks.push(Buffer.allocUnsafe(size));
      this.blocks[block]!.write(value, offset, 'utf8');
      this.position = block * size + offset + length;
      if (this.position > 0xffff_ffff) throw new RangeError('The workbook’s shared strings exceed 4 GB.');
    }
    if (this.count % ENDS === 0) this.ends.push(new Uint32Array(ENDS));
    this.ends[this.ends.length - 1]![this.count % ENDS] = this.position;
    this.count++;
  }

  get(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    const slot = index % CACHE;
    if (this.cachedIndex[slot] === index) return this.cachedValue[slot];
    const end = this.endOf(index);
    const previous = index === 0 ? 0 : this.endOf(index - 1);
    let value = this.long.get(index) ?? '';
    if (end > previous) {
      // The block the string's last byte is in holds it whole: it starts where the one before it
      // ended, or at the block's start when it did not fit after it.
      const size = this.blockBytes;
      const block = Math.floor((end - 1) / size);
      const start = Math.max(previous, block * size);
      value = this.blocks[block]!.toString('utf8', start - block * size, end - block * size);
    }
    this.cachedIndex[slot] = index;
    this.cachedValue[slot] = value;
    return value;
  }

  private endOf(index: number): number {
    return this.ends[Math.floor(index / ENDS)]![index % ENDS]!;
  }
}
