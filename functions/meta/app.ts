import * as z from 'zod/mini';
import { Api } from '#shared/http/api.ts';
import { renderDocs } from '#shared/http/docs.ts';
import { buildOpenApi } from '#shared/http/openapi.ts';
import { routes as tasksRoutes } from '../tasks/app.ts';

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
  (c) => c.json(openApi()),
);

api.route(
  { method: 'get', path: '/docs', operationId: 'docs', summary: 'API reference (HTML, works offline)', tag: 'Platform', access: 'public', responses: { 200: { description: 'HTML page', contentType: 'text/html' } } },
  (c) => c.html(renderDocs(openApi() as Parameters<typeof renderDocs>[0])),
);

let document: Record<string, unknown> | undefined;
/** Built on first request, then reused: the routes cannot change while the process runs. */
const openApi = () => (document ??= buildOpenApi([...api.routes, ...tasksRoutes]));

export const app = api.app;
export const routes = api.routes;
