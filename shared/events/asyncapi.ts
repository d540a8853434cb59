import * as z from 'zod/mini';
import { COUNTRIES } from '../domain/common.ts';
import { audienceFor, EventData, EventType } from './catalogue.ts';

type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema (draft-07, the dialect AsyncAPI schemas extend) of each event type's envelope,
 * generated from the same zod schemas that check every event before it is stored.
 */
export function eventJsonSchemas(): Record<EventType, JsonSchema> {
  const data = EventData();
  return Object.fromEntries(
    Object.values(EventType).map((type) => {
      const { $schema: _s, ...dataSchema } = z.toJSONSchema(data[type], { target: 'draft-7', unrepresentable: 'any' }) as JsonSchema;
      const schema: JsonSchema = {
        type: 'object',
        title: `${type} v1`,
        required: ['id', 'type', 'version', 'occurredAt', 'audience', 'subject', 'actor', 'data'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', description: 'ULID; receivers deduplicate by it (delivery is at least once)' },
          type: { const: type },
          version: { const: 1 },
          occurredAt: { type: 'string', format: 'date-time' },
          audience: { type: 'array', items: { enum: [...COUNTRIES] }, description: 'the ministries that receive it' },
          subject: { type: 'object', required: ['type', 'id'], properties: { type: { type: 'string' }, id: { type: 'string' } } },
          actor: { type: 'object', required: ['role', 'org'], properties: { role: { type: 'string' }, org: { type: 'string' } }, description: 'role and organisation only, never a person' },
          data: dataSchema,
        },
      };
      return [type, schema];
    }),
  ) as Record<EventType, JsonSchema>;
}

/** The AsyncAPI 3 document of the event catalogue: one channel and one receive operation per event type. */
export function buildAsyncApi(): JsonSchema {
  const schemas = eventJsonSchemas();
  const types = Object.values(EventType);
  const channels = Object.fromEntries(
    types.map((type) => [type, { address: `clearway/${type}`, description: `Sent to the ministries of ${audienceFor(type, 'KH').length === 2 ? 'both countries' : "the subject's country"}.`, messages: { [type]: { $ref: `#/components/messages/${type}` } } }]),
  );
  const operations = Object.fromEntries(
    types.map((type) => [`receive${type}`, { action: 'receive', channel: { $ref: `#/channels/${type}` }, messages: [{ $ref: `#/channels/${type}/messages/${type}` }] }]),
  );
  const messages = Object.fromEntries(
    types.map((type) => [
      type,
      {
        name: type,
        title: type,
        contentType: 'application/json',
        headers: { $ref: '#/components/schemas/WebhookHeaders' },
        payload: schemas[type],
      },
    ]),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Clearway events',
      version: '1.0.0',
      description:
        'What Clearway tells the ministries of Cambodia and Thailand. Each event is stored with the change it reports (transactional outbox) and delivered at least once: to EventBridge (source `clearway`, detail-type = type, detail = the envelope), to subscribed webhooks (POST, signed), and in the ministry feed (GET /v1/notifications). Mine action events go to both countries; household events only to the household’s country, and no event carries personal data.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: {
      messages,
      schemas: {
        WebhookHeaders: {
          type: 'object',
          properties: {
            'Clearway-Event-Id': { type: 'string', description: 'the event id, for deduplication' },
            'Clearway-Signature': { type: 'string', description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>' },
          },
        },
      },
    },
  };
}
