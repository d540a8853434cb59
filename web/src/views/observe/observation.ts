/** The observation form's rules, free of the browser (unit-tested). */
import type { ReleaseKey } from '../release-messages.ts';

/** Now, as a `datetime-local` value in the device's time zone. */
export const localNow = (now = new Date()): string => new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/** A clock a few minutes fast on the device is not "the future". */
const SKEW_MS = 5 * 60_000;

export const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s.replace(',', '.')));

export type Errors = Partial<Record<'observedAt' | 'findings' | 'lon' | 'lat', ReleaseKey>>;

/** Checks the form as the API will; an empty position is no position. */
export function validateObservation(form: { observedAt: string; findings: string; lon: string; lat: string }, now = Date.now()): Errors {
  const errors: Errors = {};
  const at = Date.parse(form.observedAt);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(form.observedAt) || Number.isNaN(at) || at > now + SKEW_MS) errors.observedAt = 'needTime';
  if (!form.findings.trim()) errors.findings = 'needFindings';
  if (form.lon.trim() !== '' || form.lat.trim() !== '') {
    const lon = num(form.lon);
    const lat = num(form.lat);
    if (!Number.isFinite(lon) || lon < -180 || lon > 180) errors.lon = 'needLon';
    if (!Number.isFinite(lat) || lat < -90 || lat > 90) errors.lat = 'needLat';
  }
  return errors;
}
