import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { PutEventsCommand, PutEventsCommandOutput, PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { PutEventsCommand as PutEvents } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalEventBus, type BusEvent, type QueueRecord } from '../../infra/local/event-bus.ts';
import { StreamPoller, wakeOnWrites } from '../../infra/local/stream-poller.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import type { Country } from '../../shared/domain/common.ts';
import { EventType, type EventEnvelope } from '../../shared/events/catalogue.ts';
import { outboxEvent } from '../../shared/events/outbox.ts';
import { transact } from '../../shared/db/transact.ts';

const silent = new Logger({ serviceName: 'clearway-test', logLevel: 'SILENT' });
const clientConfig = { endpoint: process.env.DYNAMODB_ENDPOINT!, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const dynamo = new DynamoDBClient(clientConfig);
const streams = new DynamoDBStreamsClient(clientConfig);
const actor = { sub: 'user-kh-operations', role: 'operations' as const, country: 'KH' as const, org: 'CMAC' };

let dir: string;
const running: StreamPoller[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clearway-poller-'));
});

afterEach(async () => {
  for (const p of running.splice(0)) await p.stop();
});

afterAll(async () => {
  dynamo.destroy();
  streams.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** Commits `n` task status changes, each in its own transaction as the API does; returns their event ids in commit order. */
async function commitEvents(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { event, write } = outboxEvent(
      EventType.TaskStatusChanged,
      { type: 'Task', id: `task-${i}` },
      'KH',
      actor,
      { taskId: `task-${i}`, hazardAreaId: 'ha-1', country: 'KH', province: 'KH22', from: 'PLANNED', to: 'ASSIGNED' },
      new Date().toISOString(),
    );
    await transact([write]);
    ids.push(event.id);
  }
  return ids;
}

type Answer = (entry: PutEventsRequestEntry, id: string) => PutEventsResultEntry;

/** A bus that records every entry it is sent and answers as `answer` says (accepts all by default). */
class FakeBus {
  sent: { id: string; entry: PutEventsRequestEntry }[] = [];
  accepted: string[] = [];
  answer: Answer = () => ({ EventId: 'ok' });
  throwNext = 0;

  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    if (this.throwNext > 0) {
      this.throwNext -= 1;
      throw new Error('bus unavailable');
    }
    const entries = command.input.Entries ?? [];
    const results = entries.map((entry) => {
      const id = (JSON.parse(entry.Detail!) as EventEnvelope).id;
      this.sent.push({ id, entry });
      const result = this.answer(entry, id);
      if (!result.ErrorCode) this.accepted.push(id);
      return result;
    });
    return { $metadata: {}, FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }
}

function startPoller(
  bus: { send(c: PutEventsCommand): Promise<PutEventsCommandOutput> },
  checkpointFile: string,
  streamsClient: Pick<DynamoDBStreamsClient, 'send'> = streams,
): StreamPoller {
  const poller = new StreamPoller({
    dynamo,
    streams: streamsClient,
    tableName,
    checkpointFile,
    eventBridge: bus,
    busName: 'clearway-local',
    idleMs: 20,
    maxIdleMs: 20,
    backoffMs: () => 20,
    log: silent,
  });
  poller.start();
  running.push(poller);
  return poller;
}

const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 25 });

describe('stream poller', () => {
  it('publishes the outbox inserts of the table stream to the bus, in commit order, and nothing else', async () => {
    // Not outbox items: the filter of the event source mapping keeps them from the publisher.
    await documentClient.send(new PutCommand({ TableName: tableName, Item: { pk: 'TEAM#x', sk: 'TEAM', entity: 'Team', name: 'not an event' } }));
    const ids = await commitEvents(12);
    await documentClient.send(new PutCommand({ TableName: tableName, Item: { pk: 'TEAM#x', sk: 'TEAM', entity: 'Team', name: 'changed' } }));

    const bus = new FakeBus();
    startPoller(bus, join(dir, 'order.json'));
    await waitFor(() => expect(bus.accepted).toHaveLength(12));

    expect(bus.accepted).toEqual(ids);
    for (const { entry } of bus.sent) {
      expect(entry).toMatchObject({ Source: 'clearway', DetailType: EventType.TaskStatusChanged, EventBusName: 'clearway-local' });
      expect(JSON.parse(entry.Detail!)).toMatchObject({
        type: EventType.TaskStatusChanged,
        audience: ['KH', 'TH'],
        actor: { role: 'operations', org: 'CMAC' },
      });
    }
  });

  it('retries entries the bus rejects and calls that fail, from the first failed record, until every event is published', async () => {
    const bus = new FakeBus();
    const checkpointFile = join(dir, 'retry.json');
    // Catch up on the earlier tests' events first, so that only this test's are in play.
    const warmup = startPoller(bus, checkpointFile);
    await warmup.caughtUp();
    await warmup.stop();

    const ids = await commitEvents(15);
    const flaky = new Set([ids[3]!, ids[11]!]);
    const rejections = new Map<string, number>();
    bus.sent = [];
    bus.accepted = [];
    bus.throwNext = 2;
    bus.answer = (_entry, id) => {
      const seen = rejections.get(id) ?? 0;
      if (flaky.has(id) && seen < 2) {
        rejections.set(id, seen + 1);
        return { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' };
      }
      return { EventId: `eb-${id}` };
    };
    startPoller(bus, checkpointFile);
    await waitFor(() => expect(new Set(bus.accepted)).toEqual(new Set(ids)));

    for (const id of flaky) expect(bus.sent.filter((s) => s.id === id).length).toBeGreaterThanOrEqual(3);
    // Never skipped: each flaky event was accepted before anything committed after it was accepted for the last time.
    const lastAccepted = (id: string) => bus.accepted.lastIndexOf(id);
    for (const id of flaky) {
      const later = ids.slice(ids.indexOf(id) + 1);
      for (const l of later) expect(lastAccepted(l)).toBeGreaterThan(bus.accepted.indexOf(id));
    }
  });

  it('resumes from its checkpoint file after a restart without publishing again what was published', async () => {
    const checkpointFile = join(dir, 'resume.json');
    const first = new FakeBus();
    const before = startPoller(first, checkpointFile);
    await before.caughtUp();
    await before.stop();
    expect(first.accepted.length).toBeGreaterThanOrEqual(27);

    const saved = JSON.parse(await readFile(checkpointFile, 'utf8')) as { streamArn: string; shards: Record<string, { sequenceNumber?: string }> };
    expect(saved.streamArn).toContain(`table/${tableName}/stream/`);
    expect(Object.values(saved.shards).some((s) => s.sequenceNumber)).toBe(true);
    // Written atomically: no temporary file is left next to it.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const ids = await commitEvents(3);
    const second = new FakeBus();
    const after = startPoller(second, checkpointFile);
    await waitFor(() => expect(second.accepted).toHaveLength(3));
    await after.caughtUp();
    expect(second.accepted).toEqual(ids);
  });

  it('does not checkpoint past an event it could not publish: stopped while retrying, the next run publishes it', async () => {
    const checkpointFile = join(dir, 'stuck.json');
    const catchUp = startPoller(new FakeBus(), checkpointFile);
    await catchUp.caughtUp();
    await catchUp.stop();

    const ids = await commitEvents(3);
    const failing = new FakeBus();
    failing.answer = (_entry, id) => (id === ids[1] ? { ErrorCode: 'InternalFailure' } : { EventId: 'ok' });
    const stuck = startPoller(failing, checkpointFile);
    await waitFor(() => expect(failing.sent.filter((s) => s.id === ids[1]).length).toBeGreaterThanOrEqual(2));
    await stuck.stop();
    expect(failing.accepted).not.toContain(ids[1]);

    const healthy = new FakeBus();
    startPoller(healthy, checkpointFile);
    await waitFor(() => expect(healthy.accepted).toEqual(expect.arrayContaining([ids[1], ids[2]])));
    // Everything before the failure was checkpointed and is not sent again.
    expect(healthy.accepted).not.toContain(ids[0]);
  });

  it('acquires a new iterator from its checkpoint when one expires, losing and repeating nothing', async () => {
    const checkpointFile = join(dir, 'expired.json');
    const catchUp = startPoller(new FakeBus(), checkpointFile);
    await catchUp.caughtUp();
    await catchUp.stop();

    let expire = true;
    let iterators = 0;
    const expiring = {
      send: ((command: { constructor: unknown }) => {
        if (command instanceof GetShardIteratorCommand) iterators += 1;
        if (command instanceof GetRecordsCommand && expire) {
          expire = false;
          return Promise.reject(Object.assign(new Error('Iterator expired'), { name: 'ExpiredIteratorException' }));
        }
        return streams.send(command as GetRecordsCommand);
      }) as DynamoDBStreamsClient['send'],
    };
    const ids = await commitEvents(2);
    const bus = new FakeBus();
    const poller = startPoller(bus, checkpointFile, expiring);
    await waitFor(() => expect(bus.accepted).toHaveLength(2));
    await poller.caughtUp();
    expect(iterators).toBe(2);
    expect(bus.accepted).toEqual(ids);
  });

  it('reads a parent shard to its end before its child, and follows the child', async () => {
    // A stream whose shard split: DynamoDB Local keeps one shard, so the Streams API is faked here.
    const record = (shard: string, seq: string, id: string): StreamRecord => ({
      eventID: `${shard}-${seq}`,
      eventName: 'INSERT',
      dynamodb: {
        SequenceNumber: seq,
        NewImage: {
          entity: { S: 'OutboxEvent' },
          event: { M: { id: { S: id }, type: { S: EventType.TaskCreated }, occurredAt: { S: '2026-01-12T00:00:00Z' } } },
        },
      },
    });
    const shards = { parent: [record('parent', '001', 'p1'), record('parent', '002', 'p2')], child: [record('child', '003', 'c1')] };
    const fakeStreams = {
      send: (async (command: unknown) => {
        if (command instanceof DescribeStreamCommand)
          return { StreamDescription: { Shards: [{ ShardId: 'child', ParentShardId: 'parent' }, { ShardId: 'parent' }] } };
        if (command instanceof GetShardIteratorCommand) return { ShardIterator: `${command.input.ShardId}:0` };
        if (command instanceof GetRecordsCommand) {
          const [shard, from] = command.input.ShardIterator!.split(':') as ['parent' | 'child', string];
          const batch = shards[shard].slice(Number(from), Number(from) + 1);
          const next = Number(from) + batch.length;
          // The parent is closed: past its last record it has no next iterator. The child stays open.
          return { Records: batch, NextShardIterator: shard === 'parent' && next >= shards.parent.length ? undefined : `${shard}:${next}` };
        }
        throw new Error('unexpected command');
      }) as unknown as DynamoDBStreamsClient['send'],
    };
    const bus = new FakeBus();
    const checkpointFile = join(dir, 'split.json');
    const poller = startPoller(bus, checkpointFile, fakeStreams);
    await waitFor(() => expect(bus.accepted).toHaveLength(3));
    await poller.stop();
    expect(bus.accepted).toEqual(['p1', 'p2', 'c1']);
    const saved = JSON.parse(await readFile(checkpointFile, 'utf8')) as { shards: Record<string, { sequenceNumber?: string; finished?: boolean }> };
    expect(saved.shards).toEqual({ parent: { sequenceNumber: '002', finished: true }, child: { sequenceNumber: '003' } });
  });

  it('feeds the local bus, which routes each event to its ministries through the deliverer', async () => {
    const checkpointFile = join(dir, 'bus.json');
    const catchUp = startPoller(new FakeBus(), checkpointFile);
    await catchUp.caughtUp();
    await catchUp.stop();

    const delivered: { ministry: Country; event: BusEvent }[] = [];
    const bus = new LocalEventBus({
      log: silent,
      deliver: async (ministry, records) => {
        for (const r of records) delivered.push({ ministry, event: JSON.parse(r.body) as BusEvent });
        return { batchItemFailures: [] };
      },
    });
    const ids = await commitEvents(2);
    startPoller(bus, checkpointFile);
    await waitFor(() => expect(delivered).toHaveLength(4));
    for (const ministry of ['KH', 'TH'] as const) expect(delivered.filter((d) => d.ministry === ministry).map((d) => d.event.detail['id'])).toEqual(ids);
  });

  it('caught up, pauses longer and longer, up to its longest pause', async () => {
    const poller = new StreamPoller({
      dynamo,
      streams,
      tableName,
      checkpointFile: join(dir, 'idle.json'),
      eventBridge: new FakeBus(),
      busName: 'clearway-local',
      idleMs: 20,
      maxIdleMs: 160,
      log: silent,
    });
    running.push(poller);
    const pauses = new Set<number>();
    poller.start();
    await poller.caughtUp();
    // The pause doubles from 20 ms each pass that finds nothing: 20, 40, 80, then 160 and no longer.
    await vi.waitFor(
      () => {
        pauses.add(poller.idlePause);
        expect(poller.idlePause).toBe(160);
      },
      { timeout: 15_000, interval: 5 },
    );
    await new Promise((r) => setTimeout(r, 400));
    expect(poller.idlePause).toBeLessThanOrEqual(160);
    expect([...pauses].filter((p) => p > 0).every((p) => [20, 40, 80, 160].includes(p))).toBe(true);
  });

  it('polls at once when a write through the nudging client commits, instead of waiting out its pause', async () => {
    const bus = new FakeBus();
    // A first pause of a minute: only the nudge can bring the event within the test's wait.
    const poller = new StreamPoller({
      dynamo,
      streams,
      tableName,
      checkpointFile: join(dir, 'nudge.json'),
      eventBridge: bus,
      busName: 'clearway-local',
      idleMs: 60_000,
      maxIdleMs: 60_000,
      log: silent,
    });
    running.push(poller);
    poller.start();
    await poller.caughtUp();
    await vi.waitFor(() => expect(poller.idlePause).toBe(60_000), { timeout: 15_000, interval: 10 });

    const writer = new DynamoDBClient(clientConfig);
    try {
      wakeOnWrites(writer, poller);
      const { event, write } = outboxEvent(
        EventType.TaskStatusChanged,
        { type: 'Task', id: 'task-nudge' },
        'KH',
        actor,
        { taskId: 'task-nudge', hazardAreaId: 'ha-1', country: 'KH', province: 'KH22', from: 'PLANNED', to: 'ASSIGNED' },
        new Date().toISOString(),
      );
      await DynamoDBDocumentClient.from(writer).send(new TransactWriteCommand({ TransactItems: [write.item] }));
      await waitFor(() => expect(bus.accepted).toContain(event.id));
    } finally {
      writer.destroy();
    }
  });
});

describe('local event bus', () => {
  const envelope = (audience: Country[], id: string) => ({
    id,
    type: EventType.TaskStatusChanged,
    version: 1,
    occurredAt: '2026-01-12T03:04:05.678Z',
    audience,
    subject: { type: 'Task', id: 't' },
    actor: { role: 'operations', org: 'CMAC' },
    data: {},
  });
  const entry = (detail: unknown): PutEventsRequestEntry => ({
    Source: 'clearway',
    DetailType: EventType.TaskStatusChanged,
    Detail: JSON.stringify(detail),
    EventBusName: 'clearway',
    Time: new Date('2026-01-12T03:04:05.678Z'),
  });

  it('routes by the ministry rules: an event for both countries to both queues, one for Cambodia only to Cambodia', async () => {
    const got: { ministry: Country; records: QueueRecord[] }[] = [];
    const bus = new LocalEventBus({ log: silent, deliver: async (ministry, records) => (got.push({ ministry, records }), { batchItemFailures: [] }) });
    const out = await bus.send(
      new PutEvents({
        Entries: [
          entry(envelope(['KH', 'TH'], 'both')),
          entry(envelope(['KH'], 'kh-only')),
          { ...entry(envelope(['KH'], 'other-source')), Source: 'elsewhere' },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.every((e) => e.EventId && !e.ErrorCode)).toBe(true);
    const idsFor = (m: Country) => got.filter((g) => g.ministry === m).flatMap((g) => g.records.map((r) => (JSON.parse(r.body) as BusEvent).detail['id']));
    expect(idsFor('KH')).toEqual(['both', 'kh-only']);
    expect(idsFor('TH')).toEqual(['both']);
    const body = JSON.parse(got[0]!.records[0]!.body) as BusEvent;
    expect(body).toMatchObject({
      version: '0',
      source: 'clearway',
      'detail-type': EventType.TaskStatusChanged,
      time: '2026-01-12T03:04:05Z',
      detail: envelope(['KH', 'TH'], 'both'),
    });
    expect(body.id).toBe(out.Entries![0]!.EventId);
  });

  it('retries what the deliverer reports failed, and answers an entry failed once the attempts are spent', async () => {
    const attemptsOf = new Map<string, number>();
    const deliver = async (ministry: Country, records: QueueRecord[]): Promise<SQSBatchResponse> => {
      const failures = records.filter((r) => {
        const id = String((JSON.parse(r.body) as BusEvent).detail['id']);
        const key = `${ministry}:${id}`;
        attemptsOf.set(key, (attemptsOf.get(key) ?? 0) + 1);
        return id === 'never' || (id === 'once' && attemptsOf.get(key) === 1);
      });
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    };
    const bus = new LocalEventBus({ log: silent, deliver, attempts: 3, backoffMs: () => 1 });
    const out = await bus.send(new PutEvents({ Entries: [entry(envelope(['KH'], 'ok')), entry(envelope(['KH'], 'once')), entry(envelope(['KH'], 'never'))] }));

    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries![0]).toMatchObject({ EventId: expect.any(String) });
    expect(out.Entries![1]).toMatchObject({ EventId: expect.any(String) });
    expect(out.Entries![2]).toMatchObject({ ErrorCode: 'InternalFailure' });
    expect(attemptsOf.get('KH:ok')).toBe(1);
    expect(attemptsOf.get('KH:once')).toBe(2);
    expect(attemptsOf.get('KH:never')).toBe(3);
  });

  it('answers a malformed entry failed without delivering it', async () => {
    const deliver = vi.fn(async () => ({ batchItemFailures: [] }));
    const bus = new LocalEventBus({ log: silent, deliver });
    const out = await bus.send(new PutEvents({ Entries: [{ Source: 'clearway', DetailType: 'X', Detail: 'not json' }] }));
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries![0]!.ErrorCode).toBe('MalformedDetail');
    expect(deliver).not.toHaveBeenCalled();
  });
});
