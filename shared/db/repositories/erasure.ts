import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { blankOut, type HouseholdTombstone } from '../../domain/erasure.ts';
import { historyEntry } from '../../domain/history.ts';
import type { Household } from '../../domain/household.ts';
import type { Principal } from '../../domain/roles.ts';
import type { HistoryEntry } from '../../domain/history.ts';
import { EventType } from '../../events/catalogue.ts';
import { outboxEvent } from '../../events/outbox.ts';
import { documentClient, tableName } from '../client.ts';
import { householdDocumentsKey, idempotentResourcePartition } from '../keys/erasure.ts';
import { ASSISTANCE_ITEM_PREFIX } from '../keys/assistance.ts';
import { releaseRegistrationCode } from './registration-codes.ts';
import { importJobKey, importsByOrg, IMPORT_ERROR_PREFIX } from '../keys/household-import.ts';
import { householdKey, householdVerificationLinkKey, recentDocumentClaimKey } from '../keys/household.ts';
import { toResource } from '../page.ts';
import { transact, type GuardedWrite } from '../transact.ts';
import { batchPutAll } from '../batch.ts';
import { householdAccessWrite, householdHistoryWrite, isTombstone, releaseClaim, type HouseholdAccessEntry } from './households.ts';
import { returnSafetyItems } from './return-safety.ts';
import { eraseDuplicateItems } from './duplicates.ts';
import { householdDemandWrites } from './priorities.ts';
import { versionedPut } from './versioned.ts';

/**
 * Erasure of a household's personal data everywhere the table keeps it (README "Data map"), and
 * the reads of the family's copy. An erasure runs in two steps, both safe to run again:
 *
 * 1. {@link eraseAround}: the items around the household — history entries rewritten without
 *    their reasons and changes, document claims (found through the household's `DOCUMENTS` item)
 *    and the day records of them deleted, the return-safety index items deleted, idempotency
 * records of its registration rewritten to answer 410, rejected import rows that named it
 *    blanked out, its people taken out of the duplicate blocking index and the reviews of its pairs
 *    deleted. The household item itself is still there, so a crash here is finished by asking
 *    again.
 * 2. {@link commitErasure}: one transaction replaces the household with its tombstone (guarded by
 *    the version read), appends the ERASED history entry and the access entry, and stores the
 *    `HouseholdErased` event. A change committed in between fails the guard; the caller asks again.
 *
 * The statistics counters are not touched: they keep the household's contribution.
 */

/** Every item of a partition whose sort key starts with `prefix` (strongly consistent, paged). */
async function queryAll(pk: string, prefix: string, extra: { filter?: string; values?: Record<string, unknown> } = {}): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix, ...extra.values },
        ...(extra.filter ? { FilterExpression: extra.filter } : {}),
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of an index partition (eventually consistent, paged). */
async function queryIndex(index: string, pkName: string, pk: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': pkName },
        ExpressionAttributeValues: { ':pk': pk },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** What is left of an erased household, or undefined (no such household, or not erased). */
export async function getTombstone(id: string): Promise<HouseholdTombstone | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: householdKey(id), ConsistentRead: true }));
  return out.Item && isTombstone(out.Item) ? toResource<HouseholdTombstone>(out.Item) : undefined;
}

/** A household's whole history, oldest first. */
export const fullHistory = async (id: string): Promise<HistoryEntry[]> =>
  (await queryAll(householdKey(id).pk, 'HISTORY#')).map((i) => toResource<HistoryEntry & { householdId?: string }>(i)).map(({ householdId: _h, ...e }) => e);

/** A household's whole access log, oldest first (entries past their retention are left out). */
export const fullAccessLog = async (id: string): Promise<HouseholdAccessEntry[]> => {
  const now = Math.floor(Date.now() / 1000);
  return (await queryAll(householdKey(id).pk, 'ACCESS#'))
    .filter((i) => typeof i.expiresAt !== 'number' || i.expiresAt > now)
    .map((i) => toResource<HouseholdAccessEntry>(i));
};

const del = async (key: { pk: string; sk: string }) => {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: key }));
};

/** A history entry without anything a person typed or a place: who, when, which action, which statuses. */
const strippedHistory = (item: Record<string, unknown>): Record<string, unknown> => {
  const { reason: _reason, changes: _changes, ...kept } = item;
  return kept;
};

/** What step 1 did, in counts (for the log line; nothing personal). */
export interface ErasedAround {
  historyEntries: number;
  documentClaims: number;
  indexItems: number;
  assistanceItems: number;
  idempotencyRecords: number;
  importRows: number;
  /** Blocking-index buckets the household's people were taken out of, and reviews of pairs it belonged to. */
  duplicateBuckets: number;
  duplicateReviews: number;
}

/**
 * Step 1 of an erasure (see the module comment). `values`: the household's personal values, blanked
 * out of rejected import rows; `replay`: the stored response an idempotency record of its
 * registration answers from now on (a 410).
 */
export async function eraseAround(household: Household, values: readonly string[], replay: unknown): Promise<ErasedAround> {
  const id = household.id;

  const history = await queryAll(householdKey(id).pk, 'HISTORY#');
  const rewritten = history.filter((i) => 'reason' in i || 'changes' in i).map(strippedHistory);
  if (rewritten.length > 0) await batchPutAll(rewritten);

  // Claims first and their list last, so that a crash in between leaves the list to finish from.
  const documents = (await documentClient.send(new GetCommand({ TableName: tableName, Key: householdDocumentsKey(id), ConsistentRead: true }))).Item;
  const claimKeys = (documents?.claimKeys ?? []) as { pk: string; sk: string }[];
  for (const key of claimKeys) {
    // A claim is deleted only while this household holds it (an import may have handed it back to another).
    if (key.sk === 'CLAIM') await releaseClaim(key, id, undefined);
    else await del(key);
  }
  for (const hash of (documents?.hashes ?? []) as string[]) await del(recentDocumentClaimKey(household.country, household.createdAt, hash));
  if (documents) await del(householdDocumentsKey(id));

  // The index items as they would be with consent to return assistance: those of a household that withdrew it are gone already.
  const indexItems = returnSafetyItems({ ...household, consent: { ...household.consent, purposes: ['RETURN_ASSISTANCE'] } });
  for (const item of indexItems) await del({ pk: String(item.pk), sk: String(item.sk) });

  // The link that lists it by verification status (`GET /v1/households?verification=`): an erased household is listed nowhere.
  if (household.verification) await del(householdVerificationLinkKey(household.country, household.verification.status, household.org, id));

  // Assistance records and their round markers (the statistics keep their counts); the code on the card no longer finds the household.
  const assistance = await eraseAssistance(id);
  if (household.code) await releaseRegistrationCode(household.country, household.code, id);

  const records = await queryIndex('gsi1', 'gsi1pk', idempotentResourcePartition(`/v1/households/${id}`));
  for (const record of records) {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { pk: record.pk, sk: record.sk },
        UpdateExpression: 'SET #response = :replay',
        ExpressionAttributeNames: { '#response': 'response' },
        ExpressionAttributeValues: { ':replay': replay },
      }),
    );
  }

  // The blocking index holds keyed hashes of its names and the reviews link it to other households: both go.
  const duplicates = await eraseDuplicateItems(household);

  const importRows = await blankOutImportRows(household, values);
  return {
    duplicateBuckets: duplicates.buckets,
    duplicateReviews: duplicates.reviews,
    historyEntries: rewritten.length,
    documentClaims: claimKeys.length,
    indexItems: indexItems.length,
    assistanceItems: assistance,
    idempotencyRecords: records.length,
    importRows,
  };
}

/**
 * Rejected rows of the organisation's imports that named the household (a document it holds) or
 * carry one of its personal values: the message is rewritten without them. Row and counts stay.
 */
async function blankOutImportRows(household: Household, values: readonly string[]): Promise<number> {
  const jobs = await queryIndex('gsi2', 'gsi2pk', importsByOrg(household.country, household.org, '').gsi2pk);
  const needles = [household.id, ...values];
  let changed = 0;
  // A filter expression names at most a few dozen values: ask in groups.
  for (let g = 0; g < needles.length; g += 20) {
    const group = needles.slice(g, g + 20);
    const filter = group.map((_, k) => `contains(message, :v${k})`).join(' OR ');
    const filterValues = Object.fromEntries(group.map((v, k) => [`:v${k}`, v]));
    for (const job of jobs) {
      for (const row of await queryAll(importJobKey(String(job.id)).pk, IMPORT_ERROR_PREFIX, { filter, values: filterValues })) {
        const message = blankOut(String(row.message).replaceAll(household.id, 'a household since erased'), values);
        await documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: row.pk, sk: row.sk },
            UpdateExpression: 'SET message = :m',
            ExpressionAttributeValues: { ':m': message },
          }),
        );
        changed++;
      }
    }
  }
  return changed;
}

/**
 * Step 2 of an erasure: the tombstone in place of the household (guarded by the version read),
 * the ERASED history entry, the access entry and the `HouseholdErased` event, in one transaction.
 */
export async function commitErasure(
  household: Household,
  tombstone: HouseholdTombstone,
  principal: Principal,
  access: HouseholdAccessEntry,
  figures: GuardedWrite[] = [],
): Promise<void> {
  const writes: GuardedWrite[] = [
    versionedPut({ ...householdKey(household.id), entity: 'HouseholdTombstone', ...tombstone }, household.version, `household ${household.id}`),
    householdHistoryWrite(household.id, historyEntry(principal, tombstone.erasedAt, 'ERASED', { from: household.status, to: 'ERASED' })),
    householdAccessWrite(access),
    outboxEvent(
      EventType.HouseholdErased,
      { type: 'Household', id: household.id },
      household.country,
      principal,
      { householdId: household.id, country: household.country, org: household.org },
      tombstone.erasedAt,
    ).write,
    // The household no longer waits near any hazard area: the priorities stop counting it (the statistics keep their counts).
    ...householdDemandWrites(household, undefined),
    // The figures of what is there now (a site's present households) lose it; the statistics of what happened keep it.
    ...figures,
  ];
  await transact(writes);
  // A record committed between step 1 and the tombstone (its transaction checks the household, which
  // the tombstone now fails): deleted here. A crash just before this line leaves such a record.
  await eraseAssistance(household.id);
}

/** Deletes a household's assistance records and markers; returns how many. */
async function eraseAssistance(householdId: string): Promise<number> {
  const items = await queryAll(householdKey(householdId).pk, ASSISTANCE_ITEM_PREFIX);
  for (const item of items) await del({ pk: String(item.pk), sk: String(item.sk) });
  return items.length;
}
