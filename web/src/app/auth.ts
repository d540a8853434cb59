/**
 * Signing in. `/config.json` says how: locally `{ mode: 'local' }` (a page picks role, country,
 * organisation and team and gets a token from the local server's `POST /local/token`, which
 * does not exist on AWS); on AWS `{ mode: 'cognito', apiUrl, cognitoDomain, clientId,
 * redirectUri }` (Cognito's hosted sign-in, authorization code with PKCE S256; the ID token's
 * groups and `custom:` attributes become the session).
 */
import { setApiBase } from './api.ts';
import { CONFIG_STORAGE_KEY, inlineConfig } from './early.ts';
import type { Problem } from './queue.ts';
import { currentSession, sessionFromToken, setSession, type Role, type Session } from './session.ts';

export type ConsoleConfig =
  | { mode: 'local'; apiUrl?: string }
  | { mode: 'cognito'; apiUrl: string; cognitoDomain: string; clientId: string; redirectUri: string; scopes?: string[] };

const PKCE_KEY = 'clearway.pkce';

function parseConfig(value: unknown): ConsoleConfig | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  const s = (k: string): string | undefined => (typeof v[k] === 'string' && (v[k] as string).length > 0 ? (v[k] as string) : undefined);
  if (v.mode === 'local') {
    const apiUrl = s('apiUrl');
    return apiUrl ? { mode: 'local', apiUrl } : { mode: 'local' };
  }
  if (v.mode === 'cognito') {
    const apiUrl = s('apiUrl');
    const cognitoDomain = s('cognitoDomain');
    const clientId = s('clientId');
    const redirectUri = s('redirectUri') ?? `${location.origin}/`;
    if (!apiUrl || !cognitoDomain || !clientId) return undefined;
    const scopes = Array.isArray(v.scopes) ? v.scopes.filter((x): x is string => typeof x === 'string') : undefined;
    return {
      mode: 'cognito',
      apiUrl,
      cognitoDomain: cognitoDomain.startsWith('http') ? cognitoDomain.replace(/\/+$/, '') : `https://${cognitoDomain}`,
      clientId,
      redirectUri,
      ...(scopes ? { scopes } : {}),
    };
  }
  return undefined;
}

let config: ConsoleConfig | undefined;

function storedConfig(): ConsoleConfig | undefined {
  try {
    return parseConfig(JSON.parse(localStorage.getItem(CONFIG_STORAGE_KEY) ?? 'null'));
  } catch {
    return undefined;
  }
}

function applyConfig(loaded: ConsoleConfig, keep = true): ConsoleConfig {
  config = loaded;
  setApiBase(loaded.apiUrl ?? '');
  if (!keep) return loaded;
  try {
    localStorage.setItem(CONFIG_STORAGE_KEY, JSON.stringify(loaded));
  } catch {
    // kept in memory only
  }
  return loaded;
}

/** `/config.json`, or undefined when it cannot be read (offline) or is not valid. */
async function fetchConfig(): Promise<ConsoleConfig | undefined> {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    return res.ok ? parseConfig(await res.json()) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The configuration, without a round trip when it can: the page's own copy (`<meta
 * name="clearway-config">`, which the local server writes in); else, for a user already signed
 * in who is not coming back from Cognito, the copy kept from the last start, while /config.json
 * is read again in the background for this and the next start; else /config.json (the kept
 * copy when offline). Points the API client at the API.
 */
export async function loadConfig(): Promise<ConsoleConfig> {
  const inline = inlineConfig();
  if (inline) {
    let parsed: ConsoleConfig | undefined;
    try {
      parsed = parseConfig(JSON.parse(inline));
    } catch {
      parsed = undefined;
    }
    if (parsed) return applyConfig(parsed);
  }
  const stored = storedConfig();
  const query = new URLSearchParams(location.search);
  const returning = query.has('code') || query.has('error');
  if (stored && currentSession() && !returning) {
    void fetchConfig().then((fresh) => fresh && applyConfig(fresh));
    return applyConfig(stored);
  }
  const fetched = await fetchConfig();
  return fetched ? applyConfig(fetched) : applyConfig(stored ?? { mode: 'local' }, false);
}

export const consoleConfig = (): ConsoleConfig | undefined => config;

export class SignInError extends Error {
  problem: Problem | undefined;
  constructor(message: string, problem?: Problem) {
    super(message);
    this.name = 'SignInError';
    this.problem = problem;
  }
}

export interface LocalSignIn {
  role: Role;
  country?: 'KH' | 'TH';
  org: string;
  team?: string;
  sub?: string;
}

/** A token from the local server (local mode only). */
export async function localToken(claims: LocalSignIn): Promise<string> {
  const res = await fetch('/local/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(claims),
  });
  const body = (await res.json().catch(() => ({}))) as { token?: string } & Partial<Problem>;
  if (!res.ok || !body.token)
    throw new SignInError(body.detail ?? body.title ?? `HTTP ${res.status}`, typeof body.title === 'string' ? (body as Problem) : undefined);
  return body.token;
}

export async function signInLocally(claims: LocalSignIn): Promise<Session> {
  const session = sessionFromToken(await localToken(claims));
  if (!session) throw new SignInError('the token does not carry a usable role');
  setSession(session);
  return session;
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** PKCE (RFC 7636): a random verifier and its S256 challenge. */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(48)));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return { verifier, challenge: base64url(digest) };
}

/** Sends the browser to Cognito's hosted sign-in. */
export async function startCognitoSignIn(): Promise<void> {
  if (config?.mode !== 'cognito') throw new SignInError('not configured for Cognito');
  const { verifier, challenge } = await pkcePair();
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, returnTo: location.hash }));
  const url = new URL(`${config.cognitoDomain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: (config.scopes ?? ['openid', 'email', 'profile']).join(' '),
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  }).toString();
  location.assign(url.toString());
}

/**
 * Completes a Cognito sign-in when the page is the redirect back (`?code=&state=`): checks the
 * state, exchanges the code with the PKCE verifier, and keeps the ID token as the session.
 * Returns false when there is nothing to complete.
 */
export async function completeCognitoSignIn(): Promise<boolean> {
  if (config?.mode !== 'cognito') return false;
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return false;
  const stored = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as { verifier: string; state: string; returnTo: string } | null;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', `${location.pathname}${stored?.returnTo ?? ''}`);
  if (error) throw new SignInError(params.get('error_description') ?? error);
  if (!stored || params.get('state') !== stored.state) throw new SignInError('the sign-in answer does not match this browser’s request');
  const res = await fetch(`${config.cognitoDomain}/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code: code!,
      redirect_uri: config.redirectUri,
      code_verifier: stored.verifier,
    }).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as { id_token?: string; error?: string };
  if (!res.ok || !body.id_token) throw new SignInError(body.error ?? `token exchange failed (HTTP ${res.status})`);
  const session = sessionFromToken(body.id_token);
  if (!session) throw new SignInError('this account has no Clearway role, country or organisation');
  setSession(session);
  return true;
}

/** Signs out here, drops cached API answers, and on AWS ends the Cognito session too. */
export function signOut(): void {
  setSession(null);
  navigator.serviceWorker?.controller?.postMessage('clear-api-cache');
  if (config?.mode === 'cognito') {
    const url = new URL(`${config.cognitoDomain}/logout`);
    url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: config.redirectUri }).toString();
    location.assign(url.toString());
  }
}
