import { describe, expect, it } from 'vitest';
import { childrenKey, currentEditionKey, editionKey, editionLogKey, editionProvinceKey, retiredCodeKey } from '../../shared/db/keys/gazetteer.ts';
import { displacementStatsAdmKey } from '../../shared/db/keys/displacement-stats.ts';
import { hazardsByAdm3 } from '../../shared/db/keys/hazard-area.ts';
import { importStatsPartKey } from '../../shared/db/keys/household-import.ts';
import { landReleaseStatsKey, scopesOf } from '../../shared/db/keys/stats.ts';

describe('keys of places', () => {
  it('keeps an edition in one partition: country lists, province trees, its record', () => {
    expect(childrenKey('2026-01', 'KH')).toEqual({ pk: 'GAZ#2026-01', sk: 'CHILDREN#KH' });
    expect(editionProvinceKey('2026-01', 'KH22')).toEqual({ pk: 'GAZ#2026-01', sk: 'PROVINCE#KH22' });
    expect(editionKey('2026-01')).toEqual({ pk: 'GAZ#2026-01', sk: 'EDITION' });
    expect(currentEditionKey()).toEqual({ pk: 'GAZETTEER', sk: 'CURRENT' });
    expect(editionLogKey('2026-06-01T00:00:00.000Z', '2026-06')).toEqual({ pk: 'GAZETTEER', sk: 'EDITION#2026-06-01T00:00:00.000Z#2026-06' });
    expect(retiredCodeKey('KH220101')).toEqual({ pk: 'GAZRETIRED#KH220101', sk: 'RETIRED' });
  });
  it('indexes hazard areas by their commune, and counts by district and commune', () => {
    expect(hazardsByAdm3('KH220302', 'OPEN', 'A1')).toEqual({ gsi4pk: 'HAZARDS#ADM3#KH220302', gsi4sk: 'STATUS#OPEN#HAZARD#A1' });
    expect(displacementStatsAdmKey('KH', 'adm2', 'KH2203')).toEqual({ pk: 'DSTATS#KH', sk: 'ADM2#KH2203' });
    expect(displacementStatsAdmKey('KH', 'adm3', 'KH220301')).toEqual({ pk: 'DSTATS#KH', sk: 'ADM3#KH220301' });
    expect(importStatsPartKey('J1', 7, 2)).toEqual({ pk: 'HHIMPORT#J1', sk: 'STATSPART#00000007#2' });
    expect(landReleaseStatsKey({ level: 'district', district: 'KH2203' })).toEqual({ pk: 'STATS#LAND_RELEASE', sk: 'DISTRICT#KH2203' });
    expect(scopesOf('KH', 'KH22', 'KH2203').map((s) => landReleaseStatsKey(s).sk)).toEqual(['ALL', 'COUNTRY#KH', 'PROVINCE#KH22', 'DISTRICT#KH2203']);
    expect(scopesOf('KH', 'KH22').map((s) => landReleaseStatsKey(s).sk)).toEqual(['ALL', 'COUNTRY#KH', 'PROVINCE#KH22']);
  });
});
