import { createHmac, hkdfSync } from 'node:crypto';
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Country } from '../../domain/common.ts';
import {
  blockingEntries,
  comparedYears,
  scorePair,
  type BlockingEntry,
  type DuplicateMark,
  type DuplicateReview,
  type MemberMatch,
  type OriginPlace,
} from '../../domain/duplicates.ts';
import type { HistoryEntry } from '../../domain/task.ts';
import { ConflictError, StaleVersion } from '../../errors.ts';
import { documentHashKey } from '../../secrets.ts';
import { mapLimit } from '../../map-limit.ts';
import { batchGetAll, type Prefetched } from '../batch.ts';
import { documentClient, tableName } from '../client.ts';
import {
  BLOCKING_REF_PREFIX,
  blockingBucketKey,
  blockingRefName,
  DUPLICATE_PAIR_PREFIX,
  duplicatePairKey,
  duplicateReviewKey,
  duplicateReviewsByCountry,
  duplicateReviewStatusPrefix,
} from '../keys/duplicate.ts';
import { householdHistoryKey, householdKey } from '../keys/household.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import { transact, type GuardedWrite } from '../transact.ts';

/**
 * The blocking index and review queue of possible duplicates without documents (see
 * `shared/domain/duplicates.ts` for the rule and `shared/db/keys/duplicate.ts` for the items).
 * Bucket items hold a keyed hash (never a name), the household, its organisation (so that who may
 * read a match is known without reading the household) and the member's index and year.
 */

interface Person {
  country: string;
  id: string;
  org: string;
  origin: OriginPlace;
  members: readonly { givenName: string; familyName: string; birthYear: number }[];
}

let derived: { from: string; key: Buffer } | undefined;

/**
 * The key of the blocking hash: derived (HKDF-SHA256) from the document-hash secret, which every
 * function that registers or erases households already holds, under its own label, so that neither
 * hash can be compared with the other.
 */
async function blockingKey(): Promise<Buffer> {
  const secret = await documentHashKey();
  if (derived?.from !== secret) derived = { from: secret, key: Buffer.from(hkdfSync('sha256', secret, 'clearway', 'duplicate-blocking-key', 32)) };
  return derived.key;
}

/** Hex HMAC-SHA256 of `<country>\n<place>\n<normalised name>`: who is filed together, without the name. */
export async function blockingHash(country: string, entry: Pick<BlockingEntry, 'place' | 'name'>): Promise<string> {
  return createHmac('sha256', await blockingKey())
    .update(`${country}\n${entry.place}\n${entry.name}`)
    .digest('hex');
}

/** One person as a bucket holds it. */
interface BucketRef {
  h: string;
  o: string;
  m: number;
  y: number;
  a4?: string;
}

type Keyed = BlockingEntry & { key: { pk: string; sk: string } };

async function keyedEntries(person: Person): Promise<Keyed[]> {
  const entries = blockingEntries(person);
  const hashes = new Map<string, string>();
  for (const e of entries) if (!hashes.has(`${e.place}\n${e.name}`)) hashes.set(`${e.place}\n${e.name}`, await blockingHash(person.country, e));
  return entries.map((e) => ({ ...e, key: blockingBucketKey(person.country, hashes.get(`${e.place}\n${e.name}`)!) }));
}

/** The entries grouped by bucket: one update per item (two members of one name share one). */
function byBucket(entries: readonly Keyed[]): Keyed[][] {
  const groups = new Map<string, Keyed[]>();
  for (const e of entries) groups.set(e.key.pk, [...(groups.get(e.key.pk) ?? []), e]);
  return [...groups.values()];
}

/**
 * The writes that file a household's people in the blocking index: one UpdateItem per bucket,
 * adding each person's attribute and counting it (`n`, so an erasure deletes a bucket it empties);
 * refused for a person filed already.
 */
export async function blockingWrites(person: Person): Promise<GuardedWrite[]> {
  return byBucket(await keyedEntries(person)).map((group) => bucketUpdate(group.map((entry) => ({ person, entry }))));
}

/**
 * The blocking index's change when households go from `before` to `after` (undefined: not existing)
 * — a member added, corrected, departed, or split off into a new household — as writes of the
 * change's transaction: people no longer there taken out, new or moved ones filed, one update per
 * bucket for all the households given (a member moving to a split-off household stays in its bucket).
 */
export async function blockingChangeWrites(changes: readonly [Person | undefined, Person | undefined][]): Promise<GuardedWrite[]> {
  const buckets = new Map<string, { key: Key; country: string; before: Map<string, BucketRef>; after: Map<string, BucketRef> }>();
  const add = async (person: Person | undefined, side: 'before' | 'after') => {
    if (!person) return;
    for (const entry of await keyedEntries(person)) {
      const bucket = buckets.get(entry.key.pk) ?? { key: entry.key, country: person.country, before: new Map(), after: new Map() };
      bucket[side].set(blockingRefName(person.id, entry.memberIndex), bucketRef(person, entry));
      buckets.set(entry.key.pk, bucket);
    }
  };
  for (const [before, after] of changes) {
    await add(before, 'before');
    await add(after, 'after');
  }
  const writes: GuardedWrite[] = [];
  for (const { key, country, before, after } of buckets.values()) {
    const removed = [...before.keys()].filter((name) => !after.has(name));
    const set = [...after].filter(([name, ref]) => JSON.stringify(before.get(name)) !== JSON.stringify(ref));
    if (removed.length === 0 && set.length === 0) continue;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':entity': 'DuplicateBlockingBucket', ':country': country, ':n': after.size - before.size };
    for (const [k, name] of removed.entries()) names[`#x${k}`] = name;
    const sets = set.map(([name, ref], k) => {
      names[`#r${k}`] = name;
      values[`:r${k}`] = ref;
      return `#r${k} = :r${k}`;
    });
    writes.push({
      item: {
        Update: {
          TableName: tableName,
          Key: key,
          UpdateExpression: [
            `SET ${[...sets, 'entity = :entity', 'country = :country'].join(', ')}`,
            removed.length ? `REMOVE ${removed.map((_, k) => `#x${k}`).join(', ')}` : '',
            'ADD n :n',
          ]
            .filter(Boolean)
            .join(' '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    });
  }
  return writes;
}

type Key = { pk: string; sk: string };

/**
 * Files the people of many households (an import's): one update per bucket for all of them, a
 * hundred buckets to a transaction; a transaction refused because someone is filed already (a pass
 * run again) is filed bucket by bucket, then person by person, each person once.
 */
export async function fileMany(people: readonly Person[], concurrency = 4): Promise<number> {
  const groups = new Map<string, { person: Person; entry: Keyed }[]>();
  for (const person of people)
    for (const entry of await keyedEntries(person)) groups.set(entry.key.pk, [...(groups.get(entry.key.pk) ?? []), { person, entry }]);
  const all = [...groups.values()];
  const chunks = Array.from({ length: Math.ceil(all.length / 100) }, (_, i) => all.slice(i * 100, (i + 1) * 100));
  const refused = (e: unknown) => {
    if (!(e instanceof Error && (e.name === 'TransactionCanceledException' || e.name === 'ConditionalCheckFailedException'))) throw e;
  };
  const file = (buckets: { person: Person; entry: Keyed }[][]) =>
    transact(buckets.map((members) => bucketUpdate(members.map(({ person, entry }) => ({ person, entry })))));
  await mapLimit(chunks, concurrency, async (chunk) => {
    try {
      await file(chunk);
    } catch (e: unknown) {
      refused(e);
      for (const members of chunk) {
        await file([members]).catch(async (again: unknown) => {
          refused(again);
          for (const one of members) await file([[one]]).catch(refused);
        });
      }
    }
  });
  return groups.size;
}

/** One bucket's update adding people to it, refused if any of them is in it already. */
function bucketUpdate(members: { person: Person; entry: BlockingEntry & { key: { pk: string; sk: string } } }[]): GuardedWrite {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':entity': 'DuplicateBlockingBucket', ':country': members[0]!.person.country, ':n': members.length };
  const sets = members.map(({ person, entry }, k) => {
    names[`#r${k}`] = blockingRefName(person.id, entry.memberIndex);
    values[`:r${k}`] = bucketRef(person, entry);
    return `#r${k} = :r${k}`;
  });
  return {
    item: {
      Update: {
        TableName: tableName,
        Key: members[0]!.entry.key,
        UpdateExpression: `SET ${sets.join(', ')}, entity = :entity, country = :country ADD n :n`,
        // Filed once: a pass run again leaves the bucket (and its count) as it is.
        ConditionExpression: members.map((_, k) => `attribute_not_exists(#r${k})`).join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  };
}

const bucketRef = (person: Person, e: BlockingEntry): BucketRef => ({
  h: person.id,
  o: person.org,
  m: e.memberIndex,
  y: e.birthYear,
  ...(person.origin.adm4 ? { a4: person.origin.adm4 } : {}),
});

/**
 * The bucket items of many households at once, merged per bucket, for BatchWriteItem into a table
 * that holds none of them yet (a bulk load: the benchmark's population).
 */
export async function blockingBucketItems(people: readonly Person[]): Promise<Record<string, unknown>[]> {
  const items = new Map<string, Record<string, unknown>>();
  for (const person of people) {
    for (const e of await keyedEntries(person)) {
      const item = items.get(e.key.pk) ?? { ...e.key, entity: 'DuplicateBlockingBucket', country: person.country, n: 0 };
      const ref: BucketRef = { h: person.id, o: person.org, m: e.memberIndex, y: e.birthYear, ...(person.origin.adm4 ? { a4: person.origin.adm4 } : {}) };
      item[blockingRefName(person.id, e.memberIndex)] = ref;
      item.n = Number(item.n) + 1;
      items.set(e.key.pk, item);
    }
  }
  return [...items.values()];
}

/** The households sharing a person with the one looked for, with their organisation and member matches. */
export interface Candidate {
  householdId: string;
  org: string;
  matches: MemberMatch[];
}

/**
 * The households of the same country with a person of the same normalised name, born within a year,
 * from the same origin commune or village: one BatchGetItem of one bucket per person and place
 * (`itemsRead`, the same however many people are filed). The household itself is left out.
 */
export async function findCandidates(person: Person, prefetched?: Prefetched): Promise<{ candidates: Candidate[]; itemsRead: number }> {
  const wanted = await lookups(person);
  const keys = [...wanted.values()].map((w) => w.key);
  const buckets = keys.length > 0 ? (prefetched?.covering(keys) ?? (await batchGetAll(keys))) : [];
  return { candidates: candidatesIn(person, wanted, new Map(buckets.map((b) => [String(b.pk), b]))), itemsRead: wanted.size };
}

/** The bucket items {@link findCandidates} reads for `person`, to read them with others ({@link Prefetched}). */
export async function candidateKeys(person: Person): Promise<{ pk: string; sk: string }[]> {
  return [...(await lookups(person)).values()].map((w) => w.key);
}

/** {@link findCandidates} for many households at once (an import's): their buckets read together, each once. */
export async function findCandidatesMany(people: readonly Person[]): Promise<Candidate[][]> {
  const wanted = await Promise.all(people.map(lookups));
  const keys = new Map(wanted.flatMap((w) => [...w.values()].map((v) => [v.key.pk, v.key] as const)));
  const buckets = keys.size > 0 ? await batchGetAll([...keys.values()]) : [];
  const byPk = new Map(buckets.map((b) => [String(b.pk), b]));
  return people.map((person, k) => candidatesIn(person, wanted[k]!, byPk));
}

type Lookups = Map<string, { key: { pk: string; sk: string }; looking: Keyed[] }>;

/** The buckets a household's people are looked up in (one per name and place), and who looks in each. */
async function lookups(person: Person): Promise<Lookups> {
  const wanted: Lookups = new Map();
  for (const e of await keyedEntries(person)) {
    const slot = wanted.get(e.key.pk) ?? { key: e.key, looking: [] };
    slot.looking.push(e);
    wanted.set(e.key.pk, slot);
  }
  return wanted;
}

function candidatesIn(person: Person, wanted: Lookups, buckets: Map<string, Record<string, unknown>>): Candidate[] {
  const found = new Map<string, Candidate>();
  for (const [pk, { looking }] of wanted) {
    const bucket = buckets.get(pk);
    if (!bucket) continue;
    for (const [name, value] of Object.entries(bucket)) {
      if (!name.startsWith(BLOCKING_REF_PREFIX)) continue;
      const ref = value as BucketRef;
      if (ref.h === person.id) continue;
      // Born within a year of each other (the bucket holds every year).
      const near = looking.filter((e) => comparedYears(e.birthYear).includes(ref.y));
      if (near.length === 0) continue;
      const candidate = found.get(ref.h) ?? { householdId: ref.h, org: ref.o, matches: [] };
      for (const e of near) {
        const sameVillage = e.kind === 'VILLAGE' || (person.origin.adm4 !== undefined && person.origin.adm4 === ref.a4);
        candidate.matches.push({
          memberIndex: e.memberIndex,
          otherMemberIndex: ref.m,
          sameYear: ref.y === e.birthYear,
          place: sameVillage ? 'VILLAGE' : 'COMMUNE',
        });
      }
      found.set(ref.h, candidate);
    }
  }
  return [...found.values()];
}

/** Raised when a pair is already on the queue (an import pass run again). */
export class PairAlreadyQueued extends ConflictError {}

/** A review for a pair found by `findCandidates`: the earlier household first. */
export function newReview(
  id: string,
  country: string,
  existing: Candidate,
  foundBy: string,
  source: DuplicateReview['source'],
  at: string,
  actor: string,
  importId?: string,
): DuplicateReview {
  const { score, reasons } = scorePair(existing.matches);
  return {
    id,
    version: 1,
    country,
    householdIds: [existing.householdId, foundBy],
    score,
    reasons,
    source,
    ...(importId ? { importId } : {}),
    status: 'PENDING',
    createdAt: at,
    updatedAt: at,
    createdBy: actor,
  };
}

const reviewItem = (r: DuplicateReview) => ({
  ...duplicateReviewKey(r.id),
  ...duplicateReviewsByCountry(r.country, r.status, r.id),
  entity: 'DuplicateReview',
  ...r,
});

/** A review and the pair's two links (which refuse a pair queued before: `PairAlreadyQueued`). */
export function reviewWrites(review: DuplicateReview): GuardedWrite[] {
  const [a, b] = review.householdIds;
  const link = (self: string, other: string): GuardedWrite => ({
    item: {
      Put: {
        TableName: tableName,
        Item: { ...duplicatePairKey(self, other), entity: 'DuplicatePair', reviewId: review.id, householdId: self, otherHouseholdId: other },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    onConditionFailed: () => new PairAlreadyQueued(`The pair ${a} / ${b} is already on the review queue.`),
  });
  return [{ item: { Put: { TableName: tableName, Item: reviewItem(review), ConditionExpression: 'attribute_not_exists(pk)' } } }, link(a, b), link(b, a)];
}

export async function getReview(id: string): Promise<DuplicateReview | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: duplicateReviewKey(id), ConsistentRead: true }));
  return out.Item ? toResource<DuplicateReview>(out.Item) : undefined;
}

/** A country's reviews (of one status), oldest first: a Query on gsi1. */
export function listReviews(country: Country, status: string | undefined, page: PageRequest): Promise<Page<DuplicateReview>> {
  return queryPage<DuplicateReview>(page, {
    index: 'gsi1',
    partitionKey: ['gsi1pk', duplicateReviewsByCountry(country, '', '').gsi1pk],
    ...(status ? { sortKeyPrefix: ['gsi1sk', duplicateReviewStatusPrefix(status)] as [string, string] } : {}),
    scope: `duplicate-reviews:${country}:${status ?? ''}`,
  });
}

/** The decided review, guarded by the version it was decided on. */
export function decidedReviewWrite(decided: DuplicateReview, expectedVersion: number): GuardedWrite {
  return {
    item: {
      Put: {
        TableName: tableName,
        Item: reviewItem(decided),
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      },
    },
    onConditionFailed: () => new StaleVersion(`The review has changed since version ${expectedVersion} was read: read it again.`),
  };
}

/**
 * A SAME decision's mark on a household: appended to `duplicateReviews`, its version raised (an
 * offline copy based on the older one is refused, not overwritten), with its history entry. Not on
 * an erased household (the decision is then refused).
 */
export function markSameWrites(householdId: string, mark: DuplicateMark, history: HistoryEntry): GuardedWrite[] {
  return [
    {
      item: {
        Update: {
          TableName: tableName,
          Key: householdKey(householdId),
          UpdateExpression: 'SET duplicateReviews = list_append(if_not_exists(duplicateReviews, :none), :mark), #version = #version + :one, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND entity = :household',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':none': [], ':mark': [mark], ':one': 1, ':at': mark.at, ':household': 'Household' },
        },
      },
      onConditionFailed: () => new ConflictError(`Household ${householdId} of this pair has been erased: the review can no longer be decided.`),
    },
    {
      item: {
        Put: {
          TableName: tableName,
          Item: { ...householdHistoryKey(householdId, history.id), entity: 'HouseholdHistory', householdId, ...history },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    },
  ];
}

/**
 * What an erasure removes: the household's people from their buckets (a bucket it empties is
 * deleted), then each review of a pair it belongs to, with both links. Re-runnable.
 */
export async function eraseDuplicateItems(person: Person): Promise<{ buckets: number; reviews: number }> {
  const groups = byBucket(await keyedEntries(person));
  for (const group of groups) {
    const names = Object.fromEntries(group.map((e, k) => [`#r${k}`, blockingRefName(person.id, e.memberIndex)]));
    const present = group.map((_, k) => `attribute_exists(#r${k})`).join(' OR ');
    try {
      const out = await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: group[0]!.key,
          UpdateExpression: `REMOVE ${Object.keys(names).join(', ')} ADD n :minus`,
          ConditionExpression: present,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':minus': -group.length },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (Number(out.Attributes?.n ?? 0) <= 0) {
        await documentClient
          .send(new DeleteCommand({ TableName: tableName, Key: group[0]!.key, ConditionExpression: 'n <= :zero', ExpressionAttributeValues: { ':zero': 0 } }))
          .catch(ignoreConditionFailed);
      }
    } catch (e: unknown) {
      ignoreConditionFailed(e);
    }
  }
  let reviews = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': householdKey(person.id).pk, ':prefix': DUPLICATE_PAIR_PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const link of out.Items ?? []) {
      const other = String(link.otherHouseholdId);
      await documentClient.send(new DeleteCommand({ TableName: tableName, Key: duplicateReviewKey(String(link.reviewId)) }));
      await documentClient.send(new DeleteCommand({ TableName: tableName, Key: duplicatePairKey(other, person.id) }));
      await documentClient.send(new DeleteCommand({ TableName: tableName, Key: duplicatePairKey(person.id, other) }));
      reviews++;
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { buckets: groups.length, reviews };
}

function ignoreConditionFailed(e: unknown): void {
  if (!(e instanceof Error && e.name === 'ConditionalCheckFailedException')) throw e;
}
