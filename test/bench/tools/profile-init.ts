/**
 * Where does a bundle's module-init time go? `node test/bench/tools/profile-init.ts
 * [entry ...] [--runs 15]` (default entries: the baseline and every API function).
 *
 * Each entry is bundled like NodejsFunction does, but without minification so esbuild's
 * `// node_modules/pkg/file.js` comments map every line to its package. Fresh processes import
 * it under `--cpu-prof`; samples taken during the import are summed by what they were running:
 * a package's code, V8 compiling the bundle (grows with bundle size), Node loading built-in
 * modules, garbage collection. Profiling slows everything down (roughly 1.5-2x here) and
 * unminified code parses more slowly than minified code, so read the shares, not the
 * absolute numbers; the cold-start scenario gives those.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { apiFunctions } from '../../../functions/manifest.ts';
import { FUNCTION_ENTRY } from '../../../infra/aws/bundling.ts';
import { cdkEquivalentOptions, packageOf } from '../lib/bundle.ts';
import { fixed, table } from '../lib/table.ts';
import { COLD_START_ENV } from '../scenarios/cold-start.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string; lineNumber: number };
  children?: number[];
  positionTicks?: { line: number; ticks: number }[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Category of a sample outside the bundle's own code. */
function nodeCategory(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return frame.functionName === '(garbage collector)' ? 'GC' : `V8 ${frame.functionName || '(native)'}`;
  if (frame.functionName === 'compileSourceTextModule') return 'V8 compiling the bundle';
  if (frame.url.includes('undici')) return 'node: undici (loaded by `import` of node:http)';
  if (frame.url.startsWith('node:internal/bootstrap/realm') || frame.url.startsWith('node:internal/modules')) return 'node: loading modules';
  return 'node: built-in code';
}

async function profile(entry: string, runs: number): Promise<Map<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'clearway-profile-init-'));
  try {
    const file = join(dir, 'index.mjs');
    await build({ ...cdkEquivalentOptions(root, entry, file), minify: false, sourcemap: false });
    const lineOwner: string[] = [];
    let owner = 'esbuild runtime / banner';
    for (const [i, line] of (await readFile(file, 'utf8')).split('\n').entries()) {
      const m = /^\/\/ (\S+\.(?:[cm]?js|[cm]?ts|json))$/.exec(line);
      if (m?.[1]) owner = packageOf(m[1]);
      lineOwner[i] = owner;
    }
    const url = pathToFileURL(file).href;
    const windows: [number, number][] = [];
    for (let i = 0; i < runs; i++) {
      const child = `const a = process.hrtime.bigint(); await import(${JSON.stringify(url)}); const b = process.hrtime.bigint(); process.stdout.write(JSON.stringify([String(a / 1000n), String(b / 1000n)]));`;
      const out = execFileSync(
        process.execPath,
        ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'prof')}`, '--cpu-prof-interval=250', '--input-type=module', '-e', child],
        { env: COLD_START_ENV, cwd: dir, encoding: 'utf8' },
      );
      const [a, b] = JSON.parse(out) as [string, string];
      windows.push([Number(a), Number(b)]);
    }
    const totals = new Map<string, number>();
    const add = (key: string, ms: number) => totals.set(key, (totals.get(key) ?? 0) + ms / runs);
    for (const name of await readdir(join(dir, 'prof'))) {
      const p = JSON.parse(await readFile(join(dir, 'prof', name), 'utf8')) as Profile;
      const byId = new Map(p.nodes.map((n) => [n.id, n]));
      let t = p.startTime;
      for (const [i, id] of p.samples.entries()) {
        t += p.timeDeltas[i] ?? 0;
        if (!windows.some(([a, b]) => t >= a && t <= b)) continue;
        const ms = (p.timeDeltas[i + 1] ?? 0) / 1000;
        const node = byId.get(id);
        if (!node) continue;
        if (node.callFrame.url !== url) {
          add(nodeCategory(node.callFrame), ms);
          continue;
        }
        // Module bodies are one function spanning many packages: split by the lines that ticked.
        const ticks = node.positionTicks ?? [];
        const total = ticks.reduce((sum, x) => sum + x.ticks, 0);
        if (total === 0) add(lineOwner[node.callFrame.lineNumber] ?? '?', ms);
        else for (const x of ticks) add(lineOwner[x.line - 1] ?? '?', (ms * x.ticks) / total);
      }
    }
    return totals;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const { values, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, top: { type: 'string', default: '18' } },
  allowPositionals: true,
});
const runs = Number(values.runs);
const entries = positionals.length > 0 ? positionals : ['test/bench/fixtures/cold-start/baseline.ts', ...apiFunctions.map((f) => FUNCTION_ENTRY(f.name))];
const results: Map<string, number>[] = [];
for (const [i, entry] of entries.entries()) {
  process.stderr.write(`profiling ${i + 1}/${entries.length}: ${entry} (${runs} runs)\n`);
  results.push(await profile(entry, runs));
}
const keys = [...new Set(results.flatMap((r) => [...r.keys()]))].sort(
  (a, b) => Math.max(...results.map((r) => r.get(b) ?? 0)) - Math.max(...results.map((r) => r.get(a) ?? 0)),
);
const shown = keys.slice(0, Number(values.top));
const sum = (r: Map<string, number>) => [...r.values()].reduce((s, v) => s + v, 0);
console.log(`Profiled ms per import (${runs} runs each, --cpu-prof; inflated by profiling, compare rows not absolutes):\n`);
console.log(
  table(
    [
      { header: 'where' },
      ...entries.map((e) => ({ header: e.replace(/^test\/bench\/fixtures\/cold-start\//, '').replace(/\/handler\.ts$/, ''), align: 'right' as const })),
    ],
    [
      ...shown.map((k) => [k, ...results.map((r) => fixed(r.get(k) ?? 0))]),
      ['(everything else)', ...results.map((r) => fixed(sum(r) - shown.reduce((s, k) => s + (r.get(k) ?? 0), 0)))],
      ['total', ...results.map((r) => fixed(sum(r)))],
    ],
  ),
);
