/**
 * Keys of notification subscriptions and their dead-letter records (`SubscriptionFailure`: the
 * event, attempts, last status and error, when the deliverer gave up). Failures live in the
 * subscription's own partition, so reading them never touches another ministry's data.
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
