import { assistanceContribution, CONSENT_MISSING, type AssistanceCreate, type AssistanceRecord } from '#shared/domain/assistance.ts';
import { consentsTo } from '#shared/domain/erasure.ts';
import { historyEntry } from '#shared/domain/history.ts';
import type { Household } from '#shared/domain/household.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { assistanceWrites, reachedInRound, ReachedMarkerMoved } from '#shared/db/repositories/assistance.ts';
import { householdHistoryWrite } from '#shared/db/repositories/households.ts';
import type { GuardedWrite } from '#shared/db/transact.ts';
import { EventType } from '#shared/events/catalogue.ts';
import { outboxEvent } from '#shared/events/outbox.ts';
import { ConflictError } from '#shared/errors.ts';

export interface RecordOptions {
  /** The record's id (an import derives it from the job and the row, so a re-run finds its own record). */
  id?: string;
  /** The distribution-list upload it comes from. */
  importId?: string;
  /** More writes for the same transaction (an import's counters). */
  extraWrites?: GuardedWrite[];
}

/**
 * Records assistance given to a household by the caller's organisation: one transaction with the
 * record, the one-per-round marker (a second record of the type and round is a 409 naming nothing
 * else), the household's consent check, its history entry, the `AssistanceRecorded` event and the
 * round's counters. `commit` runs the transaction (with an idempotency record for the API, with
 * the job's counters for an import) and answers. Retried when another type of the same round was
 * recorded for the household in between (its people count once per round).
 */
export async function recordAssistance<T>(
  principal: Principal,
  household: Household,
  body: AssistanceCreate,
  commit: (writes: GuardedWrite[], record: AssistanceRecord) => Promise<T>,
  options: RecordOptions = {},
): Promise<T> {
  if (!consentsTo(household, 'RETURN_ASSISTANCE')) throw new ConflictError(CONSENT_MISSING);
  const id = options.id ?? newId();
  for (let attempt = 0; ; attempt++) {
    const firstOfRound = !(await reachedInRound(household.id, body.round));
    const now = new Date().toISOString();
    const record: AssistanceRecord = {
      id,
      version: 1,
      householdId: household.id,
      country: household.country,
      org: principal.org,
      type: body.type,
      round: body.round,
      date: body.date,
      quantity: body.quantity,
      unit: body.unit,
      people: household.members.length,
      createdAt: now,
      updatedAt: now,
      createdBy: principal.sub,
      ...(options.importId ? { importId: options.importId } : {}),
    };
    const writes: GuardedWrite[] = [
      ...assistanceWrites(record, firstOfRound, assistanceContribution(record, firstOfRound)),
      householdHistoryWrite(
        household.id,
        historyEntry(principal, now, 'ASSISTANCE', { changes: { assistanceId: id, type: record.type, round: record.round } }),
      ),
      outboxEvent(
        EventType.AssistanceRecorded,
        { type: 'Household', id: household.id },
        household.country,
        principal,
        {
          assistanceId: id,
          householdId: household.id,
          country: household.country,
          org: principal.org,
          assistanceType: record.type,
          round: record.round,
          quantity: record.quantity,
          unit: record.unit,
          people: record.people,
          firstOfRound,
          ...(options.importId ? { importId: options.importId } : {}),
        },
        now,
      ).write,
      ...(options.extraWrites ?? []),
    ];
    try {
      return await commit(writes, record);
    } catch (e: unknown) {
      if (!(e instanceof ReachedMarkerMoved) || attempt >= 4) throw e;
    }
  }
}
