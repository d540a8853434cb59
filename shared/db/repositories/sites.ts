import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Counters } from '../../domain/displacement-stats.ts';
import type { Site } from '../../domain/site.ts';
import type { SiteDelta } from '../../domain/site-stats.ts';
import { ConflictError } from '../../errors.ts';
import { documentClient, tableName } from '../client.ts';
import {
  siteCodeKey,
  siteFlowsKey,
  siteFlowsPartition,
  siteKey,
  sitesByCountry,
  sitesByProvince,
  siteStatsKey,
  siteStatsPartition,
  siteStatusPrefix,
} from '../keys/site.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { counterWrites, countersOf } from './displacement-stats.ts';
import { versionedPut } from './versioned.ts';

/**
 * Displacement sites (keys in `shared/db/keys/site.ts`): one main item with its list keys, a
 * claim item per code (unique per country), and the figures — present households per site, and
 * flows per country and month — as counter items changed in the household transactions.
 */

const mainItem = (site: Site): Record<string, unknown> => ({
  ...siteKey(site.id),
  ...sitesByCountry(site.country, site.status, site.id),
  ...sitesByProvince(site.country, site.province, site.status, site.id),
  entity: 'Site',
  ...site,
});

const codeClaim = (site: Site): GuardedWrite => ({
  item: {
    Put: {
      TableName: tableName,
      Item: { ...siteCodeKey(site.country, site.code), entity: 'SiteCode', siteId: site.id },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
  onConditionFailed: () => new ConflictError(`Another site of ${site.country} already has the code ${site.code}.`),
});

/** The writes that create a site: the site and the claim of its code. */
export const siteCreateWrites = (site: Site): GuardedWrite[] => [versionedPut(mainItem(site), 'new', `site ${site.id}`), codeClaim(site)];

/**
 * The writes that change a site from `before` to `after`, guarded by the version read: a new code
 * moves its claim; closing needs the site to be empty (no household present, read in the same
 * transaction as the close, so a household cannot arrive meanwhile).
 */
export function siteUpdateWrites(before: Site, after: Site): GuardedWrite[] {
  const writes = [versionedPut(mainItem(after), before.version, `site ${before.id}`)];
  if (before.code.toUpperCase() !== after.code.toUpperCase()) {
    writes.push(codeClaim(after), {
      item: {
        Delete: {
          TableName: tableName,
          Key: siteCodeKey(before.country, before.code),
          ConditionExpression: 'siteId = :id',
          ExpressionAttributeValues: { ':id': before.id },
        },
      },
    });
  }
  if (before.status === 'OPEN' && after.status === 'CLOSED') {
    writes.push({
      item: {
        ConditionCheck: {
          TableName: tableName,
          Key: siteStatsKey(before.country, before.id),
          ConditionExpression: 'attribute_not_exists(#hh) OR #hh = :zero',
          ExpressionAttributeNames: { '#hh': 'hh' },
          ExpressionAttributeValues: { ':zero': 0 },
        },
      },
      onConditionFailed: () =>
        new ConflictError(`Households are still at site ${before.code}: move them (POST /v1/households/{id}/transitions) before closing it.`),
    });
  }
  return writes;
}

/**
 * Part of a household change that puts it at a site: the site must still be open and of the
 * household's country when the change commits (a ConditionCheck in the same transaction).
 */
export const siteOpenCheck = (site: Pick<Site, 'id' | 'code' | 'country'>): GuardedWrite => ({
  item: {
    ConditionCheck: {
      TableName: tableName,
      Key: siteKey(site.id),
      ConditionExpression: '#status = :open AND country = :country',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':open': 'OPEN', ':country': site.country },
    },
  },
  onConditionFailed: () => new ConflictError(`Site ${site.code} was closed meanwhile: choose an open site.`),
});

export async function getSite(id: string): Promise<Site | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: siteKey(id), ConsistentRead: true }));
  return out.Item ? toResource<Site>(out.Item) : undefined;
}

/** One page of a country's sites, optionally of one province and status. */
export function listSites(country: string, province: string | undefined, status: string | undefined, page: PageRequest): Promise<Page<Site>> {
  const scope = `sites:country=${country}:province=${province ?? ''}:status=${status ?? ''}`;
  return province
    ? queryPage(page, {
        index: 'gsi1',
        partitionKey: ['gsi1pk', sitesByProvince(country, province, '', '').gsi1pk],
        sortKeyPrefix: ['gsi1sk', siteStatusPrefix(status)],
        scope,
      })
    : queryPage(page, {
        index: 'gsi4',
        partitionKey: ['gsi4pk', sitesByCountry(country, '', '').gsi4pk],
        sortKeyPrefix: ['gsi4sk', siteStatusPrefix(status)],
        scope,
      });
}

/** Every site of a country (a few hundred at most): the statistics' names and the importer's codes. Paged Query, never Scan. */
export async function allSitesOf(country: string): Promise<Site[]> {
  const sites: Site[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :pk',
        ExpressionAttributeValues: { ':pk': sitesByCountry(country, '', '').gsi4pk },
        ExclusiveStartKey: start,
      }),
    );
    sites.push(...(out.Items ?? []).map((i) => toResource<Site>(i)));
    start = out.LastEvaluatedKey;
  } while (start);
  return sites;
}

/** The counter writes of households arriving at or leaving sites (present figures), for the transaction of the change. */
export const siteStatsWrites = (deltas: readonly SiteDelta[]): GuardedWrite[] =>
  deltas.flatMap((d) => counterWrites(siteStatsKey(d.country, d.siteId), d.counters, 'SiteStats'));

/** The counter writes of movements in one effective month of a country (see `movementFlows`). */
export const siteFlowWrites = (country: string, month: string, counters: Counters): GuardedWrite[] =>
  Object.keys(counters).length === 0 ? [] : counterWrites(siteFlowsKey(country, month), counters, 'SiteFlows');

/** The present figures of every site of a country that ever had a household: one paged Query. */
export async function readSiteStats(country: string): Promise<Map<string, Counters>> {
  const found = new Map<string, Counters>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': siteStatsPartition(country) },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) found.set(String(item.sk).slice('SITE#'.length), countersOf(item));
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
}

/** A country's flows of the months `from` to `to` (`YYYY-MM`, both included), by month: one paged Query. */
export async function readSiteFlows(country: string, from: string, to: string): Promise<Map<string, Counters>> {
  const found = new Map<string, Counters>();
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': siteFlowsPartition(country), ':from': siteFlowsKey(country, from).sk, ':to': siteFlowsKey(country, to).sk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) found.set(String(item.sk).slice('MONTH#'.length), countersOf(item));
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
}
