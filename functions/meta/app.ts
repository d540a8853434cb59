import * as z from 'zod/mini';
import { Api } from '#shared/http/api.ts';
import { renderDocs } from '#shared/http/docs.ts';
import { buildOpenApi } from '#shared/http/openapi.ts';

const api = new Api();

api.route(
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Liveness check',
    tag: 'Platform',
    access: 'public',
    responses: { 200: { description: 'The service answers', schema: z.object({ status: z.literal('ok') }) } },
  },
  (c) => c.json({ status: 'ok' as const }),
);

api.route(
  { method: 'get', path: '/openapi.json', operationId: 'openapi', summary: 'This API as an OpenAPI 3.1 document', tag: 'Platform', access: 'public', responses: { 200: { description: 'OpenAPI 3.1' } } },
  async (c) => c.json(await openApi()),
);

api.route(
  { method: 'get', path: '/docs', operationId: 'docs', summary: 'API reference (HTML, works offline)', tag: 'Platform', access: 'public', responses: { 200: { description: 'HTML page', contentType: 'text/html' } } },
  async (c) => c.html(renderDocs((await openApi()) as Parameters<typeof renderDocs>[0])),
);

let document: Promise<Record<string, unknown>> | undefined;
/**
 * Built on first request, then reused. The other apps are imported only then: /health stays
 * as light as this module, and the cold start of `meta` does not pay for their schemas.
 */
const openApi = () =>
  (document ??= (async () => {
    const apps = await Promise.all([import('../tasks/app.ts'), import('../cleared-areas/app.ts')]);
    return buildOpenApi([...api.routes, ...apps.flatMap((a) => a.routes)]);
  })());

export const app = api.app;
export const routes = api.routes;
