import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsCommandOutput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Logger } from '@aws-lambda-powertools/logger';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { logger } from '../logger.ts';
import { EVENT_SOURCE, type EventEnvelope } from './catalogue.ts';
import { count, MetricName } from '../metrics.ts';

/**
 * The event source filter of the stream → publisher mapping: only inserts of outbox items.
 * One object, used by the CDK event source mapping and by the local stream poller.
 */
export const OUTBOX_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entity: { S: ['OutboxEvent'] } } },
} as const;

/** EventBridge limits for one PutEvents request (entries, and bytes as AWS counts them). */
const MAX_ENTRIES_PER_REQUEST = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
/** AWS counts a set `Time` as 14 bytes. */
const TIME_BYTES = 14;

/** What the publisher needs: anything that accepts a PutEvents command (the SDK client, or a local bus). */
export interface PublishDeps {
  eventBridge: { send(command: PutEventsCommand): Promise<PutEventsCommandOutput> };
  busName: string;
  log?: Logger;
}

interface Pending {
  sequenceNumber: string;
  eventId: string;
  entry: PutEventsRequestEntry;
  size: number;
}

/**
 * Size of an entry as EventBridge counts it against the 256 KB request limit: UTF-8 bytes of
 * Source, DetailType, Detail and Resources, plus 14 bytes when Time is set.
 */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (s: string | undefined) => (s === undefined ? 0 : Buffer.byteLength(s, 'utf8'));
  return (
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0) +
    (entry.Time ? TIME_BYTES : 0)
  );
}

/** Is this stream record the insert of an outbox item? Anything else is not ours to publish. */
function isOutboxInsert(record: DynamoDBRecord): boolean {
  return record.eventName === 'INSERT' && record.dynamodb?.NewImage?.['entity']?.S === 'OutboxEvent';
}

/** The envelope stored in an outbox item, or undefined when the item does not carry a usable one. */
function envelopeOf(record: DynamoDBRecord): EventEnvelope | undefined {
  // The Lambda event typings and the SDK describe the same wire format with different types.
  const image = unmarshall(record.dynamodb?.NewImage as Record<string, AttributeValue>);
  const event: unknown = image['event'];
  if (typeof event !== 'object' || event === null) return undefined;
  const { id, type, occurredAt } = event as Record<string, unknown>;
  if (typeof id !== 'string' || typeof type !== 'string' || type === '' || typeof occurredAt !== 'string') return undefined;
  if (Number.isNaN(Date.parse(occurredAt))) return undefined;
  return event as EventEnvelope;
}

/**
 * Publishes the outbox inserts among DynamoDB stream records to EventBridge, in record order,
 * in as few PutEvents requests as the limits allow (10 entries, 256 KB), and answers with the
 * partial batch response of a DynamoDB stream handler.
 *
 * Records that are not outbox inserts are skipped. A record fails when its envelope is unusable,
 * when its entry alone exceeds 256 KB, when EventBridge rejects its entry, or when the PutEvents
 * call carrying it throws. Lambda replays a stream from the earliest reported sequence number
 * (`itemIdentifier` is `dynamodb.SequenceNumber`), so everything after the first failure will be
 * redelivered anyway: requests after a failing one are not sent (they would only publish
 * duplicates, out of order), and their records are reported too. Delivery is at least once;
 * receivers dedupe by event id.
 */
export async function publishStreamRecords(records: DynamoDBRecord[], deps: PublishDeps): Promise<DynamoDBBatchResponse> {
  const log = deps.log ?? logger;
  const failed: string[] = [];
  let published = 0;
  let skipped = 0;
  let deferred = 0;
  let batch: Pending[] = [];
  let batchBytes = 0;

  const fail = (record: DynamoDBRecord | Pending, reason: string, detail: Record<string, unknown> = {}) => {
    const sequenceNumber = 'entry' in record ? record.sequenceNumber : record.dynamodb?.SequenceNumber;
    // Without a sequence number the failure cannot be reported; failing the whole batch is the only safe answer.
    if (!sequenceNumber) throw new Error(`stream record without SequenceNumber cannot be reported as failed (${reason})`);
    if (failed.length === 0) log.warn('first failed outbox record; Lambda replays from here', { reason, sequenceNumber, ...detail });
    failed.push(sequenceNumber);
  };

  const flush = async () => {
    const sending = batch;
    batch = [];
    batchBytes = 0;
    if (sending.length === 0) return;
    if (failed.length > 0) {
      deferred += sending.length;
      for (const p of sending) fail(p, 'not attempted after an earlier failure');
      return;
    }
    try {
      const res = await deps.eventBridge.send(new PutEventsCommand({ Entries: sending.map((p) => p.entry) }));
      sending.forEach((p, i) => {
        const result = res.Entries?.[i];
        if (result?.EventId && !result.ErrorCode) published += 1;
        else fail(p, 'rejected by EventBridge', { eventId: p.eventId, errorCode: result?.ErrorCode ?? 'NoResult', errorMessage: result?.ErrorMessage });
      });
    } catch (e: unknown) {
      const error = e instanceof Error ? { name: e.name, message: e.message } : { name: 'Unknown' };
      for (const p of sending) fail(p, 'PutEvents failed', { error });
    }
  };

  for (const record of records) {
    if (!isOutboxInsert(record)) {
      skipped += 1;
      continue;
    }
    const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
    const event = envelopeOf(record);
    if (!event) {
      await flush();
      fail(record, 'outbox item without a usable event');
      continue;
    }
    const entry: PutEventsRequestEntry = {
      Source: EVENT_SOURCE,
      DetailType: event.type,
      Detail: JSON.stringify(event),
      EventBusName: deps.busName,
      Time: new Date(event.occurredAt),
    };
    const size = entrySize(entry);
    if (size > MAX_REQUEST_BYTES) {
      await flush();
      fail(record, 'event larger than the PutEvents limit', { eventId: event.id, size });
      continue;
    }
    if (batch.length === MAX_ENTRIES_PER_REQUEST || batchBytes + size > MAX_REQUEST_BYTES) await flush();
    batch.push({ sequenceNumber, eventId: event.id, entry, size });
    batchBytes += size;
  }
  await flush();

  count(MetricName.EventsPublished, published);
  log.info('published outbox events', { published, failed: failed.length - deferred, deferred, skipped });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
