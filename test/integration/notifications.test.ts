import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';

// Many subscriptions of one ministry across these tests: the cap (10 by default) has its own test in test/security.
vi.hoisted(() => {
  process.env.SUBSCRIPTIONS_PER_ORG = '100';
});
import { app } from '../../functions/notifications/app.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { failureKey } from '../../shared/db/keys/subscription.ts';
import { getStoredSubscription } from '../../shared/db/repositories/subscriptions.ts';
import type { Subscription } from '../../shared/domain/subscription.ts';
import type { EventEnvelope } from '../../shared/events/catalogue.ts';
import { EventType } from '../../shared/events/catalogue.ts';
import { createHazard, createTask, createTeam, transition } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

const json = { 'content-type': 'application/json' };
type Problem = { status: number; errors?: { path: string; message: string }[] };
type Created = Subscription & { secret: string };
type PageOf<T> = { items: T[]; next: string | null };

let ministryKH: Record<string, string>;
let ministryTH: Record<string, string>;
let admin: Record<string, string>;

async function call<T>(method: string, path: string, headers: Record<string, string>, body?: unknown, extra: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, res };
}

const subscribe = (headers: Record<string, string>, body: Record<string, unknown>, extra: Record<string, string> = {}) =>
  call<Created & Problem>('POST', '/v1/subscriptions', headers, body, extra);

let hooks = 0;
/** A subscription; by default to a URL of its own (an organisation subscribes one URL once). */
async function subscribed(
  headers: Record<string, string>,
  body: Record<string, unknown> = { url: `https://hooks.example.org/clearway/${++hooks}` },
): Promise<Created> {
  const r = await subscribe(headers, body);
  if (r.status !== 201) throw new Error(`subscribe: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Every page of a listing, following `next`. */
async function readAll<T>(path: string, headers: Record<string, string>, limit: number): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const r: { status: number; body: PageOf<T> } = await call<PageOf<T>>(
      'GET',
      `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers,
    );
    expect(r.status).toBe(200);
    items.push(...r.body.items);
    cursor = r.body.next;
    pages++;
  } while (cursor);
  return { items, pages };
}

beforeAll(async () => {
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoD-KH' });
  ministryTH = await bearer({ role: 'ministry', country: 'TH', org: 'MoD-TH' });
  admin = await bearer({ role: 'admin' });
});

describe('subscriptions: create and read', () => {
  it('creates a subscription for the ministry’s country and shows its secret only in that answer', async () => {
    const r = await subscribe(ministryKH, { url: 'https://hooks.example.org/clearway', eventTypes: [EventType.TaskStatusChanged] });
    expect(r.status).toBe(201);
    expect(r.res.headers.get('etag')).toBe('"1"');
    expect(r.res.headers.get('location')).toBe(`/v1/subscriptions/${r.body.id}`);
    expect(r.body).toMatchObject({
      country: 'KH',
      org: 'MoD-KH',
      url: 'https://hooks.example.org/clearway',
      eventTypes: ['TaskStatusChanged'],
      active: true,
      version: 1,
      createdBy: 'user-kh-ministry',
    });
    expect(r.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(r.body.secret, 'base64url')).toHaveLength(32);

    const read = await call<Subscription>('GET', `/v1/subscriptions/${r.body.id}`, ministryKH);
    expect(read.status).toBe(200);
    expect(read.res.headers.get('etag')).toBe('"1"');
    expect(read.body).not.toHaveProperty('secret');
    const { secret: _secret, ...shown } = r.body;
    expect(read.body).toEqual(shown);

    const list = await call<PageOf<Subscription>>('GET', '/v1/subscriptions', ministryKH);
    expect(list.body.items.map((s) => s.id)).toContain(r.body.id);
    for (const s of list.body.items) expect(s).not.toHaveProperty('secret');

    // Kept for the deliverer, which signs with it.
    expect((await getStoredSubscription(r.body.id))?.secret).toBe(r.body.secret);
  });

  it('treats absent eventTypes as all, and gives each subscription its own secret', async () => {
    const a = await subscribed(ministryKH);
    const b = await subscribed(ministryKH);
    expect(a.eventTypes).toEqual([]);
    expect(a.secret).not.toBe(b.secret);
  });

  it('answers a retry with the same Idempotency-Key with the subscription as it is, without its secret, creating nothing', async () => {
    const body = { url: 'https://hooks.example.org/retry' };
    const first = await subscribe(ministryTH, body, { 'idempotency-key': 'sub-retry-1' });
    const retry = await subscribe(ministryTH, body, { 'idempotency-key': 'sub-retry-1' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.res.headers.get('idempotent-replayed')).toBe('true');
    const { secret: _secret, ...shown } = first.body;
    expect(retry.body).toEqual(shown);
    const all = await readAll<Subscription>('/v1/subscriptions', ministryTH, 100);
    expect(all.items.filter((s) => s.url === body.url)).toHaveLength(1);
    expect((await subscribe(ministryTH, { url: 'https://hooks.example.org/other' }, { 'idempotency-key': 'sub-retry-1' })).status).toBe(409);
  });

  it('lists a country’s subscriptions oldest first, page by page', async () => {
    const mine = [await subscribed(ministryTH, { url: 'https://th.example.org/1' }), await subscribed(ministryTH, { url: 'https://th.example.org/2' })];
    const all = await readAll<Subscription>('/v1/subscriptions', ministryTH, 1);
    expect(all.pages).toBeGreaterThan(2);
    const ids = all.items.map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(mine.map((s) => s.id)));
    expect(all.items.every((s) => s.country === 'TH')).toBe(true);
  });

  it('lets an admin subscribe and list for a country it names, and requires the name', async () => {
    const created = await subscribed(admin, { url: 'https://ops.example.org/hook', country: 'TH' });
    expect(created.country).toBe('TH');
    const noCountry = await subscribe(admin, { url: 'https://ops.example.org/hook' });
    expect(noCountry.status).toBe(400);
    expect(noCountry.body.errors![0]!.path).toBe('body.country');
    const list = await call<PageOf<Subscription>>('GET', '/v1/subscriptions?country=TH&limit=100', admin);
    expect(list.body.items.map((s) => s.id)).toContain(created.id);
    const unnamed = await call<Problem>('GET', '/v1/subscriptions', admin);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.errors![0]!.path).toBe('query.country');
  });

  it('refuses a ministry acting for the other country (403)', async () => {
    expect((await subscribe(ministryTH, { url: 'https://hooks.example.org/x', country: 'KH' })).status).toBe(403);
    expect((await call('GET', '/v1/subscriptions?country=KH', ministryTH)).status).toBe(403);
  });
});

describe('subscriptions: what is refused', () => {
  it('refuses URLs other than https or local http, naming body.url (local rules)', async () => {
    for (const url of ['ftp://hooks.example.org/x', 'file:///etc/passwd', 'http://example.org/hook', 'not a url']) {
      const r = await subscribe(ministryKH, { url });
      expect(r.status, url).toBe(400);
      expect(r.body.errors, url).toEqual([expect.objectContaining({ path: 'body.url' })]);
    }
    expect((await subscribe(ministryKH, { url: 'http://localhost:8080/hook' })).status).toBe(201);
    expect((await subscribe(ministryKH, { url: 'http://127.0.0.1:8080/hook' })).status).toBe(201);
  });

  it('refuses unknown event types, naming the field', async () => {
    const r = await subscribe(ministryKH, { url: 'https://hooks.example.org/x', eventTypes: ['TaskStatusChanged', 'HouseholdExploded'] });
    expect(r.status).toBe(400);
    expect(r.body.errors![0]!.path).toBe('body.eventTypes.1');
    const repeated = await subscribe(ministryKH, { url: 'https://hooks.example.org/x', eventTypes: ['TaskCreated', 'TaskCreated'] });
    expect(repeated.status).toBe(400);
    expect(repeated.body.errors![0]!.path).toBe('body.eventTypes');
  });

  it('keeps relief, observers and operations out (403)', async () => {
    for (const claims of [{ role: 'relief', country: 'KH' }, { role: 'observer' }, { role: 'operations', country: 'KH' }]) {
      const headers = await bearer(claims);
      expect((await subscribe(headers, { url: 'https://hooks.example.org/x' })).status, claims.role).toBe(403);
      expect((await call('GET', '/v1/subscriptions', headers)).status, claims.role).toBe(403);
      expect((await call('GET', '/v1/notifications', headers)).status, claims.role).toBe(403);
    }
  });

  it('hides another country’s subscription: read, failures and delete answer 404', async () => {
    const kh = await subscribed(ministryKH);
    expect((await call('GET', `/v1/subscriptions/${kh.id}`, ministryTH)).status).toBe(404);
    expect((await call('GET', `/v1/subscriptions/${kh.id}/failures`, ministryTH)).status).toBe(404);
    expect((await call('DELETE', `/v1/subscriptions/${kh.id}`, ministryTH, undefined, { 'if-match': '"1"' })).status).toBe(404);
    expect((await call('GET', `/v1/subscriptions/${kh.id}`, ministryKH)).status).toBe(200);
    expect((await call('GET', `/v1/subscriptions/${kh.id}`, admin)).status).toBe(200);
  });
});

describe('subscriptions: delete', () => {
  it('needs If-Match (428), refuses a stale one (412), then deletes (204) and the subscription is gone', async () => {
    const sub = await subscribed(ministryKH);
    const del = (extra: Record<string, string>) => call<Problem>('DELETE', `/v1/subscriptions/${sub.id}`, ministryKH, undefined, extra);
    expect((await del({})).status).toBe(428);
    expect((await del({ 'if-match': '"2"' })).status).toBe(412);
    const ok = await del({ 'if-match': '"1"' });
    expect(ok.status).toBe(204);
    expect(ok.body).toBeUndefined();
    expect((await call('GET', `/v1/subscriptions/${sub.id}`, ministryKH)).status).toBe(404);
    expect((await del({ 'if-match': '"1"' })).status).toBe(404);
    expect(await getStoredSubscription(sub.id)).toBeUndefined();
  });
});

describe('subscriptions: dead letters', () => {
  it('lists the records the deliverer wrote to the subscription’s partition, in event order', async () => {
    const sub = await subscribed(ministryTH);
    const other = await subscribed(ministryTH);
    const event = {
      id: '01JEVENT000000000000000001',
      type: 'TaskCreated',
      version: 1,
      occurredAt: '2026-01-10T00:00:00.000Z',
      audience: ['KH', 'TH'],
      subject: { type: 'Task', id: 'x' },
      actor: { role: 'operations', org: 'TMAC' },
      data: {},
    };
    const failure = (eventId: string, subId = sub.id) => ({
      ...failureKey(subId, eventId),
      entity: 'SubscriptionFailure',
      eventId,
      event: { ...event, id: eventId },
      attempts: 8,
      lastStatus: 503,
      lastError: 'HTTP 503',
      failedAt: '2026-01-11T00:00:00.000Z',
    });
    for (const item of [failure('01JEVENT000000000000000002'), failure('01JEVENT000000000000000001'), failure('01JEVENT000000000000000003', other.id)]) {
      await documentClient.send(new PutCommand({ TableName: tableName, Item: item }));
    }
    const r = await call<PageOf<Record<string, unknown>>>('GET', `/v1/subscriptions/${sub.id}/failures?limit=1`, ministryTH);
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      { eventId: '01JEVENT000000000000000001', event: { ...event }, attempts: 8, lastStatus: 503, lastError: 'HTTP 503', failedAt: '2026-01-11T00:00:00.000Z' },
    ]);
    const next = await call<PageOf<{ eventId: string }>>(
      'GET',
      `/v1/subscriptions/${sub.id}/failures?limit=1&cursor=${encodeURIComponent(r.body.next!)}`,
      ministryTH,
    );
    expect(next.body.items.map((f) => f.eventId)).toEqual(['01JEVENT000000000000000002']);
    // A cursor is bound to its subscription's listing.
    expect((await call('GET', `/v1/subscriptions/${other.id}/failures?cursor=${encodeURIComponent(r.body.next!)}`, ministryTH)).status).toBe(400);
    expect((await call<PageOf<unknown>>('GET', `/v1/subscriptions/${other.id}/failures`, ministryTH)).body.items).toHaveLength(1);
  });
});

describe('the feed', () => {
  const MINE_ACTION = new Set<string>([
    EventType.HazardAreaRecorded,
    EventType.HazardAreaStatusChanged,
    EventType.TaskCreated,
    EventType.TaskAssigned,
    EventType.TaskStatusChanged,
  ]);
  let subjects: string[];

  beforeAll(async () => {
    const opsKH = await bearer({ role: 'operations', country: 'KH' });
    const opsTH = await bearer({ role: 'operations', country: 'TH' });
    const khTeam = await createTeam(opsKH, 'KH');
    const thTeam = await createTeam(opsTH, 'TH');
    const hazard = await createHazard(opsTH);
    const task = await createTask(opsTH, { hazardAreaId: hazard.id, joint: true, teamIds: [khTeam.id, thTeam.id] });
    if ((await transition(opsTH, task, 1, 'ASSIGNED')).status !== 200) throw new Error('assign failed');
    if ((await transition(opsTH, task, 2, 'IN_PROGRESS')).status !== 200) throw new Error('start failed');
    subjects = [hazard.id, task.id];
  });

  for (const country of ['KH', 'TH'] as const) {
    it(`gives the ${country} ministry the mine-action events of a Thai area and a joint task, oldest first, page by page`, async () => {
      const headers = country === 'KH' ? ministryKH : ministryTH;
      const { items, pages } = await readAll<EventEnvelope>('/v1/notifications', headers, 2);
      expect(pages).toBeGreaterThan(1);
      const ids = items.map((e) => e.id);
      expect(ids).toEqual([...ids].sort());
      expect(new Set(ids).size).toBe(ids.length);
      for (const event of items) {
        expect(event.audience).toContain(country);
        expect(Object.keys(event).sort()).toEqual(['actor', 'audience', 'data', 'id', 'occurredAt', 'subject', 'type', 'version']);
      }
      const ours = items.filter((e) => subjects.includes(e.subject.id));
      expect(ours.map((e) => e.type)).toEqual([
        EventType.HazardAreaRecorded,
        EventType.TaskCreated,
        EventType.TaskStatusChanged, // PLANNED → ASSIGNED
        EventType.TaskAssigned,
        EventType.TaskStatusChanged, // ASSIGNED → IN_PROGRESS
        EventType.HazardAreaStatusChanged, // OPEN → WORKED_ON, in the same transaction
      ]);
      expect(ours.every((e) => MINE_ACTION.has(e.type) && e.audience.includes('KH') && e.audience.includes('TH'))).toBe(true);
      expect(ours[4]!.data).toMatchObject({ from: 'ASSIGNED', to: 'IN_PROGRESS', country: 'TH' });
      expect(ours[5]!.data).toMatchObject({ hazardAreaId: subjects[0], from: 'OPEN', to: 'WORKED_ON' });
    });
  }

  it('binds a feed cursor to its country', async () => {
    const first = await call<PageOf<EventEnvelope>>('GET', '/v1/notifications?limit=1', ministryKH);
    expect(first.body.next).not.toBeNull();
    const crossed = await call<Problem>('GET', `/v1/notifications?country=TH&limit=1&cursor=${encodeURIComponent(first.body.next!)}`, admin);
    expect(crossed.status).toBe(400);
    const forged = await call<Problem>('GET', `/v1/notifications?cursor=${encodeURIComponent(`${first.body.next!}x`)}`, ministryKH);
    expect(forged.status).toBe(400);
  });

  it('refuses a ministry naming the other country’s feed (403), and lets an admin read the one it names', async () => {
    expect((await call<Problem>('GET', '/v1/notifications?country=KH', ministryTH)).status).toBe(403);
    expect((await call('GET', '/v1/notifications?country=TH', ministryTH)).status).toBe(200);
    const unnamed = await call<Problem>('GET', '/v1/notifications', admin);
    expect(unnamed.status).toBe(400);
    expect(unnamed.body.errors![0]!.path).toBe('query.country');
    const kh = await call<PageOf<EventEnvelope>>('GET', '/v1/notifications?country=KH&limit=100', admin);
    expect(kh.status).toBe(200);
    expect(kh.body.items.length).toBeGreaterThan(0);
  });
});
