import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../functions/importer/key-index.ts';

describe('the importer’s index of household keys', () => {
  it('gives each key the row it was first set with, and nothing for a key never set', () => {
    const index = new KeyIndex(16);
    index.set('H-1', 2);
    index.set('uuid:4f1c2a9e-0b7d-4c1e-9a8f-3d2b1c0e9f7a', 3);
    index.set('H-1', 9);
    index.set('ស្រី', 4);
    expect(index.get('H-1')).toBe(2);
    expect(index.get('uuid:4f1c2a9e-0b7d-4c1e-9a8f-3d2b1c0e9f7a')).toBe(3);
    expect(index.get('ស្រី')).toBe(4);
    expect(index.get('H-2')).toBeUndefined();
    expect(index.has('h-1')).toBe(false);
    expect(index.size).toBe(3);
  });

  it('keeps every key of a large file apart while it grows, like a Map of them', () => {
    const index = new KeyIndex(16);
    const map = new Map<string, number>();
    for (let i = 0; i < 300_000; i++) {
      // KoBoToolbox's `_index` numbers and ODK Central's KEYs: short, similar keys.
      const key = i % 2 === 0 ? String(i) : `uuid:${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
      index.set(key, i + 2);
      map.set(key, i + 2);
    }
    expect(index.size).toBe(map.size);
    for (const [key, row] of map) if (index.get(key) !== row) throw new Error(`key ${key}: ${index.get(key)} instead of ${row}`);
    for (let i = 300_000; i < 310_000; i++) expect(index.has(String(i))).toBe(false);
  });

  it('refuses a row number it cannot keep', () => {
    const index = new KeyIndex();
    expect(() => index.set('a', 0)).toThrow(RangeError);
    expect(() => index.set('a', 1.5)).toThrow(RangeError);
  });
});
