import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fileMany } from '../../shared/db/repositories/duplicates.ts';
import type { Household } from '../../shared/domain/household.ts';
import { scanEntities } from './scan-entities.ts';

/** Marks the one-off filing as done. */
export const DUPLICATES_BACKFILL_MARKER = { pk: 'DUPKEY#BACKFILL', sk: 'DONE' } as const;

/**
 * The one-off filing of the people of households registered before the duplicate matching
 * existed, run by `npm start` before the server listens, so a new registration or import finds
 * them. It files them as an import's pass does (`fileMany`: a person filed already is left as
 * is, so a start that dies halfway files the rest next time; the marker is written last). Pairs
 * among those older households are not queued: only registrations and imports from now on look.
 */
export async function backfillDuplicateIndex(client: DynamoDBDocumentClient, table: string): Promise<{ ran: boolean; households: number }> {
  const marker = await client.send(new GetCommand({ TableName: table, Key: DUPLICATES_BACKFILL_MARKER, ConsistentRead: true }));
  if (marker.Item) return { ran: false, households: 0 };
  const households = (await scanEntities(client, table, ['Household'])) as unknown as Household[];
  const people = households
    .filter((h) => Array.isArray(h.members) && h.members.length > 0 && h.origin)
    .map((h) => ({ country: h.country, id: h.id, org: h.org, origin: h.origin, members: h.members }));
  if (people.length > 0) await fileMany(people);
  await client.send(
    new PutCommand({
      TableName: table,
      Item: { ...DUPLICATES_BACKFILL_MARKER, entity: 'DuplicateIndexBackfill', at: new Date().toISOString(), households: people.length },
    }),
  );
  return { ran: true, households: people.length };
}
