import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  LAPTOP,
  launchChromium,
  pageRunner,
  seriousViolations,
  setLanguage,
  settle,
  signIn,
  startConsoleServer,
  type ConsoleServer,
} from '../support/browser.ts';

/**
 * A household over time in the console (Debian's Chromium against `npm start`): a birth, a death
 * of the head naming the new head, verification and a split, each through the offline queue with
 * the household's If-Match, in English, Khmer and Thai, without serious accessibility violations.
 */
let cs: ConsoleServer;
let browser: Browser;
let householdId: string;
const REGISTRAR = { role: 'relief' as const, country: 'KH' as const, org: 'Cambodian Red Cross' };
const year = new Date().getUTCFullYear();

beforeAll(async () => {
  cs = await startConsoleServer();
  browser = await launchChromium();
  const created = await cs.api('POST', '/v1/households', await cs.token(REGISTRAR), {
    origin: { province: 'KH22', village: 'O Smach' },
    current: { province: 'KH17', site: 'Pagoda camp 4' },
    members: [
      { givenName: 'Grandpa', familyName: 'Chan', sex: 'M', birthYear: 1950, relationship: 'HEAD' },
      { givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1988, relationship: 'CHILD' },
      { givenName: 'Dara', familyName: 'Chan', sex: 'M', birthYear: 2003, relationship: 'GRANDCHILD' },
    ],
    consent: { given: true, date: '2026-01-05', purposes: ['REGISTRATION', 'RETURN_ASSISTANCE'] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  householdId = String(created.body.id);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cs?.stop();
});

const withPage = pageRunner(() => browser);

describe('members over time in the console', { timeout: 240_000 }, () => {
  it('records a birth, the death of the head with the new head, a verification and a split', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, REGISTRAR);
      await page.goto(`${cs.base}/#/households/${householdId}`);
      const rows = page.getByTestId('household-members').locator('tbody tr');
      await rows.first().waitFor({ timeout: 30_000 });
      expect(await rows.count()).toBe(3);

      await page.getByTestId('member-add-given-name').fill('Bopha');
      await page.getByTestId('member-add-birth-year').fill(String(year));
      await page.getByTestId('member-add-submit').click();
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(4);

      await page.getByTestId('member-change-action').selectOption('DEPART');
      await page.getByTestId('member-departure-reason').selectOption('DECEASED');
      const sokha = await page.getByTestId('member-departure-new-head').locator('option', { hasText: 'Sokha' }).getAttribute('value');
      await page.getByTestId('member-departure-new-head').selectOption(sokha!);
      await page.getByTestId('member-change-submit').click();
      await page.getByTestId('household-former-members').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('household-former-members').textContent()).toContain('Grandpa');
      expect(await rows.count()).toBe(3);

      await page.getByTestId('verification-status').selectOption('VERIFIED');
      await page.getByTestId('verification-method').selectOption('HOME_VISIT');
      await page.getByTestId('verification-submit').click();
      await page.locator('[data-testid="household-verification"][data-status="VERIFIED"]').waitFor({ timeout: 30_000 });

      await page.getByTestId('household-split-open').click();
      await page.getByTestId('household-split-dialog').locator('label', { hasText: 'Dara' }).locator('input').check();
      await page.getByTestId('household-split-submit').click();
      await page.getByTestId('household-split-into').waitFor({ timeout: 30_000 });
      expect(await rows.count()).toBe(2);

      const household = (await cs.api('GET', `/v1/households/${householdId}`, await cs.token(REGISTRAR))).body as {
        members: { givenName: string }[];
        verification: { status: string };
        splitInto: unknown[];
      };
      expect(household.members.map((m) => m.givenName).sort()).toEqual(['Bopha', 'Sokha']);
      expect(household.verification.status).toBe('VERIFIED');
      expect(household.splitInto).toHaveLength(1);

      for (const lang of ['km', 'th', 'en'] as const) {
        await setLanguage(page, lang);
        await settle(page);
        expect(await seriousViolations(page)).toEqual([]);
      }
    });
  });
});
