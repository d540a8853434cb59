/**
 * The local stand-in for the EventBridge bus, its ministry rules, their SQS queues and the
 * deliverer Lambda: accepts the publisher's `PutEventsCommand`, routes each entry with the same
 * patterns the CDK rules are built from (`MINISTRY_ROUTES`, matched by `matchesPattern`), and
 * hands each ministry its records, shaped as SQS messages whose body is the EventBridge event,
 * to the same deliverer code. It answers only once delivery is done (delivered or dead-lettered),
 * so the stream poller checkpoints only what reached the ministries; what the deliverer reports
 * failed is retried a few times (as SQS would redrive it), then the entry is answered failed and
 * the poller publishes it again.
 */
import { randomUUID } from 'node:crypto';
import type { PutEventsCommand, PutEventsCommandOutput, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse } from 'aws-lambda';
import type { Country } from '../../shared/domain/common.ts';
import type { DeliveryOptions, deliverQueueRecords } from '../../shared/events/deliver.ts';
import { logger } from '../../shared/http/logger.ts';
import { MINISTRY_ROUTES, matchesPattern } from '../../shared/events/routing.ts';

/** One SQS-like record per event: the body is the EventBridge event JSON. */
export interface QueueRecord {
  messageId: string;
  body: string;
}

/** The deliverer's signature (`deliverQueueRecords` of shared/events/deliver.ts). */
export type Deliver = (ministry: Country, records: QueueRecord[], options: DeliveryOptions) => Promise<SQSBatchResponse>;

export interface LocalEventBusOptions {
  /** @default `deliverQueueRecords` from shared/events/deliver.ts, loaded on first use (it reads the configuration) */
  deliver?: Deliver;
  /** Passed to the deliverer with `allowLocal: true` (timeouts, attempts, backoff, subscription cache). */
  delivery?: Omit<DeliveryOptions, 'allowLocal' | 'log'>;
  /** Delivery attempts of a message before its entry is answered failed. @default 4 */
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
const loadDeliver = (): Promise<Deliver> => (defaultDeliver ??= import('../../shared/events/deliver.ts').then((m): typeof deliverQueueRecords => m.deliverQueueRecords));

const errorInfo = (e: unknown) => (e instanceof Error ? { name: e.name, message: e.message } : { name: 'Unknown' });

/** EventBridge's `time`: ISO 8601 to the second. */
const busTime = (time: Date) => `${time.toISOString().slice(0, 19)}Z`;

export class LocalEventBus {
  readonly #options: LocalEventBusOptions;
  readonly #log: Logger;
  #stopping = false;

  constructor(options: LocalEventBusOptions = {}) {
    this.#options = options;
    this.#log = options.log ?? logger;
  }

  /** No more retries: what is still failing is answered failed at once (the poller keeps it for next time). */
  stop(): void {
    this.#stopping = true;
  }

  /** PutEvents: routes, delivers and answers per entry (EventId, or ErrorCode when it was not delivered). */
  async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const entries = command.input.Entries ?? [];
    const results: PutEventsResultEntry[] = entries.map(() => ({}));
    const byMinistry = new Map<Country, { entry: number; record: QueueRecord }[]>();

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
      for (const route of MINISTRY_ROUTES) {
        if (!matchesPattern(route.pattern, event as unknown as Record<string, unknown>)) continue;
        const queue = byMinistry.get(route.ministry) ?? [];
        queue.push({ entry: i, record: { messageId: randomUUID(), body } });
        byMinistry.set(route.ministry, queue);
      }
    });

    await Promise.all(
      [...byMinistry].map(async ([ministry, messages]) => {
        const undelivered = await this.#deliverAll(ministry, messages.map((m) => m.record));
        for (const m of messages) {
          if (undelivered.has(m.record.messageId)) results[m.entry] = { ErrorCode: 'InternalFailure', ErrorMessage: `not delivered to the ${ministry} ministry's queue consumer; publish again` };
        }
      }),
    );

    return { $metadata: {}, FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** Delivers to one ministry, retrying the records the deliverer reports failed; returns those never delivered. */
  async #deliverAll(ministry: Country, records: QueueRecord[]): Promise<Set<string>> {
    const deliver = this.#options.deliver ?? (await loadDeliver());
    const attempts = this.#options.attempts ?? 4;
    const backoff = this.#options.backoffMs ?? ((attempt: number) => 200 * 2 ** (attempt - 1));
    let pending = records;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let failed: Set<string>;
      try {
        const response = await deliver(ministry, pending, { ...this.#options.delivery, allowLocal: true, log: this.#log });
        failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      } catch (e: unknown) {
        this.#log.warn('local bus: the deliverer failed', { ministry, records: pending.length, attempt, error: errorInfo(e) });
        failed = new Set(pending.map((r) => r.messageId));
      }
      pending = pending.filter((r) => failed.has(r.messageId));
      if (pending.length === 0) break;
      if (attempt >= attempts || this.#stopping) {
        this.#log.warn('local bus: records not delivered; the publisher will send them again', { ministry, records: pending.length, attempts: attempt });
        break;
      }
      await new Promise((r) => setTimeout(r, backoff(attempt)));
    }
    return new Set(pending.map((r) => r.messageId));
  }
}
