import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDataDir } from './data-dir.ts';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * Local key material, generated on first start under DATA_DIR and never committed:
 * the RS256 key pair that signs local tokens (its public half is the local JWKS that the
 * functions verify against, exactly as they verify Cognito's) and the cursor-signing secret.
 */
export const LOCAL_ISSUER = 'clearway-local';
/** The audience local tokens name and the local API requires, as Cognito's app client id is on AWS. */
export const LOCAL_AUDIENCE = 'clearway-local-api';

export interface LocalSecrets {
  jwksFile: string;
  privateKeyFile: string;
  cursorSecret: string;
  /** Key of the keyed hash of identity document numbers (duplicate detection without storing numbers). */
  documentHashSecret: string;
}

async function writeOnce(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await rename(tmp, file);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function ensureLocalSecrets(dataDir: string): Promise<LocalSecrets> {
  await ensureDataDir(dataDir);
  const dir = join(dataDir, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privateKeyFile = join(dir, 'signing-key.private.jwk.json');
  const jwksFile = join(dir, 'jwks.json');
  const secretsFile = join(dir, 'secrets.json');

  if (!(await readJson<JWK>(privateKeyFile)) || !(await readJson(jwksFile))) {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = `local-${Date.now().toString(36)}`;
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    await writeOnce(privateKeyFile, JSON.stringify(privateJwk));
    await writeOnce(jwksFile, JSON.stringify({ keys: [publicJwk] }));
  }
  const stored = await readJson<{ cursorSecret?: string; documentHashSecret?: string }>(secretsFile);
  // A DATA_DIR from before a secret existed gains it; secrets already there are never replaced
  // (a new document-hash key would make every stored hash unmatchable).
  const secrets = {
    cursorSecret: stored?.cursorSecret ?? randomBytes(48).toString('base64url'),
    documentHashSecret: stored?.documentHashSecret ?? randomBytes(48).toString('base64url'),
  };
  if (stored?.cursorSecret !== secrets.cursorSecret || stored?.documentHashSecret !== secrets.documentHashSecret)
    await writeOnce(secretsFile, JSON.stringify(secrets));
  return { jwksFile, privateKeyFile, ...secrets };
}

/** Longest lifetime `npm run token` signs, the API's default `JWT_MAX_TOKEN_AGE_SECONDS`. */
export const MAX_TOKEN_TTL_SECONDS = 24 * 3600;

export interface TokenClaims {
  sub: string;
  role: string;
  country?: string | undefined;
  org: string;
  team?: string | undefined;
}

/** Signs a local token with the DATA_DIR key; the local server accepts it until it expires. */
export async function signLocalToken(privateKeyFile: string, claims: TokenClaims, ttl = '12h'): Promise<string> {
  const jwk = JSON.parse(await readFile(privateKeyFile, 'utf8')) as JWK;
  const key = await importJWK(jwk, 'RS256');
  const payload = Object.fromEntries(Object.entries(claims).filter(([k, v]) => v !== undefined && k !== 'sub'));
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid ?? 'local', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(key);
}
