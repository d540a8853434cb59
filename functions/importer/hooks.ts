import { addContributions, contributionOf, type Counters } from '#shared/domain/displacement-stats.ts';
import type { Household, ReturnSafety } from '#shared/domain/household.ts';
import type { SitesByCode } from '#shared/domain/household-import.ts';
import { householdMonthlyChanges } from '#shared/domain/monthly.ts';
import { monthOf } from '#shared/domain/monthly.ts';
import { movementFlows, siteDeltas, type SiteDelta } from '#shared/domain/site-stats.ts';
import { importFiguresKey } from '#shared/db/keys/household-import.ts';
import { displacementStatsWritesForDeltas, originOf, type DisplacementDelta } from '#shared/db/repositories/displacement-stats.ts';
import { importExpiry } from '#shared/db/repositories/household-imports.ts';
import { monthlyStatsWrites } from '#shared/db/repositories/monthly-stats.ts';
import { allSitesOf, siteFlowWrites, siteStatsWrites } from '#shared/db/repositories/sites.ts';
import { assessReturnSafety, returnSafetyItems } from '#shared/db/repositories/return-safety.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { householdsDemandWrites } from '#shared/db/repositories/priorities.ts';
import { tableName } from '#shared/db/client.ts';
import { importJobKey } from '#shared/db/keys/household-import.ts';

/**
 * What an imported chunk adds beside its households: the displacement statistics (one
 * aggregated counter delta per origin province, applied in the chunk's commit transaction) and
 * return safety (the assessment of a destination, cached across the job, the spatial-index items
 * written with the household, and the check of every household's cell at the job's end).
 */

/** The counter writes for these new households: one UpdateItem per counter item (country, origin province, district, commune), and per monthly bucket. */
export function chunkStatsWrites(households: readonly Household[]): GuardedWrite[] {
  const byOrigin = new Map<string, Household[]>();
  for (const h of households) {
    const key = `${h.country}|${h.origin.province}|${h.origin.adm2 ?? ''}|${h.origin.adm3 ?? ''}`;
    byOrigin.set(key, [...(byOrigin.get(key) ?? []), h]);
  }
  const year = new Date().getUTCFullYear();
  const deltas: DisplacementDelta[] = [...byOrigin.values()].map((hs) => ({
    ...originOf(hs[0]!),
    counters: addContributions(...hs.map((h) => contributionOf(h, year))),
  }));
  // The monthly report counts each registration in the month of its createdAt (one bucket per province and month).
  const writes = [...displacementStatsWritesForDeltas(deltas), ...monthlyStatsWrites(households.flatMap((h) => householdMonthlyChanges(undefined, h)))];
  const keys = writes.map((w) => JSON.stringify(w.item.Update?.Key));
  // One transaction may touch an item once; a chunk of a few hundred new households stays far below the split point.
  if (new Set(keys).size !== keys.length) throw new Error('the statistics delta of a chunk needs several updates of one item: import with smaller chunks');
  return writes;
}

/** The sites of a country by code (upper case), for `current_site_code`: read once per run. */
export async function sitesByCode(country: string): Promise<SitesByCode> {
  return new Map((await allSitesOf(country)).map((s) => [s.code.toUpperCase(), s]));
}

/** Most writes of one transaction (100), less the marker. */
const MAX_FIGURE_WRITES = 99;

/**
 * The site figures of a chunk's new households (present counts per site, arrivals per month of
 * `displacedSince`, or of `uploadedOn`), applied exactly once before the chunk's own commit: in
 * transactions of at most 99 counter writes, each with a marker of its own (created only if
 * absent), so that a chunk resumed after a crash skips the parts already applied. A chunk with no
 * household at a site writes nothing.
 */
export async function commitSiteFigures(jobId: string, chunk: number, households: readonly Household[], uploadedOn: string, now: string): Promise<void> {
  const bySite = new Map<string, SiteDelta>();
  const byMonth = new Map<string, Counters[]>();
  for (const h of households) {
    if (!h.current.siteId) continue;
    for (const d of siteDeltas(undefined, h)) bySite.set(d.siteId, { ...d, counters: addContributions(bySite.get(d.siteId)?.counters ?? {}, d.counters) });
    const month = monthOf(h.displacedSince ?? uploadedOn);
    byMonth.set(month, [...(byMonth.get(month) ?? []), movementFlows(undefined, h)]);
  }
  const country = households[0]?.country ?? '';
  const writes = [
    ...siteStatsWrites([...bySite.values()]),
    ...[...byMonth.entries()].flatMap(([month, parts]) => siteFlowWrites(country, month, addContributions(...parts))),
  ];
  // Parts of at most 99 writes that touch each item once (a transaction may not touch one twice).
  const parts: GuardedWrite[][] = [];
  let part: GuardedWrite[] = [];
  let keys = new Set<string>();
  for (const w of writes) {
    const key = JSON.stringify(w.item.Update?.Key);
    if (part.length === MAX_FIGURE_WRITES || keys.has(key)) {
      parts.push(part);
      part = [];
      keys = new Set();
    }
    part.push(w);
    keys.add(key);
  }
  if (part.length > 0) parts.push(part);
  class AlreadyApplied extends Error {}
  for (const [i, p] of parts.entries()) {
    try {
      await transact([
        {
          item: {
            Put: {
              TableName: tableName,
              Item: { ...importFiguresKey(jobId, chunk, i), entity: 'HouseholdImportFigures', committedAt: now, expiresAt: importExpiry(now) },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: () => new AlreadyApplied(),
        },
        ...p,
      ]);
    } catch (e: unknown) {
      if (!(e instanceof AlreadyApplied)) throw e;
    }
  }
}

/** The return safety of a destination (UNKNOWN without a point); `cache` is shared across the job (the check at its end reads afresh). */
export const assessSafety = (destination: Household['destination'], now: string, cache: Map<string, unknown>): Promise<ReturnSafety> =>
  assessReturnSafety(destination, now, cache);

/** The spatial-index and at-risk link items of a household, as plain items for BatchWriteItem. */
export const safetyItems = (household: Household): Record<string, unknown>[] => returnSafetyItems(household);

/**
 * The return-safety index cell of a destination (undefined without a point), and the check of
 * every household in such cells once a job's households are stored (`recheckReturnSafetyInCells`).
 */
export { safetyCellOf, recheckReturnSafetyInCells as recheckSafetyInCells } from '#shared/db/repositories/return-safety.ts';

/** Demand writes per transaction of an import chunk (two per hazard area, with a marker item). */
const DEMAND_WRITES_PER_TRANSACTION = 90;

/**
 * The clearance-priority demand of a chunk's new households (`shared/db/repositories/priorities.ts`),
 * applied exactly once: in transactions of at most {@link DEMAND_WRITES_PER_TRANSACTION} writes,
 * each with a marker item of the job (`HHIMPORT#<job>`/`DEMAND#<chunk>#<part>`) created only if
 * absent, so that a resumed import skips the parts already applied. Run before the chunk commits.
 */
export async function applyChunkDemand(jobId: string, chunk: number, households: readonly Household[], expiresAt: number): Promise<void> {
  const writes = householdsDemandWrites(households);
  for (let part = 0, at = 0; at < writes.length; part++, at += DEMAND_WRITES_PER_TRANSACTION) {
    class Applied extends Error {}
    const marker: GuardedWrite = {
      item: {
        Put: {
          TableName: tableName,
          Item: { pk: importJobKey(jobId).pk, sk: `DEMAND#${chunk}#${part}`, entity: 'HouseholdImportDemand', expiresAt },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new Applied(),
    };
    try {
      await transact([marker, ...writes.slice(at, at + DEMAND_WRITES_PER_TRANSACTION)]);
    } catch (e: unknown) {
      if (!(e instanceof Applied)) throw e;
    }
  }
}
