import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { bundlingOptions } from '../../../infra/aws/bundling.ts';

/** The `BundlingOptions` fields whose translation to esbuild this file knows (aws-cdk-lib 2.276). */
interface CdkBundling {
  readonly target?: string;
  readonly format?: 'esm' | 'cjs';
  readonly platform?: 'node';
  readonly minify?: boolean;
  readonly sourceMap?: boolean;
  readonly sourceMapMode?: 'default' | 'external' | 'inline' | 'both';
  readonly sourcesContent?: boolean;
  readonly externalModules?: readonly string[];
  readonly bundleAwsSDK?: boolean;
  readonly loader?: Readonly<Record<string, string>>;
  readonly define?: Readonly<Record<string, string>>;
  readonly keepNames?: boolean;
  readonly banner?: string;
  readonly footer?: string;
  readonly mainFields?: readonly string[];
  readonly inject?: readonly string[];
  readonly tsconfig?: string;
  readonly metafile?: boolean;
  readonly logLevel?: string;
  /** Only `--alias:<name>` keys are understood. */
  readonly esbuildArgs?: Readonly<Record<string, string | boolean>>;
}

const KNOWN = new Set<string>([
  'target',
  'format',
  'platform',
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'externalModules',
  'bundleAwsSDK',
  'loader',
  'define',
  'keepNames',
  'banner',
  'footer',
  'mainFields',
  'inject',
  'tsconfig',
  'metafile',
  'logLevel',
  'esbuildArgs',
]);

/**
 * The esbuild options `NodejsFunction` derives from `bundlingOptions`, translated the way
 * aws-cdk-lib 2.276 does it (`aws-lambda-nodejs/lib/bundling.js`, `buildEsbuildArgs`), which
 * runs the esbuild CLI from the project root. With our options that is:
 *
 *   esbuild --bundle <entry> --target=node24 --platform=node --format=esm
 *     --outfile=<asset>/index.mjs --minify --sourcemap --main-fields=module,main
 *     --banner:js=<banner>
 *
 * Notes on the translation:
 * - `--sourcemap` without `sourceMapMode` is esbuild's default (linked) mode, i.e. `sourcemap: true`;
 *   `sourcesContent` is left at esbuild's default (true), as CDK does unless told otherwise.
 * - No `--external` flags: `externalModules: []` replaces CDK's default `@aws-sdk/*` external list,
 *   so the SDK is bundled.
 * - CDK adds no `--define` (nothing for `process.env.NODE_ENV`), no `--loader`, `--keep-names`,
 *   `--inject` or `--footer` unless the props ask; ours do not. esbuild only defaults
 *   `process.env.NODE_ENV` when minifying for the browser, not for `platform: node`.
 * - `--tsconfig` is passed only when the `tsconfig` prop is set (ours is not); either way esbuild
 *   finds ./tsconfig.json itself. `absWorkingDir` stands in for CDK running from the project root.
 * - Differences that do not change the output: `metafile: true` (CDK only with the `metafile`
 *   prop; it only writes a report) and the JS API instead of the CLI (same engine, same options).
 *   The CLI's default log level is `info`, the API's `warning`: logging only.
 * - A field this function does not know makes it throw rather than bundle differently from CDK.
 */
export function cdkEquivalentOptions(root: string, entry: string, outfile: string, options: CdkBundling = bundlingOptions): BuildOptions {
  const unknown = Object.keys(options).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0)
    throw new Error(`test/bench/lib/bundle.ts does not know how NodejsFunction passes ${unknown.join(', ')} to esbuild; extend cdkEquivalentOptions`);
  if (options.externalModules === undefined && !options.bundleAwsSDK) {
    throw new Error('bundlingOptions.externalModules is unset: the CDK default depends on a feature flag; set it explicitly');
  }
  const alias: Record<string, string> = {};
  for (const [arg, value] of Object.entries(options.esbuildArgs ?? {})) {
    if (!arg.startsWith('--alias:') || typeof value !== 'string') throw new Error(`esbuildArgs ${arg} is not translated by cdkEquivalentOptions`);
    alias[arg.slice('--alias:'.length)] = value;
  }
  const mode = options.sourceMapMode ?? 'default';
  return {
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    // CDK derives the target from the runtime when unset; the runtime is not known here.
    target: options.target ?? 'node24',
    platform: 'node',
    ...(options.format ? { format: options.format } : {}),
    outfile,
    minify: options.minify === true,
    sourcemap: (options.sourceMapMode ?? options.sourceMap) ? (mode === 'default' ? true : mode) : false,
    ...(options.sourcesContent === false ? { sourcesContent: false } : {}),
    external: [...(options.externalModules ?? [])],
    ...(options.loader ? { loader: { ...options.loader } as BuildOptions['loader'] } : {}),
    ...(options.define ? { define: { ...options.define } } : {}),
    ...(options.keepNames ? { keepNames: true } : {}),
    ...(options.tsconfig ? { tsconfig: options.tsconfig } : {}),
    ...(options.banner ? { banner: { js: options.banner } } : {}),
    ...(options.footer ? { footer: { js: options.footer } } : {}),
    ...(options.mainFields ? { mainFields: [...options.mainFields] } : {}),
    ...(options.inject ? { inject: [...options.inject] } : {}),
    ...(Object.keys(alias).length > 0 ? { alias } : {}),
    metafile: true,
    write: true,
    logLevel: 'warning',
  };
}

export interface Contributor {
  /** Input path relative to the project root, or a package name in a rollup. */
  name: string;
  bytesInOutput: number;
}

export interface Bundle {
  entry: string;
  /** Absolute path of the `.mjs` file, as Lambda would import it. */
  file: string;
  bytes: number;
  gzipBytes: number;
  sourceMapBytes: number;
  metafile: Metafile;
}

/** Bundles `entry` (relative to `root`) into `<outdir>/index.mjs` exactly as NodejsFunction would. */
export async function bundleLikeCdk(root: string, entry: string, outdir: string, options: CdkBundling = bundlingOptions): Promise<Bundle> {
  const file = join(outdir, 'index.mjs');
  const result = await build(cdkEquivalentOptions(root, entry, file, options));
  if (result.errors.length > 0 || !result.metafile) throw new Error(`esbuild failed for ${entry}`);
  const [{ size: bytes }, mapStat, code] = await Promise.all([stat(file), stat(`${file}.map`).catch(() => undefined), readFile(file)]);
  return { entry, file, bytes, gzipBytes: gzipSync(code, { level: 9 }).length, sourceMapBytes: mapStat?.size ?? 0, metafile: result.metafile };
}

function mainOutput(bundle: Bundle, root: string): Metafile['outputs'][string] {
  const key = relative(root, bundle.file).split('\\').join('/');
  const output = bundle.metafile.outputs[key] ?? Object.entries(bundle.metafile.outputs).find(([name]) => name.endsWith('.mjs'))?.[1];
  if (!output) throw new Error(`metafile for ${bundle.entry} has no output ${key}`);
  return output;
}

/** Inputs ranked by the bytes they contribute to the minified output. */
export function topInputs(bundle: Bundle, root: string, limit: number): Contributor[] {
  return Object.entries(mainOutput(bundle, root).inputs)
    .map(([name, { bytesInOutput }]) => ({ name, bytesInOutput }))
    .sort((a, b) => b.bytesInOutput - a.bytesInOutput)
    .slice(0, limit);
}

/** `node_modules/@scope/pkg/...` → `@scope/pkg`; project files → their top folder (`shared/`, `functions/`). */
export function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return `${input.split('/')[0] ?? input}/ (project)`;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? input);
}

/** Output bytes summed per package. */
export function topPackages(bundle: Bundle, root: string, limit: number): Contributor[] {
  const totals = new Map<string, number>();
  for (const [name, { bytesInOutput }] of Object.entries(mainOutput(bundle, root).inputs)) {
    const pkg = packageOf(name);
    totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...totals]
    .map(([name, bytesInOutput]) => ({ name, bytesInOutput }))
    .sort((a, b) => b.bytesInOutput - a.bytesInOutput)
    .slice(0, limit);
}
