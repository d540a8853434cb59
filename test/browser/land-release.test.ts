import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  LAPTOP,
  PHONE,
  RIDGE_HAZARD_AREA,
  launchChromium,
  pageRunner,
  settle,
  screenshot,
  seriousViolations,
  setLanguage,
  signIn,
  startConsoleServer,
  type Claims,
  type ConsoleServer,
} from '../support/browser.ts';

/**
 * Land release in the web console, in Debian's Chromium against `npm start` (README "Land
 * release"): the QA view shows each required country's decision of a joint report, Cambodia's QA
 * decides in its slot and Thailand's QA after it, an admin names the country it decides for;
 * handover waits for the attestation; an ASEAN observer records an observation of the task and
 * attests the release; the map draws the land that remains apart from the released
 * parts, with its legend; operations withdraw a hazard area recorded in error (there is no
 * "close"), and are told why they cannot withdraw one whose land was released. Screenshots of
 * these views in English, Khmer and Thai; axe-core finds no serious violation on them.
 */

let cs: ConsoleServer;
let browser: Browser;

const ops: Claims = { role: 'operations', country: 'KH', org: 'CMAC' };
const opsTH: Claims = { role: 'operations', country: 'TH', org: 'TMAC' };
const qaKH: Claims = { role: 'qa', country: 'KH', org: 'CMAA' };
const qaTH: Claims = { role: 'qa', country: 'TH', org: 'TMAC QA' };
const observer: Claims = { role: 'observer', org: 'AOT' };
const LANGS = ['en', 'km', 'th'] as const;

const seed = { khTeam: '', thTeam: '', released: '', withdrawable: '', jointTask: '', report: '', adminReport: '' };
const tokens: Record<'ops' | 'opsTH' | 'observer' | 'deminer', string> = { ops: '', opsTH: '', observer: '', deminer: '' };

/** A rectangle of the ridge square, from longitude `west` to `east`. */
const strip = (west: number, east: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [west, 14.35],
      [east, 14.35],
      [east, 14.36],
      [west, 14.36],
      [west, 14.35],
    ],
  ],
});

async function createTeam(token: string, name: string, organisation: string, country: 'KH' | 'TH'): Promise<string> {
  const team = await cs.api('POST', '/v1/teams', token, { name, organisation, country, capabilities: ['MANUAL'] });
  expect(team.status, JSON.stringify(team.body)).toBe(201);
  return String(team.body.id);
}

async function createArea(name: string): Promise<string> {
  const area = await cs.api('POST', '/v1/hazard-areas', tokens.ops, { ...RIDGE_HAZARD_AREA, name });
  expect(area.status, JSON.stringify(area.body)).toBe(201);
  return String(area.body.id);
}

/** Moves a task through `steps` as `token`, each with the version the last answer gave. */
async function move(taskId: string, token: string, steps: string[]): Promise<void> {
  let version = (await cs.api('GET', `/v1/tasks/${taskId}`, token)).etag;
  for (const to of steps) {
    const moved = await cs.api('POST', `/v1/tasks/${taskId}/transitions`, token, { to }, { 'if-match': `"${version}"` });
    expect(moved.status, `${to}: ${JSON.stringify(moved.body)}`).toBe(200);
    version = moved.etag;
  }
}

const report = () => cs.api('GET', `/v1/cleared-areas/${seed.report}`, tokens.observer);

beforeAll(async () => {
  cs = await startConsoleServer();
  browser = await launchChromium();
  tokens.ops = await cs.token(ops);
  tokens.opsTH = await cs.token(opsTH);
  tokens.observer = await cs.token(observer);
  seed.khTeam = await createTeam(tokens.ops, 'CMAC DU3 Team 12', 'CMAC', 'KH');
  seed.thTeam = await createTeam(tokens.opsTH, 'TMAC HMAU 1 Team 3', 'TMAC', 'TH');
  tokens.deminer = await cs.token({ role: 'deminer', country: 'KH', org: 'CMAC', team: seed.khTeam });

  seed.released = await createArea('O Smach ridge, east slope');
  seed.withdrawable = await createArea('O Smach ridge, recorded twice');

  // A joint clearance task on Cambodian land, done, with a report of two parts awaiting both countries' QA.
  const task = await cs.api('POST', '/v1/tasks', tokens.ops, {
    hazardAreaId: seed.released,
    activityType: 'CLEARANCE',
    priority: 1,
    joint: true,
    teamIds: [seed.khTeam, seed.thTeam],
    plannedStart: '2026-01-10',
    plannedEnd: '2026-02-10',
  });
  expect(task.status, JSON.stringify(task.body)).toBe(201);
  seed.jointTask = String(task.body.id);
  await move(seed.jointTask, tokens.ops, ['ASSIGNED']);
  await move(seed.jointTask, tokens.deminer, ['IN_PROGRESS', 'COMPLETED']);
  const created = await cs.api('POST', '/v1/cleared-areas', tokens.deminer, {
    taskId: seed.jointTask,
    completedAt: new Date().toISOString().slice(0, 10),
    parts: [
      { outcome: 'CLEARED', method: 'MANUAL', depthCm: 13, geometry: strip(103.7, 103.703) },
      { outcome: 'REDUCED', method: 'TS', geometry: strip(103.707, 103.71) },
    ],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  seed.report = String(created.body.id);
  expect(created.body).toMatchObject({ status: 'SUBMITTED', requiredQaCountries: ['KH', 'TH'], attestationRequired: true });

  // A second joint task on the land left between the two parts, its report for an admin to decide.
  const second = await cs.api('POST', '/v1/tasks', tokens.ops, {
    hazardAreaId: seed.released,
    activityType: 'TS',
    priority: 2,
    joint: true,
    teamIds: [seed.khTeam, seed.thTeam],
    plannedStart: '2026-01-10',
    plannedEnd: '2026-02-10',
  });
  expect(second.status, JSON.stringify(second.body)).toBe(201);
  await move(String(second.body.id), tokens.ops, ['ASSIGNED']);
  await move(String(second.body.id), tokens.deminer, ['IN_PROGRESS', 'COMPLETED']);
  const adminReport = await cs.api('POST', '/v1/cleared-areas', tokens.deminer, {
    taskId: second.body.id,
    completedAt: new Date().toISOString().slice(0, 10),
    outcome: 'REDUCED',
    method: 'TS',
    geometry: strip(103.704, 103.706),
  });
  expect(adminReport.status, JSON.stringify(adminReport.body)).toBe(201);
  seed.adminReport = String(adminReport.body.id);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await cs?.stop();
});

const withPage = pageRunner(() => browser);

/** Shows `hash` in each language: screenshot `<name>-<lang>`, no serious axe-core violation. */
async function inEachLanguage(page: Page, hash: string, ready: string, name: string): Promise<void> {
  for (const lang of LANGS) {
    await setLanguage(page, lang);
    await page.goto(`${cs.base}/${hash}`);
    await page.reload();
    await page.getByTestId(ready).waitFor({ timeout: 30_000 });
    await settle(page);
    expect(await page.evaluate('document.documentElement.lang')).toBe(lang);
    await screenshot(page, `${name}-${lang}`);
    expect(await seriousViolations(page), `${name} (${lang})`).toEqual([]);
  }
  await setLanguage(page, 'en');
}

/** Records the decision in the open QA form: accept, no nonconformity. */
async function accept(page: Page): Promise<void> {
  const card = page.getByTestId(`qa-report-${seed.report}`);
  await card.getByTestId(`qa-open-${seed.report}`).click();
  const form = card.getByTestId('qa-form');
  await form.getByTestId('qa-decision-ACCEPTED').check();
  await form.getByTestId('qa-comment').fill('Lanes and depth checked on site.');
  await form.getByTestId('qa-submit').click();
  await expect.poll(() => page.getByTestId('submit-notice').first().getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
}

describe('QA of a joint report', { timeout: 300_000 }, () => {
  it('shows both countries’ slots and the two parts; Cambodia’s QA decides in its slot, then Thailand’s QA after it', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, qaKH);
      await page.goto(`${cs.base}/#/qa`);
      const card = page.getByTestId(`qa-report-${seed.report}`);
      await card.waitFor({ timeout: 30_000 });
      expect(await card.getByTestId('qa-decision-KH').getAttribute('data-decision')).toBe('PENDING');
      expect(await card.getByTestId('qa-decision-TH').getAttribute('data-decision')).toBe('PENDING');
      expect(await card.locator('[data-testid^="report-part-"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-outcome')))).toEqual([
        'CLEARED',
        'REDUCED',
      ]);
      expect(await card.getByTestId('report-attestation').getAttribute('data-attestation')).toBe('AWAITING');
      await accept(page);
      // Still awaiting Thailand: the report stays, Cambodia's slot filled and no second decision offered.
      await expect.poll(() => card.getByTestId('qa-decision-KH').getAttribute('data-decision'), { timeout: 15_000 }).toBe('ACCEPTED');
      expect(await card.getByTestId('qa-decision-TH').getAttribute('data-decision')).toBe('PENDING');
      expect(await card.getByTestId(`qa-refusal-${seed.report}`).getAttribute('data-refusal')).toBe('alreadyDecided');
      expect(await card.getByTestId(`qa-open-${seed.report}`).count()).toBe(0);
    });
    const afterKh = await report();
    expect(afterKh.body).toMatchObject({ status: 'SUBMITTED', qaDecisions: [expect.objectContaining({ country: 'KH', decision: 'ACCEPTED' })] });

    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, qaTH);
      // Thailand's QA finds the joint report on Cambodian land in its own list, Cambodia's decision shown.
      await inEachLanguage(page, '#/qa', `qa-report-${seed.report}`, 'qa-joint');
      const card = page.getByTestId(`qa-report-${seed.report}`);
      expect(await card.getByTestId('qa-decision-KH').getAttribute('data-decision')).toBe('ACCEPTED');
      expect(await card.getByTestId('qa-decision-TH').getAttribute('data-decision')).toBe('PENDING');
      await accept(page);
      await card.waitFor({ state: 'detached', timeout: 15_000 });
    });
    const decided = await report();
    expect(decided.body.status).toBe('QA_ACCEPTED');
    expect((decided.body.qaDecisions as { country: string; decision: string }[]).map((d) => [d.country, d.decision]).sort()).toEqual([
      ['KH', 'ACCEPTED'],
      ['TH', 'ACCEPTED'],
    ]);
  });

  it('tells operations that handover waits for the observer’s attestation', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, ops);
      await page.goto(`${cs.base}/#/qa`);
      const card = page.getByTestId(`qa-report-${seed.report}`);
      await card.waitFor({ timeout: 30_000 });
      expect(await card.getByTestId(`qa-refusal-${seed.report}`).getAttribute('data-refusal')).toBe('attestation');
      expect(await card.getByTestId(`qa-open-${seed.report}`).count()).toBe(0);
    });
  });

  it('an admin names the country it decides for, and only a country still to decide is offered', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, { role: 'admin', org: 'Clearway' });
      await page.goto(`${cs.base}/#/qa`);
      const card = page.getByTestId(`qa-report-${seed.adminReport}`);
      await card.waitFor({ timeout: 30_000 });
      await card.getByTestId(`qa-open-${seed.adminReport}`).click();
      const form = card.getByTestId('qa-form');
      expect(
        await form
          .getByTestId('qa-decide-for')
          .locator('option')
          .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value)),
      ).toEqual(['KH', 'TH']);
      await form.getByTestId('qa-decide-for').selectOption('TH');
      await form.getByTestId('qa-decision-ACCEPTED').check();
      await form.getByTestId('qa-submit').click();
      await expect.poll(() => card.getByTestId('qa-decision-TH').getAttribute('data-decision'), { timeout: 15_000 }).toBe('ACCEPTED');
      expect(await card.getByTestId('qa-decision-KH').getAttribute('data-decision')).toBe('PENDING');
      // Thailand's slot is filled: the admin is now offered Cambodia's only.
      await card.getByTestId(`qa-open-${seed.adminReport}`).click();
      expect(
        await card
          .getByTestId('qa-decide-for')
          .locator('option')
          .evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value)),
      ).toEqual(['KH']);
    });
    const stored = await cs.api('GET', `/v1/cleared-areas/${seed.adminReport}`, tokens.observer);
    expect(stored.body).toMatchObject({
      status: 'SUBMITTED',
      qaDecisions: [expect.objectContaining({ country: 'TH', decision: 'ACCEPTED', decidedBy: expect.objectContaining({ role: 'admin' }) })],
    });
  });
});

describe('ASEAN observers', { timeout: 300_000 }, () => {
  it('an observer records an observation of the joint task, at the device’s position, and sees it listed', async () => {
    const findings = 'Joint KH–TH team on site; lanes marked; PMN-2 found in lane 4 destroyed in situ.';
    await withPage(PHONE, async (page) => {
      await signIn(page, cs.base, observer);
      await page.goto(`${cs.base}/#/observe`);
      const card = page.getByTestId(`observe-task-${seed.jointTask}`);
      await card.waitFor({ timeout: 30_000 });
      await card.getByTestId(`observe-record-${seed.jointTask}`).click();
      const form = card.getByTestId('observation-form');
      // Findings are required.
      await form.getByTestId('observation-submit').click();
      await form.locator('.field-error').first().waitFor();
      await form.getByTestId('observation-findings').fill(findings);
      await form.getByTestId('observation-jointTeamPresent').check();
      await form.getByTestId('observation-markingInPlace').check();
      await form.getByTestId('observation-locate').click();
      await expect.poll(() => form.getByTestId('observation-lon').inputValue()).toMatch(/^103\.70/);
      await form.getByTestId('observation-submit').click();
      await expect.poll(() => card.getByTestId('submit-notice').getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
      await card.getByTestId(`observe-list-toggle-${seed.jointTask}`).click();
      const list = card.getByTestId(`observations-${seed.jointTask}`);
      await list.getByText(findings).waitFor({ timeout: 15_000 });
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
    });
    const stored = await cs.api('GET', `/v1/tasks/${seed.jointTask}/observations`, tokens.observer);
    expect(stored.status, JSON.stringify(stored.body)).toBe(200);
    expect(stored.body.items).toEqual([
      expect.objectContaining({
        findings,
        compliance: { jointTeamPresent: true, markingInPlace: true, proceduresFollowed: false },
        point: expect.objectContaining({ type: 'Point' }),
      }),
    ]);
    const point = (stored.body.items![0] as { point: { coordinates: number[] } }).point.coordinates;
    expect(point[0]).toBeCloseTo(103.705, 3);
    expect(point[1]).toBeCloseTo(14.355, 3);
  });

  it('an observer attests the release both countries accepted; the observers’ view in each language', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, observer);
      await inEachLanguage(page, '#/observe', `attest-report-${seed.report}`, 'observe');
      const card = page.getByTestId(`attest-report-${seed.report}`);
      expect(await card.getByTestId('qa-decision-KH').getAttribute('data-decision')).toBe('ACCEPTED');
      expect(await card.getByTestId('qa-decision-TH').getAttribute('data-decision')).toBe('ACCEPTED');
      await card.getByTestId(`attest-open-${seed.report}`).click();
      const form = card.getByTestId('attestation-form');
      await form.getByTestId('attestation-ATTESTED').check();
      await form.getByTestId('attestation-findings').fill('Both lanes walked with the joint team; marking and depth as reported.');
      await form.getByTestId('attestation-submit').click();
      await expect.poll(() => page.getByTestId('submit-notice').first().getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
      await card.waitFor({ state: 'detached', timeout: 15_000 });
    });
    const attested = await report();
    expect(attested.body).toMatchObject({ status: 'QA_ACCEPTED', attestation: expect.objectContaining({ decision: 'ATTESTED' }) });

    // Attested: operations are now offered the handover, the attestation shown on the card.
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, ops);
      await page.goto(`${cs.base}/#/qa`);
      const card = page.getByTestId(`qa-report-${seed.report}`);
      await card.waitFor({ timeout: 30_000 });
      expect(await card.getByTestId('report-attestation').getAttribute('data-attestation')).toBe('ATTESTED');
      await card.getByTestId(`qa-open-${seed.report}`).click();
      await card.getByTestId('handover-form').waitFor();
    });
  });
});

describe('the map and hazard areas', { timeout: 300_000 }, () => {
  it('draws the land that remains apart from the two released parts, with its legend, in each language', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, observer);
      await inEachLanguage(page, `#/map/${seed.released}`, 'map-focus', 'map-release');
      const focus = page.getByTestId('map-focus');
      expect(await focus.locator('[data-kind="released"]').evaluateAll((ps) => ps.map((p) => p.getAttribute('data-outcome')).sort())).toEqual([
        'CLEARED',
        'REDUCED',
      ]);
      expect(await focus.locator('[data-kind="remaining"]').count()).toBe(1);
      expect(await focus.locator('[data-kind="original"]').count()).toBe(1);
      for (const item of [
        'map-legend-OPEN',
        'map-legend-WORKED_ON',
        'map-legend-SUSPENDED',
        'map-legend-original',
        'map-legend-withdrawn',
        'map-legend-released',
        'map-legend-handed',
      ]) {
        expect(await page.getByTestId(item).count(), item).toBe(1);
      }
      expect(await page.getByTestId('map-detail-parts').locator('li').count()).toBe(2);
      // Land was released: an observer is offered no withdraw, and neither is anyone else here.
      expect(await page.getByTestId('map-withdraw').count()).toBe(0);
    });
    const area = await cs.api('GET', `/v1/hazard-areas/${seed.released}`, tokens.observer);
    expect(Number(area.body.releasedSqm)).toBeGreaterThan(0);
    expect(Number(area.body.remainingSqm)).toBeLessThan(Number(area.body.areaSqm));
  });

  it('operations of the area’s country withdraw an area recorded in error with a reason; no "close" anywhere; refused where land was released or for the other country', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, ops);
      await page.goto(`${cs.base}/#/map/${seed.released}`);
      await page.getByTestId('map-detail').waitFor({ timeout: 30_000 });
      await settle(page);
      expect(await page.getByTestId('withdraw-refusal').getAttribute('data-refusal')).toBe('withdraw.released');
      expect(await page.getByTestId('map-withdraw').count()).toBe(0);

      await page.goto(`${cs.base}/#/map/${seed.withdrawable}`);
      const detail = page.getByTestId('map-detail');
      await expect.poll(() => detail.getAttribute('data-status'), { timeout: 30_000 }).toBe('OPEN');
      await settle(page);
      expect(await page.locator('main button', { hasText: /^close$/i }).count()).toBe(0);
      await inEachLanguage(page, `#/map/${seed.withdrawable}`, 'map-withdraw', 'map-withdraw');
      await page.getByTestId('map-withdraw').click();
      const form = page.getByTestId('withdraw-form');
      await form.getByTestId('withdraw-confirm').click();
      await form.locator('.field-error').waitFor();
      await form.getByTestId('withdraw-reason').fill('Recorded twice: the same polygon as the east-slope area.');
      await form.getByTestId('withdraw-confirm').click();
      await expect.poll(() => detail.getAttribute('data-status'), { timeout: 15_000 }).toBe('WITHDRAWN');
    });
    const withdrawn = await cs.api('GET', `/v1/hazard-areas/${seed.withdrawable}`, tokens.ops);
    expect(withdrawn.body).toMatchObject({
      status: 'WITHDRAWN',
      withdrawn: expect.objectContaining({ reason: 'Recorded twice: the same polygon as the east-slope area.' }),
    });

    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, opsTH);
      const other = await createArea('O Smach ridge, west slope');
      await page.goto(`${cs.base}/#/map/${other}`);
      await page.getByTestId('map-detail').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('withdraw-refusal').getAttribute('data-refusal')).toBe('withdraw.notCountry');
      expect(await page.getByTestId('map-withdraw').count()).toBe(0);
    });
  });
});
