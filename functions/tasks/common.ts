import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import type { HistoryEntry } from '#shared/domain/task.ts';

export const problem = { description: 'Problem details (RFC 9457)', contentType: 'application/problem+json' };

/** Roles that read de-mining data of both countries (DESIGN section 3). */
export const DEMINING_READERS = ['operations', 'qa', 'ministry', 'observer', 'admin'] as const;

export const actorOf = (p: Principal) => ({ sub: p.sub, role: p.role, org: p.org });

export const historyEntry = (p: Principal, at: string, action: HistoryEntry['action'], fields: Partial<HistoryEntry> = {}): HistoryEntry => ({
  id: newId(),
  at,
  actor: actorOf(p),
  action,
  ...fields,
});
