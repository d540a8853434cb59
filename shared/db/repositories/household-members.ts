import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { positionalMemberId, summarise, type Household, type HouseholdSummary } from '../../domain/household.ts';
import { ConflictError } from '../../errors.ts';
import { batchGetAll } from '../batch.ts';
import { documentClient, tableName } from '../client.ts';
import {
  documentClaimKey,
  documentDuplicateKey,
  householdVerificationLinkKey,
  householdVerificationOrgPrefix,
  householdVerificationPartition,
} from '../keys/household.ts';
import { householdDocumentsKey } from '../keys/erasure.ts';
import { queryPage, type Page, type PageRequest } from '../page.ts';
import type { GuardedWrite } from '../transact.ts';
import { copyPut } from './versioned.ts';
import { DocumentAlreadyClaimed, getHouseholds, type DocumentRef } from './households.ts';

/**
 * What a household's members and verification keep beside its main item: the items derived from
 * them, and the document claims a split moves. Every change of members or verification writes
 * {@link derivedItemWrites} in its transaction, so the derived items never drift from the household.
 */

type Key = { pk: string; sk: string };
const keyString = (k: Key) => `${k.pk}\u0000${k.sk}`;

/**
 * The items derived from a household's members and verification, recomputed from the household
 * alone: today the verification list link. The duplicate blocking index is kept beside these by
 * `blockingChangeWrites` (`duplicates.ts`): its keys are keyed hashes (async) and its items are shared
 * by several households, so it is updated, not put.
 */
export function householdDerivedItems(h: Household): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  if (h.verification)
    items.push({ ...householdVerificationLinkKey(h.country, h.verification.status, h.org, h.id), entity: 'HouseholdVerificationLink', householdId: h.id });
  return items;
}

/** The derived items' change when a household goes from `before` to `after` (undefined: not existing): stale ones deleted, current ones put. */
export function derivedItemWrites(before: Household | undefined, after: Household | undefined): GuardedWrite[] {
  const next = after ? householdDerivedItems(after) : [];
  const kept = new Set(next.map((i) => keyString(i as Key)));
  const stale = (before ? householdDerivedItems(before) : []).filter((i) => !kept.has(keyString(i as Key)));
  return [...stale.map((i): GuardedWrite => ({ item: { Delete: { TableName: tableName, Key: { pk: i.pk, sk: i.sk } } } })), ...next.map(copyPut)];
}

/**
 * One page of a country's households with a verification status (of one organisation, when named):
 * a Query of the status's link partition, then the households (one BatchGetItem) as summaries.
 */
export async function listHouseholdsByVerification(
  country: string,
  status: string,
  org: string | undefined,
  page: PageRequest,
): Promise<Page<HouseholdSummary>> {
  const prefix = householdVerificationOrgPrefix(org);
  const links = await queryPage<{ householdId: string }>(page, {
    partitionKey: ['pk', householdVerificationPartition(country, status)],
    sortKeyPrefix: ['sk', prefix],
    scope: `hh-verification:${country}:${status}:${prefix}`,
  });
  const found = new Map((await getHouseholds(links.items.map((l) => l.householdId))).map((h) => [h.id, h]));
  return { items: links.items.flatMap((l) => (found.has(l.householdId) ? [summarise(found.get(l.householdId)!)] : [])), next: links.next };
}

/** One document claim (or reviewed duplicate) of a household, with the member holding it. */
export interface HeldDocument {
  key: Key;
  hash: string;
  memberId: string;
  duplicate: boolean;
}

/** The documents a household holds (from its DOCUMENTS item, then the claims themselves for who holds each): two reads. */
export async function householdDocuments(householdId: string): Promise<HeldDocument[]> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: householdDocumentsKey(householdId), ConsistentRead: true }));
  const keys = (out.Item?.claimKeys ?? []) as Key[];
  const hashes = (out.Item?.hashes ?? []) as string[];
  if (keys.length === 0) return [];
  const claims = new Map((await batchGetAll(keys, { consistent: true })).map((c) => [keyString(c as Key), c]));
  return keys.flatMap((key, i) => {
    const claim = claims.get(keyString(key));
    // A claim an import gave back to another household is no longer this one's.
    if (!claim || claim.householdId !== householdId) return [];
    const memberId = typeof claim.memberId === 'string' ? claim.memberId : positionalMemberId(householdId, Number(claim.memberIndex));
    return [{ key, hash: hashes[i] ?? '', memberId, duplicate: key.sk !== 'CLAIM' }];
  });
}

/** The DOCUMENTS item of a household holding `docs` (deleted when it holds none). */
const documentsItemWrite = (householdId: string, docs: readonly HeldDocument[]): GuardedWrite =>
  docs.length === 0
    ? { item: { Delete: { TableName: tableName, Key: householdDocumentsKey(householdId) } } }
    : copyPut({
        ...householdDocumentsKey(householdId),
        entity: 'HouseholdDocuments',
        householdId,
        claimKeys: docs.map((d) => d.key),
        hashes: docs.map((d) => d.hash),
      });

/**
 * The writes that move the documents of the members who leave `from` for `to` (a split): each
 * claim is rewritten to the new household (only while `from` still holds it), a reviewed
 * duplicate's `DUP#` item is re-keyed, and both DOCUMENTS items list what each now holds.
 */
export function documentMoveWrites(from: Household, to: Household, held: readonly HeldDocument[]): GuardedWrite[] {
  const movingIds = new Set(to.members.map((m) => m.id));
  const staying = held.filter((d) => !movingIds.has(d.memberId));
  const moving = held.filter((d) => movingIds.has(d.memberId));
  if (moving.length === 0) return [];
  const writes: GuardedWrite[] = [documentsItemWrite(from.id, staying)];
  const moved: HeldDocument[] = [];
  for (const d of moving) {
    const memberIndex = to.members.findIndex((m) => m.id === d.memberId);
    const fields = { householdId: to.id, memberIndex, memberId: d.memberId };
    if (d.duplicate) {
      const key = { pk: d.key.pk, sk: documentDuplicateKey(to.country, '', to.id).sk };
      writes.push({
        item: { Delete: { TableName: tableName, Key: d.key, ConditionExpression: 'householdId = :from', ExpressionAttributeValues: { ':from': from.id } } },
        onConditionFailed: () => new ConflictError(claimMoved),
      });
      writes.push(copyPut({ ...key, entity: 'HouseholdDocumentDuplicate', ...fields }));
      moved.push({ ...d, key });
    } else {
      writes.push({
        item: {
          Put: {
            TableName: tableName,
            Item: { ...d.key, entity: 'HouseholdDocumentClaim', ...fields },
            ConditionExpression: 'householdId = :from',
            ExpressionAttributeValues: { ':from': from.id },
          },
        },
        onConditionFailed: () => new ConflictError(claimMoved),
      });
      moved.push(d);
    }
  }
  writes.push(documentsItemWrite(to.id, moved));
  return writes;
}
const claimMoved = 'A document of the household changed hands while the split was prepared: read the household again and retry.';

/**
 * The writes of a document claimed for a member added to a stored household: the claim (or, for a
 * reviewed duplicate, the `DUP#` item), created only if nobody holds it ({@link DocumentAlreadyClaimed}
 * otherwise), and the household's DOCUMENTS item extended with it.
 */
export function addedDocumentWrites(household: Household, ref: DocumentRef): GuardedWrite[] {
  const memberId = household.members[ref.memberIndex]!.id;
  const key = ref.duplicate ? documentDuplicateKey(household.country, ref.hash, household.id) : documentClaimKey(household.country, ref.hash);
  return [
    {
      item: {
        Put: {
          TableName: tableName,
          Item: {
            ...key,
            entity: ref.duplicate ? 'HouseholdDocumentDuplicate' : 'HouseholdDocumentClaim',
            householdId: household.id,
            memberIndex: ref.memberIndex,
            memberId,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed: () => new DocumentAlreadyClaimed(ref.hash, ref.memberIndex),
    },
    {
      item: {
        Update: {
          TableName: tableName,
          Key: householdDocumentsKey(household.id),
          UpdateExpression:
            'SET claimKeys = list_append(if_not_exists(claimKeys, :none), :key), hashes = list_append(if_not_exists(hashes, :none), :hash), householdId ' +
            '= :id, entity = :entity',
          ExpressionAttributeValues: { ':none': [], ':key': [key], ':hash': [ref.hash], ':id': household.id, ':entity': 'HouseholdDocuments' },
        },
      },
    },
  ];
}
