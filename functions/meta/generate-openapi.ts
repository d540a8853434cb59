/**
 * `npm run openapi`: writes `functions/meta/openapi.json`, the OpenAPI 3.1 document built from
 * the zod schemas of every route. The `meta` function serves this file instead of importing every
 * app (which kept its bundle over 600 KB); a test fails when the file is stale.
 */
import { writeFile } from 'node:fs/promises';

// The apps parse their configuration when loaded; none of it is used to build the document.
const placeholders: Record<string, string> = { TABLE_NAME: 'openapi', JWT_ISSUER: 'openapi', JWKS_FILE: '/dev/null', CURSOR_SECRET: 'x'.repeat(32) };
for (const [k, v] of Object.entries(placeholders)) process.env[k] ??= v;

const { allRoutes } = await import('../routes.ts');
const { buildOpenApi } = await import('../../shared/http/openapi.ts');
const file = new URL('./openapi.json', import.meta.url);
await writeFile(file, `${JSON.stringify(buildOpenApi(await allRoutes()), null, 2)}\n`);
process.stdout.write(`wrote ${file.pathname}\n`);
