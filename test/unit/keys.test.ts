import { describe, expect, it } from 'vitest';
import { allTeams, teamKey, teamsByCountry } from '../../shared/db/keys/team.ts';
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
