/**
 * Data of the task board: which list the signed-in role reads, the hazard areas the cards
 * name (read once per session), a copy of the last board kept on the device for a field team
 * without signal, and how changes still waiting in the offline queue project onto a task.
 */
import type { HazardArea } from '#shared/domain/hazard-area.ts';
import type { Task } from '#shared/domain/task.ts';
import { TASK_TRANSITIONS, type TaskStatus } from '#shared/domain/task-lifecycle.ts';
import { listAll, request } from '../../app/api.ts';
import type { PendingChange } from '../../app/offline.ts';
import type { Role, Session } from '../../app/session.ts';
import { tasksPath, type Country } from './paths.ts';
import { arrivedTasks, takePrefetchedTasks } from './prefetch.ts';

export type { HazardArea, Task, TaskStatus };
export { defaultCountry, tasksPath, type Country } from './paths.ts';

/** Order of the board's sections: what a team works on first. */
export const BOARD_ORDER: readonly TaskStatus[] = ['IN_PROGRESS', 'ASSIGNED', 'SUSPENDED', 'PLANNED', 'COMPLETED', 'CANCELLED'];

/** Statuses whose section starts folded: finished work. */
export const FOLDED: ReadonlySet<TaskStatus> = new Set(['COMPLETED', 'CANCELLED']);

/** Whether the user picks the country of the board (no country claim of their own). */
export const picksCountry = (session: Session): boolean => session.country === undefined;

/** The board's tasks from the server; `fresh`: never the service worker's offline copy. */
export const loadTasks = (session: Session, country: Country | undefined, fresh = false): Promise<Task[]> =>
  listAll<Task>(tasksPath(session, country), 500, { fresh });

/** The board's tasks: the read the entry started early, when it is this one (once; read again if it failed), else a new read. */
export function loadBoardTasks(session: Session, country: Country | undefined): Promise<Task[]> {
  const early = takePrefetchedTasks<Task>(session, tasksPath(session, country));
  return early ? early.catch(() => loadTasks(session, country)) : loadTasks(session, country);
}

/** The board's tasks if the early read has answered already (the first render shows them without waiting). */
export const arrivedBoardTasks = (session: Session, country: Country | undefined): Task[] | undefined =>
  arrivedTasks<Task>(session, tasksPath(session, country));

export async function loadTask(id: string): Promise<Task> {
  return (await request<Task>('GET', `/v1/tasks/${id}`)).body;
}

const areaCache = new Map<string, Promise<HazardArea | null>>();

/** A hazard area by id, read once per page load; null when it cannot be read (no signal, no access). */
export function hazardArea(id: string): Promise<HazardArea | null> {
  let cached = areaCache.get(id);
  if (!cached) {
    cached = request<HazardArea>('GET', `/v1/hazard-areas/${id}`).then(
      (r) => r.body,
      () => {
        areaCache.delete(id);
        return null;
      },
    );
    areaCache.set(id, cached);
  }
  return cached;
}

/** The hazard areas of a list of tasks, by id (those that could be read). */
export async function hazardAreasOf(tasks: readonly Task[]): Promise<Record<string, HazardArea>> {
  const ids = [...new Set(tasks.map((t) => t.hazardAreaId))];
  const areas = await Promise.all(ids.map(hazardArea));
  const byId: Record<string, HazardArea> = {};
  for (const a of areas) if (a) byId[a.id] = a;
  return byId;
}

/** A short name for a task's area: its reference and name, or the task id when unknown. */
export const areaLabel = (task: Task, area: HazardArea | undefined): string => (area ? `${area.reference} · ${area.name}` : task.id.slice(-8));

// ---------------------------------------------------------------------------------------------
// The board kept on the device: a deminer without signal still sees their tasks.

interface SavedBoard {
  at: string;
  tasks: Task[];
  areas: Record<string, HazardArea>;
}

const boardKey = (session: Session, country: Country | undefined) => `clearway.board.${session.sub}.${session.role}.${country ?? '-'}`;

export function saveBoard(session: Session, country: Country | undefined, tasks: Task[], areas: Record<string, HazardArea>): void {
  try {
    localStorage.setItem(boardKey(session, country), JSON.stringify({ at: new Date().toISOString(), tasks, areas } satisfies SavedBoard));
  } catch {
    // storage full or unavailable: the board simply is not available offline
  }
}

export function savedBoard(session: Session, country: Country | undefined): SavedBoard | null {
  try {
    const raw = localStorage.getItem(boardKey(session, country));
    return raw ? (JSON.parse(raw) as SavedBoard) : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Moves and the offline queue.

/** The moves a role may make from a status (shared/domain/task.ts TASK_TRANSITIONS). */
export function allowedMoves(status: TaskStatus, role: Role): { to: TaskStatus; reasonRequired: boolean }[] {
  return (Object.entries(TASK_TRANSITIONS[status]) as [TaskStatus, { roles: readonly string[]; reasonRequired: boolean }][])
    .filter(([, move]) => move.roles.includes(role))
    .map(([to, move]) => ({ to, reasonRequired: move.reasonRequired }));
}

/** Roles that file progress reports (the route's access list). */
export const canReportProgress = (role: Role): boolean => role === 'deminer' || role === 'operations' || role === 'admin';

export const transitionPath = (taskId: string) => `/v1/tasks/${taskId}/transitions`;
export const progressPath = (taskId: string) => `/v1/tasks/${taskId}/progress`;

/** The queued changes of a task, oldest first. */
export const changesOf = (taskId: string, pending: readonly PendingChange[]): PendingChange[] =>
  pending.filter((c) => c.path.startsWith(`/v1/tasks/${taskId}/`));

export interface Projection {
  /** The status the task will have once its queued changes are sent. */
  status: TaskStatus;
  /** The version it will then have: the `If-Match` of the next change made now. */
  version: number;
  /** Changes of the task still to send (queued or sending). */
  waiting: PendingChange[];
  /** Changes the user must look at (conflict or refused). */
  blocked: PendingChange[];
}

/**
 * A task as it will be once the changes waiting in the queue are sent: each transition sets the
 * status, and every transition and progress report adds one to the version. A change made
 * offline after another one therefore carries the version the first one will produce; if the
 * first one is refused, the second becomes a conflict the user sees, never an overwrite.
 */
export function project(task: Task, pending: readonly PendingChange[]): Projection {
  let status = task.status;
  let version = task.version;
  const waiting: PendingChange[] = [];
  const blocked: PendingChange[] = [];
  for (const change of changesOf(task.id, pending)) {
    if (change.state === 'conflict' || change.state === 'failed') {
      blocked.push(change);
      continue;
    }
    waiting.push(change);
    if (change.path === transitionPath(task.id)) {
      const to = (change.body as { to?: TaskStatus } | undefined)?.to;
      if (to) status = to;
    }
    version += 1;
  }
  return { status, version, waiting, blocked };
}

/** Today in UTC, as the API compares report dates. */
export const todayIso = (): string => new Date().toISOString().slice(0, 10);
