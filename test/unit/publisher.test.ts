import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsCommandInput, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, Context, DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventType, type EventEnvelope } from '../../shared/events/catalogue.ts';
import { entrySize, OUTBOX_STREAM_FILTER, publishStreamRecords } from '../../shared/events/publish.ts';
import { eventKey, feedKeys } from '../../shared/db/keys/event.ts';

// mockClient on the class intercepts every instance, the handler's module-scope client included.
const eventBridge = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'ap-southeast-1' });
const busName = 'clearway-test-bus';
const deps = () => ({ eventBridge: client, busName });

beforeEach(() => {
  eventBridge.reset();
  // Default: EventBridge accepts every entry.
  eventBridge.on(PutEventsCommand).callsFake(accept);
});

function accept(input: PutEventsCommandInput): PutEventsCommandOutput {
  const entries = input.Entries ?? [];
  return { $metadata: {}, FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `eb-${i}` })) };
}

let counter = 0;
function envelope(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  counter += 1;
  return {
    id: `01JEVENT${String(counter).padStart(6, '0')}`,
    type: EventType.TaskStatusChanged,
    version: 1,
    occurredAt: '2026-11-28T05:00:00.000Z',
    audience: ['KH', 'TH'],
    subject: { type: 'Task', id: 'task-1' },
    actor: { role: 'operations', org: 'CMAC' },
    data: { taskId: 'task-1', hazardAreaId: 'ha-1', country: 'KH', province: 'Battambang', from: 'Planned', to: 'InProgress' },
    ...overrides,
  } as EventEnvelope;
}

/** Marshalled item as DynamoDB streams carry it (the Lambda typings differ from the SDK's only in name). */
const image = (item: Record<string, unknown>) =>
  marshall(item, { removeUndefinedValues: true }) as Record<string, SdkAttributeValue> as unknown as Record<string, AttributeValue>;

/** A stream record of the insert of an outbox item, as outboxEvent() writes it. */
function outboxInsert(event: EventEnvelope, seq: number): DynamoDBRecord {
  const item = { ...eventKey(event.id), ...feedKeys(event.audience, event.id), entity: 'OutboxEvent', type: event.type, occurredAt: event.occurredAt, event };
  return streamRecord('INSERT', seq, { NewImage: image(item), Keys: image(eventKey(event.id)) });
}

function streamRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', seq: number, images: NonNullable<DynamoDBRecord['dynamodb']>): DynamoDBRecord {
  return {
    eventID: `evt-${seq}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ap-southeast-1',
    eventSourceARN: 'arn:aws:dynamodb:ap-southeast-1:123456789012:table/clearway/stream/2026-11-28T00:00:00.000',
    dynamodb: { ApproximateCreationDateTime: 1_795_000_000, SequenceNumber: sequence(seq), SizeBytes: 512, StreamViewType: 'NEW_AND_OLD_IMAGES', ...images },
  };
}

const sequence = (seq: number) => `4000000000000${String(seq).padStart(8, '0')}`;
const inserts = (events: EventEnvelope[]) => events.map((e, i) => outboxInsert(e, i + 1));
const sentEntries = (call: number) => eventBridge.commandCalls(PutEventsCommand)[call]?.args[0].input.Entries ?? [];

describe('publishStreamRecords', () => {
  it('exports the outbox insert filter used by the event source mapping and the local poller', () => {
    expect(OUTBOX_STREAM_FILTER).toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['OutboxEvent'] } } } });
  });

  it('publishes each outbox insert as one entry: source clearway, detail-type = type, detail = envelope, to the bus', async () => {
    const events = [envelope(), envelope({ type: EventType.LandHandedOver, occurredAt: '2026-11-28T06:30:00.000Z' })];
    const result = await publishStreamRecords(inserts(events), deps());

    expect(result).toEqual({ batchItemFailures: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: events.map((e) => ({ Source: 'clearway', DetailType: e.type, Detail: JSON.stringify(e), EventBusName: busName, Time: new Date(e.occurredAt) })),
    });
    expect(JSON.parse(sentEntries(0)[1]?.Detail ?? '')).toEqual(events[1]);
  });

  it('batches 25 records into 3 PutEvents calls of 10, 10 and 5, in record order', async () => {
    const events = Array.from({ length: 25 }, () => envelope());
    const result = await publishStreamRecords(inserts(events), deps());

    expect(result.batchItemFailures).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    expect([0, 1, 2].map((c) => sentEntries(c).length)).toEqual([10, 10, 5]);
    const sentIds = [0, 1, 2].flatMap((c) => sentEntries(c).map((e) => (JSON.parse(e.Detail ?? '{}') as EventEnvelope).id));
    expect(sentIds).toEqual(events.map((e) => e.id));
  });

  it('splits by size so that no request exceeds 256 KB', async () => {
    const big = () => envelope({ subject: { type: 'Task', id: 'x'.repeat(100 * 1024) } });
    const events = [big(), big(), big()];
    const result = await publishStreamRecords(inserts(events), deps());

    expect(result.batchItemFailures).toEqual([]);
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const call of calls) {
      const bytes = (call.args[0].input.Entries ?? []).reduce((sum, e) => sum + entrySize(e), 0);
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }
    expect(calls.flatMap((c) => c.args[0].input.Entries ?? [])).toHaveLength(3);
  });

  it('counts entry size as AWS does: UTF-8 bytes of source, detail-type, detail, plus 14 for time', () => {
    expect(entrySize({ Source: 'clearway', DetailType: 'T', Detail: '{"a":"é"}', Time: new Date(0) })).toBe(8 + 1 + 10 + 14);
    expect(entrySize({ Source: 'clearway', DetailType: 'T', Detail: '{}', Resources: ['arn:x'] })).toBe(8 + 1 + 2 + 5);
  });

  it('reports an event too large for any request as a failure of its record, never drops it', async () => {
    const events = [envelope(), envelope({ subject: { type: 'Task', id: 'x'.repeat(257 * 1024) } })];
    const result = await publishStreamRecords(inserts(events), deps());

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequence(2) }]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(sentEntries(0)).toHaveLength(1);
  });

  it('skips modifies, removes and inserts of other entities without failing', async () => {
    const event = envelope();
    const outbox = outboxInsert(event, 4);
    const records = [
      streamRecord('MODIFY', 1, { NewImage: outbox.dynamodb?.NewImage, OldImage: outbox.dynamodb?.NewImage }),
      streamRecord('REMOVE', 2, { OldImage: outbox.dynamodb?.NewImage }),
      streamRecord('INSERT', 3, { NewImage: image({ pk: 'TASK#1', sk: 'TASK', entity: 'Task', version: 1 }) }),
      outbox,
    ];
    const result = await publishStreamRecords(records, deps());

    expect(result.batchItemFailures).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(sentEntries(0)).toEqual([expect.objectContaining({ Detail: JSON.stringify(event) })]);
  });

  it('sends nothing when no record is an outbox insert', async () => {
    const result = await publishStreamRecords([streamRecord('REMOVE', 1, { OldImage: image({ entity: 'OutboxEvent' }) })], deps());
    expect(result.batchItemFailures).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('reports exactly the records whose entries EventBridge rejected', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 2,
      Entries: [
        { EventId: 'a' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
        { EventId: 'c' },
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
      ],
    });
    const result = await publishStreamRecords(inserts([envelope(), envelope(), envelope(), envelope()]), deps());

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequence(2) }, { itemIdentifier: sequence(4) }]);
  });

  it('reports every record of a batch whose PutEvents call throws', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('network down'));
    const result = await publishStreamRecords(inserts([envelope(), envelope(), envelope()]), deps());

    expect(result.batchItemFailures).toEqual([1, 2, 3].map((s) => ({ itemIdentifier: sequence(s) })));
  });

  it('after a failed request, sends no later request and reports its records too (Lambda replays from the first failure)', async () => {
    eventBridge.on(PutEventsCommand).rejectsOnce(new Error('network down')).callsFake(accept);
    const result = await publishStreamRecords(inserts(Array.from({ length: 15 }, () => envelope())), deps());

    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(Array.from({ length: 15 }, (_, i) => sequence(i + 1)));
  });

  it('reports an outbox insert without a usable event instead of skipping it', async () => {
    const broken = streamRecord('INSERT', 1, { NewImage: image({ pk: 'EVENT#x', sk: 'EVENT', entity: 'OutboxEvent' }) });
    const result = await publishStreamRecords([broken], deps());

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: sequence(1) }]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });

  it('swallows nothing: the reported records, delivered again, are published', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure' }, { EventId: 'c' }],
      })
      .callsFake(accept);
    const events = [envelope(), envelope(), envelope()];
    const records = inserts(events);
    const first = await publishStreamRecords(records, deps());
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: sequence(2) }]);

    // Lambda redelivers from the earliest reported sequence number onwards.
    const from = records.findIndex((r) => r.dynamodb?.SequenceNumber === first.batchItemFailures[0]?.itemIdentifier);
    const retry = await publishStreamRecords(records.slice(from), deps());

    expect(retry.batchItemFailures).toEqual([]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(sentEntries(1).map((e) => e.Detail)).toEqual([JSON.stringify(events[1]), JSON.stringify(events[2])]);
  });
});

describe('publisher handler (Middy)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('publishes a stream event to the bus named by EVENT_BUS_NAME and returns the batch item failures', async () => {
    vi.stubEnv('EVENT_BUS_NAME', 'clearway-bus-from-env');
    const { handler } = await import('../../functions/publisher/handler.ts');
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure' }] });

    const result = await handler({ Records: inserts([envelope(), envelope()]) }, {} as Context);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: sequence(2) }] });
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [expect.objectContaining({ EventBusName: 'clearway-bus-from-env' }), expect.objectContaining({ EventBusName: 'clearway-bus-from-env' })],
    });
  });

  it('fails at load when EVENT_BUS_NAME is missing', async () => {
    vi.stubEnv('EVENT_BUS_NAME', undefined);
    await expect(import('../../functions/publisher/handler.ts')).rejects.toThrow(/EVENT_BUS_NAME/);
  });
});
