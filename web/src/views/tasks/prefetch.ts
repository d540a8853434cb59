/**
 * The task board's first read, started by the entry before the board's chunk has arrived (so
 * this module stays small: no domain code, no zod). The board takes the answer once, on its
 * first load; every later load reads again.
 */
import { listAll } from '../../app/api.ts';
import type { Session } from '../../app/session.ts';
import { defaultCountry, tasksPath } from './paths.ts';

let early: { key: string; tasks: Promise<unknown[]>; arrived?: unknown[] } | undefined;

const keyOf = (session: Session, path: string) => `${session.sub}\n${session.role}\n${path}`;

/** Starts reading the board's tasks for `session` (its default country); resolves when the read has settled, never rejects. */
export function prefetchTasks(session: Session): Promise<void> {
  const path = tasksPath(session, defaultCountry(session));
  const tasks = listAll<unknown>(path, 500);
  const entry: NonNullable<typeof early> = { key: keyOf(session, path), tasks };
  early = entry;
  // Whoever takes it handles a failure.
  return tasks.then(
    (list) => {
      entry.arrived = list;
    },
    () => undefined,
  );
}

/**
 * The tasks read early for this user and path if they have arrived already, without taking
 * them: the board's first render shows them at once instead of a spinner, then takes the read
 * as usual (`takePrefetchedTasks`).
 */
export function arrivedTasks<T>(session: Session, path: string): T[] | undefined {
  return early && early.key === keyOf(session, path) ? (early.arrived as T[] | undefined) : undefined;
}

/** The tasks read early for this user and path, once; undefined when none were (or already taken). */
export function takePrefetchedTasks<T>(session: Session, path: string): Promise<T[]> | undefined {
  if (!early || early.key !== keyOf(session, path)) return undefined;
  const tasks = early.tasks as Promise<T[]>;
  early = undefined;
  return tasks;
}
