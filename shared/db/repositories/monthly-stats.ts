import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addCounters, type Month, type MonthlyChange, type MonthlyCounters } from '../../domain/monthly.ts';
import { documentClient, tableName } from '../client.ts';
import { monthlyStatsKey, monthlyStatsPartition, monthlyStatsRange } from '../keys/monthly-stats.ts';
import type { GuardedWrite } from '../transact.ts';

/**
 * The monthly report's buckets (`shared/domain/monthly.ts` says what is counted, keyed by which
 * date): one item per country, province and month, changed with `ADD` in the same transaction as
 * the change it counts, so a retried request (which either committed with its buckets or not at
 * all) counts once, and a read is one Query whatever the number of records.
 */

/**
 * The one write that adds `increments` to the bucket of (`country`, `province`, `month`): an
 * UpdateItem with `ADD` for the caller's TransactWriteItems. Counter names are flat
 * (`[A-Za-z0-9_]`, see the table in `shared/domain/monthly.ts`), so `ADD` creates them on first use.
 * A transaction may touch an item only once: for several changes, use {@link monthlyStatsWrites}.
 *
 * ```ts
 * await transact([...accidentWrites, monthlyBucketUpdate(a.country, a.province, monthOf(a.occurredAt), accidentCounters(killed, injured))]);
 * ```
 */
export function monthlyBucketUpdate(country: string, province: string, month: Month, increments: MonthlyCounters): GuardedWrite {
  const entries = Object.entries(increments).filter(([, v]) => v !== 0);
  if (entries.length === 0) throw new Error('a monthly bucket update needs at least one non-zero increment');
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':entity': 'MonthlyStats', ':country': country, ':province': province, ':month': month };
  const adds = entries.map(([name, delta], i) => {
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`not a counter name: ${name}`);
    names[`#c${i}`] = name;
    values[`:c${i}`] = delta;
    return `#c${i} :c${i}`;
  });
  return {
    item: {
      Update: {
        TableName: tableName,
        Key: monthlyStatsKey(country, province, month),
        UpdateExpression: `ADD ${adds.join(', ')} SET entity = :entity, #country = :country, #province = :province, #month = :month`,
        ExpressionAttributeNames: { ...names, '#country': 'country', '#province': 'province', '#month': 'month' },
        ExpressionAttributeValues: values,
      },
    },
  };
}

/** The writes of several monthly changes: merged per bucket (one UpdateItem per item), buckets left unchanged omitted. */
export function monthlyStatsWrites(changes: readonly MonthlyChange[]): GuardedWrite[] {
  const merged = new Map<string, MonthlyChange>();
  for (const c of changes) {
    const id = `${c.country}|${c.province}|${c.month}`;
    const entry = merged.get(id) ?? { ...c, counters: {} };
    addCounters(entry.counters, c.counters);
    merged.set(id, entry);
  }
  return [...merged.values()]
    .filter((c) => Object.values(c.counters).some((v) => v !== 0))
    .map((c) => monthlyBucketUpdate(c.country, c.province, c.month, c.counters));
}

const countersOf = (item: Record<string, unknown>): MonthlyCounters =>
  Object.fromEntries(Object.entries(item).filter(([, v]) => typeof v === 'number') as [string, number][]);

/** A bucket as read: its province, month and counters. */
export interface MonthlyBucket {
  province: string;
  month: Month;
  counters: MonthlyCounters;
}

/**
 * The buckets of a country from `from` to `to` (both included), of one province or all: one
 * Query of the country's partition over the months' sort-key range, paged.
 */
export async function readMonthlyBuckets(country: string, from: Month, to: Month, province?: string): Promise<MonthlyBucket[]> {
  const range = monthlyStatsRange(from, to);
  const buckets: MonthlyBucket[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :start AND :end',
        ExpressionAttributeValues: { ':pk': monthlyStatsPartition(country), ':start': range.start, ':end': range.end },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) {
      const [month, itemProvince] = String(item.sk).split('#') as [string, string];
      if (province && itemProvince !== province) continue;
      buckets.push({ province: itemProvince, month, counters: countersOf(item) });
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return buckets;
}
