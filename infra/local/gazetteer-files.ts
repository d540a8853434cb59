import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Country } from '../../shared/domain/common.ts';
import type { SourceUnit } from '../../shared/domain/gazetteer.ts';

/** Where the project keeps the gazetteer edition it ships (with its NOTICE): never bundled into a function. */
export const SHIPPED_GAZETTEER_DIR = resolve(fileURLToPath(new URL('../../data/gazetteer/', import.meta.url)));

export interface GazetteerFiles {
  edition: string;
  countries: { country: Country; provinces: SourceUnit[] }[];
}

/**
 * Reads an edition from a directory holding `edition.json` (`{ edition, files: { KH, TH } }`) and
 * the files it names (an array of provinces each, the shape of `data/gazetteer/*.json`).
 * `edition` overrides the name in `edition.json`.
 */
export async function readGazetteerDir(dir = SHIPPED_GAZETTEER_DIR, edition?: string): Promise<GazetteerFiles> {
  const manifest = JSON.parse(await readFile(join(dir, 'edition.json'), 'utf8')) as { edition: string; files: Partial<Record<Country, string>> };
  const countries: GazetteerFiles['countries'] = [];
  for (const country of ['KH', 'TH'] as const) {
    const file = manifest.files[country];
    if (!file) continue;
    countries.push({ country, provinces: JSON.parse(await readFile(join(dir, file), 'utf8')) as SourceUnit[] });
  }
  return { edition: edition ?? manifest.edition, countries };
}
