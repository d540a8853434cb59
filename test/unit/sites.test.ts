import { describe, expect, it } from 'vitest';
import { contributionOf, displacementView } from '#shared/domain/displacement-stats.ts';
import { HouseholdTransition, movementProblem, ReturnIntentions, type Household } from '#shared/domain/household.ts';
import { admProblems, siteProblems } from '#shared/domain/site.ts';
import { arrivalProblem, monthFlows, movementFlows, siteDeltas } from '#shared/domain/site-stats.ts';
import { siteCodeKey, siteFlowsKey, siteKey, sitesByCountry, sitesByProvince, siteStatsKey, siteStatusPrefix } from '#shared/db/keys/site.ts';

const household = (overrides: Partial<Household> = {}): Household =>
  ({
    id: 'H1',
    country: 'KH',
    status: 'DISPLACED',
    origin: { province: 'KH22' },
    current: { province: 'KH22', siteId: 'SITEA' },
    members: [
      { sex: 'F', birthYear: 1990, specificNeeds: ['SP-PT'], relationship: 'HEAD' },
      { sex: 'M', birthYear: 2018, specificNeeds: [], relationship: 'CHILD' },
    ],
    returnSafety: { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: '2026-01-01T00:00:00Z' },
    ...overrides,
  }) as Household;

describe('site places', () => {
  it('each adm code must extend its parent, and a lower level needs the one above', () => {
    expect(admProblems({ province: 'KH22', adm2: 'KH2201', adm3: 'KH220103', adm4: 'KH22010305' }, 'body')).toEqual([]);
    expect(admProblems({ province: 'KH22', adm2: 'KH0102' }, 'body')).toEqual([{ path: 'body.adm2', message: 'KH0102 does not lie in province KH22' }]);
    expect(admProblems({ province: 'KH22', adm3: 'KH220103' }, 'body')).toEqual([{ path: 'body.adm2', message: 'required with adm3 KH220103' }]);
  });

  it('a site lies in its country, is named in its national language, and only a closed site has closedAt after openedAt', () => {
    const site = { country: 'KH' as const, province: 'KH22', name: { en: 'Wat' }, status: 'OPEN' as const };
    expect(siteProblems(site)).toEqual([]);
    expect(siteProblems({ ...site, province: 'TH34' }).map((p) => p.path)).toEqual(['province']);
    expect(siteProblems({ ...site, name: { en: 'Wat', th: 'วัด' } }).map((p) => p.path)).toEqual(['name.th']);
    expect(siteProblems({ ...site, closedAt: '2026-01-01' }).map((p) => p.message)).toEqual(['only a CLOSED site has closedAt']);
    expect(siteProblems({ ...site, status: 'CLOSED', openedAt: '2026-02-01', closedAt: '2026-01-01' }).map((p) => p.path)).toEqual(['closedAt']);
  });

  it('a household goes only to an open site of its country and province', () => {
    const site = { country: 'KH', code: 'A', status: 'OPEN', province: 'KH22' };
    expect(arrivalProblem(site, 'KH', 'KH22', 'A')).toBeUndefined();
    expect(arrivalProblem(undefined, 'KH', 'KH22', 'A')).toBe('no site A in KH');
    expect(arrivalProblem(site, 'TH', 'KH22', 'A')).toBe('no site A in TH');
    expect(arrivalProblem({ ...site, status: 'CLOSED' }, 'KH', 'KH22', 'A')).toBe('site A is CLOSED');
    expect(arrivalProblem(site, 'KH', 'KH17', 'A')).toBe('site A is in province KH22, not KH17');
  });
});

describe('site figures and flows', () => {
  it('a move between sites takes the household out of one and into the other, exactly', () => {
    const before = household();
    const after = household({ current: { province: 'KH22', siteId: 'SITEB' } });
    const deltas = siteDeltas(before, after, 2026);
    expect(deltas.map((d) => [d.siteId, d.counters.hh, d.counters.p])).toEqual([
      ['SITEA', -1, -2],
      ['SITEB', 1, 2],
    ]);
    // A change that does not move anything counted changes nothing.
    expect(siteDeltas(before, household({ contact: { phone: '+855 12 345 678' } }), 2026)).toEqual([]);
    // A status change at the same site moves counts between statuses only.
    const [same] = siteDeltas(before, household({ status: 'INTENDS_RETURN' }), 2026);
    expect(same!.counters).toEqual({ hh_DISPLACED: -1, p_DISPLACED: -2, hh_INTENDS_RETURN: 1, p_INTENDS_RETURN: 2 });
    // Return safety is not a site figure: a change of it (written by the hazard-area recomputation) moves nothing here.
    expect(siteDeltas(before, household({ returnSafety: { status: 'AT_RISK', hazardAreaIds: ['A'], checkedAt: '2026-01-02T00:00:00Z' } }), 2026)).toEqual([]);
  });

  it('flows: arrivals and departures per site, returns and re-displacements by origin', () => {
    expect(movementFlows(undefined, household())).toEqual({ arr_hh_SITEA: 1, arr_p_SITEA: 2 });
    expect(movementFlows(household(), household({ current: { province: 'KH22', siteId: 'SITEB' } }))).toEqual({
      dep_hh_SITEA: 1,
      dep_p_SITEA: 2,
      arr_hh_SITEB: 1,
      arr_p_SITEB: 2,
    });
    expect(movementFlows(household(), household({ status: 'RETURNED', current: { province: 'KH22', hostCommunity: 'home' } }))).toEqual({
      dep_hh_SITEA: 1,
      dep_p_SITEA: 2,
      ret_hh_KH22: 1,
      ret_p_KH22: 2,
    });
    expect(
      movementFlows(household({ status: 'RETURNED', current: { province: 'KH22', hostCommunity: 'home' } }), household({ status: 'REDISPLACED' })),
    ).toEqual({ arr_hh_SITEA: 1, arr_p_SITEA: 2, rdp_hh_KH22: 1, rdp_p_KH22: 2 });
    expect(monthFlows('2026-01', { dep_hh_SITEA: 1, dep_p_SITEA: 2, ret_hh_KH22: 1, ret_p_KH22: 2 })).toEqual({
      month: '2026-01',
      sites: [{ siteId: 'SITEA', arrivals: { households: 0, people: 0 }, departures: { households: 1, people: 2 } }],
      origins: [{ province: 'KH22', returns: { households: 1, people: 2 }, redisplacements: { households: 0, people: 0 } }],
    });
  });

  it('return intentions of households not yet home are counted by intention, when and obstacle', () => {
    const intentions = ReturnIntentions.parse({ intends: 'YES', when: 'LATER', obstacles: ['MINES_OR_UXO', 'NO_SERVICES'], surveyedAt: '2026-01-02' });
    const view = displacementView(contributionOf(household({ returnIntentions: intentions })), 2026);
    expect(view.returnIntentions.households).toEqual({ YES: 1, NO: 0, UNDECIDED: 0, notSurveyed: 0 });
    expect(view.returnIntentions.byWhen.LATER).toBe(1);
    expect(view.returnIntentions.byObstacle).toMatchObject({ MINES_OR_UXO: 1, NO_SERVICES: 1, INSECURITY: 0 });
    expect(displacementView(contributionOf(household({ status: 'RETURNED', returnIntentions: intentions })), 2026).returnIntentions.households.YES).toBe(0);
    expect(ReturnIntentions.safeParse({ intends: 'UNDECIDED', when: 'LATER', surveyedAt: '2026-01-02' }).success).toBe(false);
    expect(ReturnIntentions.safeParse({ intends: 'YES', surveyedAt: '2999-01-02' }).success).toBe(false);
  });

  it('a movement is dated not before the last one, names its place within a status, and a returned household is at no site', () => {
    const h = household({ currentSince: '2026-01-10' });
    const t = (body: unknown) => HouseholdTransition.parse(body);
    expect(movementProblem(h, t({ to: 'DISPLACED' }), '2026-01-12')).toEqual({ path: 'current', message: 'a move within DISPLACED names the new place' });
    expect(movementProblem(h, t({ to: 'INTENDS_RETURN' }), '2026-01-09')?.path).toBe('effectiveDate');
    expect(movementProblem(h, t({ to: 'INTENDS_RETURN' }), '2026-01-10')).toBeUndefined();
    expect(movementProblem(h, t({ to: 'RETURNED' }), '2026-01-12')?.path).toBe('current');
    expect(movementProblem(h, t({ to: 'RETURNED', current: { province: 'KH22', hostCommunity: 'home' } }), '2026-01-12')).toBeUndefined();
    expect(HouseholdTransition.safeParse({ to: 'RETURNED', effectiveDate: '2999-01-01' }).success).toBe(false);
  });
});

describe('site keys', () => {
  it('lists sort by status then id; codes are claimed per country whatever their case; figures sit in one partition per country', () => {
    expect(siteKey('S1')).toEqual({ pk: 'SITE#S1', sk: 'SITE' });
    expect(siteCodeKey('KH', 'kh22-pgd-01')).toEqual({ pk: 'SITECODE#KH#KH22-PGD-01', sk: 'CLAIM' });
    expect(sitesByCountry('KH', 'OPEN', 'S1')).toEqual({ gsi4pk: 'SITES#KH', gsi4sk: 'STATUS#OPEN#SITE#S1' });
    expect(sitesByProvince('KH', 'KH22', 'CLOSED', 'S1')).toEqual({ gsi1pk: 'SITES#KH#PROV#KH22', gsi1sk: 'STATUS#CLOSED#SITE#S1' });
    expect(siteStatusPrefix('OPEN')).toBe('STATUS#OPEN#');
    expect(siteStatusPrefix(undefined)).toBe('STATUS#');
    expect(siteStatsKey('KH', 'S1')).toEqual({ pk: 'SSTATS#KH', sk: 'SITE#S1' });
    expect(siteFlowsKey('TH', '2026-01')).toEqual({ pk: 'SFLOWS#TH', sk: 'MONTH#2026-01' });
  });
});
