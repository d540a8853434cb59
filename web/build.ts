/**
 * Builds the web console into web/dist (`npm run build:web`; `npm start` runs it at start):
 *
 * - `assets/main-<hash>.js` and `.css`, plus one lazy chunk per view (esbuild, splitting) and
 *   the shared chunks, the base every page loads (src/kernel.ts) first among them;
 * - the boot script inline in `index.html` (boot-script.ts);
 * - `index.html` pointing at them; `manifest.webmanifest`;
 * - `sw.js`, the service worker, with the list of files to precache and a version derived from
 *   their content, so a new build replaces the old cache;
 * - `border.json`: Cambodia, Thailand and their neighbours as a GeoJSON FeatureCollection, taken
 *   from the `world-atlas` package at build time (Cambodia and Thailand at 1:10m, the
 *   neighbours at 1:50m, coordinates rounded to 4 decimals ≈ 11 m), and the Cambodia–Thailand
 *   border as one MultiLineString feature with `properties.kind = 'border'`. Country features
 *   carry `properties: { kind: 'country', iso: 'KH' | 'TH' | 'LA' | 'VN' | 'MM', name }`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { feature, mesh } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { bootScript } from './boot-script.ts';

const webDir = fileURLToPath(new URL('.', import.meta.url));
const srcDir = join(webDir, 'src');
export const distDir = join(webDir, 'dist');

const ISO_BY_ID: Record<string, string> = { '116': 'KH', '764': 'TH', '418': 'LA', '704': 'VN', '104': 'MM' };
const DETAILED = new Set(['116', '764']);

/** Views whose chunks the page preloads with the entry: the task board, a field team's first screen on a phone. */
const PRELOADED_VIEWS = ['views/tasks/TaskBoard.tsx'];

const round = (value: unknown): unknown => (Array.isArray(value) ? value.map(round) : typeof value === 'number' ? Math.round(value * 1e4) / 1e4 : value);

async function readTopology(name: string): Promise<Topology> {
  const file = fileURLToPath(import.meta.resolve(`world-atlas/${name}`));
  return JSON.parse(await readFile(file, 'utf8')) as Topology;
}

/** The outlines the map draws, offline: no tile server, no CDN. */
export async function borderGeoJson(): Promise<unknown> {
  const [fine, coarse] = await Promise.all([readTopology('countries-10m.json'), readTopology('countries-50m.json')]);
  const features: unknown[] = [];
  for (const [topology, wanted] of [
    [fine, (id: string) => DETAILED.has(id)],
    [coarse, (id: string) => id in ISO_BY_ID && !DETAILED.has(id)],
  ] as const) {
    const countries = topology.objects.countries as GeometryCollection<{ name: string }>;
    for (const g of countries.geometries) {
      const id = String(g.id);
      if (!wanted(id)) continue;
      const geometry = (feature(topology, g) as { geometry: { type: string; coordinates: unknown } }).geometry;
      const name = (g.properties as { name?: string } | undefined)?.name ?? '';
      features.push({
        type: 'Feature',
        id: ISO_BY_ID[id],
        properties: { kind: 'country', iso: ISO_BY_ID[id], name },
        geometry: { type: geometry.type, coordinates: round(geometry.coordinates) },
      });
    }
  }
  const countries = fine.objects.countries as GeometryCollection;
  const shared = mesh(fine, countries, (a, b) => a !== b && [String(a.id), String(b.id)].sort().join() === '116,764');
  features.push({
    type: 'Feature',
    id: 'KH-TH',
    properties: { kind: 'border', name: 'Cambodia–Thailand' },
    geometry: { type: 'MultiLineString', coordinates: round(shared.coordinates) },
  });
  return { type: 'FeatureCollection', features };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

export interface BuildResult {
  dir: string;
  /** Path of the entry script under dist (e.g. `assets/main-XXXX.js`). */
  entry: string;
  files: string[];
  ms: number;
}

/** Writes through a temporary file and a rename, so a server reading dist never sees half a file. */
async function writeAtomic(file: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, file);
}

/** Files of older builds are removed once they are an hour old (a server started before may still name them). */
const STALE_MS = 60 * 60 * 1000;

/**
 * Builds the console; `minify` off keeps names readable while debugging. Safe to run while a
 * server serves dist, or while another build runs (tests start several servers at once): every
 * file is written atomically and nothing a running page may load is deleted at once.
 */
export async function buildConsole(options: { minify?: boolean; clean?: boolean } = {}): Promise<BuildResult> {
  const started = performance.now();
  const minify = options.minify ?? true;
  // A clean build (npm run build:web, before a deployment) holds only this build's files.
  if (options.clean) await rm(distDir, { recursive: true, force: true });
  await mkdir(distDir, { recursive: true });

  const app = await build({
    entryPoints: [join(srcDir, 'main.tsx')],
    outdir: join(distDir, 'assets'),
    bundle: true,
    splitting: true,
    // The shared base every page loads, in one chunk rather than one per combination of views (src/kernel.ts).
    inject: [join(srcDir, 'kernel.ts')],
    format: 'esm',
    target: ['es2022', 'chrome111', 'safari16', 'firefox115'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: 'linked',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    write: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const written = new Set<string>();
  const emit = async (file: string, content: string | Uint8Array) => {
    await writeAtomic(file, content);
    written.add(file);
  };
  for (const out of app.outputFiles) await emit(out.path, out.contents);
  const outputs = Object.entries(app.metafile.outputs);
  const entryOut = outputs.find(([, o]) => o.entryPoint?.endsWith('main.tsx'));
  if (!entryOut) throw new Error('esbuild produced no entry script');
  const rel = (p: string) => relative(distDir, resolve(process.cwd(), p)).split('\\').join('/');
  const entry = rel(entryOut[0]);
  const byPath = new Map(outputs.map(([p, o]) => [rel(p), o]));
  // esbuild puts the CSS of every module the entry reaches, lazy chunks' included, in the
  // entry's stylesheet, and repeats each lazy chunk's part in a file of its own: one stylesheet
  // is linked, plus any chunk stylesheet holding a source the entry's lacks (none today).
  const entryCss = entryOut[1].cssBundle ? rel(entryOut[1].cssBundle) : undefined;
  const entryCssInputs = new Set(Object.keys((entryCss && byPath.get(entryCss)?.inputs) ?? {}));
  const css = [
    ...(entryCss ? [entryCss] : []),
    ...[...byPath].filter(([p, o]) => p.endsWith('.css') && p !== entryCss && Object.keys(o.inputs).some((i) => !entryCssInputs.has(i))).map(([p]) => p),
  ];
  /** A chunk and every chunk it imports statically, transitively: what loads before it runs. */
  const staticClosure = (start: string[]): string[] => {
    const seen = new Set<string>();
    const visit = (p: string) => {
      if (seen.has(p)) return;
      seen.add(p);
      for (const i of byPath.get(p)?.imports ?? []) if (i.kind === 'import-statement') visit(rel(i.path));
    };
    for (const p of start) visit(p);
    return [...seen];
  };
  // The entry's static imports load with it: preload them. So do the chunks of the views in
  // PRELOADED_VIEWS (the field teams' task board): they are fetched in the same round trip as
  // the entry instead of one after another once it runs; they only run when the view opens
  // (the service worker fetches every chunk right after the first load anyway).
  const preloadedViews = outputs.filter(([, o]) => PRELOADED_VIEWS.some((v) => o.entryPoint?.endsWith(v))).map(([p]) => rel(p));
  const preloads = staticClosure([entry, ...preloadedViews]).filter((p) => p !== entry && p.endsWith('.js'));

  // The boot script, inline and first in the page (before the stylesheet, which would hold it
  // back): it runs while the page is parsed and starts the opening view's first read while the
  // modules are still loading (src/boot.ts, boot-script.ts); the CSP allows it by its hash.
  const bootCode = bootScript(minify);

  const html = (await readFile(join(webDir, 'index.html'), 'utf8'))
    .replace('<!--styles-->', () => [`<script>${bootCode}</script>`, ...css.map((c) => `<link rel="stylesheet" href="/${c}">`)].join('\n    '))
    .replace(
      '<!--scripts-->',
      [`<script type="module" src="/${entry}"></script>`, ...preloads.map((p) => `<link rel="modulepreload" href="/${p}">`)].join('\n    '),
    );
  await emit(join(distDir, 'index.html'), html);
  await emit(join(distDir, 'border.json'), JSON.stringify(await borderGeoJson()));
  await emit(
    join(distDir, 'manifest.webmanifest'),
    JSON.stringify({
      name: 'Clearway',
      short_name: 'Clearway',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: '#14532d',
      icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' }],
    }),
  );
  await emit(
    join(distDir, 'icon.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#14532d"/><path d="M16 44 32 14l16 30z" fill="none" stroke="#fff" stroke-width="5" stroke-linejoin="round"/><circle cx="32" cy="36" r="4" fill="#fbbf24"/></svg>',
  );

  // The app shell: everything this build wrote except source maps; the version changes with any of it.
  const shell = [...written]
    .filter((f) => !f.endsWith('.map'))
    .map((f) => `/${relative(distDir, f).split('\\').join('/')}`)
    .sort();
  const hash = createHash('sha256');
  for (const f of shell) hash.update(f).update(await readFile(join(distDir, f)));
  const version = hash.digest('hex').slice(0, 12);
  const precache = ['/', ...shell.filter((f) => f !== '/index.html')];
  const sw = await build({
    entryPoints: [join(srcDir, 'sw.ts')],
    outfile: join(distDir, 'sw.js'),
    bundle: true,
    format: 'iife',
    target: ['es2022'],
    minify,
    write: false,
    define: { __SHELL_VERSION__: JSON.stringify(version), __SHELL_FILES__: JSON.stringify(precache) },
    logLevel: 'warning',
  });
  for (const out of sw.outputFiles) await emit(out.path, out.contents);

  for (const file of await filesUnder(distDir)) {
    if (written.has(file)) continue;
    const info = await stat(file).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_MS) await rm(file, { force: true });
  }
  const files = [...written].map((f) => relative(distDir, f)).sort();
  return { dir: distDir, entry, files, ms: Math.round(performance.now() - started) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await buildConsole({ minify: !process.argv.includes('--no-minify'), clean: true });
  process.stdout.write(
    `web console built in ${result.ms} ms: ${result.files.length} files in ${relative(process.cwd(), result.dir) || '.'} (entry ${result.entry})\n`,
  );
}
