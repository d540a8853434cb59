/**
 * The signed-in user: the bearer token and the claims the console needs to decide what to
 * show (the API decides what is allowed; the console only hides what would be refused).
 * Kept in localStorage so a field team's session and its queued changes survive closing the
 * browser; dropped when the token expires or on sign-out.
 */
import { useEffect, useState } from 'preact/hooks';
import { expired, SESSION_STORAGE_KEY as STORAGE_KEY, storedSession, type Session } from './claims.ts';

export { decodeJwtPayload, NATIONAL_ROLES, ROLES, sessionFromToken, type Role, type Session } from './claims.ts';

const listeners = new Set<(s: Session | null) => void>();

let current: Session | null = typeof localStorage === 'undefined' ? null : storedSession();

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
