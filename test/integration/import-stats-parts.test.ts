import { describe, expect, it } from 'vitest';
import { chunkStatsWrites } from '../../functions/importer/hooks.ts';
import { commitChunk } from '#shared/db/repositories/household-imports.ts';
import { readAdmDisplacementStats, readDisplacementStats } from '#shared/db/repositories/displacement-stats.ts';
import type { Household } from '#shared/domain/household.ts';

const household = (i: number): Household => ({
  id: `HH${i}`,
  version: 1,
  createdAt: '2026-01-15T00:00:00.000Z',
  updatedAt: '2026-01-15T00:00:00.000Z',
  createdBy: 'import',
  country: 'KH',
  org: 'ORG',
  status: 'DISPLACED',
  statusChangedAt: '2026-01-15T00:00:00.000Z',
  // 150 households from 150 communes in 30 districts: 182 counter items, more than one transaction holds.
  origin: { province: 'KH22', adm2: `KH22${String(10 + (i % 30))}`, adm3: `KH22${String(10 + (i % 30))}${String(10 + Math.floor(i / 30))}` },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [{ id: 'm0', givenName: 'A', familyName: 'B', sex: 'F', birthYear: 1990, relationship: 'HEAD', specificNeeds: [] }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  returnSafety: { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: '2026-01-15T00:00:00.000Z' },
});

describe('an import chunk whose counters pass one transaction', () => {
  it('commits them in parts, each once, then the chunk; a re-run counts nothing twice', async () => {
    const households = Array.from({ length: 150 }, (_, i) => household(i));
    const writes = chunkStatsWrites(households);
    // Country, province, 30 districts and 150 communes (and the monthly bucket): more than the 98 beside the marker and the job.
    expect(writes.filter((w) => String(w.item.Update?.Key?.pk).startsWith('DSTATS#')).length).toBe(1 + 1 + 30 + 150);
    const counts = { rowsImported: 150, rowsRejected: 0, households: 150, householdsRejected: 0 };
    expect(await commitChunk('JOB-PARTS', 0, counts, writes, '2026-01-15T00:00:00.000Z')).toBe(true);
    expect(await commitChunk('JOB-PARTS', 0, counts, chunkStatsWrites(households), '2026-01-15T00:00:01.000Z')).toBe(false);
    expect((await readDisplacementStats('KH')).hh_DISPLACED).toBe(150);
    expect((await readDisplacementStats('KH', 'KH22')).hh_DISPLACED).toBe(150);
    expect((await readAdmDisplacementStats('KH', 'adm2', 'KH2210')).hh_DISPLACED).toBe(5);
    expect((await readAdmDisplacementStats('KH', 'adm3', 'KH221014')).hh_DISPLACED).toBe(1);
    expect((await readAdmDisplacementStats('KH', 'adm3', 'KH223914')).hh_DISPLACED).toBe(1);
  });
});
