import { newId } from '../domain/ids.ts';
import type { Country } from '../domain/common.ts';
import type { Principal } from '../domain/roles.ts';
import { tableName } from '../db/client.ts';
import { eventKey, feedKeys } from '../db/keys/event.ts';
import type { GuardedWrite } from '../db/transact.ts';
import { audienceFor, EventData, type EventDataOf, type EventEnvelope, type EventType } from './catalogue.ts';

/**
 * Builds an event and the write that stores it, for the transaction of the change it reports
 * (transactional outbox): stored together or not at all. The data is validated against the
 * catalogue so that nothing unexpected (personal data above all) slips into an event.
 */
export function outboxEvent<T extends EventType>(
  type: T,
  subject: { type: string; id: string },
  country: Country,
  actor: Principal,
  data: EventDataOf<T>,
  occurredAt: string,
): { event: EventEnvelope<T>; write: GuardedWrite } {
  const event: EventEnvelope<T> = {
    id: newId(),
    type,
    version: 1,
    occurredAt,
    audience: audienceFor(type, country),
    subject,
    actor: { role: actor.role, org: actor.org },
    data: EventData()[type].parse(data) as EventDataOf<T>,
  };
  return {
    event,
    write: {
      item: {
        Put: {
          TableName: tableName,
          Item: { ...eventKey(event.id), ...feedKeys(event.audience, event.id), entity: 'OutboxEvent', type, occurredAt, event },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
  };
}
