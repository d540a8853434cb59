/**
 * The web console on the local server: its built files (web/dist) at `/`, `GET /config.json`
 * (`{ mode: 'local' }`: sign in through this server) and `POST /local/token`, which signs a
 * token with the DATA_DIR key for the claims the sign-in page picked. That endpoint exists only
 * here, in infra/local: no function app has it, so it cannot exist on AWS, where the console
 * signs in with Cognito. The page itself carries the same configuration (`<meta
 * name="clearway-config">` in place of index.html's `<!--config-->`), so the console starts
 * without waiting for `/config.json`.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Context, Hono } from 'hono';
import * as z from 'zod/mini';
import { Principal } from '../../shared/domain/roles.ts';
import { BadRequest, type HttpProblem, PROBLEM_CONTENT_TYPE, UnsupportedMediaType } from '../../shared/http/problem.ts';
import { signLocalToken } from './keys.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** index.html, sw.js and the manifest are revalidated on every load; hashed assets never change. */
function cacheControl(path: string): string {
  if (path.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  if (path === '/border.json' || path === '/icon.svg') return 'public, max-age=3600';
  return 'no-cache';
}

/**
 * What the console may load: its own files and this API; nothing from elsewhere. Scripts: its
 * own files, and the page's inline scripts by their SHA-256 (the boot script, web/build.ts), never
 * any other inline script.
 */
function contentSecurityPolicy(html: string): string {
  const hashes = inlineScriptHashes(html)
    .map((h) => ` '${h}'`)
    .join('');
  return (
    `default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'${hashes}; connect-src 'self'; worker-src 'self'; manifest-src ` +
    `'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'`
  );
}

/** `sha256-…` of each inline `<script>` (no `src`) of a page, as CSP hashes them (the text between the tags). */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) => `sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}`,
  );
}

const problem = (c: Context, p: HttpProblem) => c.body(JSON.stringify(p.toBody()), p.status as 400, { 'Content-Type': PROBLEM_CONTENT_TYPE });

const TokenRequest = z.object({
  role: z.string(),
  country: z.optional(z.string()),
  org: z.string(),
  team: z.optional(z.string()),
  sub: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
});

/** `POST /local/token` `{ role, country?, org, team?, sub? }` → `{ token }` (12 h), claims checked like the API checks tokens. */
export function mountLocalToken(root: Hono, privateKeyFile: string): void {
  root.post('/local/token', async (c) => {
    const contentType = c.req.header('Content-Type');
    if (!(contentType ?? '').toLowerCase().startsWith('application/json')) return problem(c, new UnsupportedMediaType('application/json', contentType));
    let raw: unknown;
    try {
      raw = await c.req.json();
    } catch {
      return problem(c, new BadRequest('The body is not valid JSON.'));
    }
    const shape = TokenRequest.safeParse(raw);
    if (!shape.success)
      return problem(
        c,
        new BadRequest(
          'The claims are invalid: see errors for each field.',
          shape.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
        ),
      );
    const input = shape.data;
    const claims = {
      sub: input.sub ?? `local-${input.role}-${(input.country ?? 'xx').toLowerCase()}-${input.org.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
      role: input.role,
      country: input.country || undefined,
      org: input.org.trim(),
      team: input.team?.trim() || undefined,
    };
    const principal = Principal.safeParse(claims);
    if (!principal.success)
      return problem(
        c,
        new BadRequest(
          'These claims do not make a valid user: see errors for each field.',
          principal.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
        ),
      );
    const token = await signLocalToken(privateKeyFile, principal.data);
    return c.json({ token }, 200, { 'Cache-Control': 'no-store' });
  });
}

/** What the console is told locally: sign in through this server. */
const LOCAL_CONFIG = { mode: 'local' } as const;
const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const CONFIG_META = `<meta name="clearway-config" content="${escapeAttribute(JSON.stringify(LOCAL_CONFIG))}">`;

/** Text types worth compressing (images other than SVG are compressed already). */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.map', '.webmanifest', '.svg', '.txt']);
/** Smaller bodies are sent as they are: gzip's header and the work cost more than they save. */
const MIN_COMPRESS_BYTES = 1024;

/** A copy of the bytes in an ArrayBuffer of their own (a Buffer may share a pooled one). */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
};

interface CachedFile {
  /** What the file was when read: a later build that rewrites it (index.html, sw.js) is read again. */
  mtimeMs: number;
  size: number;
  body: Uint8Array<ArrayBuffer>;
  /** gzip (level 6, what a CDN applies), made on the first request that accepts it. */
  gzip?: Uint8Array<ArrayBuffer>;
  etag: string;
  headers: Record<string, string>;
}

/**
 * The console's files and `/config.json`; registered after the API so API paths win. Files are
 * kept in memory once read, with their ETag and gzipped body made once: a hashed asset under
 * `/assets/` never changes, so it is served from memory without touching the disk; any other
 * file is checked with one `stat` and read again when a build has rewritten it. Responses are
 * gzipped when the browser accepts it, and answer `If-None-Match` with 304.
 */
export function mountConsole(root: Hono, webDir: string): void {
  const base = normalize(webDir);
  const cache = new Map<string, CachedFile>();
  root.get('/config.json', (c) => c.json(LOCAL_CONFIG, 200, { 'Cache-Control': 'no-cache' }));

  const load = async (path: string, file: string): Promise<CachedFile | undefined> => {
    const known = cache.get(path);
    if (known && path.startsWith('/assets/')) return known;
    let info;
    try {
      info = await stat(file);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known;
    const raw = await readFile(file);
    const body = path === '/index.html' ? Buffer.from(raw.toString('utf8').replace('<!--config-->', CONFIG_META)) : raw;
    const headers: Record<string, string> = {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': cacheControl(path),
      'X-Content-Type-Options': 'nosniff',
    };
    if (path === '/index.html') {
      headers['Content-Security-Policy'] = contentSecurityPolicy(body.toString('utf8'));
      headers['Referrer-Policy'] = 'no-referrer';
    }
    if (path === '/sw.js') headers['Service-Worker-Allowed'] = '/';
    if (COMPRESSIBLE.has(extname(file))) headers['Vary'] = 'Accept-Encoding';
    const entry: CachedFile = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      body: own(body),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      headers,
    };
    cache.set(path, entry);
    return entry;
  };

  const serveFile = async (c: Context, next: () => Promise<void>) => {
    const pathname = decodeURIComponent(new URL(c.req.url).pathname);
    const path = pathname === '/' ? '/index.html' : pathname;
    const file = normalize(join(base, path));
    if (!file.startsWith(base + sep)) return next();
    const entry = await load(path, file);
    if (!entry) return next();
    const headers: Record<string, string> = { ...entry.headers, ETag: entry.etag };
    if ((c.req.header('If-None-Match') ?? '').split(',').some((t) => t.trim() === entry.etag)) return c.body(null, 304, headers);
    let body = entry.body;
    if (entry.headers['Vary'] && body.length >= MIN_COMPRESS_BYTES && /\bgzip\b/.test(c.req.header('Accept-Encoding') ?? '')) {
      entry.gzip ??= own(gzipSync(body, { level: 6 }));
      body = entry.gzip;
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = String(body.length);
    return c.req.method === 'HEAD' ? c.body(null, 200, headers) : c.body(body, 200, headers);
  };
  root.on(['GET', 'HEAD'], '*', serveFile);
}
