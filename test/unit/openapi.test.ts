import { describe, expect, it } from 'vitest';
import { routes as metaRoutes } from '../../functions/meta/app.ts';
import { routes as tasksRoutes } from '../../functions/tasks/app.ts';
import { buildOpenApi } from '../../shared/http/openapi.ts';

type Op = { parameters: { name: string; in: string; required: boolean }[]; requestBody?: { content: Record<string, { schema: { required?: string[]; properties: Record<string, unknown> } }> }; responses: Record<string, unknown>; security?: unknown[]; 'x-roles'?: string[] };

describe('OpenAPI document', () => {
  const doc = buildOpenApi([...metaRoutes, ...tasksRoutes]) as { openapi: string; paths: Record<string, Record<string, Op>> };

  it('is OpenAPI 3.1 and lists every declared operation once', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths).flatMap(([p, m]) => Object.keys(m).map((method) => `${method} ${p}`));
    expect(ops.sort()).toEqual([...metaRoutes, ...tasksRoutes].map((r) => `${r.method} ${r.path}`).sort());
  });

  it('documents request bodies from the same zod schemas that validate them', () => {
    const create = doc.paths['/v1/teams']!.post!;
    const schema = create.requestBody!.content['application/json']!.schema;
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'organisation', 'country', 'capabilities']));
    expect(schema.properties.capabilities).toMatchObject({ items: { enum: ['MANUAL', 'MECHANICAL', 'MDD', 'EOD', 'NTS', 'TS'] } });
    expect(create.parameters.map((p) => p.name)).toContain('Idempotency-Key');
    expect(create['x-roles']).toEqual(['operations', 'admin']);
  });

  it('documents path, query and If-Match parameters, and marks public operations', () => {
    const patch = doc.paths['/v1/teams/{id}']!.patch!;
    expect(patch.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path', required: true }), expect.objectContaining({ name: 'If-Match', in: 'header', required: true })]));
    const list = doc.paths['/v1/teams']!.get!;
    expect(list.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['query:limit', 'query:cursor', 'query:country']));
    expect(doc.paths['/health']!.get!.security).toEqual([]);
  });
});
