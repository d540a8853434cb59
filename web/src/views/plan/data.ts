/**
 * What the planning views read: teams, hazard areas with their land as features, an area's
 * history and tasks, the priorities list where the API has one, a task's progress (for the EO
 * reconciliation) and reports. Writes go through the offline queue in the forms themselves.
 */
import type { HistoryEntry, ProgressReport } from '#shared/domain/task.ts';
import { suggestedTaskPriority } from '#shared/domain/priorities.ts';
import type { Team } from '#shared/domain/team.ts';
import { ApiError, listAll, request } from '../../app/api.ts';
import type { Session } from '../../app/session.ts';
import type { Area, AreaFeature, Country, Report } from '../land-release.ts';
import type { Task } from '../tasks/data.ts';

export type { Area, AreaFeature, Country, HistoryEntry, Report, Task, Team };
export { COUNTRIES } from '../land-release.ts';

/** The country whose records a user manages: its own, else (an admin) the one picked. */
export const ownCountry = (session: Session, picked: Country): Country => session.country ?? picked;

export const loadTeams = (country: Country): Promise<Team[]> => listAll<Team>(`/v1/teams?country=${country}`, 500);
export const loadAreas = (country: Country): Promise<Area[]> => listAll<Area>(`/v1/hazard-areas?country=${country}`, 500);

export async function loadArea(id: string): Promise<Area> {
  const res = await request<Area>('GET', `/v1/hazard-areas/${encodeURIComponent(id)}`);
  return res.etag !== undefined ? { ...res.body, version: res.etag } : res.body;
}

export const loadHistory = (id: string): Promise<HistoryEntry[]> => listAll<HistoryEntry>(`/v1/hazard-areas/${encodeURIComponent(id)}/history`, 200);
export const loadAreaTasks = (id: string): Promise<Task[]> => listAll<Task>(`/v1/hazard-areas/${encodeURIComponent(id)}/tasks`, 200);
export const loadTeamTasks = (teamId: string): Promise<Task[]> => listAll<Task>(`/v1/tasks?team=${encodeURIComponent(teamId)}`, 200);
export const loadTaskReports = (taskId: string): Promise<Report[]> => listAll<Report>(`/v1/cleared-areas?task=${encodeURIComponent(taskId)}`, 50);

export async function loadTask(id: string): Promise<Task> {
  const res = await request<Task>('GET', `/v1/tasks/${encodeURIComponent(id)}`);
  return res.etag !== undefined ? { ...res.body, version: res.etag } : res.body;
}

/** EO finds of a task's progress reports, summed by category: what the API reconciles a report's totals with. */
export async function eoFromProgress(taskId: string): Promise<Record<string, number>> {
  const reports = await listAll<ProgressReport>(`/v1/tasks/${encodeURIComponent(taskId)}/progress`, 10_000);
  const totals: Record<string, number> = {};
  for (const r of reports) for (const f of r.finds) totals[f.category] = (totals[f.category] ?? 0) + f.quantity;
  return totals;
}

export interface Rank {
  rank: number;
  of: number;
  /** The priority the rank suggests: top fifth 1, next fifth 2, … */
  suggested: number;
}

/** What `GET /v1/hazard-areas/{id}` adds for priority readers (operations, QA, observers, ministries, admins). */
interface AreaPriority {
  listed: boolean;
  rank: number | null;
  of: number;
  suggestedTaskPriority: number | null;
}

interface PriorityItem {
  hazardAreaId?: string;
  rank?: number;
}

/**
 * The area's rank among its country's hazard areas by return demand, accidents and contamination,
 * and the task priority it suggests (`suggestedTaskPriority` of shared/domain/priorities.ts: top
 * fifth 1, next fifth 2, …). Read from the area itself (`priority`, as the API answers it to
 * priority readers); else from `GET /v1/hazard-areas/priorities?country=`; undefined where the
 * API ranks nothing (it answers a client error) or does not rank the area (closed). Any other
 * failure is thrown.
 */
export async function rankOf(area: Pick<Area, 'id' | 'country'> & { priority?: AreaPriority }): Promise<Rank | undefined> {
  const own = area.priority;
  if (own)
    return own.listed && own.rank !== null
      ? { rank: own.rank, of: own.of, suggested: own.suggestedTaskPriority ?? suggestedTaskPriority(own.rank, own.of) }
      : undefined;
  let items: PriorityItem[];
  try {
    items = await listAll<PriorityItem>(`/v1/hazard-areas/priorities?country=${area.country}`, 2000);
  } catch (e: unknown) {
    if (e instanceof ApiError && e.status >= 400 && e.status < 500) return undefined;
    throw e;
  }
  const index = items.findIndex((i) => i.hazardAreaId === area.id);
  if (index < 0) return undefined;
  const rank = items[index]!.rank ?? index + 1;
  return { rank, of: items.length, suggested: suggestedTaskPriority(rank, items.length) };
}

/** A hazard area's land as features (original, remaining, released). */
export async function loadFeatures(id: string): Promise<AreaFeature[]> {
  const res = await request<{ features?: AreaFeature[] }>('GET', `/v1/hazard-areas/${encodeURIComponent(id)}`, { accept: 'application/geo+json' });
  return res.body.features ?? [];
}

/** Today (UTC) as the API compares dates. */
export const today = (): string => new Date().toISOString().slice(0, 10);
