import * as z from 'zod/mini';
import { CLEARED_AREA_STATUSES, OUTCOMES } from '../domain/cleared-area.ts';
import { COUNTRIES } from '../domain/common.ts';
import { HAZARD_STATUSES } from '../domain/hazard-area.ts';
import { BLOCKED_REASONS, HOUSEHOLD_STATUSES, RETURN_SAFETY_STATUSES } from '../domain/household.ts';
import { EO_CATEGORIES } from '../domain/ordnance-categories.ts';
import { TASK_STATUSES } from '../domain/task-lifecycle.ts';
import { audienceFor, EventData, EventType } from './catalogue.ts';

type JsonSchema = Record<string, unknown>;

const CLASSIFICATIONS = ['SHA', 'CHA'] as const;
const ACTIVITY_TYPES = ['NTS', 'TS', 'CLEARANCE', 'BAC', 'EOD_SPOT'] as const;
const METHODS = ['MANUAL', 'MECHANICAL', 'MDD', 'COMBINED', 'NTS', 'TS'] as const;

/**
 * The values a string of an event's `data` takes, by event type and field (`*` for every type):
 * the domain's own lists, so a receiver can generate enums. The events' zod schemas keep plain
 * strings (a new value is a compatible change for receivers that ignore what they do not know).
 */
const ENUMS: Record<string, Record<string, readonly string[]>> = {
  '*': {
    classification: CLASSIFICATIONS,
    activityType: ACTIVITY_TYPES,
    category: EO_CATEGORIES,
    categories: EO_CATEGORIES,
    outcome: OUTCOMES,
    method: METHODS,
    blockedReason: BLOCKED_REASONS,
    returnSafety: RETURN_SAFETY_STATUSES,
  },
  [EventType.HazardAreaStatusChanged]: { from: HAZARD_STATUSES, to: HAZARD_STATUSES },
  [EventType.HazardAreaWithdrawn]: { from: HAZARD_STATUSES },
  [EventType.TaskStatusChanged]: { from: TASK_STATUSES, to: TASK_STATUSES },
  [EventType.ClearedAreaQaDecided]: { decision: ['ACCEPTED', 'REJECTED'], status: CLEARED_AREA_STATUSES },
  [EventType.ReleaseAttested]: { decision: ['ATTESTED', 'NOT_ATTESTED'] },
  [EventType.LandHandedOver]: { receivedByType: ['COMMUNITY', 'LAND_USER'] },
  [EventType.HouseholdRegistered]: { status: HOUSEHOLD_STATUSES },
  [EventType.HouseholdStatusChanged]: { from: HOUSEHOLD_STATUSES, to: HOUSEHOLD_STATUSES },
  [EventType.ReturnSafetyChanged]: { from: RETURN_SAFETY_STATUSES, to: RETURN_SAFETY_STATUSES },
};

/** Adds the enums above to string properties (and arrays of strings) of a data schema, at any depth. */
function withEnums(schema: JsonSchema, type: string): JsonSchema {
  const lists = { ...ENUMS['*'], ...ENUMS[type] };
  const visit = (node: JsonSchema): JsonSchema => {
    const properties = node.properties as Record<string, JsonSchema> | undefined;
    if (properties) {
      for (const [name, prop] of Object.entries(properties)) {
        const values = lists[name];
        if (values && prop.type === 'string') properties[name] = { ...prop, enum: [...values] };
        else if (values && prop.type === 'array' && (prop.items as JsonSchema | undefined)?.type === 'string')
          properties[name] = { ...prop, items: { type: 'string', enum: [...values] } };
        else visit(prop);
      }
    }
    if (node.items && typeof node.items === 'object') visit(node.items as JsonSchema);
    return node;
  };
  return visit(schema);
}

/** Drops `additionalProperties: false`: receivers must accept fields added later (DESIGN: fields may be added). */
function open(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(open);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node as JsonSchema)
      .filter(([k, v]) => !(k === 'additionalProperties' && v === false))
      .map(([k, v]) => [k, open(v)]),
  );
}

/**
 * JSON Schema (draft-07, the dialect AsyncAPI schemas extend) of each event type's envelope,
 * generated from the same zod schemas that check every event before it is stored.
 */
export function eventJsonSchemas(): Record<EventType, JsonSchema> {
  const data = EventData();
  return Object.fromEntries(
    Object.values(EventType).map((type) => {
      const { $schema: _s, ...dataSchema } = open(z.toJSONSchema(data[type], { target: 'draft-7', unrepresentable: 'any' })) as JsonSchema;
      const schema: JsonSchema = {
        $id: `https://clearway.example/events/${type}.v1.schema.json`,
        type: 'object',
        title: `${type} v1`,
        description:
          'The event envelope (EventBridge `detail`, webhook body, feed item). Open: fields may be added within version 1; a change that removes or ' +
          'redefines one is version 2.',
        required: ['id', 'type', 'version', 'occurredAt', 'audience', 'subject', 'actor', 'data'],
        properties: {
          id: { type: 'string', description: 'ULID; receivers deduplicate by it (delivery is at least once)' },
          type: { const: type },
          version: { const: 1 },
          occurredAt: { type: 'string', format: 'date-time' },
          audience: { type: 'array', items: { enum: [...COUNTRIES] }, description: 'the ministries that receive it' },
          subject: { type: 'object', required: ['type', 'id'], properties: { type: { type: 'string' }, id: { type: 'string' } } },
          actor: {
            type: 'object',
            required: ['role', 'org'],
            properties: { role: { type: 'string' }, org: { type: 'string' } },
            description: 'role and organisation only, never a person',
          },
          data: withEnums(dataSchema, type),
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
    types.map((type) => [
      type,
      {
        address: `clearway/${type}`,
        description: `Sent to the ministries of ${audienceFor(type, 'KH').length === 2 ? 'both countries' : "the subject's country"}.`,
        servers: [{ $ref: '#/servers/webhook' }, { $ref: '#/servers/eventbridge' }],
        messages: { [type]: { $ref: `#/components/messages/${type}` } },
      },
    ]),
  );
  const operations = Object.fromEntries(
    types.map((type) => [
      `receive${type}`,
      {
        action: 'receive',
        channel: { $ref: `#/channels/${type}` },
        messages: [{ $ref: `#/channels/${type}/messages/${type}` }],
        bindings: { http: { method: 'POST', bindingVersion: '0.3.0' } },
      },
    ]),
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
        bindings: { http: { headers: { $ref: '#/components/schemas/WebhookHeaders' }, bindingVersion: '0.3.0' } },
      },
    ]),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Clearway events',
      version: '1.0.0',
      description:
        'What Clearway tells the ministries of Cambodia and Thailand. Each event is stored with the change it reports (transactional outbox) and delivered ' +
        'at least once: to EventBridge (source `clearway`, detail-type = type, detail = the envelope), to subscribed webhooks (POST, signed), and in the ' +
        'ministry feed (GET /v1/notifications). Mine action events go to both countries; household events only to the household’s country, and no event ' +
        'carries personal data.',
    },
    defaultContentType: 'application/json',
    servers: {
      webhook: {
        host: 'receiver.example.org',
        protocol: 'https',
        description:
          'A subscriber’s webhook (POST /v1/subscriptions names its URL): one POST per event, body = the envelope, answered with any 2xx within 5 s ' +
          '(redirects are not followed); anything else is retried with backoff, then kept as a dead-letter record the subscriber can redrive. Each request ' +
          'carries `Clearway-Event-Id` (deduplicate by it: delivery is at least once) and `Clearway-Signature: t=<unix seconds>,v1=<hex ' +
          'HMAC-SHA256(secret, t + "." + raw body)>` with the secret returned once at subscription; reject a signature that does not match or whose `t` is ' +
          'more than 5 minutes away from your clock.',
      },
      eventbridge: {
        host: 'events.ap-southeast-1.amazonaws.com',
        protocol: 'https',
        description:
          'The `clearway` EventBridge bus (source `clearway`, detail-type = type, detail = the envelope), shared with a ministry account by configuration.',
      },
    },
    channels,
    operations,
    components: {
      messages,
      schemas: {
        WebhookHeaders: {
          type: 'object',
          required: ['Clearway-Event-Id', 'Clearway-Event-Type', 'Clearway-Signature', 'Content-Type'],
          properties: {
            'Clearway-Event-Id': { type: 'string', description: 'the event id, for deduplication' },
            'Clearway-Event-Type': { type: 'string', description: 'the event type (also `type` in the body)' },
            'Clearway-Signature': {
              type: 'string',
              pattern: '^t=\\d+,v1=[0-9a-f]{64}$',
              description: 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>',
            },
            'Content-Type': { type: 'string', const: 'application/json' },
          },
        },
      },
    },
  };
}
