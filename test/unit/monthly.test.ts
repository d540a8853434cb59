import { describe, expect, it } from 'vitest';
import { MONTHLY_BACKFILL_MARKER, monthlyStatsKey, monthlyStatsPartition, monthlyStatsRange } from '../../shared/db/keys/monthly-stats.ts';
import { monthlyBucketUpdate, monthlyStatsWrites } from '../../shared/db/repositories/monthly-stats.ts';
import {
  accidentCounters,
  accidentMonthlyChanges,
  destroyedCounters,
  displayYear,
  householdMonthlyChanges,
  monthOf,
  monthsBetween,
  monthView,
  recountMonthly,
  releasedByOutcome,
  riskEducationCounters,
  riskEducationMonthlyChange,
  type HouseholdFlowState,
} from '../../shared/domain/monthly.ts';

const household = (over: Partial<HouseholdFlowState> = {}): HouseholdFlowState => ({
  country: 'KH',
  origin: { province: 'KH22', village: 'O Smach' },
  createdAt: '2026-01-31T10:00:00.000Z',
  status: 'DISPLACED',
  statusChangedAt: '2026-01-31T10:00:00.000Z',
  ...over,
});

describe('monthly report buckets (pure)', () => {
  it('takes the UTC month of a date or date-time and lists the months of a period across a year end', () => {
    expect(monthOf('2026-02-01')).toBe('2026-02');
    // Instants are taken on the border (UTC+7): 31 January 20:00 UTC is 1 February there.
    expect(monthOf('2026-01-31T16:59:59.000Z')).toBe('2026-01');
    expect(monthOf('2026-01-31T20:00:00.000Z')).toBe('2026-02');
    expect(monthOf('2026-12-31T17:00:00+00:00')).toBe('2027-01');
    expect(monthOf('2026-01-31')).toBe('2026-01');
    expect(() => monthOf('yesterday')).toThrow();
    expect(() => monthOf('2026-01-31Tnonsense')).toThrow();
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsBetween('2026-03', '2026-03')).toEqual(['2026-03']);
    expect(monthsBetween('2026-03', '2026-02')).toEqual([]);
  });

  it('counts a registration in the month of createdAt, a return and a re-displacement in the month of the move, nothing else', () => {
    const registered = household();
    expect(householdMonthlyChanges(undefined, registered)).toEqual([{ country: 'KH', province: 'KH22', month: '2026-01', counters: { hh_registered: 1 } }]);
    const returned = household({ status: 'RETURNED', statusChangedAt: '2026-03-02T08:00:00.000Z' });
    expect(householdMonthlyChanges(registered, returned)).toEqual([{ country: 'KH', province: 'KH22', month: '2026-03', counters: { hh_returned: 1 } }]);
    const again = household({ status: 'REDISPLACED', statusChangedAt: '2026-05-02T08:00:00.000Z', effectiveDate: '2026-04-28' });
    expect(householdMonthlyChanges(returned, again)).toEqual([{ country: 'KH', province: 'KH22', month: '2026-04', counters: { hh_redisplaced: 1 } }]);
    expect(householdMonthlyChanges(registered, household({ status: 'INTENDS_RETURN' }))).toEqual([]);
    expect(householdMonthlyChanges(returned, { ...returned, origin: { province: 'KH23', village: 'x' } })).toEqual([]);
    expect(householdMonthlyChanges(returned, undefined)).toEqual([]);
  });

  it('counts released land by outcome, destroyed ordnance only in situ, accidents and risk education', () => {
    expect(
      releasedByOutcome(
        [
          { outcome: 'CLEARED', areaSqm: 100 },
          { outcome: 'REDUCED', areaSqm: 50 },
          { outcome: 'CLEARED', areaSqm: 25 },
        ],
        -1,
      ),
    ).toEqual({ sqm_CLEARED: -125, sqm_REDUCED: -50 });
    expect(destroyedCounters('AP_MINE', 'DESTROYED_IN_SITU', 3)).toEqual({ eod_AP_MINE: 3 });
    expect(destroyedCounters('AP_MINE', 'REMOVED_FOR_DESTRUCTION', 3)).toEqual({});
    const view = monthView('2026-01', {
      ...accidentCounters(1, 2),
      ...riskEducationCounters(40),
      sqm_CLEARED: 100.4,
      sqm_CANCELLED: 10,
      eod_UXO: 2,
      hh_registered: 3,
    });
    expect(view).toMatchObject({
      month: '2026-01',
      landReleasedSqm: { CLEARED: 100, CANCELLED: 10, REDUCED: 0, total: 110 },
      ordnanceDestroyed: { UXO: 2, AP_MINE: 0, total: 2 },
      accidents: { accidents: 1, killed: 1, injured: 2 },
      riskEducation: { sessions: 1, peopleReached: 40 },
      households: { registered: 3, returned: 0, redisplaced: 0 },
    });
  });

  it('counts an accident in the month it occurred and moves it with a correction; a session by its date and audience', () => {
    const a = { country: 'KH', province: 'KH22', occurredAt: '2026-03-30', killed: 1, injured: 2 };
    expect(accidentMonthlyChanges(undefined, a)).toEqual([
      { country: 'KH', province: 'KH22', month: '2026-03', counters: { accidents: 1, killed: 1, injured: 2 } },
    ]);
    const moved = accidentMonthlyChanges(a, { ...a, occurredAt: '2026-04-02', injured: 3 });
    expect(moved).toEqual([
      { country: 'KH', province: 'KH22', month: '2026-03', counters: { accidents: -1, killed: -1, injured: -2 } },
      { country: 'KH', province: 'KH22', month: '2026-04', counters: { accidents: 1, killed: 1, injured: 3 } },
    ]);
    // Same month and place: the writer merges them into one update of the net change.
    const merged = monthlyStatsWrites(accidentMonthlyChanges(a, { ...a, injured: 3 }));
    expect(merged).toHaveLength(1);
    expect(Object.values(merged[0]!.item.Update!.ExpressionAttributeNames!)).toEqual(expect.arrayContaining(['injured']));
    expect(Object.values(merged[0]!.item.Update!.ExpressionAttributeNames!)).not.toContain('accidents');
    expect(riskEducationMonthlyChange({ country: 'TH', province: 'TH34', date: '2026-02-14', audience: { girls: 10, boys: 12, women: 20, men: 8 } })).toEqual({
      country: 'TH',
      province: 'TH34',
      month: '2026-02',
      counters: { eore_sessions: 1, eore_people: 50 },
    });
  });

  it('recounts the buckets from stored records as the live writes would count them', () => {
    const h = { ...household(), id: 'h1' };
    const changes = recountMonthly({
      households: [h],
      householdTransitions: [
        { householdId: 'h1', at: '2026-02-03T00:00:00Z', to: 'RETURNED' },
        { householdId: 'h1', at: '2026-03-03T00:00:00Z', to: 'REDISPLACED', effectiveDate: '2026-02-27' },
        { householdId: 'gone', at: '2026-03-03T00:00:00Z', to: 'RETURNED' },
      ],
      clearedAreas: [
        { country: 'TH', province: 'TH34', status: 'QA_ACCEPTED', parts: [{ outcome: 'CLEARED', areaSqm: 10 }], qa: { decidedAt: '2026-02-10T00:00:00Z' } },
        { country: 'TH', province: 'TH34', status: 'NOT_ATTESTED', parts: [{ outcome: 'CLEARED', areaSqm: 99 }], qa: { decidedAt: '2026-02-10T00:00:00Z' } },
      ],
      tasks: [{ id: 't1', country: 'TH', province: 'TH34' }],
      progressReports: [
        {
          taskId: 't1',
          reportDate: '2026-01-05',
          finds: [
            { category: 'UXO', quantity: 2, disposal: 'DESTROYED_IN_SITU' },
            { category: 'AP_MINE', quantity: 1 },
          ],
        },
      ],
      accidents: [{ country: 'TH', province: 'TH34', occurredAt: '2026-02-01T18:30:00Z', killed: 0, injured: 1 }],
      riskEducationSessions: [{ country: 'KH', province: 'KH22', date: '2026-01-20', audience: { girls: 1, boys: 2, women: 3, men: 4 } }],
    });
    expect(changes).toEqual([
      { country: 'KH', province: 'KH22', month: '2026-01', counters: { hh_registered: 1 } },
      { country: 'KH', province: 'KH22', month: '2026-02', counters: { hh_returned: 1 } },
      { country: 'KH', province: 'KH22', month: '2026-02', counters: { hh_redisplaced: 1 } },
      { country: 'TH', province: 'TH34', month: '2026-02', counters: { sqm_CLEARED: 10 } },
      { country: 'TH', province: 'TH34', month: '2026-01', counters: { eod_UXO: 2 } },
      { country: 'TH', province: 'TH34', month: '2026-02', counters: { accidents: 1, killed: 0, injured: 1 } },
      { country: 'KH', province: 'KH22', month: '2026-01', counters: { eore_sessions: 1, eore_people: 10 } },
    ]);
  });

  it('shows Buddhist-era years to Thai readers only', () => {
    expect(displayYear(2026, 'th')).toBe(2569);
    expect(displayYear(2026, 'en')).toBe(2026);
    expect(displayYear(2026, 'km')).toBe(2026);
  });
});

describe('monthly bucket keys and writes', () => {
  it('keeps a country in one partition sorted by month, a province bucket per month', () => {
    expect(monthlyStatsKey('KH', 'KH22', '2026-01')).toEqual({ pk: 'MSTATS#KH', sk: '2026-01#KH22' });
    expect(monthlyStatsPartition('TH')).toBe('MSTATS#TH');
    const range = monthlyStatsRange('2026-01', '2026-03');
    for (const sk of ['2026-01#KH01', '2026-03#KH25']) expect(sk >= range.start && sk <= range.end).toBe(true);
    for (const sk of ['2025-12#KH25', '2026-04#KH01']) expect(sk >= range.start && sk <= range.end).toBe(false);
    expect(MONTHLY_BACKFILL_MARKER.pk.startsWith('MSTATS#')).toBe(true);
  });

  it('adds increments to one bucket with ADD, and merges several changes of one bucket into one update', () => {
    const w = monthlyBucketUpdate('KH', 'KH22', '2026-01', { accidents: 1, killed: 0, injured: 2 }).item.Update!;
    expect(w.Key).toEqual({ pk: 'MSTATS#KH', sk: '2026-01#KH22' });
    expect(w.UpdateExpression).toMatch(/^ADD #c0 :c0, #c1 :c1 SET /);
    expect(Object.values(w.ExpressionAttributeNames!)).toEqual(expect.arrayContaining(['accidents', 'injured']));
    expect(Object.values(w.ExpressionAttributeNames!)).not.toContain('killed');
    expect(() => monthlyBucketUpdate('KH', 'KH22', '2026-01', { 'bad name': 1 })).toThrow();
    const merged = monthlyStatsWrites([
      { country: 'KH', province: 'KH22', month: '2026-01', counters: { hh_registered: 1 } },
      { country: 'KH', province: 'KH22', month: '2026-01', counters: { hh_registered: 1 } },
      { country: 'KH', province: 'KH22', month: '2026-02', counters: { eod_UXO: 1 } },
      { country: 'KH', province: 'KH22', month: '2026-03', counters: { eod_UXO: 1 } },
      { country: 'KH', province: 'KH22', month: '2026-03', counters: { eod_UXO: -1 } },
    ]);
    expect(merged.map((m) => m.item.Update!.Key)).toEqual([monthlyStatsKey('KH', 'KH22', '2026-01'), monthlyStatsKey('KH', 'KH22', '2026-02')]);
    expect(Object.values(merged[0]!.item.Update!.ExpressionAttributeValues!)).toContain(2);
  });
});
