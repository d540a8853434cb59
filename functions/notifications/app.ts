import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { config } from '#shared/config.ts';
import { Country, Id, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import {
  CreatedSubscription,
  EventEnvelopeSchema,
  RedriveResult,
  Subscription,
  SubscriptionCreate,
  SubscriptionFailure,
  type StoredSubscription,
} from '#shared/domain/subscription.ts';
import { checkWebhookUrl, parseAllowList, parsePortList } from '#shared/domain/webhook-url.ts';
import {
  createSubscription,
  deleteFailure,
  deleteSubscription,
  getFailure,
  getStoredSubscription,
  listFailures,
  listFeed,
  listSubscriptions,
  recordFailedRedrive,
  rotateSubscriptionSecret,
  withoutSecret,
} from '#shared/db/repositories/subscriptions.ts';
import type { EventEnvelope } from '#shared/events/catalogue.ts';
import { deliverEvent } from '#shared/events/deliver.ts';
import { Api, problem } from '#shared/http/api.ts';
import { actingCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { idempotencyWrite } from '#shared/http/idempotency.ts';
import { BadRequest, HttpProblem, NotFound, PreconditionFailed } from '#shared/http/problem.ts';

const api = new Api({ idempotency });
const ACCESS = ['ministry', 'admin'] as const;
const TAG = 'Notifications';

// Read here rather than in shared/config.ts: only the notifications function and the deliverers
// use it. Hosts (`*.example.org` for subdomains) that webhook URLs may point at; empty: any public host.
const allowHosts = parseAllowList(config.WEBHOOK_ALLOW_LIST);
const allowLocal = config.RUNTIME === 'local';
const allowPorts = parsePortList(config.WEBHOOK_PORTS);

/** A subscription the caller may read (its country's; any for an admin): another country's answers 404, as if it did not exist. */
async function mustGetVisible(principal: Principal, id: string): Promise<Subscription> {
  const subscription = await getStoredSubscription(id);
  if (!subscription || (principal.role !== 'admin' && subscription.country !== principal.country)) throw new NotFound(`No subscription ${id}.`);
  return withoutSecret(subscription);
}

/**
 * A subscription the caller may change (delete, redrive, rotate): its own organisation's, any for
 * an admin; another organisation's answers 404 even in the same country. With the signing
 * secret: never answered as it is.
 */
async function mustGetOwnStored(principal: Principal, id: string): Promise<StoredSubscription> {
  const subscription = await getStoredSubscription(id);
  if (!subscription || (principal.role !== 'admin' && (subscription.country !== principal.country || subscription.org !== principal.org)))
    throw new NotFound(`No subscription ${id}.`);
  return subscription;
}

api.route(
  {
    method: 'post',
    path: '/v1/subscriptions',
    operationId: 'createSubscription',
    example: { url: 'https://ministry.example.org/clearway/events', eventTypes: ['ClearedAreaQaDecided', 'LandHandedOver'] },
    summary: 'Subscribe a webhook to the ministry’s events',
    description:
      'A ministry subscribes for its own country; an admin names `country`. `eventTypes` narrows the delivery to those types (absent or empty: all). ' +
      'The URL must be `https:` on port 443 (or a port the platform allows) and must not name a private, loopback, link-local or metadata address ' +
      '(locally, `http://localhost` and `http://127.0.0.1` on any port are allowed too); ' +
      'where the platform has a webhook allow list, its host must be on it. ' +
      `An organisation holds at most ${config.SUBSCRIPTIONS_PER_ORG} subscriptions (409 beyond) and subscribes one URL once (409 naming the subscription ` +
      `that has it; URLs compared normalised). ` +
      'The answer carries `secret`, the key of the `Clearway-Signature` HMAC, and it is the only time the secret is shown: store it (a lost one is ' +
      'replaced with `POST /v1/subscriptions/{id}/secret`). ' +
      'A retry with the same `Idempotency-Key` and body within 24 hours answers the subscription as it is now, without its secret.',
    tag: TAG,
    access: ACCESS,
    body: SubscriptionCreate,
    idempotent: true,
    reread: async (_c, { principal }, id) => {
      const subscription = withoutSecret(await mustGetOwnStored(principal, id));
      return { body: subscription, version: subscription.version };
    },
    responses: {
      201: { description: 'The subscription, with its secret (shown only here; a replay answers without it)', schema: CreatedSubscription },
      409: problem,
    },
  },
  async (c, { principal, body, idempotency }) => {
    const country = actingCountry(principal, body.country, 'body', 'subscribe to the notifications');
    const refused = checkWebhookUrl(body.url, { allowLocal, allowHosts, allowPorts });
    if (refused) throw new BadRequest(`The webhook URL is refused: it ${refused}.`, [{ path: 'body.url', message: refused }]);
    const now = new Date().toISOString();
    const subscription: StoredSubscription = {
      id: newId(),
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy: principal.sub,
      country,
      org: principal.org,
      url: body.url,
      eventTypes: body.eventTypes,
      active: true,
      secret: randomBytes(32).toString('base64url'),
    };
    const headers = { ETag: etagOf(1), Location: `/v1/subscriptions/${subscription.id}` };
    await createSubscription(
      subscription,
      config.SUBSCRIPTIONS_PER_ORG,
      idempotency ? [idempotencyWrite(idempotency, { status: 201, id: subscription.id, body: undefined, headers })] : [],
    );
    return c.json(subscription, 201, headers);
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/subscriptions',
    operationId: 'listSubscriptions',
    summary: 'List the webhook subscriptions of a country',
    description: 'A ministry lists its own country’s (naming the other country is a 403); an admin names `country`. Secrets are never shown.',
    tag: TAG,
    access: ACCESS,
    query: z.object({ country: z.optional(Country), ...PageQuery }),
    responses: { 200: { description: 'A page of subscriptions', schema: Page(Subscription) } },
  },
  async (c, { principal, query }) => {
    const country = actingCountry(principal, query.country, 'query', 'list the subscriptions');
    return c.json(await listSubscriptions(country, { limit: query.limit, cursor: query.cursor }));
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/subscriptions/{id}',
    operationId: 'getSubscription',
    summary: 'Read a webhook subscription (without its secret)',
    description: 'Another country’s subscription answers 404.',
    tag: TAG,
    access: ACCESS,
    params: IdParams,
    responses: { 200: { description: 'The subscription; ETag carries its version', schema: Subscription }, 404: problem },
  },
  async (c, { principal, params }) => {
    const subscription = await mustGetVisible(principal, params.id);
    return c.json(subscription, 200, { ETag: etagOf(subscription.version) });
  },
);

api.route(
  {
    method: 'delete',
    path: '/v1/subscriptions/{id}',
    operationId: 'deleteSubscription',
    summary: 'Delete a webhook subscription',
    description:
      'Deliveries stop; events stay in the feed. Only the organisation that owns it (or an admin) deletes a subscription; for anyone else it answers 404.',
    tag: TAG,
    access: ACCESS,
    params: IdParams,
    ifMatch: true,
    responses: { 204: { description: 'Deleted' }, 404: problem },
  },
  async (c, { principal, params, expectedVersion }) => {
    const subscription = withoutSecret(await mustGetOwnStored(principal, params.id));
    if (subscription.version !== expectedVersion)
      throw new PreconditionFailed(`The subscription is at version ${subscription.version}, not ${expectedVersion}: read it again.`, subscription.version);
    await deleteSubscription(subscription, expectedVersion);
    return c.body(null, 204);
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/subscriptions/{id}/failures',
    operationId: 'listSubscriptionFailures',
    summary: 'List the events that could not be delivered to a subscription',
    description:
      'Dead-letter records, in event order: each event the deliverer gave up on, with the number of attempts and the last error. The feed still has every ' +
      'event.',
    tag: TAG,
    access: ACCESS,
    params: IdParams,
    query: z.object(PageQuery),
    responses: { 200: { description: 'A page of dead-letter records', schema: Page(SubscriptionFailure) }, 404: problem },
  },
  async (c, { principal, params, query }) => {
    const subscription = await mustGetVisible(principal, params.id);
    return c.json(await listFailures(subscription.id, { limit: query.limit, cursor: query.cursor }));
  },
);

api.route(
  {
    method: 'post',
    path: '/v1/subscriptions/{id}/failures/{eventId}/redrive',
    operationId: 'redriveSubscriptionFailure',
    summary: 'Deliver a dead-lettered event again, now',
    description:
      'Tries the delivery of the event again right away, as the deliverer does (signed afresh; two tries of at most 3 s each, the second after a network ' +
      'error, timeout, 408, 429 or 5xx). ' +
      'Delivered: the dead-letter record is removed and the answer is 200 with the webhook’s status. Not delivered: the record stays, with its attempts ' +
      'and last error updated, and the answer is a 502 saying why. ' +
      'An action, so no `If-Match`; two redrives at once may both deliver (receivers dedupe by `Clearway-Event-Id`), and a failed one never brings back a ' +
      'record a successful one removed (409). ' +
      'Only the organisation that owns the subscription (or an admin) redrives; for anyone else, and for an event with no dead-letter record, it answers 404.',
    tag: TAG,
    access: ACCESS,
    params: z.object({ id: Id, eventId: Id }),
    responses: {
      200: { description: 'Delivered; the dead-letter record is removed', schema: RedriveResult },
      404: problem,
      409: problem,
      502: {
        description: 'The webhook could not be reached or refused the event; the dead-letter record stays, updated',
        contentType: 'application/problem+json',
      },
    },
  },
  async (c, { principal, params, log }) => {
    const subscription = await mustGetOwnStored(principal, params.id);
    const failure = await getFailure(subscription.id, params.eventId);
    if (!failure) throw new NotFound(`Subscription ${subscription.id} has no undelivered event ${params.eventId}.`);
    // The record holds the envelope exactly as the deliverer received it.
    // Bounded well inside the function's timeout (and API Gateway's 29 s): two tries of 3 s at most.
    const outcome = await deliverEvent(subscription, failure.event as EventEnvelope, { allowLocal, allowHosts, allowPorts, log, attempts: 2, timeoutMs: 3000 });
    if (outcome.delivered) {
      // Already gone means a concurrent redrive delivered it too: still delivered.
      await deleteFailure(subscription.id, failure.eventId);
      log.info('dead-lettered event redriven', { subscriptionId: subscription.id, eventId: failure.eventId, status: outcome.status });
      return c.json({ delivered: true as const, status: outcome.status ?? 200 }, 200);
    }
    log.warn('redrive of a dead-lettered event failed', {
      subscriptionId: subscription.id,
      eventId: failure.eventId,
      error: outcome.error,
      detail: outcome.detail,
    });
    const updated = await recordFailedRedrive(subscription.id, failure.eventId, {
      attempts: outcome.attempts,
      lastStatus: outcome.status,
      lastError: outcome.error ?? 'not delivered',
      failedAt: new Date().toISOString(),
    });
    throw new HttpProblem(
      502,
      'delivery-failed',
      'Delivery failed',
      `The webhook did not accept event ${failure.eventId} (${updated.lastError}); the dead-letter record stays, now at ${updated.attempts} attempts.`,
      {
        extensions: {
          attempts: updated.attempts,
          lastError: updated.lastError,
          ...(updated.lastStatus === undefined ? {} : { lastStatus: updated.lastStatus }),
        },
      },
    );
  },
);

api.route(
  {
    method: 'post',
    path: '/v1/subscriptions/{id}/secret',
    operationId: 'rotateSubscriptionSecret',
    summary: 'Replace a subscription’s signing secret (when it was lost or exposed)',
    description:
      'Generates a new secret and answers it, this once; the old one stops signing at once (deliverers that read the subscription in the last 5 s may sign ' +
      'with it a few seconds more). ' +
      'Needs `If-Match`; each call rotates again. Only the organisation that owns the subscription (or an admin) rotates; for anyone else it answers 404.',
    tag: TAG,
    access: ACCESS,
    params: IdParams,
    ifMatch: true,
    responses: { 200: { description: 'The subscription with its new secret (shown only here)', schema: CreatedSubscription }, 404: problem },
  },
  async (c, { principal, params, expectedVersion }) => {
    const stored = await mustGetOwnStored(principal, params.id);
    if (stored.version !== expectedVersion)
      throw new PreconditionFailed(`The subscription is at version ${stored.version}, not ${expectedVersion}: read it again.`, stored.version);
    const rotated = await rotateSubscriptionSecret(stored, expectedVersion, randomBytes(32).toString('base64url'), new Date().toISOString());
    return c.json(rotated, 200, { ETag: etagOf(rotated.version) });
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/notifications',
    operationId: 'listNotifications',
    summary: 'Read a ministry’s event feed, oldest first',
    description:
      'Every event addressed to the country (its envelope, as webhooks carry it), oldest first, for catch-up and replay: keep the last `next` and continue ' +
      'from it later. ' +
      'A ministry reads its own country’s feed (naming the other country is a 403); an admin names `country`.',
    tag: TAG,
    access: ACCESS,
    query: z.object({ country: z.optional(Country), ...PageQuery }),
    responses: { 200: { description: 'A page of event envelopes', schema: Page(EventEnvelopeSchema) } },
  },
  async (c, { principal, query }) => {
    const country = actingCountry(principal, query.country, 'query', 'read the notifications');
    return c.json(await listFeed(country, { limit: query.limit, cursor: query.cursor }));
  },
);

export const app = api.app;
export const routes = api.routes;
