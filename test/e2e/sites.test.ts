import { describe, expect, it } from 'vitest';
import { useLocalServer } from '../support/local-server.ts';

/**
 * Displacement sites, dated movements and return intentions, black-box over HTTP against
 * `npm start`: a household arrives at a site and leaves it, and the site's present count and the
 * flows of the month of each movement's `effectiveDate` follow; intentions are counted in the
 * displacement statistics.
 */
const local = useLocalServer('sites');
const { call } = local;

type Present = { sites: { code: string; present: { households: number; people: number } }[] };
type Flows = {
  months: {
    month: string;
    sites: { code: string; arrivals: { households: number }; departures: { households: number } }[];
    origins: { province: string; returns: { households: number } }[];
  }[];
};

describe('sites and dated movements against npm start', { timeout: 240_000 }, () => {
  it('a site’s present count moves when a household arrives and leaves, in the month of each effective date; intentions are counted', async () => {
    const relief = local.token('--role', 'relief', '--country', 'KH', '--org', 'DRC');
    const ministry = local.token('--role', 'ministry', '--country', 'KH', '--org', 'MOSVY');

    const site = { name: { en: 'Wat Samraong', km: 'វត្តសំរោង' }, type: 'PAGODA', province: 'KH22', adm2: 'KH2201', capacity: 800, managingOrganisation: 'DRC' };
    const pagoda = await call<{ id: string; code: string }>('POST', '/v1/sites', relief, { ...site, code: 'KH22-PGD-101' });
    const school = await call<{ id: string; code: string }>('POST', '/v1/sites', relief, {
      ...site,
      code: 'KH22-SCH-102',
      type: 'SCHOOL',
      name: { en: 'Samraong primary school' },
    });
    expect([pagoda.status, school.status]).toEqual([201, 201]);

    const presentAt = async (code: string) =>
      (await call<Present>('GET', '/v1/stats/sites?country=KH', ministry)).body.sites.find((s) => s.code === code)?.present;
    const flows = async (month: string) => (await call<Flows>('GET', `/v1/stats/sites/flows?country=KH&from=${month}&to=${month}`, ministry)).body.months[0]!;
    const intentions = async () =>
      (
        await call<{ returnIntentions: { households: Record<string, number>; byObstacle: Record<string, number> } }>(
          'GET',
          '/v1/stats/displacement?country=KH',
          ministry,
        )
      ).body.returnIntentions;

    const registered = await call<{ id: string; version: number }>('POST', '/v1/households', relief, {
      origin: { province: 'KH22', village: 'O Smach' },
      current: { province: 'KH22', siteId: pagoda.body.id },
      members: [
        { givenName: 'Sreymom', familyName: 'Sok', sex: 'F', birthYear: 1986, relationship: 'HEAD' },
        { givenName: 'Dara', familyName: 'Sok', sex: 'M', birthYear: 2015, relationship: 'CHILD' },
      ],
      consent: { given: true, date: '2025-12-15', purposes: ['RETURN_ASSISTANCE'] },
      displacedSince: '2025-12-12',
      returnIntentions: { intends: 'YES', when: 'WITHIN_1_MONTH', obstacles: ['MINES_OR_UXO'], surveyedAt: '2026-01-05' },
    });
    expect(registered.status).toBe(201);
    expect(await presentAt('KH22-PGD-101')).toEqual(expect.objectContaining({ households: 1, people: 2 }));
    expect((await flows('2025-12')).sites.find((s) => s.code === 'KH22-PGD-101')?.arrivals.households).toBe(1);
    expect(await intentions()).toMatchObject({ households: { YES: 1, NO: 0, UNDECIDED: 0, notSurveyed: 0 }, byObstacle: { MINES_OR_UXO: 1 } });

    // PATCH does not move a household: the answer points to the transition.
    const patched = await call<{ errors: { path: string; message: string }[] }>(
      'PATCH',
      `/v1/households/${registered.body.id}`,
      relief,
      { current: { province: 'KH22', siteId: school.body.id } },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(400);
    expect(patched.body.errors[0]!.message).toContain('/transitions');

    // Moved to the school on 9 January 2026, recorded later: the pagoda loses it, the school gains it, in January.
    const moved = await call<{ version: number }>(
      'POST',
      `/v1/households/${registered.body.id}/transitions`,
      relief,
      { to: 'DISPLACED', current: { province: 'KH22', siteId: school.body.id }, effectiveDate: '2026-01-09' },
      { 'if-match': '"1"' },
    );
    expect(moved.status).toBe(200);
    expect(await presentAt('KH22-PGD-101')).toEqual(expect.objectContaining({ households: 0, people: 0 }));
    expect(await presentAt('KH22-SCH-102')).toEqual(expect.objectContaining({ households: 1, people: 2 }));
    const january = await flows('2026-01');
    expect(january.sites.find((s) => s.code === 'KH22-PGD-101')?.departures.households).toBe(1);
    expect(january.sites.find((s) => s.code === 'KH22-SCH-102')?.arrivals.households).toBe(1);

    // Home on 2 February: the school empties, a return by origin in February; the intention is no longer counted.
    const home = await call(
      'POST',
      `/v1/households/${registered.body.id}/transitions`,
      relief,
      { to: 'RETURNED', current: { province: 'KH22', village: 'O Smach', hostCommunity: 'own house' }, effectiveDate: '2026-02-02' },
      { 'if-match': `"${moved.body.version}"` },
    );
    expect(home.status).toBe(200);
    expect(await presentAt('KH22-SCH-102')).toEqual(expect.objectContaining({ households: 0 }));
    const february = await flows('2026-02');
    expect(february.sites.find((s) => s.code === 'KH22-SCH-102')?.departures.households).toBe(1);
    expect(february.origins.find((o) => o.province === 'KH22')?.returns.households).toBe(1);
    expect((await intentions()).households.YES).toBe(0);

    // The CSV exports carry the HXL hashtags.
    const csv = await call('GET', '/v1/stats/sites?country=KH&format=csv', ministry);
    expect(csv.text.split('\r\n')[1]).toMatch(/#loc\+code.*#loc\+name.*#affected\+idps\+ind/);
    const displacementCsv = await call('GET', '/v1/stats/displacement?country=KH&format=csv', ministry);
    expect(displacementCsv.text.split('\r\n')[1]).toContain('#affected+idps+hh+intends_yes');
  });
});
