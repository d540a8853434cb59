import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '#shared/db/client.ts';
import { deleteFailure, getFailure, recordFailedRedrive } from '#shared/db/repositories/subscriptions.ts';
import type { Country } from '#shared/domain/common.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Subscription, SubscriptionFailure } from '#shared/domain/subscription.ts';
import { EventType, type EventEnvelope } from '#shared/events/catalogue.ts';
import { deliverQueueRecords, type DeliveryOptions } from '#shared/events/deliver.ts';
import { verifySignature } from '#shared/events/signature.ts';
import { ConflictError } from '#shared/errors.ts';
import { logger } from '#shared/logger.ts';
import { bearer } from '../support/tokens.ts';

// The configuration (shared/config.ts) reads these at load: set them before any import.
vi.hoisted(() => {
  process.env['WEBHOOK_ALLOW_LIST'] = '127.0.0.1, localhost, *.allowed.example';
  process.env['MINISTRY'] = 'KH';
});
const { app } = await import('../../functions/notifications/app.ts');
const { handler } = await import('../../functions/deliverer/handler.ts');

type Created = Subscription & { secret: string };
type Problem = { status: number; detail: string; errors?: { path: string; message: string }[]; attempts?: number; lastStatus?: number; lastError?: string };
type PageOf<T> = { items: T[]; next: string | null };

/** A webhook receiver on 127.0.0.1 whose answers the test sets, recording what it got. */
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let server: Server;
let base: string;
let received: Received[] = [];
let connections = 0;
/**
 * Answer to the n-th request (1-based) of the current test: a status; `hang`, never answer; or
 * `hold`, answer 200 once a later request gets its answer.
 */
let answer: (n: number) => number | 'hang' | 'hold' = () => 200;
const hanging: ServerResponse[] = [];
const held: ServerResponse[] = [];

let ministryKH: Record<string, string>;
let ministryTH: Record<string, string>;
const created: Created[] = [];

/** Fast settings for tests: short timeout, 10 ms backoff, no subscription cache. */
const fast = (overrides: Partial<DeliveryOptions> = {}): DeliveryOptions => ({
  allowLocal: true,
  timeoutMs: 300,
  attempts: 3,
  backoffMs: () => 10,
  subscriptionCacheMs: 0,
  log: logger,
  ...overrides,
});

async function call<T>(method: string, path: string, headers: Record<string, string>, body?: unknown, extra: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, res };
}

async function subscribe(body: Record<string, unknown>, headers = ministryKH): Promise<Created> {
  const r = await call<Created>('POST', '/v1/subscriptions', headers, body);
  if (r.status !== 201) throw new Error(`subscribe: ${r.status} ${JSON.stringify(r.body)}`);
  created.push(r.body);
  return r.body;
}

const hook = (name: string) => `${base}/hooks/${name}`;
const to = (name: string) => received.filter((r) => r.path === `/hooks/${name}`);

function envelope(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  const id = newId();
  return {
    id,
    type: EventType.TaskStatusChanged,
    version: 1,
    occurredAt: new Date().toISOString(),
    audience: ['KH', 'TH'],
    subject: { type: 'Task', id: 'task-1' },
    actor: { role: 'operations', org: 'CMAC' },
    data: { taskId: 'task-1', hazardAreaId: 'ha-1', country: 'KH', province: 'KH22', from: 'ASSIGNED', to: 'IN_PROGRESS' },
    ...overrides,
  } as EventEnvelope;
}

/** An SQS record as the ministry's queue carries it: the EventBridge event, the envelope its detail. */
const record = (event: EventEnvelope) => ({
  messageId: `msg-${event.id}`,
  body: JSON.stringify({ version: '0', id: `eb-${event.id}`, source: 'clearway', 'detail-type': event.type, time: event.occurredAt, detail: event }),
});

const deliver = (ministry: Country, events: EventEnvelope[], options: DeliveryOptions = fast()) => deliverQueueRecords(ministry, events.map(record), options);

const failuresOf = async (sub: Created) => {
  const r = await call<PageOf<SubscriptionFailure>>('GET', `/v1/subscriptions/${sub.id}/failures`, ministryKH);
  expect(r.status).toBe(200);
  return r.body.items;
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const reply = answer(received.length);
      if (reply === 'hang') hanging.push(res);
      else if (reply === 'hold') held.push(res);
      else {
        res.writeHead(reply).end();
        for (const waiting of held.splice(0)) waiting.writeHead(200).end();
      }
    });
  });
  server.on('connection', () => (connections += 1));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoD-KH' });
  ministryTH = await bearer({ role: 'ministry', country: 'TH', org: 'MoD-TH' });
});

afterEach(async () => {
  // Each test sees only its own subscriptions and requests.
  for (const sub of created.splice(0))
    await call('DELETE', `/v1/subscriptions/${sub.id}`, sub.country === 'KH' ? ministryKH : ministryTH, undefined, { 'if-match': '"1"' });
  for (const res of [...hanging.splice(0), ...held.splice(0)]) res.destroy();
  received = [];
  connections = 0;
  answer = () => 200;
  vi.restoreAllMocks();
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  delete process.env['WEBHOOK_ALLOW_LIST'];
  delete process.env['MINISTRY'];
});

describe('delivery', () => {
  it('POSTs the envelope with its id, type and a signature the receiver verifies with the subscription secret', async () => {
    const sub = await subscribe({ url: hook('signed') });
    const event = envelope();
    const result = await deliver('KH', [event]);

    expect(result.batchItemFailures).toEqual([]);
    const [got, ...more] = to('signed');
    expect(more).toEqual([]);
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['clearway-event-id']).toBe(event.id);
    expect(got!.headers['clearway-event-type']).toBe(EventType.TaskStatusChanged);
    expect(verifySignature(sub.secret, got!.body, got!.headers['clearway-signature'] as string)).toBe(true);
    expect(verifySignature('another secret', got!.body, got!.headers['clearway-signature'] as string)).toBe(false);
    expect(JSON.parse(got!.body)).toEqual(event);
    expect(await failuresOf(sub)).toEqual([]);
  });

  it('delivers only the event types a subscription names (none named: all)', async () => {
    await subscribe({ url: hook('created-only'), eventTypes: [EventType.TaskCreated] });
    await subscribe({ url: hook('everything') });
    const statusChanged = envelope({ type: EventType.TaskStatusChanged });
    const taskCreated = envelope({ type: EventType.TaskCreated });
    await deliver('KH', [statusChanged, taskCreated]);

    expect(to('created-only').map((r) => r.headers['clearway-event-id'])).toEqual([taskCreated.id]);
    expect(
      to('everything')
        .map((r) => r.headers['clearway-event-id'])
        .sort(),
    ).toEqual([statusChanged.id, taskCreated.id].sort());
  });

  it('never delivers an event to a ministry outside its audience, and warns', async () => {
    await subscribe({ url: hook('kh') });
    const log = logger.createChild();
    const warn = vi.spyOn(log, 'warn');
    const thaiOnly = envelope({ audience: ['TH'] });
    const result = await deliver('KH', [thaiOnly], fast({ log }));

    expect(result.batchItemFailures).toEqual([]);
    expect(connections).toBe(0);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('not addressed'), expect.objectContaining({ eventId: thaiOnly.id, ministry: 'KH' }));
  });

  it('retries a 500 and counts the event delivered when the retry gets a 200: no dead letter', async () => {
    const sub = await subscribe({ url: hook('flaky') });
    answer = (n) => (n === 1 ? 500 : 200);
    const event = envelope();
    const result = await deliver('KH', [event]);

    expect(result.batchItemFailures).toEqual([]);
    expect(to('flaky').map((r) => r.headers['clearway-event-id'])).toEqual([event.id, event.id]);
    expect(await failuresOf(sub)).toEqual([]);
  });

  it('does not retry a 4xx such as 410: one request, then a dead letter with the status', async () => {
    const sub = await subscribe({ url: hook('gone') });
    answer = () => 410;
    const event = envelope();
    const result = await deliver('KH', [event]);

    expect(result.batchItemFailures).toEqual([]);
    expect(to('gone')).toHaveLength(1);
    expect(await failuresOf(sub)).toEqual([expect.objectContaining({ eventId: event.id, event, attempts: 1, lastStatus: 410, lastError: 'HTTP 410' })]);
  });

  it('retries a refused connection, then dead-letters the event as a failed connection', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const sub = await subscribe({ url: `http://127.0.0.1:${port}/nobody` });
    const event = envelope();
    const result = await deliver('KH', [event]);

    expect(result.batchItemFailures).toEqual([]);
    expect(await failuresOf(sub)).toEqual([expect.objectContaining({ eventId: event.id, attempts: 3, lastError: 'connection failed' })]);
  });

  it('reports the record for a retry when its dead-letter record cannot be written', async () => {
    await subscribe({ url: hook('gone-unrecorded') });
    answer = () => 410;
    const send = documentClient.send.bind(documentClient);
    vi.spyOn(documentClient, 'send').mockImplementation(((command: unknown) =>
      command instanceof PutCommand ? Promise.reject(new Error('AccessDenied')) : send(command as never)) as never);
    const event = envelope();
    const result = await deliver('KH', [event]);

    expect(to('gone-unrecorded')).toHaveLength(1);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: `msg-${event.id}` }]);
  });

  it('drops an unreadable queue record without retrying it or calling anyone', async () => {
    await subscribe({ url: hook('unreadable') });
    const result = await deliverQueueRecords(
      'KH',
      [
        { messageId: 'broken-1', body: '{not json' },
        { messageId: 'broken-2', body: JSON.stringify({ detail: { id: 'x' } }) },
      ],
      fast(),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(connections).toBe(0);
  });

  it('reports the record for a retry when the subscriptions cannot be read', async () => {
    await subscribe({ url: hook('unread') });
    vi.spyOn(documentClient, 'send').mockRejectedValueOnce(new Error('ProvisionedThroughputExceeded') as never);
    const event = envelope();
    const result = await deliver('KH', [event]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: `msg-${event.id}` }]);
    expect(connections).toBe(0);
  });
});

describe('dead letters and redrive', () => {
  it('dead-letters an event the receiver never answers, lists it, and a redrive after recovery delivers it and removes the record', async () => {
    const sub = await subscribe({ url: hook('hangs') });
    answer = () => 'hang';
    const event = envelope();
    const result = await deliver('KH', [event], fast({ attempts: 2 }));

    expect(result.batchItemFailures).toEqual([]);
    expect(to('hangs')).toHaveLength(2);
    const [failure, ...others] = await failuresOf(sub);
    expect(others).toEqual([]);
    expect(failure).toMatchObject({ eventId: event.id, event, attempts: 2, lastError: 'timed out' });
    expect(failure).not.toHaveProperty('lastStatus');
    expect(Date.parse(failure!.failedAt)).not.toBeNaN();

    answer = () => 204;
    received = [];
    const redrive = await call<{ delivered: boolean; status: number }>('POST', `/v1/subscriptions/${sub.id}/failures/${event.id}/redrive`, ministryKH);
    expect(redrive.status).toBe(200);
    expect(redrive.body).toEqual({ delivered: true, status: 204 });
    const [again] = to('hangs');
    expect(again!.headers['clearway-event-id']).toBe(event.id);
    expect(verifySignature(sub.secret, again!.body, again!.headers['clearway-signature'] as string)).toBe(true);
    expect(JSON.parse(again!.body)).toEqual(event);
    expect(await failuresOf(sub)).toEqual([]);
    // Done once: a second redrive finds nothing to do.
    expect((await call('POST', `/v1/subscriptions/${sub.id}/failures/${event.id}/redrive`, ministryKH)).status).toBe(404);
  });

  it('answers a failed redrive with a 502 and keeps the record, with the attempts added and the last error', async () => {
    const sub = await subscribe({ url: hook('still-gone') });
    answer = () => 410;
    const event = envelope();
    await deliver('KH', [event]);

    const redrive = await call<Problem>('POST', `/v1/subscriptions/${sub.id}/failures/${event.id}/redrive`, ministryKH);
    expect(redrive.status).toBe(502);
    expect(redrive.res.headers.get('content-type')).toBe('application/problem+json');
    expect(redrive.body).toMatchObject({ status: 502, attempts: 2, lastStatus: 410, lastError: 'HTTP 410' });
    expect(redrive.body.detail).toContain('(HTTP 410)');
    expect(redrive.body.detail).not.toContain('Gone');
    expect(await failuresOf(sub)).toEqual([expect.objectContaining({ eventId: event.id, attempts: 2, lastStatus: 410 })]);
  });

  it('lets two concurrent redrives both deliver and answer 200, and leaves no record', async () => {
    const sub = await subscribe({ url: hook('twice') });
    answer = () => 410;
    const event = envelope();
    await deliver('KH', [event]);
    // The first redrive's delivery is held until the second one's arrives: both read the record before either removes it.
    received = [];
    answer = (n) => (n === 1 ? 'hold' : 200);

    const both = await Promise.all([1, 2].map(() => call('POST', `/v1/subscriptions/${sub.id}/failures/${event.id}/redrive`, ministryKH)));
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(to('twice')).toHaveLength(2);
    expect(await failuresOf(sub)).toEqual([]);
  });

  it('never brings back a record a successful redrive removed: a late failed redrive is a 409', async () => {
    const sub = await subscribe({ url: hook('late') });
    answer = () => 410;
    const event = envelope();
    await deliver('KH', [event]);
    expect(await deleteFailure(sub.id, event.id)).toBe(true);
    expect(await deleteFailure(sub.id, event.id)).toBe(false);

    await expect(
      recordFailedRedrive(sub.id, event.id, { attempts: 1, lastStatus: 410, lastError: 'HTTP 410 Gone', failedAt: new Date().toISOString() }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await getFailure(sub.id, event.id)).toBeUndefined();
  });

  it('hides other countries’ subscriptions and unknown events from a redrive (404)', async () => {
    const sub = await subscribe({ url: hook('hidden') });
    answer = () => 410;
    const event = envelope();
    await deliver('KH', [event]);
    received = [];

    expect((await call('POST', `/v1/subscriptions/${sub.id}/failures/${event.id}/redrive`, ministryTH)).status).toBe(404);
    expect((await call('POST', `/v1/subscriptions/${sub.id}/failures/${newId()}/redrive`, ministryKH)).status).toBe(404);
    expect((await call('POST', `/v1/subscriptions/${sub.id}/failures/not-an-id/redrive`, ministryKH)).status).toBe(400);
    expect(received).toEqual([]);
    expect(await failuresOf(sub)).toHaveLength(1);
  });
});

describe('what the deliverer refuses to call', () => {
  it('refuses a non-public address at delivery time: a loopback literal on AWS settings is dead-lettered and never connected to', async () => {
    const sub = await subscribe({ url: hook('loopback') });
    const event = envelope();
    const result = await deliver('KH', [event], fast({ allowLocal: false }));

    expect(result.batchItemFailures).toEqual([]);
    expect(connections).toBe(0);
    expect(await failuresOf(sub)).toEqual([expect.objectContaining({ eventId: event.id, attempts: 1, lastError: 'refused: the address is not public' })]);
  });

  it('checks what a host name resolves to, in the connection itself: localhost is refused on AWS settings', async () => {
    const port = (server.address() as AddressInfo).port;
    const sub = await subscribe({ url: `https://localhost:${port}/hooks/by-name` });
    const event = envelope();
    await deliver('KH', [event], fast({ allowLocal: false, allowPorts: [port] }));

    expect(connections).toBe(0);
    const [failure] = await failuresOf(sub);
    // Recorded as any failed connection: the record does not say what the name resolved to.
    expect(failure!.lastError).toBe('connection failed');
    expect(failure!.attempts).toBe(1);
  });

  it('calls only hosts on a non-empty allow list', async () => {
    const sub = await subscribe({ url: hook('listed') });
    const refused = envelope();
    await deliver('KH', [refused], fast({ allowHosts: ['hooks.example.org', '*.allowed.example'] }));
    expect(connections).toBe(0);
    expect(await failuresOf(sub)).toEqual([expect.objectContaining({ eventId: refused.id, lastError: 'refused: the host is not on the webhook allow list' })]);

    const accepted = envelope();
    await deliver('KH', [accepted], fast({ allowHosts: ['127.0.0.1'] }));
    expect(to('listed').map((r) => r.headers['clearway-event-id'])).toEqual([accepted.id]);
  });

  it('refuses to subscribe a URL whose host is not on WEBHOOK_ALLOW_LIST (400, naming body.url)', async () => {
    const off = await call<Problem>('POST', '/v1/subscriptions', ministryKH, { url: 'https://hooks.other.example/clearway' });
    expect(off.status).toBe(400);
    expect(off.body.detail).toContain('allow list');
    expect(off.body.errors).toEqual([{ path: 'body.url', message: expect.stringContaining('hooks.other.example is not on it') }]);
    // `*.allowed.example` is any subdomain, not the domain itself.
    expect((await call('POST', '/v1/subscriptions', ministryKH, { url: 'https://allowed.example/clearway' })).status).toBe(400);
    const sub = await subscribe({ url: 'https://hooks.allowed.example/clearway' });
    expect(sub.url).toBe('https://hooks.allowed.example/clearway');
  });
});

describe('the deliverer function', () => {
  it('drains the KH queue through Middy: delivers the batch and reports no failures', async () => {
    await subscribe({ url: hook('lambda') });
    const event = envelope();
    const sqs = {
      Records: [
        {
          ...record(event),
          receiptHandle: 'rh',
          attributes: {},
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:ap-southeast-1:123456789012:kh',
          awsRegion: 'ap-southeast-1',
        },
      ],
    } as unknown as SQSEvent;
    const result = await handler(sqs, {} as Context);

    expect(result).toEqual({ batchItemFailures: [] });
    const [got] = to('lambda');
    expect(got!.headers['clearway-event-id']).toBe(event.id);
  });
});
