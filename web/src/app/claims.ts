/**
 * A token's claims as the console reads them, with no dependency (the boot script uses this
 * before the console's modules have arrived; session.ts builds the signed-in user on it).
 */
export type Role = 'operations' | 'deminer' | 'qa' | 'relief' | 'ministry' | 'observer' | 'admin';
export const ROLES: readonly Role[] = ['operations', 'deminer', 'qa', 'relief', 'ministry', 'observer', 'admin'];
/** Roles that act for one country (shared/domain/roles.ts). */
export const NATIONAL_ROLES: readonly Role[] = ['operations', 'deminer', 'qa', 'relief', 'ministry'];

export interface Session {
  token: string;
  role: Role;
  country?: 'KH' | 'TH';
  org: string;
  team?: string;
  sub: string;
  /** Seconds since the epoch when the token expires. */
  exp?: number;
}

/** Decodes a JWT's payload (no verification: the API verifies; this only reads the claims). */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  const b64 = part
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(part.length / 4) * 4, '=');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * Builds a session from a token's claims, like `claimsToPrincipalInput` on the server: local
 * tokens carry `role`, `country`, `org`, `team`; Cognito ID tokens the role as a group and the
 * rest as `custom:` attributes. Null when the claims do not make a usable principal.
 */
export function sessionFromToken(token: string): Session | null {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwtPayload(token);
  } catch {
    return null;
  }
  const groups = claims['cognito:groups'];
  const group = Array.isArray(groups) ? groups.find((g): g is Role => typeof g === 'string' && (ROLES as readonly string[]).includes(g)) : undefined;
  const roleClaim = str(claims.role);
  const role = roleClaim && (ROLES as readonly string[]).includes(roleClaim) ? (roleClaim as Role) : group;
  const country = str(claims.country) ?? str(claims['custom:country']);
  const org = str(claims.org) ?? str(claims['custom:org']);
  const team = str(claims.team) ?? str(claims['custom:team']);
  const sub = str(claims.sub);
  if (!role || !org || !sub) return null;
  if (country !== undefined && country !== 'KH' && country !== 'TH') return null;
  if (NATIONAL_ROLES.includes(role) !== (country !== undefined)) return null;
  if (role === 'deminer' && !team) return null;
  const session: Session = { token, role, org, sub };
  if (country) session.country = country;
  if (team) session.team = team;
  if (typeof claims.exp === 'number') session.exp = claims.exp;
  return session;
}

/** Where the session's token is kept. */
export const SESSION_STORAGE_KEY = 'clearway.session';

export const expired = (s: Session): boolean => s.exp !== undefined && s.exp * 1000 <= Date.now();

/** The session kept on the device, if its token is still usable. */
export function storedSession(): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_STORAGE_KEY);
    if (!raw) return null;
    const s = sessionFromToken((JSON.parse(raw) as { token: string }).token);
    return s && !expired(s) ? s : null;
  } catch {
    return null;
  }
}
