import { describe, expect, it } from 'vitest';
import { FileDocuments } from '../../functions/importer/file-documents.ts';

const idOf = (key: string) => `id-of-${key}`;

describe('a dry run’s documents of the whole file', () => {
  it('names each document’s first holder (household key, the document’s row, the id derived from the key), and nothing for a document never seen', () => {
    const docs = new FileDocuments(idOf);
    // H1: rows 2–4, documents on rows 2 and 4; H2: rows 5–6, none; H3: rows 7–9, a document on row 8.
    docs.set('hash-a', { key: 'H1', row: 2, id: idOf('H1') });
    docs.set('hash-b', { key: 'H1', row: 4, id: idOf('H1') });
    docs.set('hash-c', { key: 'H3', row: 8, id: idOf('H3') });
    expect(docs.get('hash-a')).toEqual({ key: 'H1', row: 2, id: 'id-of-H1' });
    expect(docs.get('hash-b')).toEqual({ key: 'H1', row: 4, id: 'id-of-H1' });
    expect(docs.get('hash-c')).toEqual({ key: 'H3', row: 8, id: 'id-of-H3' });
    expect(docs.get('hash-d')).toBeUndefined();
    expect(docs.has('hash-c')).toBe(true);
    expect(docs.has('hash-d')).toBe(false);
  });

  it('agrees with a Map of the same documents over a large file', () => {
    const docs = new FileDocuments(idOf);
    const map = new Map<string, { key: string; row: number; id: string }>();
    let row = 2;
    for (let h = 0; h < 20_000; h++) {
      const key = `HH-${h}`;
      const members = 1 + (h % 5);
      for (let m = 0; m < members; m++, row++) {
        if ((h + m) % 3 === 0) continue; // members without a document
        const hash = `doc-${h}-${m}`;
        const holder = { key, row, id: idOf(key) };
        docs.set(hash, holder);
        map.set(hash, holder);
      }
    }
    for (const [hash, holder] of map) expect(docs.get(hash)).toEqual(holder);
    expect(docs.get('doc-20000-0')).toBeUndefined();
  });

  it('refuses a household recorded before one earlier in the file, and refuses to take a document out', () => {
    const docs = new FileDocuments(idOf);
    docs.set('hash-a', { key: 'H2', row: 10, id: idOf('H2') });
    expect(() => docs.set('hash-b', { key: 'H1', row: 3, id: idOf('H1') })).toThrow(/out of file order/);
    expect(() => docs.delete('hash-a')).toThrow(/never taken out/);
  });
});
