import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  LAPTOP,
  PHONE,
  RIDGE_HAZARD_AREA,
  RIDGE_POLYGON,
  launchChromium,
  newContext,
  pageRunner,
  settle,
  screenshot,
  seriousViolations,
  setLanguage,
  signIn,
  startConsoleServer,
  type Claims,
  type ConsoleServer,
  type Role,
} from '../support/browser.ts';
import { repoRoot } from '../support/local-server.ts';

/**
 * The web console in Debian's Chromium against `npm start`: every role signs in and sees its
 * views; a deminer runs a task from start to completion on a phone; a relief registrar
 * registers a household and the ministry sees it counted; a CSV import shows its progress and
 * rejected rows; a change made offline is queued,
 * survives closing the page and is stored once when the signal returns; axe-core finds no
 * serious violation on any main view; screenshots of the main views in English, Khmer and Thai.
 */

let cs: ConsoleServer;
let browser: Browser;

const KH_DEMINER_ORG = 'CMAC';
const seed = { khTeam: '', hazardId: '', runTask: '', offlineTask: '', boardTask: '', clearedAreaId: '' };
const tokens: Partial<Record<'opsKH' | 'observer' | 'ministryKH' | 'reliefKH' | 'deminer', string>> = {};

/** The views each role's navigation offers (DESIGN §3: what each role may do). */
const NAV: Record<Role, readonly string[]> = {
  operations: ['tasks', 'areas', 'teams', 'qa', 'monthly', 'accidents', 'priorities', 'eore', 'map'],
  deminer: ['tasks', 'map'],
  qa: ['qa', 'monthly', 'accidents', 'priorities', 'map'],
  relief: ['households', 'assistance', 'import', 'monthly', 'eore', 'map'],
  ministry: ['households', 'duplicates', 'dashboard', 'monthly', 'accidents', 'priorities', 'map'],
  observer: ['observe', 'dashboard', 'monthly', 'accidents', 'priorities', 'map'],
  admin: ['tasks', 'areas', 'teams', 'qa', 'households', 'import', 'observe', 'duplicates', 'dashboard', 'monthly', 'accidents', 'priorities', 'eore', 'map'],
};
const ALL_VIEWS = NAV.admin;

const claimsOf = (role: Role): Claims => {
  switch (role) {
    case 'deminer':
      return { role, country: 'KH', org: KH_DEMINER_ORG, team: seed.khTeam };
    case 'observer':
      return { role, org: 'AOT' };
    case 'admin':
      return { role, org: 'Clearway' };
    case 'relief':
      return { role, country: 'KH', org: 'Cambodian Red Cross' };
    case 'ministry':
      return { role, country: 'KH', org: 'MoSVY' };
    default:
      return { role, country: 'KH', org: role === 'qa' ? 'CMAA' : 'CMAC' };
  }
};

// The hazard area sits in Oddar Meanchey; the phone reports its position inside it.

async function createTask(priority: number): Promise<string> {
  const ops = tokens.opsKH!;
  const task = await cs.api('POST', '/v1/tasks', ops, {
    hazardAreaId: seed.hazardId,
    activityType: 'CLEARANCE',
    priority,
    joint: false,
    teamIds: [seed.khTeam],
    plannedStart: '2026-01-10',
    plannedEnd: '2026-02-10',
  });
  expect(task.status, JSON.stringify(task.body)).toBe(201);
  const id = String(task.body.id);
  const assigned = await cs.api('POST', `/v1/tasks/${id}/transitions`, ops, { to: 'ASSIGNED' }, { 'if-match': `"${task.etag}"` });
  expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
  return id;
}

async function history(taskId: string): Promise<string[]> {
  const h = await cs.api('GET', `/v1/tasks/${taskId}/history`, tokens.observer!);
  expect(h.status).toBe(200);
  return (h.body.items ?? []).map((e) => String(e.to ?? e.action));
}

async function household(country: 'KH', status?: string): Promise<void> {
  const created = await cs.api('POST', '/v1/households', tokens.reliefKH!, {
    country,
    origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
    current: { province: 'KH17', site: 'Pagoda camp 4' },
    destination: { province: 'KH22', village: 'O Smach' },
    members: [
      { givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1988, relationship: 'HEAD', specificNeeds: ['SP-PT'] },
      { givenName: 'Dara', familyName: 'Chan', sex: 'M', birthYear: 2015, relationship: 'CHILD' },
    ],
    consent: { given: true, date: '2026-01-05', purposes: ['REGISTRATION', 'RETURN_ASSISTANCE', 'STATISTICS'] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  if (status) {
    const moved = await cs.api(
      'POST',
      `/v1/households/${String(created.body.id)}/transitions`,
      tokens.reliefKH!,
      { to: status },
      { 'if-match': `"${created.etag}"` },
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  }
}

async function displacementTotal(): Promise<number> {
  const stats = await cs.api('GET', '/v1/stats/displacement?country=KH', tokens.ministryKH!);
  expect(stats.status, JSON.stringify(stats.body)).toBe(200);
  return Number((stats.body.households as { total: number }).total);
}

beforeAll(async () => {
  cs = await startConsoleServer();
  browser = await launchChromium();
  tokens.opsKH = await cs.token({ role: 'operations', country: 'KH', org: 'CMAC' });
  tokens.observer = await cs.token({ role: 'observer', org: 'AOT' });
  tokens.ministryKH = await cs.token({ role: 'ministry', country: 'KH', org: 'MoSVY' });
  tokens.reliefKH = await cs.token({ role: 'relief', country: 'KH', org: 'Cambodian Red Cross' });

  const team = await cs.api('POST', '/v1/teams', tokens.opsKH, {
    name: 'CMAC DU3 Team 12',
    organisation: KH_DEMINER_ORG,
    country: 'KH',
    capabilities: ['MANUAL', 'MDD'],
  });
  expect(team.status, JSON.stringify(team.body)).toBe(201);
  seed.khTeam = String(team.body.id);
  tokens.deminer = await cs.token({ role: 'deminer', country: 'KH', org: KH_DEMINER_ORG, team: seed.khTeam });

  const hazard = await cs.api('POST', '/v1/hazard-areas', tokens.opsKH, RIDGE_HAZARD_AREA);
  expect(hazard.status, JSON.stringify(hazard.body)).toBe(201);
  seed.hazardId = String(hazard.body.id);

  seed.runTask = await createTask(1);
  seed.offlineTask = await createTask(2);
  seed.boardTask = await createTask(3);
  // A finished task with its completion report, waiting for QA.
  const reported = await createTask(4);
  let version = (await cs.api('GET', `/v1/tasks/${reported}`, tokens.deminer)).etag;
  for (const to of ['IN_PROGRESS', 'COMPLETED']) {
    const moved = await cs.api('POST', `/v1/tasks/${reported}/transitions`, tokens.deminer, { to }, { 'if-match': `"${version}"` });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    version = moved.etag;
  }
  const report = await cs.api('POST', '/v1/cleared-areas', tokens.deminer, {
    taskId: reported,
    outcome: 'CLEARED',
    method: 'MANUAL',
    depthCm: 13,
    completedAt: '2026-02-01',
    geometry: RIDGE_POLYGON,
  });
  expect(report.status, JSON.stringify(report.body)).toBe(201);
  seed.clearedAreaId = String(report.body.id);
  // Households for the lists, statistics and screenshots.
  await household('KH');
  await household('KH', 'INTENDS_RETURN');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cs?.stop();
});

const withPage = pageRunner(() => browser);

describe('sign-in', { timeout: 120_000 }, () => {
  it.each(Object.keys(NAV) as Role[])('signs in as %s through the local sign-in page and is offered exactly its views', async (role) => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, claimsOf(role));
      await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toContain(claimsOf(role).org);
      for (const view of ALL_VIEWS) {
        expect(await page.getByTestId(`nav-${view}`).count(), `${role} → nav-${view}`).toBe(NAV[role].includes(view) ? 1 : 0);
      }
      // The role lands on one of its own views.
      await expect.poll(() => page.evaluate('location.hash')).toMatch(new RegExp(`^#/(${NAV[role].join('|')})`));
    });
  });
});

describe('task board on a phone', { timeout: 240_000 }, () => {
  it('takes a task from start to completion with a progress report, a find at the phone position, suspension and resumption', async () => {
    await withPage(PHONE, async (page) => {
      await signIn(page, cs.base, claimsOf('deminer'));
      await page.goto(`${cs.base}/#/tasks`);
      const card = page.getByTestId(`task-card-${seed.runTask}`);
      await card.waitFor();
      const statusIs = (s: string) => expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe(s);
      await statusIs('ASSIGNED');

      await card.getByTestId('task-action-IN_PROGRESS').click();
      await statusIs('IN_PROGRESS');

      await card.getByTestId('task-progress-toggle').click();
      const form = card.getByTestId('progress-form');
      await form.getByTestId('progress-area').fill('1200');
      await form.getByTestId('find-add').click();
      await form.getByTestId('find-category-0').selectOption('AP_MINE');
      await form.getByTestId('find-model-0').fill('PMN-2');
      await form.getByTestId('find-quantity-0').fill('3');
      await form.getByTestId('find-locate-0').click();
      await expect.poll(() => form.getByTestId('find-lon-0').inputValue()).toMatch(/^103\.70/);
      await form.getByTestId('progress-submit').click();
      await expect.poll(() => card.getByTestId('submit-notice').getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
      // "Sent" shows once the card holds the task the report changed (its next move needs that version).
      expect(await card.textContent()).toContain('1,200');

      await card.getByTestId('task-action-SUSPENDED').click();
      await card.getByTestId('task-reason').fill('Flooding on the access track');
      await card.getByTestId('task-action-confirm').click();
      await statusIs('SUSPENDED');

      await card.getByTestId('task-action-IN_PROGRESS').click();
      await statusIs('IN_PROGRESS');

      await card.getByTestId('task-action-COMPLETED').click();
      await card.getByTestId('task-action-confirm').click();
      await statusIs('COMPLETED');

      // The phone's layout: nothing wider than the screen.
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    });

    expect(await history(seed.runTask)).toEqual(['PLANNED', 'ASSIGNED', 'IN_PROGRESS', 'PROGRESS', 'SUSPENDED', 'IN_PROGRESS', 'COMPLETED']);
    const progress = await cs.api('GET', `/v1/tasks/${seed.runTask}/progress`, tokens.observer!);
    expect(progress.body.items).toHaveLength(1);
    const report = progress.body.items![0] as {
      areaClearedSqm: number;
      finds: { category: string; model: string; quantity: number; position?: { coordinates: number[] } }[];
    };
    expect(report.areaClearedSqm).toBe(1200);
    expect(report.finds).toEqual([expect.objectContaining({ category: 'AP_MINE', model: 'PMN-2', quantity: 3 })]);
    expect(report.finds[0]?.position?.coordinates[0]).toBeCloseTo(103.705, 3);
    expect(report.finds[0]?.position?.coordinates[1]).toBeCloseTo(14.355, 3);
    const task = await cs.api('GET', `/v1/tasks/${seed.runTask}`, tokens.observer!);
    expect(task.body).toMatchObject({ status: 'COMPLETED', areaClearedSqm: 1200, ordnanceFound: 3 });
  });
});

describe('households and the ministry', { timeout: 240_000 }, () => {
  it('a relief registrar registers a household with members, needs and consent, and the ministry sees it in the displacement statistics', async () => {
    const before = await displacementTotal();
    let householdId = '';
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, claimsOf('relief'));
      await page.goto(`${cs.base}/#/households/new`);
      const form = page.getByTestId('household-form');
      await form.waitFor();
      const field = (name: string) => form.getByTestId(`household-field-${name}`);
      await field('origin.province').selectOption('KH22');
      await field('origin.district').fill('Samraong');
      await field('origin.village').fill('Kon Kriel');
      await field('current.province').selectOption('KH17');
      await field('current.site').fill('Wat Phnom Srok camp');
      await field('destination.province').selectOption('KH22');
      await field('destination.village').fill('Kon Kriel');
      await field('members.0.givenName').fill('Srey Neang');
      await field('members.0.familyName').fill('Kim');
      await field('members.0.sex').selectOption('F');
      await field('members.0.birthYear').fill('1979');
      await field('members.0.specificNeeds').locator('summary').click();
      await form.getByTestId('household-needs-search-members.0.specificNeeds').fill('SP');
      await form.getByTestId('household-need-members.0.specificNeeds-SP-PT').check();
      await form.getByTestId('household-add-member').click();
      await field('members.1.givenName').fill('Vuthy');
      await field('members.1.familyName').fill('Kim');
      await field('members.1.sex').selectOption('M');
      await field('members.1.birthYear').fill('2012');
      await field('members.1.relationship').selectOption('CHILD');
      await field('consent.given').check();
      await field('consent.date').fill('2026-01-20');
      await field('consent.purposes.REGISTRATION').check();
      await field('consent.purposes.STATISTICS').check();
      await form.getByTestId('household-submit').click();
      await page.getByTestId('household-detail').waitFor({ timeout: 30_000 });
      householdId = String(await page.evaluate('location.hash.split("/")[2] ?? ""'));
    });
    const stored = await cs.api('GET', `/v1/households/${householdId}`, tokens.reliefKH!);
    expect(stored.status, householdId).toBe(200);
    expect(stored.body).toMatchObject({
      country: 'KH',
      origin: expect.objectContaining({ province: 'KH22' }),
      current: expect.objectContaining({ province: 'KH17' }),
    });
    expect(stored.body.members).toHaveLength(2);

    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, claimsOf('ministry'));
      await page.goto(`${cs.base}/#/dashboard`);
      const total = page.getByTestId('stats-households-total');
      await total.waitFor({ timeout: 30_000 });
      await expect.poll(async () => Number((await total.textContent())?.replace(/\D/g, ''))).toBe(before + 1);
    });
  });
});

describe('sites, dated movements and return intentions in the console', { timeout: 240_000 }, () => {
  it('registers a household at a site picked from the country’s open sites with its return intentions, then records a back-dated move to another site', async () => {
    const site = (code: string, type: string) =>
      cs.api('POST', '/v1/sites', tokens.reliefKH!, {
        code,
        name: { en: `${type} ${code}`, km: 'វត្ត' },
        type,
        province: 'KH22',
        capacity: 300,
        managingOrganisation: 'CRC',
      });
    const [a, b] = [await site('KH22-BRW-A', 'PAGODA'), await site('KH22-BRW-B', 'SCHOOL')];
    expect([a.status, b.status]).toEqual([201, 201]);
    const aId = String(a.body.id);
    const bId = String(b.body.id);
    let householdId = '';
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, claimsOf('relief'));
      await page.goto(`${cs.base}/#/households/new`);
      const form = page.getByTestId('household-form');
      await form.waitFor();
      const field = (name: string) => form.getByTestId(`household-field-${name}`);
      await field('origin.province').selectOption('KH22');
      await field('current.province').selectOption('KH22');
      await field('current.siteId').selectOption(aId);
      await field('displacedSince').fill('2025-12-11');
      await field('returnIntentions.intends').selectOption('YES');
      await field('returnIntentions.when').selectOption('1_TO_3_MONTHS');
      await field('returnIntentions.obstacles.MINES_OR_UXO').check();
      await field('members.0.givenName').fill('Sophea');
      await field('members.0.familyName').fill('Chan');
      await field('members.0.sex').selectOption('F');
      await field('members.0.birthYear').fill('1990');
      await field('consent.given').check();
      await field('consent.purposes.REGISTRATION').check();
      await form.getByTestId('household-submit').click();
      await page.getByTestId('household-detail').waitFor({ timeout: 30_000 });
      householdId = String(await page.evaluate('location.hash.split("/")[2] ?? ""'));

      const move = page.getByTestId('household-transition-form');
      await move.getByTestId('household-transition-to').selectOption('DISPLACED');
      await move.getByTestId('household-transition-effective-date').fill('2026-01-06');
      await move.getByTestId('household-transition-place').selectOption(bId);
      await move.getByTestId('household-transition-submit').click();
      await expect
        .poll(async () => (await cs.api('GET', `/v1/households/${householdId}`, tokens.reliefKH!)).body.currentSince, { timeout: 30_000 })
        .toBe('2026-01-06');
    });
    const stored = await cs.api('GET', `/v1/households/${householdId}`, tokens.reliefKH!);
    expect(stored.body).toMatchObject({
      displacedSince: '2025-12-11',
      current: { siteId: bId },
      returnIntentions: { intends: 'YES', when: '1_TO_3_MONTHS', obstacles: ['MINES_OR_UXO'] },
    });
    const flows = await cs.api('GET', '/v1/stats/sites/flows?country=KH&from=2026-01&to=2026-01', tokens.ministryKH!);
    const january = (flows.body.months as { sites: { siteId: string; arrivals: { households: number }; departures: { households: number } }[] }[])[0]!;
    expect(january.sites.find((x) => x.siteId === aId)?.departures.households).toBe(1);
    expect(january.sites.find((x) => x.siteId === bId)?.arrivals.households).toBe(1);
  });
});

describe('household import', { timeout: 180_000 }, () => {
  it('uploads a CSV from the import page, shows the progress bar to the end and lists the rejected rows', async () => {
    const work = await mkdtemp(join(tmpdir(), 'clearway-browser-csv-'));
    try {
      const csv = join(work, 'households.csv');
      const gen = spawnSync(process.execPath, ['infra/local/gen-households.ts', '--people', '300', '--invalid-rate', '0.05', '--seed', '8', '--out', csv], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
      expect(gen.status, gen.stderr).toBe(0);
      await withPage(LAPTOP, async (page) => {
        await signIn(page, cs.base, claimsOf('relief'));
        await page.goto(`${cs.base}/#/import`);
        await page.getByTestId('import-file').setInputFiles(csv);
        await page.getByTestId('import-start').click();
        const job = page.getByTestId('import-job');
        await job.waitFor({ timeout: 30_000 });
        await expect.poll(() => job.getAttribute('data-status'), { timeout: 120_000 }).toMatch(/^(COMPLETED|FAILED)$/);
        expect(await job.getAttribute('data-status')).toBe('COMPLETED');
        const progress = page.getByTestId('import-progress');
        expect(Number(await progress.getAttribute('max'))).toBe(300);
        expect(Number(await progress.getAttribute('value'))).toBe(300);
        const rejected = page.getByTestId('import-errors').locator('tbody tr');
        await rejected.first().waitFor();
        expect(await rejected.count()).toBeGreaterThan(0);
        // The page follows the duplicate pass after COMPLETED to its end and says what the job says it queued.
        const duplicates = page.getByTestId('import-duplicates');
        await expect.poll(() => duplicates.getAttribute('data-checked'), { timeout: 120_000 }).toBe('true');
        const id = decodeURIComponent((await page.evaluate(() => location.hash)).split('/').pop()!);
        const stored = await cs.api('GET', `/v1/household-imports/${id}`, await cs.token(claimsOf('relief')));
        expect(stored.body.duplicatesCheckedAt).toBeTruthy();
        const queued = stored.body.possibleDuplicates as number;
        expect(await duplicates.textContent()).toBe(
          queued > 0 ? `Possible duplicates queued for the ministry’s review: ${queued}.` : 'No possible duplicate was found among these households.',
        );
        await screenshot(page, 'import-job-en');
        expect(await seriousViolations(page), 'import job').toEqual([]);
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('household import with a dry run and a mapping', { timeout: 180_000 }, () => {
  it('checks a KoBoToolbox-style file, shows the values it did not understand, and imports it with the mapping chosen on the page', async () => {
    const work = await mkdtemp(join(tmpdir(), 'clearway-browser-kobo-'));
    try {
      const csv = join(work, 'kobo.csv');
      await writeFile(
        csv,
        [
          'household/household_key;household/origin_province;household/current_province;household/current_site;consent/consent_given;consent/consent_date;consent/consent_purposes;person/given_name;person/family_name;person/sex;person/birth_year;person/relationship;remarks;_id;_uuid;_index',
          'B1;KH22;KH17;Camp 2;yes;2026-01-15;RETURN_ASSISTANCE STATISTICS;Sokha;Chan;femme;1986;HEAD;first visit;1;u-1;1',
          'B1;;;;;;;Dara;Chan;male;2012;CHILD;;2;u-2;2',
        ].join('\n'),
      );
      await withPage(LAPTOP, async (page) => {
        await signIn(page, cs.base, claimsOf('relief'));
        await page.goto(`${cs.base}/#/import`);
        await page.getByTestId('import-file').setInputFiles(csv);
        await page.getByTestId('import-dry-run').check();
        await page.getByTestId('import-start').click();
        const job = page.getByTestId('import-job');
        await expect.poll(() => job.getAttribute('data-status'), { timeout: 120_000 }).toBe('COMPLETED');
        const report = page.getByTestId('import-report');
        await report.waitFor();
        expect(await page.getByTestId('import-ignored').textContent()).toContain('remarks');
        const unmapped = page.getByTestId('import-unmapped');
        expect(await unmapped.textContent()).toContain('femme');
        expect(await seriousViolations(page), 'dry run report').toEqual([]);
        await screenshot(page, 'import-dry-run-en');
        await page.getByTestId('import-map-value').first().selectOption('F');
        const dryRunHash = await page.evaluate(() => location.hash);
        await page.getByTestId('import-now').click();
        // The real import is a job of its own, with the same file and the mapping chosen on the page.
        await expect.poll(() => page.evaluate(() => location.hash), { timeout: 30_000 }).not.toBe(dryRunHash);
        await expect.poll(async () => (await page.getByTestId('import-job').getAttribute('data-status')) ?? '', { timeout: 120_000 }).toBe('COMPLETED');
        await expect.poll(async () => (await page.getByTestId('import-job').textContent()) ?? '').toMatch(/Households imported: 1; rejected: 0/);
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});

describe('offline', { timeout: 240_000 }, () => {
  it('queues a change made without signal, keeps it when the page is closed, and stores it once when the signal returns', async () => {
    const context = await newContext(browser, PHONE);
    try {
      let page = await context.newPage();
      await signIn(page, cs.base, claimsOf('deminer'));
      await page.goto(`${cs.base}/#/tasks`);
      await page.getByTestId(`task-card-${seed.offlineTask}`).waitFor();
      // The app shell must be cached before the signal goes.
      await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
      await expect.poll(() => page.evaluate('!!navigator.serviceWorker.controller'), { timeout: 15_000 }).toBe(true);

      await context.setOffline(true);
      const card = page.getByTestId(`task-card-${seed.offlineTask}`);
      await card.getByTestId('task-action-IN_PROGRESS').click();
      await card.getByTestId('task-pending').waitFor();
      await expect.poll(() => page.getByTestId('pending-count').textContent()).toMatch(/1/);
      expect(await history(seed.offlineTask)).toEqual(['PLANNED', 'ASSIGNED']);

      // The browser tab is closed and opened again, still without signal.
      await page.close();
      page = await context.newPage();
      await page.goto(`${cs.base}/#/tasks`);
      await page.getByTestId('offline-banner').waitFor();
      await expect.poll(() => page.getByTestId('pending-count').textContent()).toMatch(/1/);
      // At rest the change is sealed: only its id and user in clear, under a key the page cannot export.
      const atRest = (await page.evaluate(`new Promise((resolve, reject) => {
        const req = indexedDB.open('clearway');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const tx = req.result.transaction(['changes', 'keys']);
          const changes = tx.objectStore('changes').getAll();
          const keys = tx.objectStore('keys').getAll();
          tx.oncomplete = () => resolve({ fields: changes.result.map((c) => Object.keys(c).sort().join()), extractable: keys.result.map((k) => k.key.extractable) });
        };
      })`)) as { fields: string[]; extractable: boolean[] };
      expect(atRest).toEqual({ fields: ['id,iv,sealed,sub'], extractable: [false] });

      await context.setOffline(false);
      await expect.poll(() => page.getByTestId('pending-count').count(), { timeout: 20_000 }).toBe(0);
      await expect.poll(async () => (await history(seed.offlineTask)).join(), { timeout: 10_000 }).toBe('PLANNED,ASSIGNED,IN_PROGRESS');
      const reloaded = page.getByTestId(`task-card-${seed.offlineTask}`);
      await expect.poll(() => reloaded.getAttribute('data-status'), { timeout: 15_000 }).toBe('IN_PROGRESS');
    } finally {
      await context.close();
    }
    // Stored once: one transition, even with the retries a flaky signal brings.
    expect((await history(seed.offlineTask)).filter((s) => s === 'IN_PROGRESS')).toHaveLength(1);
  });
});

/** The main views, who shows them and on which screen, and what says each has loaded. */
const MAIN_VIEWS: { name: string; hash: string; role: Role; viewport: { width: number; height: number }; ready: string }[] = [
  { name: 'tasks', hash: '#/tasks', role: 'deminer', viewport: PHONE, ready: 'task-board' },
  { name: 'map', hash: '#/map', role: 'observer', viewport: LAPTOP, ready: 'map-svg' },
  { name: 'qa', hash: '#/qa', role: 'qa', viewport: LAPTOP, ready: 'qa-list' },
  { name: 'households', hash: '#/households', role: 'relief', viewport: LAPTOP, ready: 'household-new' },
  { name: 'household-form', hash: '#/households/new', role: 'relief', viewport: LAPTOP, ready: 'household-form' },
  { name: 'import', hash: '#/import', role: 'relief', viewport: LAPTOP, ready: 'import-form' },
  { name: 'assistance', hash: '#/assistance', role: 'relief', viewport: PHONE, ready: 'assistance-code-form' },
  { name: 'dashboard', hash: '#/dashboard', role: 'ministry', viewport: LAPTOP, ready: 'stats-displacement' },
];
const LANGS = ['en', 'km', 'th'] as const;

describe('main views in English, Khmer and Thai', { timeout: 300_000 }, () => {
  it('shows the sign-in page in each language with no serious accessibility violation', async () => {
    await withPage(LAPTOP, async (page) => {
      await page.goto(`${cs.base}/`);
      await page.getByTestId('signin-form').waitFor();
      for (const lang of LANGS) {
        await setLanguage(page, lang);
        await screenshot(page, `signin-${lang}`);
        expect(await seriousViolations(page), `sign-in (${lang})`).toEqual([]);
      }
    });
  });

  it.each(MAIN_VIEWS)('shows $name to a $role in each language with no serious accessibility violation, and screenshots it', async (view) => {
    await withPage(view.viewport, async (page) => {
      await signIn(page, cs.base, claimsOf(view.role));
      for (const lang of LANGS) {
        await setLanguage(page, lang);
        await page.goto(`${cs.base}/${view.hash}`);
        await page.reload();
        await page.getByTestId(view.ready).waitFor({ timeout: 30_000 });
        await settle(page);
        expect(await page.evaluate('document.documentElement.lang')).toBe(lang);
        await screenshot(page, `${view.name}-${lang}`);
        expect(await seriousViolations(page), `${view.name} (${lang})`).toEqual([]);
      }
    });
  });
});
