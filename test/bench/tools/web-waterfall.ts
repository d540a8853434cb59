/**
 * Where does the task board's first render go? `node test/bench/tools/web-waterfall.ts [--runs 5]`
 *
 * Starts `npm start`, seeds a deminer's team with tasks as the web-budget scenario does, then
 * loads the signed-in board (phone, fresh context, service workers blocked: a first visit)
 * `--runs` times, alternating with web-budget's static page of the same size (the ratio of the
 * medians, for a quick look; the scenario is the measure), and prints each run's milestones
 * (HTML in, assets asked and in, the API read asked / queued / on the server / in, DCL, first
 * paint, long tasks, first render) and, for the median run, the critical path relative to navigation
 * start: every request's start / responseStart / responseEnd (Resource and Navigation Timing),
 * DOMContentLoaded, each script's evaluation on the main thread (a Chromium trace), the API
 * calls as the page issued and received them, long tasks, and the first-render probe (the
 * web-budget one: the first frame painted after the first task card appears). Then the
 * server's own times, from Node without a browser: `GET /v1/tasks?limit=100` (the board's
 * read on DynamoDB Local) and the static files, with the headers they carry. `--profile` adds a
 * sampled CPU profile of one more load until the first render: self time by function and file.
 * `--bodies` adds board loads, alternating with plain ones, that read every response's body
 * while the page loads (as web-budget does to size the JavaScript): what that reading costs.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { launchChromium, PHONE_CONTEXT, seedTaskBoard, warmTaskBoardRead, startConsoleServer, type ConsoleServer } from '../../support/browser.ts';
import { repoRoot } from '../../support/local-server.ts';
import { firstRenderProbe, loadUntilFirstRender, settle, staticPage } from '../lib/first-render.ts';
import { median } from '../lib/stats.ts';
import { fixed, table } from '../lib/table.ts';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, profile: { type: 'boolean', default: false }, bodies: { type: 'boolean', default: false } },
});
const RUNS = Math.max(1, Number(args.runs));
/** Not web-budget's file name, so the two can run at once. */
const STATIC_PAGE = 'waterfall-static-page.html';

/** The first-render probe of web-budget (lib/first-render.ts), plus a record of fetches and long tasks. */
const instrument = (selector: string) => `${firstRenderProbe(selector)}
(() => {
  window.__fetches = [];
  const original = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const entry = { url, issued: performance.now(), answered: undefined };
    window.__fetches.push(entry);
    const p = original.call(this, input, init);
    p.then(() => { entry.answered = performance.now(); }, () => undefined);
    return p;
  };
  window.__longTasks = [];
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true }); } catch {}
})();`;

interface Row {
  what: string;
  start: number;
  firstByte?: number;
  end?: number;
  note?: string;
}

interface Run {
  firstRender: number;
  /** Milestones: ms from navigation start. */
  milestones: Record<string, number>;
  rows: Row[];
  /** Decoded bytes of the page and every response it received (what web-budget sizes the static page by). */
  bytes: number;
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  pid: number;
  ts: number;
  dur?: number;
  args?: { data?: { url?: string; frame?: string }; frame?: string };
}

async function loadOnce(
  browser: Browser,
  url: string,
  options: BrowserContextOptions,
  trace: boolean,
  selector = '[data-testid^="task-card-"]',
  readBodies = false,
): Promise<Run> {
  const context = await browser.newContext({ ...options, serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    const reads: Promise<unknown>[] = [];
    if (readBodies) page.on('response', (res) => reads.push(res.body().catch(() => undefined)));
    await page.addInitScript(instrument(selector));
    if (trace) await browser.startTracing(page, { categories: ['devtools.timeline', 'v8', 'blink.user_timing', 'loading'] });
    await loadUntilFirstRender(page, url);
    await Promise.all(reads);
    await page.waitForTimeout(100);
    const events = trace ? (JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents : [];
    const data = (await page.evaluate(() => {
      const g = globalThis as unknown as {
        __firstRender: number;
        __fetches: { url: string; issued: number; answered?: number }[];
        __longTasks: [number, number][];
      };
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const res = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => ({
        name: r.name,
        type: r.initiatorType,
        start: r.startTime,
        requestStart: r.requestStart,
        firstByte: r.responseStart,
        end: r.responseEnd,
        size: r.transferSize,
        body: r.decodedBodySize,
      }));
      const paints = performance.getEntriesByType('paint').map((p) => [p.name, p.startTime] as const);
      return {
        firstRender: g.__firstRender,
        fetches: g.__fetches,
        longTasks: g.__longTasks,
        bytes: nav.decodedBodySize + (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).reduce((n, r) => n + r.decodedBodySize, 0),
        nav: {
          requestStart: nav.requestStart,
          responseStart: nav.responseStart,
          responseEnd: nav.responseEnd,
          domInteractive: nav.domInteractive,
          dcl: nav.domContentLoadedEventStart,
          load: nav.loadEventStart,
        },
        res,
        paints,
      };
    })) as {
      firstRender: number;
      bytes: number;
      fetches: { url: string; issued: number; answered?: number }[];
      longTasks: [number, number][];
      nav: Record<string, number>;
      res: { name: string; type: string; start: number; requestStart: number; firstByte: number; end: number; size: number; body: number }[];
      paints: (readonly [string, number])[];
    };
    const short = (u: string) => {
      const x = new URL(u, 'http://x');
      return (x.pathname + x.search).replace(/^\/assets\//, '');
    };
    const rows: Row[] = [{ what: 'document', start: 0, firstByte: data.nav.responseStart!, end: data.nav.responseEnd! }];
    for (const r of data.res)
      rows.push({ what: `${r.type} ${short(r.name)}`, start: r.start, firstByte: r.firstByte, end: r.end, note: `${(r.body / 1024).toFixed(1)} KB` });
    for (const f of data.fetches)
      rows.push({ what: `fetch() called ${short(f.url)}`, start: f.issued, ...(f.answered === undefined ? {} : { end: f.answered }) });
    rows.push({ what: 'DOMContentLoaded', start: data.nav.dcl! });
    rows.push({ what: 'load', start: data.nav.load! });
    for (const [name, at] of data.paints) rows.push({ what: name, start: at });
    for (const [at, dur] of data.longTasks) rows.push({ what: `long task ${fixed(dur, 0)} ms`, start: at, end: at + dur });
    // Main-thread script evaluation and other big slices, from the trace (µs since an origin of its own).
    const navStart = events.find(
      (e) =>
        e.name === 'navigationStart' &&
        e.args?.data &&
        (e.args.data as { isLoadingMainFrame?: boolean }).isLoadingMainFrame !== false &&
        (e.args.data as { documentLoaderURL?: string }).documentLoaderURL?.startsWith('http'),
    );
    if (navStart) {
      const rel = (ts: number) => (ts - navStart.ts) / 1000;
      for (const e of events) {
        if (e.ph !== 'X' || e.pid !== navStart.pid || e.ts < navStart.ts || rel(e.ts) > data.firstRender + 20) continue;
        const dur = (e.dur ?? 0) / 1000;
        if ((e.name === 'EvaluateScript' || e.name === 'v8.evaluateModule' || e.name === 'v8.compileModule') && dur >= 0.5)
          rows.push({ what: `${e.name} ${short(e.args?.data?.url ?? '?')}`, start: rel(e.ts), end: rel(e.ts) + dur });
        else if (
          (e.name === 'ParseHTML' ||
            e.name === 'FunctionCall' ||
            e.name === 'RunMicrotasks' ||
            e.name === 'UpdateLayoutTree' ||
            e.name === 'Layout' ||
            e.name === 'Paint' ||
            e.name === 'ParseAuthorStyleSheet') &&
          dur >= 1
        )
          rows.push({ what: `${e.name}${e.args?.data?.url ? ' ' + short(e.args.data.url) : ''}`, start: rel(e.ts), end: rel(e.ts) + dur });
      }
    }
    rows.push({ what: 'FIRST RENDER (probe)', start: data.firstRender });
    rows.sort((a, b) => a.start - b.start);
    const scripts = data.res.filter((r) => r.name.includes('/assets/') && r.name.endsWith('.js'));
    const api = data.fetches.find((f) => f.url.includes('/v1/tasks'));
    const apiRes = data.res.find((r) => r.name.includes('/v1/tasks'));
    const milestones: Record<string, number> = {
      'html done': data.nav.responseEnd!,
      'first asset asked': Math.min(...data.res.map((r) => r.start)),
      'last script in': Math.max(...scripts.map((r) => r.end)),
      'API asked': api?.issued ?? NaN,
      'API queued': apiRes ? apiRes.requestStart - apiRes.start : NaN,
      'API server': apiRes ? apiRes.firstByte - apiRes.requestStart : NaN,
      'API first byte': apiRes?.firstByte ?? NaN,
      'API in (JS)': api?.answered ?? NaN,
      DCL: data.nav.dcl!,
      'first paint': data.paints.find(([n]) => n === 'first-paint')?.[1] ?? NaN,
      'long tasks ms': data.longTasks.filter(([at]) => at < data.firstRender).reduce((n, [, d]) => n + d, 0),
      'first render': data.firstRender,
    };
    return { firstRender: data.firstRender, milestones, rows, bytes: data.bytes };
  } finally {
    await context.close();
    await settle();
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

/** One load under the DevTools CPU profiler (100 µs sampling) until the first render: the functions with the most self time. */
async function profileOnce(browser: Browser, url: string, options: BrowserContextOptions): Promise<string> {
  const context = await browser.newContext({ ...options, serviceWorkers: 'block' });
  try {
    const page = await context.newPage();
    await page.addInitScript(instrument('[data-testid^="task-card-"]'));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    const firstRender = await loadUntilFirstRender(page, url);
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const f = byId.get(id)!.callFrame;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      const file = f.url ? new URL(f.url).pathname.replace(/^\/assets\//, '') : '';
      const key =
        f.functionName === '(idle)' || f.functionName === '(program)' || f.functionName === '(garbage collector)'
          ? f.functionName
          : `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + ms);
      total += ms;
    });
    const byFile = new Map<string, number>();
    for (const [key, ms] of self) {
      const file = key.startsWith('(')
        ? key
        : key
            .split(' ')
            .slice(1)
            .join(' ')
            .replace(/:\d+:\d+$/, '') || '(native)';
      byFile.set(file, (byFile.get(file) ?? 0) + ms);
    }
    const top = (m: Map<string, number>, n: number) =>
      [...m]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, ms]) => [k.slice(0, 90), fixed(ms, 1)]);
    return [
      `CPU profile of one load (first render ${fixed(firstRender, 1)} ms; ${fixed(total, 0)} ms sampled), self time by file:`,
      table([{ header: 'file' }, { header: 'ms', align: 'right' }], top(byFile, 12)),
      'by function:',
      table([{ header: 'function' }, { header: 'ms', align: 'right' }], top(self, 20)),
    ].join('\n');
  } finally {
    await context.close();
    await settle();
  }
}

async function timeServer(cs: ConsoleServer, token: string): Promise<string> {
  const out: string[] = [];
  const html = await (await fetch(`${cs.base}/`)).text();
  const assets = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!);
  const targets: { label: string; path: string; headers: Record<string, string> }[] = [
    { label: 'GET /v1/tasks?limit=100 (deminer)', path: '/v1/tasks?limit=100', headers: { authorization: `Bearer ${token}`, accept: 'application/json' } },
    { label: 'GET / (index.html)', path: '/', headers: { 'accept-encoding': 'gzip, br' } },
    ...assets
      .filter((a) => a.endsWith('.js') || a.endsWith('.css'))
      .map((a) => ({ label: `GET ${a.replace(/^\/assets\//, '')}`, path: a, headers: { 'accept-encoding': 'gzip, br' } })),
  ];
  const rows: string[][] = [];
  for (const t of targets) {
    const first: number[] = [];
    const whole: number[] = [];
    let res: Response | undefined;
    let bytes = 0;
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      res = await fetch(`${cs.base}${t.path}`, { headers: t.headers });
      first.push(performance.now() - started);
      bytes = (await res.arrayBuffer()).byteLength;
      whole.push(performance.now() - started);
    }
    rows.push([
      t.label,
      String(res!.status),
      String(bytes),
      res!.headers.get('content-encoding') ?? '-',
      fixed(median(first), 1),
      fixed(median(whole), 1),
      fixed(Math.min(...whole), 1),
    ]);
  }
  out.push('Server, from Node (keep-alive), 15 requests each:');
  out.push(
    table(
      [
        { header: 'request' },
        { header: 'status', align: 'right' },
        { header: 'bytes', align: 'right' },
        { header: 'enc' },
        { header: 'headers ms', align: 'right' },
        { header: 'median ms', align: 'right' },
        { header: 'min ms', align: 'right' },
      ],
      rows,
    ),
  );
  const sample = await fetch(`${cs.base}/`, { headers: { 'accept-encoding': 'gzip' } });
  out.push('index.html headers: ' + JSON.stringify(Object.fromEntries(sample.headers)));
  await sample.arrayBuffer();
  const js = assets.find((a) => a.endsWith('.js'));
  if (js) {
    const r = await fetch(`${cs.base}${js}`, { headers: { 'accept-encoding': 'gzip' } });
    out.push(`${js} headers: ` + JSON.stringify(Object.fromEntries(r.headers)));
    await r.arrayBuffer();
  }
  return out.join('\n');
}

// Output piped into `head` must not kill the tool before it stops the server it started.
process.stdout.on('error', () => undefined);
const cs = await startConsoleServer();
let browser: Browser | undefined;
try {
  browser = await launchChromium();
  const { deminer, signedIn } = await seedTaskBoard(cs);
  await warmTaskBoardRead(cs, deminer); // as web-budget does
  await loadOnce(browser, `${cs.base}/#/tasks`, signedIn, false); // warm-up
  const runs: Run[] = [];
  // The static page web-budget compares with, alternating with the board as it does.
  const staticPath = join(repoRoot, 'web', 'dist', STATIC_PAGE);
  const probeRun = await loadOnce(browser, `${cs.base}/#/tasks`, signedIn, false);
  await writeFile(staticPath, staticPage(probeRun.bytes));
  const staticTimes: number[] = [];
  try {
    await loadOnce(browser, `${cs.base}/${STATIC_PAGE}`, PHONE_CONTEXT, false, '#card');
    for (let i = 0; i < RUNS; i++) {
      const board = () => loadOnce(browser!, `${cs.base}/#/tasks`, signedIn, false);
      const page = () => loadOnce(browser!, `${cs.base}/${STATIC_PAGE}`, PHONE_CONTEXT, false, '#card');
      if (i % 2 === 0) {
        runs.push(await board());
        staticTimes.push((await page()).firstRender);
      } else {
        staticTimes.push((await page()).firstRender);
        runs.push(await board());
      }
    }
  } finally {
    await rm(staticPath, { force: true });
  }
  const times = runs.map((r) => r.firstRender);
  const sorted = [...runs].sort((a, b) => a.firstRender - b.firstRender);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)]!;
  process.stdout.write(`board first render (ms): ${times.map((t) => fixed(t, 0)).join(', ')}; median ${fixed(median(times), 1)} (${probeRun.bytes} bytes)\n`);
  process.stdout.write(`static page, same size (ms): ${staticTimes.map((t) => fixed(t, 0)).join(', ')}; median ${fixed(median(staticTimes), 1)}\n`);
  process.stdout.write(`ratio of medians: ${fixed(median(times) / median(staticTimes), 2)}\n\n`);
  const keys = Object.keys(runs[0]!.milestones);
  process.stdout.write('Milestones of each run (ms from navigation start), sorted by first render:\n');
  process.stdout.write(
    table(
      keys.map((k) => ({ header: k, align: 'right' as const })),
      [
        ...sorted.map((r) => keys.map((k) => fixed(r.milestones[k]!, 0))),
        keys.map(() => '---'),
        keys.map((k) => fixed(median(runs.map((r) => r.milestones[k]!)), 0)),
      ],
    ) + '\n(last line: medians)\n\n',
  );
  process.stdout.write(`Critical path of the median run (${fixed(mid.firstRender, 1)} ms), ms from navigation start:\n`);
  process.stdout.write(
    table(
      [
        { header: 'what' },
        { header: 'start', align: 'right' },
        { header: 'first byte', align: 'right' },
        { header: 'end', align: 'right' },
        { header: 'note' },
      ],
      mid.rows.map((r) => [
        r.what,
        fixed(r.start, 1),
        r.firstByte === undefined ? '' : fixed(r.firstByte, 1),
        r.end === undefined ? '' : fixed(r.end, 1),
        r.note ?? '',
      ]),
    ) + '\n\n',
  );
  if (args.bodies) {
    const plain: number[] = [];
    const reading: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = () => loadOnce(browser!, `${cs.base}/#/tasks`, signedIn, false);
      const b = () => loadOnce(browser!, `${cs.base}/#/tasks`, signedIn, false, '[data-testid^="task-card-"]', true);
      if (i % 2 === 0) {
        plain.push((await a()).firstRender);
        reading.push((await b()).firstRender);
      } else {
        reading.push((await b()).firstRender);
        plain.push((await a()).firstRender);
      }
    }
    process.stdout.write(`board, plain (ms): ${plain.map((t) => fixed(t, 0)).join(', ')}; median ${fixed(median(plain), 1)}\n`);
    process.stdout.write(`board, reading every body meanwhile (ms): ${reading.map((t) => fixed(t, 0)).join(', ')}; median ${fixed(median(reading), 1)}\n\n`);
  }
  // Tracing slows the page down (roughly 1.5-2x here): its run shows where the main thread goes, not how long.
  const traced = await loadOnce(browser, `${cs.base}/#/tasks`, signedIn, true);
  process.stdout.write(
    `One run traced (main-thread slices ≥ 1 ms, script compile/evaluation ≥ 0.5 ms; tracing slows it: ${fixed(traced.firstRender, 1)} ms):\n`,
  );
  process.stdout.write(
    table(
      [
        { header: 'what' },
        { header: 'start', align: 'right' },
        { header: 'first byte', align: 'right' },
        { header: 'end', align: 'right' },
        { header: 'note' },
      ],
      traced.rows.map((r) => [
        r.what,
        fixed(r.start, 1),
        r.firstByte === undefined ? '' : fixed(r.firstByte, 1),
        r.end === undefined ? '' : fixed(r.end, 1),
        r.note ?? '',
      ]),
    ) + '\n\n',
  );
  if (args.profile) process.stdout.write((await profileOnce(browser, `${cs.base}/#/tasks`, signedIn)) + '\n\n');
  process.stdout.write((await timeServer(cs, deminer)) + '\n');
} finally {
  await browser?.close();
  await cs.stop();
}
