import { GetCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../client.ts';
import { landReleaseStatsKey, scopesOf, type StatsScope } from '../keys/stats.ts';
import type { GuardedWrite } from '../transact.ts';
import { batchGetAll } from '../batch.ts';

/**
 * Land-release statistics as counters, changed by `ADD` in the same transaction as the change
 * they count: exact under retries (a retried request either committed with its counters or not
 * at all) and as cheap to read at 10,000 records as at 10.
 *
 * Counter names are flat (`tasks_PLANNED`, `eo_AP_MINE`, `sqm_CLEARED`) so that `ADD` can create
 * them on first use.
 */
export type Counters = Record<string, number>;

export interface StatsChange {
  country: string;
  province: string;
  /** The district (gazetteer `adm2`) of the hazard area, when it has one: its counters are kept too. */
  adm2?: string | undefined;
  counters: Counters;
}

/** Where a record's counters go: its country, province and, when coded, district. */
export const statsPlace = (a: { country: string; province: string; adm2?: string | undefined }) => ({ country: a.country, province: a.province, adm2: a.adm2 });

/** Counter changes for a status move: one less in `from`, one more in `to`. */
export const moved = (prefix: string, from: string | null, to: string): Counters => ({
  ...(from ? { [`${prefix}_${from}`]: -1 } : {}),
  [`${prefix}_${to}`]: from === to ? 0 : 1,
});

/**
 * The writes that apply counter changes: one UpdateItem per scope item, with the changes of the
 * whole request merged (a transaction may touch an item only once).
 */
export function statsWrites(changes: StatsChange[]): GuardedWrite[] {
  const merged = new Map<string, { key: { pk: string; sk: string }; counters: Counters }>();
  for (const change of changes) {
    for (const scope of scopesOf(change.country, change.province, change.adm2)) {
      const key = landReleaseStatsKey(scope);
      const entry = merged.get(key.sk) ?? { key, counters: {} };
      for (const [name, delta] of Object.entries(change.counters)) entry.counters[name] = (entry.counters[name] ?? 0) + delta;
      merged.set(key.sk, entry);
    }
  }
  const writes: GuardedWrite[] = [];
  for (const { key, counters } of merged.values()) {
    const entries = Object.entries(counters).filter(([, v]) => v !== 0);
    if (entries.length === 0) continue;
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const adds = entries.map(([name, delta], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = delta;
      return `#c${i} :c${i}`;
    });
    writes.push({
      item: {
        Update: {
          TableName: tableName,
          Key: key,
          UpdateExpression: `ADD ${adds.join(', ')} SET entity = :entity`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':entity': 'LandReleaseStats' },
        },
      },
    });
  }
  return writes;
}

const counterOf = (item: Record<string, unknown> | undefined): Counters =>
  Object.fromEntries(Object.entries(item ?? {}).filter(([k, v]) => typeof v === 'number' && k.includes('_')) as [string, number][]);

export async function readStats(scope: StatsScope): Promise<Counters> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: landReleaseStatsKey(scope) }));
  return counterOf(out.Item);
}

/** The counters of every district (of a province, or all) that has any: one Query of their sort-key prefix. */
export async function readDistrictStats(province?: string): Promise<Map<string, Counters>> {
  const result = new Map<string, Counters>();
  let start: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': landReleaseStatsKey({ level: 'all' }).pk, ':p': `DISTRICT#${province ?? ''}` },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) result.set(String(item.sk).slice('DISTRICT#'.length), counterOf(item));
    start = out.LastEvaluatedKey;
  } while (start);
  return result;
}

/** Counters of several provinces in one BatchGetItem (at most 100; the border has 15). */
export async function readProvinceStats(provinces: string[]): Promise<Map<string, Counters>> {
  const result = new Map<string, Counters>(provinces.map((p) => [p, {}]));
  const items = await batchGetAll(provinces.map((province) => landReleaseStatsKey({ level: 'province', province })));
  for (const item of items) result.set(String(item.sk).replace('PROVINCE#', ''), counterOf(item));
  return result;
}
