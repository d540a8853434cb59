import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ClearedArea } from '../../domain/cleared-area.ts';
import type { Area } from '../../domain/geometry.ts';
import { documentClient, tableName } from '../client.ts';
import { clearedByCountry, clearedByProvince, clearedKey, clearedOfTask, LAND_PREFIX, landKey } from '../keys/cleared-area.ts';
import { statusPrefix } from '../keys/hazard-area.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { versionedPut } from './versioned.ts';

export const clearedAreaWrite = (a: ClearedArea, expectedVersion: number | 'new'): GuardedWrite =>
  versionedPut(
    {
      ...clearedKey(a.id),
      ...clearedOfTask(a.taskId, a.id),
      ...clearedByCountry(a.country, a.status, a.id),
      ...clearedByProvince(a.province, a.status, a.id),
      entity: 'ClearedArea',
      ...a,
    },
    expectedVersion,
    `cleared area ${a.id}`,
  );

/**
 * A report as the API shows it. Reports stored before reports had parts and per-country QA are
 * read as one part, decided by the one QA decision they carry.
 */
function normalise(stored: ClearedArea): ClearedArea {
  if (stored.parts) return stored;
  const { outcome, method, depthCm, geometry, areaSqm, qa, countries } = stored;
  return {
    ...stored,
    parts: [{ outcome, method, geometry, areaSqm, ...(depthCm !== undefined ? { depthCm } : {}) }],
    requiredQaCountries: countries,
    qaDecisions: qa ? [{ ...qa, country: stored.country }] : [],
    attestationRequired: false,
  };
}

export async function getClearedArea(id: string): Promise<ClearedArea | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: clearedKey(id), ConsistentRead: true }));
  return out.Item ? normalise(toResource<ClearedArea>(out.Item)) : undefined;
}

export type ClearedListing = { by: 'task'; taskId: string } | { by: 'country'; country: string } | { by: 'province'; province: string };

export async function listClearedAreas(listing: ClearedListing, status: string | undefined, page: PageRequest): Promise<Page<ClearedArea>> {
  const scope = (s: string) => `cleared:${s}:status=${status ?? ''}`;
  let result: Page<ClearedArea>;
  switch (listing.by) {
    case 'task':
      result = await queryPage(page, {
        index: 'gsi1',
        partitionKey: ['gsi1pk', clearedOfTask(listing.taskId, '').gsi1pk],
        scope: scope(`task=${listing.taskId}`),
      });
      break;
    case 'country':
      result = await queryPage(page, {
        index: 'gsi2',
        partitionKey: ['gsi2pk', clearedByCountry(listing.country, '', '').gsi2pk],
        sortKeyPrefix: ['gsi2sk', statusPrefix(status)],
        scope: scope(`country=${listing.country}`),
      });
      break;
    case 'province':
      result = await queryPage(page, {
        index: 'gsi3',
        partitionKey: ['gsi3pk', clearedByProvince(listing.province, '', '').gsi3pk],
        sortKeyPrefix: ['gsi3sk', statusPrefix(status)],
        scope: scope(`province=${listing.province}`),
      });
      break;
  }
  return { ...result, items: result.items.map(normalise) };
}

// --- the land of reports, by hazard area ------------------------------------------------------

export interface LandPart {
  outcome: ClearedArea['outcome'];
  method: ClearedArea['method'];
  areaSqm: number;
  geometry: Area;
}

/** The land of one report on its hazard area: PENDING while it awaits QA (or attestation), RELEASED once accepted. */
export interface ReportLand {
  clearedAreaId: string;
  state: 'PENDING' | 'RELEASED';
  parts: LandPart[];
  /** When QA accepted it; the order releases are taken out of the polygon. */
  releasedAt?: string;
}

export const reportLandWrite = (hazardAreaId: string, land: ReportLand): GuardedWrite => ({
  item: { Put: { TableName: tableName, Item: { ...landKey(hazardAreaId, land.clearedAreaId), entity: 'ReportLand', hazardAreaId, ...land } } },
});

export const reportLandDelete = (hazardAreaId: string, clearedAreaId: string): GuardedWrite => ({
  item: { Delete: { TableName: tableName, Key: landKey(hazardAreaId, clearedAreaId) } },
});

/**
 * Every report's land on a hazard area (strongly consistent: a report submitted or decided a
 * moment before must count). One Query of the area's partition, paged; an area has at most a few
 * dozen reports.
 */
export async function listReportLand(hazardAreaId: string): Promise<ReportLand[]> {
  const items: ReportLand[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :land)',
        ExpressionAttributeValues: { ':pk': landKey(hazardAreaId, '').pk, ':land': LAND_PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const i of out.Items ?? [])
      items.push({ clearedAreaId: i.clearedAreaId, state: i.state, parts: i.parts, ...(i.releasedAt ? { releasedAt: i.releasedAt } : {}) });
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The accepted parts in the order they were released. */
export const releasedParts = (land: readonly ReportLand[]): LandPart[] =>
  land
    .filter((l) => l.state === 'RELEASED')
    .sort((a, b) => (a.releasedAt ?? '').localeCompare(b.releasedAt ?? '') || a.clearedAreaId.localeCompare(b.clearedAreaId))
    .flatMap((l) => l.parts);
