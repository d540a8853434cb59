/**
 * Key builders for notification subscriptions and their dead-letter records. Pure: no I/O,
 * unit-tested in `test/unit/keys.test.ts`.
 *
 * A subscription item holds the resource plus its signing `secret` (the deliverer signs every
 * POST with it; the API shows it only in the response to the create). Failed deliveries live in
 * the subscription's own partition, so reading them never touches another ministry's data.
 *
 * Dead-letter record (written by the deliverer when it gives up on an event), entity
 * `SubscriptionFailure`, keyed by {@link failureKey}:
 * ```ts
 * {
 *   eventId: string;        // the event's id (ULID), also in the sort key
 *   event: EventEnvelope;   // the envelope that could not be delivered, as the feed has it
 *   attempts: number;       // deliveries tried
 *   lastStatus?: number;    // HTTP status of the last attempt, absent when no response came
 *   lastError: string;      // why the last attempt failed (status text, timeout, refused address)
 *   failedAt: string;       // ISO 8601 UTC, when the deliverer gave up
 * }
 * ```
 */

/** A subscription by id. pk = SUB#<id>, sk = SUB */
export const subscriptionKey = (id: string) => ({ pk: `SUB#${id}`, sk: 'SUB' });

/** Subscriptions of one country, oldest first (ULIDs sort by creation). gsi1pk = SUBS#<country>, gsi1sk = SUB#<id> */
export const subscriptionsByCountry = (country: string, id: string) => ({ gsi1pk: `SUBS#${country}`, gsi1sk: `SUB#${id}` });

/** Sort-key prefix of a subscription's dead-letter records (Query pk = SUB#<id>, begins_with(sk, FAILURE#)). */
export const FAILURE_PREFIX = 'FAILURE#';

/** The dead-letter record of one event for one subscription, in event (= time) order. pk = SUB#<subId>, sk = FAILURE#<eventId> */
export const failureKey = (subscriptionId: string, eventId: string) => ({ pk: `SUB#${subscriptionId}`, sk: `${FAILURE_PREFIX}${eventId}` });

/**
 * How many subscriptions an organisation holds in a country, kept in the transaction of every
 * create (`count < cap` its condition) and delete. Item: { count }. pk = SUBORG#<country>#<org>, sk = COUNT
 */
export const subscriptionCountKey = (country: string, org: string) => ({ pk: `SUBORG#${country}#${org}`, sk: 'COUNT' });

/**
 * An organisation's subscription to one URL (by the SHA-256 of the normalised URL), created with
 * `attribute_not_exists(pk)` so that one organisation cannot subscribe the same URL twice.
 * Item: { subscriptionId }. pk = SUBORG#<country>#<org>, sk = URL#<sha256>
 */
export const subscriptionUrlKey = (country: string, org: string, urlHash: string) => ({ pk: `SUBORG#${country}#${org}`, sk: `URL#${urlHash}` });
