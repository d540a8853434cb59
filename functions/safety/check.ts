import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse } from 'aws-lambda';
import { getHousehold } from '#shared/db/repositories/households.ts';
import { recheckReturnSafety, recomputeForHazardArea } from '#shared/db/repositories/return-safety.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { SAFETY_EVENTS } from '#shared/events/routing.ts';
import { envelopeOfQueueBody } from '#shared/events/queue-record.ts';
import { errorOf, logger } from '#shared/logger.ts';
import { mapLimit } from '#shared/map-limit.ts';

/**
 * The principal the checks act as: events they emit record `{ role: 'admin', org: 'Clearway' }`
 * as their actor, the platform rather than a person.
 */
export const SAFETY_CHECK_ACTOR: Principal = { sub: 'clearway:return-safety', role: 'admin', org: 'Clearway' };

/** Queue records checked at the same time (an SQS batch holds at most 10); each recomputation runs a few households at once itself. */
const RECORD_CONCURRENCY = 3;

/** What a record asks for: the households near a hazard area, or one household. */
type Check = { kind: 'hazard-area' | 'household'; id: string };

const HAZARD_EVENTS: readonly string[] = SAFETY_EVENTS.hazardArea;
const RELEASE_EVENTS: readonly string[] = SAFETY_EVENTS.release;
const HOUSEHOLD_EVENTS: readonly string[] = SAFETY_EVENTS.household;

/**
 * The event of a queue record (an EventBridge event whose `detail` is the envelope): its id, type
 * and the check it asks for. `check` is undefined for a type the checks do not handle.
 */
function eventOf(body: string): { eventId: string; eventType: string; check: Check | undefined } | undefined {
  const envelope = envelopeOfQueueBody(body);
  const subjectId = (envelope?.subject as { id?: unknown } | null | undefined)?.id;
  if (!envelope || typeof subjectId !== 'string' || subjectId === '') return undefined;
  const { id, type } = envelope;
  if (RELEASE_EVENTS.includes(type)) {
    const hazardAreaId = (envelope.data as { hazardAreaId?: unknown } | null | undefined)?.hazardAreaId;
    return {
      eventId: id,
      eventType: type,
      check: typeof hazardAreaId === 'string' && hazardAreaId !== '' ? { kind: 'hazard-area', id: hazardAreaId } : undefined,
    };
  }
  const kind = HAZARD_EVENTS.includes(type) ? 'hazard-area' : HOUSEHOLD_EVENTS.includes(type) ? 'household' : undefined;
  return { eventId: id, eventType: type, check: kind ? { kind, id: subjectId } : undefined };
}

/** What one check did: households whose stored safety was wrong and was rewritten. */
async function runCheck(check: Check, actor: Principal): Promise<{ changed: number }> {
  if (check.kind === 'hazard-area') return { changed: (await recomputeForHazardArea(check.id, actor, undefined, { repair: true })).changed };
  const household = await getHousehold(check.id);
  // Deleted since (or never stored): nothing of it to keep right.
  if (!household) return { changed: 0 };
  return { changed: (await recheckReturnSafety([household], actor)).size };
}

/**
 * Checks return safety again after the events of an SQS batch from the return-safety queue
 * (`SAFETY_ROUTE`), and answers with the partial batch response. The durable backstop of the
 * work done inside the request after its commit, which a crash or timeout right after the commit
 * would skip: the event was committed with the change, so it reaches this check regardless.
 *
 * - `HazardAreaRecorded`, `HazardAreaStatusChanged`, `HazardAreaWithdrawn`: {@link recomputeForHazardArea} of the subject;
 * - `ClearedAreaQaDecided`, `ReleaseAttested`: the same for the report's hazard area (`data.hazardAreaId`);
 * - `HouseholdRegistered`, `HouseholdDestinationChanged`, `ReturnSafetyChanged`: the household as stored now, assessed again by
 *   {@link recheckReturnSafety} (a household that no longer exists: nothing to do).
 *
 * Both are idempotent: a household already right is left alone and nothing is emitted, so a
 * redelivered record, or one the request's own recomputation already covered, changes nothing.
 * Records naming the same area or household in one batch are checked once.
 *
 * A record is reported in `batchItemFailures` (the queue retries it, then moves it to its DLQ)
 * when its check failed (DynamoDB errors, a household that kept changing under the check). A
 * record that can never be processed (a body that is not an EventBridge event with an envelope,
 * or an event type the checks do not handle) is logged with its message id and dropped, not
 * reported: no retry can make it usable, and `POST /v1/hazard-areas/{id}/return-safety-checks`
 * repairs an area on demand.
 *
 * Logs carry message ids, event ids and types, area or household ids and counts: never the
 * envelope's data.
 */
export async function checkSafetyRecords(
  records: ReadonlyArray<{ messageId: string; body: string }>,
  log: Logger = logger,
  actor: Principal = SAFETY_CHECK_ACTOR,
): Promise<SQSBatchResponse> {
  const counts = { checks: 0, changed: 0, unreadable: 0, unhandled: 0 };
  const byCheck = new Map<string, { check: Check; messageIds: string[]; eventIds: string[] }>();
  for (const record of records) {
    const event = eventOf(record.body);
    if (!event) {
      counts.unreadable += 1;
      log.error('queue record without a usable event envelope dropped', { messageId: record.messageId });
      continue;
    }
    if (!event.check) {
      counts.unhandled += 1;
      log.error('event of a type the return-safety checks do not handle dropped', {
        messageId: record.messageId,
        eventId: event.eventId,
        eventType: event.eventType,
      });
      continue;
    }
    const key = `${event.check.kind}:${event.check.id}`;
    const entry = byCheck.get(key) ?? { check: event.check, messageIds: [], eventIds: [] };
    entry.messageIds.push(record.messageId);
    entry.eventIds.push(event.eventId);
    byCheck.set(key, entry);
  }

  const checks = [...byCheck.values()];
  const failed: string[] = [];
  await mapLimit(checks, RECORD_CONCURRENCY, async ({ check, messageIds, eventIds }) => {
    try {
      const result = await runCheck(check, actor);
      counts.checks += 1;
      counts.changed += result.changed;
    } catch (e: unknown) {
      failed.push(...messageIds);
      log.error('return-safety check failed; the queue will retry it', {
        messageIds,
        eventIds,
        [check.kind === 'hazard-area' ? 'hazardAreaId' : 'householdId']: check.id,
        error: errorOf(e),
      });
    }
  });

  log.info('return safety checked after events', { records: records.length, failed: failed.length, ...counts });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
