import { newId } from './ids.ts';
import type { Principal } from './roles.ts';
import type { HistoryEntry } from './task.ts';

/** Who did something, as history entries and events record it (never personal data beyond the user id). */
export const actorOf = (p: Principal) => ({ sub: p.sub, role: p.role, org: p.org });

/** One entry of an append-only history (tasks, hazard areas). */
export const historyEntry = (p: Principal, at: string, action: HistoryEntry['action'], fields: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id: newId(),
  at,
  actor: actorOf(p),
  action,
  ...fields,
});
