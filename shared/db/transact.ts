import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './client.ts';
import { hazardsVersionKey } from './keys/hazard-area.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction, with the error to raise when its condition is what failed. */
export interface GuardedWrite {
  item: TransactItem;
  onConditionFailed?: () => Error;
}

// Statistics counters are shared by many writers: conflicts on them are expected under load.
const MAX_CONFLICT_RETRIES = 8;

/** The most items one TransactWriteItems takes. */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * The update counting up the hazard areas' version, when the transaction writes a hazard area
 * (whatever changed in it: cells, status, remaining land): a registration assessed before and
 * committed after is refused by its condition on the version and assesses again.
 */
function hazardsVersionBump(items: readonly TransactItem[]): TransactItem | undefined {
  const hazard = items.find((i) => i.Put?.Item?.entity === 'HazardArea');
  if (!hazard) return undefined;
  return { Update: { TableName: hazard.Put!.TableName, Key: hazardsVersionKey(), UpdateExpression: 'ADD v :one', ExpressionAttributeValues: { ':one': 1 } } };
}

/**
 * Writes all items or none (TransactWriteItems). A failed condition is turned into the error
 * its write names (404, 409, 412, ...); a conflict with another in-flight transaction on the
 * same items is retried with jittered backoff, after which the conditions decide.
 */
export async function transact(writes: GuardedWrite[]): Promise<void> {
  const given = writes.map((w) => w.item);
  const bump = hazardsVersionBump(given);
  // Appended last, so the cancellation reasons still index the writes given. A transaction already
  // full counts the version up right after its commit instead: still before the area's own
  // recomputation reads the households, so a registration committed in between is seen by it
  // and one committed later is refused (a crash in between is repaired from the area's event).
  const inline = bump !== undefined && given.length < MAX_TRANSACTION_ITEMS;
  const items = inline ? [...given, bump] : given;
  for (let attempt = 0; ; attempt++) {
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: items }));
      if (bump && !inline) await documentClient.send(new UpdateCommand(bump.Update!));
      return;
    } catch (e: unknown) {
      if (!(e instanceof TransactionCanceledException)) throw e;
      const reasons = e.CancellationReasons ?? [];
      const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
      if (failed >= 0) {
        const onFailed = writes[failed]?.onConditionFailed;
        if (onFailed) throw onFailed();
        throw e;
      }
      const conflictOnly = reasons.length > 0 && reasons.every((r) => r.Code === 'None' || r.Code === 'TransactionConflict');
      if (!conflictOnly || attempt >= MAX_CONFLICT_RETRIES) throw e;
      await new Promise((r) => setTimeout(r, 10 * 2 ** attempt + Math.random() * 20));
    }
  }
}
