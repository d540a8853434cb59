import * as z from 'zod/mini';
import { named } from './common.ts';
import { newId } from './ids.ts';
import type { Principal } from './roles.ts';

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

/** One entry of an append-only history (tasks, hazard areas, households), as stored and answered. */
export const HistoryEntry = named('HistoryEntry', () =>
  z.object({
    id: z.string(),
    at: z.iso.datetime(),
    actor: z.object({ sub: z.string(), role: z.string(), org: z.string() }),
    action: z.enum([
      'CREATED',
      'UPDATED',
      'TRANSITION',
      'PROGRESS',
      'CONSENT',
      'ERASURE_REQUESTED',
      'ERASED',
      'ASSISTANCE',
      'MEMBERS',
      'SPLIT',
      'VERIFICATION',
      'DUPLICATE_REVIEWED',
    ]),
    from: z.optional(z.string()),
    to: z.optional(z.string()),
    reason: z.optional(z.string()),
    changes: z.optional(z.record(z.string(), z.unknown())),
    progressId: z.optional(z.string()),
  }),
);
export type HistoryEntry = z.infer<ReturnType<typeof HistoryEntry>>;
