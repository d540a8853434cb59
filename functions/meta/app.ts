import { gunzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import { Api } from '#shared/http/api.ts';
import { renderDocs } from '#shared/http/docs.ts';
// Generated from every route's zod schemas by `npm run openapi`; test/unit/openapi.test.ts keeps it current.
import { OPENAPI_GZIP_BASE64 } from './openapi.packed.ts';
import asyncApiDocument from './asyncapi.json' with { type: 'json' };

const api = new Api();

api.route(
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Liveness check',
    description:
      'Under `npm start` the local server answers it in front of this route and also asks DynamoDB Local: 503 problem+json (with Retry-After) while the ' +
      'database does not answer.',
    tag: 'Platform',
    access: 'public',
    responses: { 200: { description: 'The service answers', schema: z.object({ status: z.literal('ok') }) } },
  },
  (c) => c.json({ status: 'ok' as const }),
);

api.route(
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This API as an OpenAPI 3.1 document',
    tag: 'Platform',
    access: 'public',
    responses: { 200: { description: 'OpenAPI 3.1' } },
  },
  (c) => c.body(openApiJson(), 200, { 'content-type': 'application/json' }),
);

api.route(
  {
    method: 'get',
    path: '/asyncapi.json',
    operationId: 'asyncapi',
    summary: 'The event catalogue as an AsyncAPI 3 document',
    tag: 'Platform',
    access: 'public',
    responses: { 200: { description: 'AsyncAPI 3.0' } },
  },
  (c) => c.json(asyncApiDocument),
);

api.route(
  {
    method: 'get',
    path: '/docs',
    operationId: 'docs',
    summary: 'API reference (HTML, works offline)',
    tag: 'Platform',
    access: 'public',
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
  },
  (c) => c.html(docsPageOnce()),
);

/** The document and the reference page, unpacked and rendered once, on first request. */
let json: string | undefined;
let rendered: string | undefined;
const openApiJson = () => (json ??= gunzipSync(Buffer.from(OPENAPI_GZIP_BASE64, 'base64')).toString('utf8'));
const docsPageOnce = () => (rendered ??= renderDocs(JSON.parse(openApiJson()) as Parameters<typeof renderDocs>[0]));

export const app = api.app;
export const routes = api.routes;
