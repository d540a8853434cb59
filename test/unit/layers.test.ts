import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The project modules a file imports (static and dynamic `import`, and `export … from`), as paths from the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)\s[^'";]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specifiers.flatMap((s) => {
    if (s.startsWith('#shared/')) return [join('shared', s.slice('#shared/'.length))];
    if (s.startsWith('.')) return [relative(root, resolve(dirname(file), s))];
    return [];
  });
}

const graph = new Map([...sources(join(root, 'shared')), ...sources(join(root, 'functions'))].map((f) => [relative(root, f), importsOf(f)]));

describe('layers', () => {
  it('no module of shared/db, shared/domain or shared/events imports shared/http', () => {
    const offending = [...graph].flatMap(([file, imports]) =>
      /^shared\/(db|domain|events)\//.test(file) ? imports.filter((i) => i.startsWith('shared/http/')).map((i) => `${file} → ${i}`) : [],
    );
    expect(offending).toEqual([]);
  });

  it('no two modules import each other', () => {
    const pairs = [...graph].flatMap(([file, imports]) => imports.filter((i) => i > file && graph.get(i)?.includes(file)).map((i) => `${file} ↔ ${i}`));
    expect(pairs).toEqual([]);
  });

  it('finds the imports it checks (the graph is not empty)', () => {
    expect(graph.get('shared/db/page.ts')).toContain('shared/cursor.ts');
  });

  it('every API function is wrapped the same way on Lambda (lambdaHandler: logger context, metrics flushed)', async () => {
    const { apiFunctions } = await import('../../functions/manifest.ts');
    for (const fn of apiFunctions) expect(readFileSync(join(root, 'functions', fn.name, 'handler.ts'), 'utf8'), fn.name).toContain('lambdaHandler(app)');
  });
});
