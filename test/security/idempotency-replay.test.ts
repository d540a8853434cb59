import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { app as households } from '../../functions/households/app.ts';
import { app as notifications } from '../../functions/notifications/app.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import type { Household } from '../../shared/domain/household.ts';
import { idempotencyRecordKey } from '../../shared/http/idempotency.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Replayed creates: the record of an idempotent create keeps no personal data (nor a webhook
 * secret), and a replay is a fresh read with the caller's scope of now, audited like any read.
 */
const json = { 'content-type': 'application/json' };
type H = Record<string, string>;
type Hono = { request: (path: string, init: RequestInit) => Response | Promise<Response> };

async function call<T>(app: Hono, method: string, path: string, headers: H, body?: unknown, extra: H = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text, res };
}

const PERSONAL = { given: 'Chanthou', family: 'Vong', phone: '+855 97 111 2222', lon: 103.5217, lat: 14.4213 };
let serial = 0;
const registration = () => ({
  origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22', point: { type: 'Point', coordinates: [PERSONAL.lon, PERSONAL.lat] } },
  members: [
    {
      givenName: PERSONAL.given,
      familyName: PERSONAL.family,
      sex: 'F',
      birthYear: 1986,
      relationship: 'HEAD',
      document: { type: 'NATIONAL_ID', number: `IDEM${++serial}${Date.now()}` },
    },
  ],
  contact: { phone: PERSONAL.phone },
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});
const personalValues = [PERSONAL.given, PERSONAL.family, PERSONAL.phone, String(PERSONAL.lon), String(PERSONAL.lat)];

const SUB = 'registrar-idem';
let relief: H;
let ministry: H;
let admin: H;

beforeAll(async () => {
  relief = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: SUB });
  ministry = await bearer({ role: 'ministry', country: 'KH', org: 'MoSVY', sub: 'ministry-idem' });
  admin = await bearer({ role: 'admin' });
});

const storedRecord = async (sub: string, key: string) =>
  (await documentClient.send(new GetCommand({ TableName: tableName, Key: idempotencyRecordKey(sub, key), ConsistentRead: true }))).Item;

describe('a replayed registration', () => {
  it('stores only status, id and headers in its idempotency record, none of the household’s personal values', async () => {
    const first = await call<Household>(households, 'POST', '/v1/households', relief, registration(), { 'idempotency-key': 'idem-record' });
    expect(first.status).toBe(201);
    const record = await storedRecord(SUB, 'idem-record');
    expect(record).toBeDefined();
    expect(record!.outcome).toEqual({ status: 201, id: first.body.id, headers: { ETag: '"1"', Location: `/v1/households/${first.body.id}` } });
    expect(record).not.toHaveProperty('response');
    const raw = JSON.stringify(record);
    for (const value of personalValues) expect(raw).not.toContain(value);
  });

  it('answers what a fresh read answers, and is recorded in the access log as a read', async () => {
    const body = registration();
    const first = await call<Household>(households, 'POST', '/v1/households', relief, body, { 'idempotency-key': 'idem-fresh' });
    // The household changes after the first answer: the replay shows it as it is now.
    const patched = await call<Household>(
      households,
      'PATCH',
      `/v1/households/${first.body.id}`,
      relief,
      { contact: { phone: '+855 97 333 4444' } },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(200);
    const reads = async () =>
      (
        await call<{ items: { purpose: string; actor: { sub: string } }[] }>(
          households,
          'GET',
          `/v1/households/${first.body.id}/access-log?limit=100`,
          ministry,
        )
      ).body.items.filter((e) => e.purpose === 'READ' && e.actor.sub === SUB).length;
    const readsBefore = await reads();

    const replay = await call<Household>(households, 'POST', '/v1/households', relief, body, { 'idempotency-key': 'idem-fresh' });
    expect(replay.status).toBe(201);
    expect(replay.res.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.res.headers.get('etag')).toBe('"2"');
    expect(replay.res.headers.get('location')).toBe(`/v1/households/${first.body.id}`);
    expect(replay.body.contact).toEqual({ phone: '+855 97 333 4444' });
    expect(await reads()).toBe(readsBefore + 1);
    const fresh = await call<Household>(households, 'GET', `/v1/households/${first.body.id}`, relief);
    expect(replay.body).toEqual(fresh.body);
  });

  it('is a 404 with nothing personal once the caller’s organisation or country changed', async () => {
    const body = registration();
    const first = await call<Household>(households, 'POST', '/v1/households', relief, body, { 'idempotency-key': 'idem-moved' });
    expect(first.status).toBe(201);
    const movedOrg = await bearer({ role: 'relief', country: 'KH', org: 'NGO-Z', sub: SUB });
    const movedCountry = await bearer({ role: 'relief', country: 'TH', org: 'NGO-A', sub: SUB });
    for (const headers of [movedOrg, movedCountry]) {
      const replay = await call<Household>(households, 'POST', '/v1/households', headers, body, { 'idempotency-key': 'idem-moved' });
      expect(replay.status).toBe(404);
      expect(replay.res.headers.get('content-type')).toContain('application/problem+json');
      for (const value of personalValues) expect(replay.text).not.toContain(value);
    }
  });
});

describe('a replayed subscription', () => {
  it('answers without the secret, which its idempotency record does not hold either', async () => {
    const first = await call<{ id: string; secret: string }>(
      notifications,
      'POST',
      '/v1/subscriptions',
      ministry,
      { url: 'https://hooks.example.org/idem' },
      { 'idempotency-key': 'idem-sub' },
    );
    expect(first.status).toBe(201);
    expect(first.body.secret).toBeTruthy();
    const replay = await call<{ id: string; secret?: string }>(
      notifications,
      'POST',
      '/v1/subscriptions',
      ministry,
      { url: 'https://hooks.example.org/idem' },
      { 'idempotency-key': 'idem-sub' },
    );
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    expect(replay.body).not.toHaveProperty('secret');
    expect(replay.text).not.toContain(first.body.secret);
    expect(JSON.stringify(await storedRecord('ministry-idem', 'idem-sub'))).not.toContain(first.body.secret);
    const fresh = await call(notifications, 'GET', `/v1/subscriptions/${first.body.id}`, admin);
    expect(replay.body).toEqual(fresh.body);
  });
});
