import { KeyIndex } from './key-index.ts';

/** A document's first holder in the file: the household's key, the document's row, the household's id. */
export interface InFile {
  key: string;
  row: number;
  id: string;
}

/**
 * The documents of a whole file's accepted households, for a dry run, which stores no claims to
 * find an earlier chunk's documents by (an import keeps only two chunks' in a Map). With a Map, a
 * dry run of a million-person file ended with 146 MB of its 160 MB heap in use (hash strings and
 * entry objects; 53 MB with this, 2026-12-04); this keeps each document's hash as two 32-bit
 * hashes with its row (a {@link KeyIndex},
 * ~24 bytes) and each household holding documents once: the row of its first document and its key.
 * A document's holder is the household with the last first row at or before the document's row
 * (a household's rows follow each other, and households are recorded in file order); its id is
 * derived from its key as the import derives it.
 */
export class FileDocuments {
  private readonly rows = new KeyIndex();
  private starts = new Int32Array(1024);
  private readonly keys: string[] = [];
  private lastId: string | undefined;
  private readonly idOf: (key: string) => string;

  constructor(idOf: (key: string) => string) {
    this.idOf = idOf;
  }

  get(hash: string): InFile | undefined {
    const row = this.rows.get(hash);
    if (row === undefined) return undefined;
    const key = this.keys[this.householdAt(row)]!;
    return { key, row, id: this.idOf(key) };
  }

  has(hash: string): boolean {
    return this.rows.has(hash);
  }

  /** Records a document of an accepted household; the households' documents come in file order. */
  set(hash: string, holder: InFile): this {
    if (holder.id !== this.lastId) {
      const n = this.keys.length;
      if (n > 0 && holder.row <= this.starts[n - 1]!)
        throw new Error(`documents recorded out of file order: row ${holder.row} after a household from row ${this.starts[n - 1]}`);
      if (n === this.starts.length) {
        const grown = new Int32Array(n * 2);
        grown.set(this.starts);
        this.starts = grown;
      }
      this.starts[n] = holder.row;
      // A copy of its own: a key sliced from the file's text would keep that whole chunk of text alive.
      this.keys.push(Buffer.from(holder.key, 'utf8').toString('utf8'));
      this.lastId = holder.id;
    }
    this.rows.set(hash, holder.row);
    return this;
  }

  /** A dry run stores no household, so it undoes none: nothing is ever taken out. */
  delete(_hash: string): boolean {
    throw new Error('the documents of a dry run are never taken out');
  }

  /** The index of the last household whose first document's row is at or before `row`. */
  private householdAt(row: number): number {
    let lo = 0;
    let hi = this.keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
