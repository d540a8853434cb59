import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { decodeCursor, encodeCursor } from '../../cursor.ts';
import type { HazardArea } from '../../domain/hazard-area.ts';
import type { Household } from '../../domain/household.ts';
import {
  accidentCounter,
  ACCIDENT_WEIGHT,
  contaminationScore,
  CONTAMINATION_COUNTER,
  demandChange,
  demandOfChanges,
  demandOfMany,
  expiredAccidentMonths,
  type Counters,
  type DemandDelta,
} from '../../domain/priorities.ts';
import { isHazardActive } from '../../domain/return-safety.ts';
import { documentClient, tableName } from '../client.ts';
import { demandKey, prioritiesOf, priorityPartition, type PriorityScope } from '../keys/priority.ts';
import type { GuardedWrite } from '../transact.ts';

/**
 * The demand items of hazard areas (keys in `shared/db/keys/priority.ts`, the score in
 * `shared/domain/priorities.ts`): changed with `ADD` in the same transaction as the household,
 * accident or area change that moves them, never by reading households; read by one Query of
 * the score-ordered index.
 */

const LEVELS = ['country', 'province'] as const;

/** One UpdateItem per demand item of the area: ADD the counters and the score; `set` names attributes to SET as well. */
function demandUpdates(hazardAreaId: string, delta: DemandDelta, set: (level: PriorityScope['level']) => Record<string, unknown> = () => ({})): GuardedWrite[] {
  return LEVELS.map((level) => {
    const names: Record<string, string> = { '#score': 'gsi5sk' };
    const values: Record<string, unknown> = { ':score': delta.score, ':entity': 'HazardDemand', ':id': hazardAreaId };
    const adds = ['#score :score'];
    Object.entries(delta.counters).forEach(([name, v], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = v;
      adds.push(`#c${i} :c${i}`);
    });
    const sets = ['entity = :entity', 'hazardAreaId = :id'];
    Object.entries(set(level)).forEach(([name, v], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = v;
      sets.push(`#s${i} = :s${i}`);
    });
    return {
      item: {
        Update: {
          TableName: tableName,
          Key: demandKey(hazardAreaId, level),
          UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    };
  });
}

const writesOf = (deltas: Map<string, DemandDelta>): GuardedWrite[] => [...deltas].flatMap(([id, d]) => demandUpdates(id, d));

/** The demand writes of a household going from `before` to `after` (undefined: not existing), for the transaction of that change. */
export const householdDemandWrites = (before: Household | undefined, after: Household | undefined): GuardedWrite[] => writesOf(demandChange(before, after));

/** The demand writes of several households changing in one transaction, merged per area (one transaction may touch an item once). */
export const householdsChangeDemandWrites = (changes: readonly (readonly [Household | undefined, Household | undefined])[]): GuardedWrite[] =>
  writesOf(demandOfChanges(changes));

/** The demand writes of new households (an import chunk), merged per area. */
export const householdsDemandWrites = (households: readonly Household[]): GuardedWrite[] => writesOf(demandOfMany(households));

/** The demand items of a newly recorded area: in its lists, with its contamination points. */
export function hazardDemandWrites(hazard: HazardArea, accidents: Counters = {}): GuardedWrite[] {
  const points = contaminationScore(hazard);
  const accidentScore = Object.values(accidents).reduce((n, v) => n + v * ACCIDENT_WEIGHT, 0);
  const scope = prioritiesOf(hazard.country, hazard.province);
  return demandUpdates(hazard.id, { counters: { [CONTAMINATION_COUNTER]: points, ...accidents }, score: points + accidentScore }, (level) => ({
    gsi5pk: priorityPartition(scope.find((s) => s.level === level)!),
    country: hazard.country,
    province: hazard.province,
  }));
}

/**
 * The demand items' change when an area changes: out of the lists once it stops making returns
 * unsafe (CLOSED, HANDED_OVER, WITHDRAWN), contamination points moved when its contamination
 * was corrected. Empty when neither changed.
 */
export function hazardDemandChangeWrites(before: HazardArea, after: HazardArea): GuardedWrite[] {
  if (isHazardActive(before.status) && !isHazardActive(after.status)) {
    return LEVELS.map((level) => ({
      item: {
        Update: {
          TableName: tableName,
          Key: demandKey(after.id, level),
          UpdateExpression: 'REMOVE gsi5pk SET closedAt = :at',
          ExpressionAttributeValues: { ':at': after.updatedAt },
        },
      },
    }));
  }
  const delta = contaminationScore(after) - contaminationScore(before);
  return delta === 0 ? [] : demandUpdates(after.id, { counters: { [CONTAMINATION_COUNTER]: delta }, score: delta });
}

/** An accident of `month` counted towards (sign 1) or taken from (-1) the areas near it. */
export const accidentDemandWrites = (hazardAreaIds: readonly string[], month: string, sign: 1 | -1): GuardedWrite[] =>
  hazardAreaIds.flatMap((id) => demandUpdates(id, { counters: { [accidentCounter(month)]: sign }, score: sign * ACCIDENT_WEIGHT }));

const countersOf = (item: Record<string, unknown> | undefined): Counters =>
  Object.fromEntries(Object.entries(item ?? {}).filter(([k, v]) => typeof v === 'number' && k !== 'gsi5sk') as [string, number][]);

/** An area's demand counters (its country item): one GetItem. */
export async function readDemand(hazardAreaId: string): Promise<{ counters: Counters; listed: boolean; score: number }> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: demandKey(hazardAreaId, 'country'), ConsistentRead: true }));
  return { counters: countersOf(out.Item), listed: typeof out.Item?.gsi5pk === 'string', score: Number(out.Item?.gsi5sk ?? 0) };
}

/**
 * Takes the accident months that left the window out of an area's stored score (both items),
 * each guarded by the count read so that a concurrent settle or change is not counted twice.
 */
async function settleExpired(hazardAreaId: string, months: [string, number][]): Promise<void> {
  for (const level of LEVELS) {
    for (const [month, count] of months) {
      try {
        await documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: demandKey(hazardAreaId, level),
            UpdateExpression: 'REMOVE #m ADD #score :neg',
            ConditionExpression: '#m = :n',
            ExpressionAttributeNames: { '#m': accidentCounter(month), '#score': 'gsi5sk' },
            ExpressionAttributeValues: { ':n': count, ':neg': -count * ACCIDENT_WEIGHT },
          }),
        );
      } catch (e: unknown) {
        if (!(e instanceof ConditionalCheckFailedException)) throw e;
      }
    }
  }
}

export interface PriorityItem {
  hazardAreaId: string;
  counters: Counters;
  /** Position in the whole list (1 = highest score). */
  rank: number;
}

const MAX_SETTLE_ROUNDS = 3;

/**
 * One page of an area list by score, highest first: one Query of gsi5. The stored score can only
 * overstate an area's (accidents leave the window as months pass, nothing else ages), so a page
 * none of whose areas holds an expired month is exact; a page that holds some is settled (the
 * expired months taken out of the stored score) and read again, which happens once per area and
 * month at most.
 */
export async function listPriorities(
  scope: PriorityScope,
  page: { limit: number; cursor: string | undefined },
  now: Date,
): Promise<{ items: PriorityItem[]; next: string | null }> {
  const cursorScope = `priorities:${priorityPartition(scope)}`;
  const start = (await decodeCursor(page.cursor, cursorScope)) as (Record<string, unknown> & { _rank?: number }) | undefined;
  const offset = typeof start?._rank === 'number' ? start._rank : 0;
  const exclusiveStart = start ? Object.fromEntries(Object.entries(start).filter(([k]) => k !== '_rank')) : undefined;
  for (let round = 0; ; round++) {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi5',
        KeyConditionExpression: 'gsi5pk = :pk',
        ExpressionAttributeValues: { ':pk': priorityPartition(scope) },
        ScanIndexForward: false,
        Limit: page.limit,
        ExclusiveStartKey: exclusiveStart,
      }),
    );
    const items = out.Items ?? [];
    const stale = items.map((i) => ({ id: String(i.hazardAreaId), months: expiredAccidentMonths(countersOf(i), now) })).filter((s) => s.months.length > 0);
    if (stale.length === 0 || round >= MAX_SETTLE_ROUNDS) {
      const last = out.LastEvaluatedKey ? { ...out.LastEvaluatedKey, _rank: offset + items.length } : undefined;
      return {
        items: items.map((i, k) => ({ hazardAreaId: String(i.hazardAreaId), counters: countersOf(i), rank: offset + k + 1 })),
        next: await encodeCursor(last, cursorScope),
      };
    }
    for (const s of stale) await settleExpired(s.id, s.months);
  }
}

/** An area's rank in a list (1 + the areas of higher score) and the list's length: two counting Queries of gsi5. */
export async function rankOf(scope: PriorityScope, score: number): Promise<{ rank: number; of: number }> {
  const count = async (above: boolean) => {
    let n = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const out = await documentClient.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi5',
          KeyConditionExpression: above ? 'gsi5pk = :pk AND gsi5sk > :s' : 'gsi5pk = :pk',
          ExpressionAttributeValues: { ':pk': priorityPartition(scope), ...(above ? { ':s': score } : {}) },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      n += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return n;
  };
  const [above, of] = await Promise.all([count(true), count(false)]);
  return { rank: above + 1, of };
}
