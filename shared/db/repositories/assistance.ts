import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ALREADY_RECORDED, CONSENT_MISSING, type AssistanceCounters, type AssistanceRecord } from '../../domain/assistance-rules.ts';
import { ConflictError } from '../../errors.ts';
import { documentClient, tableName } from '../client.ts';
import {
  ASSISTANCE_RECORD_PREFIX,
  ASSISTANCE_STATS_ROUND_PREFIX,
  assistanceReachedKey,
  assistanceRecordKey,
  assistanceRoundMarkerKey,
  assistanceStatsKey,
  assistanceStatsPartition,
} from '../keys/assistance.ts';
import { householdKey, householdsByOrg } from '../keys/household.ts';
import type { Household } from '../../domain/household.ts';
import { batchGetAll } from '../batch.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';

/**
 * Assistance records in DynamoDB (keys in `shared/db/keys/assistance.ts`). A record is written in
 * one transaction with: the round marker that makes a second record of its type and round for the
 * household fail (409), the household's "reached in this round" marker (created by the first
 * record of the round, checked by the others, so its people count once), a check that the
 * household still consents to return assistance, and the round's counters.
 */

/** Raised when the "reached" marker was not as read (another type of the same round recorded meanwhile): read again and retry. */
export class ReachedMarkerMoved extends Error {
  constructor() {
    super('the household was reached in this round meanwhile');
    this.name = 'ReachedMarkerMoved';
  }
}

/** Whether the household was already reached in the round (by any type of assistance). */
export async function reachedInRound(householdId: string, round: string): Promise<boolean> {
  const out = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: assistanceReachedKey(householdId, round), ConsistentRead: true, ProjectionExpression: 'pk' }),
  );
  return out.Item !== undefined;
}

/** The writes of a record (see the module comment); `firstOfRound` as read by {@link reachedInRound}. */
export function assistanceWrites(record: AssistanceRecord, firstOfRound: boolean, counters: AssistanceCounters): GuardedWrite[] {
  const reached = assistanceReachedKey(record.householdId, record.round);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':entity': 'AssistanceRoundStats', ':round': record.round, ':country': record.country };
  const adds = Object.entries(counters).map(([name, delta], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = delta;
    return `#c${i} :c${i}`;
  });
  return [
    {
      item: {
        Put: {
          TableName: tableName,
          Item: { ...assistanceRoundMarkerKey(record.householdId, record.round, record.type), entity: 'AssistanceRoundMarker', assistanceId: record.id },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new ConflictError(ALREADY_RECORDED),
    },
    firstOfRound
      ? {
          item: {
            Put: {
              TableName: tableName,
              Item: { ...reached, entity: 'AssistanceReached', firstAssistanceId: record.id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: () => new ReachedMarkerMoved(),
        }
      : {
          item: { ConditionCheck: { TableName: tableName, Key: reached, ConditionExpression: 'attribute_exists(pk)' } },
          onConditionFailed: () => new ReachedMarkerMoved(),
        },
    {
      item: {
        Put: {
          TableName: tableName,
          Item: { ...assistanceRecordKey(record.householdId, record.id), entity: 'Assistance', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new ConflictError(`Assistance record ${record.id} exists already.`),
    },
    {
      // Consent withdrawn (or the household erased) since it was read: nothing is recorded.
      item: {
        ConditionCheck: {
          TableName: tableName,
          Key: householdKey(record.householdId),
          ConditionExpression: 'entity = :household AND contains(#consent.#purposes, :purpose)',
          ExpressionAttributeNames: { '#consent': 'consent', '#purposes': 'purposes' },
          ExpressionAttributeValues: { ':household': 'Household', ':purpose': 'RETURN_ASSISTANCE' },
        },
      },
      onConditionFailed: () => new ConflictError(CONSENT_MISSING),
    },
    {
      item: {
        Update: {
          TableName: tableName,
          Key: assistanceStatsKey(record.country, record.round),
          UpdateExpression: `ADD ${adds.join(', ')} SET entity = :entity, round = :round, country = :country`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    },
  ];
}

/** One record of a household, or undefined. */
export async function getAssistanceRecord(householdId: string, id: string): Promise<AssistanceRecord | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: assistanceRecordKey(householdId, id), ConsistentRead: true }));
  return out.Item ? toResource<AssistanceRecord>(out.Item) : undefined;
}

/** A page of a household's assistance, oldest first. */
export const listAssistance = (householdId: string, page: PageRequest): Promise<Page<AssistanceRecord>> =>
  queryPage(page, {
    partitionKey: ['pk', householdKey(householdId).pk],
    sortKeyPrefix: ['sk', ASSISTANCE_RECORD_PREFIX],
    scope: `household-assistance:${householdId}`,
  });

/** Every record of a household (the family's copy, tests' recounts), oldest first. */
export async function allAssistance(householdId: string): Promise<AssistanceRecord[]> {
  const items: AssistanceRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': householdKey(householdId).pk, ':prefix': ASSISTANCE_RECORD_PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []).map((i) => toResource<AssistanceRecord>(i)));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

const countersOf = (item: Record<string, unknown> | undefined): AssistanceCounters =>
  Object.fromEntries(Object.entries(item ?? {}).filter(([k, v]) => typeof v === 'number' && k !== 'version')) as AssistanceCounters;

/** The counters of one round of a country (empty when nothing was recorded in it). */
export async function readRoundStats(country: string, round: string): Promise<AssistanceCounters> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: assistanceStatsKey(country, round) }));
  return countersOf(out.Item);
}

/** The counters of every round of a country, by round name: one paged Query on the country's partition. */
export async function readCountryRoundStats(country: string): Promise<Map<string, AssistanceCounters>> {
  const rounds = new Map<string, AssistanceCounters>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': assistanceStatsPartition(country), ':prefix': ASSISTANCE_STATS_ROUND_PREFIX },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) rounds.set(String(item.sk).slice(ASSISTANCE_STATS_ROUND_PREFIX.length), countersOf(item));
    start = out.LastEvaluatedKey;
  } while (start);
  return rounds;
}

/**
 * An organisation's households in a country, a page (≤ 100) at a time: Query on its list index
 * (`householdsByOrg`, gsi2), never a Scan. For distribution lists.
 */
export async function* organisationHouseholds(country: string, org: string): AsyncGenerator<Household[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': householdsByOrg(country, org, '', '').gsi2pk, ':household': 'Household' },
        FilterExpression: 'entity = :household',
        Limit: 100,
        ExclusiveStartKey: start,
      }),
    );
    yield (out.Items ?? []).map((i) => toResource<Household>(i));
    start = out.LastEvaluatedKey;
  } while (start);
}

/** Which of these households already received `type` in `round` (one BatchGetItem per 100). */
export async function recordedInRound(householdIds: readonly string[], round: string, type: string): Promise<Set<string>> {
  if (householdIds.length === 0) return new Set();
  const items = await batchGetAll(
    householdIds.map((id) => assistanceRoundMarkerKey(id, round, type)),
    { projection: 'pk' },
  );
  return new Set(items.map((i) => String(i.pk).slice('HH#'.length)));
}

/** The record a round marker points to: which record of a household holds the type in the round. */
export async function roundMarkerHolder(householdId: string, round: string, type: string): Promise<string | undefined> {
  const out = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: assistanceRoundMarkerKey(householdId, round, type), ConsistentRead: true }),
  );
  return typeof out.Item?.assistanceId === 'string' ? out.Item.assistanceId : undefined;
}
