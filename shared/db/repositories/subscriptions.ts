import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Country } from '../../domain/common.ts';
import type { StoredSubscription, Subscription, SubscriptionFailure } from '../../domain/subscription.ts';
import type { EventEnvelope } from '../../events/catalogue.ts';
import { retention, ttlAfter } from '../../config.ts';
import { ConflictError, NotFoundError, StaleVersion } from '../../errors.ts';
import { documentClient, tableName } from '../client.ts';
import { FEED_INDEX, feedKeys } from '../keys/event.ts';
import { FAILURE_PREFIX, failureKey, subscriptionCountKey, subscriptionKey, subscriptionsByCountry, subscriptionUrlKey } from '../keys/subscription.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import { transact, type GuardedWrite } from '../transact.ts';
import { versionedPut } from './versioned.ts';

/** The subscription without its secret: the only form that leaves this module for a response. */
export function withoutSecret(stored: StoredSubscription): Subscription {
  const { secret: _secret, ...subscription } = stored;
  return subscription;
}

const subscriptionItem = (subscription: StoredSubscription): Record<string, unknown> => ({
  ...subscriptionKey(subscription.id),
  ...subscriptionsByCountry(subscription.country, subscription.id),
  entity: 'Subscription',
  ...subscription,
});

/** The write that creates a subscription (secret included, for the deliverer), with its list keys. */
export const subscriptionWrite = (subscription: StoredSubscription): GuardedWrite =>
  versionedPut(subscriptionItem(subscription), 'new', `subscription ${subscription.id}`);

/**
 * A URL as compared for duplicates: parsed and serialised (scheme and host in lower case, default
 * port and dot segments dropped, percent-encoding made uniform), without its fragment, which is
 * never sent.
 */
export function normaliseWebhookUrl(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.href;
}

const urlHash = (url: string) => createHash('sha256').update(normaliseWebhookUrl(url)).digest('hex');

/**
 * The count and URL items of an organisation's subscriptions, made from its subscriptions when
 * they do not exist yet (subscriptions created before the cap): one Query of the country's
 * subscriptions, once per organisation. Concurrent first calls agree: the items are created only
 * if absent.
 */
async function ensureOrgIndex(country: Country, org: string): Promise<void> {
  const counter = await documentClient.send(new GetCommand({ TableName: tableName, Key: subscriptionCountKey(country, org), ConsistentRead: true }));
  if (counter.Item) return;
  const own: StoredSubscription[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': subscriptionsByCountry(country, '').gsi1pk },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) if (item.org === org) own.push(toResource<StoredSubscription>(item));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  const putIfAbsent = async (item: Record<string, unknown>) => {
    try {
      await documentClient.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (e: unknown) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  };
  for (const s of own) await putIfAbsent({ ...subscriptionUrlKey(country, org, urlHash(s.url)), entity: 'SubscriptionUrl', subscriptionId: s.id });
  await putIfAbsent({ ...subscriptionCountKey(country, org), entity: 'SubscriptionCount', count: own.length });
}

/**
 * Creates a subscription within its organisation's cap and unless the organisation already
 * subscribes the same (normalised) URL, all in one transaction with the count and URL items, so
 * that concurrent creates cannot pass either check together. 409 otherwise.
 */
export async function createSubscription(subscription: StoredSubscription, cap: number, extra: GuardedWrite[] = []): Promise<void> {
  const { country, org } = subscription;
  await ensureOrgIndex(country, org);
  const urlKey = subscriptionUrlKey(country, org, urlHash(subscription.url));
  class SameUrl extends Error {}
  try {
    // `extra` first: the record of an idempotent create that a concurrent retry committed is the failure that tells.
    await transact([
      ...extra,
      subscriptionWrite(subscription),
      {
        item: {
          Update: {
            TableName: tableName,
            Key: subscriptionCountKey(country, org),
            UpdateExpression: 'ADD #count :one',
            ConditionExpression: '#count < :cap',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':one': 1, ':cap': cap },
          },
        },
        onConditionFailed: () =>
          new ConflictError(`Organisation ${org} already holds ${cap} subscriptions in ${country}, the most allowed: delete one it no longer needs first.`, {
            reason: 'subscription-cap',
            cap,
          }),
      },
      {
        item: {
          Put: {
            TableName: tableName,
            Item: { ...urlKey, entity: 'SubscriptionUrl', subscriptionId: subscription.id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => new SameUrl(),
      },
    ]);
  } catch (e: unknown) {
    if (!(e instanceof SameUrl)) throw e;
    const held = await documentClient.send(new GetCommand({ TableName: tableName, Key: urlKey, ConsistentRead: true }));
    const existing = String(held.Item?.subscriptionId ?? '');
    throw new ConflictError(`Organisation ${org} already subscribes this URL: subscription ${existing}. Change or delete that one instead.`, {
      reason: 'subscription-url-taken',
      existingSubscriptionId: existing,
    });
  }
}

/** Replaces a subscription's signing secret if it is still at `expectedVersion` (412 otherwise): the new version. */
export async function rotateSubscriptionSecret(stored: StoredSubscription, expectedVersion: number, secret: string, now: string): Promise<StoredSubscription> {
  const rotated: StoredSubscription = { ...stored, secret, version: stored.version + 1, updatedAt: now };
  await transact([versionedPut(subscriptionItem(rotated), expectedVersion, `subscription ${stored.id}`)]);
  return rotated;
}

/** A subscription with its secret, for the deliverer; the API answers with {@link getSubscription}. */
export async function getStoredSubscription(id: string): Promise<StoredSubscription | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: subscriptionKey(id), ConsistentRead: true }));
  return out.Item ? toResource<StoredSubscription>(out.Item) : undefined;
}

/** A subscription as the API shows it (no secret). */
export async function getSubscription(id: string): Promise<Subscription | undefined> {
  const stored = await getStoredSubscription(id);
  return stored ? withoutSecret(stored) : undefined;
}

/**
 * Deletes a subscription if it is still at `expectedVersion` (404 if gone meanwhile, 412 if
 * changed), with its organisation's count and URL item in the same transaction.
 */
export async function deleteSubscription(subscription: Subscription, expectedVersion: number): Promise<void> {
  const { id, country, org } = subscription;
  await ensureOrgIndex(country, org);
  const urlKey = subscriptionUrlKey(country, org, urlHash(subscription.url));
  const marker = await documentClient.send(new GetCommand({ TableName: tableName, Key: urlKey, ConsistentRead: true }));
  class Changed extends Error {}
  try {
    await transact([
      {
        item: {
          Delete: {
            TableName: tableName,
            Key: subscriptionKey(id),
            ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        onConditionFailed: () => new Changed(),
      },
      {
        item: {
          Update: {
            TableName: tableName,
            Key: subscriptionCountKey(country, org),
            UpdateExpression: 'ADD #count :minus',
            ExpressionAttributeNames: { '#count': 'count' },
            ExpressionAttributeValues: { ':minus': -1 },
          },
        },
      },
      // The URL item only if it is this subscription's (two of one URL may predate the check).
      ...(marker.Item?.subscriptionId === id ? [{ item: { Delete: { TableName: tableName, Key: urlKey } } }] : []),
    ]);
  } catch (e: unknown) {
    if (!(e instanceof Changed)) throw e;
    const current = await getStoredSubscription(id);
    if (!current) throw new NotFoundError(`No subscription ${id}.`);
    throw new StaleVersion(
      `The subscription has changed since you read it (you sent version ${expectedVersion}, it is now ${current.version}): read it again.`,
      current.version,
    );
  }
}

/** Subscriptions of one country, oldest first, without their secrets. */
export async function listSubscriptions(country: Country, page: PageRequest): Promise<Page<Subscription>> {
  const found = await queryPage<StoredSubscription>(page, {
    index: 'gsi1',
    partitionKey: ['gsi1pk', subscriptionsByCountry(country, '').gsi1pk],
    scope: `subscriptions:country=${country}`,
  });
  return { items: found.items.map(withoutSecret), next: found.next };
}

/** Dead-letter records of a subscription, in event order. */
export const listFailures = (subscriptionId: string, page: PageRequest): Promise<Page<SubscriptionFailure>> =>
  queryPage<SubscriptionFailure>(page, {
    partitionKey: ['pk', failureKey(subscriptionId, '').pk],
    sortKeyPrefix: ['sk', FAILURE_PREFIX],
    scope: `subscription-failures:${subscriptionId}`,
  });

/** A country's feed: the envelopes of its stored events, oldest first. */
export async function listFeed(country: Country, page: PageRequest): Promise<Page<EventEnvelope>> {
  const feed = FEED_INDEX[country];
  const found = await queryPage<{ event: EventEnvelope }>(page, {
    index: feed.index,
    partitionKey: [feed.pk, feedKeys([country], '')[feed.pk]!],
    scope: `feed:country=${country}`,
  });
  return { items: found.items.map((item) => item.event), next: found.next };
}

/**
 * Every active subscription of a country, secrets included, for the deliverer: one Query on
 * gsi1 (`SUBS#<country>`), following every page. Not for responses (see {@link withoutSecret}).
 */
export async function activeSubscriptionsOf(country: Country): Promise<StoredSubscription[]> {
  const found: StoredSubscription[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': subscriptionsByCountry(country, '').gsi1pk },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) {
      const subscription = toResource<StoredSubscription>(item);
      if (subscription.active) found.push(subscription);
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return found;
}

/**
 * Writes the dead-letter record of an event for a subscription (shape in
 * `shared/db/keys/subscription.ts`). A record already there for the same event (the queue
 * delivered the event again and it failed again) is replaced.
 */
export async function putFailure(subscriptionId: string, failure: SubscriptionFailure): Promise<void> {
  // Kept for the dead-letter retention (`RETENTION_DELIVERY_FAILURE_DAYS`) from its latest failure.
  const item = {
    ...failureKey(subscriptionId, failure.eventId),
    entity: 'SubscriptionFailure',
    ...failure,
    expiresAt: ttlAfter(new Date(), retention.deliveryFailures),
  };
  await documentClient.send(new PutCommand({ TableName: tableName, Item: item }));
}

/** One dead-letter record, or undefined. */
export async function getFailure(subscriptionId: string, eventId: string): Promise<SubscriptionFailure | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: failureKey(subscriptionId, eventId), ConsistentRead: true }));
  return out.Item ? toResource<SubscriptionFailure>(out.Item) : undefined;
}

/**
 * Removes a dead-letter record after its event was delivered. Answers false when it was already
 * gone (a concurrent redrive delivered it first), which is not an error: the event is delivered.
 */
export async function deleteFailure(subscriptionId: string, eventId: string): Promise<boolean> {
  try {
    await documentClient.send(
      new DeleteCommand({ TableName: tableName, Key: failureKey(subscriptionId, eventId), ConditionExpression: 'attribute_exists(pk)' }),
    );
    return true;
  } catch (e: unknown) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw e;
  }
}

/**
 * Records another failed delivery of a dead-lettered event: adds `attempts`, replaces the last
 * status and error and `failedAt`. Only while the record exists: a failed redrive must not bring
 * back a record that a concurrent, successful one removed (409 then).
 */
export async function recordFailedRedrive(
  subscriptionId: string,
  eventId: string,
  outcome: { attempts: number; lastStatus?: number | undefined; lastError: string; failedAt: string },
): Promise<SubscriptionFailure> {
  try {
    const out = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: failureKey(subscriptionId, eventId),
        ConditionExpression: 'attribute_exists(pk)',
        UpdateExpression: `ADD attempts :attempts SET lastError = :lastError, failedAt = :failedAt${outcome.lastStatus === undefined ? ' REMOVE lastStatus' : ', lastStatus = :lastStatus'}`,
        ExpressionAttributeValues: {
          ':attempts': outcome.attempts,
          ':lastError': outcome.lastError,
          ':failedAt': outcome.failedAt,
          ...(outcome.lastStatus === undefined ? {} : { ':lastStatus': outcome.lastStatus }),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toResource<SubscriptionFailure>(out.Attributes ?? {});
  } catch (e: unknown) {
    if (e instanceof ConditionalCheckFailedException)
      throw new ConflictError(`The dead-letter record of event ${eventId} was removed meanwhile: a concurrent redrive delivered it.`);
    throw e;
  }
}
