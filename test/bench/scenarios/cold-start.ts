import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { version as esbuildVersion } from 'esbuild';
import { apiFunctions } from '../../../functions/manifest.ts';
import { FUNCTION_ENTRY } from '../../../infra/aws/bundling.ts';
import { bundleLikeCdk, topInputs, topPackages, type Bundle, type Contributor } from '../lib/bundle.ts';
import { timeImport } from '../lib/import-timer.ts';
import type { Scenario, ScenarioContext, ScenarioResult } from '../lib/scenario.ts';
import { median, summarize, type Summary } from '../lib/stats.ts';
import { fixed, kb, signed, table } from '../lib/table.ts';

/**
 * Targets of the "house in order" issue: an API function's module init at most 1.45x the baseline
 * (a DynamoDB client alone) and at most 1.15x the platform probe (the Api with no route), and its
 * bundle at most 600 KiB. With `--compare-ref`, a change may cost each function at most 5 % over
 * the same function built from that git ref, measured in the same interleaved run.
 */
export const TARGETS = { initRatioMax: 1.45, platformRatioMax: 1.15, bundleBytesMax: 600 * 1024, refRatioMax: 1.05 } as const;
const PLATFORM_PROBE = 'platform, no routes';
const MIN_ITERATIONS = 15;
const DEFAULT_ITERATIONS = 21;
const TOP = 10;

/**
 * The only environment the child processes get: what shared/config.ts needs to parse at load,
 * in its AWS shape, and dummy credentials. Nothing is inherited (no NODE_OPTIONS, no
 * NODE_COMPILE_CACHE, no real AWS profile), so every run starts as cold as a Lambda sandbox.
 */
export const COLD_START_ENV: Record<string, string> = {
  RUNTIME: 'aws',
  TABLE_NAME: 'bench',
  AWS_REGION: 'ap-southeast-1',
  JWT_ISSUER: 'https://cognito-idp.ap-southeast-1.amazonaws.com/pool',
  JWKS_URL: 'https://cognito-idp.ap-southeast-1.amazonaws.com/pool/.well-known/jwks.json',
  CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:ap-southeast-1:000000000000:secret:x',
  AWS_ACCESS_KEY_ID: 'AKIABENCHDUMMY000000',
  AWS_SECRET_ACCESS_KEY: 'bench-dummy-secret',
};

type Kind = 'baseline' | 'function' | 'probe' | 'chain' | 'reference';

interface Subject {
  id: string;
  kind: Kind;
  entry: string;
  /** What a probe adds to the baseline. */
  note?: string;
  /** Generated entry source (chain steps); written to the work directory and bundled from there. */
  source?: string;
  /** Bundled from this directory instead of the checkout (a `--compare-ref` tree). */
  root?: string;
  /** For a reference build: the function it is the earlier version of. */
  of?: string;
}

const FIXTURES = 'test/bench/fixtures/cold-start';

/** Library probes: the baseline plus one library, used the way the functions use it. */
const PROBES: readonly Subject[] = [
  { id: 'empty', kind: 'probe', entry: `${FIXTURES}/empty.ts`, note: 'no dependencies at all (floor)' },
  { id: '+hono', kind: 'probe', entry: `${FIXTURES}/hono.ts`, note: 'Hono app (hono/quick), bodyLimit, hono/aws-lambda handle()' },
  { id: '+zod/mini', kind: 'probe', entry: `${FIXTURES}/zod-mini.ts`, note: 'z.config(en(), jitless), env schema built and parsed at load' },
  { id: '+logger', kind: 'probe', entry: `${FIXTURES}/logger.ts`, note: '@aws-lambda-powertools/logger new Logger()' },
  { id: '+metrics', kind: 'probe', entry: `${FIXTURES}/metrics.ts`, note: '@aws-lambda-powertools/metrics new Metrics(), flushed by its Middy middleware' },
  { id: '+jose', kind: 'probe', entry: `${FIXTURES}/jose.ts`, note: 'jwtVerify/createRemoteJWKSet imported' },
  { id: '+lib-dynamodb', kind: 'probe', entry: `${FIXTURES}/lib-dynamodb.ts`, note: 'DynamoDBDocumentClient.from()' },
  { id: '+turf', kind: 'probe', entry: `${FIXTURES}/turf.ts`, note: 'area, boolean-point-in-polygon, kinks, point-to-polygon-distance' },
  { id: '+ulidx', kind: 'probe', entry: `${FIXTURES}/ulidx.ts`, note: 'ulid imported' },
  { id: '+all libraries', kind: 'probe', entry: `${FIXTURES}/all-libraries.ts`, note: 'every probe above together' },
  {
    id: 'platform, no routes',
    kind: 'probe',
    entry: `${FIXTURES}/platform.ts`,
    note: 'Api (hono, config, logger), jose verification, idempotency store, Middy with logger context and metrics: the floor of lazy route loading',
  },
];

/**
 * `--chain a.ts,b.ts,...`: cumulative bundles (baseline + a, baseline + a + b, ...), each importing
 * the whole namespace of its modules so nothing is tree-shaken. Differences between consecutive
 * steps attribute a function's cost to the modules it is made of; the steps add up to the last one.
 */
function chainSubjects(root: string, modules: readonly string[]): Subject[] {
  const baselinePath = resolve(root, FIXTURES, 'baseline.ts');
  return modules.map((module, k) => {
    const included = modules.slice(0, k + 1);
    const imports = included.map((m, i) => `import * as m${i} from ${JSON.stringify(resolve(root, m))};`);
    return {
      id: `chain ${k + 1}`,
      kind: 'chain' as const,
      entry: module,
      note: module,
      source: [
        `import { client } from ${JSON.stringify(baselinePath)};`,
        ...imports,
        `export const handler = async () => [client, ${included.map((_, i) => `m${i}`).join(', ')}].map((m) => Object.keys(m).length);`,
        '',
      ].join('\n'),
    };
  });
}

interface Measured extends Subject {
  bundle: Bundle;
  network: string[];
  samples: number[];
  cpuSamples: number[];
  /** Per-iteration ratio to the baseline sample of the same iteration. */
  pairedRatios: number[];
}

/** Subjects in a different rotation each iteration, so drift and "first after a pause" effects spread over all. */
const rotated = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length] as T);

async function measure(ctx: ScenarioContext, subjects: readonly Subject[], iterations: number, workDir: string): Promise<Measured[]> {
  const measured: Measured[] = [];
  for (const [i, subject] of subjects.entries()) {
    ctx.progress.update(`[cold-start] bundling ${i + 1}/${subjects.length}: ${subject.id} (${subject.entry})`);
    const outdir = join(workDir, String(i));
    let entry = subject.entry;
    if (subject.source !== undefined) {
      await mkdir(outdir, { recursive: true });
      entry = join(outdir, 'entry.ts');
      await writeFile(entry, subject.source);
    }
    // A `--compare-ref` tree is bundled with its own bundling options, as CDK would have bundled that commit.
    const options = subject.root
      ? ((await import(join(subject.root, 'infra/aws/bundling.ts'))) as { bundlingOptions: Parameters<typeof bundleLikeCdk>[3] }).bundlingOptions
      : undefined;
    const bundle = await bundleLikeCdk(subject.root ?? ctx.root, entry, outdir, options);
    measured.push({ ...subject, bundle, network: [], samples: [], cpuSamples: [], pairedRatios: [] });
  }

  // Warm-up: one guarded import per bundle, discarded. It fills the page cache and checks that
  // importing does no network I/O (a bundle that tries is reported and not timed).
  for (const [i, m] of measured.entries()) {
    ctx.progress.update(`[cold-start] warm-up and network check ${i + 1}/${measured.length}: ${m.id}`);
    m.network = (await timeImport(m.bundle.file, COLD_START_ENV, { guard: true, cwd: workDir })).network;
  }

  const timed = measured.filter((m) => m.network.length === 0);
  const started = Date.now();
  for (let iteration = 0; iteration < iterations; iteration++) {
    const byId = new Map<string, number>();
    for (const [j, m] of rotated(timed, iteration).entries()) {
      const done = iteration * timed.length + j;
      const eta = done > 0 ? ` ~${Math.ceil((((Date.now() - started) / done) * (iterations * timed.length - done)) / 1000)}s left` : '';
      ctx.progress.update(`[cold-start] iteration ${iteration + 1}/${iterations}, import ${j + 1}/${timed.length}: ${m.id}${eta}`);
      const { ms, cpuMs } = await timeImport(m.bundle.file, COLD_START_ENV, { cwd: workDir });
      m.samples.push(ms);
      m.cpuSamples.push(cpuMs);
      byId.set(m.id, ms);
    }
    const base = byId.get('baseline');
    if (base !== undefined) for (const m of timed) m.pairedRatios.push((byId.get(m.id) ?? Number.NaN) / base);
  }
  ctx.progress.clear();
  return measured;
}

interface Row {
  id: string;
  kind: Kind;
  entry: string;
  note?: string;
  bytes: number;
  gzipBytes: number;
  sourceMapBytes: number;
  init: Summary | null;
  /** CPU time over the import (diagnostic; verdicts use wall-clock `init`). */
  cpu: Summary | null;
  ratio: number;
  cpuRatio: number;
  pairedRatio: number;
  deltaMs: number;
  deltaCpuMs: number;
  deltaBytes: number;
  network: string[];
  /** Init median over the platform probe's (API functions). */
  platformRatio?: number;
  targets?: { size: boolean; init: boolean; platform: boolean; noNetwork: boolean };
  /** With `--compare-ref`: the function's init and size against its build from that ref. */
  against?: { ref: string; ratio: number; pairedRatio: number; cpuRatio: number; bytes: number; ok: boolean };
  topInputs?: Contributor[];
  topPackages?: Contributor[];
}

function toRows(ctx: ScenarioContext, measured: readonly Measured[]): Row[] {
  const baseline = measured.find((m) => m.kind === 'baseline');
  if (!baseline) throw new Error('no baseline measured');
  const baseMedian = median(baseline.samples);
  const baseCpuMedian = median(baseline.cpuSamples);
  const platform = measured.find((m) => m.id === PLATFORM_PROBE);
  const platformMedian = platform && platform.samples.length > 0 ? median(platform.samples) : Number.NaN;
  return measured.map((m) => {
    const init = m.samples.length > 0 ? summarize(m.samples) : null;
    const cpu = m.cpuSamples.length > 0 ? summarize(m.cpuSamples) : null;
    const ratio = init ? init.median / baseMedian : Number.NaN;
    const row: Row = {
      id: m.id,
      kind: m.kind,
      entry: m.entry,
      ...(m.note ? { note: m.note } : {}),
      bytes: m.bundle.bytes,
      gzipBytes: m.bundle.gzipBytes,
      sourceMapBytes: m.bundle.sourceMapBytes,
      init,
      cpu,
      ratio,
      cpuRatio: cpu ? cpu.median / baseCpuMedian : Number.NaN,
      pairedRatio: m.pairedRatios.length > 0 ? median(m.pairedRatios) : Number.NaN,
      deltaMs: init ? init.median - baseMedian : Number.NaN,
      deltaCpuMs: cpu ? cpu.median - baseCpuMedian : Number.NaN,
      deltaBytes: m.bundle.bytes - baseline.bundle.bytes,
      network: m.network,
    };
    const ref = measured.find((r) => r.kind === 'reference' && r.of === m.id);
    if (m.kind === 'function' && ref && ref.samples.length > 0 && m.samples.length > 0) {
      const refRatio = median(m.samples) / median(ref.samples);
      const paired = m.samples.map((x, i) => x / (ref.samples[i] ?? Number.NaN)).filter(Number.isFinite);
      row.against = {
        ref: ref.id.slice(ref.id.indexOf('@') + 1),
        ratio: refRatio,
        pairedRatio: paired.length > 0 ? median(paired) : Number.NaN,
        cpuRatio: median(m.cpuSamples) / median(ref.cpuSamples),
        bytes: ref.bundle.bytes,
        ok: refRatio <= TARGETS.refRatioMax,
      };
    }
    if (m.kind === 'function') {
      row.platformRatio = init ? init.median / platformMedian : Number.NaN;
      // Without the platform probe in the run (--only a subset), that verdict is not given.
      row.targets = {
        size: m.bundle.bytes <= TARGETS.bundleBytesMax,
        init: ratio <= TARGETS.initRatioMax,
        platform: !(row.platformRatio > TARGETS.platformRatioMax),
        noNetwork: m.network.length === 0,
      };
      row.topInputs = topInputs(m.bundle, ctx.root, TOP);
      row.topPackages = topPackages(m.bundle, ctx.root, TOP);
    }
    return row;
  });
}

const verdict = (ok: boolean | undefined): string => (ok === undefined ? '' : ok ? 'PASS' : 'FAIL');

function render(rows: readonly Row[], iterations: number): string {
  const out: string[] = [];
  const main = rows.filter((r) => r.kind === 'baseline' || r.kind === 'function');
  out.push(
    `Cold start: module init = await import(index.mjs) in a fresh Node ${process.version} process; median and p90 of ${iterations} runs per bundle, interleaved.`,
    `Targets per function: init median <= ${TARGETS.initRatioMax}x baseline (DynamoDBClient only) and <= ${TARGETS.platformRatioMax}x the platform probe, bundle <= ${TARGETS.bundleBytesMax / 1024} KB.`,
    'x base = median / baseline median (the verdict); paired x = median of per-iteration ratios; cpu = process CPU time over the import (less sensitive to other load).',
    '',
    table(
      [
        { header: 'bundle' },
        { header: 'size KB', align: 'right' },
        { header: 'gzip KB', align: 'right' },
        { header: 'init ms', align: 'right' },
        { header: 'p90 ms', align: 'right' },
        { header: 'x base', align: 'right' },
        { header: 'paired x', align: 'right' },
        { header: 'x platform', align: 'right' },
        { header: 'cpu ms', align: 'right' },
        { header: 'cpu x', align: 'right' },
        { header: 'size' },
        { header: 'init' },
        { header: 'network' },
      ],
      main.map((r) => [
        r.kind === 'function' ? r.id : `(${r.id})`,
        kb(r.bytes),
        kb(r.gzipBytes),
        fixed(r.init?.median ?? Number.NaN),
        fixed(r.init?.p90 ?? Number.NaN),
        fixed(r.ratio, 2),
        fixed(r.pairedRatio, 2),
        r.platformRatio === undefined ? '' : fixed(r.platformRatio, 2),
        fixed(r.cpu?.median ?? Number.NaN),
        fixed(r.cpuRatio, 2),
        verdict(r.targets?.size),
        r.network.length > 0 ? 'not timed' : verdict(r.targets ? r.targets.init && r.targets.platform : undefined),
        r.network.length > 0 ? `FAIL: ${r.network.join(', ')}` : r.kind === 'function' ? 'none' : '',
      ]),
    ),
  );

  const compared = rows.filter((r) => r.against);
  if (compared.length > 0) {
    out.push(
      '',
      `Against the same functions built from ${compared[0]!.against!.ref} in this run (target: init median <= ${TARGETS.refRatioMax}x; functions new since then have no row):`,
      '',
      table(
        [
          { header: 'function' },
          { header: 'size KB', align: 'right' },
          { header: 'ref KB', align: 'right' },
          { header: 'init ms', align: 'right' },
          { header: 'ref ms', align: 'right' },
          { header: 'x ref', align: 'right' },
          { header: 'paired x', align: 'right' },
          { header: 'cpu x', align: 'right' },
          { header: 'verdict' },
        ],
        compared.map((r) => {
          const ref = rows.find((x) => x.kind === 'reference' && x.id === `${r.id}@${r.against!.ref}`);
          return [
            r.id,
            kb(r.bytes),
            kb(r.against!.bytes),
            fixed(r.init?.median ?? Number.NaN),
            fixed(ref?.init?.median ?? Number.NaN),
            fixed(r.against!.ratio, 3),
            fixed(r.against!.pairedRatio, 3),
            fixed(r.against!.cpuRatio, 3),
            verdict(r.against!.ok),
          ];
        }),
      ),
    );
  }

  const probes = rows.filter((r) => r.kind === 'probe');
  if (probes.length > 0) {
    out.push(
      '',
      'What each library adds to the baseline (same interleaved run; deltas against the baseline median):',
      '',
      table(
        [
          { header: 'probe' },
          { header: 'size KB', align: 'right' },
          { header: '+KB', align: 'right' },
          { header: 'init ms', align: 'right' },
          { header: 'p90 ms', align: 'right' },
          { header: '+ms', align: 'right' },
          { header: 'x base', align: 'right' },
          { header: 'paired x', align: 'right' },
          { header: 'cpu ms', align: 'right' },
          { header: '+cpu ms', align: 'right' },
          { header: 'what' },
        ],
        probes.map((r) => [
          r.id,
          kb(r.bytes),
          signed(r.deltaBytes / 1024),
          fixed(r.init?.median ?? Number.NaN),
          fixed(r.init?.p90 ?? Number.NaN),
          signed(r.deltaMs),
          fixed(r.ratio, 2),
          fixed(r.pairedRatio, 2),
          fixed(r.cpu?.median ?? Number.NaN),
          signed(r.deltaCpuMs),
          r.network.length > 0 ? `NETWORK AT IMPORT: ${r.network.join(', ')}` : (r.note ?? ''),
        ]),
      ),
    );
    const all = probes.find((r) => r.id === '+all libraries');
    if (all?.init) {
      for (const fn of rows.filter((r) => r.kind === 'function' && r.init)) {
        out.push(
          `  ${fn.id}: ${fixed((fn.init?.median ?? 0) - all.init.median)} ms wall / ${fixed((fn.cpu?.median ?? 0) - (all.cpu?.median ?? 0))} ms CPU of its init is Clearway code and library use beyond the probes (${fn.id} - all libraries).`,
        );
      }
    }
  }

  const chain = rows.filter((r) => r.kind === 'chain');
  const base = rows.find((r) => r.kind === 'baseline');
  if (chain.length > 0 && base) {
    out.push('', 'Module chain: each step is the baseline plus every module up to that row (deltas against the previous step):', '');
    let previous = base;
    const lines: string[][] = [];
    for (const r of chain) {
      lines.push([
        r.note ?? r.entry,
        kb(r.bytes),
        signed((r.bytes - previous.bytes) / 1024),
        fixed(r.init?.median ?? Number.NaN),
        signed((r.init?.median ?? Number.NaN) - (previous.init?.median ?? Number.NaN)),
        fixed(r.cpu?.median ?? Number.NaN),
        signed((r.cpu?.median ?? Number.NaN) - (previous.cpu?.median ?? Number.NaN)),
        fixed(r.ratio, 2),
      ]);
      previous = r;
    }
    out.push(
      table(
        [
          { header: '+ module' },
          { header: 'size KB', align: 'right' },
          { header: '+KB', align: 'right' },
          { header: 'init ms', align: 'right' },
          { header: '+ms', align: 'right' },
          { header: 'cpu ms', align: 'right' },
          { header: '+cpu ms', align: 'right' },
          { header: 'x base', align: 'right' },
        ],
        lines,
      ),
    );
  }

  for (const r of rows.filter((x) => x.kind === 'function')) {
    const share = (c: Contributor) => `${fixed((c.bytesInOutput / r.bytes) * 100)}%`;
    out.push('', `Largest contributors to ${r.id} (${kb(r.bytes)} KB), by bytes in the minified output:`, '');
    out.push(
      table(
        [{ header: 'input file' }, { header: 'KB', align: 'right' }, { header: 'share', align: 'right' }],
        (r.topInputs ?? []).map((c) => [c.name, kb(c.bytesInOutput), share(c)]),
      ),
      '',
      table(
        [{ header: 'package' }, { header: 'KB', align: 'right' }, { header: 'share', align: 'right' }],
        (r.topPackages ?? []).map((c) => [c.name, kb(c.bytesInOutput), share(c)]),
      ),
    );
  }
  return out.join('\n');
}

function failuresOf(rows: readonly Row[]): string[] {
  const failures: string[] = [];
  for (const r of rows) {
    if (r.network.length > 0) failures.push(`${r.id}: network I/O at import (${r.network.join(', ')})`);
    if (!r.targets) continue;
    if (!r.targets.size) failures.push(`${r.id}: bundle ${kb(r.bytes)} KB > ${TARGETS.bundleBytesMax / 1024} KB`);
    if (!r.targets.init && r.network.length === 0)
      failures.push(`${r.id}: init ${fixed(r.init?.median ?? Number.NaN)} ms = ${fixed(r.ratio, 2)}x baseline > ${TARGETS.initRatioMax}x`);
    if (!r.targets.platform && r.network.length === 0)
      failures.push(`${r.id}: init ${fixed(r.platformRatio ?? Number.NaN, 2)}x the platform probe > ${TARGETS.platformRatioMax}x`);
    if (r.against && !r.against.ok) failures.push(`${r.id}: init ${fixed(r.against.ratio, 3)}x its build from ${r.against.ref} > ${TARGETS.refRatioMax}x`);
  }
  return failures;
}

/**
 * `--compare-ref <ref>`: the tree of that commit, exported with `git archive` (no worktree, no
 * checkout of this one touched) and given this checkout's node_modules, and one subject per
 * function it has, bundled from there exactly like the current ones.
 */
async function referenceSubjects(root: string, ref: string, dir: string): Promise<Subject[]> {
  await mkdir(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', '--format=tar', ref], { cwd: root, maxBuffer: 1024 ** 3 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: root, encoding: 'utf8' }).trim();
  return apiFunctions
    .filter((f) => existsSync(join(dir, FUNCTION_ENTRY(f.name))))
    .map(
      (f): Subject => ({
        id: `${f.name}@${ref}(${commit})`,
        kind: 'reference',
        entry: FUNCTION_ENTRY(f.name),
        root: dir,
        of: f.name,
        note: `${f.name} built from ${ref} (${commit})`,
      }),
    );
}

export const coldStart: Scenario = {
  name: 'cold-start',
  description: 'Bundle size and module-init time of each API function against a DynamoDB-client-only baseline',
  options: {
    iterations: { type: 'string', default: String(DEFAULT_ITERATIONS) },
    probes: { type: 'boolean', default: true },
    keep: { type: 'boolean', default: false },
    chain: { type: 'string' },
    'compare-ref': { type: 'string' },
  },
  optionHelp: {
    iterations: `fresh processes per bundle (at least ${MIN_ITERATIONS} for verdicts)`,
    probes: 'also measure baseline + one library at a time',
    keep: 'keep the bundles and print their directory',
    chain: 'comma-separated modules to attribute init cost to: baseline + a, + a + b, ...',
    'compare-ref':
      'a git ref (e.g. main): also bundle every function from that commit (git archive into a temporary tree using this node_modules) and time both builds interleaved in this run',
  },
  async run(ctx): Promise<ScenarioResult> {
    const iterations = Number(ctx.options.iterations);
    if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`--iterations must be a positive integer, got ${String(ctx.options.iterations)}`);
    if (iterations < MIN_ITERATIONS) ctx.progress.log(`[cold-start] warning: ${iterations} iterations; verdicts need at least ${MIN_ITERATIONS}.`);

    const subjects: Subject[] = [
      { id: 'baseline', kind: 'baseline', entry: `${FIXTURES}/baseline.ts` },
      ...apiFunctions.map((f): Subject => ({ id: f.name, kind: 'function', entry: FUNCTION_ENTRY(f.name) })),
      ...(ctx.options.probes ? PROBES : []),
      ...(typeof ctx.options.chain === 'string'
        ? chainSubjects(
            ctx.root,
            ctx.options.chain
              .split(',')
              .map((m) => m.trim())
              .filter(Boolean),
          )
        : []),
    ];

    const workDir = await mkdtemp(join(tmpdir(), 'clearway-bench-cold-start-'));
    const ref = typeof ctx.options['compare-ref'] === 'string' ? ctx.options['compare-ref'] : undefined;
    if (ref) subjects.push(...(await referenceSubjects(ctx.root, ref, join(workDir, 'ref-tree'))));
    try {
      const rows = toRows(ctx, await measure(ctx, subjects, iterations, workDir));
      const failures = failuresOf(rows);
      if (iterations < MIN_ITERATIONS) failures.push(`only ${iterations} iterations: init verdicts are not reliable (use >= ${MIN_ITERATIONS})`);
      return {
        report: render(rows, iterations),
        failures,
        data: {
          method: {
            iterations,
            measure: 'performance.now() around await import(bundle) in a fresh process, after one discarded guarded warm-up per bundle',
            order: 'interleaved, rotated each iteration',
            childEnv: Object.keys(COLD_START_ENV),
            esbuild: esbuildVersion,
          },
          targets: TARGETS,
          results: rows,
        },
      };
    } finally {
      if (ctx.options.keep) ctx.progress.log(`[cold-start] bundles kept in ${workDir}`);
      else await rm(workDir, { recursive: true, force: true });
    }
  },
};
