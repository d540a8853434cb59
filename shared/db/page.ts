import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '../cursor.ts';
import { documentClient, tableName } from './client.ts';

/** Strips key and bookkeeping attributes so only the resource goes out. */
export function toResource<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, entity: _entity, expiresAt: _expiresAt, ...rest } = item;
  for (const k of Object.keys(rest)) if (/^gsi\d+(pk|sk)$/.test(k)) delete rest[k];
  return rest as T;
}

export interface PageRequest {
  limit: number;
  cursor: string | undefined;
}

export interface Page<T> {
  items: T[];
  next: string | null;
}

/**
 * One page of a Query on the table or an index: the only way a list is read (never Scan).
 * `scope` names the listing (index, partition, caller's scope) and binds the cursor to it.
 */
export async function queryPage<T>(
  request: PageRequest,
  query: {
    index?: string;
    partitionKey: [name: string, value: string];
    /** Narrows the partition to sort keys starting with this (a status, an item kind). */
    sortKeyPrefix?: [name: string, prefix: string];
    scope: string;
    newestFirst?: boolean;
  },
): Promise<Page<T>> {
  const [name, value] = query.partitionKey;
  const names: Record<string, string> = { '#pk': name };
  const values: Record<string, unknown> = { ':pk': value };
  let condition = '#pk = :pk';
  if (query.sortKeyPrefix) {
    names['#sk'] = query.sortKeyPrefix[0];
    values[':sk'] = query.sortKeyPrefix[1];
    condition += ' AND begins_with(#sk, :sk)';
  }
  const out = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      ...(query.index ? { IndexName: query.index } : {}),
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      Limit: request.limit,
      ScanIndexForward: !query.newestFirst,
      ExclusiveStartKey: await decodeCursor(request.cursor, query.scope),
    }),
  );
  return {
    items: (out.Items ?? []).map((i) => toResource<T>(i)),
    next: await encodeCursor(out.LastEvaluatedKey, query.scope),
  };
}
