import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../functions/notifications/app.ts';
import { config } from '../../shared/config.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { failureKey } from '../../shared/db/keys/subscription.ts';
import { getStoredSubscription } from '../../shared/db/repositories/subscriptions.ts';
import { newId } from '../../shared/domain/ids.ts';
import { EventType } from '../../shared/events/catalogue.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Webhook subscriptions: capped per organisation, one per URL per organisation, and changed
 * (deleted, redriven, secret rotated) only by the organisation that owns them or an admin.
 */
const json = { 'content-type': 'application/json' };
type H = Record<string, string>;
type Created = { id: string; version: number; url: string; secret?: string; reason?: string; existingSubscriptionId?: string; detail?: string };

async function call<T>(method: string, path: string, headers: H, body?: unknown, extra: H = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text, res };
}

const subscribe = (headers: H, url: string) => call<Created>('POST', '/v1/subscriptions', headers, { url });

let receiver: Server;
let receiverUrl: string;

beforeAll(async () => {
  receiver = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

describe('the number of subscriptions', () => {
  it(`is capped per organisation (${config.SUBSCRIPTIONS_PER_ORG} by default): one more is a 409 problem, and a deletion frees a place`, async () => {
    expect(config.SUBSCRIPTIONS_PER_ORG).toBe(10);
    const ministry = await bearer({ role: 'ministry', country: 'KH', org: 'MoI-cap' });
    const other = await bearer({ role: 'ministry', country: 'KH', org: 'MoH-cap' });
    const made: Created[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await subscribe(ministry, `https://hooks.example.org/cap/${i}`);
      expect(r.status).toBe(201);
      made.push(r.body);
    }
    const over = await subscribe(ministry, 'https://hooks.example.org/cap/10');
    expect(over.status).toBe(409);
    expect(over.res.headers.get('content-type')).toContain('application/problem+json');
    expect(over.body.reason).toBe('subscription-cap');
    // Another organisation of the same country has its own allowance.
    expect((await subscribe(other, 'https://hooks.example.org/cap/10')).status).toBe(201);
    const listed = await call<{ items: Created[] }>('GET', '/v1/subscriptions?limit=100', ministry);
    expect(listed.body.items.filter((s) => s.url.startsWith('https://hooks.example.org/cap/'))).toHaveLength(11);

    expect((await call('DELETE', `/v1/subscriptions/${made[0]!.id}`, ministry, undefined, { 'if-match': '"1"' })).status).toBe(204);
    expect((await subscribe(ministry, 'https://hooks.example.org/cap/10')).status).toBe(201);
  });

  it('counts the subscriptions an organisation held before the cap existed', async () => {
    const ministry = await bearer({ role: 'ministry', country: 'TH', org: 'MoI-legacy' });
    // Ten subscriptions as the code before the cap stored them: no count, no URL items.
    for (let i = 0; i < 10; i++) {
      const id = `01KLEGACY0000000000000000${i}`;
      await documentClient.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `SUB#${id}`,
            sk: 'SUB',
            gsi1pk: 'SUBS#TH',
            gsi1sk: `SUB#${id}`,
            entity: 'Subscription',
            id,
            version: 1,
            createdAt: '2026-01-01T00:00:00.000Z',
            updatedAt: '2026-01-01T00:00:00.000Z',
            createdBy: 'legacy',
            country: 'TH',
            org: 'MoI-legacy',
            url: `https://legacy.example.org/${i}`,
            eventTypes: [],
            active: true,
            secret: 'x'.repeat(43),
          },
        }),
      );
    }
    const over = await subscribe(ministry, 'https://legacy.example.org/new');
    expect(over.status).toBe(409);
    expect(over.body.reason).toBe('subscription-cap');
  });
});

describe('one URL', () => {
  it('is subscribed once per organisation, compared normalised: the second is a 409 naming the first', async () => {
    const ministry = await bearer({ role: 'ministry', country: 'KH', org: 'MoI-url' });
    const first = await subscribe(ministry, 'https://hooks.example.org/same/path');
    expect(first.status).toBe(201);
    for (const url of ['https://hooks.example.org/same/path', 'HTTPS://Hooks.Example.ORG:443/same/./path#frag']) {
      const again = await subscribe(ministry, url);
      expect(again.status).toBe(409);
      expect(again.body.existingSubscriptionId).toBe(first.body.id);
      expect(again.body.detail).toContain(first.body.id);
    }
    // Another organisation may subscribe it.
    expect((await subscribe(await bearer({ role: 'ministry', country: 'KH', org: 'MoH-url' }), 'https://hooks.example.org/same/path')).status).toBe(201);
  });
});

describe('changes to a subscription', () => {
  it('are for the owning organisation and admins only: another ministry of the same country gets 404 for delete, redrive and rotate', async () => {
    const owner = await bearer({ role: 'ministry', country: 'KH', org: 'MoI-own' });
    const rival = await bearer({ role: 'ministry', country: 'KH', org: 'MoD-rival' });
    const admin = await bearer({ role: 'admin' });
    const created = (await subscribe(owner, receiverUrl)).body;
    const eventId = newId();
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...failureKey(created.id, eventId),
          entity: 'SubscriptionFailure',
          eventId,
          event: {
            id: eventId,
            type: EventType.TaskCreated,
            version: 1,
            occurredAt: '2026-01-01T00:00:00.000Z',
            audience: ['KH'],
            subject: { type: 'Task', id: 't1' },
            actor: { role: 'operations', org: 'CMAC' },
            data: {},
          },
          attempts: 3,
          lastError: 'timeout',
          failedAt: '2026-01-01T00:00:00.000Z',
        },
      }),
    );

    expect((await call('DELETE', `/v1/subscriptions/${created.id}`, rival, undefined, { 'if-match': '"1"' })).status).toBe(404);
    expect((await call('POST', `/v1/subscriptions/${created.id}/failures/${eventId}/redrive`, rival)).status).toBe(404);
    expect((await call('POST', `/v1/subscriptions/${created.id}/secret`, rival, undefined, { 'if-match': '"1"' })).status).toBe(404);
    const stored = await getStoredSubscription(created.id);
    expect(stored).toMatchObject({ version: 1, secret: created.secret });

    // The owner redrives and rotates; an admin deletes.
    expect((await call('POST', `/v1/subscriptions/${created.id}/failures/${eventId}/redrive`, owner)).status).toBe(200);
    const rotated = await call<Created>('POST', `/v1/subscriptions/${created.id}/secret`, owner, undefined, { 'if-match': '"1"' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.version).toBe(2);
    expect(rotated.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.body.secret).not.toBe(created.secret);
    expect((await getStoredSubscription(created.id))?.secret).toBe(rotated.body.secret);
    expect((await call('POST', `/v1/subscriptions/${created.id}/secret`, owner)).status).toBe(428);
    expect((await call('POST', `/v1/subscriptions/${created.id}/secret`, owner, undefined, { 'if-match': '"1"' })).status).toBe(412);
    expect((await call('DELETE', `/v1/subscriptions/${created.id}`, admin, undefined, { 'if-match': '"2"' })).status).toBe(204);
    expect(await getStoredSubscription(created.id)).toBeUndefined();
  });
});
