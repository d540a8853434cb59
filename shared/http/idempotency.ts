import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { retention } from '../config.ts';
import { documentClient, tableName } from '../db/client.ts';
import { idempotencyOfResource } from '../db/keys/erasure.ts';
import type { Context } from 'hono';
import { transact, type GuardedWrite } from '../db/transact.ts';
import { send, type AppEnv, type StoredResponse } from './context.ts';
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

/** The answer to a create: its response and the id of the resource it created. */
export interface CreatedResponse extends StoredResponse {
  /** The created resource's id, all a replay needs to read it again. */
  id: string;
}

/**
 * What the record of a create keeps: the status, the resource's id and the `ETag`/`Location`
 * headers, never the body. A replay reads the resource afresh, with the caller's scope of the
 * moment ({@link RouteSpec.reread}), so a record holds no personal data and grants no access.
 */
export interface IdempotencyOutcome {
  status: number;
  id: string;
  headers: { ETag?: string; Location?: string };
}

export interface IdempotencyContext {
  key: string;
  requestHash: string;
  recordKey: { pk: string; sk: string };
}

/** Records expire (DynamoDB TTL) a day (`RETENTION_IDEMPOTENCY_HOURS`) after the first request. */
const RETENTION_SECONDS = retention.idempotency;
const KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
};

/** Hash of what makes two requests "the same": operation and body, key order ignored. */
export const requestHash = (operation: string, body: unknown): string =>
  createHash('sha256')
    .update(operation)
    .update('\n')
    .update(JSON.stringify(canonical(body) ?? null))
    .digest('hex');

/** Keys are scoped to the caller: one client's key never replays another's response. */
export const idempotencyRecordKey = (subject: string, key: string) => ({ pk: `IDEMPOTENCY#${subject}#${key}`, sk: 'IDEMPOTENCY' });

export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!KEY_PATTERN.test(header)) {
    throw new BadRequest('Idempotency-Key must be 1 to 128 characters of letters, digits and _ . : -', [
      { path: 'header.idempotency-key', message: 'malformed key' },
    ]);
  }
  return header;
}

/**
 * Looks the key up. Returns the stored response for a true retry, throws 409 for the same key
 * with another request, and otherwise returns the context a create passes to its transaction.
 */
export async function beginIdempotent(subject: string, key: string, hash: string): Promise<{ replay: IdempotencyOutcome } | { context: IdempotencyContext }> {
  const recordKey = idempotencyRecordKey(subject, key);
  const found = await documentClient.send(new GetCommand({ TableName: tableName, Key: recordKey, ConsistentRead: true }));
  const record = found.Item;
  if (!record || (typeof record.expiresAt === 'number' && record.expiresAt * 1000 < Date.now())) {
    return { context: { key, requestHash: hash, recordKey } };
  }
  if (record.requestHash !== hash) {
    throw new Conflict('This Idempotency-Key was already used with a different request. Use a new key for a new request.', { idempotencyKey: key });
  }
  return { replay: outcomeOf(record) };
}

/** The outcome a record holds; a record written before outcomes replaced whole responses gives only its status, id and headers. */
function outcomeOf(record: Record<string, unknown>): IdempotencyOutcome {
  if (record.outcome) return record.outcome as IdempotencyOutcome;
  const legacy = record.response as { status: number; body?: { id?: unknown }; headers?: Record<string, string> };
  return { status: legacy.status, id: String(legacy.body?.id ?? ''), headers: pickHeaders(legacy.headers ?? {}) };
}

const pickHeaders = (headers: Record<string, string>): IdempotencyOutcome['headers'] => ({
  ...(headers.ETag ? { ETag: headers.ETag } : {}),
  ...(headers.Location ? { Location: headers.Location } : {}),
});

/** Raised when a concurrent request with the same key committed first. */
export class IdempotencyRaceLost extends Error {
  constructor() {
    super('idempotency key committed concurrently');
    this.name = 'IdempotencyRaceLost';
  }
}

/** The write that stores the outcome of a create (never its body), for the create's own transaction. */
export function idempotencyWrite(context: IdempotencyContext, response: CreatedResponse, now = new Date()): GuardedWrite {
  const outcome: IdempotencyOutcome = { status: response.status, id: response.id, headers: pickHeaders(response.headers) };
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
          outcome,
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
 * Commits the writes of a create together with the record of its outcome (when the request
 * carried an Idempotency-Key), then answers with the response.
 */
export async function commitCreate(
  c: Context<AppEnv>,
  writes: GuardedWrite[],
  response: CreatedResponse,
  context: IdempotencyContext | undefined,
): Promise<Response> {
  await transact(context ? [...writes, idempotencyWrite(context, response)] : writes);
  const { id: _id, ...answer } = response;
  return send(c, answer);
}
