import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  LAPTOP,
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
 * The printable monthly report in Debian's Chromium against `npm start`: a ministry reads this
 * month's registration in the report; in Thai the months carry Buddhist-era years (2026 → 2569);
 * printed, only the report shows (no header, navigation or controls); no serious axe-core
 * violation in English, Khmer or Thai.
 */

let cs: ConsoleServer;
let browser: Browser;
const withPage = pageRunner(() => browser);
/** This month on the border (UTC+7), which the report's months follow. */
const month = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 7);
const [year, monthNumber] = month.split('-').map(Number) as [number, number];
const THAI_MONTHS = ['มกราคม', 'กุมภาพันธ์', 'มีนาคม', 'เมษายน', 'พฤษภาคม', 'มิถุนายน', 'กรกฎาคม', 'สิงหาคม', 'กันยายน', 'ตุลาคม', 'พฤศจิกายน', 'ธันวาคม'];

beforeAll(async () => {
  cs = await startConsoleServer();
  browser = await launchChromium();
  const relief = await cs.token({ role: 'relief', country: 'KH', org: 'DRC' });
  const registered = await cs.api('POST', '/v1/households', relief, {
    origin: { province: 'KH22', village: 'O Smach' },
    current: { province: 'KH17', site: 'Pagoda camp 4' },
    members: [{ givenName: 'Sreymom', familyName: 'Sok', sex: 'F', birthYear: 1986, relationship: 'HEAD' }],
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
});

afterAll(async () => {
  await browser?.close();
  await cs?.stop();
});

describe('printable monthly report', () => {
  it('shows Buddhist-era years in Thai, prints only the report, and passes axe-core in the three languages', async () => {
    await withPage(LAPTOP, async (page) => {
      await signIn(page, cs.base, { role: 'ministry', country: 'KH', org: 'MOSVY' });
      for (const lang of ['en', 'km', 'th'] as const) {
        await setLanguage(page, lang);
        await page.goto(`${cs.base}/#/monthly`);
        await page.reload();
        await page.getByTestId('monthly-report').waitFor({ timeout: 30_000 });
        await settle(page);
        // The registration of this month, counted exactly for the country's own ministry.
        expect(await page.getByTestId(`mr-registered-${month}`).textContent()).toBe('1');
        // Every date of the report in the reader's language, none left to the browser's English fallback.
        if (lang !== 'en')
          expect(await page.getByTestId('monthly-report').textContent()).not.toMatch(
            /January|February|March|April|May|June|July|August|September|October|November|December/,
          );
        await screenshot(page, `monthly-report-${lang}`);
        expect(await seriousViolations(page), `monthly report (${lang})`).toEqual([]);
      }

      const scope = (await page.getByTestId('mr-scope').textContent()) ?? '';
      const buddhistYear = String(year + 543);
      expect(scope).toContain(`${THAI_MONTHS[monthNumber - 1]} ${buddhistYear}`);
      expect(scope).not.toContain(String(year));
      expect(await page.getByTestId('mr-generated').textContent()).toContain(`${THAI_MONTHS[monthNumber - 1]} ${buddhistYear}`);
      expect(await page.locator(`tr[data-month="${month}"] th`).textContent()).toBe(`${THAI_MONTHS[monthNumber - 1]} ${buddhistYear}`);

      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.app-header').isVisible()).toBe(false);
      expect(await page.locator('.app-nav').isVisible()).toBe(false);
      expect(await page.getByTestId('mr-show').isVisible()).toBe(false);
      expect(await page.getByTestId('monthly-report').isVisible()).toBe(true);
      expect(await page.getByTestId('mr-chart').isVisible()).toBe(true);
      await screenshot(page, 'monthly-report-th-print');
      const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: false });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    });
  });
});
