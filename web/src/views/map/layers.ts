/**
 * What the map draws and where it comes from, limited to what the role may read (README
 * "Users and roles"): hazard areas and released land for the de-mining readers (a deminer: those
 * of its team's tasks), EO finds from the latest progress reports of a bounded number of visible
 * tasks, and, for ministries and admins, how many households' destinations are at risk per
 * hazard area (summaries only: no household is fetched as a point, no personal data).
 */
import type { ProgressReport } from '#shared/domain/task.ts';
import { listAll, request } from '../../app/api.ts';
import type { Role, Session } from '../../app/session.ts';
import type { Area as HazardArea, AreaFeature, Report as ClearedArea } from '../land-release.ts';
import { hazardAreasOf, loadTasks, type Task } from '../tasks/data.ts';

export type { AreaFeature, ClearedArea, HazardArea };

export type LayerName = 'hazard' | 'cleared' | 'finds' | 'atRisk';
export const LAYERS: readonly LayerName[] = ['hazard', 'cleared', 'finds', 'atRisk'];

/** Roles that list hazard areas and cleared land of both countries (DEMINING_READERS). */
const DEMINING_READERS: readonly Role[] = ['operations', 'qa', 'ministry', 'observer', 'admin'];

/** The layers a role may read: the others are neither offered nor requested. */
export function layersFor(role: Role): LayerName[] {
  if (role === 'deminer') return ['hazard', 'cleared', 'finds'];
  if (!DEMINING_READERS.includes(role)) return [];
  return role === 'ministry' || role === 'admin' ? ['hazard', 'cleared', 'finds', 'atRisk'] : ['hazard', 'cleared', 'finds'];
}

/** At most this many tasks' progress reports are read for the finds layer. */
export const MAX_FIND_TASKS = 25;
/** At most this many hazard areas are asked for their households at risk. */
export const MAX_AT_RISK_AREAS = 40;

export interface Find {
  taskId: string;
  category: string;
  quantity: number;
  coordinates: [number, number];
}

export interface AtRisk {
  count: number;
  /** More than one page: at least `count`. */
  more: boolean;
}

const COUNTRIES = ['KH', 'TH'] as const;

async function visibleTasks(session: Session): Promise<Task[]> {
  if (session.role === 'deminer' || session.role === 'operations') return loadTasks(session, session.country);
  const lists = await Promise.all(COUNTRIES.map((c) => listAll<Task>(`/v1/tasks?country=${c}`, 300)));
  const byId = new Map<string, Task>();
  for (const t of lists.flat()) byId.set(t.id, t);
  return [...byId.values()];
}

export async function loadHazards(session: Session): Promise<HazardArea[]> {
  if (session.role === 'deminer') return Object.values(await hazardAreasOf(await loadTasks(session, undefined)));
  const lists = await Promise.all(COUNTRIES.map((c) => listAll<HazardArea>(`/v1/hazard-areas?country=${c}`, 500)));
  return lists.flat();
}

export async function loadCleared(session: Session): Promise<ClearedArea[]> {
  if (session.role === 'deminer') {
    const done = (await loadTasks(session, undefined)).filter((t) => t.status === 'COMPLETED').slice(0, 50);
    const lists = await Promise.all(done.map((t) => listAll<ClearedArea>(`/v1/cleared-areas?task=${t.id}`, 20)));
    return lists.flat().filter((a) => a.status === 'QA_ACCEPTED' || a.status === 'HANDED_OVER');
  }
  const lists = await Promise.all(
    COUNTRIES.flatMap((c) => (['QA_ACCEPTED', 'HANDED_OVER'] as const).map((s) => listAll<ClearedArea>(`/v1/cleared-areas?country=${c}&status=${s}`, 500))),
  );
  const byId = new Map<string, ClearedArea>();
  for (const a of lists.flat()) byId.set(a.id, a);
  return [...byId.values()];
}

/** Finds of the most recently changed visible tasks that have any (at most MAX_FIND_TASKS, first 100 reports each). */
export async function loadFinds(session: Session): Promise<{ finds: Find[]; limited: boolean }> {
  const withFinds = (await visibleTasks(session)).filter((t) => t.ordnanceFound > 0).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  const chosen = withFinds.slice(0, MAX_FIND_TASKS);
  const pages = await Promise.all(
    chosen.map((t) => request<{ items: ProgressReport[] }>('GET', `/v1/tasks/${t.id}/progress?limit=100`).then((r) => r.body.items)),
  );
  const finds: Find[] = [];
  chosen.forEach((task, i) => {
    for (const report of pages[i] ?? []) {
      for (const f of report.finds) {
        const [lon, lat] = f.position.coordinates;
        if (lon !== undefined && lat !== undefined) finds.push({ taskId: task.id, category: f.category, quantity: f.quantity, coordinates: [lon, lat] });
      }
    }
  });
  return { finds, limited: withFinds.length > chosen.length };
}

/** Households at risk per open hazard area: counts of the summaries' first page, never the households themselves. */
export async function loadAtRisk(hazards: readonly HazardArea[]): Promise<Record<string, AtRisk>> {
  const open = hazards.filter((h) => h.status !== 'CLOSED' && h.status !== 'HANDED_OVER' && h.status !== 'WITHDRAWN').slice(0, MAX_AT_RISK_AREAS);
  const pages = await Promise.all(
    open.map((h) => request<{ items: unknown[]; next: string | null }>('GET', `/v1/hazard-areas/${h.id}/households-at-risk?limit=100`).then((r) => r.body)),
  );
  const out: Record<string, AtRisk> = {};
  open.forEach((h, i) => {
    const page = pages[i];
    if (page) out[h.id] = { count: page.items.length, more: page.next !== null };
  });
  return out;
}

/** A hazard area's land as features (`Accept: application/geo+json`): its original polygon, the land remaining and each released part. */
export async function loadAreaFeatures(id: string): Promise<AreaFeature[]> {
  const res = await request<{ type: 'FeatureCollection'; features: AreaFeature[] }>('GET', `/v1/hazard-areas/${encodeURIComponent(id)}`, {
    accept: 'application/geo+json',
  });
  return res.body.features ?? [];
}
