import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { PutEventsCommand, PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Country } from '../../../shared/domain/common.ts';
import { newId } from '../../../shared/domain/ids.ts';
import { startLocalStack } from '../lib/local-stack.ts';
import type { Scenario } from '../lib/scenario.ts';
import { percentileSorted } from '../lib/stats.ts';
import { fixed, table } from '../lib/table.ts';

/**
 * Notification latency of the local runtime: from the commit of a change (its transaction,
 * outbox item included, has returned) to the receipt of the signed webhook POST by each
 * ministry's receiver, through the same parts as `npm start` in one process — DynamoDB Local's
 * stream, the stream poller, `publishStreamRecords`, the local bus with the ministry rules, the
 * deliverer. Events are committed one at a time at a steady pace, as the API would, and every
 * event goes to both ministries (one sample per event and ministry). Target: p95 ≤ 1.5 s.
 *
 * Throughput: a backlog of outbox items written at once (BatchWriteItem) and drained by a new
 * poller from the checkpoint, (a) through the whole path to the webhooks, (b) with a no-op
 * deliverer (poller + publisher + bus routing), and the in-run baseline (c) `publishStreamRecords`
 * alone over the same number of records against a bus that accepts everything.
 */
const TARGET_P95_MS = 1500;

const silent = new Logger({ serviceName: 'clearway-bench', logLevel: 'SILENT' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const notificationLatency: Scenario = {
  name: 'notification-latency',
  description: 'notifications: commit → webhook p50/p95 (target p95 ≤ 1.5 s) and publisher throughput',
  options: {
    'notify-events': { type: 'string', default: '240' },
    'notify-interval-ms': { type: 'string', default: '25' },
    'notify-backlog': { type: 'string', default: '1000' },
  },
  optionHelp: {
    'notify-events': 'events committed for the latency measurement',
    'notify-interval-ms': 'pause between two commits',
    'notify-backlog': 'outbox items in each throughput backlog',
  },
  async run(ctx) {
    const eventCount = Number(ctx.options['notify-events']);
    const interval = Number(ctx.options['notify-interval-ms']);
    const backlog = Number(ctx.options['notify-backlog']);
    ctx.progress.update('notification-latency: starting DynamoDB Local');
    const stack = await startLocalStack();
    const dir = await mkdtemp(join(tmpdir(), 'clearway-bench-notify-'));
    const tableName = 'notifications';
    const received = new Map<string, number>();
    const receiver = createServer((req, res) => {
      const at = performance.now();
      req.resume();
      req.on('end', () => {
        received.set(`${req.url?.slice(1)}:${String(req.headers['clearway-event-id'])}`, at);
        res.writeHead(204).end();
      });
    });
    const clientConfig = { endpoint: '', region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const clients: { destroy(): void }[] = [];
    try {
      await stack.createTable(tableName);
      // The shared code reads its configuration at load: import it only now.
      Object.assign(process.env, stack.env(tableName));
      const { transact } = await import('../../../shared/db/transact.ts');
      const { outboxEvent } = await import('../../../shared/events/outbox.ts');
      const { subscriptionWrite } = await import('../../../shared/db/repositories/subscriptions.ts');
      const { EventType } = await import('../../../shared/events/catalogue.ts');
      const { publishStreamRecords } = await import('../../../shared/events/publish.ts');
      const { StreamPoller, toLambdaRecord, wakeOnWrites } = await import('../../../infra/local/stream-poller.ts');
      const { dynamo: shared } = await import('../../../shared/db/client.ts');
      const { LocalEventBus } = await import('../../../infra/local/event-bus.ts');
      clientConfig.endpoint = process.env.DYNAMODB_ENDPOINT!;
      const dynamo = new DynamoDBClient(clientConfig);
      const streams = new DynamoDBStreamsClient(clientConfig);
      clients.push(dynamo, streams);

      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
      const hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const now = new Date().toISOString();
      for (const country of ['KH', 'TH'] as const) {
        await transact([
          subscriptionWrite({
            id: newId(),
            version: 1,
            createdAt: now,
            updatedAt: now,
            createdBy: 'bench',
            country,
            org: `MoD-${country}`,
            url: `${hookBase}/${country}`,
            eventTypes: [],
            active: true,
            secret: randomBytes(32).toString('base64url'),
          }),
        ]);
      }

      const actor = { sub: 'bench', role: 'operations' as const, country: 'KH' as const, org: 'CMAC' };
      const makeEvent = (i: number) =>
        outboxEvent(
          EventType.TaskStatusChanged,
          { type: 'Task', id: `task-${i}` },
          'KH',
          actor,
          { taskId: `task-${i}`, hazardAreaId: 'ha-1', country: 'KH', province: 'KH22', from: 'ASSIGNED', to: 'IN_PROGRESS' },
          new Date().toISOString(),
        );
      const checkpointFile = join(dir, 'checkpoints.json');
      const poller = (bus: { send(c: PutEventsCommand): Promise<PutEventsCommandOutput> }) =>
        new StreamPoller({ dynamo, streams, tableName, checkpointFile, eventBridge: bus, busName: 'clearway', log: silent });
      const countries: Country[] = ['KH', 'TH'];
      const waitUntil = async (done: () => boolean, what: string, ms: number) => {
        const deadline = Date.now() + ms;
        while (!done()) {
          if (Date.now() > deadline) throw new Error(`notification-latency: ${what} did not finish within ${ms / 1000} s`);
          await sleep(10);
        }
      };

      // 1. Latency: commit one event at a time, each reaching both ministries' receivers.
      // As `npm start` runs it: woken by the writes of the client the function code uses.
      const fullPath = poller(new LocalEventBus({ log: silent }));
      wakeOnWrites(shared, fullPath);
      fullPath.start();
      const committed = new Map<string, number>();
      for (let i = 0; i < eventCount; i++) {
        const { event, write } = makeEvent(i);
        await transact([write]);
        committed.set(event.id, performance.now());
        if (i % 20 === 0) ctx.progress.update(`notification-latency: committed ${i}/${eventCount}, received ${received.size}/${eventCount * 2}`);
        await sleep(interval);
      }
      const key = (country: Country, id: string) => `${country}:${id}`;
      await waitUntil(() => [...committed.keys()].every((id) => countries.every((c) => received.has(key(c, id)))), 'latency deliveries', 60_000);
      await fullPath.caughtUp();
      await fullPath.stop();
      const latencies = [...committed].flatMap(([id, at]) => countries.map((c) => received.get(key(c, id))! - at)).sort((a, b) => a - b);
      const p50 = percentileSorted(latencies, 0.5);
      const p95 = percentileSorted(latencies, 0.95);
      const max = latencies.at(-1) ?? Number.NaN;

      // 2. Throughput: backlogs written at once, drained from the checkpoint by a new poller.
      const writeBacklog = async () => {
        const events = Array.from({ length: backlog }, (_, i) => makeEvent(i));
        await stack.batchPut(
          tableName,
          events.map((e) => e.write.item.Put!.Item as Record<string, unknown>),
        );
        return events.map((e) => e.event.id);
      };
      ctx.progress.update('notification-latency: throughput through the whole path');
      const ids = await writeBacklog();
      const drainFull = poller(new LocalEventBus({ log: silent }));
      let t0 = performance.now();
      drainFull.start();
      await waitUntil(() => ids.every((id) => countries.every((c) => received.has(key(c, id)))), 'the full-path backlog', 120_000);
      const fullSeconds = (performance.now() - t0) / 1000;
      await drainFull.stop();

      ctx.progress.update('notification-latency: throughput with a no-op deliverer');
      await writeBacklog();
      let routed = 0;
      const drainRouting = poller(new LocalEventBus({ log: silent, deliver: async (_m, records) => ((routed += records.length), { batchItemFailures: [] }) }));
      t0 = performance.now();
      drainRouting.start();
      await waitUntil(() => drainRouting.published >= backlog, 'the no-op-deliverer backlog', 120_000);
      const routingSeconds = (performance.now() - t0) / 1000;
      await drainRouting.stop();

      ctx.progress.update('notification-latency: publishStreamRecords alone');
      const records: DynamoDBRecord[] = Array.from({ length: backlog }, (_, i) => {
        const { write } = makeEvent(i);
        const image = marshall(write.item.Put!.Item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
        return toLambdaRecord(
          {
            eventID: `e${i}`,
            eventName: 'INSERT',
            eventVersion: '1.1',
            eventSource: 'aws:dynamodb',
            awsRegion: 'ap-southeast-1',
            dynamodb: { NewImage: image, SequenceNumber: String(i + 1).padStart(21, '0'), StreamViewType: 'NEW_AND_OLD_IMAGES' },
          },
          'arn:local',
        );
      });
      const noopBus = {
        send: async (c: PutEventsCommand): Promise<PutEventsCommandOutput> => ({
          $metadata: {},
          FailedEntryCount: 0,
          Entries: (c.input.Entries ?? []).map(() => ({ EventId: 'x' })),
        }),
      };
      t0 = performance.now();
      // In batches of 1000 records, as the poller reads them.
      for (let i = 0; i < records.length; i += 1000)
        await publishStreamRecords(records.slice(i, i + 1000), { eventBridge: noopBus, busName: 'clearway', log: silent });
      const publishSeconds = (performance.now() - t0) / 1000;

      const rate = (n: number, s: number) => fixed(n / s, 0);
      const passed = p95 <= TARGET_P95_MS;
      const report = [
        `commit → webhook receipt, ${eventCount} events committed one at a time every ~${interval} ms, each to both ministries (${latencies.length} samples)`,
        table(
          [
            { header: 'samples', align: 'right' },
            { header: 'p50 ms', align: 'right' },
            { header: 'p95 ms', align: 'right' },
            { header: 'max ms', align: 'right' },
          ],
          [[String(latencies.length), fixed(p50, 1), fixed(p95, 1), fixed(max, 1)]],
        ),
        `target: p95 ≤ ${TARGET_P95_MS} ms → ${passed ? 'PASS' : 'FAIL'} (${fixed(p95, 1)} ms)`,
        '',
        `throughput, a backlog of ${backlog} outbox items drained from the checkpoint`,
        table(
          [{ header: 'path' }, { header: 'events', align: 'right' }, { header: 'seconds', align: 'right' }, { header: 'events/s', align: 'right' }],
          [
            ['poller → publisher → bus → deliverer → 2 webhooks', String(backlog), fixed(fullSeconds, 2), rate(backlog, fullSeconds)],
            ['poller → publisher → bus (no-op deliverer)', String(backlog), fixed(routingSeconds, 2), rate(backlog, routingSeconds)],
            ['publishStreamRecords alone, no-op bus (baseline)', String(backlog), fixed(publishSeconds, 3), rate(backlog, publishSeconds)],
          ],
        ),
      ].join('\n');
      return {
        report,
        failures: passed ? [] : [`notification-latency: p95 ${fixed(p95, 1)} ms > ${TARGET_P95_MS} ms`],
        data: {
          targetP95Ms: TARGET_P95_MS,
          latency: { events: eventCount, intervalMs: interval, samples: latencies.length, p50, p95, max },
          throughput: {
            backlog,
            fullPathEventsPerSecond: backlog / fullSeconds,
            noopDelivererEventsPerSecond: backlog / routingSeconds,
            routedMessages: routed,
            publishStreamRecordsEventsPerSecond: backlog / publishSeconds,
          },
        },
      };
    } finally {
      ctx.progress.clear();
      receiver.closeAllConnections();
      receiver.close();
      for (const c of clients) c.destroy();
      await stack.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
