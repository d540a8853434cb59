import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { generateApi } from 'swagger-typescript-api';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const document = JSON.parse(await readFile(join(root, 'functions/meta/openapi.json'), 'utf8')) as Record<string, unknown>;
// Under node_modules so that the generated client resolves the project's packages.
const outDir = join(root, 'node_modules/.cache/clearway-openapi-client');

/** Type-checks `files` (in outDir) with the project's TypeScript; answers the compiler's messages. */
async function typecheck(files: string[]): Promise<string> {
  const tsc = join(root, 'node_modules/.bin/tsc');
  const args = [
    '--ignoreConfig',
    '--noEmit',
    '--strict',
    '--allowImportingTsExtensions',
    '--target',
    'es2022',
    '--module',
    'nodenext',
    '--moduleResolution',
    'nodenext',
    '--lib',
    'es2022,dom',
    '--skipLibCheck',
    ...files.map((f) => join(outDir, f)),
  ];
  try {
    await promisify(execFile)(tsc, args, { cwd: root });
    return '';
  } catch (e: unknown) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document (a maintained validator)', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names every resource in components.schemas and refers to them', () => {
    const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
    for (const name of ['Team', 'HazardArea', 'Task', 'ClearedArea', 'Household', 'Subscription', 'EventEnvelope', 'Problem'])
      expect(Object.keys(schemas)).toContain(name);
    expect(JSON.stringify(document)).toContain('"$ref":"#/components/schemas/Household"');
    expect(JSON.stringify(document)).not.toContain('#/$defs/');
  });

  it('documents headers, media types and integer parameters', () => {
    const paths = document.paths as Record<
      string,
      Record<string, { parameters: { name: string; schema: { type: string } }[]; responses: Record<string, { headers?: object; content?: object }> }>
    >;
    const created = paths['/v1/teams']!['post']!.responses['201']!;
    expect(Object.keys(created.headers!)).toEqual(expect.arrayContaining(['ETag', 'Location', 'Idempotent-Replayed', 'X-Request-Id']));
    expect(Object.keys(paths['/v1/teams']!['get']!.responses['429']!.headers!)).toContain('Retry-After');
    expect(paths['/v1/teams']!['get']!.parameters.find((p) => p.name === 'limit')!.schema.type).toBe('integer');
    expect(Object.keys(paths['/v1/stats/displacement']!['get']!.responses['200']!.content!)).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(paths['/v1/hazard-areas/{id}']!['get']!.responses['200']!.content!)).toEqual(['application/json', 'application/geo+json']);
  });
});

describe('a typed client generated from the document', () => {
  beforeAll(async () => {
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    const { files } = await generateApi({ spec: document as never, output: false, silent: true, httpClientType: 'fetch', extractRequestParams: true });
    for (const f of files) await writeFile(join(outDir, `${f.fileName}${f.fileExtension}`), f.fileContent);
  }, 60_000);

  it('compiles, and a use of it type-checks against the API', async () => {
    await writeFile(
      join(outDir, 'use.ts'),
      `import { Api } from './Api.ts';
const api = new Api({ baseUrl: 'http://127.0.0.1:3000', baseApiParams: { headers: { Authorization: 'Bearer x' } } });
export async function demo(): Promise<string | undefined> {
  const page = await api.v1.listTeams({ country: 'KH', limit: 10 });
  const first: string | undefined = page.data.items[0]?.name;
  const household = await api.v1.getHousehold({ id: '01J0000000000000000000000A' });
  const size: number = household.data.members.length;
  return first ?? String(size);
}
`,
    );
    expect(await typecheck(['Api.ts', 'use.ts'])).toBe('');
  }, 120_000);

  it('refuses a use the API does not offer (the check can fail)', async () => {
    await writeFile(
      join(outDir, 'misuse.ts'),
      `import { Api } from './Api.ts';\nconst api = new Api();\nexport const x = api.v1.listTeams({ limit: 'ten' });\n`,
    );
    expect(await typecheck(['Api.ts', 'misuse.ts'])).toMatch(/misuse\.ts\(3,\d+\): error TS2322/);
  }, 120_000);
});
