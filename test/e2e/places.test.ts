import { describe, expect, it } from 'vitest';
import { useLocalServer } from '../support/local-server.ts';

/**
 * Places end to end against `npm start`: the gazetteer edition it loads into a new table, lists in
 * Khmer and Thai, a household whose commune is not in its district (400 naming both), one hosted in
 * Phnom Penh, and the displacement CSV's district row.
 */
const local = useLocalServer('places-e2e');
const { call } = local;

const household = (origin: Record<string, string>, current: Record<string, string>) => ({
  origin,
  current,
  members: [{ givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD' }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});

describe('places against npm start', { timeout: 240_000 }, () => {
  it('lists places in Khmer and Thai, checks coded places, and counts them by district in the HXL CSV', async () => {
    const relief = local.token('--role', 'relief', '--country', 'KH', '--org', 'CARE');
    const ministry = local.token('--role', 'ministry', '--country', 'KH');
    const reliefTH = local.token('--role', 'relief', '--country', 'TH', '--org', 'TRC');

    // npm start loaded the shipped edition into the new table before it listened.
    const editions = await call<{ current: string | null }>('GET', '/v1/places/editions', relief);
    expect(editions.body.current).toBe('2026-01');
    const kh = await call<{ edition: string; items: { pcode: string; name: { en: string; km: string } }[] }>('GET', '/v1/places?parent=KH22', relief);
    expect(kh.status).toBe(200);
    expect(kh.body.edition).toBe('2026-01');
    expect(kh.body.items.find((u) => u.pcode === 'KH2203')?.name).toEqual({ en: 'Chong Kal', km: expect.stringMatching(/\p{Script=Khmer}/u) });
    expect(kh.headers.get('etag')).toBe('"2026-01:KH22"');
    const th = await call<{ items: { pcode: string; name: { en: string; th: string } }[] }>('GET', '/v1/places?parent=TH32', reliefTH);
    expect(th.body.items.every((u) => /\p{Script=Thai}/u.test(u.name.th))).toBe(true);

    const wrong = await call<{ detail: string; errors: { path: string; message: string }[] }>(
      'POST',
      '/v1/households',
      relief,
      household({ province: 'KH22', adm2: 'KH2201', adm3: 'KH220301' }, { province: 'KH17', site: 'Pagoda camp 4' }),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toEqual({ path: 'body.origin.adm3', message: expect.stringContaining('commune KH220301 is not in district KH2201') });

    const phnomPenh = await call<{ id: string }>(
      'POST',
      '/v1/households',
      relief,
      household({ province: 'KH22', adm2: 'KH2203', adm3: 'KH220301' }, { province: 'KH12', adm2: 'KH1201', hostCommunity: 'Relatives in Chamkar Mon' }),
    );
    expect(phnomPenh.status, phnomPenh.text).toBe(201);

    const csv = await call('GET', '/v1/stats/displacement?country=KH&level=adm2', ministry, undefined, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[1]!.split(',')).toContain('#adm2+code');
    expect(lines.slice(2).find((l) => l.split(',')[3] === 'KH2203')).toBeDefined();
  });
});
