import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/**
 * Lines a route registration may take. One route's declaration (summary, description, schemas:
 * 15–35 lines) and a handler of a screen (60) fit; a registrar holding several routes with their
 * handlers inline does not (those this bound replaced were 136 to 487 lines, before the formatter).
 * Counted as Biome formats the code (160 columns), which wraps long declarations over more lines.
 */
const MAX_LINES = 140;

const routeFiles = readdirSync(join(root, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(root, 'functions', d.name))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(root, 'functions', d.name, f)),
  );

/**
 * Each function that registers routes (`function name(api: Api)`) and each `api.route(...)` written
 * at the top level of a module, with its length in lines. The sources are formatted, so a top-level
 * block ends at the first line that closes at column 0.
 */
function registrations(file: string): { where: string; lines: number }[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found: { where: string; lines: number }[] = [];
  lines.forEach((line, i) => {
    const fn = /^(?:export )?(?:async )?function (\w+)\(api: Api\)/.exec(line);
    const close = fn ? /^}/ : /^api\.route\(/.test(line) ? /^\);/ : undefined;
    if (!close) return;
    const end = lines.findIndex((l, j) => j > i && close.test(l));
    found.push({ where: `${relative(root, file)}:${i + 1} ${fn ? fn[1] : 'api.route'}`, lines: end - i + 1 });
  });
  return found;
}

describe('route files', () => {
  const all = routeFiles.flatMap(registrations);

  it('finds the registrations it measures', () => {
    expect(all.some((r) => r.where.includes('functions/tasks/tasks.ts') && r.where.endsWith(' registerTasks'))).toBe(true);
    expect(all.every((r) => r.lines > 0)).toBe(true);
  });

  it(`no route registration is longer than ${MAX_LINES} lines`, () => {
    expect(all.filter((r) => r.lines > MAX_LINES).map((r) => `${r.where}: ${r.lines} lines`)).toEqual([]);
  });
});
