import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { freePort } from '../../infra/local/dynamodb.ts';
import { repoRoot, startLocalServer, type LocalServer } from './local-server.ts';

/**
 * Helpers for the browser tests (test/browser): `npm start` on a free port with its own
 * DATA_DIR, Debian's Chromium driven by playwright-core (no browser download), tokens from the
 * server's local-only `POST /local/token`, the API over HTTP for seeding and checking, axe-core
 * and screenshots.
 */

/** Where Chromium is: `CHROMIUM_PATH`, else Debian's package. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of the main views land here (gitignored). */
export const screenshotDir = join(repoRoot, 'screenshots');

/** A phone: the viewport the field teams' task board is built for. */
export const PHONE = { width: 390, height: 844 } as const;
/** The options of a phone's browser context: its viewport, a mobile browser, touch. */
export const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true } as const satisfies BrowserContextOptions;
/** A camp laptop. */
export const LAPTOP = { width: 1280, height: 800 } as const;

/** Launches Debian's Chromium headless; fails with what to install when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}. The browser tests drive Debian's Chromium (no browser download): ` +
        'apt-get install chromium fonts-khmeros fonts-thai-tlwg (or set CHROMIUM_PATH).',
    );
  }
  // Two shared cores: no GPU, and no zygote sandbox (containers run the tests as root).
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--disable-gpu', '--disable-dev-shm-usage'] });
}

export type Role = 'operations' | 'deminer' | 'qa' | 'relief' | 'ministry' | 'observer' | 'admin';
export interface Claims {
  role: Role;
  country?: 'KH' | 'TH';
  org: string;
  team?: string;
  sub?: string;
}

export interface Json {
  status: number;
  etag: number | undefined;
  body: Record<string, unknown> & { items?: Record<string, unknown>[] };
}

/** `npm start` with the console, plus the calls the tests seed and check with. */
export interface ConsoleServer {
  server: LocalServer;
  base: string;
  dataDir: string;
  /** A token from the server's local sign-in endpoint, as the sign-in page gets one. */
  token: (claims: Claims) => Promise<string>;
  /** A JSON API call with a bearer token (`ifMatch` → `If-Match: "<n>"`). */
  api: (method: string, path: string, token: string, body?: unknown, headers?: Record<string, string>) => Promise<Json>;
  stop: () => Promise<void>;
}

export async function startConsoleServer(): Promise<ConsoleServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'clearway-browser-'));
  const server = await startLocalServer(dataDir, await freePort());
  const base = server.base;
  const token = async (claims: Claims): Promise<string> => {
    const res = await fetch(`${base}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims) });
    if (res.status !== 200) throw new Error(`POST /local/token ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };
  const api = async (method: string, path: string, bearer: string, body?: unknown, headers: Record<string, string> = {}): Promise<Json> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const etag = res.headers.get('etag');
    return { status: res.status, etag: etag ? Number(etag.replace(/\D/g, '')) : undefined, body: (text ? JSON.parse(text) : {}) as Json['body'] };
  };
  const stop = async () => {
    await server.stop('SIGINT');
    await rm(dataDir, { recursive: true, force: true });
  };
  return { server, base, dataDir, token, api, stop };
}

/**
 * Signs in through the local sign-in page as a user would: role, country, organisation, team
 * (deminers pick their team from the list), then waits for the signed-in shell.
 */
export async function signIn(page: Page, base: string, claims: Claims): Promise<void> {
  await page.goto(`${base}/`);
  const form = page.getByTestId('signin-form');
  await form.waitFor();
  await page.getByTestId('signin-role').selectOption(claims.role);
  if (claims.country) await page.getByTestId('signin-country').selectOption(claims.country);
  await page.getByTestId('signin-org').fill(claims.org);
  if (claims.team) {
    // A text field while the country's teams load, then the list of them to pick from.
    const list = page.locator('select[data-testid="signin-team"]');
    await list.waitFor();
    await list.selectOption(claims.team);
  }
  if (claims.sub) await page.getByTestId('signin-sub').fill(claims.sub);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('signed-in-as').waitFor();
}

/** Picks the console's language with the switcher in the header. */
export async function setLanguage(page: Page, lang: 'en' | 'km' | 'th'): Promise<void> {
  await page.getByTestId('lang-switcher').selectOption(lang);
  await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2 A/AA rules and best practices) on the page; returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<{ id: string; impact: string | null; help: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol: the console's CSP (script-src 'self') rightly refuses a <script> tag.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(`${axeSource}\n;void 0`);
  // A string: the test code is type-checked for Node, without the DOM's types.
  const result = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => ({ violations: r.violations, passes: r.passes.length }))",
  )) as {
    violations: AxeViolation[];
    passes: number;
  };
  // No rule passing means axe looked at nothing (an empty or unloaded page): not a clean result.
  if (result.passes === 0) throw new Error(`axe-core checked nothing on ${page.url()}`);
  const violations = result.violations;
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`),
    }));
}

/** Saves a full-page screenshot as screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A new context for a phone or a laptop, with geolocation granted at a point on the border. */
export async function newContext(browser: Browser, viewport: { width: number; height: number }, lang = 'en-GB'): Promise<BrowserContext> {
  return browser.newContext({
    viewport,
    locale: lang,
    geolocation: { latitude: 14.355, longitude: 103.705 },
    permissions: ['geolocation'],
    ...(viewport.width < 500 ? { isMobile: true, hasTouch: true } : {}),
  });
}

/**
 * `withPage(viewport, fn)` for a suite's browser: a fresh context and page for `fn`, closed after
 * it whatever happens. `browser` is read when called, so the suite may launch it in `beforeAll`.
 */
export const pageRunner =
  (browser: () => Browser) =>
  async <T>(viewport: { width: number; height: number }, fn: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> => {
    const context = await newContext(browser(), viewport);
    const page = await context.newPage();
    try {
      return await fn(page, context);
    } finally {
      await context.close();
    }
  };

/** Waits until the view has loaded: no spinner, no layer still loading. */
export async function settle(page: Page): Promise<void> {
  await page.locator('main .spinner, main .map-loading').first().waitFor({ state: 'detached', timeout: 30_000 });
}

/** A small square on the O Smach ridge (Oddar Meanchey, KH22): the hazard area the browser tests and benches seed. */
export const RIDGE_POLYGON = {
  type: 'Polygon',
  coordinates: [
    [
      [103.7, 14.35],
      [103.71, 14.35],
      [103.71, 14.36],
      [103.7, 14.36],
      [103.7, 14.35],
    ],
  ],
};

/** The body of `POST /v1/hazard-areas` for that square: a Cambodian confirmed hazard area of AP mines. */
export const RIDGE_HAZARD_AREA = {
  name: 'O Smach ridge, east slope',
  country: 'KH',
  province: 'KH22',
  classification: 'CHA',
  evidence: 'DIRECT',
  dateOfInformation: '2025-07-28',
  contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
  geometry: RIDGE_POLYGON,
};

/**
 * What the web-budget scenario and the waterfall tool measure: a KH team with eight ASSIGNED
 * tasks on one hazard area, and its deminer signed in as the console keeps a session
 * (web/src/app/session.ts) on a phone, in English. Returns the deminer's token and the browser
 * context options of that signed-in phone.
 */
export async function seedTaskBoard(cs: ConsoleServer): Promise<{ deminer: string; signedIn: BrowserContextOptions }> {
  const ops = await cs.token({ role: 'operations', country: 'KH', org: 'CMAC' });
  const team = await cs.api('POST', '/v1/teams', ops, { name: 'CMAC DU3 Team 12', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL'] });
  const hazard = await cs.api('POST', '/v1/hazard-areas', ops, RIDGE_HAZARD_AREA);
  if (team.status !== 201 || hazard.status !== 201) throw new Error(`seeding failed: team ${team.status}, hazard area ${hazard.status}`);
  for (let i = 0; i < 8; i++) {
    const task = await cs.api('POST', '/v1/tasks', ops, {
      hazardAreaId: hazard.body.id,
      activityType: i % 2 === 0 ? 'CLEARANCE' : 'TS',
      priority: 1 + (i % 5),
      joint: false,
      teamIds: [team.body.id],
      plannedStart: '2026-01-10',
      plannedEnd: '2026-02-10',
    });
    if (task.status !== 201) throw new Error(`task creation failed: ${task.status}`);
    await cs.api('POST', `/v1/tasks/${String(task.body.id)}/transitions`, ops, { to: 'ASSIGNED' }, { 'if-match': `"${task.etag}"` });
  }
  const deminer = await cs.token({ role: 'deminer', country: 'KH', org: 'CMAC', team: String(team.body.id) });
  const signedIn: BrowserContextOptions = {
    ...PHONE_CONTEXT,
    storageState: {
      cookies: [],
      origins: [
        {
          origin: cs.base,
          localStorage: [
            { name: 'clearway.session', value: JSON.stringify({ token: deminer }) },
            { name: 'clearway.lang', value: 'en' },
          ],
        },
      ],
    },
  };
  return { deminer, signedIn };
}

/**
 * Reads the deminer's board through the API `reads` times, so the measured loads find it warm
 * as on a server that has been running: a DynamoDB Local just started runs its Query path
 * interpreted (Java's JIT has not compiled it yet) and, with a browser loading on the same two
 * cores, answers it in 8–70 ms instead of ~5.
 */
export async function warmTaskBoardRead(cs: ConsoleServer, deminer: string, reads = 300): Promise<void> {
  for (let i = 0; i < reads; i++) {
    const read = await cs.api('GET', '/v1/tasks?limit=100', deminer);
    if (read.status !== 200) throw new Error(`GET /v1/tasks answered ${read.status} while warming up`);
  }
}
