import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { app } from '../../functions/tasks/app.ts';
import { ensureLocalSecrets, LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../infra/local/keys.ts';
import { scanTable } from '../support/fixtures.ts';
import { repoRoot } from '../support/local-server.ts';

// Every forged or out-of-policy token must get 401 problem+json and write nothing. Each attack
// tries to create a team (admin claims); a correctly signed token does the same as the control.

const secrets = await ensureLocalSecrets(inject('keysDir'));
const privateJwk = JSON.parse(await readFile(secrets.privateKeyFile, 'utf8')) as JWK;
const publicJwk = (JSON.parse(await readFile(secrets.jwksFile, 'utf8')) as { keys: JWK[] }).keys[0]!;
const kid = privateJwk.kid!;
const runKey = await importJWK(privateJwk, 'RS256');

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const ADMIN = { sub: 'attacker', role: 'admin', org: 'Clearway' };

/** The claims a valid local admin token carries; each attack changes some. */
const validClaims = (): JWTPayload & Record<string, unknown> => ({ ...ADMIN, iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now(), exp: now() + 3600 });

/** Signs `payload` as it is (no defaults added) with `key`, RS256 unless said otherwise. */
const sign = (payload: JWTPayload, key: CryptoKey | Uint8Array = runKey, header: Record<string, unknown> = {}) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT', ...header } as { alg: string }).sign(key);

const without = (payload: Record<string, unknown>, ...names: string[]) => Object.fromEntries(Object.entries(payload).filter(([k]) => !names.includes(k)));

let attempt = 0;
const names: string[] = [];

async function createTeam(token: string) {
  const name = `jwt attack team ${++attempt}`;
  names.push(name);
  const res = await app.request('/v1/teams', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL'] }),
  });
  return { res, name, body: (await res.json()) as Record<string, unknown> };
}

async function expectRefused(token: string, detail?: RegExp) {
  const { res, body } = await createTeam(token);
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(body).toMatchObject({ status: 401, title: expect.any(String), detail: expect.any(String) });
  if (detail) expect(body['detail']).toMatch(detail);
  expect(res.headers.get('etag')).toBeNull();
}

async function stored(name: string) {
  return (await scanTable()).filter((i) => i.name === name);
}

describe('JWT attacks against the API', () => {
  const accepted = new Set<string>();
  beforeAll(async () => {
    // The control: the same request with a correct token is accepted, so a refusal below is the token's doing.
    const { res, name } = await createTeam(await sign(validClaims()));
    expect(res.status).toBe(201);
    accepted.add(name);
  });

  it('refuses alg "none", with and without a signature part', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(validClaims())}`;
    await expectRefused(`${unsigned}.`);
    await expectRefused(`${unsigned}.${Buffer.from('x').toString('base64url')}`);
    await expectRefused(`${b64({ alg: 'none', kid, typ: 'JWT' })}.${b64(validClaims())}.AAAA`);
  });

  it('refuses HS256 signed with the public key as the HMAC secret (algorithm confusion)', async () => {
    const publicKey = await importJWK(publicJwk, 'RS256');
    for (const secret of [JSON.stringify(publicJwk), await exportSPKI(publicKey as CryptoKey), publicJwk.n!]) {
      await expectRefused(await sign(validClaims(), new TextEncoder().encode(secret), { alg: 'HS256' }));
    }
  });

  it('refuses a token signed by another key that names the same kid, or that carries its own key in the header', async () => {
    const other = await generateKeyPair('RS256', { extractable: true });
    await expectRefused(await sign(validClaims(), other.privateKey));
    await expectRefused(await sign(validClaims(), other.privateKey, { jwk: await exportJWK(other.publicKey) }));
  });

  it('refuses an expired token', async () => {
    await expectRefused(await sign({ ...validClaims(), iat: now() - 7200, exp: now() - 3600 }), /expired/);
  });

  it('refuses a wrong or missing issuer', async () => {
    await expectRefused(await sign({ ...validClaims(), iss: 'https://cognito-idp.ap-southeast-1.amazonaws.com/other-pool' }));
    await expectRefused(await sign(without(validClaims(), 'iss')));
  });

  it('refuses a wrong or missing audience', async () => {
    await expectRefused(await sign({ ...validClaims(), aud: 'some-other-client' }));
    await expectRefused(await sign(without(validClaims(), 'aud')));
  });

  it('refuses tokens missing sub, role or org, and a national role without a country', async () => {
    for (const claim of ['sub', 'role', 'org']) await expectRefused(await sign(without(validClaims(), claim)));
    await expectRefused(await sign({ ...validClaims(), role: 'operations' }), /country/);
    await expectRefused(await sign({ ...validClaims(), role: 'superuser' }));
  });

  it('refuses a token that lives longer than 24 h, one without iat, and one issued in the future', async () => {
    await expectRefused(await sign({ ...validClaims(), exp: now() + 48 * 3600 }), /lifetime/);
    await expectRefused(await sign({ ...validClaims(), exp: now() + 100 * 365 * 86400 }), /lifetime/);
    await expectRefused(await sign(without(validClaims(), 'iat')));
    await expectRefused(await sign(without(validClaims(), 'exp')));
    // Issued "tomorrow" for a day: its lifetime is fine, its iat is not.
    await expectRefused(await sign({ ...validClaims(), iat: now() + 86400, exp: now() + 2 * 86400 }));
    // Issued more than a day ago and still unexpired only because it lived too long: refused either way.
    await expectRefused(await sign({ ...validClaims(), iat: now() - 25 * 3600, exp: now() + 3600 }));
  });

  it('accepts a token of exactly 24 h', async () => {
    const { res, name } = await createTeam(await sign({ ...validClaims(), exp: now() + 24 * 3600 }));
    expect(res.status).toBe(201);
    accepted.add(name);
  });

  it('wrote nothing for any refused token (and the accepted creates are stored)', async () => {
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) expect((await stored(name)).length, name).toBe(accepted.has(name) ? 1 : 0);
  });
});

describe('npm run token', () => {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'clearway-token-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));
  const token = (...args: string[]) =>
    spawnSync(process.execPath, ['infra/local/token.ts', '--role', 'admin', ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: 'utf8',
    });

  it('refuses a --ttl over 24 h with a clear message and prints no token', () => {
    for (const ttl of ['25h', '2d', '1441m', '36500d']) {
      const run = token('--ttl', ttl);
      expect(run.status, ttl).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`--ttl is at most 24h: a token lives at most a day (asked for ${ttl})`);
    }
  });

  it('signs a token of up to 24 h, with iat, exp and the local audience', () => {
    const run = token('--ttl', '24h');
    expect(run.status).toBe(0);
    const claims = decodeJwt(run.stdout.trim());
    expect(claims.exp! - claims.iat!).toBe(24 * 3600);
    expect(claims.aud).toBe(LOCAL_AUDIENCE);
  });
});
