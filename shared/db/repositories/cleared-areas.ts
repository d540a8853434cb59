import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ClearedArea } from '../../domain/cleared-area.ts';
import { documentClient, tableName } from '../client.ts';
import { clearedByCountry, clearedByProvince, clearedKey, clearedOfTask } from '../keys/cleared-area.ts';
import { statusPrefix } from '../keys/hazard-area.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { versionedPut } from './versioned.ts';

export const clearedAreaWrite = (a: ClearedArea, expectedVersion: number | 'new'): GuardedWrite =>
  versionedPut(
    { ...clearedKey(a.id), ...clearedOfTask(a.taskId, a.id), ...clearedByCountry(a.country, a.status, a.id), ...clearedByProvince(a.province, a.status, a.id), entity: 'ClearedArea', ...a },
    expectedVersion,
    `cleared area ${a.id}`,
  );

export async function getClearedArea(id: string): Promise<ClearedArea | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: clearedKey(id), ConsistentRead: true }));
  return out.Item ? toResource<ClearedArea>(out.Item) : undefined;
}

export type ClearedListing = { by: 'task'; taskId: string } | { by: 'country'; country: string } | { by: 'province'; province: string };

export function listClearedAreas(listing: ClearedListing, status: string | undefined, page: PageRequest): Promise<Page<ClearedArea>> {
  const scope = (s: string) => `cleared:${s}:status=${status ?? ''}`;
  switch (listing.by) {
    case 'task':
      return queryPage(page, { index: 'gsi1', partitionKey: ['gsi1pk', clearedOfTask(listing.taskId, '').gsi1pk], scope: scope(`task=${listing.taskId}`) });
    case 'country':
      return queryPage(page, { index: 'gsi2', partitionKey: ['gsi2pk', clearedByCountry(listing.country, '', '').gsi2pk], sortKeyPrefix: ['gsi2sk', statusPrefix(status)], scope: scope(`country=${listing.country}`) });
    case 'province':
      return queryPage(page, { index: 'gsi3', partitionKey: ['gsi3pk', clearedByProvince(listing.province, '', '').gsi3pk], sortKeyPrefix: ['gsi3sk', statusPrefix(status)], scope: scope(`province=${listing.province}`) });
  }
}
