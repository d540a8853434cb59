/**
 * The household keys a file has used so far, each with the row it was first used at, in 16 to 32
 * bytes a key (three typed arrays, open addressing, at most three-quarters full) instead of a Map's string
 * keys and entries (60 bytes or more each, more where a key is a slice that keeps its chunk of the
 * file's text alive): a million-person file's ~250,000 households take ~6 MB, so the importer's
 * memory barely grows with the file. Keys are told apart by two 32-bit hashes of their text; two
 * keys of one file share both with a probability of about n²/2⁶⁵ (below 10⁻⁷ at a million keys).
 */
export class KeyIndex {
  private slots = new Uint32Array(0);
  private checks = new Uint32Array(0);
  /** The row of each slot, 0 where the slot is empty (rows start at 1). */
  private rows = new Int32Array(0);
  private used = 0;

  constructor(capacity = 1024) {
    this.allocate(capacity);
  }

  get size(): number {
    return this.used;
  }

  /** The row the key was first given with, or undefined. */
  get(key: string): number | undefined {
    const [a, b] = hashes(key);
    const i = this.find(a, b);
    const row = this.rows[i]!;
    return row === 0 ? undefined : row;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Records the key's first row (`row` ≥ 1); a key already there keeps its first row. */
  set(key: string, row: number): void {
    if (!(row >= 1 && row <= 0x7fffffff && Number.isInteger(row))) throw new RangeError(`a row number from 1 is needed, not ${row}`);
    // At most three-quarters full: a probe finds a key in ~2.5 slots, an absent one in ~8.5 (cheap
    // on typed arrays), and a million-person file's 190,000 keys take 262,144 slots, not 524,288.
    if ((this.used + 1) * 4 > this.rows.length * 3) this.grow();
    const [a, b] = hashes(key);
    const i = this.find(a, b);
    if (this.rows[i] !== 0) return;
    this.slots[i] = a;
    this.checks[i] = b;
    this.rows[i] = row;
    this.used++;
  }

  /** The slot holding (a, b), or the empty slot where it would go. */
  private find(a: number, b: number): number {
    const mask = this.rows.length - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    while (this.rows[i] !== 0 && (this.slots[i] !== a || this.checks[i] !== b)) i = (i + 1) & mask;
    return i;
  }

  private allocate(capacity: number): void {
    let n = 16;
    while (n < capacity) n *= 2;
    this.slots = new Uint32Array(n);
    this.checks = new Uint32Array(n);
    this.rows = new Int32Array(n);
  }

  private grow(): void {
    const { slots, checks, rows } = this;
    this.allocate(rows.length * 2);
    for (let j = 0; j < rows.length; j++) {
      if (rows[j] === 0) continue;
      const i = this.find(slots[j]!, checks[j]!);
      this.slots[i] = slots[j]!;
      this.checks[i] = checks[j]!;
      this.rows[i] = rows[j]!;
    }
  }
}

/** FNV-1a and a murmur-style multiply-xorshift over the key's UTF-16 units, each finalised (murmur3's fmix32). */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [fmix(a) >>> 0, fmix(b ^ 0x2545f491) >>> 0];
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
