import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Country } from '../../domain/common.ts';
import type { StoredSubscription, Subscription, SubscriptionFailure } from '../../domain/subscription.ts';
import type { EventEnvelope } from '../../events/catalogue.ts';
import { NotFound, PreconditionFailed } from '../../http/problem.ts';
import { documentClient, tableName } from '../client.ts';
import { FEED_INDEX, feedKeys } from '../keys/event.ts';
import { FAILURE_PREFIX, failureKey, subscriptionKey, subscriptionsByCountry } from '../keys/subscription.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { versionedPut } from './versioned.ts';

/** The subscription without its secret: the only form that leaves this module for a response. */
export function withoutSecret(stored: StoredSubscription): Subscription {
  const { secret: _secret, ...subscription } = stored;
  return subscription;
}

/** The write that creates a subscription (secret included, for the deliverer), with its list keys. */
export const subscriptionWrite = (subscription: StoredSubscription): GuardedWrite =>
  versionedPut(
    { ...subscriptionKey(subscription.id), ...subscriptionsByCountry(subscription.country, subscription.id), entity: 'Subscription', ...subscription },
    'new',
    `subscription ${subscription.id}`,
  );

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

/** Deletes a subscription if it is still at `expectedVersion`: 404 if gone meanwhile, 412 if changed. */
export async function deleteSubscription(id: string, expectedVersion: number): Promise<void> {
  try {
    await documentClient.send(
      new DeleteCommand({
        TableName: tableName,
        Key: subscriptionKey(id),
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (e: unknown) {
    if (e instanceof ConditionalCheckFailedException) {
      if (!e.Item) throw new NotFound(`No subscription ${id}.`);
      const current = Number((e.Item.version as { N?: string } | undefined)?.N);
      throw new PreconditionFailed(`The subscription has changed since you read it (you sent version ${expectedVersion}, it is now ${current}): read it again.`, current);
    }
    throw e;
  }
}

/** Subscriptions of one country, oldest first, without their secrets. */
export async function listSubscriptions(country: Country, page: PageRequest): Promise<Page<Subscription>> {
  const found = await queryPage<StoredSubscription>(page, { index: 'gsi1', partitionKey: ['gsi1pk', subscriptionsByCountry(country, '').gsi1pk], scope: `subscriptions:country=${country}` });
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
  const found = await queryPage<{ event: EventEnvelope }>(page, { index: feed.index, partitionKey: [feed.pk, feedKeys([country], '')[feed.pk]!], scope: `feed:country=${country}` });
  return { items: found.items.map((item) => item.event), next: found.next };
}
