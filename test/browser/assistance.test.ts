import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { formatRegistrationCode } from '../../shared/domain/assistance-rules.ts';
import {
  LAPTOP,
  PHONE,
  launchChromium,
  pageRunner,
  screenshot,
  seriousViolations,
  setLanguage,
  settle,
  signIn,
  startConsoleServer,
  type ConsoleServer,
} from '../support/browser.ts';

/**
 * Assistance in the console (Debian's Chromium against `npm start`): a household's page shows
 * its registration code and a printable card with a QR code, in English, Khmer and Thai; a
 * relief agency of another organisation records assistance by the code on the card, and a second
 * record of the same type and round shows the server's refusal; a distribution list is taken.
 */
let cs: ConsoleServer;
let browser: Browser;
let household: { id: string; code: string };
const REGISTRAR = { role: 'relief' as const, country: 'KH' as const, org: 'Cambodian Red Cross' };
const OTHER = { role: 'relief' as const, country: 'KH' as const, org: 'World Relief KH' };

beforeAll(async () => {
  cs = await startConsoleServer();
  browser = await launchChromium();
  const token = await cs.token(REGISTRAR);
  const created = await cs.api('POST', '/v1/households', token, {
    origin: { province: 'KH22', village: 'O Smach' },
    current: { province: 'KH17', site: 'Pagoda camp 4' },
    members: [
      { givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1988, relationship: 'HEAD' },
      { givenName: 'Dara', familyName: 'Chan', sex: 'M', birthYear: 2015, relationship: 'CHILD' },
    ],
    consent: { given: true, date: '2026-01-05', purposes: ['REGISTRATION', 'RETURN_ASSISTANCE'] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  household = { id: String(created.body.id), code: String(created.body.code) };
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await cs?.stop();
});

const withPage = pageRunner(() => browser);

describe('assistance in the console', { timeout: 240_000 }, () => {
  it('shows the household card with its code and a QR code in each language, with no serious accessibility violation', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, REGISTRAR);
      for (const lang of ['en', 'km', 'th'] as const) {
        await setLanguage(page, lang);
        await page.goto(`${cs.base}/#/households/${household.id}`);
        await page.reload();
        await page.getByTestId('household-code').waitFor({ timeout: 30_000 });
        expect(await page.getByTestId('household-code').textContent()).toBe(formatRegistrationCode(household.code));
        await page.getByTestId('household-card-toggle').click();
        const qr = page.getByTestId('household-qr');
        await qr.waitFor({ timeout: 30_000 });
        // A QR code of a 8-character text at level M is version 1: 21 modules, and 4 of quiet zone each side.
        expect(await qr.getAttribute('viewBox')).toBe('0 0 29 29');
        expect(((await qr.locator('path').getAttribute('d')) ?? '').length).toBeGreaterThan(100);
        await settle(page);
        await screenshot(page, `household-card-${lang}`);
        expect(await seriousViolations(page), `household card (${lang})`).toEqual([]);
      }
    });
  });

  it('another organisation records assistance by the code; the same type and round again shows the refusal', async () => {
    await withPage(PHONE, async (page) => {
      await signIn(page, cs.base, OTHER);
      await page.goto(`${cs.base}/#/assistance`);
      const form = page.getByTestId('assistance-code-form');
      await form.waitFor({ timeout: 30_000 });
      const fill = async () => {
        await page.getByTestId('assistance-code').fill(formatRegistrationCode(household.code).toLowerCase());
        await page.getByTestId('assistance-type').selectOption('CASH');
        await page.getByTestId('assistance-round').fill('2026-R1');
        await page.getByTestId('assistance-date').fill('2026-02-01');
        await page.getByTestId('assistance-quantity').fill('60');
        await page.getByTestId('assistance-unit').fill('USD');
        await page.getByTestId('assistance-submit').click();
      };
      await fill();
      await page.locator('[data-testid="submit-notice"][data-state="sent"]').waitFor({ timeout: 30_000 });
      await fill();
      await page.getByText('already recorded for this round').waitFor({ timeout: 30_000 });
      await screenshot(page, 'assistance-refused-en');
    });
    const token = await cs.token(REGISTRAR);
    const list = await cs.api('GET', `/v1/households/${household.id}/assistance`, token);
    expect((list.body.items as { org: string; type: string }[]).map((r) => [r.org, r.type])).toEqual([[OTHER.org, 'CASH']]);
  });

  it('the registrar takes a distribution list of a round', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, REGISTRAR);
      await page.goto(`${cs.base}/#/assistance`);
      await page.getByTestId('distribution-round').fill('2026-R1');
      await page.getByTestId('distribution-type').selectOption('CASH');
      await page.getByTestId('distribution-download').click();
      const ready = page.getByTestId('distribution-ready');
      await ready.waitFor({ timeout: 30_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), ready.locator('a').click()]);
      expect(download.suggestedFilename()).toBe('distribution-2026-R1-CASH.csv');
      const csv = await readFile(await download.path(), 'utf8');
      expect(csv).toContain(`${household.id},${formatRegistrationCode(household.code)},Sokha,Chan,2,Pagoda camp 4,2026-R1,CASH,yes,,,`);
    });
  });
});
