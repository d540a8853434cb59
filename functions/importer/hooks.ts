import { addContributions, contributionOf } from '#shared/domain/displacement-stats.ts';
import type { Household, ReturnSafety } from '#shared/domain/household.ts';
import { displacementStatsWritesForDeltas, originOf, type DisplacementDelta } from '#shared/db/repositories/displacement-stats.ts';
import { assessReturnSafety, returnSafetyItems } from '#shared/db/repositories/return-safety.ts';
import type { GuardedWrite } from '#shared/db/transact.ts';

/**
 * What an imported chunk adds from the other parts of issue 5: the displacement statistics (one
 * aggregated counter delta per origin province, applied in the chunk's commit transaction) and
 * return safety (the assessment of a destination, cached across the job, the spatial-index items
 * written with the household, and the check of every household's cell at the job's end).
 */

/** The counter writes for these new households: one UpdateItem per counter item (country, origin province, district, commune). */
export function chunkStatsWrites(households: readonly Household[]): GuardedWrite[] {
  const byOrigin = new Map<string, Household[]>();
  for (const h of households) {
    const key = `${h.country}|${h.origin.province}|${h.origin.adm2 ?? ''}|${h.origin.adm3 ?? ''}`;
    byOrigin.set(key, [...(byOrigin.get(key) ?? []), h]);
  }
  const year = new Date().getUTCFullYear();
  const deltas: DisplacementDelta[] = [...byOrigin.values()].map((hs) => ({ ...originOf(hs[0]!), counters: addContributions(...hs.map((h) => contributionOf(h, year))) }));
  const writes = displacementStatsWritesForDeltas(deltas);
  const keys = writes.map((w) => JSON.stringify(w.item.Update?.Key));
  // One transaction may touch an item once; a chunk of a few hundred new households stays far below the split point.
  if (new Set(keys).size !== keys.length) throw new Error('the statistics delta of a chunk needs several updates of one item: import with smaller chunks');
  return writes;
}

/** The return safety of a destination (UNKNOWN without a point); `cache` is shared across the job (the check at its end reads afresh). */
export const assessSafety = (destination: Household['destination'], now: string, cache: Map<string, unknown>): Promise<ReturnSafety> => assessReturnSafety(destination, now, cache);

/** The spatial-index and at-risk link items of a household, as plain items for BatchWriteItem. */
export const safetyItems = (household: Household): Record<string, unknown>[] => returnSafetyItems(household);

/**
 * The return-safety index cell of a destination (undefined without a point), and the check of
 * every household in such cells once a job's households are stored (`recheckReturnSafetyInCells`).
 */
export { safetyCellOf, recheckReturnSafetyInCells as recheckSafetyInCells } from '#shared/db/repositories/return-safety.ts';
