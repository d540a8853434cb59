import { readGazetteerDir } from '../../infra/local/gazetteer-files.ts';
import { loadEdition } from '../../shared/db/repositories/gazetteer.ts';

/** Loads the gazetteer edition the project ships (`data/gazetteer/`) into the test file's table, as `npm start` does into a new one. */
export async function loadShippedGazetteer(): Promise<void> {
  const shipped = await readGazetteerDir();
  await loadEdition(shipped.edition, shipped.countries, { sub: 'test', role: 'admin', org: 'test' });
}
