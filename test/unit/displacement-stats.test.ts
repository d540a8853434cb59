import { describe, expect, it } from 'vitest';
import { addContributions, contributionOf, COUNTER_NAME, difference, displacementView, negate, personCounter } from '#shared/domain/displacement-stats.ts';
import type { Household, Member } from '#shared/domain/household.ts';
import { displacementStatsKey, displacementStatsPartition } from '#shared/db/keys/displacement-stats.ts';
import { displacementStatsWrites, displacementStatsWritesForDelta } from '#shared/db/repositories/displacement-stats.ts';

const member = (over: Partial<Member> = {}): Member => ({
  id: 'm0',
  givenName: 'Sokha',
  familyName: 'Chan',
  sex: 'F',
  birthYear: 1986,
  relationship: 'HEAD',
  specificNeeds: [],
  ...over,
});

const household = (over: Partial<Household> = {}): Household => ({
  id: '01JHHAAAAAAAAAAAAAAAAAAAAA',
  version: 1,
  createdAt: '2026-01-15T00:00:00.000Z',
  updatedAt: '2026-01-15T00:00:00.000Z',
  createdBy: 'registrar',
  country: 'KH',
  org: 'DRC',
  status: 'DISPLACED',
  statusChangedAt: '2026-01-15T00:00:00.000Z',
  origin: { province: 'KH22' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [
    member({ specificNeeds: ['SP-PT', 'SM-CI'] }),
    member({ sex: 'M', birthYear: 2022, relationship: 'CHILD', specificNeeds: ['SM-MN', 'SM-CI'] }),
    member({ sex: 'M', birthYear: 1950, relationship: 'PARENT' }),
  ],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  returnSafety: { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: '2026-01-15T00:00:00.000Z' },
  ...over,
});

describe("a household's contribution", () => {
  it('counts the household and its people by status, year of birth, needs and return safety', () => {
    expect(contributionOf(household(), 2026)).toEqual({
      hh_DISPLACED: 1,
      p_DISPLACED: 3,
      rs_hh_DISPLACED_UNKNOWN: 1,
      rs_p_DISPLACED_UNKNOWN: 3,
      p_IDP_F_y1986: 1,
      p_IDP_M_y2022: 1,
      p_IDP_M_o60: 1,
      need_ANY: 2,
      need_SP: 1,
      need_SM: 2,
      needc_SP_PT: 1,
      needc_SM_CI: 2,
      needc_SM_MN: 1,
      hhneed_ANY: 1,
    });
  });

  it('counts a person with two codes of one category once in that category', () => {
    const c = contributionOf(household({ members: [member({ specificNeeds: ['SM-CI', 'SM-MN'] })] }), 2026);
    expect(c.need_SM).toBe(1);
    expect(c.need_ANY).toBe(1);
  });

  it('puts returned households in the returnee group and names only safe attribute names', () => {
    const c = contributionOf(household({ status: 'RETURNED', returnSafety: { status: 'AT_RISK', hazardAreaIds: ['x'], checkedAt: '' } }), 2026);
    expect(c.p_RET_F_y1986).toBe(1);
    expect(c.rs_hh_RETURNED_AT_RISK).toBe(1);
    expect(Object.keys(c).filter((k) => k.startsWith('p_IDP'))).toEqual([]);
    for (const name of Object.keys(c)) expect(name).toMatch(COUNTER_NAME);
  });

  it('folds people aged 60 or more in the year of the write into o60', () => {
    expect(personCounter('IDP', 'F', 1966, 2026)).toBe('p_IDP_F_o60');
    expect(personCounter('IDP', 'F', 1967, 2026)).toBe('p_IDP_F_y1967');
    expect(personCounter('IDP', 'F', 1967, 2027)).toBe('p_IDP_F_o60');
  });
});

describe('difference, sums and negation', () => {
  it('is empty when nothing counted changed', () => {
    const h = household();
    const patched: Household = { ...h, contact: { phone: '+855 12 345 678' }, version: 2 };
    expect(difference(contributionOf(h, 2026), contributionOf(patched, 2026))).toEqual({});
  });

  it('moves the household and its people from one status to another, and omits zeros', () => {
    const before = household({ status: 'INTENDS_RETURN' });
    const after = household({ status: 'RETURNED' });
    const d = difference(contributionOf(before, 2026), contributionOf(after, 2026));
    expect(d).toEqual({
      hh_INTENDS_RETURN: -1,
      hh_RETURNED: 1,
      p_INTENDS_RETURN: -3,
      p_RETURNED: 3,
      rs_hh_INTENDS_RETURN_UNKNOWN: -1,
      rs_hh_RETURNED_UNKNOWN: 1,
      rs_p_INTENDS_RETURN_UNKNOWN: -3,
      rs_p_RETURNED_UNKNOWN: 3,
      p_IDP_F_y1986: -1,
      p_RET_F_y1986: 1,
      p_IDP_M_y2022: -1,
      p_RET_M_y2022: 1,
      p_IDP_M_o60: -1,
      p_RET_M_o60: 1,
    });
  });

  it('adds contributions and negates them back to nothing', () => {
    const a = contributionOf(household(), 2026);
    const b = contributionOf(household({ status: 'RETURNED' }), 2026);
    const sum = addContributions(a, b);
    expect(sum.p_DISPLACED).toBe(3);
    expect(sum.p_RETURNED).toBe(3);
    expect(sum.need_ANY).toBe(4);
    expect(addContributions(sum, negate(a), negate(b))).toEqual({});
  });
});

describe('the view of a set of counters', () => {
  it('shows every status, band, category and code, zeros included', () => {
    const v = displacementView({}, 2026);
    expect(v.households.byStatus).toEqual({ DISPLACED: 0, INTENDS_RETURN: 0, RETURN_BLOCKED: 0, RETURNED: 0, REDISPLACED: 0 });
    expect(v.people.bySexAndAge.X).toEqual({ '0-4': 0, '5-11': 0, '12-17': 0, '18-59': 0, '60+': 0 });
    expect(Object.keys(v.specificNeeds.byCategory)).toContain('WR');
    expect(v.specificNeeds.byCode['SP-PT']).toBe(0);
    expect(v.returnSafety.atRiskReturns).toEqual({ households: 0, people: 0 });
  });

  it('works out age bands in the year of the read, so a child moves band on 1 January without a write', () => {
    const c = contributionOf(household(), 2026);
    expect(displacementView(c, 2026).people.bySexAndAge.M).toEqual({ '0-4': 1, '5-11': 0, '12-17': 0, '18-59': 0, '60+': 1 });
    expect(displacementView(c, 2027).people.bySexAndAge.M).toEqual({ '0-4': 0, '5-11': 1, '12-17': 0, '18-59': 0, '60+': 1 });
    expect(displacementView(c, 2027).people.displaced.bySexAndAge.M).toEqual(displacementView(c, 2027).people.bySexAndAge.M);
  });

  it('stays exact when a person registered at 59 is moved in the year they turn 60', () => {
    const h = household({ members: [member({ birthYear: 1967 })] });
    const registered = contributionOf(h, 2026); // p_IDP_F_y1967
    const moved = difference(contributionOf(h, 2027), contributionOf({ ...h, status: 'RETURNED' }, 2027)); // −p_IDP_F_o60, +p_RET_F_o60
    const counters = addContributions(registered, moved);
    expect(counters.p_IDP_F_y1967).toBe(1);
    expect(counters.p_IDP_F_o60).toBe(-1);
    const v = displacementView(counters, 2027);
    expect(v.people.displaced.total).toBe(0);
    expect(v.people.returned.bySexAndAge.F['60+']).toBe(1);
    expect(v.people.bySexAndAge.F).toEqual({ '0-4': 0, '5-11': 0, '12-17': 0, '18-59': 0, '60+': 1 });
  });

  it('reports at-risk returns only for households on their way home or home', () => {
    const atRisk = { status: 'AT_RISK' as const, hazardAreaIds: ['h'], checkedAt: '' };
    const c = addContributions(
      contributionOf(household({ returnSafety: atRisk }), 2026),
      contributionOf(household({ status: 'INTENDS_RETURN', returnSafety: atRisk }), 2026),
    );
    const v = displacementView(c, 2026);
    expect(v.returnSafety.households.AT_RISK).toBe(2);
    expect(v.returnSafety.atRiskReturns).toEqual({ households: 1, people: 3 });
    expect(v.returnSafety.householdsByStatus.INTENDS_RETURN.AT_RISK).toBe(1);
  });
});

describe('counter keys', () => {
  it('keeps a country and its provinces in one partition', () => {
    expect(displacementStatsKey('KH')).toEqual({ pk: 'DSTATS#KH', sk: 'ALL' });
    expect(displacementStatsKey('TH', 'TH34')).toEqual({ pk: 'DSTATS#TH', sk: 'PROVINCE#TH34' });
    expect(displacementStatsPartition('TH')).toBe(displacementStatsKey('TH', 'TH34').pk);
  });
});

describe('counter writes', () => {
  it('updates the origin province and the country with ADD, through attribute names', () => {
    const writes = displacementStatsWrites(undefined, household());
    expect(writes.map((w) => w.item.Update!.Key)).toEqual([
      { pk: 'DSTATS#KH', sk: 'ALL' },
      { pk: 'DSTATS#KH', sk: 'PROVINCE#KH22' },
    ]);
    const update = writes[0]!.item.Update!;
    expect(update.UpdateExpression).toMatch(/^ADD #0 :0, #1 :1/);
    expect(Object.values(update.ExpressionAttributeNames!)).toContain('hh_DISPLACED');
  });

  it('writes nothing when nothing counted changed, and one merged update per item otherwise', () => {
    const h = household();
    expect(displacementStatsWrites(h, { ...h, version: 2, contact: { phone: '+855 12 345 678' } })).toEqual([]);
    const writes = displacementStatsWrites(h, { ...h, status: 'INTENDS_RETURN' });
    expect(writes).toHaveLength(2);
    const values = writes[0]!.item.Update!.ExpressionAttributeValues!;
    const names = writes[0]!.item.Update!.ExpressionAttributeNames!;
    const delta = Object.fromEntries(Object.entries(names).map(([k, name]) => [name, values[k.replace('#', ':')]]));
    expect(delta).toEqual({
      hh_DISPLACED: -1,
      hh_INTENDS_RETURN: 1,
      p_DISPLACED: -3,
      p_INTENDS_RETURN: 3,
      rs_hh_DISPLACED_UNKNOWN: -1,
      rs_hh_INTENDS_RETURN_UNKNOWN: 1,
      rs_p_DISPLACED_UNKNOWN: -3,
      rs_p_INTENDS_RETURN_UNKNOWN: 3,
    });
  });

  it('splits a very large chunk delta so that no expression passes 4 KB', () => {
    const delta: Record<string, number> = {};
    for (let i = 0; i < 900; i++) delta[`p_IDP_F_y${1000 + i}`] = 1;
    const writes = displacementStatsWritesForDelta('TH', 'TH34', delta);
    expect(writes.length).toBeGreaterThan(2);
    for (const w of writes) expect(w.item.Update!.UpdateExpression!.length).toBeLessThanOrEqual(4096);
    const total = writes.filter((w) => w.item.Update!.Key!.sk === 'ALL').reduce((t, w) => t + Object.keys(w.item.Update!.ExpressionAttributeNames!).length, 0);
    expect(total).toBe(900);
  });
});
