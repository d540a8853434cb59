import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Country } from '../../domain/common.ts';
import { withMemberIds, type Household } from '../../domain/household.ts';
import type { HistoryEntry } from '../../domain/history.ts';
import { ConflictError } from '../../errors.ts';
import { retention, ttlAfter } from '../../config.ts';
import { documentClient, tableName } from '../client.ts';
import {
  documentClaimKey,
  documentDuplicateKey,
  documentPartition,
  householdAccessKey,
  householdHistoryKey,
  householdKey,
  householdListKeys,
  householdsByCountry,
  householdsByOrg,
  householdsByOrgProvince,
  householdsByProvince,
  householdStatusPrefix,
  recentDocumentClaimKey,
  recentDocumentClaimPartition,
} from '../keys/household.ts';
import { householdDocumentsKey } from '../keys/erasure.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import type { DocumentHashes } from '../document-hash.ts';
import { batchGetAll, type Prefetched } from '../batch.ts';
import { claimHashes } from './legacy-claims.ts';
import { ensureRegistrationCode } from './registration-codes.ts';
import { appendPut, versionedPut } from './versioned.ts';

/**
 * Households in DynamoDB (keys in `shared/db/keys/household.ts`). A household is one main item
 * carrying every list key; its history and access log live in its partition; each identity
 * document is claimed, by its keyed hash only, in a partition of its own.
 */

/** A member's document as the registration stores it: its keyed hash, never the number. */
export interface DocumentRef {
  hash: string;
  memberIndex: number;
  /** A reviewed duplicate of a document another household claims: a `DUP#` item instead of the claim. */
  duplicate: boolean;
}

/**
 * Why a household's personal data was read or returned (the access log records nothing else), or
 * `DUPLICATE_REFUSED`: someone of another organisation tried to register one of its documents
 * again and was refused without being told which household holds it (the ministry sees who).
 */
export type AccessPurpose = 'READ' | 'UPDATE' | 'TRANSITION' | 'EXPORT' | 'CONSENT' | 'ERASURE' | 'DUPLICATE_REFUSED' | 'DISTRIBUTION_LIST';

/** One entry of a household's access log: who, when, why; never the content. */
export interface HouseholdAccessEntry {
  id: string;
  at: string;
  householdId: string;
  actor: { sub: string; role: string; org: string };
  purpose: AccessPurpose;
  /** The import whose row was refused (`DUPLICATE_REFUSED` by an import). */
  importId?: string;
}

/** The main item of a household: its keys, its list keys for its current status, and the household. */
const mainItem = (household: Household): Record<string, unknown> => ({
  ...householdKey(household.id),
  ...householdListKeys(household),
  entity: 'Household',
  ...household,
});

/**
 * The plain items of a new household (no conditions): the main item with its list keys, its first
 * history entry, and one item per member document — the document's claim, or for a reviewed
 * duplicate a `DUP#` item beside the claim of the household it duplicates. The API wraps them in
 * guarded writes ({@link householdCreateWrites}); the importer writes them with BatchWriteItem.
 */
export function householdItems(household: Household, documents: DocumentRef[], history: HistoryEntry): Record<string, unknown>[] {
  const claims = documents.map((d) =>
    d.duplicate
      ? {
          ...documentDuplicateKey(household.country, d.hash, household.id),
          entity: 'HouseholdDocumentDuplicate',
          householdId: household.id,
          memberIndex: d.memberIndex,
          memberId: household.members[d.memberIndex]?.id,
        }
      : {
          ...documentClaimKey(household.country, d.hash),
          entity: 'HouseholdDocumentClaim',
          householdId: household.id,
          memberIndex: d.memberIndex,
          memberId: household.members[d.memberIndex]?.id,
        },
  );
  return [
    mainItem(household),
    { ...householdHistoryKey(household.id, history.id), entity: 'HouseholdHistory', householdId: household.id, ...history },
    ...claims,
    // What an erasure deletes: the claims are keyed by hashes the household item does not hold.
    ...(claims.length > 0
      ? [
          {
            ...householdDocumentsKey(household.id),
            entity: 'HouseholdDocuments',
            householdId: household.id,
            claimKeys: claims.map((c) => ({ pk: c.pk, sk: c.sk })),
            hashes: documents.map((d) => d.hash),
          },
        ]
      : []),
  ];
}

/** Raised when a member's document is already claimed by another household (read the claim to say which). */
export class DocumentAlreadyClaimed extends Error {
  readonly hash: string;
  readonly memberIndex: number;
  constructor(hash: string, memberIndex: number) {
    super(`document of member ${memberIndex} is already claimed`);
    this.name = 'DocumentAlreadyClaimed';
    this.hash = hash;
    this.memberIndex = memberIndex;
  }
}

/**
 * The items of {@link householdItems} as the writes of a registration transaction: every item is
 * created with `attribute_not_exists(pk)`; a document claim that fails its condition raises
 * {@link DocumentAlreadyClaimed}, so the caller can name the household holding the document.
 */
export function householdCreateWrites(household: Household, documents: DocumentRef[], history: HistoryEntry): GuardedWrite[] {
  const claims = new Map(documents.filter((d) => !d.duplicate).map((d) => [documentClaimKey(household.country, d.hash).pk, d]));
  const writes: GuardedWrite[] = householdItems(household, documents, history).map((item) => {
    const claim = item.sk === 'CLAIM' ? claims.get(item.pk as string) : undefined;
    return {
      item: { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      onConditionFailed: claim
        ? () => new DocumentAlreadyClaimed(claim.hash, claim.memberIndex)
        : () => new ConflictError(`The household ${household.id} already exists.`),
    };
  });
  // Each claim is also recorded by day, for an import running at the same time (recentDocumentClaims).
  const expiresAt = Math.floor(Date.parse(household.createdAt) / 1000) + RECENT_CLAIM_SECONDS;
  for (const d of claims.values()) {
    writes.push({
      item: {
        Put: {
          TableName: tableName,
          Item: {
            ...recentDocumentClaimKey(household.country, household.createdAt, d.hash),
            entity: 'RecentDocumentClaim',
            hash: d.hash,
            householdId: household.id,
            org: household.org,
            memberIndex: d.memberIndex,
            expiresAt,
          },
        },
      },
    });
  }
  return writes;
}

/** A claim made through the API, as the record by day has it (`org` absent on records older than it). */
export interface RecentClaim {
  householdId: string;
  memberIndex: number;
  org?: string;
}

/** How long a claim through the API stays in the record imports read (longer than any import runs). */
const RECENT_CLAIM_SECONDS = 7 * 24 * 3600;

/**
 * The documents claimed through the API in a country since `since` (ISO), by hash: what an import
 * compares its written claims with (see `recentDocumentClaimKey`). One Query per day, strongly
 * consistent, paged.
 */
export async function recentDocumentClaims(country: Country, since: string): Promise<Map<string, RecentClaim>> {
  const found = new Map<string, RecentClaim>();
  const today = new Date().toISOString().slice(0, 10);
  for (let day = since.slice(0, 10); day <= today; day = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)) {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await documentClient.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': recentDocumentClaimPartition(country, day), ':since': since },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        found.set(String(item.hash), {
          householdId: String(item.householdId),
          memberIndex: Number(item.memberIndex),
          ...(typeof item.org === 'string' ? { org: item.org } : {}),
        });
      }
      start = out.LastEvaluatedKey;
    } while (start);
  }
  return found;
}

/** The replacement of a household's main item (and its list keys, which follow its status), guarded by the version read. */
export const householdWrite = (household: Household, expectedVersion: number): GuardedWrite =>
  versionedPut(mainItem(household), expectedVersion, `household ${household.id}`);

export const householdHistoryWrite = (householdId: string, entry: HistoryEntry): GuardedWrite =>
  appendPut({ ...householdHistoryKey(householdId, entry.id), entity: 'HouseholdHistory', householdId, ...entry });

/** An access entry as stored: it expires after the access-log retention (`RETENTION_ACCESS_LOG_DAYS`). */
const accessItem = (entry: HouseholdAccessEntry) => ({
  ...householdAccessKey(entry.householdId, entry.id),
  entity: 'HouseholdAccess',
  ...entry,
  expiresAt: ttlAfter(entry.at, retention.accessLog),
});

export const householdAccessWrite = (entry: HouseholdAccessEntry): GuardedWrite => appendPut(accessItem(entry));

/** An access entry as a plain item, for BatchWriteItem (an import's refusals; ids derived, so a re-run writes the same). */
export const householdAccessItem = (entry: HouseholdAccessEntry): Record<string, unknown> => ({
  ...householdAccessKey(entry.householdId, entry.id),
  entity: 'HouseholdAccess',
  ...entry,
});

/** An access entry as a plain item that expires after the access-log retention, for BatchWriteItem (the households of a distribution list). */
export const expiringAccessItem = accessItem;

/** Records an access entry on its own (a read), before the data is answered. */
export async function recordHouseholdAccess(entry: HouseholdAccessEntry): Promise<void> {
  await documentClient.send(new PutCommand({ TableName: tableName, Item: accessItem(entry), ConditionExpression: 'attribute_not_exists(pk)' }));
}

/** A household by id (not a tombstone); one registered before registration codes existed gets its code here, on its first read. */
export async function getHousehold(id: string): Promise<Household | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: householdKey(id), ConsistentRead: true }));
  if (!out.Item || isTombstone(out.Item)) return undefined;
  const household = withMemberIds(toResource<Household>(out.Item));
  if (!household.code) household.code = await ensureRegistrationCode(household);
  return household;
}

/** An erased household's item: what is left of it is read through `shared/db/repositories/erasure.ts`. */
export const isTombstone = (item: Record<string, unknown>): boolean => item.entity === 'HouseholdTombstone';

/** Several households by id in one BatchGetItem (at most 100), missing ones left out; unprocessed keys are retried. */
export async function getHouseholds(ids: string[]): Promise<Household[]> {
  const items = await batchGetAll(
    [...new Set(ids)].slice(0, 100).map((id) => householdKey(id)),
    { consistent: true },
  );
  return items.filter((i) => !isTombstone(i)).map((i) => withMemberIds(toResource<Household>(i)));
}

/** Who holds a document: the household of its claim, under the current hash or a legacy one. */
export interface DocumentHolder {
  householdId: string;
  memberIndex: number;
}

/** The claim items {@link documentHolders} reads for `documents`, to read them with others ({@link Prefetched}). */
export async function documentHolderKeys(country: Country, documents: readonly DocumentHashes[]): Promise<{ pk: string; sk: string }[]> {
  return (await Promise.all(documents.map(claimHashes))).flat().map((hash) => documentClaimKey(country, hash));
}

/**
 * The holder of each document, in order (undefined: unclaimed): the claims under each document's
 * current hash and, where they can exist, its legacy ones ({@link claimHashes}), read in
 * BatchGetItem requests. A claim under the current hash wins.
 */
export async function documentHolders(
  country: Country,
  documents: readonly DocumentHashes[],
  prefetched?: Prefetched,
): Promise<(DocumentHolder | undefined)[]> {
  const candidates = await Promise.all(documents.map(claimHashes));
  const keys = [...new Set(candidates.flat())].map((hash) => documentClaimKey(country, hash));
  const byPk = new Map<string, DocumentHolder>();
  if (keys.length > 0) {
    for (const item of prefetched?.covering(keys) ?? (await batchGetAll(keys, { projection: 'pk, householdId, memberIndex' })))
      byPk.set(String(item.pk), { householdId: String(item.householdId), memberIndex: Number(item.memberIndex) });
  }
  return candidates.map((hashes) => hashes.map((hash) => byPk.get(documentClaimKey(country, hash).pk)).find((h) => h !== undefined));
}

/** The country and organisation of households (missing ones left out), any number of them. */
export async function householdOwners(ids: readonly string[]): Promise<Map<string, { country: string; org: string }>> {
  const unique = [...new Set(ids)];
  const found = new Map<string, { country: string; org: string }>();
  if (unique.length === 0) return found;
  for (const item of await batchGetAll(unique.map(householdKey), { projection: 'id, country, org' }))
    found.set(String(item.id), { country: String(item.country), org: String(item.org) });
  return found;
}

/** The claim of a document in a country: which household holds it. */
export async function getDocumentClaim(country: Country, hash: string): Promise<{ householdId: string; memberIndex: number } | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: documentClaimKey(country, hash), ConsistentRead: true }));
  return out.Item ? { householdId: out.Item.householdId as string, memberIndex: out.Item.memberIndex as number } : undefined;
}

/**
 * Ids of every household holding a document (claims first, then reviewed duplicates): one Query
 * on the partition of each of its hashes, the current one and, where they can exist, the legacy ones.
 */
export async function householdIdsByDocument(country: Country, hashes: DocumentHashes): Promise<string[]> {
  const partitions = await Promise.all(
    (await claimHashes(hashes)).map(async (hash) => {
      const out = await documentClient.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': documentPartition(country, hash) },
          ConsistentRead: true,
          Limit: 100,
        }),
      );
      return out.Items ?? [];
    }),
  );
  const items = partitions.flat();
  const ordered = [...items.filter((i) => i.sk === 'CLAIM'), ...items.filter((i) => i.sk !== 'CLAIM')].map((i) => i.householdId as string);
  return [...new Set(ordered)];
}

/** Which list a caller reads: one Query on one index partition, `status` narrowing its sort key. */
export type HouseholdListing =
  | { by: 'country'; country: string }
  | { by: 'province'; country: string; province: string }
  | { by: 'org'; country: string; org: string }
  | { by: 'orgProvince'; country: string; org: string; province: string };

/** One page of a household list (full items; the API answers summaries of them). */
export function listHouseholds(listing: HouseholdListing, status: string | undefined, page: PageRequest): Promise<Page<Household>> {
  const prefix = householdStatusPrefix(status);
  const scope = (s: string) => `households:${s}:status=${status ?? ''}`;
  switch (listing.by) {
    case 'country':
      return queryPage(page, {
        index: 'gsi4',
        partitionKey: ['gsi4pk', householdsByCountry(listing.country, '', '').gsi4pk],
        sortKeyPrefix: ['gsi4sk', prefix],
        scope: scope(`country=${listing.country}`),
      });
    case 'province':
      return queryPage(page, {
        index: 'gsi1',
        partitionKey: ['gsi1pk', householdsByProvince(listing.country, listing.province, '', '').gsi1pk],
        sortKeyPrefix: ['gsi1sk', prefix],
        scope: scope(`country=${listing.country}:province=${listing.province}`),
      });
    case 'org':
      return queryPage(page, {
        index: 'gsi2',
        partitionKey: ['gsi2pk', householdsByOrg(listing.country, listing.org, '', '').gsi2pk],
        sortKeyPrefix: ['gsi2sk', prefix],
        scope: scope(`country=${listing.country}:org=${listing.org}`),
      });
    case 'orgProvince':
      return queryPage(page, {
        index: 'gsi3',
        partitionKey: ['gsi3pk', householdsByOrgProvince(listing.country, listing.org, listing.province, '', '').gsi3pk],
        sortKeyPrefix: ['gsi3sk', prefix],
        scope: scope(`country=${listing.country}:org=${listing.org}:province=${listing.province}`),
      });
  }
}

export const listHouseholdHistory = (id: string, page: PageRequest): Promise<Page<HistoryEntry>> =>
  queryPage(page, { partitionKey: ['pk', householdKey(id).pk], sortKeyPrefix: ['sk', 'HISTORY#'], scope: `household-history:${id}` });

export const listHouseholdAccess = (id: string, page: PageRequest): Promise<Page<HouseholdAccessEntry>> =>
  queryPage(page, { partitionKey: ['pk', householdKey(id).pk], sortKeyPrefix: ['sk', 'ACCESS#'], scope: `household-access:${id}` });

/** Deletes one item (an import taking a household out again). */
export async function deleteItem(key: { pk: string; sk: string }): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: key }));
}

/**
 * A document claim an import holds for `householdId`, released: given back to `to` (the household
 * that claimed it through the API, whose claim the import overwrote), or deleted. Only while the
 * import still holds it; otherwise left as it is.
 */
export async function releaseClaim(
  key: { pk: string; sk: string },
  householdId: string,
  to: { householdId: string; memberIndex: number } | undefined,
): Promise<void> {
  try {
    if (to) {
      await documentClient.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...key, entity: 'HouseholdDocumentClaim', householdId: to.householdId, memberIndex: to.memberIndex },
          ConditionExpression: 'householdId = :held',
          ExpressionAttributeValues: { ':held': householdId },
        }),
      );
    } else {
      await documentClient.send(
        new DeleteCommand({ TableName: tableName, Key: key, ConditionExpression: 'householdId = :held', ExpressionAttributeValues: { ':held': householdId } }),
      );
    }
  } catch (e: unknown) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
}
