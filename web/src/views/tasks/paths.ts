/** Which task list a user's board reads, with no dependency (the boot script uses it too). */
import type { Role, Session } from '../../app/claims.ts';

/** Roles whose navigation has the task board (views/index.ts). */
export const TASK_BOARD_ROLES: readonly Role[] = ['deminer', 'operations', 'admin'];

export type Country = 'KH' | 'TH';

/** The country a board opens on: the user's own, else Cambodia. */
export const defaultCountry = (session: Session): Country => session.country ?? 'KH';

/**
 * The task list this user reads: a deminer always gets its team's (the API decides), national
 * roles their own country's by default, observers and admins name a country.
 */
export function tasksPath(session: Session, country: Country | undefined): string {
  if (session.role === 'deminer' || (session.country && country === session.country)) return '/v1/tasks';
  return country ? `/v1/tasks?country=${country}` : '/v1/tasks';
}
