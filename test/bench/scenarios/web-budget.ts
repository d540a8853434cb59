import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { launchChromium, PHONE_CONTEXT, seedTaskBoard, startConsoleServer, warmTaskBoardRead, type ConsoleServer } from '../../support/browser.ts';
import type { Scenario } from '../lib/scenario.ts';
import { firstRenderProbe, loadUntilFirstRender, settle, staticPage } from '../lib/first-render.ts';
import { median } from '../lib/stats.ts';
import { fixed, table } from '../lib/table.ts';

/**
 * The web console's budget, in Debian's Chromium against `npm start`:
 *
 * 1. First-load JavaScript: every script the browser fetched, on a first visit (empty cache, no
 *    service worker), until the first task card of a deminer's board is on screen — gzipped
 *    (level 6, what a CDN or server applies) ≤ 250 KB. The sign-in page's share is reported too.
 * 2. First render of the task board — navigation start until the first task card is painted,
 *    signed in as a deminer whose team has tasks — ≤ 1.5× the same measure for a static page of
 *    the same byte size (HTML only, its last element painted) served by the same server.
 *    Fresh browser contexts (cold cache) on the same emulated phone, after the board's API read
 *    has been warmed up and warm-up loads of both; measured alternately with a short pause after
 *    each, median of `--web-budget-runs`. The probe reports by a console message
 *    (lib/first-render.ts): nothing is evaluated in the page while it loads, and the timed loads
 *    read no response bodies.
 */
const JS_BUDGET_GZIP = 250 * 1024;
const RENDER_TARGET = 1.5;
/** Loads of each page before the measured ones. */
const WARM_UP = 3;
/** The static page's file in the served directory, removed afterwards. */
const STATIC_PAGE = 'bench-static-page.html';

interface Load {
  ms: number;
  /** Bytes of every response, by resource type (uncompressed, as served). */
  bytes: Record<string, number>;
  /** Scripts: URL path → gzipped size. */
  scripts: Map<string, { raw: number; gzip: number }>;
}

/**
 * One first visit of `url` in a fresh context (empty cache, no service worker) until the probe
 * fires. With `sizes`, every response's body is read too (to size the scripts): the CDP calls that
 * takes run during the load, so timed loads leave it off.
 */
async function measure(browser: Browser, url: string, selector: string, options: BrowserContextOptions, sizes = false): Promise<Load> {
  const context = await browser.newContext({ ...options, serviceWorkers: 'block' });
  try {
    const page: Page = await context.newPage();
    await page.addInitScript(firstRenderProbe(selector));
    const bytes: Record<string, number> = {};
    const scripts = new Map<string, { raw: number; gzip: number }>();
    const pending: Promise<void>[] = [];
    if (sizes) {
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
    }
    const ms = await loadUntilFirstRender(page, url);
    await Promise.all(pending);
    return { ms, bytes, scripts };
  } finally {
    await context.close();
    await settle();
  }
}

const kb = (n: number) => fixed(n / 1024, 1);

export const webBudget: Scenario = {
  name: 'web-budget',
  description: "web console: first-load JS gzipped ≤ 250 KB; task board's first render ≤ 1.5× a static page of the same size",
  options: { 'web-budget-runs': { type: 'string', default: '20' } },
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
      const { deminer, signedIn } = await seedTaskBoard(cs);
      ctx.progress.update('web-budget: warming the API');
      await warmTaskBoardRead(cs, deminer);
      // The same phone for every page: the board's context only adds the signed-in storage.
      const phone = PHONE_CONTEXT;
      const board = (sizes = false) => measure(browser!, `${cs!.base}/#/tasks`, '[data-testid^="task-card-"]', signedIn, sizes);
      const page = () => measure(browser!, `${cs!.base}/${STATIC_PAGE}`, '#card', phone);

      ctx.progress.update('web-budget: first visits');
      const signInPage = await measure(browser, `${cs.base}/`, '[data-testid="signin-form"]', phone, true);
      const first = await board(true);
      const jsGzip = [...first.scripts.values()].reduce((sum, s) => sum + s.gzip, 0);
      const jsRaw = [...first.scripts.values()].reduce((sum, s) => sum + s.raw, 0);
      const signInJsGzip = [...signInPage.scripts.values()].reduce((sum, s) => sum + s.gzip, 0);
      const boardBytes = Object.values(first.bytes).reduce((a, b) => a + b, 0);

      const staticFile = join(ctx.root, 'web', 'dist', STATIC_PAGE);
      await writeFile(staticFile, staticPage(boardBytes));
      const times = { board: [] as number[], static: [] as number[] };
      try {
        // Warm-up (the server's code paths, Chromium's processes), then alternate.
        for (let i = 0; i < WARM_UP; i++) {
          ctx.progress.update(`web-budget: warm-up ${i + 1}/${WARM_UP}`);
          await board();
          await page();
        }
        for (let i = 0; i < runs; i++) {
          ctx.progress.update(`web-budget: render ${i + 1}/${runs}`);
          const order = i % 2 === 0 ? (['board', 'static'] as const) : (['static', 'board'] as const);
          for (const which of order) {
            const load = which === 'board' ? await board() : await page();
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
          [
            { header: 'page' },
            { header: 'bytes', align: 'right' },
            { header: 'median ms', align: 'right' },
            { header: 'min ms', align: 'right' },
            { header: 'max ms', align: 'right' },
          ],
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
