// hono/quick routes with LinearRouter instead of RegExpRouter: smaller, and nothing to compile on
// the first request; a function has a few dozen routes, where a linear scan costs microseconds.
import { Hono } from 'hono/quick';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { config } from '../config.ts';
import { newId } from '../domain/ids.ts';
import type * as z from 'zod/mini';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Principal, Role } from '../domain/roles.ts';
import { authenticate, authorize } from './auth.ts';
import { etagOf, expectedVersion } from './etag.ts';
import type * as Idempotency from './idempotency.ts';
import type { IdempotencyContext, IdempotencyOutcome } from './idempotency.ts';
import { send, type AppEnv, type StoredResponse } from './context.ts';

export { send, type AppEnv, type StoredResponse };
import { logger, requestLogger } from '../logger.ts';
import { localRateLimiter } from './rate-limiter.ts';
import { userRateLimitOf } from './user-rate-limits.ts';
import {
  BadRequest,
  HttpProblem,
  NotFound,
  problemOf,
  PayloadTooLarge,
  PROBLEM_CONTENT_TYPE,
  ServiceUnavailable,
  UnsupportedMediaType,
  type FieldError,
} from './problem.ts';

/** Network errors on the way to the database: it is down or restarting, not a bug of the request. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** DynamoDB refusing for load, after the SDK's own retries. */
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

const codeOf = (e: unknown): string | undefined => {
  const own = (e as { code?: unknown } | null)?.code;
  if (typeof own === 'string') return own;
  const cause = (e as { cause?: unknown } | null)?.cause;
  return cause && cause !== e ? codeOf(cause) : undefined;
};

/** Whether an error means the store could not be reached or is shedding load: a 503 with Retry-After, not a 500. */
export const storeUnavailable = (e: unknown): boolean => (e instanceof Error && THROTTLED.has(e.name)) || UNREACHABLE_CODES.has(codeOf(e) ?? '');

/** Largest request body accepted (413 beyond). */
export const MAX_BODY_BYTES = 1024 * 1024;

type Schema = z.ZodMiniType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

/** The response entry for an error status: problem details. */
export const problem: ResponseSpec = { description: 'Problem details (RFC 9457)', contentType: 'application/problem+json' };

export interface ResponseSpec {
  description: string;
  /** The body's schema, or a function that builds it (for schemas only the docs need). */
  schema?: Schema | (() => Schema);
  /** Media type of the body; JSON unless stated. */
  contentType?: string;
  /** Other media types the same answer comes in (`application/geo+json`), with their schemas. CSV of `?format=csv` routes is documented without this. */
  alternatives?: Record<string, Schema | (() => Schema) | undefined>;
}

/** Everything the platform needs to know about one operation: used to route, validate, authorise and document it. */
export interface RouteSpec<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI-style path, e.g. `/v1/teams/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** `public` for the few unauthenticated routes; otherwise the roles that may call it. */
  access: 'public' | readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** The change needs `If-Match` (428 without, 412 when stale). */
  ifMatch?: boolean;
  /**
   * The answer is reference data without personal or national-security content (the gazetteer):
   * the handler's own `Cache-Control` (e.g. `private, max-age=…` with an ETag) is kept instead of `no-store`.
   */
  cacheable?: boolean;
  /** The create accepts `Idempotency-Key`; it then needs {@link reread}. */
  idempotent?: boolean;
  /**
   * How a replayed create (same `Idempotency-Key` and body) answers: the resource it created,
   * read afresh by id with the caller's scope of now, exactly as its own GET reads it (a 404 when
   * the caller may no longer see it; a read that is audited is audited). The record of the create
   * keeps only the status, the id and the headers, never the body.
   */
  reread?: (c: Context<AppEnv>, input: Input<P, Q, B>, id: string) => Promise<Reread>;
  responses: Record<number, ResponseSpec>;
  /** An example request body for the documentation. */
  example?: unknown;
}

/** A resource read again for a replayed create: its body and version (for the ETag). */
export interface Reread {
  body: unknown;
  version?: number;
}

export interface Input<P, Q, B> {
  principal: Principal;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  /** Version named by `If-Match`, for routes declared with `ifMatch`. */
  expectedVersion: number;
  /** Present when the client sent an `Idempotency-Key` that has not been used yet. */
  idempotency: IdempotencyContext | undefined;
  log: Logger;
}

const toHonoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

const fieldErrors = (where: string, issues: readonly z.core.$ZodIssue[]): FieldError[] =>
  issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));

function parsePart<S extends Schema>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new BadRequest(`The request ${where} is invalid: see errors for each field.`, fieldErrors(where, result.error.issues));
  return result.data;
}

/** The smallest magnitude, other than 0, that a stored number can have (DynamoDB's). */
const MIN_NUMBER_MAGNITUDE = 1e-130;

/**
 * Numbers the system cannot store, wherever they are in a body: beyond ±MAX_SAFE_INTEGER (which
 * the DynamoDB client refuses to convert) or closer to 0 than 1e-130 (which the table refuses).
 * Checked once here, so that no field, now or later, turns such a number into a 500.
 */
function unstorableNumbers(root: unknown): FieldError[] {
  type Node = { value: unknown; key: string; parent: Node | undefined };
  const pathOf = (n: Node): string => {
    const keys: string[] = [];
    for (let at: Node | undefined = n; at; at = at.parent) keys.push(at.key);
    return keys.reverse().join('.');
  };
  const out: FieldError[] = [];
  const stack: Node[] = [{ value: root, key: 'body', parent: undefined }];
  while (stack.length > 0 && out.length < 20) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === 'number') {
      const magnitude = Math.abs(value);
      if (magnitude > Number.MAX_SAFE_INTEGER || (magnitude !== 0 && magnitude < MIN_NUMBER_MAGNITUDE)) {
        out.push({ path: pathOf(node), message: `must be 0 or between ${MIN_NUMBER_MAGNITUDE} and ${Number.MAX_SAFE_INTEGER} in magnitude` });
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) stack.push({ value: child, key, parent: node });
    }
  }
  return out;
}

async function readJsonBody(c: Context<AppEnv>, ...accepted: string[]): Promise<unknown> {
  const type = c.req.header('content-type');
  const mediaType = type?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType || !accepted.includes(mediaType)) throw new UnsupportedMediaType(accepted.join(' or '), mediaType);
  const text = await c.req.text();
  if (text.trim() === '') throw new BadRequest('The request body is empty; send a JSON object.', [{ path: 'body', message: 'required' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequest('The request body is not valid JSON.', [{ path: 'body', message: 'malformed JSON' }]);
  }
  const numbers = unstorableNumbers(parsed);
  if (numbers.length) throw new BadRequest('The request body holds numbers out of range: see errors for each field.', numbers);
  return parsed;
}

/** Sends a response built by a route or by a replay (status and headers kept, body read afresh) the same way. */
export function problemResponse(c: Context<AppEnv>, problem: HttpProblem): Response {
  const body = problem.toBody();
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, 'X-Request-Id': c.get('requestId') ?? '', ...problem.headers },
  });
}

/** Can this path be percent-decoded (no `%` without two hex digits, no invalid UTF-8)? */
export function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

function requestIdOf(c: Context<AppEnv>): string {
  const given = c.req.header('x-request-id');
  if (given && REQUEST_ID.test(given)) return given;
  const fromGateway = (c.env as { event?: { requestContext?: { requestId?: string } } } | undefined)?.event?.requestContext?.requestId;
  return fromGateway && REQUEST_ID.test(fromGateway) ? fromGateway : newId();
}

/**
 * A Hono app with the conventions every Clearway API shares: request ids in a header and
 * in every log line, a 1 MiB body limit, problem+json for every error, and operations
 * declared with {@link Api.route} so that the same declaration validates, authorises and
 * documents them.
 */
export interface ApiOptions {
  /**
   * The idempotency store (`shared/http/idempotency.ts`), for apps with idempotent creates. It is
   * passed in rather than imported here so that apps without creates (`meta`) do not bundle the
   * DynamoDB client it needs.
   */
  idempotency?: typeof Idempotency;
}

export class Api {
  readonly app = new Hono<AppEnv>();
  readonly routes: RouteSpec[] = [];
  private readonly idempotency: typeof Idempotency | undefined;

  constructor(options: ApiOptions = {}) {
    this.idempotency = options.idempotency;
    this.app.use('*', async (c, next) => {
      const requestId = requestIdOf(c);
      const log = requestLogger(requestId);
      c.set('requestId', requestId);
      c.set('log', log);
      const started = performance.now();
      await next();
      c.res.headers.set('X-Request-Id', requestId);
      // Answers are JSON, never to be sniffed into something a browser would run.
      c.res.headers.set('X-Content-Type-Options', 'nosniff');
      // Authenticated answers carry personal or national data: no browser or proxy cache may keep them.
      const keep = c.get('cacheable') && c.res.status < 400 && c.res.headers.has('Cache-Control');
      if (!keep && (c.get('authenticated') || !c.res.headers.has('Cache-Control'))) c.res.headers.set('Cache-Control', 'no-store');
      // The route pattern, never the raw URL: query strings may carry lookup values.
      log.info('request', { method: c.req.method, route: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - started) });
    });
    this.app.use('*', async (c, next) => {
      // Hono leaves a path it cannot decode as it is; answer it as the malformed request it is.
      if (!decodable(new URL(c.req.url).pathname))
        throw new BadRequest('The request path is not valid percent-encoded UTF-8.', [{ path: 'path', message: 'malformed percent-encoding' }]);
      await next();
    });
    if (config.CORS_ALLOWED_ORIGIN) {
      // API Gateway answers preflights; the functions' own answers must carry the headers too.
      this.app.use(
        '*',
        cors({
          origin: config.CORS_ALLOWED_ORIGIN,
          allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'X-Request-Id'],
          exposeHeaders: ['ETag', 'Location', 'X-Request-Id', 'Idempotent-Replayed', 'Link', 'Retry-After'],
          maxAge: 600,
        }),
      );
    }
    this.app.use(
      '*',
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: () => {
          throw new PayloadTooLarge(MAX_BODY_BYTES);
        },
      }),
    );
    this.app.onError((err, c) => {
      const known = problemOf(err);
      if (known) return problemResponse(c, known);
      const log = c.get('log') ?? logger;
      if (storeUnavailable(err)) {
        log.warn('the database did not answer', { error: err instanceof Error ? { name: err.name, code: codeOf(err) } : 'unknown' });
        return problemResponse(
          c,
          new ServiceUnavailable(
            `The database is not answering at the moment: try again in a few seconds (a create sent again with its Idempotency-Key is not made twice). ` +
              `Request id ${c.get('requestId')}.`,
            5,
          ),
        );
      }
      log.error('unhandled error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
      return problemResponse(
        c,
        new HttpProblem(500, 'internal', 'Internal error', `Something went wrong on our side; quote request id ${c.get('requestId')} when reporting it.`),
      );
    });
    this.app.notFound((c) => problemResponse(c, new NotFound(`No operation ${c.req.method} ${new URL(c.req.url).pathname}; GET /openapi.json lists them.`)));
  }

  route<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined>(
    spec: RouteSpec<P, Q, B>,
    handler: (c: Context<AppEnv>, input: Input<P, Q, B>) => Response | Promise<Response>,
  ): this {
    if (spec.idempotent && !this.idempotency) throw new Error(`${spec.operationId} accepts Idempotency-Key: create its Api with { idempotency }`);
    if (spec.idempotent && !spec.reread) throw new Error(`${spec.operationId} accepts Idempotency-Key: give it a reread, which answers a replay`);
    const reread = spec.reread;
    const idempotency = this.idempotency;
    const rateLimit = userRateLimitOf(spec.method, spec.path);
    // A per-user limit (WAF on AWS, the local limiter here) answers 429, as every route may (platformResponses).
    this.routes.push(spec as RouteSpec);
    this.app.on(spec.method.toUpperCase(), toHonoPath(spec.path), async (c) => {
      const access = spec.access;
      if (access !== 'public') c.set('authenticated', true);
      if (spec.cacheable) c.set('cacheable', true);
      const principal = access === 'public' ? (undefined as unknown as Principal) : await authenticate(c.req.header('authorization'));
      if (access !== 'public') authorize(principal, access);
      // Counted before the body is read: the limit is there to spare the work that follows.
      if (rateLimit && localRateLimiter) localRateLimiter.take(rateLimit, principal.sub);
      const params = (spec.params ? parsePart(spec.params, c.req.param(), 'path') : undefined) as Out<P>;
      const query = (spec.query ? parsePart(spec.query, c.req.query(), 'query') : undefined) as Out<Q>;
      let body = undefined as Out<B>;
      let rawBody: unknown;
      if (spec.body) {
        rawBody = await readJsonBody(c, 'application/json', ...(spec.method === 'patch' ? ['application/merge-patch+json'] : []));
        body = parsePart(spec.body, rawBody, 'body') as Out<B>;
      }
      const version = spec.ifMatch ? expectedVersion(c.req.header('if-match')) : 0;
      const input = { principal, params, query, body, expectedVersion: version, idempotency: undefined, log: c.get('log') } as Input<P, Q, B>;

      if (!idempotency || c.req.header('idempotency-key') === undefined) return handler(c, input);
      const { beginIdempotent, IdempotencyRaceLost, parseIdempotencyKey, requestHash } = idempotency;
      const key = parseIdempotencyKey(c.req.header('idempotency-key'))!;
      const hash = requestHash(`${spec.method} ${c.req.path}`, rawBody);
      const replayed = async (outcome: IdempotencyOutcome) => {
        const fresh = await reread!(c, input, outcome.id);
        const headers: Record<string, string> = { 'Idempotent-Replayed': 'true' };
        if (fresh.version !== undefined) headers.ETag = etagOf(fresh.version);
        if (outcome.headers.Location) headers.Location = outcome.headers.Location;
        return send(c, { status: outcome.status, body: fresh.body, headers });
      };
      const begun = await beginIdempotent(principal.sub, key, hash);
      if ('replay' in begun) return replayed(begun.replay);
      try {
        return await handler(c, { ...input, idempotency: begun.context });
      } catch (e: unknown) {
        if (!(e instanceof IdempotencyRaceLost)) throw e;
        // A concurrent request with the same key committed first: answer as it did.
        const again = await beginIdempotent(principal.sub, key, hash);
        if ('replay' in again) return replayed(again.replay);
        throw e;
      }
    });
    return this;
  }
}
