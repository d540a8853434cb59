import { tableName } from '../client.ts';
import type { GuardedWrite } from '../transact.ts';
import { ConflictError, StaleVersion } from '../../errors.ts';

/**
 * The write of a whole resource item: a create guarded by `attribute_not_exists(pk)`, or a
 * replacement guarded by the version the change was based on (`#version = :expected`).
 */
export function versionedPut(item: Record<string, unknown>, expectedVersion: number | 'new', what: string): GuardedWrite {
  if (expectedVersion === 'new') {
    return {
      item: { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
      onConditionFailed: () => new ConflictError(`The ${what} already exists.`),
    };
  }
  return {
    item: {
      Put: {
        TableName: tableName,
        Item: item,
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      },
    },
    onConditionFailed: () => new StaleVersion(`The ${what} has changed since version ${expectedVersion} was read: read it again and reapply your change.`),
  };
}

/** A plain put of a derived item (a list copy) that follows its resource in the same transaction. */
export const copyPut = (item: Record<string, unknown>): GuardedWrite => ({ item: { Put: { TableName: tableName, Item: item } } });

/** An append-only record (history entry, progress report): written once, never replaced. */
export const appendPut = (item: Record<string, unknown>): GuardedWrite => ({
  item: { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
});
