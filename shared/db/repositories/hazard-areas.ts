import { GetCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { HazardArea } from '../../domain/hazard-area.ts';
import type { HistoryEntry } from '../../domain/task.ts';
import { documentClient, tableName } from '../client.ts';
import { hazardHistoryKey, hazardKey, hazardsByAdm3, hazardsByCountry, hazardsByProvince, statusPrefix } from '../keys/hazard-area.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { appendPut, versionedPut } from './versioned.ts';

/** The hazard-area item with its list keys. */
export const hazardWrite = (h: HazardArea, expectedVersion: number | 'new'): GuardedWrite =>
  versionedPut(
    {
      ...hazardKey(h.id),
      ...hazardsByCountry(h.country, h.status, h.id),
      ...hazardsByProvince(h.province, h.status, h.id),
      ...(h.adm3 ? hazardsByAdm3(h.adm3, h.status, h.id) : {}),
      entity: 'HazardArea',
      ...h,
    },
    expectedVersion,
    `hazard area ${h.id}`,
  );

export const hazardHistoryWrite = (hazardId: string, entry: HistoryEntry): GuardedWrite =>
  appendPut({ ...hazardHistoryKey(hazardId, entry.id), entity: 'HazardAreaHistory', hazardAreaId: hazardId, ...entry });

export async function getHazardArea(id: string): Promise<HazardArea | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: hazardKey(id) }));
  return out.Item ? toResource<HazardArea>(out.Item) : undefined;
}

export const listHazardAreasOfProvince = (province: string, status: string | undefined, page: PageRequest): Promise<Page<HazardArea>> =>
  queryPage(page, {
    index: 'gsi3',
    partitionKey: ['gsi3pk', hazardsByProvince(province, '', '').gsi3pk],
    sortKeyPrefix: ['gsi3sk', statusPrefix(status)],
    scope: `hazards:province=${province}:status=${status ?? ''}`,
  });

export const listHazardAreasOfCountry = (country: string, status: string | undefined, page: PageRequest): Promise<Page<HazardArea>> =>
  queryPage(page, {
    index: 'gsi2',
    partitionKey: ['gsi2pk', hazardsByCountry(country, '', '').gsi2pk],
    sortKeyPrefix: ['gsi2sk', statusPrefix(status)],
    scope: `hazards:country=${country}:status=${status ?? ''}`,
  });

export const listHazardAreaHistory = (id: string, page: PageRequest): Promise<Page<HistoryEntry>> =>
  queryPage(page, { partitionKey: ['pk', hazardKey(id).pk], sortKeyPrefix: ['sk', 'HISTORY#'], scope: `hazard-history:${id}` });

/** Ids and statuses of the hazard areas of a commune or tambon (their own `adm3`): one Query of its index partition, keys only. */
export async function hazardAreasOfAdm3(adm3: string): Promise<{ id: string; status: HazardArea['status'] }[]> {
  const out: { id: string; status: HazardArea['status'] }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :pk',
        ExpressionAttributeValues: { ':pk': hazardsByAdm3(adm3, '', '').gsi4pk },
        ProjectionExpression: 'id, #s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) out.push({ id: String(item.id), status: item.status as HazardArea['status'] });
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}
