import { DEMINING_READERS, type Principal } from '#shared/domain/roles.ts';
import { canSeeTask, type Task } from '#shared/domain/task.ts';
import { getTask } from '#shared/db/repositories/tasks.ts';
import { NotFound } from '#shared/http/problem.ts';

/** What the task routes share: who reads tasks, the scoped read, and a task's place in its events. */

/** Those who read tasks: who plans and follows the work, and the deminers of the teams. */
export const TASK_READERS = [...DEMINING_READERS, 'deminer'] as const;

export async function visibleTask(principal: Principal, id: string): Promise<Task> {
  const task = await getTask(id);
  // Not revealing tasks outside the caller's scope: the same 404 as for a missing one.
  if (!task || !canSeeTask(principal, task)) throw new NotFound(`No task ${id}.`);
  return task;
}

/** A task's ids and places, as its events carry them. */
export const placeOf = (t: Task) => ({ taskId: t.id, hazardAreaId: t.hazardAreaId, country: t.country, province: t.province });
