import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { formatCoordinate, parseCoordinate } from '../../web/src/views/plan/coords.ts';
import {
  LAPTOP,
  launchChromium,
  PHONE,
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
} from '../support/browser.ts';

/**
 * The console of the people who plan and release land, in Debian's Chromium against `npm start`
 * (README "Web console"), in English, Khmer and Thai: an operations officer records a team and
 * draws a hazard area on the map (clicks, a vertex dragged and the drag undone, a vertex typed in
 * MGRS in the coordinates table, the API's self-intersection message shown inline), plans a
 * joint task with a Thai team and assigns it; the team's deminer starts and completes it and
 * submits a report of two parts drawn inside the area; QA of Cambodia and of Thailand each accept
 * it in the QA view; the area's map then shows the land that remains apart from the released
 * parts. A GPS unit's GeoJSON track becomes a hazard area and its KML polygon a report part. A
 * drawing survives a reload, a create made offline is stored once, and a stale correction lands
 * in the conflict panel. Screenshots of each view; axe-core finds no serious violation.
 */

let cs: ConsoleServer;
let browser: Browser;

const opsKH: Claims = { role: 'operations', country: 'KH', org: 'CMAC' };
const opsTH: Claims = { role: 'operations', country: 'TH', org: 'TMAC' };
const qaKH: Claims = { role: 'qa', country: 'KH', org: 'CMAA' };
const qaTH: Claims = { role: 'qa', country: 'TH', org: 'TMAC QA' };
const LANGS = ['en', 'km', 'th'] as const;
const tokens = { opsKH: '', opsTH: '', observer: '' };
let thTeam = '';

const gps = (name: string) => fileURLToPath(new URL(`../fixtures/gps/${name}`, import.meta.url));

beforeAll(async () => {
  cs = await startConsoleServer();
  browser = await launchChromium();
  tokens.opsKH = await cs.token(opsKH);
  tokens.opsTH = await cs.token(opsTH);
  tokens.observer = await cs.token({ role: 'observer', org: 'AOT' });
  const team = await cs.api('POST', '/v1/teams', tokens.opsTH, { name: 'TMAC HMAU 1 Team 3', organisation: 'TMAC', country: 'TH', capabilities: ['MANUAL'] });
  expect(team.status, JSON.stringify(team.body)).toBe(201);
  thTeam = String(team.body.id);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await cs?.stop();
});

const withPage = pageRunner(() => browser);

/** Clicks the SVG `testId` at a point of its 800×600 viewBox. */
async function clickMap(page: Page, testId: string, x: number, y: number): Promise<void> {
  await page.getByTestId(testId).scrollIntoViewIfNeeded();
  const box = (await page.getByTestId(testId).boundingBox())!;
  await page.mouse.click(box.x + (x * box.width) / 800, box.y + (y * box.height) / 600);
}

/** Clicks inside the hazard area's recorded outline drawn on `svgTestId`, at fractions of its extent (0,0 north-west). */
async function clickInOutline(page: Page, svgTestId: string, fx: number, fy: number): Promise<void> {
  await page.getByTestId(svgTestId).scrollIntoViewIfNeeded();
  const box = (await page.locator(`[data-testid="${svgTestId}"] path[data-kind="original"]`).boundingBox())!;
  await page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
}

const vertexText = (page: Page, prefix: string, i: number) => page.getByTestId(`${prefix}-coord-${i}`).inputValue();
const dd = (text: string) => text.split(',').map((s) => Number(s.trim())) as [number, number];

async function checkPage(page: Page, name: string): Promise<void> {
  await settle(page);
  await screenshot(page, name);
  expect(await seriousViolations(page), name).toEqual([]);
}

async function reportOf(taskId: string): Promise<Record<string, unknown>> {
  const list = await cs.api('GET', `/v1/cleared-areas?task=${taskId}`, tokens.observer);
  expect(list.status).toBe(200);
  return list.body.items![0]!;
}

/** The QA officer accepts the report in the QA view. */
async function qaAccepts(claims: Claims, reportId: string, lang: (typeof LANGS)[number]): Promise<void> {
  await withPage(LAPTOP, async (page) => {
    await signIn(page, cs.base, claims);
    await setLanguage(page, lang);
    await page.goto(`${cs.base}/#/qa`);
    const card = page.getByTestId(`qa-report-${reportId}`);
    await card.waitFor({ timeout: 30_000 });
    expect(await card.getByTestId(`qa-decision-${claims.country}`).getAttribute('data-decision')).toBe('PENDING');
    await card.getByTestId(`qa-open-${reportId}`).click();
    const form = card.getByTestId('qa-form');
    await form.getByTestId('qa-decision-ACCEPTED').check();
    await form.getByTestId('qa-comment').fill('Boundary and depth checked on site.');
    await form.getByTestId('qa-submit').click();
    await expect.poll(() => page.getByTestId('submit-notice').first().getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
  });
}

describe.each(LANGS)('planning and releasing land in %s', { timeout: 420_000 }, (lang) => {
  const name = `O Smach east slope (${lang})`;
  const teamName = `CMAC DU3 Team ${lang.toUpperCase()}`;
  const state = { area: '', task: '', khTeam: '', report: '' };

  it('operations record a team, draw a hazard area, plan a joint task and assign it', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, opsKH);
      await setLanguage(page, lang);

      // A team, then a change to its capabilities (PATCH with its version).
      await page.goto(`${cs.base}/#/teams`);
      await page.getByTestId('team-form').waitFor();
      await page.getByTestId('team-name').fill(teamName);
      await page.getByTestId('team-new-cap-MDD').check();
      await page.getByTestId('team-submit').click();
      await expect.poll(() => page.getByTestId('submit-notice').first().getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
      const teams = await cs.api('GET', '/v1/teams?country=KH&limit=100', tokens.opsKH);
      const team = teams.body.items!.find((x) => x.name === teamName)!;
      expect(team).toMatchObject({ organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL', 'MDD'], active: true });
      state.khTeam = String(team.id);
      await page.getByTestId(`team-edit-${state.khTeam}`).click();
      await page.getByTestId(`team-${state.khTeam}-cap-MECHANICAL`).check();
      await page.getByTestId(`team-save-${state.khTeam}`).click();
      await expect
        .poll(async () => (await cs.api('GET', `/v1/teams/${state.khTeam}`, tokens.opsKH)).body.capabilities, { timeout: 15_000 })
        .toEqual(['MANUAL', 'MDD', 'MECHANICAL']);
      await checkPage(page, `planning-teams-${lang}`);

      // The hazard area: its facts, then its outline drawn around the officer's position.
      await page.goto(`${cs.base}/#/areas`);
      await page.getByTestId('areas-new').click();
      const form = page.getByTestId('area-form');
      await form.waitFor();
      await page.getByTestId('area-name').fill(name);
      await page.getByTestId('area-province').selectOption('KH22');
      await page.getByTestId('area-district').fill('Samraong');
      await page.getByTestId('area-classification').selectOption('CHA');
      await page.getByTestId('area-date').fill('2025-07-28');
      await page.getByTestId('area-model-0').fill('PMN-2');
      await page.getByTestId('area-draw-here').click();
      await page.waitForTimeout(300);
      await clickMap(page, 'area-draw-svg', 340, 360); // south-west
      await clickMap(page, 'area-draw-svg', 460, 360); // south-east
      await clickMap(page, 'area-draw-svg', 460, 240); // north-east
      expect(await page.getByTestId('area-draw-svg').getAttribute('data-vertices')).toBe('3');
      const [sw, se, ne] = [dd(await vertexText(page, 'area-draw', 0)), dd(await vertexText(page, 'area-draw', 1)), dd(await vertexText(page, 'area-draw', 2))];
      expect(sw[0]).toBeCloseTo(14.355 - (60 / 600) * 0.0207, 3); // latitude first in the table
      expect(se[1]).toBeGreaterThan(sw[1]);
      expect(ne[0]).toBeGreaterThan(se[0]);

      // Dragging a vertex moves it; undo puts it back.
      await page.getByTestId('area-draw-svg').scrollIntoViewIfNeeded();
      const vertex = (await page.getByTestId('area-draw-vertex-1').boundingBox())!;
      await page.mouse.move(vertex.x + vertex.width / 2, vertex.y + vertex.height / 2);
      await page.mouse.down();
      await page.mouse.move(vertex.x + vertex.width / 2 + 40, vertex.y + vertex.height / 2 + 30, { steps: 5 });
      await page.mouse.up();
      await expect.poll(() => vertexText(page, 'area-draw', 1)).not.toBe(`${se[0].toFixed(6)}, ${se[1].toFixed(6)}`);
      expect(await page.getByTestId('area-draw-svg').getAttribute('data-vertices')).toBe('3');
      await page.getByTestId('area-draw-undo').click();
      await expect.poll(() => vertexText(page, 'area-draw', 1)).toBe(`${se[0].toFixed(6)}, ${se[1].toFixed(6)}`);

      // The fourth corner typed in MGRS in the coordinates table (the keyboard way), as read off a GPS.
      const nw = formatCoordinate([sw[1], ne[0]], 'MGRS');
      await page.getByTestId('area-draw-format-MGRS').check();
      await page.getByTestId('area-draw-add-input').fill(nw);
      await page.getByTestId('area-draw-add-input').press('Enter');
      expect(await page.getByTestId('area-draw-svg').getAttribute('data-vertices')).toBe('4');
      expect(parseCoordinate(await vertexText(page, 'area-draw', 3), 'MGRS')).toEqual(parseCoordinate(nw, 'MGRS'));
      await page.getByTestId('area-draw-format-DD').check();

      // Reordered into a bow tie: the API's own check says where it crosses, before anything is sent.
      await page.getByTestId('area-draw-down-0').click();
      await expect.poll(() => page.getByTestId('area-geometry-issues').textContent()).toMatch(/intersects itself/);
      await page.getByTestId('area-draw-undo').click();
      await page.getByTestId('area-geometry-issues').waitFor({ state: 'detached' });
      await checkPage(page, `planning-area-new-${lang}`);

      await page.getByTestId('area-submit').click();
      await page.getByTestId('area-facts').waitFor({ timeout: 20_000 });
      state.area = String(await page.evaluate('location.hash.split("/")[2]'));
      const area = await cs.api('GET', `/v1/hazard-areas/${state.area}`, tokens.opsKH);
      expect(area.body).toMatchObject({
        name,
        country: 'KH',
        province: 'KH22',
        district: 'Samraong',
        classification: 'CHA',
        status: 'OPEN',
        contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
      });
      const ring = (area.body.geometry as { coordinates: number[][][] }).coordinates[0]!;
      expect(ring).toHaveLength(5);
      expect(Number(area.body.areaSqm)).toBeGreaterThan(100_000);
      expect(Number(area.body.areaSqm)).toBeLessThan(400_000);

      // A joint task with the Thai team, then assigned.
      const plan = page.getByTestId('plan-form');
      await page.getByTestId('plan-activity').selectOption('CLEARANCE');
      // The area's rank in the country's priorities suggests a priority; the planner may choose another.
      const priority = page.getByTestId('plan-priority');
      await expect.poll(() => priority.getAttribute('data-suggested'), { timeout: 15_000 }).toMatch(/^[1-5]$/);
      expect(await priority.inputValue()).toBe(await priority.getAttribute('data-suggested'));
      expect(Number(await priority.getAttribute('data-rank'))).toBeGreaterThanOrEqual(1);
      await priority.selectOption('1');
      await page.getByTestId('plan-joint').check();
      await page.getByTestId(`plan-team-${state.khTeam}`).check();
      await page.getByTestId(`plan-team-${thTeam}`).check();
      await plan.getByTestId('plan-submit').click();
      const row = page.locator('[data-testid^="area-task-"][data-status]');
      await row.first().waitFor({ timeout: 15_000 });
      state.task = String(await row.first().getAttribute('data-testid')).replace('area-task-', '');
      expect(await row.first().getAttribute('data-status')).toBe('PLANNED');
      await page.getByTestId(`area-task-assign-${state.task}`).click();
      await expect.poll(() => page.getByTestId(`area-task-${state.task}`).getAttribute('data-status'), { timeout: 15_000 }).toBe('ASSIGNED');
      await checkPage(page, `planning-area-${lang}`);
    });
    const task = await cs.api('GET', `/v1/tasks/${state.task}`, tokens.opsKH);
    expect(task.body).toMatchObject({
      hazardAreaId: state.area,
      activityType: 'CLEARANCE',
      joint: true,
      priority: 1,
      status: 'ASSIGNED',
      countries: ['KH', 'TH'],
    });
    expect([...(task.body.teamIds as string[])].sort()).toEqual([state.khTeam, thTeam].sort());
  });

  it('the deminer completes the task and submits a report of two parts drawn inside the area', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, { role: 'deminer', country: 'KH', org: 'CMAC', team: state.khTeam });
      await setLanguage(page, lang);
      await page.goto(`${cs.base}/#/tasks`);
      const card = page.getByTestId(`task-card-${state.task}`);
      await card.waitFor({ timeout: 20_000 });
      await card.getByTestId('task-action-IN_PROGRESS').click();
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('IN_PROGRESS');
      await card.getByTestId('task-action-COMPLETED').click();
      await card.getByTestId('task-action-confirm').click();
      await expect.poll(() => card.getAttribute('data-status'), { timeout: 15_000 }).toBe('COMPLETED');
      // Finished work is folded on the board: the deminer opens the section to reach the report.
      await page.getByTestId('task-group-COMPLETED').locator('summary').click();
      await card.getByTestId('task-report-link').click();

      const form = page.getByTestId('report-form');
      await form.waitFor({ timeout: 20_000 });
      // Part 1: cleared by hand to 13 cm, the western strip.
      await page.getByTestId('report-depth').fill('13');
      for (const [fx, fy] of [
        [0.1, 0.1],
        [0.45, 0.1],
        [0.45, 0.9],
        [0.1, 0.9],
      ] as const)
        await clickInOutline(page, 'report-draw-svg', fx, fy);
      // Part 2: reduced by technical survey, the eastern strip.
      await page.getByTestId('report-add-part').click();
      await page.getByTestId('report-outcome').selectOption('REDUCED');
      // The methods offered are those that reach the outcome (MANUAL reduces too, so it stays chosen).
      expect(
        await page
          .getByTestId('report-method')
          .locator('option')
          .evaluateAll((o) => o.map((x) => (x as unknown as { value: string }).value)),
      ).toEqual(['TS', 'MANUAL', 'MECHANICAL', 'MDD', 'COMBINED']);
      await page.getByTestId('report-method').selectOption('TS');
      for (const [fx, fy] of [
        [0.55, 0.1],
        [0.9, 0.1],
        [0.9, 0.9],
        [0.55, 0.9],
      ] as const)
        await clickInOutline(page, 'report-draw-svg', fx, fy);
      // A vertex outside the area is refused before sending, with the API's words.
      await clickInOutline(page, 'report-draw-svg', 0.5, 1.2);
      await expect.poll(() => page.getByTestId('report-part-issues').textContent()).toMatch(/outside the remaining land/);
      await page.getByTestId('report-draw-undo').click();
      await page.getByTestId('report-part-issues').waitFor({ state: 'detached' });
      expect(await page.getByTestId('report-eo-state').getAttribute('data-mismatch')).toBe('false');
      await checkPage(page, `planning-report-${lang}`);
      await page.getByTestId('report-submit').click();
      await page.locator('[data-testid^="report-state-"][data-status="SUBMITTED"]').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('report-qa-KH').getAttribute('data-decision')).toBe('PENDING');
      expect(await page.getByTestId('report-qa-TH').getAttribute('data-decision')).toBe('PENDING');
      await checkPage(page, `planning-report-submitted-${lang}`);
    });
    const report = await reportOf(state.task);
    state.report = String(report.id);
    expect(report).toMatchObject({ status: 'SUBMITTED', requiredQaCountries: ['KH', 'TH'], submittingTeamId: state.khTeam });
    const parts = report.parts as { outcome: string; method: string; depthCm?: number; areaSqm: number }[];
    expect(parts.map((p) => [p.outcome, p.method, p.depthCm])).toEqual([
      ['CLEARED', 'MANUAL', 13],
      ['REDUCED', 'TS', undefined],
    ]);
    expect(parts.every((p) => p.areaSqm > 10_000)).toBe(true);
  });

  it('QA of both countries accept it in the QA view, and the area’s map shows the land that remains apart from the released parts', async () => {
    await qaAccepts(qaKH, state.report, lang);
    await qaAccepts(qaTH, state.report, lang);
    expect((await reportOf(state.task)).status).toBe('QA_ACCEPTED');
    const area = (await cs.api('GET', `/v1/hazard-areas/${state.area}`, tokens.opsKH)).body;
    expect(Number(area.remainingSqm)).toBeLessThan(Number(area.areaSqm) * 0.5);
    expect(Number(area.releasedSqm)).toBeGreaterThan(Number(area.areaSqm) * 0.5);
    expect(Number(area.releasedSqm) + Number(area.remainingSqm)).toBeCloseTo(Number(area.areaSqm), -2);

    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, opsKH);
      await setLanguage(page, lang);
      await page.goto(`${cs.base}/#/areas/${state.area}`);
      await page.getByTestId('area-facts').waitFor({ timeout: 20_000 });
      const svg = page.getByTestId('area-land-svg');
      await expect.poll(() => svg.locator('path[data-kind="released"]').count(), { timeout: 15_000 }).toBe(2);
      expect(await svg.locator('path[data-kind="remaining"]').count()).toBe(1);
      expect(await svg.locator('path[data-kind="original"]').count()).toBe(1);
      for (const kind of ['original', 'remaining', 'released']) await page.getByTestId(`area-land-legend-${kind}`).waitFor();
      await checkPage(page, `planning-released-${lang}`);
      // A completion report exists: the record may still be corrected, its outline no longer.
      await page.getByTestId('area-edit').click();
      await page.getByTestId('area-polygon-locked').waitFor();
      expect(await page.getByTestId('area-draw-add-input').count()).toBe(0);
      // The border map zooms to the area with the same land.
      await page.goto(`${cs.base}/#/map/${state.area}`);
      const focus = page.getByTestId('map-focus');
      await focus.waitFor({ timeout: 20_000 });
      expect(await focus.locator('path[data-kind="released"]').count()).toBe(2);
      expect(await focus.locator('path[data-kind="remaining"]').count()).toBe(1);
    });
    // Thailand's operations read the Cambodian area and may plan only a joint task on it.
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, opsTH);
      await setLanguage(page, lang);
      await page.goto(`${cs.base}/#/areas/${state.area}`);
      await page.getByTestId('plan-form').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('plan-joint').isChecked()).toBe(true);
      expect(await page.getByTestId('plan-joint').isDisabled()).toBe(true);
      expect(await page.getByTestId('area-edit').count()).toBe(0);
      await page.getByTestId(`plan-team-${thTeam}`).waitFor();
    });
    // The team leader sees both countries' decisions on the report's page.
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, { role: 'deminer', country: 'KH', org: 'CMAC', team: state.khTeam });
      await setLanguage(page, lang);
      await page.goto(`${cs.base}/#/report/${state.task}`);
      await page.getByTestId(`report-state-${state.report}`).waitFor({ timeout: 20_000 });
      expect(await page.getByTestId(`report-state-${state.report}`).getAttribute('data-status')).toBe('QA_ACCEPTED');
      expect(await page.getByTestId('report-qa-KH').getAttribute('data-decision')).toBe('ACCEPTED');
      expect(await page.getByTestId('report-qa-TH').getAttribute('data-decision')).toBe('ACCEPTED');
      expect(await page.getByTestId('report-form').count()).toBe(0);
      await checkPage(page, `planning-report-accepted-${lang}`);
    });
  });
});

describe('files from a GPS unit', { timeout: 300_000 }, () => {
  it('imports a GeoJSON track export as a hazard area and a KML polygon as a report part, and reads a GPX log', async () => {
    let areaId = '';
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, opsKH);
      await page.goto(`${cs.base}/#/areas/new`);
      await page.getByTestId('area-form').waitFor();
      await page.getByTestId('area-name').fill('Bamboo grove south of O Smach road');
      // A GPX log of an eTrex: one walked loop (its ends 3 m apart) and a waypoint.
      await page.getByTestId('area-import-file').setInputFiles(gps('garmin-track.gpx'));
      expect(await page.getByTestId('area-import-import-result').getAttribute('data-ok')).toBe('true');
      expect(await page.getByTestId('area-draw-svg').getAttribute('data-vertices')).toBe('5');
      // The GeoJSON export of a walked track replaces it.
      await page.getByTestId('area-import-file').setInputFiles(gps('garmin-track-hazard-area.geojson'));
      expect(await page.getByTestId('area-import-import-result').getAttribute('data-ok')).toBe('true');
      expect(await page.getByTestId('area-draw-svg').getAttribute('data-vertices')).toBe('13');
      await page.getByTestId('area-submit').click();
      await page.getByTestId('area-facts').waitFor({ timeout: 20_000 });
      areaId = String(await page.evaluate('location.hash.split("/")[2]'));
    });
    const area = (await cs.api('GET', `/v1/hazard-areas/${areaId}`, tokens.opsKH)).body;
    const ring = (area.geometry as { coordinates: number[][][] }).coordinates[0]!;
    expect(ring).toHaveLength(14);
    expect(new Set(ring.map((p) => p.join()))).toContain('103.72012,14.35008');
    expect(new Set(ring.map((p) => p.join()))).toContain('103.72516,14.35342');
    expect(ring.every((p) => p.length === 2)).toBe(true);

    // A completed task on an area around the KML's lane, then its report from the file.
    const lane = await cs.api('POST', '/v1/hazard-areas', tokens.opsKH, {
      name: 'Lane 4 east of BM-07',
      country: 'KH',
      province: 'KH22',
      classification: 'CHA',
      evidence: 'DIRECT',
      dateOfInformation: '2025-08-02',
      contamination: [{ category: 'AP_MINE', period: '2025_CONFLICT' }],
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [103.75, 14.35],
            [103.755, 14.35],
            [103.755, 14.36],
            [103.75, 14.36],
            [103.75, 14.35],
          ],
        ],
      },
    });
    expect(lane.status, JSON.stringify(lane.body)).toBe(201);
    const team = await cs.api('POST', '/v1/teams', tokens.opsKH, { name: 'CMAC DU3 Team 14', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL'] });
    const task = await cs.api('POST', '/v1/tasks', tokens.opsKH, {
      hazardAreaId: lane.body.id,
      activityType: 'CLEARANCE',
      priority: 2,
      teamIds: [team.body.id],
      plannedStart: '2026-01-10',
      plannedEnd: '2026-02-10',
    });
    expect(task.status, JSON.stringify(task.body)).toBe(201);
    const taskId = String(task.body.id);
    const deminer = await cs.token({ role: 'deminer', country: 'KH', org: 'CMAC', team: String(team.body.id) });
    let version = task.etag;
    for (const [to, who] of [
      ['ASSIGNED', tokens.opsKH],
      ['IN_PROGRESS', deminer],
      ['COMPLETED', deminer],
    ] as const) {
      const moved = await cs.api('POST', `/v1/tasks/${taskId}/transitions`, who, { to }, { 'if-match': `"${version}"` });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      version = moved.etag;
    }
    // The team leader on a phone.
    await withPage(PHONE, async (page) => {
      await signIn(page, cs.base, { role: 'deminer', country: 'KH', org: 'CMAC', team: String(team.body.id) });
      await page.goto(`${cs.base}/#/report/${taskId}`);
      await page.getByTestId('report-form').waitFor({ timeout: 20_000 });
      const wide = await page.evaluate(
        `[...document.querySelectorAll('main *:not(svg *):not(.table-wrap *)')].filter((e) => e.getBoundingClientRect().right > ${PHONE.width} + 1).slice(0, 8).map((e) => e.tagName + '.' + e.className + '#' + (e.getAttribute('data-testid') || '') + ' ' + Math.round(e.getBoundingClientRect().right))`,
      );
      expect(wide, 'elements wider than the phone (tables scroll within their frame)').toEqual([]);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      await page.getByTestId('report-import-file').setInputFiles(gps('garmin-cleared-part.kml'));
      expect(await page.getByTestId('report-import-import-result').getAttribute('data-ok')).toBe('true');
      expect(await page.getByTestId('report-draw-svg').getAttribute('data-vertices')).toBe('4');
      await page.getByTestId('report-depth').fill('13');
      await checkPage(page, 'planning-report-phone-en');
      await page.getByTestId('report-submit').click();
      await page.locator('[data-testid^="report-state-"][data-status="SUBMITTED"]').waitFor({ timeout: 20_000 });
    });
    const report = await reportOf(taskId);
    const part = (report.parts as { outcome: string; depthCm: number; geometry: { coordinates: number[][][] } }[])[0]!;
    expect(part).toMatchObject({ outcome: 'CLEARED', depthCm: 13 });
    expect(new Set(part.geometry.coordinates[0]!.map((p) => p.join()))).toEqual(
      new Set(['103.751,14.351', '103.754,14.351', '103.754,14.357', '103.751,14.357']),
    );
  });
});

describe('offline and conflicts', { timeout: 300_000 }, () => {
  it('keeps a drawing through a reload, stores a hazard area recorded offline once, and puts a stale correction in the conflict panel', async () => {
    const name = 'Recorded without signal';
    const context = await newContext(browser, LAPTOP);
    try {
      const page = await context.newPage();
      await signIn(page, cs.base, opsKH);
      await page.goto(`${cs.base}/#/areas/new`);
      await page.getByTestId('area-form').waitFor();
      await page.getByTestId('area-name').fill(name);
      await page.getByTestId('area-draw-here').click();
      await page.waitForTimeout(300);
      for (const [x, y] of [
        [300, 400],
        [420, 400],
        [420, 280],
      ] as const)
        await clickMap(page, 'area-draw-svg', x, y);
      await page.reload();
      await page.getByTestId('area-draft-restored').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('area-name').inputValue()).toBe(name);
      expect(await page.getByTestId('area-draw-svg').getAttribute('data-vertices')).toBe('3');

      await page.evaluate('navigator.serviceWorker.ready.then(() => true)');
      await expect.poll(() => page.evaluate('!!navigator.serviceWorker.controller'), { timeout: 15_000 }).toBe(true);
      await context.setOffline(true);
      await page.getByTestId('area-submit').click();
      await expect.poll(() => page.getByTestId('submit-notice').first().getAttribute('data-state'), { timeout: 15_000 }).toBe('queued');
      await context.setOffline(false);
      await expect.poll(() => page.getByTestId('pending-count').count(), { timeout: 30_000 }).toBe(0);
    } finally {
      await context.close();
    }
    const areas = await cs.api('GET', '/v1/hazard-areas?country=KH&limit=100', tokens.opsKH);
    const stored = areas.body.items!.filter((a) => a.name === name);
    expect(stored).toHaveLength(1);
    const id = String(stored[0]!.id);

    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, opsKH);
      await page.goto(`${cs.base}/#/areas/${id}/edit`);
      await page.getByTestId('area-form').waitFor({ timeout: 20_000 });
      // Someone else corrects it meanwhile.
      const current = await cs.api('GET', `/v1/hazard-areas/${id}`, tokens.opsKH);
      const other = await cs.api('PATCH', `/v1/hazard-areas/${id}`, tokens.opsKH, { name: 'Corrected at the office' }, { 'if-match': `"${current.etag}"` });
      expect(other.status, JSON.stringify(other.body)).toBe(200);
      await page.getByTestId('area-name').fill('Corrected in the field');
      await page.getByTestId('area-submit').click();
      await page.getByTestId('conflict-item').waitFor({ timeout: 15_000 });
      await checkPage(page, 'planning-conflict-en');
    });
    expect((await cs.api('GET', `/v1/hazard-areas/${id}`, tokens.opsKH)).body.name).toBe('Corrected at the office');
  });
});
