import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { retention } from '../config.ts';
import { documentClient, tableName } from '../db/client.ts';
import { idempotencyOfResource } from '../db/keys/erasure.ts';
import type { Context } from 'hono';
import { transact, type GuardedWrite } from '../db/transact.ts';
import { send, type AppEnv } from './api.ts';
import { BadRequest, Conflict } from './problem.ts';

/**
 * Idempotent creates (DESIGN section 4). The record of a create is written in the same
 * DynamoDB transaction as the resource itself, so there is no window in which the resource
 * exists without its record (or the reverse): a retry after a crash, a timeout or a lost
 * response finds either both or neither.
 *
 * Powertools' idempotency utility was considered and not used: it persists its record in a
 * separate write before and after the handler (INPROGRESS, then COMPLETED), which cannot join
 * the resource's transaction; a crash between the two leaves the key blocked until expiry,
 * and its payload validation does not give the 409 this API promises.
 */
export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export interface IdempotencyContext {
  key: string;
  requestHash: string;
  recordKey: { pk: string; sk: string };
}

/** Records expire (DynamoDB TTL) a day (`RETENTION_IDEMPOTENCY_HOURS`) after the first request. */
const RETENTION_SECONDS = retention.idempotency;
const KEY_PATTERN = /^[A-Za-z0-9_.:\-]{1,128}$/;

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
};

/** Hash of what makes two requests "the same": operation and body, key order ignored. */
export const requestHash = (operation: string, body: unknown): string =>
  createHash('sha256').update(operation).update('\n').update(JSON.stringify(canonical(body) ?? null)).digest('hex');

/** Keys are scoped to the caller: one client's key never replays another's response. */
export const idempotencyRecordKey = (subject: string, key: string) => ({ pk: `IDEMPOTENCY#${subject}#${key}`, sk: 'IDEMPOTENCY' });

export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!KEY_PATTERN.test(header)) {
    throw new BadRequest('Idempotency-Key must be 1 to 128 characters of letters, digits and _ . : -', [{ path: 'header.idempotency-key', message: 'malformed key' }]);
  }
  return header;
}

/**
 * Looks the key up. Returns the stored response for a true retry, throws 409 for the same key
 * with another request, and otherwise returns the context a create passes to its transaction.
 */
export async function beginIdempotent(subject: string, key: string, hash: string): Promise<{ replay: StoredResponse } | { context: IdempotencyContext }> {
  const recordKey = idempotencyRecordKey(subject, key);
  const found = await documentClient.send(new GetCommand({ TableName: tableName, Key: recordKey, ConsistentRead: true }));
  const record = found.Item;
  if (!record || (typeof record.expiresAt === 'number' && record.expiresAt * 1000 < Date.now())) {
    return { context: { key, requestHash: hash, recordKey } };
  }
  if (record.requestHash !== hash) {
    throw new Conflict('This Idempotency-Key was already used with a different request. Use a new key for a new request.', { idempotencyKey: key });
  }
  return { replay: record.response as StoredResponse };
}

/** Raised when a concurrent request with the same key committed first. */
export class IdempotencyRaceLost extends Error {
  constructor() {
    super('idempotency key committed concurrently');
    this.name = 'IdempotencyRaceLost';
  }
}

/** The write that stores the response of a create, for the create's own transaction. */
export function idempotencyWrite(context: IdempotencyContext, response: StoredResponse, now = new Date()): GuardedWrite {
  return {
    item: {
      Put: {
        TableName: tableName,
        Item: {
          ...context.recordKey,
          // Found by what it created, so that an erasure can rewrite it.
          ...(response.headers.Location ? idempotencyOfResource(response.headers.Location, context.recordKey.pk) : {}),
          entity: 'IdempotencyRecord',
          requestHash: context.requestHash,
          response,
          createdAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS,
        },
        // An expired record that TTL has not deleted yet may be overwritten.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
      },
    },
    onConditionFailed: () => new IdempotencyRaceLost(),
  };
}

/**
 * Commits the writes of a create together with the record of its response (when the request
 * carried an Idempotency-Key), then answers with that response.
 */
export async function commitCreate(c: Context<AppEnv>, writes: GuardedWrite[], response: StoredResponse, context: IdempotencyContext | undefined): Promise<Response> {
  await transact(context ? [...writes, idempotencyWrite(context, response)] : writes);
  return send(c, response);
}
