import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { LocalEventBus, type BusEvent, type QueueRecord } from '../../infra/local/event-bus.ts';
import type { Country } from '../../shared/domain/common.ts';
import { EventType } from '../../shared/events/catalogue.ts';

const silent = new Logger({ serviceName: 'clearway-test', logLevel: 'SILENT' });

const entry = (type: EventType, id: string, audience: Country[]): PutEventsRequestEntry => ({
  Source: 'clearway',
  DetailType: type,
  Detail: JSON.stringify({
    id,
    type,
    version: 1,
    occurredAt: '2026-01-12T03:04:05.678Z',
    audience,
    subject: { type: 'HazardArea', id: `subject-${id}` },
    actor: { role: 'operations', org: 'CMAC' },
    data: {},
  }),
  EventBusName: 'clearway-local',
  Time: new Date('2026-01-12T03:04:05.678Z'),
});
const idOf = (r: QueueRecord) => String((JSON.parse(r.body) as BusEvent).detail['id']);

describe('local event bus: the return-safety target', () => {
  it('hands a HazardAreaRecorded entry to both ministries’ deliverer and to the safety checks, and a task event to the ministries only', async () => {
    const delivered: { ministry: Country; id: string }[] = [];
    const checked: BusEvent[] = [];
    const bus = new LocalEventBus({
      log: silent,
      deliver: async (ministry, records) => (delivered.push(...records.map((r) => ({ ministry, id: idOf(r) }))), { batchItemFailures: [] }),
      checkSafety: async (records) => (checked.push(...records.map((r) => JSON.parse(r.body) as BusEvent)), { batchItemFailures: [] }),
    });
    const out = await bus.send(
      new PutEventsCommand({
        Entries: [
          entry(EventType.HazardAreaRecorded, 'area', ['KH', 'TH']),
          entry(EventType.TaskCreated, 'task', ['KH', 'TH']),
          entry(EventType.HouseholdRegistered, 'household', ['TH']),
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(0);
    expect(
      delivered
        .filter((d) => d.id === 'area')
        .map((d) => d.ministry)
        .sort(),
    ).toEqual(['KH', 'TH']);
    expect(delivered.filter((d) => d.id === 'household').map((d) => d.ministry)).toEqual(['TH']);
    expect(
      delivered
        .filter((d) => d.id === 'task')
        .map((d) => d.ministry)
        .sort(),
    ).toEqual(['KH', 'TH']);
    expect(checked.map((e) => e.detail['id'])).toEqual(['area', 'household']);
    expect(checked[0]).toMatchObject({
      version: '0',
      source: 'clearway',
      'detail-type': EventType.HazardAreaRecorded,
      detail: { subject: { id: 'subject-area' } },
    });
    expect(checked[0]!.id).toBe(out.Entries![0]!.EventId);
  });

  it('retries what the safety checks report failed, then answers the entry failed (so the poller publishes it again) though the ministries had it', async () => {
    const attempts = new Map<string, number>();
    const delivered: string[] = [];
    const checkSafety = async (records: QueueRecord[]): Promise<SQSBatchResponse> => {
      for (const r of records) attempts.set(idOf(r), (attempts.get(idOf(r)) ?? 0) + 1);
      return {
        batchItemFailures: records
          .filter((r) => idOf(r) === 'never' || (idOf(r) === 'once' && attempts.get('once') === 1))
          .map((r) => ({ itemIdentifier: r.messageId })),
      };
    };
    const bus = new LocalEventBus({
      log: silent,
      attempts: 3,
      backoffMs: () => 1,
      checkSafety,
      deliver: async (_m, records) => (delivered.push(...records.map(idOf)), { batchItemFailures: [] }),
    });
    const out = await bus.send(
      new PutEventsCommand({
        Entries: [
          entry(EventType.HazardAreaStatusChanged, 'ok', ['KH', 'TH']),
          entry(EventType.HazardAreaStatusChanged, 'once', ['KH', 'TH']),
          entry(EventType.HazardAreaRecorded, 'never', ['KH', 'TH']),
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries![0]).toMatchObject({ EventId: expect.any(String) });
    expect(out.Entries![1]).toMatchObject({ EventId: expect.any(String) });
    expect(out.Entries![2]).toMatchObject({ ErrorCode: 'InternalFailure', ErrorMessage: expect.stringContaining('return-safety') });
    expect(Object.fromEntries(attempts)).toEqual({ ok: 1, once: 2, never: 3 });
    expect(delivered.filter((id) => id === 'never')).toHaveLength(2);
  });

  it('answers an entry failed when the safety checks throw, after the same retries', async () => {
    let calls = 0;
    const bus = new LocalEventBus({
      log: silent,
      attempts: 2,
      backoffMs: () => 1,
      deliver: async () => ({ batchItemFailures: [] }),
      checkSafety: async () => {
        calls++;
        throw new Error('table unreachable');
      },
    });
    const out = await bus.send(new PutEventsCommand({ Entries: [entry(EventType.ReturnSafetyChanged, 'x', ['KH'])] }));
    expect(out.FailedEntryCount).toBe(1);
    expect(calls).toBe(2);
  });
});
