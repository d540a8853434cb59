/**
 * The local stand-in for the EventBridge bus, its rules, their SQS queues and the Lambdas that
 * drain them: accepts the publisher's `PutEventsCommand`, routes each entry with the same
 * patterns the CDK rules are built from (`MINISTRY_ROUTES` and `SAFETY_ROUTE`, matched by
 * `matchesPattern`), and hands each target its records, shaped as SQS messages whose body is the
 * EventBridge event, to the same code: the deliverer for each ministry, the return-safety checks
 * (`functions/safety/check.ts`). It answers only once every target is done with an entry
 * (delivered or dead-lettered; checked), so the stream poller checkpoints only what was
 * processed; what a target reports failed is retried a few times (as SQS would redrive it), then
 * the entry is answered failed and the poller publishes it again (to every target: they dedupe
 * or are idempotent).
 */
import { randomUUID } from 'node:crypto';
import type { PutEventsCommand, PutEventsCommandOutput, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse } from 'aws-lambda';
import type { Country } from '../../shared/domain/common.ts';
import type { checkSafetyRecords } from '../../functions/safety/check.ts';
import type { DeliveryOptions, deliverQueueRecords } from '../../shared/events/deliver.ts';
import { logger } from '../../shared/logger.ts';
import { MINISTRY_ROUTES, SAFETY_ROUTE, matchesPattern } from '../../shared/events/routing.ts';

/** One SQS-like record per event: the body is the EventBridge event JSON. */
export interface QueueRecord {
  messageId: string;
  body: string;
}

/** The deliverer's signature (`deliverQueueRecords` of shared/events/deliver.ts). */
export type Deliver = (ministry: Country, records: QueueRecord[], options: DeliveryOptions) => Promise<SQSBatchResponse>;

/** The return-safety checks' signature (`checkSafetyRecords` of functions/safety/check.ts). */
export type CheckSafety = (records: QueueRecord[], log: Logger) => Promise<SQSBatchResponse>;

export interface LocalEventBusOptions {
  /** @default `deliverQueueRecords` from shared/events/deliver.ts, loaded on first use (it reads the configuration) */
  deliver?: Deliver;
  /** @default `checkSafetyRecords` from functions/safety/check.ts, loaded on first use (it reads the configuration) */
  checkSafety?: CheckSafety;
  /** Passed to the deliverer with `allowLocal: true` (timeouts, attempts, backoff, subscription cache). */
  delivery?: Omit<DeliveryOptions, 'allowLocal' | 'log'>;
  /** Attempts of a message (per target) before its entry is answered failed. @default 4 */
  attempts?: number;
  /** Pause before a retry. @default 200 ms doubling */
  backoffMs?: (attempt: number) => number;
  /** Account and region stamped on events, as EventBridge does. */
  account?: string;
  region?: string;
  log?: Logger;
}

/** An event as EventBridge hands it to rule targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

let defaultDeliver: Promise<Deliver> | undefined;
const loadDeliver = (): Promise<Deliver> =>
  (defaultDeliver ??= import('../../shared/events/deliver.ts').then((m): typeof deliverQueueRecords => m.deliverQueueRecords));
let defaultCheckSafety: Promise<CheckSafety> | undefined;
const loadCheckSafety = (): Promise<CheckSafety> =>
  (defaultCheckSafety ??= import('../../functions/safety/check.ts').then((m): typeof checkSafetyRecords => m.checkSafetyRecords));

/** A rule and the consumer of its queue: the records it reports failed are retried. */
interface Target {
  /** The route's id, in logs. */
  id: string;
  /** Who did not process an entry, in its error message. */
  consumer: string;
  pattern: Record<string, unknown>;
  consume: (records: QueueRecord[]) => Promise<SQSBatchResponse>;
}

const errorInfo = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message } : { name: 'Unknown' });

/** EventBridge's `time`: ISO 8601 to the second. */
const busTime = (time: Date) => `${time.toISOString().slice(0, 19)}Z`;

export class LocalEventBus {
  readonly #options: LocalEventBusOptions;
  readonly #log: Logger;
  readonly #targets: readonly Target[];
  #stopping = false;

  constructor(options: LocalEventBusOptions = {}) {
    this.#options = options;
    this.#log = options.log ?? logger;
    this.#targets = [
      ...MINISTRY_ROUTES.map(
        (route): Target => ({
          id: route.id,
          consumer: `the ${route.ministry} ministry's queue consumer`,
          pattern: route.pattern,
          consume: async (records) =>
            (options.deliver ?? (await loadDeliver()))(route.ministry, records, { ...options.delivery, allowLocal: true, log: this.#log }),
        }),
      ),
      {
        id: SAFETY_ROUTE.id,
        consumer: 'the return-safety checks',
        pattern: SAFETY_ROUTE.pattern,
        consume: async (records) => (options.checkSafety ?? (await loadCheckSafety()))(records, this.#log),
      },
    ];
  }

  /** No more retries: what is still failing is answered failed at once (the poller keeps it for next time). */
  stop(): void {
    this.#stopping = true;
  }

  /** PutEvents: routes, hands over and answers per entry (EventId, or ErrorCode when a target did not process it). */
  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const entries = command.input.Entries ?? [];
    const results: PutEventsResultEntry[] = entries.map(() => ({}));
    const byTarget = new Map<Target, { entry: number; record: QueueRecord }[]>();

    entries.forEach((entry, i) => {
      if (!entry.Source || !entry.DetailType || !entry.Detail) {
        results[i] = { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required' };
        return;
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        detail = undefined;
      }
      if (!detail || typeof detail !== 'object' || Array.isArray(detail)) {
        results[i] = { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not a JSON object' };
        return;
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: this.#options.account ?? '000000000000',
        time: busTime(entry.Time ?? new Date()),
        region: this.#options.region ?? 'ap-southeast-1',
        resources: entry.Resources ?? [],
        detail: detail as Record<string, unknown>,
      };
      results[i] = { EventId: event.id };
      const body = JSON.stringify(event);
      for (const target of this.#targets) {
        if (!matchesPattern(target.pattern, event as unknown as Record<string, unknown>)) continue;
        const queue = byTarget.get(target) ?? [];
        queue.push({ entry: i, record: { messageId: randomUUID(), body } });
        byTarget.set(target, queue);
      }
    });

    await Promise.all(
      [...byTarget].map(async ([target, messages]) => {
        const unprocessed = await this.#consumeAll(
          target,
          messages.map((m) => m.record),
        );
        for (const m of messages) {
          if (unprocessed.has(m.record.messageId))
            results[m.entry] = { ErrorCode: 'InternalFailure', ErrorMessage: `not processed by ${target.consumer}; publish again` };
        }
      }),
    );

    return { $metadata: {}, FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** Hands the records to one target, retrying those it reports failed; returns those never processed. */
  async #consumeAll(target: Target, records: QueueRecord[]): Promise<Set<string>> {
    const attempts = this.#options.attempts ?? 4;
    const backoff = this.#options.backoffMs ?? ((attempt: number) => 200 * 2 ** (attempt - 1));
    let pending = records;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let failed: Set<string>;
      try {
        const response = await target.consume(pending);
        failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      } catch (e: unknown) {
        this.#log.warn('local bus: the queue consumer failed', { target: target.id, records: pending.length, attempt, error: errorInfo(e) });
        failed = new Set(pending.map((r) => r.messageId));
      }
      pending = pending.filter((r) => failed.has(r.messageId));
      if (pending.length === 0) break;
      if (attempt >= attempts || this.#stopping) {
        this.#log.warn('local bus: records not processed; the publisher will send them again', {
          target: target.id,
          records: pending.length,
          attempts: attempt,
        });
        break;
      }
      await new Promise((r) => setTimeout(r, backoff(attempt)));
    }
    return new Set(pending.map((r) => r.messageId));
  }
}
