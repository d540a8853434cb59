import { describe, expect, it } from 'vitest';
import { allTeams, teamKey, teamsByCountry } from '../../shared/db/keys/team.ts';
import {
  FAILURE_PREFIX,
  failureKey,
  subscriptionCountKey,
  subscriptionKey,
  subscriptionsByCountry,
  subscriptionUrlKey,
} from '../../shared/db/keys/subscription.ts';
import { tableDefinition } from '../../shared/db/table.ts';
import {
  documentClaimKey,
  documentDuplicateKey,
  documentPartition,
  householdAccessKey,
  householdHistoryKey,
  householdKey,
  householdListKeys,
  householdsByCountry,
  householdsByOrg,
  householdsByOrgProvince,
  householdsByProvince,
  householdStatusPrefix,
} from '../../shared/db/keys/household.ts';

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
  it("addresses a subscription by id and lists a country's on gsi1, ordered by id", () => {
    expect(subscriptionKey('01ABC')).toEqual({ pk: 'SUB#01ABC', sk: 'SUB' });
    expect(subscriptionsByCountry('KH', '01ABC')).toEqual({ gsi1pk: 'SUBS#KH', gsi1sk: 'SUB#01ABC' });
    expect(subscriptionsByCountry('TH', 'x').gsi1pk).not.toEqual(subscriptionsByCountry('KH', 'x').gsi1pk);
  });
  it("keeps an organisation's subscription count and subscribed URLs in one partition per country and organisation", () => {
    expect(subscriptionCountKey('KH', 'MoD')).toEqual({ pk: 'SUBORG#KH#MoD', sk: 'COUNT' });
    expect(subscriptionUrlKey('KH', 'MoD', 'ab12')).toEqual({ pk: 'SUBORG#KH#MoD', sk: 'URL#ab12' });
    expect(subscriptionCountKey('TH', 'MoD').pk).not.toBe(subscriptionCountKey('KH', 'MoD').pk);
    expect(subscriptionCountKey('KH', 'MoI').pk).not.toBe(subscriptionCountKey('KH', 'MoD').pk);
  });
  it("keeps dead-letter records in the subscription's partition, after the FAILURE# prefix, by event id", () => {
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

describe('household key builders', () => {
  const h = { id: '01HH', country: 'KH', org: 'NGO-A', status: 'DISPLACED', origin: { province: 'KH22' } };
  it('addresses a household by id, with its history and access log in its partition', () => {
    expect(householdKey('01HH')).toEqual({ pk: 'HH#01HH', sk: 'HH' });
    expect(householdHistoryKey('01HH', '01E')).toEqual({ pk: 'HH#01HH', sk: 'HISTORY#01E' });
    expect(householdAccessKey('01HH', '01E')).toEqual({ pk: 'HH#01HH', sk: 'ACCESS#01E' });
    expect(householdKey('01HH').sk.startsWith('HISTORY#')).toBe(false);
    expect(householdKey('01HH').sk.startsWith('ACCESS#')).toBe(false);
  });
  it('carries every list key on the main item: origin province (gsi1), organisation (gsi2), organisation and province (gsi3), country (gsi4)', () => {
    expect(householdListKeys(h)).toEqual({
      gsi1pk: 'HHS#KH#PROV#KH22',
      gsi1sk: 'STATUS#DISPLACED#HH#01HH',
      gsi2pk: 'HHS#KH#ORG#NGO-A',
      gsi2sk: 'STATUS#DISPLACED#HH#01HH',
      gsi3pk: 'HHS#KH#ORG#NGO-A#PROV#KH22',
      gsi3sk: 'STATUS#DISPLACED#HH#01HH',
      gsi4pk: 'HHS#KH',
      gsi4sk: 'STATUS#DISPLACED#HH#01HH',
    });
    expect(householdsByOrg('TH', 'NGO-A', 'DISPLACED', 'x').gsi2pk).not.toEqual(householdsByOrg('KH', 'NGO-A', 'DISPLACED', 'x').gsi2pk);
    expect(householdsByProvince('KH', 'KH22', 'RETURNED', 'x')).toEqual({ gsi1pk: 'HHS#KH#PROV#KH22', gsi1sk: 'STATUS#RETURNED#HH#x' });
    expect(householdsByOrgProvince('KH', 'NGO-A', 'KH22', 'RETURNED', 'x').gsi3pk).toBe('HHS#KH#ORG#NGO-A#PROV#KH22');
    expect(householdsByCountry('KH', 'RETURNED', 'x')).toEqual({ gsi4pk: 'HHS#KH', gsi4sk: 'STATUS#RETURNED#HH#x' });
  });
  it('narrows a list to one status with a sort-key prefix that no other status shares', () => {
    expect(householdStatusPrefix(undefined)).toBe('STATUS#');
    expect(householdStatusPrefix('RETURNED')).toBe('STATUS#RETURNED#');
    expect(householdListKeys({ ...h, status: 'RETURN_BLOCKED' }).gsi1sk.startsWith(householdStatusPrefix('RETURNED'))).toBe(false);
    expect(householdListKeys(h).gsi4sk.startsWith(householdStatusPrefix('DISPLACED'))).toBe(true);
  });
  it('claims a document per country by its hash, with reviewed duplicates in the same partition', () => {
    expect(documentClaimKey('KH', 'abc')).toEqual({ pk: 'HHDOC#KH#abc', sk: 'CLAIM' });
    expect(documentDuplicateKey('KH', 'abc', '01HH')).toEqual({ pk: 'HHDOC#KH#abc', sk: 'DUP#01HH' });
    expect(documentPartition('KH', 'abc')).toBe(documentClaimKey('KH', 'abc').pk);
    expect(documentClaimKey('TH', 'abc').pk).not.toBe(documentClaimKey('KH', 'abc').pk);
  });
  it('uses only attributes that the table definition indexes', () => {
    const indexed = new Set(tableDefinition.globalSecondaryIndexes.flatMap((i) => [i.partitionKey.name, i.sortKey.name]));
    for (const name of Object.keys(householdListKeys(h))) expect(indexed.has(name)).toBe(true);
  });
});
