import type { Page } from 'playwright-core';

/**
 * The first-render probe of the web console's benches (scenarios/web-budget.ts,
 * tools/web-waterfall.ts): an init script that records `performance.now()` (ms from navigation
 * start) in the first animation frame after an element matching `selector` is in the document,
 * and reports it as a console message.
 *
 * The harness waits for that message rather than polling the page: `page.waitForFunction` (or
 * any `evaluate`) during the load makes Playwright compile its injected script in the page's
 * main world, a task of 20–70 ms on the main thread of a 2-core machine, landing at a random
 * point of the load it is meant to measure. Nothing is evaluated in the page until the probe has
 * fired.
 */
const MESSAGE = 'clearway:first-render';

export const firstRenderProbe = (selector: string): string => `(() => {
  const mark = () => requestAnimationFrame(() => { window.__firstRender = performance.now(); console.debug(${JSON.stringify(MESSAGE)} + ' ' + window.__firstRender); });
  const check = () => { if (document.querySelector(${JSON.stringify(selector)})) { observer.disconnect(); mark(); return true; } return false; };
  const observer = new MutationObserver(check);
  const start = () => { if (!check()) observer.observe(document, { childList: true, subtree: true }); };
  if (document.documentElement) start(); else document.addEventListener('readystatechange', start, { once: true });
})();`;

/** After a browser context is closed: a pause for its renderer process to go before the next load starts. */
export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 250));

/**
 * Navigates `page` (whose init scripts include `firstRenderProbe`) to `url` and resolves with the
 * probe's time, in ms from navigation start.
 */
export async function loadUntilFirstRender(page: Page, url: string, timeout = 30_000): Promise<number> {
  const reported = page.waitForEvent('console', { predicate: (m) => m.text().startsWith(`${MESSAGE} `), timeout });
  reported.catch(() => undefined); // a failed navigation throws below instead
  await page.goto(url, { waitUntil: 'commit', timeout });
  const message = await reported;
  const ms = Number(message.text().slice(MESSAGE.length + 1));
  if (!Number.isFinite(ms)) throw new Error(`first-render probe reported "${message.text()}"`);
  return ms;
}

/**
 * The static page the task board is compared with: `size` bytes of HTML (the board's bytes, every
 * response counted), paragraphs of text, then the element the probe waits for (`#card`).
 */
export function staticPage(size: number): string {
  const head =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Static page</title></head><body><main>';
  const tail = '<article id="card">Static card</article></main></body></html>';
  const paragraph =
    '<p>Clearway static page of the same size as the task board: hazard areas, tasks, progress reports and land release along the border.</p>\n';
  let body = '';
  while (head.length + body.length + paragraph.length + tail.length <= size) body += paragraph;
  body += '<!--' + 'x'.repeat(Math.max(0, size - head.length - body.length - tail.length - 7)) + '-->';
  return head + body + tail;
}
