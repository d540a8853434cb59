/**
 * The task lifecycle without zod (re-exported by `task.ts`, whose schemas are built from it):
 * the states and the table of moves, which the web console's task board needs on its first
 * render, where building zod's schemas would only cost time.
 */
import type { Role } from './roles.ts';

export const TASK_STATUSES = ['PLANNED', 'ASSIGNED', 'IN_PROGRESS', 'SUSPENDED', 'COMPLETED', 'CANCELLED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

interface Move {
  roles: readonly Role[];
  reasonRequired: boolean;
}
const field: readonly Role[] = ['deminer', 'operations', 'admin'];
const office: readonly Role[] = ['operations', 'admin'];

/**
 * The task lifecycle as a table: from → to → who may make the move and whether it needs a
 * reason. A deminer may also only move its own team's tasks (checked where the task is known).
 */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, Partial<Record<TaskStatus, Move>>>> = {
  PLANNED: { ASSIGNED: { roles: office, reasonRequired: false }, CANCELLED: { roles: office, reasonRequired: true } },
  ASSIGNED: { IN_PROGRESS: { roles: field, reasonRequired: false }, CANCELLED: { roles: office, reasonRequired: true } },
  IN_PROGRESS: {
    SUSPENDED: { roles: field, reasonRequired: true },
    COMPLETED: { roles: field, reasonRequired: false },
    CANCELLED: { roles: office, reasonRequired: true },
  },
  SUSPENDED: { IN_PROGRESS: { roles: field, reasonRequired: false }, CANCELLED: { roles: office, reasonRequired: true } },
  COMPLETED: {},
  CANCELLED: {},
};

/** The moves this role may make from a state: what a refused move lists. */
export const allowedTaskMoves = (from: TaskStatus, role: Role): TaskStatus[] =>
  (Object.entries(TASK_TRANSITIONS[from]) as [TaskStatus, Move][]).filter(([, m]) => m.roles.includes(role)).map(([to]) => to);

/** Tasks not yet finished: what withdrawing their hazard area cancels. */
export const OPEN_TASK_STATUSES: readonly TaskStatus[] = ['PLANNED', 'ASSIGNED', 'IN_PROGRESS', 'SUSPENDED'];
