import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { addCounters, recountMonthly, type MonthlyCounters, type MonthlyRecords } from '../../shared/domain/monthly.ts';
import { findId } from '../../shared/domain/task.ts';
import { MONTHLY_BACKFILL_MARKER, monthlyStatsKey } from '../../shared/db/keys/monthly-stats.ts';
import { scanEntities } from './scan-entities.ts';

/**
 * The one-off count of records stored before the monthly report's buckets existed, run by
 * `npm start` after the table is ready and before the server listens (so no request writes a
 * bucket meanwhile). A marker item says it is done: later starts, and a new `DATA_DIR` (whose
 * first start finds nothing to count), skip it. It reads the whole table once (a Scan: a one-off
 * job, never a request) and writes each bucket whole (Put, not ADD), so a start that dies halfway
 * simply counts again on the next one; the marker is written last.
 */
export async function backfillMonthlyStats(client: DynamoDBDocumentClient, table: string): Promise<{ ran: boolean; buckets: number }> {
  const marker = await client.send(new GetCommand({ TableName: table, Key: MONTHLY_BACKFILL_MARKER, ConsistentRead: true }));
  if (marker.Item) return { ran: false, buckets: 0 };
  const records = await readRecords(client, table);
  const buckets = new Map<string, { country: string; province: string; month: string; counters: MonthlyCounters }>();
  for (const c of recountMonthly(records)) {
    const id = `${c.country}|${c.province}|${c.month}`;
    const bucket = buckets.get(id) ?? { country: c.country, province: c.province, month: c.month, counters: {} };
    addCounters(bucket.counters, c.counters);
    buckets.set(id, bucket);
  }
  let written = 0;
  for (const b of buckets.values()) {
    const counters = Object.fromEntries(Object.entries(b.counters).filter(([, v]) => v !== 0));
    if (Object.keys(counters).length === 0) continue;
    await client.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...monthlyStatsKey(b.country, b.province, b.month),
          entity: 'MonthlyStats',
          country: b.country,
          province: b.province,
          month: b.month,
          ...counters,
        },
      }),
    );
    written += 1;
  }
  await client.send(
    new PutCommand({ TableName: table, Item: { ...MONTHLY_BACKFILL_MARKER, entity: 'MonthlyStatsBackfill', at: new Date().toISOString(), buckets: written } }),
  );
  return { ran: true, buckets: written };
}

const COUNTED = ['Household', 'HouseholdHistory', 'ClearedArea', 'Task', 'ProgressReport', 'FindState', 'Accident', 'RiskEducationSession'];

async function readRecords(client: DynamoDBDocumentClient, table: string): Promise<MonthlyRecords> {
  const items = await scanEntities(client, table, COUNTED);
  const of = (entity: string) => items.filter((i) => i.entity === entity);
  const disposals = new Map(
    of('FindState')
      .filter((s) => typeof s.disposal === 'string')
      .map((s) => [String(s.findId), String(s.disposal)]),
  );
  return {
    households: of('Household') as never,
    householdTransitions: of('HouseholdHistory').filter((h) => h.action === 'TRANSITION') as never,
    clearedAreas: of('ClearedArea') as never,
    tasks: of('Task') as never,
    accidents: of('Accident') as never,
    riskEducationSessions: of('RiskEducationSession') as never,
    progressReports: (of('ProgressReport') as unknown as MonthlyRecords['progressReports'][number][] & { id: string }[]).map((p) => ({
      ...p,
      finds: p.finds.map((f, i) => ({ ...f, disposal: disposals.get(findId((p as unknown as { id: string }).id, i)) ?? f.disposal })),
    })),
  };
}
