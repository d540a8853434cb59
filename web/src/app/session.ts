/**
 * The signed-in user: the bearer token and the claims the console needs to decide what to
 * show (the API decides what is allowed; the console only hides what would be refused).
 * Kept in localStorage so a field team's session and its queued changes survive closing the
 * browser; dropped when the token expires or on sign-out.
 */
import { useEffect, useState } from 'preact/hooks';

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

const STORAGE_KEY = 'clearway.session';
const listeners = new Set<(s: Session | null) => void>();

/** Decodes a JWT's payload (no verification: the API verifies; this only reads the claims). */
export function decodeJwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) throw new Error('not a JWT');
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
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

const expired = (s: Session): boolean => s.exp !== undefined && s.exp * 1000 <= Date.now();

function load(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = sessionFromToken((JSON.parse(raw) as { token: string }).token);
    return s && !expired(s) ? s : null;
  } catch {
    return null;
  }
}

let current: Session | null = typeof localStorage === 'undefined' ? null : load();

/** The session now, outside components (the API client and the offline queue). */
export function currentSession(): Session | null {
  if (current && expired(current)) setSession(null);
  return current;
}

/** Signs in with a token (null signs out). */
export function setSession(session: Session | null): void {
  current = session;
  try {
    if (session) localStorage.setItem(STORAGE_KEY, JSON.stringify({ token: session.token }));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // kept in memory only
  }
  for (const l of listeners) l(session);
}

/** Calls `fn` on every sign-in and sign-out; returns the unsubscribe. */
export function onSessionChange(fn: (s: Session | null) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function useSession(): Session | null {
  const [session, set] = useState<Session | null>(current);
  useEffect(() => {
    listeners.add(set);
    if (session !== current) set(current);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return session;
}
