import * as z from 'zod/mini';
import type { RouteSpec } from './api.ts';
import { MAX_BODY_BYTES } from './api.ts';

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

/** The OpenAPI 3.1 document of the given operations, generated from the same zod schemas that validate them. */
export function buildOpenApi(routes: readonly RouteSpec[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const responses = Object.fromEntries(
      Object.entries(spec.responses).map(([status, r]) => {
        const type = r.contentType ?? 'application/json';
        const schema = r.schema ? jsonSchema(typeof r.schema === 'function' ? r.schema() : r.schema, 'output') : type === 'application/problem+json' ? { $ref: '#/components/schemas/Problem' } : undefined;
        return [status, { description: r.description, ...(schema ? { content: { [type]: { schema } } } : {}) }];
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
