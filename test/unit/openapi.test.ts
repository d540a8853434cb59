import { describe, expect, it } from 'vitest';
import openApiDocument from '../../functions/meta/openapi.json' with { type: 'json' };
import { app as metaApp } from '../../functions/meta/app.ts';
import { allRoutes } from '../../functions/routes.ts';
import { ROLES } from '../../shared/domain/roles.ts';
import { problem } from '../../shared/http/api.ts';
import { buildOpenApi, platformResponses } from '../../shared/http/openapi.ts';

type Op = {
  parameters: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, { schema: { required?: string[]; properties: Record<string, unknown> } }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
  security?: unknown[];
  'x-roles'?: string[];
};

describe('OpenAPI document', async () => {
  const routes = await allRoutes();
  const doc = buildOpenApi(routes) as { openapi: string; paths: Record<string, Record<string, Op>> };

  it('is what functions/meta/openapi.json serves (run `npm run openapi` after changing a route)', () => {
    expect(openApiDocument, 'functions/meta/openapi.json is stale: run npm run openapi').toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('is what GET /openapi.json answers, unpacked from the module the meta bundle carries', async () => {
    const res = await metaApp.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json(), 'functions/meta/openapi.packed.ts is stale: run npm run openapi').toEqual(openApiDocument);
  });

  it('is OpenAPI 3.1 and lists every declared operation once', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths).flatMap(([p, m]) => Object.keys(m).map((method) => `${method} ${p}`));
    expect(ops.sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('documents request bodies from the same zod schemas that validate them', () => {
    const create = doc.paths['/v1/teams']!.post!;
    const schema = create.requestBody!.content['application/json']!.schema;
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'organisation', 'country', 'capabilities']));
    expect(schema.properties.capabilities).toMatchObject({ items: { enum: ['MANUAL', 'MECHANICAL', 'MDD', 'EOD', 'NTS', 'TS'] } });
    expect(create.parameters.map((p) => p.name)).toContain('Idempotency-Key');
    expect(create['x-roles']).toEqual(['operations', 'admin']);
  });

  it('documents response bodies, also those built on first use', () => {
    const ref = doc.paths['/v1/tasks/{id}']!.get!.responses['200']!.content!['application/json']!.schema as { $ref: string };
    expect(ref).toEqual({ $ref: '#/components/schemas/Task' });
    const task = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas['Task']!;
    expect(Object.keys(task.properties)).toEqual(expect.arrayContaining(['id', 'version', 'status', 'teamIds', 'countries']));
  });

  it('documents path, query and If-Match parameters, and marks public operations', () => {
    const patch = doc.paths['/v1/teams/{id}']!.patch!;
    expect(patch.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
        expect.objectContaining({ name: 'If-Match', in: 'header', required: true }),
      ]),
    );
    const list = doc.paths['/v1/teams']!.get!;
    expect(list.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['query:limit', 'query:cursor', 'query:country']));
    expect(doc.paths['/health']!.get!.security).toEqual([]);
  });

  it('documents the platform’s error answers on every operation where they can occur, derived from the route’s declaration', () => {
    const problemJson = (op: Op, status: string) => op.responses[status]?.content?.['application/problem+json'];
    for (const spec of routes) {
      const op = doc.paths[spec.path]![spec.method]!;
      const expected = ['429', '5XX'];
      if (spec.access !== 'public') expected.push('401');
      if (spec.access !== 'public' && ROLES.some((r) => !spec.access.includes(r))) expected.push('403');
      if (spec.params || spec.query || spec.body || spec.ifMatch || spec.idempotent) expected.push('400');
      if (spec.body) expected.push('413', '415');
      if (spec.ifMatch) expected.push('412', '428');
      for (const status of expected)
        expect(problemJson(op, status), `${spec.operationId} documents ${status} as problem+json`).toEqual({
          schema: { $ref: '#/components/schemas/Problem' },
        });
      if (spec.access === 'public') expect(op.responses['401'], `${spec.operationId} is public: no 401`).toBeUndefined();
      expect(Object.keys((op.responses['429'] as { headers?: object }).headers ?? {})).toEqual(expect.arrayContaining(['Retry-After', 'X-Request-Id']));
    }
    // The shared answers are not listed by hand: a route declares only its own (404, 409, ...) or gives its own description.
    const byHand = routes.flatMap((spec) =>
      Object.entries(spec.responses)
        .filter(([status, r]) => r === problem && platformResponses(spec)[status])
        .map(([status]) => `${spec.operationId} ${status}`),
    );
    expect(byHand, 'drop these bare `problem` entries: the platform documents them from the route declaration').toEqual([]);
    // A route-specific description is kept.
    expect(doc.paths['/v1/teams']!.post!.responses['401']).toMatchObject({ description: expect.stringContaining('bearer token') });
    expect(doc.paths['/health']!.get!.responses['5XX']).toBeDefined();
  });
});

describe('OpenAPI examples', async () => {
  const routes = await allRoutes();
  it('the main creates carry an example, and every example is a body the route accepts', () => {
    const withExample = routes.filter((r) => r.example !== undefined);
    expect(withExample.map((r) => r.operationId)).toEqual(
      expect.arrayContaining(['createTeam', 'recordHazardArea', 'createTask', 'registerHousehold', 'createSubscription']),
    );
    for (const r of withExample) expect(r.body!.safeParse(r.example).error?.issues ?? [], r.operationId).toEqual([]);
  });
});
