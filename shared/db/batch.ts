import { BatchGetCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '../map-limit.ts';
import { documentClient, tableName } from './client.ts';

/**
 * BatchGetItem and BatchWriteItem over any number of keys or items: split into requests of the
 * service's size (100 keys, 25 writes), a few in flight, and what DynamoDB leaves unprocessed
 * sent again with capped, jittered exponential backoff. Past {@link MAX_BATCH_ATTEMPTS} an error
 * is raised rather than looping on a throttled table.
 */
export const MAX_BATCH_ATTEMPTS = 12;

const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2)));

const chunks = <T>(all: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(all.length / size) }, (_, i) => all.slice(i * size, (i + 1) * size));

export interface BatchGetOptions {
  /** A ProjectionExpression; `names` gives its `#name` placeholders. */
  projection?: string;
  names?: Record<string, string>;
  consistent?: boolean;
  concurrency?: number;
}

/** The items of `keys` that exist (in no particular order). */
export async function batchGetAll(keys: readonly Record<string, unknown>[], options: BatchGetOptions = {}): Promise<Record<string, unknown>[]> {
  const { projection, names, consistent, concurrency = 4 } = options;
  const found: Record<string, unknown>[] = [];
  await mapLimit(chunks(keys, 100), concurrency, async (batch) => {
    let pending: Record<string, unknown>[] = batch;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${attempt} attempts`);
      if (attempt > 0) await pause(attempt);
      const request = {
        Keys: pending,
        ...(consistent ? { ConsistentRead: true } : {}),
        ...(projection ? { ProjectionExpression: projection } : {}),
        ...(names ? { ExpressionAttributeNames: names } : {}),
      };
      const out = await documentClient.send(new BatchGetCommand({ RequestItems: { [tableName]: request } }));
      found.push(...(out.Responses?.[tableName] ?? []));
      pending = (out.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  });
  return found;
}

type ItemKey = { pk: string; sk: string };
const keyOf = (key: Record<string, unknown>): string => `${String(key.pk)}\u0000${String(key.sk)}`;

/**
 * Items read by key together, for the lookups of one request that would each have made a
 * BatchGetItem of their own (a registration's document claims, registration code and duplicate
 * buckets): one round trip, consistent reads, whole items (each lookup takes what it needs).
 */
export class Prefetched {
  private readonly keys: ReadonlySet<string>;
  private readonly items: ReadonlyMap<string, Record<string, unknown>>;

  private constructor(keys: ReadonlySet<string>, items: ReadonlyMap<string, Record<string, unknown>>) {
    this.keys = keys;
    this.items = items;
  }

  static async read(keys: readonly ItemKey[]): Promise<Prefetched> {
    const unique = [...new Map(keys.map((k) => [keyOf(k), k])).values()];
    const items = unique.length > 0 ? await batchGetAll(unique, { consistent: true }) : [];
    return new Prefetched(new Set(unique.map(keyOf)), new Map(items.map((item) => [keyOf(item), item])));
  }

  /** The item of `key` (undefined when it does not exist); only for a key read here. */
  get(key: ItemKey): Record<string, unknown> | undefined {
    if (!this.keys.has(keyOf(key))) throw new Error(`not prefetched: ${key.pk}`);
    return this.items.get(keyOf(key));
  }

  /** The existing items of `keys` when every one was read here; undefined otherwise (the caller reads them). */
  covering(keys: readonly ItemKey[]): Record<string, unknown>[] | undefined {
    if (!keys.every((k) => this.keys.has(keyOf(k)))) return undefined;
    return keys.flatMap((k): Record<string, unknown>[] => {
      const item = this.items.get(keyOf(k));
      return item ? [item] : [];
    });
  }
}

/** Puts every item (idempotent: a re-run writes the same items again). */
export async function batchPutAll(items: readonly Record<string, unknown>[], concurrency = 4): Promise<void> {
  await mapLimit(chunks(items, 25), concurrency, async (batch) => {
    let requests = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed after ${attempt} attempts`);
      if (attempt > 0) await pause(attempt);
      const out = await documentClient.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  });
}
