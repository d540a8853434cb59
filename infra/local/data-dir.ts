import { chmod, mkdir, stat } from 'node:fs/promises';

/**
 * Creates DATA_DIR readable by this user alone (0700): it holds the database with people's
 * names and documents, uploads and the token-signing key. A DATA_DIR open to others is closed;
 * its previous mode is returned so that the caller can say so.
 */
export async function ensureDataDir(dataDir: string): Promise<{ previousMode?: number }> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const mode = (await stat(dataDir)).mode & 0o777;
  if (mode === 0o700) return {};
  await chmod(dataDir, 0o700);
  return { previousMode: mode };
}
