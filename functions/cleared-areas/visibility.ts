import type { ClearedArea } from '#shared/domain/cleared-area.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { canSeeTask } from '#shared/domain/task.ts';
import { getClearedArea } from '#shared/db/repositories/cleared-areas.ts';
import { getTask } from '#shared/db/repositories/tasks.ts';
import { NotFound } from '#shared/http/problem.ts';

/**
 * Who sees a completion report: the rule tasks follow. Operations see their own country's
 * reports and joint ones; QA, ministries, observers and admins both countries'. Deminers see
 * their team's, which needs the task (see {@link visibleReport}).
 */
export function canSeeReport(p: Principal, area: Pick<ClearedArea, 'countries'>): boolean {
  if (p.role === 'operations') return p.country !== undefined && area.countries.includes(p.country);
  return true;
}

/** A report the caller may see, or the same 404 as for a missing one. */
export async function visibleReport(p: Principal, id: string): Promise<ClearedArea> {
  const area = await getClearedArea(id);
  if (!area || !canSeeReport(p, area)) throw new NotFound(`No cleared area ${id}.`);
  if (p.role === 'deminer') {
    const task = await getTask(area.taskId);
    if (!task || !canSeeTask(p, task)) throw new NotFound(`No cleared area ${id}.`);
  }
  return area;
}

/**
 * The report as the caller may read it: the names in a handover (the receiving party, the
 * signatories) are personal and stay in the report's country (and with admins); observers and
 * the other country see their type and organisation only.
 */
export function asSeenBy(p: Principal, area: ClearedArea): ClearedArea {
  if (!area.handover || p.role === 'admin' || p.country === area.country) return area;
  const { receivedBy, signatories, ...handover } = area.handover;
  return {
    ...area,
    handover: { ...handover, receivedBy: { type: receivedBy.type }, signatories: signatories.map(({ role, organisation }) => ({ role, organisation })) },
  };
}
