/**
 * `npm run openapi`: writes `functions/meta/openapi.json`, the OpenAPI 3.1 document built from
 * the zod schemas of every route, and `functions/meta/asyncapi.json`, the AsyncAPI 3 document of
 * the event catalogue. The `meta` function serves these files instead of importing every app
 * (which kept its bundle over 600 KB); a test fails when either is stale.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';

// The apps parse their configuration when loaded; none of it is used to build the document.
const placeholders: Record<string, string> = { TABLE_NAME: 'openapi', JWT_ISSUER: 'openapi', JWKS_FILE: '/dev/null', CURSOR_SECRET: 'x'.repeat(32) };
for (const [k, v] of Object.entries(placeholders)) process.env[k] ??= v;

const { allRoutes } = await import('../routes.ts');
const { buildOpenApi } = await import('../../shared/http/openapi.ts');
const { buildAsyncApi, eventJsonSchemas } = await import('../../shared/events/asyncapi.ts');
const documents = { openapi: buildOpenApi(await allRoutes()), asyncapi: buildAsyncApi() };
// `npm run openapi -- --stdout` (or `--stdout=asyncapi`) prints one document and writes nothing.
const stdout = process.argv.slice(2).find((a) => a === '--stdout' || a.startsWith('--stdout='));
if (stdout) {
  const which = stdout === '--stdout' ? 'openapi' : stdout.slice('--stdout='.length);
  if (which !== 'openapi' && which !== 'asyncapi') throw new Error(`--stdout takes openapi or asyncapi, not ${which}`);
  process.stdout.write(`${JSON.stringify(documents[which], null, 2)}\n`);
} else {
  for (const [name, document] of [['openapi.json', documents.openapi], ['asyncapi.json', documents.asyncapi]] as const) {
    const file = new URL(`./${name}`, import.meta.url);
    await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
    process.stdout.write(`wrote ${file.pathname}\n`);
  }
  // One versioned JSON Schema per event type (DESIGN section 5), for receivers that validate or generate code.
  const dir = new URL('./events/', import.meta.url);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [type, schema] of Object.entries(eventJsonSchemas())) await writeFile(new URL(`./${type}.v1.schema.json`, dir), `${JSON.stringify(schema, null, 2)}\n`);
  process.stdout.write(`wrote ${Object.keys(eventJsonSchemas()).length} event schemas under ${dir.pathname}\n`);
}
