import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { hazardsVersionKey } from '../../shared/db/keys/hazard-area.ts';
import { transact, type GuardedWrite } from '../../shared/db/transact.ts';

/**
 * Every transaction that writes a hazard area counts up the hazard areas' version (the condition a
 * registration commits on): as its last item, or right after its commit when it is full already.
 */
const ddb = mockClient(DynamoDBDocumentClient);
beforeEach(() => ddb.reset());

const put = (entity: string, i: number): GuardedWrite => ({ item: { Put: { TableName: 't', Item: { pk: `P#${i}`, sk: 'S', entity } } } });
const hazard = put('HazardArea', 0);
const others = (n: number) => Array.from({ length: n }, (_, i) => put('HazardAreaCell', i + 1));
const isBump = (update: { Key?: Record<string, unknown> } | undefined) => JSON.stringify(update?.Key) === JSON.stringify(hazardsVersionKey());

describe('the hazard areas’ version in transact', () => {
  it('is the last item of a transaction that writes a hazard area', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await transact([hazard, ...others(3)]);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(5);
    expect(isBump(items[4]!.Update)).toBe(true);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('is counted up right after the commit when the transaction already holds 100 items', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    await transact([hazard, ...others(99)]);
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems).toHaveLength(100);
    const updates = ddb.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(isBump(updates[0]!.args[0].input)).toBe(true);
  });

  it('is left alone by a transaction that writes no hazard area, and not counted when the commit fails', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await transact(others(2));
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems).toHaveLength(2);
    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(new Error('boom'));
    await expect(transact([hazard, ...others(99)])).rejects.toThrow('boom');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
