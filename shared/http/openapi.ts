import * as z from 'zod/mini';
import { ROLES } from '../domain/roles.ts';
import type { ResponseSpec, RouteSpec } from './api.ts';
import { MAX_BODY_BYTES, problem } from './api.ts';

type JsonSchema = Record<string, unknown>;

/** Named schemas met while building (the `id`s of `named` in shared/domain/common.ts), for `components.schemas`. */
type Components = Record<string, JsonSchema>;

/** Rewrites `#/$defs/X` references to `#/components/schemas/X` and, for answers, opens objects to new fields. */
function relocate(node: unknown, open: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => relocate(n, open));
  if (!node || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(node as JsonSchema)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/$defs/', '#/components/schemas/');
    else if (k === 'additionalProperties' && v === false && open) continue;
    else out[k] = relocate(v, open);
  }
  return out;
}

/**
 * JSON Schema of a zod schema. Named subschemas go to `components` and are referenced; answers
 * (`output`) are open to new fields, as DESIGN promises that fields may be added.
 */
function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output', components: Components): JsonSchema {
  const { $schema: _ignored, $defs, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  const open = io === 'output';
  for (const [name, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
    const relocated = relocate(def, open) as JsonSchema;
    // The same name from a request (closed) and an answer (open): the answer's shape is the resource's.
    if (!components[name] || open) components[name] = relocated;
  }
  return relocate(rest, open) as JsonSchema;
}

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

/** A query string value validated as digits and parsed to a number (`limit`): documented as the integer it is. */
const numericParameter = (input: JsonSchema, output: JsonSchema | undefined): JsonSchema =>
  input.type === 'string' &&
  typeof input.pattern === 'string' &&
  /^\^\\d\{[\d,]+\}\$$/.test(input.pattern) &&
  (output?.type === 'integer' || output?.type === 'number')
    ? output
    : input;

function parameters(spec: RouteSpec, components: Components): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (!schema) continue;
    const s = jsonSchema(schema, 'input', components) as { properties?: Record<string, JsonSchema>; required?: string[] };
    const parsed = (jsonSchema(schema, 'output', components) as { properties?: Record<string, JsonSchema> }).properties ?? {};
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: numericParameter(prop, parsed[name]) });
    }
  }
  if (spec.ifMatch)
    out.push({
      name: 'If-Match',
      in: 'header',
      required: true,
      description: 'ETag of the version the change is based on, e.g. "3".',
      schema: { type: 'string' },
    });
  if (spec.idempotent) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'Makes a retry of this create return the first response instead of creating again (kept 24 h).',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_.:\\-]{1,128}$' },
    });
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
    if (ROLES.some((r) => !spec.access.includes(r)))
      out['403'] = shared(`The caller's role may not do this (allowed: ${spec.access.join(', ')}), or the resource is outside its scope`);
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

const header = (description: string, schema: JsonSchema = { type: 'string' }) => ({ description, schema });

/** Response headers of an answer, from what the route declares and the answer's schema. */
function headersOf(spec: RouteSpec, status: string, schema: JsonSchema | undefined, components: Components): Record<string, unknown> {
  const headers: Record<string, unknown> = { 'X-Request-Id': header('The request id, also in the logs; quote it when reporting a problem') };
  if (status === '429' || status === '5XX') headers['Retry-After'] = header('Seconds to wait before retrying', { type: 'integer' });
  if (!status.startsWith('2')) return headers;
  const resolved = schema?.$ref ? components[String(schema.$ref).replace('#/components/schemas/', '')] : schema;
  const versioned = !!(resolved?.properties as Record<string, unknown> | undefined)?.version;
  if (versioned) headers['ETag'] = header('The version of the resource, e.g. "3": send it back as If-Match to change it');
  if (status === '201') headers['Location'] = header('Path of the created resource');
  if (
    status === '200' &&
    spec.query &&
    'cursor' in (jsonSchema(spec.query, 'input', components).properties as object) &&
    Object.keys(spec.responses[200]?.alternatives ?? {}).length
  ) {
    headers['Link'] = header('`<next page URL>; rel="next"` on the other representations (GeoJSON), which have no `next` member of their own to follow');
  }
  if (spec.idempotent)
    headers['Idempotent-Replayed'] = header('`true` when this answer replays an earlier request with the same Idempotency-Key', {
      type: 'string',
      enum: ['true'],
    });
  return headers;
}

/** The other representations an answer has: CSV where the route takes `?format=csv`, and what the route declares. */
function alternativesOf(spec: RouteSpec, r: ResponseSpec, status: string, components: Components): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (status === '200' && spec.query) {
    const format = (jsonSchema(spec.query, 'input', components).properties as Record<string, JsonSchema> | undefined)?.format;
    if (Array.isArray(format?.enum) && format.enum.includes('csv'))
      out['text/csv'] = { schema: { type: 'string', description: 'A header row, an HXL hashtag row, then the data rows (RFC 4180)' } };
  }
  for (const [type, alt] of Object.entries(r.alternatives ?? {})) {
    out[type] = alt ? { schema: jsonSchema(typeof alt === 'function' ? alt() : alt, 'output', components) } : {};
  }
  return out;
}

/** The OpenAPI 3.1 document of the given operations, generated from the same zod schemas that validate them. */
export function buildOpenApi(routes: readonly RouteSpec[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Components = { Problem: problemSchema };
  for (const spec of routes) {
    const responses = Object.fromEntries(
      responsesOf(spec).map(([status, r]) => {
        const type = r.contentType ?? 'application/json';
        const schema = r.schema
          ? jsonSchema(typeof r.schema === 'function' ? r.schema() : r.schema, 'output', components)
          : type === 'application/problem+json'
            ? { $ref: '#/components/schemas/Problem' }
            : undefined;
        const content = { ...(schema ? { [type]: { schema } } : {}), ...alternativesOf(spec, r, status, components) };
        return [
          status,
          { description: r.description, headers: headersOf(spec, status, schema, components), ...(Object.keys(content).length ? { content } : {}) },
        ];
      }),
    );
    const operation: Record<string, unknown> = {
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      parameters: parameters(spec, components),
      responses,
      ...(spec.access === 'public' ? { security: [] } : { 'x-roles': spec.access }),
    };
    if (spec.body) {
      const media = { schema: jsonSchema(spec.body, 'input', components), ...(spec.example === undefined ? {} : { example: spec.example }) };
      operation.requestBody = {
        required: true,
        description: `At most ${MAX_BODY_BYTES} bytes.`,
        content: { [spec.method === 'patch' ? 'application/merge-patch+json' : 'application/json']: media },
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
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
