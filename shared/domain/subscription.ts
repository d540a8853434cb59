import * as z from 'zod/mini';
import { EventType } from '../events/catalogue.ts';
import { Country, StoredFields, named } from './common.ts';

const EVENT_TYPES = Object.values(EventType) as [EventType, ...EventType[]];
export const EventTypeName = z.enum(EVENT_TYPES);

/** Longest subscription URL accepted. */
export const MAX_URL_LENGTH = 2048;

/**
 * Body of `POST /v1/subscriptions`. Whether the URL may be called at all is checked apart
 * (`checkWebhookUrl`), since it depends on where the platform runs.
 */
export const SubscriptionCreate = z.strictObject({
  url: z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_URL_LENGTH)),
  /** Event types to deliver; absent or empty means all. */
  eventTypes: z._default(
    z.array(EventTypeName).check(
      z.maxLength(EVENT_TYPES.length),
      z.refine((t) => new Set(t).size === t.length, 'must not repeat an event type'),
    ),
    [],
  ),
  /** Only an admin names the country; a ministry subscribes for its own. */
  country: z.optional(Country),
});
export type SubscriptionCreate = z.infer<typeof SubscriptionCreate>;

/** A subscription as the API shows it: everything but the signing secret. */
export const Subscription = named('Subscription', () =>
  z.object({
    ...StoredFields,
    country: Country,
    org: z.string(),
    url: z.string(),
    eventTypes: z.array(EventTypeName),
    active: z.boolean(),
  }),
);
export type Subscription = z.infer<ReturnType<typeof Subscription>>;

/** The answer to the create (and to a rotation): the subscription and, this once, its secret; a replayed create has none. */
export const CreatedSubscription = named('CreatedSubscription', () =>
  z.object({
    ...Subscription().shape,
    /** HMAC-SHA256 key (32 random bytes, base64url) of the `Clearway-Signature` header. */
    secret: z.optional(z.string()),
  }),
);

/** A subscription as stored: with the secret the deliverer signs with. */
export type StoredSubscription = Subscription & { secret: string };

/** An event envelope as the feed and webhooks carry it (DESIGN section 5; per-type `data` schemas are in the AsyncAPI document). */
export const EventEnvelopeSchema = named('EventEnvelope', () =>
  z.object({
    id: z.string(),
    type: EventTypeName,
    version: z.literal(1),
    occurredAt: z.iso.datetime(),
    audience: z.array(Country),
    subject: z.object({ type: z.string(), id: z.string() }),
    actor: z.object({ role: z.string(), org: z.string() }),
    data: z.record(z.string(), z.unknown()),
  }),
);

/** A dead-letter record: an event the deliverer gave up on (see `shared/db/keys/subscription.ts`). */
export const SubscriptionFailure = named('SubscriptionFailure', () =>
  z.object({
    eventId: z.string(),
    event: EventEnvelopeSchema(),
    attempts: z.int(),
    lastStatus: z.optional(z.int()),
    lastError: z.string(),
    failedAt: z.iso.datetime(),
  }),
);
export type SubscriptionFailure = z.infer<ReturnType<typeof SubscriptionFailure>>;

/** The answer to a successful redrive: the event was delivered and its dead-letter record removed. */
export const RedriveResult = named('RedriveResult', () =>
  z.object({
    delivered: z.literal(true),
    /** HTTP status the webhook answered. */
    status: z.int(),
  }),
);
export type RedriveResult = z.infer<ReturnType<typeof RedriveResult>>;
