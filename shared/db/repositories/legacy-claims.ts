import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentHashes } from '../document-hash.ts';
import { documentClient, tableName } from '../client.ts';
import { documentClaimKeysMetaKey, householdsByCountry } from '../keys/household.ts';

/**
 * Document claims made under the old, per-type hash (`<country>:<type>:<number>`) cannot be
 * converted (the numbers are not kept), so they are read beside the current key wherever they can
 * exist. They can exist only in a table that held households before the current hash: the first
 * process that asks decides it once for the table — no household yet (a new deployment, a fresh
 * `DATA_DIR`, a test table) means none can ever exist, since the current code writes no old keys —
 * and records it, so a new table never pays for the extra reads. The answer is kept per process.
 */
let decided: Promise<boolean> | undefined;

async function anyHousehold(): Promise<boolean> {
  for (const country of ['KH', 'TH']) {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi4',
        KeyConditionExpression: 'gsi4pk = :pk',
        ExpressionAttributeValues: { ':pk': householdsByCountry(country, '', '').gsi4pk },
        Limit: 1,
        ProjectionExpression: 'pk',
      }),
    );
    if ((out.Items ?? []).length > 0) return true;
  }
  return false;
}

async function decide(): Promise<boolean> {
  const key = documentClaimKeysMetaKey();
  const found = await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  if (found.Item) return found.Item.legacyClaims === true;
  const legacyClaims = await anyHousehold();
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...key, entity: 'DocumentClaimKeys', legacyClaims, decidedAt: new Date().toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return legacyClaims;
  } catch (e: unknown) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
    const again = await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return again.Item?.legacyClaims === true;
  }
}

/** Whether old-hash claims can exist in this table (decided once per table, kept per process). */
export function legacyClaimsPossible(): Promise<boolean> {
  decided ??= decide().catch((e: unknown) => {
    decided = undefined;
    throw e;
  });
  return decided;
}

/** Every hash a document's claim may be under in this table: the current one, then the old ones where they can exist. */
export async function claimHashes(hashes: DocumentHashes): Promise<string[]> {
  return (await legacyClaimsPossible()) ? [hashes.current, ...hashes.legacy] : [hashes.current];
}
