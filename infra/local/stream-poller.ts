/**
 * The local stand-in for the Lambda event source mapping "table stream → publisher": reads
 * DynamoDB Local's stream, keeps the outbox inserts (the same filter as the CDK mapping) and
 * hands them, shaped as Lambda's `DynamoDBRecord`s, to the same publisher code
 * (`publishStreamRecords`). Like Lambda, it reads each shard in order, parents before children,
 * retries a batch from its first failed record (never skipping one), and remembers how far it
 * got: a checkpoint per shard, written only once the records up to it were published (and, with
 * the local bus, delivered), so a restart neither loses nor re-sends what was done.
 *
 * Caught up, it does not poll at a fixed rate: the pause doubles from `idleMs` up to `maxIdleMs`,
 * and `nudge()` (called after every write of the process's own DynamoDB client, `wakeOnWrites`)
 * polls at once. An idle `npm start` then costs a poll a second instead of ten (GetRecords keeps
 * DynamoDB Local's Java busy for several ms each), and an event written through the API still
 * reaches the bus without waiting out a pause.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { logger } from '../../shared/logger.ts';
import { OUTBOX_STREAM_FILTER, publishStreamRecords, type PublishDeps } from '../../shared/events/publish.ts';
import { matchesPattern } from '../../shared/events/routing.ts';

export interface StreamPollerOptions {
  /** Client for DescribeTable (to find the table's stream). */
  dynamo: Pick<DynamoDBClient, 'send'>;
  /** Client of the DynamoDB Streams API, pointed at the same DynamoDB Local. */
  streams: Pick<DynamoDBStreamsClient, 'send'>;
  tableName: string;
  /** JSON file holding the last processed sequence number per shard (under DATA_DIR for `npm start`). */
  checkpointFile: string;
  /** Where the publisher puts events: the local bus (or anything accepting PutEvents). */
  eventBridge: PublishDeps['eventBridge'];
  busName: string;
  /** @default the same publisher the Lambda runs; replaceable to measure the poller alone. */
  publish?: (records: DynamoDBRecord[], deps: PublishDeps) => Promise<DynamoDBBatchResponse>;
  /** First pause when every shard is caught up. @default 100 ms (DynamoDB Local answers in ~25 ms). */
  idleMs?: number;
  /** Caught up pass after pass, the pause doubles up to this; new records or `nudge()` bring it back to `idleMs`. @default 1000 ms */
  maxIdleMs?: number;
  /** Pause before retrying a failed batch or a failed call. @default 100 ms doubling up to 5 s */
  backoffMs?: (attempt: number) => number;
  /** How often the shard list is read again to find new shards. @default 1000 ms */
  describeEveryMs?: number;
  log?: Logger;
}

/** What is remembered per shard. */
interface ShardCheckpoint {
  /** Last sequence number whose record was processed (published, or not ours to publish). */
  sequenceNumber?: string;
  /** The shard is closed and was read to its end. */
  finished?: boolean;
}

interface Checkpoints {
  streamArn: string;
  shards: Record<string, ShardCheckpoint>;
}

interface ShardState {
  shard: Shard;
  iterator?: string;
  /** The checkpoint's position was trimmed away: the next iterator starts at the oldest record. */
  fromOldest?: boolean;
}

/** Failures after which a fresh iterator is the fix (Lambda does the same). */
const ITERATOR_ERRORS = new Set(['ExpiredIteratorException', 'TrimmedDataAccessException']);

const defaultBackoff = (attempt: number) => Math.min(5000, 100 * 2 ** Math.min(attempt, 10));

/** Lambda's record shape from the Streams API's (same wire format; the time is epoch seconds there). */
export function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...dynamodb } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    // The SDK and the Lambda typings describe the same attribute values with different types.
    dynamodb: {
      ...(dynamodb as NonNullable<DynamoDBRecord['dynamodb']>),
      ...(ApproximateCreationDateTime ? { ApproximateCreationDateTime: Math.floor(ApproximateCreationDateTime.getTime() / 1000) } : {}),
    },
  };
}

/** The CDK event source mapping's filter, applied to a raw stream record. */
export const matchesOutboxFilter = (record: StreamRecord): boolean => matchesPattern(OUTBOX_STREAM_FILTER, record as unknown as Record<string, unknown>);

const errorName = (e: unknown) => (e instanceof Error ? e.name : 'Unknown');
const errorInfo = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message } : { name: 'Unknown' });

/** DynamoDB commands that write items (and so may add records to the stream). */
const WRITES = /^(Put|Update|Delete|BatchWrite|TransactWrite)(Item|Items)?Command$/;

/**
 * Nudges `poller` after every successful write sent through `client` (a DynamoDB or document
 * client; the document client sends through its DynamoDB client's stack): the local runtime
 * installs it on the shared client the function code writes with.
 */
export function wakeOnWrites(client: Pick<DynamoDBClient, 'middlewareStack'>, poller: Pick<StreamPoller, 'nudge'>): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (WRITES.test(context.commandName ?? '')) poller.nudge();
      return result;
    },
    { step: 'initialize', name: 'clearwayWakeStreamPoller', override: true },
  );
}

export class StreamPoller {
  readonly #options: StreamPollerOptions;
  readonly #log: Logger;
  readonly #backoff: (attempt: number) => number;
  readonly #publish: NonNullable<StreamPollerOptions['publish']>;
  #checkpoints: Checkpoints | undefined;
  #streamArnCache: string | undefined;
  #shards = new Map<string, ShardState>();
  #lastDescribe = 0;
  #stopping = false;
  #running: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** The current sleep is an idle pause (a nudge may end it), not a back-off after a failure. */
  #idle = false;
  /** A nudge came while a pass was running: the write may be past what the pass read. */
  #nudged = false;
  #cycle = 0;
  #caughtUpWaiters: { afterCycle: number; resolve: () => void }[] = [];
  /** Records handed to the publisher and confirmed, since start (for measurements). */
  published = 0;
  /** The idle pause in progress, in ms; 0 while polling or backing off after a failure (for tests). */
  idlePause = 0;

  constructor(options: StreamPollerOptions) {
    this.#options = options;
    this.#log = options.log ?? logger;
    this.#backoff = options.backoffMs ?? defaultBackoff;
    this.#publish = options.publish ?? publishStreamRecords;
  }

  /** Starts polling in the background; failures are logged and retried, never thrown. */
  start(): void {
    if (this.#running) return;
    this.#stopping = false;
    this.#running = this.#loop().catch((e: unknown) => this.#log.error('stream poller stopped on an unexpected error', { error: errorInfo(e) }));
  }

  /** Stops after the call in flight; a batch not yet confirmed is not checkpointed (it is read again next time). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
    this.#running = undefined;
    for (const w of this.#caughtUpWaiters) w.resolve();
    this.#caughtUpWaiters = [];
  }

  /**
   * Something was written: poll now rather than after the idle pause, which starts again from
   * `idleMs`. During a pass, one more pass follows it at once. A back-off after a failure is
   * not cut short.
   */
  nudge(): void {
    this.#nudged = true;
    if (this.#idle) this.#wake?.();
  }

  /** Resolves once a whole pass that began after this call found nothing new on any shard. */
  caughtUp(): Promise<void> {
    return new Promise((resolve) => this.#caughtUpWaiters.push({ afterCycle: this.#cycle, resolve }));
  }

  async #sleep(ms: number): Promise<void> {
    if (this.#stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
  }

  async #loop(): Promise<void> {
    let failures = 0;
    const idleMs = this.#options.idleMs ?? 100;
    const maxIdleMs = Math.max(idleMs, this.#options.maxIdleMs ?? 1000);
    let pause = idleMs;
    while (!this.#stopping) {
      try {
        const streamArn = await this.#streamArn();
        if (!this.#checkpoints || this.#checkpoints.streamArn !== streamArn) await this.#loadCheckpoints(streamArn);
        if (Date.now() - this.#lastDescribe >= (this.#options.describeEveryMs ?? 1000)) await this.#describe(streamArn);
        this.#cycle += 1;
        const cycle = this.#cycle;
        const nudged = this.#nudged;
        this.#nudged = false;
        let busy = false;
        for (const state of this.#readable()) {
          if (this.#stopping) return;
          if (await this.#poll(streamArn, state)) busy = true;
        }
        failures = 0;
        if (busy || nudged) pause = idleMs;
        if (!busy) {
          this.#caughtUpWaiters = this.#caughtUpWaiters.filter((w) => (w.afterCycle < cycle ? (w.resolve(), false) : true));
          if (this.#nudged) continue;
          this.#idle = true;
          this.idlePause = pause;
          await this.#sleep(pause);
          this.#idle = false;
          this.idlePause = 0;
          pause = this.#nudged ? idleMs : Math.min(maxIdleMs, pause * 2);
        }
      } catch (e: unknown) {
        failures += 1;
        this.#log.warn('stream poller: call failed; retrying', { error: errorInfo(e), attempt: failures });
        await this.#sleep(this.#backoff(failures));
      }
    }
  }

  async #streamArn(): Promise<string> {
    if (this.#streamArnCache) return this.#streamArnCache;
    const table = await this.#options.dynamo.send(new DescribeTableCommand({ TableName: this.#options.tableName }));
    const arn = table.Table?.LatestStreamArn;
    if (!arn) throw new Error(`table ${this.#options.tableName} has no stream`);
    this.#streamArnCache = arn;
    return arn;
  }

  /** Reads every shard of the stream (pages of DescribeStream), keeping the iterators of known ones. */
  async #describe(streamArn: string): Promise<void> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await this.#options.streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }));
      shards.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    const next = new Map<string, ShardState>();
    for (const shard of shards) {
      if (!shard.ShardId) continue;
      next.set(shard.ShardId, { ...this.#shards.get(shard.ShardId), shard });
    }
    this.#shards = next;
    this.#lastDescribe = Date.now();
  }

  /** Shards to read now: not finished, and whose parent (if still in the stream) is finished. Parents first. */
  #readable(): ShardState[] {
    const done = (id: string | undefined) => !id || !this.#shards.has(id) || this.#checkpoints?.shards[id]?.finished === true;
    return [...this.#shards.values()].filter((s) => !done(s.shard.ShardId) && done(s.shard.ParentShardId));
  }

  async #iterator(streamArn: string, state: ShardState, fromCheckpoint = true): Promise<string | undefined> {
    const shardId = state.shard.ShardId!;
    const after = fromCheckpoint ? this.#checkpoints?.shards[shardId]?.sequenceNumber : undefined;
    const out = await this.#options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  }

  /** One GetRecords on a shard and the publishing of what it returned. True when it returned records. */
  async #poll(streamArn: string, state: ShardState): Promise<boolean> {
    const shardId = state.shard.ShardId!;
    try {
      state.iterator ??= await this.#iterator(streamArn, state, !state.fromOldest);
      state.fromOldest = false;
    } catch (e: unknown) {
      if (errorName(e) !== 'TrimmedDataAccessException') throw e;
      // The checkpoint itself was trimmed away (retention passed): nothing older is readable.
      this.#log.warn('stream poller: checkpoint older than the stream retention; reading from the oldest record', { shardId });
      state.iterator = await this.#iterator(streamArn, state, false);
    }
    if (!state.iterator) return this.#finish(shardId);
    let out;
    try {
      out = await this.#options.streams.send(new GetRecordsCommand({ ShardIterator: state.iterator, Limit: 1000 }));
    } catch (e: unknown) {
      if (!ITERATOR_ERRORS.has(errorName(e))) throw e;
      this.#log.warn('stream poller: iterator expired or trimmed; acquiring a new one', { shardId, error: errorName(e) });
      state.iterator = undefined;
      // Lambda resumes a trimmed position at the oldest record still in the stream; so does this.
      state.fromOldest = errorName(e) === 'TrimmedDataAccessException';
      return true;
    }
    const records = out.Records ?? [];
    if (records.length > 0) {
      const delivered = await this.#deliver(streamArn, shardId, records);
      if (!delivered) {
        state.iterator = undefined; // stopped mid-batch: read it again next time
        return true;
      }
    }
    state.iterator = out.NextShardIterator;
    if (!state.iterator) await this.#finish(shardId);
    return records.length > 0;
  }

  async #finish(shardId: string): Promise<boolean> {
    this.#checkpoints!.shards[shardId] = { ...this.#checkpoints!.shards[shardId], finished: true };
    await this.#saveCheckpoints();
    // A closed shard has children to pick up: read the shard list again now.
    this.#lastDescribe = 0;
    return true;
  }

  /**
   * Publishes the outbox inserts among `records`, retrying from the first failed one with
   * backoff until all are confirmed, checkpointing what is done. False when stopped first.
   */
  async #deliver(streamArn: string, shardId: string, records: StreamRecord[]): Promise<boolean> {
    let pending = records;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        await this.#sleep(this.#backoff(attempt));
        if (this.#stopping) return false;
      }
      const ours = pending.filter(matchesOutboxFilter).map((r) => toLambdaRecord(r, streamArn));
      let failedAt = -1;
      try {
        const result =
          ours.length > 0
            ? await this.#publish(ours, { eventBridge: this.#options.eventBridge, busName: this.#options.busName, log: this.#log })
            : { batchItemFailures: [] };
        const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
        if (failed.size > 0) {
          failedAt = pending.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
          // A failure we cannot place: the whole remainder again.
          if (failedAt < 0) failedAt = 0;
        }
      } catch (e: unknown) {
        this.#log.warn('stream poller: publishing failed; retrying the batch', { shardId, error: errorInfo(e) });
        failedAt = 0;
      }
      const done = failedAt < 0 ? pending : pending.slice(0, failedAt);
      this.published += done.filter(matchesOutboxFilter).length;
      const last = done.at(-1)?.dynamodb?.SequenceNumber;
      if (last) {
        this.#checkpoints!.shards[shardId] = { ...this.#checkpoints!.shards[shardId], sequenceNumber: last };
        await this.#saveCheckpoints();
      }
      if (failedAt < 0) return true;
      pending = pending.slice(failedAt);
      if (attempt === 0 || attempt % 10 === 0)
        this.#log.warn('stream poller: records not published; retrying from the first failed one', {
          shardId,
          remaining: pending.length,
          attempt: attempt + 1,
        });
    }
    return true;
  }

  async #loadCheckpoints(streamArn: string): Promise<void> {
    let stored: Checkpoints | undefined;
    try {
      stored = JSON.parse(await readFile(this.#options.checkpointFile, 'utf8')) as Checkpoints;
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.#log.warn('stream poller: unreadable checkpoint file; starting from the oldest record', { error: errorInfo(e) });
    }
    // A checkpoint of another stream (the table was created anew) says nothing about this one.
    this.#checkpoints = stored?.streamArn === streamArn && stored.shards && typeof stored.shards === 'object' ? stored : { streamArn, shards: {} };
    this.#shards = new Map();
    this.#lastDescribe = 0;
  }

  /** Writes the checkpoints atomically: a temporary file renamed over the old one. */
  async #saveCheckpoints(): Promise<void> {
    const file = this.#options.checkpointFile;
    // Shards gone from the stream (trimmed) need no checkpoint.
    const shards = Object.fromEntries(Object.entries(this.#checkpoints!.shards).filter(([id]) => this.#shards.size === 0 || this.#shards.has(id)));
    const temp = `${file}.${randomUUID()}.tmp`;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temp, `${JSON.stringify({ streamArn: this.#checkpoints!.streamArn, shards }, null, 2)}\n`);
    await rename(temp, file);
  }
}
