import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium, PHONE, seedTaskBoard, startConsoleServer, type ConsoleServer } from '../../support/browser.ts';
import type { Scenario } from '../lib/scenario.ts';
import { median } from '../lib/stats.ts';
import { fixed, table } from '../lib/table.ts';

/**
 * The web console's budget (issue 8), in Debian's Chromium against `npm start`:
 *
 * 1. First-load JavaScript: every script the browser fetched, on a first visit (empty cache, no
 *    service worker), until the first task card of a deminer's board is on screen — gzipped
 *    (level 6, what a CDN or server applies) ≤ 250 KB. The sign-in page's share is reported too.
 * 2. First render of the task board — navigation start until the first task card is painted,
 *    signed in as a deminer whose team has tasks — ≤ 1.5× the same measure for a static page of
 *    the same byte size (HTML only, its last element painted) served by the same server.
 *    Fresh browser contexts (cold cache), measured alternately, median of `--web-budget-runs`.
 */
const JS_BUDGET_GZIP = 250 * 1024;
const RENDER_TARGET = 1.5;
/** The static page's file in the served directory, removed afterwards. */
const STATIC_PAGE = 'bench-static-page.html';

/**
 * Records `performance.now()` (ms from navigation start) at the first frame painted after an
 * element matching `selector` appears: the same probe for the board and the static page.
 */
const probe = (selector: string) => `(() => {
  const mark = () => requestAnimationFrame(() => { window.__firstRender = performance.now(); });
  const check = () => { if (document.querySelector(${JSON.stringify(selector)})) { observer.disconnect(); mark(); return true; } return false; };
  const observer = new MutationObserver(check);
  const start = () => { if (!check()) observer.observe(document, { childList: true, subtree: true }); };
  if (document.documentElement) start(); else document.addEventListener('readystatechange', start, { once: true });
})();`;

interface Load {
  ms: number;
  /** Bytes of every response, by resource type (uncompressed, as served). */
  bytes: Record<string, number>;
  /** Scripts: URL path → gzipped size. */
  scripts: Map<string, { raw: number; gzip: number }>;
}

async function measure(browser: Browser, url: string, selector: string, options: BrowserContextOptions): Promise<Load> {
  const context = await browser.newContext({ ...options, serviceWorkers: 'block' });
  try {
    const page: Page = await context.newPage();
    await page.addInitScript(probe(selector));
    const bytes: Record<string, number> = {};
    const scripts = new Map<string, { raw: number; gzip: number }>();
    const pending: Promise<void>[] = [];
    page.on('response', (res) => {
      pending.push(
        res.body().then(
          (body) => {
            const type = res.request().resourceType();
            bytes[type] = (bytes[type] ?? 0) + body.length;
            if (type === 'script') scripts.set(new URL(res.url()).pathname, { raw: body.length, gzip: gzipSync(body, { level: 6 }).length });
          },
          () => undefined,
        ),
      );
    });
    await page.goto(url, { waitUntil: 'commit' });
    // A function, not a string: the console's CSP refuses eval, which string predicates use.
    await page.waitForFunction(() => typeof (globalThis as { __firstRender?: unknown }).__firstRender === 'number', undefined, { timeout: 30_000 });
    const ms = Number(await page.evaluate(() => (globalThis as { __firstRender?: unknown }).__firstRender));
    await Promise.all(pending);
    return { ms, bytes, scripts };
  } finally {
    await context.close();
  }
}

/** An HTML page of exactly `size` bytes: paragraphs of text, then the element the probe waits for. */
function staticPage(size: number): string {
  const head = '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Static page</title></head><body><main>';
  const tail = '<article id="card">Static card</article></main></body></html>';
  const paragraph = '<p>Clearway static page of the same size as the task board: hazard areas, tasks, progress reports and land release along the border.</p>\n';
  let body = '';
  while (head.length + body.length + paragraph.length + tail.length <= size) body += paragraph;
  body += '<!--' + 'x'.repeat(Math.max(0, size - head.length - body.length - tail.length - 7)) + '-->';
  return head + body + tail;
}

const kb = (n: number) => fixed(n / 1024, 1);

export const webBudget: Scenario = {
  name: 'web-budget',
  description: "web console: first-load JS gzipped ≤ 250 KB; task board's first render ≤ 1.5× a static page of the same size",
  options: { 'web-budget-runs': { type: 'string', default: '12' } },
  optionHelp: { 'web-budget-runs': 'measurements of each page (median; at least 10)' },
  async run(ctx) {
    const runs = Math.max(10, Number(ctx.options['web-budget-runs']));
    ctx.progress.update('web-budget: starting npm start');
    let cs: ConsoleServer | undefined;
    let browser: Browser | undefined;
    try {
      cs = await startConsoleServer();
      browser = await launchChromium();
      ctx.progress.update('web-budget: seeding a team with tasks');
      const { signedIn } = await seedTaskBoard(cs);
      const board = () => measure(browser!, `${cs!.base}/#/tasks`, '[data-testid^="task-card-"]', signedIn);

      ctx.progress.update('web-budget: first visits');
      const signInPage = await measure(browser, `${cs.base}/`, '[data-testid="signin-form"]', { viewport: PHONE });
      const first = await board();
      const jsGzip = [...first.scripts.values()].reduce((sum, s) => sum + s.gzip, 0);
      const jsRaw = [...first.scripts.values()].reduce((sum, s) => sum + s.raw, 0);
      const signInJsGzip = [...signInPage.scripts.values()].reduce((sum, s) => sum + s.gzip, 0);
      const boardBytes = Object.values(first.bytes).reduce((a, b) => a + b, 0);

      const staticFile = join(ctx.root, 'web', 'dist', STATIC_PAGE);
      await writeFile(staticFile, staticPage(boardBytes));
      const times = { board: [] as number[], static: [] as number[] };
      try {
        // Warm-up of both (the server's file reads, the browser's process), then alternate.
        await board();
        await measure(browser, `${cs.base}/${STATIC_PAGE}`, '#card', { viewport: PHONE });
        for (let i = 0; i < runs; i++) {
          ctx.progress.update(`web-budget: render ${i + 1}/${runs}`);
          const order = i % 2 === 0 ? (['board', 'static'] as const) : (['static', 'board'] as const);
          for (const which of order) {
            const load = which === 'board' ? await board() : await measure(browser, `${cs.base}/${STATIC_PAGE}`, '#card', { viewport: PHONE });
            times[which].push(load.ms);
          }
        }
      } finally {
        await rm(staticFile, { force: true });
      }
      const boardMs = median(times.board);
      const staticMs = median(times.static);
      const ratio = boardMs / staticMs;
      const jsPass = jsGzip <= JS_BUDGET_GZIP;
      const renderPass = ratio <= RENDER_TARGET;
      const report = [
        'Scripts fetched on a first visit until the first task card is painted (deminer, 390×844, empty cache):',
        table(
          [{ header: 'script' }, { header: 'KB', align: 'right' }, { header: 'KB gzip', align: 'right' }],
          [...first.scripts].map(([path, s]) => [path, kb(s.raw), kb(s.gzip)]),
        ),
        `sign-in page alone: ${kb(signInJsGzip)} KB gzip; task board: ${kb(jsRaw)} KB, ${kb(jsGzip)} KB gzip`,
        `target: first-load JS ≤ ${JS_BUDGET_GZIP / 1024} KB gzip → ${jsPass ? 'PASS' : 'FAIL'} (${kb(jsGzip)} KB)`,
        '',
        `First render, navigation start → first painted frame with the element, fresh context each time, alternating, ${runs} each:`,
        table(
          [{ header: 'page' }, { header: 'bytes', align: 'right' }, { header: 'median ms', align: 'right' }, { header: 'min ms', align: 'right' }, { header: 'max ms', align: 'right' }],
          [
            ['task board (first task card)', String(boardBytes), fixed(boardMs, 1), fixed(Math.min(...times.board), 1), fixed(Math.max(...times.board), 1)],
            ['static page, same size', String(boardBytes), fixed(staticMs, 1), fixed(Math.min(...times.static), 1), fixed(Math.max(...times.static), 1)],
          ],
        ),
        `target: board ≤ ${RENDER_TARGET}× static → ${renderPass ? 'PASS' : 'FAIL'} (${fixed(ratio, 2)}×)`,
      ].join('\n');
      return {
        report,
        failures: [
          ...(jsPass ? [] : [`web-budget: first-load JS ${kb(jsGzip)} KB gzip > ${JS_BUDGET_GZIP / 1024} KB`]),
          ...(renderPass ? [] : [`web-budget: first render ${fixed(ratio, 2)}× the static page > ${RENDER_TARGET}×`]),
        ],
        data: {
          jsBudgetGzip: JS_BUDGET_GZIP,
          jsGzip,
          jsRaw,
          signInJsGzip,
          scripts: Object.fromEntries(first.scripts),
          boardBytes,
          bytesByType: first.bytes,
          renderTarget: RENDER_TARGET,
          boardMs,
          staticMs,
          ratio,
          runs,
          times,
        },
      };
    } finally {
      ctx.progress.clear();
      await browser?.close();
      await cs?.stop();
    }
  },
};
