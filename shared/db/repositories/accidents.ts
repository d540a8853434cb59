import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { retention, ttlAfter } from '../../config.ts';
import { decodeCursor, encodeCursor } from '../../cursor.ts';
import type { Accident, VictimPersonal } from '../../domain/accident.ts';
import { documentClient, tableName } from '../client.ts';
import { accidentKey, accidentsByCountry, accidentsByProvince, victimDataKey } from '../keys/accident.ts';
import { toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { versionedPut } from './versioned.ts';

/** The accident item with its list keys. */
export const accidentWrite = (a: Accident, expectedVersion: number | 'new'): GuardedWrite =>
  versionedPut(
    {
      ...accidentKey(a.id),
      ...accidentsByCountry(a.country, a.occurredAt, a.id),
      ...accidentsByProvince(a.province, a.occurredAt, a.id),
      entity: 'Accident',
      ...a,
    },
    expectedVersion,
    `accident ${a.id}`,
  );

/**
 * The victims' personal data of an accident (none: the item is deleted), kept until the
 * retention after the accident's date (`RETENTION_VICTIM_DATA_DAYS`), when the table's TTL removes it.
 */
export function victimDataWrite(a: Pick<Accident, 'id' | 'country' | 'occurredAt'>, personal: readonly VictimPersonal[]): GuardedWrite {
  if (personal.length === 0) return { item: { Delete: { TableName: tableName, Key: victimDataKey(a.id) } } };
  return {
    item: {
      Put: {
        TableName: tableName,
        Item: {
          ...victimDataKey(a.id),
          entity: 'AccidentVictimData',
          accidentId: a.id,
          country: a.country,
          victims: personal,
          expiresAt: ttlAfter(a.occurredAt.slice(0, 10), retention.victimData),
        },
      },
    },
  };
}

export async function getAccident(id: string): Promise<Accident | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: accidentKey(id), ConsistentRead: true }));
  return out.Item ? toResource<Accident>(out.Item) : undefined;
}

/** The victims' personal data of an accident (empty once erased or expired). */
export async function getVictimData(id: string): Promise<VictimPersonal[]> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: victimDataKey(id), ConsistentRead: true }));
  const expired = typeof out.Item?.expiresAt === 'number' && out.Item.expiresAt * 1000 <= Date.now();
  return out.Item && !expired ? (out.Item.victims as VictimPersonal[]) : [];
}

export type AccidentListing = { by: 'country'; country: string } | { by: 'province'; province: string };

/**
 * One page of accidents of a country or a province, newest first, between `from` and `to`
 * (dates, inclusive): one Query of gsi1 or gsi2 with a range on the sort key.
 */
export async function listAccidents(
  listing: AccidentListing,
  range: { from?: string | undefined; to?: string | undefined },
  page: PageRequest,
): Promise<Page<Accident>> {
  const [index, pkName, skName, pk] =
    listing.by === 'country'
      ? ['gsi1', 'gsi1pk', 'gsi1sk', accidentsByCountry(listing.country, '', '').gsi1pk]
      : ['gsi2', 'gsi2pk', 'gsi2sk', accidentsByProvince(listing.province, '', '').gsi2pk];
  const scope = `accidents:${pk}:${range.from ?? ''}:${range.to ?? ''}`;
  // `~` sorts after every character of a date-time and an id: the whole of the `to` day is in.
  const out = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: index,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': pkName, '#sk': skName },
      ExpressionAttributeValues: { ':pk': pk, ':from': `AT#${range.from ?? ''}`, ':to': `AT#${range.to ?? '9999'}~` },
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: await decodeCursor(page.cursor, scope),
    }),
  );
  return { items: (out.Items ?? []).map((i) => toResource<Accident>(i)), next: await encodeCursor(out.LastEvaluatedKey, scope) };
}
