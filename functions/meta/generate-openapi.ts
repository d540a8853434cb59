/**
 * `npm run openapi`: writes `functions/meta/openapi.json`, the OpenAPI 3.1 document built from
 * the zod schemas of every route, and `functions/meta/asyncapi.json`, the AsyncAPI 3 document of
 * the event catalogue. The `meta` function serves these files instead of importing every app
 * (which kept its bundle over 600 KB); a test fails when either is stale.
 */
import { writeFile } from 'node:fs/promises';

// The apps parse their configuration when loaded; none of it is used to build the document.
const placeholders: Record<string, string> = { TABLE_NAME: 'openapi', JWT_ISSUER: 'openapi', JWKS_FILE: '/dev/null', CURSOR_SECRET: 'x'.repeat(32) };
for (const [k, v] of Object.entries(placeholders)) process.env[k] ??= v;

const { allRoutes } = await import('../routes.ts');
const { buildOpenApi } = await import('../../shared/http/openapi.ts');
const { buildAsyncApi } = await import('../../shared/events/asyncapi.ts');
for (const [name, document] of [['openapi.json', buildOpenApi(await allRoutes())], ['asyncapi.json', buildAsyncApi()]] as const) {
  const file = new URL(`./${name}`, import.meta.url);
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  process.stdout.write(`wrote ${file.pathname}\n`);
}
