import { describe, expect, it } from 'vitest';
import { demandKey, prioritiesOf, priorityPartition } from '../../shared/db/keys/priority.ts';
import { accidentKey, accidentsByCountry, accidentsByProvince, victimDataKey } from '../../shared/db/keys/accident.ts';
import { sessionKey, sessionsByCountry, sessionsByProvince, sessionsBySite } from '../../shared/db/keys/risk-education.ts';
import { casualtyCounters, casualtyView, roundedPoint, splitVictims, totalsOf, withVictimData } from '../../shared/domain/accident.ts';
import type { Household } from '../../shared/domain/household.ts';
import {
  accidentsInWindow,
  contaminationScore,
  demandChange,
  demandView,
  expiredAccidentMonths,
  firstMonthInWindow,
  suggestedTaskPriority,
} from '../../shared/domain/priorities.ts';

const household = (over: Partial<Household> = {}): Household => ({
  id: '01HH',
  version: 1,
  createdAt: '',
  updatedAt: '',
  createdBy: 'x',
  country: 'KH',
  org: 'DRC',
  status: 'DISPLACED',
  statusChangedAt: '',
  origin: { province: 'KH22' },
  current: { province: 'KH17', site: 'camp' },
  destination: { province: 'KH22', point: { type: 'Point', coordinates: [103.5, 14.4] } },
  members: [
    { id: 'm0', givenName: 'a', familyName: 'b', sex: 'F', birthYear: 1980, relationship: 'HEAD', specificNeeds: [] },
    { id: 'm1', givenName: 'c', familyName: 'b', sex: 'M', birthYear: 2010, relationship: 'CHILD', specificNeeds: [] },
  ],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  returnSafety: { status: 'AT_RISK', hazardAreaIds: ['HA1', 'HA2'], checkedAt: '' },
  ...over,
});

describe('return demand of a household', () => {
  it('counts a household and its people in each area it is at risk from, weighted by its group', () => {
    const added = demandChange(undefined, household());
    expect([...added.keys()]).toEqual(['HA1', 'HA2']);
    expect(added.get('HA1')).toEqual({ counters: { hh_DISPLACED: 1, ppl_DISPLACED: 2 }, score: 2 });
  });

  it('moves the counts between groups when the status changes, and puts RETURN_BLOCKED by the hazard with those intending to return', () => {
    const before = household();
    const blocked = demandChange(before, household({ status: 'RETURN_BLOCKED', blockedReason: 'HAZARD' }));
    expect(blocked.get('HA1')).toEqual({ counters: { hh_DISPLACED: -1, ppl_DISPLACED: -2, hh_BLOCKED_HAZARD: 1, ppl_BLOCKED_HAZARD: 2 }, score: 4 });
    const occupied = demandChange(before, household({ status: 'RETURN_BLOCKED', blockedReason: 'OCCUPIED' }));
    expect(occupied.get('HA1')!.score).toBe(0);
  });

  it('leaves nothing when nothing counted changed, and takes the household out with its consent, its point or its risk', () => {
    expect(demandChange(household(), household({ contact: { phone: '+855 12 345 678' } })).size).toBe(0);
    for (const after of [
      household({ consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] } }),
      household({ destination: { province: 'KH22' } }),
      household({ returnSafety: { status: 'SAFE', hazardAreaIds: [], checkedAt: '' } }),
      undefined,
    ]) {
      expect(demandChange(household(), after).get('HA2')).toEqual({ counters: { hh_DISPLACED: -1, ppl_DISPLACED: -2 }, score: -2 });
    }
  });
});

describe('score parts', () => {
  it('gives points to AP mines and submunitions of the 2025 conflict, once per category', () => {
    expect(
      contaminationScore({
        contamination: [
          { category: 'AP_MINE', period: '2025_CONFLICT' },
          { category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' },
          { category: 'SUBMUNITION', period: '2025_CONFLICT' },
        ],
      }),
    ).toBe(60);
    expect(
      contaminationScore({
        contamination: [
          { category: 'AP_MINE', period: 'LEGACY' },
          { category: 'UXO', period: '2025_CONFLICT' },
        ],
      }),
    ).toBe(0);
  });

  it('sums accident months within the last twelve, the current one included, and names the expired ones', () => {
    const now = new Date('2026-03-15T00:00:00Z');
    expect(firstMonthInWindow(now)).toBe('2025-04');
    const item = { 'acc_2025-03': 2, 'acc_2025-04': 1, 'acc_2026-03': 1 };
    expect(accidentsInWindow(item, now)).toBe(2);
    expect(expiredAccidentMonths(item, now)).toEqual([['2025-03', 2]]);
    expect(demandView({ ...item, ppl_INTENDS_RETURN: 4, hh_INTENDS_RETURN: 1, contamination: 30 }, now)).toMatchObject({
      accidents: 2,
      score: 12 + 40 + 30,
      people: { total: 4 },
    });
  });

  it('counts the window in the border’s months, as the accidents’ month buckets are keyed (UTC+7)', () => {
    // 20:00 UTC on 31 March is 1 April on the border: April's window starts in May of the year before.
    const now = new Date('2026-03-31T20:00:00Z');
    expect(firstMonthInWindow(now)).toBe('2025-05');
    expect(accidentsInWindow({ 'acc_2025-04': 1, 'acc_2026-04': 1 }, now)).toBe(1);
  });

  it('suggests task priority 1 for the top fifth down to 5 for the last', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((r) => suggestedTaskPriority(r, 10))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(suggestedTaskPriority(1, 1)).toBe(1);
  });
});

describe('keys', () => {
  it('puts an area in its country and province lists and its demand beside the area', () => {
    expect(demandKey('HA1', 'country')).toEqual({ pk: 'HAZARD#HA1', sk: 'DEMAND#COUNTRY' });
    expect(prioritiesOf('KH', 'KH22').map(priorityPartition)).toEqual(['PRIORITY#COUNTRY#KH', 'PRIORITY#PROVINCE#KH22']);
    expect(accidentKey('A1')).toEqual({ pk: 'ACCIDENT#A1', sk: 'ACCIDENT' });
    expect(victimDataKey('A1')).toEqual({ pk: 'ACCIDENT#A1', sk: 'VICTIMS' });
    expect(accidentsByCountry('KH', '2026-02-01', 'A1')).toEqual({ gsi1pk: 'ACCIDENTS#COUNTRY#KH', gsi1sk: 'AT#2026-02-01#A1' });
    expect(accidentsByProvince('KH22', '2026-02-01', 'A1')).toEqual({ gsi2pk: 'ACCIDENTS#PROVINCE#KH22', gsi2sk: 'AT#2026-02-01#A1' });
    expect(sessionKey('S1')).toEqual({ pk: 'EORE#S1', sk: 'EORE' });
    expect(sessionsByCountry('KH', '2026-02-01', 'S1').gsi1pk).toBe('EORES#COUNTRY#KH');
    expect(sessionsByProvince('KH22', '2026-02-01', 'S1').gsi2sk).toBe('DATE#2026-02-01#S1');
    expect(sessionsBySite('KH', 'Pagoda camp 4', '2026-02-01', 'S1').gsi3pk).toBe('EORES#SITE#KH#Pagoda camp 4');
  });
});

describe('accident victims', () => {
  const given = [
    { sex: 'F' as const, age: 34, outcome: 'INJURED' as const, victimType: 'CIVILIAN' as const, nationality: 'KH' as const, name: 'Dara', contact: '+855 1' },
    { sex: 'M' as const, ageBand: '12-17' as const, outcome: 'KILLED' as const, victimType: 'CIVILIAN' as const, nationality: 'KH' as const },
  ];

  it('keeps names and contacts apart from the accident and merges them back for those who may read them', () => {
    const { victims, personal } = splitVictims(given);
    expect(JSON.stringify(victims)).not.toMatch(/Dara|\+855/);
    expect(victims.map((v) => v.ageBand)).toEqual(['18-59', '12-17']);
    expect(personal).toEqual([{ index: 0, name: 'Dara', contact: '+855 1' }]);
    expect(totalsOf(victims)).toEqual({ killed: 1, injured: 1 });
    const merged = withVictimData({ victims } as never, personal);
    expect(merged.victims[0]).toMatchObject({ name: 'Dara', contact: '+855 1' });
    expect(merged.victims[1]!.name).toBeUndefined();
  });

  it('counts casualties by sex, age band and type, and takes them back with the opposite sign', () => {
    const { victims } = splitVictims(given);
    const c = casualtyCounters({ victims, device: { category: 'AP_MINE' } });
    expect(casualtyView(c)).toMatchObject({
      accidents: 1,
      killed: 1,
      injured: 1,
      accidentsByDevice: { AP_MINE: 1 },
      bySexAndAge: { killed: { M: { '12-17': 1 } }, injured: { F: { '18-59': 1 } } },
    });
    expect(Object.values(casualtyCounters({ victims, device: { category: 'AP_MINE' } }, -1)).every((v) => v < 0)).toBe(true);
  });

  it('rounds the point in events to about 100 m', () => {
    expect(roundedPoint({ type: 'Point', coordinates: [103.551234, 14.298765] }).coordinates).toEqual([103.551, 14.299]);
  });
});
