import * as z from 'zod/mini';
import { ROLES } from '../domain/roles.ts';
import type { ResponseSpec, RouteSpec } from './api.ts';
import { MAX_BODY_BYTES, problem } from './api.ts';

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
};

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};

function parameters(spec: RouteSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const s = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: prop });
    }
  }
  if (spec.ifMatch) out.push({ name: 'If-Match', in: 'header', required: true, description: 'ETag of the version the change is based on, e.g. "3".', schema: { type: 'string' } });
  if (spec.idempotent) {
    out.push({ name: 'Idempotency-Key', in: 'header', required: false, description: 'Makes a retry of this create return the first response instead of creating again (kept 24 h).', schema: { type: 'string', pattern: '^[A-Za-z0-9_.:\\-]{1,128}$' } });
  }
  return out;
}

const shared = (description: string): ResponseSpec => ({ description, contentType: 'application/problem+json' });

/**
 * The error answers the platform itself gives (`Api.route`, API Gateway), derived from what the
 * route declares so that no route lists them by hand: authentication → 401, a role list narrower
 * than every role → 403, parameters, a body, `If-Match` or `Idempotency-Key` → 400, a body → 413
 * and 415, `If-Match` → 412 and 428, every operation → 429 (stage throttling, per-user limits) and 5XX.
 */
export function platformResponses(spec: RouteSpec): Record<string, ResponseSpec> {
  const out: Record<string, ResponseSpec> = {};
  if (spec.params || spec.query || spec.body || spec.ifMatch || spec.idempotent) out['400'] = shared('Malformed or invalid input; `errors` names each field');
  if (spec.access !== 'public') {
    out['401'] = shared('No bearer token, or one that is invalid, expired or lacks required claims');
    if (ROLES.some((r) => !spec.access.includes(r))) out['403'] = shared(`The caller's role may not do this (allowed: ${spec.access.join(', ')}), or the resource is outside its scope`);
  }
  if (spec.body) {
    out['413'] = shared(`The body is larger than ${MAX_BODY_BYTES} bytes`);
    out['415'] = shared(`The body is not sent as ${spec.method === 'patch' ? 'application/json or application/merge-patch+json' : 'application/json'}`);
  }
  if (spec.ifMatch) {
    out['412'] = shared('`If-Match` names a version that is no longer current; nothing was changed');
    out['428'] = shared('`If-Match` is missing');
  }
  out['429'] = shared('Too many requests (API Gateway throttling or the per-user limit); retry after `Retry-After` seconds');
  out['5XX'] = shared('Internal error (500) or a dependency unavailable (503); quote the `X-Request-Id` when reporting it');
  return out;
}

/**
 * A route's own responses over the platform's: an entry declared with the bare {@link problem}
 * takes the platform's description, one with its own description keeps it.
 */
function responsesOf(spec: RouteSpec): [string, ResponseSpec][] {
  const merged: Record<string, ResponseSpec> = platformResponses(spec);
  for (const [status, r] of Object.entries(spec.responses)) {
    if (!(r === problem && merged[status])) merged[status] = r;
  }
  return Object.entries(merged).sort(([a], [b]) => a.localeCompare(b));
}

/** The OpenAPI 3.1 document of the given operations, generated from the same zod schemas that validate them. */
export function buildOpenApi(routes: readonly RouteSpec[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const responses = Object.fromEntries(
      responsesOf(spec).map(([status, r]) => {
        const type = r.contentType ?? 'application/json';
        const schema = r.schema ? jsonSchema(typeof r.schema === 'function' ? r.schema() : r.schema, 'output') : type === 'application/problem+json' ? { $ref: '#/components/schemas/Problem' } : undefined;
        const headers = status === '429' ? { headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } } } : {};
        return [status, { description: r.description, ...headers, ...(schema ? { content: { [type]: { schema } } } : {}) }];
      }),
    );
    const operation: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      parameters: parameters(spec),
      responses,
      ...(spec.access === 'public' ? { security: [] } : { 'x-roles': spec.access }),
    };
    if (spec.body) {
      operation.requestBody = {
        required: true,
        description: `At most ${MAX_BODY_BYTES} bytes.`,
        content: { [spec.method === 'patch' ? 'application/merge-patch+json' : 'application/json']: { schema: jsonSchema(spec.body, 'input') } },
      };
    }
    (paths[spec.path] ??= {})[spec.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Clearway API',
      version: '1.0.0',
      description: 'Joint humanitarian de-mining tasks, cleared-area records and returnee registrations on the Cambodia–Thailand border.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: problemSchema },
    },
  };
}
