import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { addContributions, contributionOf, negate, type Counters } from '../../domain/displacement-stats.ts';
import type { Household } from '../../domain/household.ts';
import { documentClient, tableName } from '../client.ts';
import {
  displacementStatsAdmKey,
  displacementStatsKey,
  displacementStatsPartition,
  DSTATS_ADM_PREFIX,
  DSTATS_PROVINCE_PREFIX,
} from '../keys/displacement-stats.ts';
import type { GuardedWrite } from '../transact.ts';

/**
 * Displacement statistics as counters (see `shared/domain/displacement-stats.ts` for what is
 * counted and how ages stay exact): one item per country (`DSTATS#<country>` / `ALL`) and one per
 * origin province (`DSTATS#<country>` / `PROVINCE#<pcode>`), changed with `ADD` in the same
 * transaction as every change they count. A retried request either committed with its counters or
 * not at all, so they stay exact; a read is one GetItem (or one Query for a country with its
 * provinces), as cheap at 1,000,000 people as at 100.
 */

/** A change to the counters of one origin province (and so of its country), and of its origin district and commune when coded. */
export interface DisplacementDelta {
  country: string;
  province: string;
  adm2?: string | undefined;
  adm3?: string | undefined;
  counters: Counters;
}

/** Every counter item a delta changes: country, province, and the district and commune when given. */
const keysOf = (d: DisplacementDelta) => [
  displacementStatsKey(d.country),
  displacementStatsKey(d.country, d.province),
  ...(d.adm2 ? [displacementStatsAdmKey(d.country, 'adm2', d.adm2)] : []),
  ...(d.adm3 ? [displacementStatsAdmKey(d.country, 'adm3', d.adm3)] : []),
];

/** Where a household is counted: its origin province, district and commune. */
export const originOf = (h: Household) => ({ country: h.country, province: h.origin.province, adm2: h.origin.adm2, adm3: h.origin.adm3 });

/** DynamoDB refuses expressions over 4 KB; stay below it with room to spare. */
const MAX_EXPRESSION_CHARS = 3800;

/**
 * The UpdateItems (`ADD`) that apply `counters` to one counter item, split only when the expression
 * would pass DynamoDB's limit. Shared by every counter item (displacement, sites, flows).
 */
export function counterWrites(key: { pk: string; sk: string }, counters: Counters, entity = 'DisplacementStats'): GuardedWrite[] {
  const entries = Object.entries(counters).filter(([, v]) => v !== 0);
  const writes: GuardedWrite[] = [];
  const tail = ' SET entity = :entity';
  let names: Record<string, string> = {};
  let values: Record<string, number> = {};
  let adds: string[] = [];
  let length = 'ADD '.length + tail.length;
  const flush = () => {
    if (adds.length === 0) return;
    writes.push({
      item: {
        Update: {
          TableName: tableName,
          Key: key,
          UpdateExpression: `ADD ${adds.join(', ')}${tail}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ':entity': entity },
        },
      },
    });
    names = {};
    values = {};
    adds = [];
    length = 'ADD '.length + tail.length;
  };
  for (const [name, delta] of entries) {
    const termLength = () => 2 * adds.length.toString(36).length + 4 + 2; // "#i :i" and ", "
    if (adds.length > 0 && length + termLength() > MAX_EXPRESSION_CHARS) flush();
    const i = adds.length.toString(36);
    length += termLength();
    names[`#${i}`] = name;
    values[`:${i}`] = delta;
    adds.push(`#${i} :${i}`);
  }
  flush();
  return writes;
}

/**
 * The writes that apply deltas: for each delta, its province item and its country item, with the
 * deltas of the same item merged first. One UpdateItem (`ADD`) per item that changes, except for a
 * delta so large that its expression would pass DynamoDB's 4 KB limit (several hundred distinct
 * counters, far more than one household can touch): that item then gets several UpdateItems.
 */
export function displacementStatsWritesForDeltas(deltas: DisplacementDelta[]): GuardedWrite[] {
  const merged = new Map<string, { key: { pk: string; sk: string }; parts: Counters[] }>();
  for (const d of deltas) {
    for (const key of keysOf(d)) {
      const id = `${key.pk}|${key.sk}`;
      const entry = merged.get(id) ?? { key, parts: [] };
      entry.parts.push(d.counters);
      merged.set(id, entry);
    }
  }
  return [...merged.values()].flatMap(({ key, parts }) => counterWrites(key, addContributions(...parts)));
}

/**
 * The counter writes of one household changing from `before` to `after` (`undefined` = not
 * existing: a registration has no `before`), for the transaction of that change. Empty when nothing
 * counted changed (a PATCH of the contact); otherwise one UpdateItem for the origin province's item
 * and one for the country's. Call it in registration, transitions, PATCH and return-safety changes.
 * `year` (the UTC year of the write, by default now) only matters for people aged 60 or more.
 */
export function displacementStatsWrites(before: Household | undefined, after: Household | undefined, year = new Date().getUTCFullYear()): GuardedWrite[] {
  return displacementStatsWritesForDeltas(displacementDeltas(before, after, year));
}

/** The deltas of one household changing from `before` to `after`: merge several households' in {@link displacementStatsWritesForDeltas}. */
export function displacementDeltas(before: Household | undefined, after: Household | undefined, year = new Date().getUTCFullYear()): DisplacementDelta[] {
  const deltas: DisplacementDelta[] = [];
  if (before) deltas.push({ ...originOf(before), counters: negate(contributionOf(before, year)) });
  if (after) deltas.push({ ...originOf(after), counters: contributionOf(after, year) });
  return deltas;
}

/**
 * For the importer: the counter writes of a chunk of new households of one country and origin
 * province, aggregated once instead of one update per household. Apply them exactly once per
 * chunk (with the item that records the chunk as done), so a resumed import never counts a chunk
 * twice. A delta of several hundred distinct counters splits into several UpdateItems of one item,
 * which one transaction cannot hold: keep chunks of one province to a few hundred households.
 */
export function displacementStatsWritesForDelta(country: string, province: string, delta: Counters): GuardedWrite[] {
  return displacementStatsWritesForDeltas([{ country, province, counters: delta }]);
}

export const countersOf = (item: Record<string, unknown> | undefined): Counters =>
  Object.fromEntries(Object.entries(item ?? {}).filter(([, v]) => typeof v === 'number') as [string, number][]);

/** The counters of a country, or of one of its origin provinces: one GetItem. */
export async function readDisplacementStats(country: string, province?: string): Promise<Counters> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: displacementStatsKey(country, province), ConsistentRead: true }));
  return countersOf(out.Item);
}

/** The counters of one origin district or commune: one GetItem. */
export async function readAdmDisplacementStats(country: string, level: 'adm2' | 'adm3', pcode: string): Promise<Counters> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: displacementStatsAdmKey(country, level, pcode), ConsistentRead: true }));
  return countersOf(out.Item);
}

/**
 * The counters of each unit of a level (`adm1`: provinces; `adm2`, `adm3`) of a country that has any:
 * one Query of that level's items in the country's partition.
 */
export async function readLevelDisplacementStats(country: string, level: 'adm1' | 'adm2' | 'adm3'): Promise<Map<string, Counters>> {
  const prefix = level === 'adm1' ? DSTATS_PROVINCE_PREFIX : DSTATS_ADM_PREFIX[level];
  const result = new Map<string, Counters>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': displacementStatsPartition(country), ':prefix': prefix },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) result.set(String(item.sk).slice(prefix.length), countersOf(item));
    start = out.LastEvaluatedKey;
  } while (start);
  return result;
}

/** The counters of a country and of each of its provinces that has any. */
export async function readCountryDisplacementStats(country: string): Promise<{ country: Counters; provinces: Map<string, Counters> }> {
  const [all, provinces] = await Promise.all([readDisplacementStats(country), readLevelDisplacementStats(country, 'adm1')]);
  return { country: all, provinces };
}
