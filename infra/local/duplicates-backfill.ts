import { BatchWriteCommand, type BatchWriteCommandOutput, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LEGACY_BLOCKING_BUCKET_PREFIX } from '../../shared/db/keys/duplicate.ts';
import { fileMany } from '../../shared/db/repositories/duplicates.ts';
import type { Household } from '../../shared/domain/household.ts';
import { scanEntities } from './scan-entities.ts';

/** Marks the one-off filing as done (in the index of one bucket per name and place). */
export const DUPLICATES_BACKFILL_MARKER = { pk: 'DUPNAME#BACKFILL', sk: 'DONE' } as const;

/**
 * The one-off filing of the people of every household stored before this index existed, run by
 * `npm start` before the server listens, so a new registration or import finds them: households
 * registered before the duplicate matching, and those filed in its first index (one bucket per
 * year of birth, `DUPKEY#…`), whose buckets are deleted once their people are filed again. It
 * files them as an import's pass does (`fileMany`: a person filed already is left as is, so a
 * start that dies halfway files the rest next time; the marker is written last). Pairs among those
 * older households are not queued: only registrations and imports from now on look.
 */
export async function backfillDuplicateIndex(
  client: DynamoDBDocumentClient,
  table: string,
): Promise<{ ran: boolean; households: number; legacyBuckets: number }> {
  const marker = await client.send(new GetCommand({ TableName: table, Key: DUPLICATES_BACKFILL_MARKER, ConsistentRead: true }));
  if (marker.Item) return { ran: false, households: 0, legacyBuckets: 0 };
  const households = (await scanEntities(client, table, ['Household'])) as unknown as Household[];
  const people = households
    .filter((h) => Array.isArray(h.members) && h.members.length > 0 && h.origin)
    .map((h) => ({ country: h.country, id: h.id, org: h.org, origin: h.origin, members: h.members }));
  if (people.length > 0) await fileMany(people);
  const legacy = (await scanEntities(client, table, ['DuplicateBlockingBucket'])).filter((i) => String(i.pk).startsWith(LEGACY_BLOCKING_BUCKET_PREFIX));
  for (let i = 0; i < legacy.length; i += 25) {
    let requests: Record<string, unknown>[] | undefined = legacy.slice(i, i + 25).map((b) => ({ DeleteRequest: { Key: { pk: b.pk, sk: b.sk } } }));
    while (requests && requests.length > 0) {
      const out: BatchWriteCommandOutput = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = out.UnprocessedItems?.[table];
    }
  }
  await client.send(
    new PutCommand({
      TableName: table,
      Item: {
        ...DUPLICATES_BACKFILL_MARKER,
        entity: 'DuplicateIndexBackfill',
        at: new Date().toISOString(),
        households: people.length,
        legacyBuckets: legacy.length,
      },
    }),
  );
  return { ran: true, households: people.length, legacyBuckets: legacy.length };
}
