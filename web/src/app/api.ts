/**
 * The API client: bearer token from the session, JSON bodies, `If-Match` / `ETag` versions,
 * `Idempotency-Key`, and RFC 9457 problems turned into `ApiError`. A network failure (no
 * signal) is an `ApiError` with status 0, so callers can tell it apart from a refusal.
 */
import { firstPage, takeEarlyRead } from './early.ts';
import type { Problem } from './queue.ts';
import { currentSession, setSession } from './session.ts';

export type { Problem } from './queue.ts';

export class ApiError extends Error {
  status: number;
  problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
}

/** Status of an `ApiError` that never reached the server. */
export const NETWORK_ERROR = 0;

export const isNetworkError = (e: unknown): boolean => e instanceof ApiError && e.status === NETWORK_ERROR;

let apiBase = '';
/** Where the API is: '' (same origin) locally; the API Gateway URL on AWS (from /config.json). */
export function setApiBase(url: string): void {
  apiBase = url.replace(/\/+$/, '');
}
export const apiUrl = (path: string): string => `${apiBase}${path}`;

/** `"3"` or `W/"3"` → 3. */
export function parseEtag(value: string | null): number | undefined {
  if (!value) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(value.trim());
  return m ? Number(m[1]) : undefined;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  ifMatch?: number;
  idempotencyKey?: string;
  accept?: string;
  /** Return the body as text instead of parsing JSON. */
  text?: boolean;
  signal?: AbortSignal;
  /**
   * Only the server's answer will do: the service worker's offline copy of a read (marked
   * `X-Clearway-Offline: cached`) counts as no signal. For reads right after the queue sent a
   * change, when a stale copy would show the change as never made.
   */
  fresh?: boolean;
}

async function problemOf(res: Response): Promise<Problem> {
  const fallback: Problem = { type: 'about:blank', title: res.statusText || `HTTP ${res.status}`, status: res.status };
  try {
    const body = (await res.json()) as Partial<Problem>;
    if (body && typeof body === 'object' && typeof body.title === 'string') return { ...fallback, ...body, status: res.status };
  } catch {
    // not JSON: keep the status line
  }
  return fallback;
}

export async function request<T>(
  method: Method,
  path: string,
  opts: RequestOptions = {},
): Promise<{ status: number; body: T; etag?: number; headers: Headers }> {
  const headers = new Headers();
  headers.set('Accept', opts.accept ?? 'application/json');
  const session = currentSession();
  if (session) headers.set('Authorization', `Bearer ${session.token}`);
  if (opts.body !== undefined) headers.set('Content-Type', 'application/json');
  if (opts.ifMatch !== undefined) headers.set('If-Match', `"${opts.ifMatch}"`);
  if (opts.idempotencyKey) headers.set('Idempotency-Key', opts.idempotencyKey);
  let res: Response;
  // A read the boot script started already, with the same URL, token and headers.
  const early = method === 'GET' && session && opts.accept === undefined && !opts.text && !opts.signal ? takeEarlyRead(apiUrl(path), session.token) : undefined;
  try {
    res = await (early ??
      fetch(apiUrl(path), {
        method,
        headers,
        body: opts.body === undefined ? null : JSON.stringify(opts.body),
        signal: opts.signal ?? null,
        cache: 'no-store',
      }));
  } catch (e: unknown) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError({ type: 'about:blank#network', title: 'Network error', status: NETWORK_ERROR, detail: e instanceof Error ? e.message : String(e) });
  }
  if (opts.fresh && res.headers.get('X-Clearway-Offline') === 'cached') {
    throw new ApiError({ type: 'about:blank#network', title: 'Network error', status: NETWORK_ERROR, detail: 'only an offline copy is available' });
  }
  if (!res.ok) {
    const problem = await problemOf(res);
    // An expired or revoked token: back to the sign-in page (queued changes stay on the device).
    if (res.status === 401 && session) setSession(null);
    throw new ApiError(problem);
  }
  const etag = parseEtag(res.headers.get('ETag'));
  let body: unknown;
  if (res.status === 204) body = undefined;
  else if (opts.text) body = await res.text();
  else {
    const text = await res.text();
    body = text.length > 0 ? JSON.parse(text) : undefined;
  }
  return etag === undefined
    ? { status: res.status, body: body as T, headers: res.headers }
    : { status: res.status, body: body as T, etag, headers: res.headers };
}

/** Every page of a list (`{ items, next }`), up to `max` items. */
export async function listAll<T>(path: string, max = 500, opts: { fresh?: boolean } = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = cursor ? `${path}${sep}limit=100&cursor=${encodeURIComponent(cursor)}` : firstPage(path);
    const page: { body: { items: T[]; next: string | null } } = await request<{ items: T[]; next: string | null }>(
      'GET',
      url,
      opts.fresh ? { fresh: true } : {},
    );
    items.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor && items.length < max);
  return items;
}
