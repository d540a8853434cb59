import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { config } from '../config.ts';
import { claimsToPrincipalInput, Principal, type Role } from '../domain/roles.ts';
import type { Country } from '../domain/common.ts';
import { BadRequest, Forbidden, Unauthorized } from './problem.ts';

/**
 * One verification path for both modes: a JWKS key getter (Cognito's remote key set on AWS,
 * the key set generated on first start locally) and `jwtVerify` with the same checks.
 */
function keyGetter(): JWTVerifyGetKey {
  if (config.JWKS_URL) return createRemoteJWKSet(new URL(config.JWKS_URL), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  if (config.JWKS_FILE) return createLocalJWKSet(JSON.parse(readFileSync(config.JWKS_FILE, 'utf8')) as JSONWebKeySet);
  throw new Error('no JWKS configured');
}

let getKey: JWTVerifyGetKey | undefined;

/** Verifies a bearer token and returns the principal it proves. Throws 401 problems. */
export async function authenticate(authorization: string | undefined): Promise<Principal> {
  if (!authorization) throw new Unauthorized('Send a bearer token: Authorization: Bearer <jwt>.');
  const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new Unauthorized('The Authorization header must be "Bearer <jwt>".');
  getKey ??= keyGetter();
  let claims: Record<string, unknown>;
  try {
    const verified = await jwtVerify(match[1], getKey, {
      issuer: config.JWT_ISSUER,
      ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'exp', 'iat'],
      // Also refuses a token with no `iat` or one issued in the future.
      maxTokenAge: config.JWT_MAX_TOKEN_AGE_SECONDS,
    });
    claims = verified.payload as Record<string, unknown>;
  } catch (e: unknown) {
    if (e instanceof joseErrors.JWTExpired) throw new Unauthorized('The token has expired: get a new one.');
    if (e instanceof joseErrors.JOSEError) throw new Unauthorized('The token could not be verified.');
    throw e;
  }
  // A token minted to live for a year would still pass `maxTokenAge` on its first day.
  if (Number(claims['exp']) - Number(claims['iat']) > config.JWT_MAX_TOKEN_AGE_SECONDS) {
    throw new Unauthorized(`The token's lifetime exceeds the ${config.JWT_MAX_TOKEN_AGE_SECONDS / 3600} h allowed: get one that expires sooner.`);
  }
  const principal = Principal.safeParse(claimsToPrincipalInput(claims));
  if (!principal.success) {
    const why = principal.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Unauthorized(`The token's claims are incomplete (${why}).`);
  }
  return principal.data;
}

/** Route-level access declaration: which roles may call it at all. Finer scope checks live in the handlers. */
export function authorize(principal: Principal, roles: readonly Role[]): void {
  if (!roles.includes(principal.role)) {
    throw new Forbidden(`The ${principal.role} role may not do this; allowed: ${roles.join(', ')}.`);
  }
}

/** Scope check for national roles: observers and admins pass, everyone else only for their own country. */
export function requireCountry(principal: Principal, country: string, what: string): void {
  if (principal.role === 'admin') return;
  if (principal.country !== country) {
    throw new Forbidden(`A ${principal.role} of ${principal.country ?? 'no country'} may not ${what} of ${country}.`);
  }
}

/**
 * The country a caller acts for: a national role its own (naming the other is a 403, so that a
 * mistake is loud rather than silently answered with the caller's own data), an admin the one it
 * names (`where` is `body` or `query`, for the 400 when it names none).
 */
export function actingCountry(principal: Principal, named: Country | undefined, where: string, what: string): Country {
  if (principal.role === 'admin') {
    if (!named)
      throw new BadRequest(`An admin acts for no single country: name the country to ${what}.`, [{ path: `${where}.country`, message: 'required for admin' }]);
    return named;
  }
  if (named) requireCountry(principal, named, what);
  return principal.country!;
}
