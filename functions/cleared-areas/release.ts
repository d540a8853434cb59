import type { ClearedArea } from '#shared/domain/cleared-area.ts';
import type { HazardArea } from '#shared/domain/hazard-area.ts';
import { CLOSED_BELOW_SQM, remainingAfter, simplifyOutward, sqmOf } from '#shared/domain/land-release.ts';
import { historyEntry } from '#shared/domain/history.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { getClearedArea, listReportLand, releasedParts, reportLandDelete, reportLandWrite, type ReportLand } from '#shared/db/repositories/cleared-areas.ts';
import { listTasks } from '#shared/db/repositories/tasks.ts';
import { hazardHistoryWrite, hazardWrite } from '#shared/db/repositories/hazard-areas.ts';
import { hazardCellWritesOnChange } from '#shared/db/repositories/return-safety.ts';
import { hazardDemandChangeWrites } from '#shared/db/repositories/priorities.ts';
import { moved, type StatsChange, statsPlace } from '#shared/db/repositories/stats.ts';
import type { GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { Conflict } from '#shared/http/problem.ts';

/** The hazard area is shared by all its tasks' reports: a write that lost a race on it is retried by the client. */
export const hazardRace = () =>
  new Conflict('The hazard area changed at the same moment (another report of it was submitted, decided or handed over): send the request again.');

/** What a change of released land does to its hazard area, as writes for the change's transaction. */
export interface HazardRelease {
  hazard: HazardArea;
  writes: GuardedWrite[];
  stats: StatsChange[];
  /** True when the status changed, so the households near the area must be reassessed. */
  statusChanged: boolean;
}

const place = (a: { country: 'KH' | 'TH'; province: string }) => ({ country: a.country, province: a.province });

/**
 * The hazard area after its released land became `land` (a report accepted, or an accepted
 * report taken back): the remaining land recomputed from the polygon and every released part,
 * `remainingSqm` from it, CLOSED when less than a square metre is left, and back to WORKED_ON
 * when a taken-back release leaves land again. The hazard write is version-guarded.
 */
export function releaseOnHazard(hazard: HazardArea, land: readonly ReportLand[], principal: Principal, now: string, why: string): HazardRelease {
  const remaining = remainingAfter(
    hazard.geometry,
    releasedParts(land).map((p) => p.geometry),
  );
  const sqm = sqmOf(remaining);
  const nothingLeft = remaining === null || sqm < CLOSED_BELOW_SQM;
  const kept = nothingLeft ? null : simplifyOutward(remaining);
  const released = releasedParts(land).reduce((n, p) => n + p.areaSqm, 0);
  let status = hazard.status;
  if (nothingLeft && status !== 'CLOSED' && status !== 'HANDED_OVER') status = 'CLOSED';
  else if (!nothingLeft && (status === 'CLOSED' || status === 'HANDED_OVER')) status = 'WORKED_ON';
  const { remainingSimplified: _s, ...rest } = hazard;
  const updated: HazardArea = {
    ...rest,
    remainingGeometry: kept ? kept.geometry : null,
    ...(kept?.simplified ? { remainingSimplified: true } : {}),
    remainingSqm: nothingLeft ? 0 : Math.round(sqm),
    releasedSqm: released,
    ...(status !== hazard.status ? { status, statusChangedAt: now } : {}),
    version: hazard.version + 1,
    updatedAt: now,
  };
  const writes: GuardedWrite[] = [{ ...hazardWrite(updated, hazard.version), onConditionFailed: hazardRace }];
  const stats: StatsChange[] = [];
  if (status !== hazard.status) {
    writes.push(
      hazardHistoryWrite(hazard.id, historyEntry(principal, now, 'TRANSITION', { from: hazard.status, to: status, reason: why })),
      outboxEvent(
        EventType.HazardAreaStatusChanged,
        { type: 'HazardArea', id: hazard.id },
        hazard.country,
        principal,
        { hazardAreaId: hazard.id, ...place(hazard), from: hazard.status, to: status, reason: why, date: now.slice(0, 10) },
        now,
      ).write,
      ...hazardCellWritesOnChange(hazard, updated),
      ...hazardDemandChangeWrites(hazard, updated),
    );
    stats.push({ ...statsPlace(hazard), counters: moved('hazards', hazard.status, status) });
  }
  return { hazard: updated, writes, stats, statusChanged: status !== hazard.status };
}

/** Released m² counters of a report, per part and outcome (negative to take a release back). */
export function releasedCounters(area: ClearedArea, sign: 1 | -1): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const part of area.parts) counters[`sqm_${part.outcome}`] = (counters[`sqm_${part.outcome}`] ?? 0) + sign * part.areaSqm;
  return counters;
}

/** The land items of a report's hazard area after it was accepted (RELEASED) or taken back (deleted). */
export function landAfter(
  land: readonly ReportLand[],
  area: ClearedArea,
  change: 'release' | 'take-back',
  now: string,
): { land: ReportLand[]; write: GuardedWrite } {
  if (change === 'take-back') return { land: land.filter((l) => l.clearedAreaId !== area.id), write: reportLandDelete(area.hazardAreaId, area.id) };
  const mine = land.find((l) => l.clearedAreaId === area.id);
  const released: ReportLand = {
    clearedAreaId: area.id,
    state: 'RELEASED',
    parts: mine?.parts ?? area.parts.map(({ outcome, method, areaSqm, geometry }) => ({ outcome, method, areaSqm, geometry })),
    releasedAt: now,
  };
  return { land: [...land.filter((l) => l.clearedAreaId !== area.id), released], write: reportLandWrite(area.hazardAreaId, released) };
}

/**
 * Every report's land on a hazard area. Reports accepted before reports kept their land by
 * hazard area have no land item: when the area shows released m² but no released land item, they
 * are found through the area's tasks and returned with the writes that store their land items
 * (for the caller's transaction), so the remaining land never forgets an earlier release.
 */
export async function landOfHazard(hazard: HazardArea): Promise<{ land: ReportLand[]; backfill: GuardedWrite[] }> {
  const land = await listReportLand(hazard.id);
  if (!(hazard.releasedSqm ?? 0) || hazard.remainingGeometry !== undefined || land.some((l) => l.state === 'RELEASED')) return { land, backfill: [] };
  const legacy: ReportLand[] = [];
  let cursor: string | undefined;
  do {
    const page = await listTasks({ by: 'hazardArea', hazardAreaId: hazard.id }, undefined, { limit: 100, cursor });
    for (const task of page.items) {
      if (!task.acceptedReportId) continue;
      const report = await getClearedArea(task.acceptedReportId);
      if (!report) continue;
      legacy.push({
        clearedAreaId: report.id,
        state: 'RELEASED',
        parts: report.parts.map(({ outcome, method, areaSqm, geometry }) => ({ outcome, method, areaSqm, geometry })),
        releasedAt: report.qa?.decidedAt ?? report.updatedAt,
      });
    }
    cursor = page.next ?? undefined;
  } while (cursor);
  return { land: [...land, ...legacy], backfill: legacy.map((l) => reportLandWrite(hazard.id, l)) };
}
