import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Accident } from '../../shared/domain/accident.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { Household } from '../../shared/domain/household.ts';
import { accidentCounter, ACCIDENT_WEIGHT, contaminationScore, CONTAMINATION_COUNTER, demandOfMany, type Counters } from '../../shared/domain/priorities.ts';
import { monthOf } from '../../shared/domain/monthly.ts';
import { isHazardActive } from '../../shared/domain/return-safety.ts';
import { demandKey, prioritiesOf, priorityPartition } from '../../shared/db/keys/priority.ts';
import { scanEntities } from './scan-entities.ts';

/** Marks the one-off count as done (an item of its own, like the monthly report's). */
export const PRIORITIES_BACKFILL_MARKER = { pk: 'PRIORITY#BACKFILL', sk: 'DONE' } as const;

/**
 * The one-off count of the clearance priorities of hazard areas recorded before the priorities
 * existed, run by `npm start` before the server listens. Such an area has no listed demand item:
 * the transactions since then only ADDed to an item without its index key (a household turning
 * AT_RISK from it, an accident near it), so it is missing from the lists. Each active area without
 * a listed item gets both items written whole from the stored records — the households at risk
 * from it (as `demandOf` counts them), the accidents that named it near, its contamination — which
 * is what the transactions would have written. One Scan (a job, never a request); a start that
 * dies halfway counts again, the marker is written last.
 */
export async function backfillPriorities(client: DynamoDBDocumentClient, table: string): Promise<{ ran: boolean; areas: number }> {
  const marker = await client.send(new GetCommand({ TableName: table, Key: PRIORITIES_BACKFILL_MARKER, ConsistentRead: true }));
  if (marker.Item) return { ran: false, areas: 0 };
  const items = await scanEntities(client, table, ['HazardArea', 'Household', 'Accident', 'HazardDemand']);
  const listed = new Set(items.filter((i) => i.entity === 'HazardDemand' && typeof i.gsi5pk === 'string').map((i) => String(i.hazardAreaId)));
  const areas = (items.filter((i) => i.entity === 'HazardArea') as unknown as HazardArea[]).filter((a) => isHazardActive(a.status) && !listed.has(a.id));
  let written = 0;
  if (areas.length > 0) {
    const demand = demandOfMany(items.filter((i) => i.entity === 'Household') as unknown as Household[]);
    const accidents = items.filter((i) => i.entity === 'Accident') as unknown as (Accident & { nearHazardAreaIds?: string[] })[];
    for (const area of areas) {
      const counters: Counters = { ...(demand.get(area.id)?.counters ?? {}) };
      let score = demand.get(area.id)?.score ?? 0;
      for (const a of accidents) {
        if (!a.nearHazardAreaIds?.includes(area.id)) continue;
        const name = accidentCounter(monthOf(a.occurredAt));
        counters[name] = (counters[name] ?? 0) + 1;
        score += ACCIDENT_WEIGHT;
      }
      const points = contaminationScore(area);
      counters[CONTAMINATION_COUNTER] = points;
      score += points;
      for (const scope of prioritiesOf(area.country, area.province)) {
        const Item = {
          ...demandKey(area.id, scope.level),
          entity: 'HazardDemand',
          hazardAreaId: area.id,
          gsi5pk: priorityPartition(scope),
          gsi5sk: score,
          country: area.country,
          province: area.province,
          ...counters,
        };
        await client.send(new PutCommand({ TableName: table, Item }));
      }
      written += 1;
    }
  }
  await client.send(
    new PutCommand({ TableName: table, Item: { ...PRIORITIES_BACKFILL_MARKER, entity: 'PrioritiesBackfill', at: new Date().toISOString(), areas: written } }),
  );
  return { ran: true, areas: written };
}
