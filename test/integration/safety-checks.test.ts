import { randomUUID } from 'node:crypto';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as notificationsApp } from '../../functions/notifications/app.ts';
import { checkSafetyRecords } from '../../functions/safety/check.ts';
import { handler } from '../../functions/safety/handler.ts';
import { LocalEventBus } from '../../infra/local/event-bus.ts';
import { documentClient } from '../../shared/db/client.ts';
import { hazardWrite } from '../../shared/db/repositories/hazard-areas.ts';
import { hazardCellWrites, hazardCellWritesOnChange } from '../../shared/db/repositories/return-safety.ts';
import { transact } from '../../shared/db/transact.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { Household } from '../../shared/domain/household.ts';
import { newId } from '../../shared/domain/ids.ts';
import type { Principal } from '../../shared/domain/roles.ts';
import { EventType, type EventEnvelope } from '../../shared/events/catalogue.ts';
import { outboxEvent } from '../../shared/events/outbox.ts';
import { EVENT_SOURCE } from '../../shared/events/catalogue.ts';
import { hazardBody, json, square } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

const silent = new Logger({ serviceName: 'clearway-test', logLevel: 'SILENT' });
const operations: Principal = { sub: 'user-kh-operations', role: 'operations', country: 'KH', org: 'CMAC' };

type PageOf<T> = { items: T[]; next: string | null };
type AnyApp = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

async function call<T>(app: AnyApp, method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as T };
}

// Metres per degree on turf's sphere.
const M_PER_DEG = (Math.PI * 6_371_008.8) / 180;
/** A point `metres` east of the east edge of `square(lon, lat, size)`, at mid-height. */
const eastOf = (lon: number, lat: number, size: number, metres: number): [number, number] => [
  lon + size + metres / (M_PER_DEG * Math.cos(((lat + size / 2) * Math.PI) / 180)),
  lat + size / 2,
];

const GIVEN = 'Sreymom';
const khHousehold = (point: [number, number]) => ({
  origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: point } },
  members: [{ givenName: GIVEN, familyName: 'Sovannarith', sex: 'F', birthYear: 1986, relationship: 'HEAD' }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});

let reliefKH: Record<string, string>;
let ministryKH: Record<string, string>;
let admin: Record<string, string>;

beforeAll(async () => {
  reliefKH = await bearer({ role: 'relief', country: 'KH', org: 'CARE' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoI-KH' });
  admin = await bearer({ role: 'admin' });
});

async function register(point: [number, number]): Promise<Household> {
  const r = await call<Household>(householdsApp, 'POST', '/v1/households', reliefKH, khHousehold(point));
  if (r.status !== 201) throw new Error(`household: ${r.status} ${r.text}`);
  return r.body;
}

const readHousehold = async (id: string) => (await call<Household>(householdsApp, 'GET', `/v1/households/${id}`, admin)).body;

async function safetyEvents(householdId: string): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: PageOf<EventEnvelope> } = await call<PageOf<EventEnvelope>>(
      notificationsApp,
      'GET',
      `/v1/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ministryKH,
    );
    expect(r.status).toBe(200);
    events.push(...r.body.items);
    cursor = r.body.next;
  } while (cursor);
  return events.filter((e) => e.type === EventType.ReturnSafetyChanged && e.subject.id === householdId);
}

/**
 * A hazard area committed with its cell items and its HazardAreaRecorded event, as the API's
 * transaction does, but whose recomputation never ran (the process died right after the commit).
 */
async function recordWithoutRecomputation(lon: number, lat: number): Promise<{ hazard: HazardArea; event: EventEnvelope }> {
  const now = new Date().toISOString();
  const hazard = {
    ...(hazardBody({ country: 'KH', province: 'KH22', geometry: square(lon, lat, 0.01) }) as Omit<HazardArea, 'id'>),
    id: newId(),
    reference: `HA-KH-2026-${randomUUID().slice(0, 8)}`,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: operations.sub,
    areaSqm: 1_000_000,
    remainingSqm: 1_000_000,
    status: 'OPEN',
    statusChangedAt: now,
  } as HazardArea;
  const recorded = outboxEvent(
    EventType.HazardAreaRecorded,
    { type: 'HazardArea', id: hazard.id },
    'KH',
    operations,
    {
      hazardAreaId: hazard.id,
      country: 'KH',
      province: 'KH22',
      classification: hazard.classification,
      areaSqm: hazard.areaSqm,
      contested: false,
      categories: ['AP_MINE'],
    },
    now,
  );
  await transact([hazardWrite(hazard, 'new'), ...hazardCellWrites(hazard), recorded.write]);
  return { hazard, event: recorded.event };
}

/** A queue record as the return-safety queue hands it over: the body is the EventBridge event, `detail` the envelope. */
const recordOf = (event: EventEnvelope): { messageId: string; body: string } => ({
  messageId: randomUUID(),
  body: JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': event.type,
    source: EVENT_SOURCE,
    account: '000000000000',
    time: '2026-01-12T03:04:05Z',
    region: 'ap-southeast-1',
    resources: [],
    detail: event,
  }),
});

/** The envelope a household event would carry, for a household. */
const householdEvent = (type: typeof EventType.HouseholdRegistered | typeof EventType.ReturnSafetyChanged, householdId: string) =>
  ({
    id: newId(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    audience: ['KH'],
    subject: { type: 'Household', id: householdId },
    actor: { role: 'relief', org: 'CARE' },
    data: { householdId },
  }) as unknown as EventEnvelope;

describe('return-safety checks driven by events', () => {
  it('makes a household AT_RISK from the HazardAreaRecorded event of an area whose recomputation never ran, once, with one ReturnSafetyChanged event', async () => {
    const household = await register(eastOf(105.2, 14.1, 0.01, 250));
    expect(household.returnSafety.status).toBe('SAFE');
    const { hazard, event } = await recordWithoutRecomputation(105.2, 14.1);
    expect((await readHousehold(household.id)).returnSafety.status).toBe('SAFE');

    const record = recordOf(event);
    expect(await checkSafetyRecords([record], silent)).toEqual({ batchItemFailures: [] });
    const after = await readHousehold(household.id);
    expect(after.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    expect(after.version).toBe(household.version + 1);
    const events = await safetyEvents(household.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      audience: ['KH'],
      actor: { role: 'admin', org: 'Clearway' },
      data: { householdId: household.id, from: 'SAFE', to: 'AT_RISK', hazardAreaIds: [hazard.id], cause: { hazardAreaId: hazard.id } },
    });
    expect(JSON.stringify(events[0])).not.toContain(GIVEN);

    // The same record delivered again (at least once): nothing changes, nothing is emitted.
    expect(await checkSafetyRecords([record], silent)).toEqual({ batchItemFailures: [] });
    expect((await readHousehold(household.id)).version).toBe(after.version);
    expect(await safetyEvents(household.id)).toHaveLength(1);
  });

  it('makes a household SAFE again from the HazardAreaStatusChanged event of an area closed without its recomputation', async () => {
    const household = await register(eastOf(105.4, 14.1, 0.01, 250));
    const { hazard } = await recordWithoutRecomputation(105.4, 14.1);
    await checkSafetyRecords([recordOf(householdEvent(EventType.HouseholdRegistered, household.id))], silent);
    expect((await readHousehold(household.id)).returnSafety.status).toBe('AT_RISK');

    const now = new Date().toISOString();
    const closed: HazardArea = { ...hazard, status: 'CLOSED', version: 2, updatedAt: now, statusChangedAt: now };
    const changed = outboxEvent(
      EventType.HazardAreaStatusChanged,
      { type: 'HazardArea', id: hazard.id },
      'KH',
      operations,
      {
        hazardAreaId: hazard.id,
        country: 'KH',
        province: 'KH22',
        from: 'OPEN',
        to: 'CLOSED',
        reason: 'cancelled by non-technical survey',
        date: now.slice(0, 10),
      },
      now,
    );
    await transact([hazardWrite(closed, 1), ...hazardCellWritesOnChange(hazard, closed), changed.write]);
    expect((await readHousehold(household.id)).returnSafety.status).toBe('AT_RISK');

    expect(await checkSafetyRecords([recordOf(changed.event)], silent)).toEqual({ batchItemFailures: [] });
    expect((await readHousehold(household.id)).returnSafety).toMatchObject({ status: 'SAFE', hazardAreaIds: [] });
    expect((await safetyEvents(household.id)).map((e) => (e.data as { to: string }).to)).toEqual(['AT_RISK', 'SAFE']);
  });

  it('makes a household SAFE from the ClearedAreaQaDecided event of land released without its recomputation, reading the area from the event data', async () => {
    const household = await register(eastOf(105.5, 14.1, 0.01, 250));
    const { hazard } = await recordWithoutRecomputation(105.5, 14.1);
    await checkSafetyRecords([recordOf(householdEvent(EventType.HouseholdRegistered, household.id))], silent);
    expect((await readHousehold(household.id)).returnSafety.status).toBe('AT_RISK');

    // The whole area released by a report: nothing remains, the area is CLOSED (as the QA route writes it).
    const now = new Date().toISOString();
    const released: HazardArea = {
      ...hazard,
      status: 'CLOSED',
      remainingGeometry: null,
      remainingSqm: 0,
      releasedSqm: hazard.areaSqm,
      version: 2,
      updatedAt: now,
      statusChangedAt: now,
    };
    const reportId = newId();
    const decided = outboxEvent(
      EventType.ClearedAreaQaDecided,
      { type: 'ClearedArea', id: reportId },
      'KH',
      operations,
      {
        clearedAreaId: reportId,
        taskId: newId(),
        hazardAreaId: hazard.id,
        country: 'KH',
        province: 'KH22',
        decidingCountry: 'KH',
        decision: 'ACCEPTED',
        nonconformities: 0,
        status: 'QA_ACCEPTED',
        remainingSqm: 0,
      },
      now,
    );
    await transact([hazardWrite(released, 1), ...hazardCellWritesOnChange(hazard, released), decided.write]);
    expect((await readHousehold(household.id)).returnSafety.status).toBe('AT_RISK');

    expect(await checkSafetyRecords([recordOf(decided.event)], silent)).toEqual({ batchItemFailures: [] });
    expect((await readHousehold(household.id)).returnSafety).toMatchObject({ status: 'SAFE', hazardAreaIds: [] });
  });

  it('fixes a household stored with a stale SAFE from its HouseholdRegistered event; a ReturnSafetyChanged event after it changes nothing more', async () => {
    const household = await register(eastOf(105.6, 14.1, 0.01, 100));
    const { hazard } = await recordWithoutRecomputation(105.6, 14.1);
    expect((await readHousehold(household.id)).returnSafety.status).toBe('SAFE');

    expect(await checkSafetyRecords([recordOf(householdEvent(EventType.HouseholdRegistered, household.id))], silent)).toEqual({ batchItemFailures: [] });
    const fixed = await readHousehold(household.id);
    expect(fixed.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });

    expect(await checkSafetyRecords([recordOf(householdEvent(EventType.ReturnSafetyChanged, household.id))], silent)).toEqual({ batchItemFailures: [] });
    expect((await readHousehold(household.id)).version).toBe(fixed.version);
    expect(await safetyEvents(household.id)).toHaveLength(1);
  });

  it('drops records it can never process (not JSON, no envelope, a type it does not check) and a household that no longer exists, without failing the batch', async () => {
    const household = await register(eastOf(105.8, 14.1, 0.01, 100));
    await recordWithoutRecomputation(105.8, 14.1);
    const error = vi.fn();
    const log = { error, warn: vi.fn(), info: vi.fn(), debug: vi.fn() } as unknown as Logger;
    const taskEvent = {
      id: newId(),
      type: EventType.TaskCreated,
      version: 1,
      occurredAt: new Date().toISOString(),
      audience: ['KH', 'TH'],
      subject: { type: 'Task', id: newId() },
      actor: { role: 'operations', org: 'CMAC' },
      data: {},
    } as unknown as EventEnvelope;
    const unusable = [
      { messageId: 'not-json', body: 'not json' },
      { messageId: 'no-envelope', body: JSON.stringify({ detail: 'x' }) },
      { ...recordOf(taskEvent), messageId: 'unhandled' },
    ];
    const gone = recordOf(householdEvent(EventType.HouseholdRegistered, newId()));
    const good = recordOf(householdEvent(EventType.HouseholdRegistered, household.id));

    expect(await checkSafetyRecords([...unusable, gone, good], log)).toEqual({ batchItemFailures: [] });
    expect((await readHousehold(household.id)).returnSafety.status).toBe('AT_RISK');
    expect(error.mock.calls.map(([, fields]) => (fields as { messageId: string }).messageId).sort()).toEqual(['no-envelope', 'not-json', 'unhandled']);
    expect(JSON.stringify(error.mock.calls)).not.toContain(GIVEN);
  });

  it('reports a record whose check failed (a DynamoDB error) in batchItemFailures, and succeeds when the queue retries it', async () => {
    const household = await register(eastOf(106.0, 14.1, 0.01, 100));
    const { event } = await recordWithoutRecomputation(106.0, 14.1);
    const record = recordOf(event);
    const send = vi
      .spyOn(documentClient, 'send')
      .mockRejectedValueOnce(Object.assign(new Error('throughput exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    try {
      expect(await checkSafetyRecords([record], silent)).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    } finally {
      send.mockRestore();
    }
    expect((await readHousehold(household.id)).returnSafety.status).toBe('SAFE');
    expect(await checkSafetyRecords([record], silent)).toEqual({ batchItemFailures: [] });
    expect((await readHousehold(household.id)).returnSafety.status).toBe('AT_RISK');
  });

  it('runs behind the Lambda handler with partial batch failures by message id', async () => {
    const household = await register(eastOf(106.2, 14.1, 0.01, 100));
    const { event } = await recordWithoutRecomputation(106.2, 14.1);
    const sqs = (r: { messageId: string; body: string }) =>
      ({
        ...r,
        receiptHandle: 'r',
        attributes: {},
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:ap-southeast-1:000000000000:q',
        awsRegion: 'ap-southeast-1',
      }) as unknown as SQSRecord;
    const out = await handler({ Records: [sqs(recordOf(event)), sqs({ messageId: 'garbage', body: '{' })] } as SQSEvent, {} as Context);
    expect(out).toEqual({ batchItemFailures: [] });
    expect((await readHousehold(household.id)).returnSafety.status).toBe('AT_RISK');
  });

  it('is what the local bus runs for a HazardAreaRecorded entry, next to the ministries’ deliverer', async () => {
    const household = await register(eastOf(106.4, 14.1, 0.01, 100));
    const { event } = await recordWithoutRecomputation(106.4, 14.1);
    const delivered: string[] = [];
    const bus = new LocalEventBus({
      log: silent,
      deliver: async (ministry, records) => (delivered.push(...records.map(() => ministry)), { batchItemFailures: [] }),
    });
    const out = await bus.send(
      new PutEventsCommand({ Entries: [{ Source: EVENT_SOURCE, DetailType: event.type, Detail: JSON.stringify(event), EventBusName: 'clearway-local' }] }),
    );
    expect(out.FailedEntryCount).toBe(0);
    expect(delivered.sort()).toEqual(['KH', 'TH']);
    expect((await readHousehold(household.id)).returnSafety.status).toBe('AT_RISK');
  });
});
