import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse } from 'aws-lambda';
import type { Country } from '../domain/common.ts';
import type { StoredSubscription } from '../domain/subscription.ts';
import { allowedPorts, isHostAllowed, isPortAllowed, isPublicAddress, parsePortList, portOf } from '../domain/webhook-url.ts';
import { config } from '../config.ts';
import { activeSubscriptionsOf, putFailure } from '../db/repositories/subscriptions.ts';
import { errorOf, logger } from '../logger.ts';
import type { EventEnvelope } from './catalogue.ts';
import { signatureHeader } from './signature.ts';
import { envelopeOfQueueBody } from './queue-record.ts';
import { mapLimit } from '../map-limit.ts';
import { count, MetricName } from '../metrics.ts';

/**
 * The webhook deliverer's core: POSTs events to the subscriptions of one ministry (DESIGN
 * section 5). The AWS `deliverer` function (`functions/deliverer/handler.ts`) feeds it the
 * ministry's SQS queue; the local bus calls it with the same records; the redrive route calls
 * {@link deliverEvent} directly, so every delivery takes the same path.
 *
 * Delivery is at least once: a record the queue retries may reach a subscriber twice, and
 * receivers dedupe by `Clearway-Event-Id`.
 */

export interface DeliveryOptions {
  /**
   * A local run (`RUNTIME=local`, tests): plain `http:` and loopback addresses (127.0.0.0/8, ::1)
   * may be called. On AWS only `https:` to public addresses is.
   */
  allowLocal: boolean;
  /**
   * The platform's allow list (`WEBHOOK_ALLOW_LIST`, CDK context `webhookAllowList`): when
   * non-empty, only these hosts are called (`*.example.org` is any subdomain of example.org).
   * @default [] (any public host)
   */
  allowHosts?: readonly string[];
  /**
   * Ports webhooks may be called on; locally, receivers on this machine may use any.
   * @default `WEBHOOK_PORTS` (shared/config.ts), else [443] on AWS and any port locally
   */
  allowPorts?: readonly number[] | undefined;
  /** Time one attempt may take, from connecting to the response status. @default 5000 */
  timeoutMs?: number;
  /** Attempts per event and subscription before the event is dead-lettered. @default 3 */
  attempts?: number;
  /** Wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed. @default 250 ms × 2^(attempt−1), jittered ±50 % */
  backoffMs?: (attempt: number) => number;
  /** @default the process logger */
  log?: Logger;
  /**
   * How long a ministry's subscription list is reused between queue batches; 0 reads it for
   * every event. A new subscription may miss events for this long (the feed still has them).
   * @default 5000
   */
  subscriptionCacheMs?: number;
}

/** What became of one event for one subscription. */
export interface DeliveryOutcome {
  delivered: boolean;
  /** Attempts made (a refusal before any request counts as one). */
  attempts: number;
  /** HTTP status of the last attempt; absent when no response came. */
  status?: number;
  /**
   * Why the last attempt failed, in generic words ("connection failed", "timed out",
   * "HTTP 500", a refusal by policy); absent when delivered. It is stored in the dead-letter
   * record and shown to the subscriber: never a raw network error, the receiver's reason phrase
   * or an address a name resolved to, which would make the deliverer a port and network scanner.
   */
  error?: string;
  /** The specifics behind `error` (network error code, refused address), for the logs only. */
  detail?: string;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_ATTEMPTS = 3;
const defaultBackoff = (attempt: number): number => 250 * 2 ** (attempt - 1) * (0.5 + Math.random());
const DEFAULT_CACHE_MS = 5000;
const USER_AGENT = 'Clearway-Webhooks/1';
/** Queue records delivered at the same time (an SQS batch holds at most 10). */
const RECORD_CONCURRENCY = 10;

type Attempt = { ok: true; status: number } | { ok: false; status?: number; error: string; detail?: string; retry: boolean };

/** Statuses worth another attempt: the receiver is busy or failing, not refusing this event. */
const retryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

const configuredPorts = parsePortList(config.WEBHOOK_PORTS);

const isLoopback = (ip: string): boolean => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) || ip === '::1' || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(ip);

/** May a connection go to this address? Public ones always; loopback only in a local run. */
const permitted = (ip: string, allowLocal: boolean): boolean => isPublicAddress(ip) || (allowLocal && isLoopback(ip));

/**
 * What the URL shows that forbids calling it, checked before every delivery (the allow list may
 * have changed since the subscription was made). The address a host name resolves to is checked
 * later, in the connection's own lookup.
 */
function targetOf(url: string, options: DeliveryOptions): { url: URL } | { refusal: string } {
  const allowPorts = options.allowPorts ?? configuredPorts;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { refusal: 'refused: the subscription URL is not an absolute URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { refusal: `refused: ${parsed.protocol} URLs are not called` };
  if (parsed.username || parsed.password) return { refusal: 'refused: the URL carries a user name or password' };
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isHostAllowed(host, options.allowHosts ?? [])) return { refusal: 'refused: the host is not on the webhook allow list' };
  if (isIP(host) !== 0 && !permitted(host, options.allowLocal)) return { refusal: 'refused: the address is not public' };
  if (!isPortAllowed(parsed, { allowLocal: options.allowLocal, allowPorts }))
    return { refusal: `refused: port ${portOf(parsed)} is not called (only ${allowedPorts(options.allowLocal, allowPorts)!.join(', ')})` };
  if (parsed.protocol === 'http:' && !options.allowLocal) return { refusal: 'refused: plain http is called only in a local run; use https' };
  return { url: parsed };
}

/**
 * A `lookup` for node:http(s) that resolves the host once and refuses the connection when any
 * address it resolves to may not be called. The socket then connects to exactly the addresses
 * that were checked, so a DNS answer that changes between check and connect (rebinding) cannot
 * slip through. IP literals never reach a lookup; {@link targetOf} checks them.
 */
function guardedLookup(allowLocal: boolean, onRefused: (reason: string) => void): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => !permitted(a.address, allowLocal));
      if (bad || addresses.length === 0) {
        const reason = bad ? `refused: ${hostname} resolves to ${bad.address}, which is not a public address` : `refused: ${hostname} resolves to no address`;
        onRefused(reason);
        return callback(Object.assign(new Error(reason), { code: 'EADDRREFUSED' }), '', 0);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

/** One POST: resolves with the status, or with why no usable status came. Never rejects. */
function postOnce(url: URL, body: string, headers: Record<string, string>, timeoutMs: number, allowLocal: boolean): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    let refused: string | undefined;
    const settle = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(attempt);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const timer = setTimeout(() => {
      settle({ ok: false, error: 'timed out', detail: `no answer within ${timeoutMs} ms`, retry: true });
      req?.destroy();
    }, timeoutMs);
    let req: ClientRequest | undefined;
    try {
      // agent: false, a fresh connection per attempt: a pooled socket would skip the lookup that checks the address.
      req = send(url, { method: 'POST', headers, agent: false, lookup: guardedLookup(allowLocal, (reason) => (refused = reason)) }, onResponse);
    } catch (e: unknown) {
      // Thrown before any I/O (an unusable URL or header): no retry can change it.
      settle({ ok: false, error: 'request not sent', detail: e instanceof Error ? e.message : 'unknown error', retry: false });
      return;
    }
    req.on('error', (e: NodeJS.ErrnoException) => {
      // A name resolving to a private address reads as any failed connection: the record must not
      // tell which internal names exist.
      if (refused) settle({ ok: false, error: 'connection failed', detail: refused, retry: false });
      else settle({ ok: false, error: 'connection failed', detail: e.code ?? e.message, retry: true });
    });
    req.end(body);

    function onResponse(res: IncomingMessage) {
      const status = res.statusCode ?? 0;
      // The answer's body is of no use; drain it (bounded in time) so the socket can close.
      res.on('error', () => {});
      res.setTimeout(timeoutMs, () => res.destroy());
      res.resume();
      if (status >= 200 && status < 300) settle({ ok: true, status });
      else if (status >= 300 && status < 400) settle({ ok: false, status, error: `HTTP ${status}: redirects are not followed`, retry: false });
      // Only the status: the reason phrase is the receiver's text (a banner, for a scanner).
      else settle({ ok: false, status, error: `HTTP ${status}`, retry: retryableStatus(status) });
    }
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Delivers one event to one subscription now: POSTs the envelope JSON with `Clearway-Event-Id`,
 * `Clearway-Event-Type` and `Clearway-Signature` (signed afresh for each attempt with the
 * subscription's secret), retrying network errors, timeouts, 408, 429 and 5xx with backoff, up
 * to `attempts`; other statuses and refused addresses are final. Never throws for the
 * receiver's sake; the caller decides what a failure means (dead-letter, or a 502 on redrive).
 */
export async function deliverEvent(subscription: StoredSubscription, event: EventEnvelope, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const target = targetOf(subscription.url, options);
  if ('refusal' in target) return { delivered: false, attempts: 1, error: target.refusal };
  const body = JSON.stringify(event);
  const attempts = Math.max(1, options.attempts ?? DEFAULT_ATTEMPTS);
  const backoff = options.backoffMs ?? defaultBackoff;
  for (let attempt = 1; ; attempt++) {
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'User-Agent': USER_AGENT,
      'Clearway-Event-Id': event.id,
      'Clearway-Event-Type': event.type,
      'Clearway-Signature': signatureHeader(subscription.secret, body),
    };
    const result = await postOnce(target.url, body, headers, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.allowLocal);
    if (result.ok) return { delivered: true, attempts: attempt, status: result.status };
    if (!result.retry || attempt >= attempts) {
      return {
        delivered: false,
        attempts: attempt,
        error: result.error,
        ...(result.detail === undefined ? {} : { detail: result.detail }),
        ...(result.status === undefined ? {} : { status: result.status }),
      };
    }
    await sleep(backoff(attempt));
  }
}

const subscriptionCache = new Map<Country, { until: number; subscriptions: Promise<StoredSubscription[]> }>();

/** The ministry's active subscriptions, reused for `cacheMs`; a failed read is not cached. */
function subscriptionsOf(ministry: Country, cacheMs: number): Promise<StoredSubscription[]> {
  if (cacheMs <= 0) return activeSubscriptionsOf(ministry);
  const now = Date.now();
  const cached = subscriptionCache.get(ministry);
  if (cached && cached.until > now) return cached.subscriptions;
  const subscriptions = activeSubscriptionsOf(ministry);
  subscriptionCache.set(ministry, { until: now + cacheMs, subscriptions });
  subscriptions.catch(() => subscriptionCache.delete(ministry));
  return subscriptions;
}

/** The envelope in a queue record's body (an EventBridge event, `detail` the envelope) with its audience, or undefined when there is none. */
function envelopeOf(body: string): EventEnvelope | undefined {
  const envelope = envelopeOfQueueBody(body);
  return envelope && Array.isArray(envelope.audience) ? (envelope as EventEnvelope) : undefined;
}

/**
 * Delivers an SQS batch from a ministry's queue to its active subscriptions (those whose
 * `eventTypes` is empty or names the type), records side by side, and answers the partial batch
 * response. A subscription that still fails after every attempt gets a `SubscriptionFailure`
 * record and the event counts as handled for it. A record is reported as failed only when the
 * platform failed (subscriptions unreadable, dead-letter record unwritten); its retry may reach
 * subscribers that had it, who dedupe by event id. An unreadable body is logged and dropped: no
 * retry can make it readable, and the ministry's feed has every real event. Logs never carry the
 * envelope's data.
 */
export async function deliverQueueRecords(
  ministry: Country,
  records: Array<{ messageId: string; body: string }>,
  options: DeliveryOptions,
): Promise<SQSBatchResponse> {
  const log = options.log ?? logger;
  const counts = { delivered: 0, deadLettered: 0, unreadable: 0, notAddressed: 0 };

  const deliverRecord = async (record: { messageId: string; body: string }): Promise<boolean> => {
    const event = envelopeOf(record.body);
    if (!event) {
      counts.unreadable += 1;
      log.error('queue record without a usable event envelope dropped', { messageId: record.messageId });
      return true;
    }
    const ids = { messageId: record.messageId, eventId: event.id, eventType: event.type };
    if (!event.audience.includes(ministry)) {
      counts.notAddressed += 1;
      log.warn('event not addressed to this ministry reached its queue; not delivered', { ...ids, ministry });
      return true;
    }
    try {
      const subscriptions = (await subscriptionsOf(ministry, options.subscriptionCacheMs ?? DEFAULT_CACHE_MS)).filter(
        (s) => s.eventTypes.length === 0 || s.eventTypes.includes(event.type),
      );
      const results = await Promise.allSettled(
        subscriptions.map(async (subscription) => {
          const outcome = await deliverEvent(subscription, event, options);
          const where = { ...ids, subscriptionId: subscription.id, attempts: outcome.attempts, status: outcome.status };
          if (outcome.delivered) {
            counts.delivered += 1;
            log.debug('event delivered', where);
            return;
          }
          await putFailure(subscription.id, {
            eventId: event.id,
            event,
            attempts: outcome.attempts,
            ...(outcome.status === undefined ? {} : { lastStatus: outcome.status }),
            lastError: outcome.error ?? 'not delivered',
            failedAt: new Date().toISOString(),
          });
          counts.deadLettered += 1;
          log.warn('event not delivered; dead-lettered', { ...where, error: outcome.error, detail: outcome.detail });
        }),
      );
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      return true;
    } catch (e: unknown) {
      log.error('delivery of a queue record failed; the queue will retry it', { ...ids, error: errorOf(e) });
      return false;
    }
  };

  // Records are independent (a standard queue keeps no order), so they go out side by side: a
  // hanging receiver then costs the batch one event's attempts, not one per record, which keeps
  // a batch of 10 within the function's timeout.
  const handled = await mapLimit(records, RECORD_CONCURRENCY, deliverRecord);

  const failed = records.filter((_, i) => !handled[i]).map((r) => r.messageId);
  count(MetricName.EventsDelivered, counts.delivered);
  count(MetricName.WebhookFailures, counts.deadLettered);
  log.info('delivered queue records', { ministry, records: records.length, failed: failed.length, ...counts });
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}
