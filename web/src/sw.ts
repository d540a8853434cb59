/**
 * The console's service worker. The app shell (HTML, scripts, styles, border outlines) is
 * precached, so the console opens without signal; a new build (new `__SHELL_VERSION__`)
 * replaces the old cache. API reads (`GET /v1/*`) go to the network first; the last answer of
 * de-mining reads (tasks, hazard areas, teams, cleared areas) is kept as a fallback so a deminer
 * sees their task board offline. Household answers (personal data) and everything sent with
 * another method are never cached.
 */
declare const __SHELL_VERSION__: string;
declare const __SHELL_FILES__: string[];

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (e: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (e: FetchEvent) => void): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}
const sw = self as unknown as WorkerScope;

const SHELL_CACHE = `clearway-shell-${__SHELL_VERSION__}`;
const API_CACHE = 'clearway-api-v1';

/** API reads whose last answer may be shown offline: not personal data. */
const CACHEABLE_API = /^\/v1\/(tasks|hazard-areas|teams|cleared-areas|stats\/land-release|stats\/monthly)(\/|$|\?)/;
/** Never stored, whatever else says: households, assistance (distribution lists), imports and accidents (victims' names) hold personal data; notifications and subscriptions are live. */
const NEVER_CACHE = /^\/v1\/(households|household-imports|assistance|stats\/displacement|stats\/assistance|subscriptions|notifications|accidents)/;

sw.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(__SHELL_FILES__))
      .then(() => sw.skipWaiting()),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('clearway-shell-') && k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => sw.clients.claim()),
  );
});

sw.addEventListener('message', (event) => {
  // Sign-out: drop the cached API answers so the next user of the device does not see them.
  if (event.data === 'clear-api-cache') void caches.delete(API_CACHE);
});

/** The cache key of an API read: its URL plus the caller (a hash of the token's subject is enough to keep users apart). */
function apiCacheKey(request: Request): string {
  const auth = request.headers.get('Authorization') ?? '';
  let sub = 'anonymous';
  try {
    const payload = JSON.parse(atob((auth.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string };
    sub = payload.sub ?? sub;
  } catch {
    // not a JWT: keyed as anonymous
  }
  const url = new URL(request.url);
  url.searchParams.set('__user', sub);
  // The same URL read as GeoJSON (a hazard area's features) is another answer than its JSON.
  const accept = request.headers.get('Accept');
  if (accept && accept !== 'application/json') url.searchParams.set('__accept', accept);
  return url.toString();
}

async function networkFirst(request: Request): Promise<Response> {
  const key = apiCacheKey(request);
  try {
    const response = await fetch(request);
    if (response.ok) {
      const cache = await caches.open(API_CACHE);
      await cache.put(key, response.clone());
    }
    return response;
  } catch (e: unknown) {
    const cached = await caches.match(key);
    if (cached) {
      const headers = new Headers(cached.headers);
      headers.set('X-Clearway-Offline', 'cached');
      return new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers });
    }
    throw e;
  }
}

async function shellFirst(request: Request): Promise<Response> {
  const cache = await caches.open(SHELL_CACHE);
  const url = new URL(request.url);
  // Navigations (any path: routes are in the hash) get the shell's index page.
  const cached = request.mode === 'navigate' ? await cache.match('/') : await cache.match(url.pathname);
  if (cached) return cached;
  return fetch(request);
}

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET') return;
  if (url.origin === sw.location.origin && url.pathname.startsWith('/v1/')) {
    if (NEVER_CACHE.test(url.pathname) || !CACHEABLE_API.test(url.pathname)) return;
    event.respondWith(networkFirst(request));
    return;
  }
  // Cross-origin API (AWS: API Gateway on its own domain): the same rules by path.
  if (url.origin !== sw.location.origin) {
    if (url.pathname.startsWith('/v1/') && CACHEABLE_API.test(url.pathname) && !NEVER_CACHE.test(url.pathname)) event.respondWith(networkFirst(request));
    return;
  }
  if (url.pathname === '/config.json') {
    // Network first, cached copy offline: the console must know where to sign in.
    event.respondWith(
      fetch(request)
        .then(async (response) => {
          if (response.ok) await (await caches.open(SHELL_CACHE)).put('/config.json', response.clone());
          return response;
        })
        .catch(async (e: unknown) => (await caches.match('/config.json')) ?? Promise.reject(e)),
    );
    return;
  }
  if (request.mode === 'navigate' || __SHELL_FILES__.includes(url.pathname)) {
    event.respondWith(shellFirst(request));
  }
});
