import { describe, expect, it } from 'vitest';
import { allTeams, teamKey, teamsByCountry } from '../../shared/db/keys/team.ts';
import { FAILURE_PREFIX, failureKey, subscriptionKey, subscriptionsByCountry } from '../../shared/db/keys/subscription.ts';
import { tableDefinition } from '../../shared/db/table.ts';

describe('team key builders', () => {
  it('addresses a team by id on the base table', () => {
    expect(teamKey('01ABC')).toEqual({ pk: 'TEAM#01ABC', sk: 'TEAM' });
  });
  it('groups teams by country on gsi1, ordered by id', () => {
    expect(teamsByCountry('KH', '01ABC')).toEqual({ gsi1pk: 'TEAMS#COUNTRY#KH', gsi1sk: 'TEAM#01ABC' });
    expect(teamsByCountry('TH', 'x').gsi1pk).not.toEqual(teamsByCountry('KH', 'x').gsi1pk);
  });
  it('lists all teams on gsi2', () => {
    expect(allTeams('01ABC')).toEqual({ gsi2pk: 'TEAMS', gsi2sk: 'TEAM#01ABC' });
  });
  it('uses only attributes that the table definition indexes', () => {
    const indexed = new Set(tableDefinition.globalSecondaryIndexes.flatMap((i) => [i.partitionKey.name, i.sortKey.name]));
    for (const name of [...Object.keys(teamsByCountry('KH', 'a')), ...Object.keys(allTeams('a'))]) expect(indexed.has(name)).toBe(true);
  });
});

describe('subscription key builders', () => {
  it('addresses a subscription by id and lists a country\'s on gsi1, ordered by id', () => {
    expect(subscriptionKey('01ABC')).toEqual({ pk: 'SUB#01ABC', sk: 'SUB' });
    expect(subscriptionsByCountry('KH', '01ABC')).toEqual({ gsi1pk: 'SUBS#KH', gsi1sk: 'SUB#01ABC' });
    expect(subscriptionsByCountry('TH', 'x').gsi1pk).not.toEqual(subscriptionsByCountry('KH', 'x').gsi1pk);
  });
  it('keeps dead-letter records in the subscription\'s partition, after the FAILURE# prefix, by event id', () => {
    expect(failureKey('01SUB', '01EVT')).toEqual({ pk: 'SUB#01SUB', sk: 'FAILURE#01EVT' });
    expect(failureKey('01SUB', '01EVT').sk.startsWith(FAILURE_PREFIX)).toBe(true);
    expect(failureKey('01SUB', 'x').pk).toBe(subscriptionKey('01SUB').pk);
    expect(subscriptionKey('01SUB').sk.startsWith(FAILURE_PREFIX)).toBe(false);
  });
  it('uses only attributes that the table definition indexes', () => {
    const indexed = new Set(tableDefinition.globalSecondaryIndexes.flatMap((i) => [i.partitionKey.name, i.sortKey.name]));
    for (const name of Object.keys(subscriptionsByCountry('KH', 'a'))) expect(indexed.has(name)).toBe(true);
  });
});
