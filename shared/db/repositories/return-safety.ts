import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { distanceToAreaM, type Point } from '../../domain/geometry.ts';
import { contaminatedLand, type HazardArea } from '../../domain/hazard-area.ts';
import { assistedDestination } from '../../domain/erasure.ts';
import { summarise, type Household, type HouseholdSummary, type ReturnSafety } from '../../domain/household.ts';
import {
  bboxContains,
  bboxOf,
  cellOfPoint,
  cellsCovering,
  grownBbox,
  hazardCells,
  isHazardActive,
  returnSafetyOf,
  safetyDiffers,
  type Bbox,
  type SafetyHazard,
} from '../../domain/return-safety.ts';
import type { Principal } from '../../domain/roles.ts';
import { EventType } from '../../events/catalogue.ts';
import { outboxEvent } from '../../events/outbox.ts';
import { ConflictError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { documentClient, tableName } from '../client.ts';
import {
  atRiskKey,
  atRiskPartition,
  atRiskPrefix,
  briefingDueKey,
  briefingDuePartition,
  briefingDuePrefix,
  hazardCellKey,
  hazardCellPartition,
  householdCellKey,
  householdCellPartition,
} from '../keys/geo.ts';
import { hazardKey, hazardsVersionKey } from '../keys/hazard-area.ts';
import { queryPage, type Page, type PageRequest } from '../page.ts';
import { transact, type GuardedWrite } from '../transact.ts';
import { displacementStatsWrites } from './displacement-stats.ts';
import { householdDemandWrites } from './priorities.ts';
import { getHousehold, getHouseholds, householdWrite } from './households.ts';
import { batchGetAll, type Prefetched } from '../batch.ts';
import { mapLimit } from '../../map-limit.ts';
import { count, MetricName } from '../../metrics.ts';
import { hazardAreasOfAdm3 } from './hazard-areas.ts';

/**
 * Return safety in DynamoDB: the spatial index (keys in `shared/db/keys/geo.ts`, cells and the
 * rule in `shared/domain/return-safety.ts`), the assessment of a destination, and the
 * recomputation of the households near a hazard area when the area is recorded or changes status.
 *
 * Costs, all bounded by cells and never by the registry's size:
 * - assessing a destination: one Query of the point's cell (hazard cell items are small: no
 *   geometry), then one BatchGetItem of the geometries of the active areas whose grown box holds
 *   the point (usually none);
 * - recording an area: one cell item per cell of {@link hazardCells} (≤ 64) in its transaction;
 * - recomputing for an area: one Query (paged) per cell of the area, the rule for each household
 *   whose point lies in the area's grown box, and one transaction per household whose safety
 *   changed.
 */

// --- hazard areas in the index -------------------------------------------------------------

interface HazardCellItem {
  hazardAreaId: string;
  active: boolean;
  bbox: Bbox;
}

const hazardCellItems = (h: Pick<HazardArea, 'id' | 'country' | 'status' | 'geometry'>): Record<string, unknown>[] => {
  const bbox = bboxOf(h.geometry);
  return hazardCells(h.geometry).map((cell) => ({
    ...hazardCellKey(cell, h.id),
    entity: 'HazardAreaCell',
    hazardAreaId: h.id,
    country: h.country,
    active: isHazardActive(h.status),
    bbox,
  }));
};

const put = (item: Record<string, unknown>): GuardedWrite => ({ item: { Put: { TableName: tableName, Item: item } } });
const del = (key: { pk: string; sk: string }): GuardedWrite => ({ item: { Delete: { TableName: tableName, Key: key } } });

/** The number of cells a geometry would be indexed under (the record refuses more than `MAX_HAZARD_CELLS`). */
export const hazardCellCount = (geometry: HazardArea['geometry']): number => hazardCells(geometry).length;

/** The cell items of a newly recorded hazard area, for the transaction that records it (so a registration sees it at once). */
export const hazardCellWrites = (hazard: HazardArea): GuardedWrite[] => hazardCellItems(hazard).map(put);

/** Deletes of the cell items of `before` that `after` (a corrected polygon) no longer covers. */
export function hazardCellRemovals(before: HazardArea, after: HazardArea): GuardedWrite[] {
  const kept = new Set(hazardCells(after.geometry));
  return hazardCells(before.geometry)
    .filter((cell) => !kept.has(cell))
    .map((cell) => del(hazardCellKey(cell, before.id)));
}

/**
 * The cell items' update when a hazard area's status changes, for the transaction of the change:
 * empty unless the area stops (or starts) making returns unsafe.
 */
export function hazardCellWritesOnChange(before: HazardArea, after: HazardArea): GuardedWrite[] {
  return isHazardActive(before.status) === isHazardActive(after.status) ? [] : hazardCellWrites(after);
}

// --- hazard areas unchanged between an assessment and its commit ---------------------------

/** Raised when a hazard area was written after a registration read the hazards' version (it assesses again). */
export class HazardsChanged extends ConflictError {
  constructor() {
    super(
      'Hazard areas were being recorded or changed while this registration was assessed, several times over: send it again (with the same Idempotency-Key).',
    );
  }
}

/**
 * The condition that no hazard area was written since `prefetched` read their version (read
 * before the assessment): a hazard area recorded between the assessment and the commit is then
 * neither missed by the assessment nor by the area's own recomputation, which reads the
 * households before this one is stored. One ConditionCheck in the registration's transaction
 * instead of a second assessment after it.
 */
export function hazardsUnchanged(prefetched: Prefetched): GuardedWrite {
  const v = prefetched.get(hazardsVersionKey())?.v;
  return {
    item: {
      ConditionCheck: {
        TableName: tableName,
        Key: hazardsVersionKey(),
        ...(v === undefined ? { ConditionExpression: 'attribute_not_exists(pk)' } : { ConditionExpression: 'v = :v', ExpressionAttributeValues: { ':v': v } }),
      },
    },
    onConditionFailed: () => new HazardsChanged(),
  };
}

/**
 * The hazard areas' version as stored now (strongly consistent; 0 before any area was written):
 * every transaction that writes a hazard area counts it up, so two equal reads mean no area was
 * written in between (an import compares the one before its first assessment with one after its
 * households are stored, and checks their cells again only when they differ).
 */
export async function readHazardsVersion(): Promise<number> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: hazardsVersionKey(), ConsistentRead: true }));
  return Number(out.Item?.v ?? 0);
}

/**
 * What the cache kept across requests may hold, as the length of its entries' JSON (cell items are
 * a few hundred characters, a hazard area's geometries up to ~2 × 5,000 vertices): past it, the
 * cache starts afresh, so a process never holds more than ~16 MB of it whatever the areas' sizes.
 */
const VERSIONED_CACHE_BUDGET = 16 * 1024 * 1024;

/** A Map that counts the size of what is set in it (entries are only ever added). */
class WeighedCache extends Map<string, unknown> {
  weight = 0;
  override set(key: string, value: unknown): this {
    this.weight += key.length + (JSON.stringify(value)?.length ?? 0);
    return super.set(key, value);
  }
}

let versioned: { v: unknown; cache: WeighedCache } | undefined;

/**
 * A cache for {@link assessReturnSafety} that outlives the request, valid while the hazard areas'
 * version read in `prefetched` (before the assessment) is the one stored: every transaction that
 * writes a hazard area counts that version up, so what was read under one version is never used
 * under another, and a registration committing with {@link hazardsUnchanged} stores exactly the
 * safety its assessment saw. What is cached was read after the version, so it is never older than
 * the version it is kept under. Undefined when the version was not read (a destination without a
 * point reads no cell).
 */
export function cacheForHazardsVersion(prefetched: Prefetched): Map<string, unknown> | undefined {
  const read = prefetched.covering([hazardsVersionKey()]);
  if (!read) return undefined;
  const v = read[0]?.v ?? 0;
  if (versioned?.v !== v || versioned.cache.weight > VERSIONED_CACHE_BUDGET) versioned = { v, cache: new WeighedCache() };
  return versioned.cache;
}

// --- assessing a destination ---------------------------------------------------------------

/**
 * Every item of a partition, strongly consistent: a registration must see an area recorded a
 * moment before, and a recomputation a household registered a moment before.
 */
async function queryAll(pk: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Reads of a cache's keys under way: assessments run together (an import chunk's) wait for one read of a key instead of each making its own. */
const reading = new WeakMap<Map<string, unknown>, Map<string, Promise<unknown>>>();

/** `cache`'s value of `key`, read once with `read` when it has none (a read under way for the same key is waited for). */
function readThrough<T>(cache: Map<string, unknown> | undefined, key: string, read: () => Promise<T>): Promise<T> {
  if (!cache) return read();
  if (cache.has(key)) return Promise.resolve(cache.get(key) as T);
  let running = reading.get(cache);
  if (!running) reading.set(cache, (running = new Map()));
  const under = running.get(key);
  if (under) return under as Promise<T>;
  const done = running;
  const value = read()
    .then((v) => {
      cache.set(key, v);
      return v;
    })
    .finally(() => done.delete(key));
  done.set(key, value);
  return value;
}

const hazardsOfCell = (cell: string, cache: Map<string, unknown> | undefined): Promise<HazardCellItem[]> =>
  readThrough(cache, hazardCellPartition(cell), async () =>
    (await queryAll(hazardCellPartition(cell))).map((i) => ({ hazardAreaId: i.hazardAreaId as string, active: i.active as boolean, bbox: i.bbox as Bbox })),
  );

/**
 * The status and geometry of hazard areas by id (BatchGetItem, 100 at a time, strongly
 * consistent: a recomputation runs right after a status change), from the cache where it has them.
 */
type IndexedHazard = SafetyHazard & { extent: HazardArea['geometry'] };

async function hazardShapes(ids: string[], cache: Map<string, unknown> | undefined): Promise<IndexedHazard[]> {
  const found: IndexedHazard[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const cached = cache?.get(hazardKey(id).pk) as IndexedHazard | undefined;
    if (cached) found.push(cached);
    else missing.push(id);
  }
  const items = await batchGetAll(missing.map(hazardKey), {
    consistent: true,
    projection: 'id, #status, geometry, remainingGeometry',
    names: { '#status': 'status' },
  });
  for (const item of items) {
    const shape = {
      id: item.id as string,
      status: item.status as SafetyHazard['status'],
      geometry: contaminatedLand(item as Pick<HazardArea, 'geometry' | 'remainingGeometry'>),
      extent: item.geometry as HazardArea['geometry'],
    };
    cache?.set(hazardKey(shape.id).pk, shape);
    found.push(shape);
  }
  return found;
}

async function assessPoint(point: Point, now: string, cache: Map<string, unknown> | undefined): Promise<ReturnSafety> {
  const near = (await hazardsOfCell(cellOfPoint(point), cache)).filter((h) => h.active && bboxContains(grownBbox(h.bbox), point.coordinates));
  return returnSafetyOf(
    point,
    near.length > 0
      ? await hazardShapes(
          near.map((h) => h.hazardAreaId),
          cache,
        )
      : [],
    now,
  );
}

/**
 * The return safety of a destination now: UNKNOWN without a point, otherwise the rule against
 * the active hazard areas indexed under the point's cell. `cache` (keep one per import chunk or
 * per recomputation, or across requests only through {@link cacheForHazardsVersion}) saves
 * re-reading cells and geometries; hazard areas recorded after a cell was cached are not seen through it.
 */
export async function assessReturnSafety(destination: Household['destination'], now: string, cache?: Map<string, unknown>): Promise<ReturnSafety> {
  if (destination?.point) return assessPoint(destination.point, now, cache);
  const unknown: ReturnSafety = { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: now };
  if (!destination?.adm3) return unknown;
  // No point: never a centroid. The commune's own hazard areas say why a point matters.
  const adm3 = destination.adm3;
  const areas = await readThrough(cache, `adm3:${adm3}`, () => hazardAreasOfAdm3(adm3));
  const nearby = areas
    .filter((a) => isHazardActive(a.status))
    .map((a) => a.id)
    .sort();
  return nearby.length > 0 ? { ...unknown, nearbyHazardAreaIds: nearby, reason: 'NO_POINT' } : unknown;
}

/**
 * The active hazard areas whose remaining land lies within `radiusM` of a point, nearest first:
 * one Query per cell touching the point's box grown by the radius (an area within the radius has
 * a point in that box, and so a cell item under one of those cells), then the geometries of the
 * areas whose own box, grown by the radius, holds the point. For an accident (2 km: at most a
 * few cells), never a scan.
 */
export async function hazardsNear(point: Point, radiusM: number): Promise<{ id: string; distanceM: number }[]> {
  const [lon, lat] = point.coordinates as [number, number];
  const cells = cellsCovering(grownBbox([lon, lat, lon, lat], radiusM));
  const candidates = new Set<string>();
  for (const cell of cells)
    for (const h of await hazardsOfCell(cell, undefined))
      if (h.active && bboxContains(grownBbox(h.bbox, radiusM), point.coordinates)) candidates.add(h.hazardAreaId);
  if (candidates.size === 0) return [];
  const shapes = await hazardShapes([...candidates], undefined);
  return shapes
    .filter((h) => isHazardActive(h.status) && h.geometry !== null)
    .map((h) => ({ id: h.id, distanceM: distanceToAreaM(point, h.geometry!) }))
    .filter((h) => h.distanceM <= radiusM)
    .sort((a, b) => a.distanceM - b.distanceM || a.id.localeCompare(b.id));
}

// --- a household in the index ----------------------------------------------------------------

/**
 * The spatial-index items of a household: its cell item (under the cell of its destination
 * point) and one at-risk link per hazard area it is at risk from; none without a point. Plain
 * items (no conditions) for the registration transaction and for BatchWriteItem alike. No
 * personal data: ids, country, organisation, the point and the safety.
 */
export function returnSafetyItems(household: Household): Record<string, unknown>[] {
  // Without consent to return assistance the destination serves no safety check and no list.
  const point = assistedDestination(household)?.point;
  if (!point) return [];
  return [
    {
      ...householdCellKey(cellOfPoint(point), household.id),
      entity: 'HouseholdCell',
      householdId: household.id,
      country: household.country,
      org: household.org,
      point: point.coordinates,
      safety: household.returnSafety.status,
      hazardAreaIds: household.returnSafety.hazardAreaIds,
    },
    ...household.returnSafety.hazardAreaIds.map((hazardAreaId) => ({
      ...atRiskKey(hazardAreaId, household.country, household.org, household.id),
      entity: 'AtRiskHousehold',
      hazardAreaId,
      householdId: household.id,
      country: household.country,
      org: household.org,
    })),
    // Staff brief people before they go home: the AT_RISK households not yet given risk education.
    ...(household.returnSafety.status === 'AT_RISK' && !household.riskEducation
      ? [
          {
            ...briefingDueKey(household.country, household.org, household.id),
            entity: 'RiskEducationDue',
            householdId: household.id,
            country: household.country,
            org: household.org,
          },
        ]
      : []),
  ];
}

/**
 * One page of the AT_RISK households of a country (of one organisation, when named) that have had
 * no risk education: a Query of their partition narrowed by sort-key prefix, then the households
 * (one BatchGetItem) as summaries without personal data, in list order.
 */
export async function listBriefingDue(country: string, org: string | undefined, page: PageRequest): Promise<Page<HouseholdSummary>> {
  const prefix = briefingDuePrefix(org);
  const links = await queryPage<{ householdId: string }>(page, {
    partitionKey: ['pk', briefingDuePartition(country)],
    sortKeyPrefix: ['sk', prefix],
    scope: `eore-due:${country}:${prefix}`,
  });
  const households = new Map((await getHouseholds(links.items.map((l) => l.householdId))).map((h) => [h.id, h]));
  return { items: links.items.flatMap((l) => (households.has(l.householdId) ? [summarise(households.get(l.householdId)!)] : [])), next: links.next };
}

const keyOf = (item: Record<string, unknown>) => ({ pk: item.pk as string, sk: item.sk as string });
const keyString = (k: { pk: string; sk: string }) => `${k.pk}\u0000${k.sk}`;

/**
 * Deletes of the spatial-index items of `before` (a household as stored), for a transaction that
 * changes its destination or safety. Pass `after` when its {@link returnSafetyItems} are written
 * in the same transaction: the items it rewrites are left out, as DynamoDB refuses two
 * operations on one item in a transaction.
 */
export function returnSafetyRemovals(before: Household, after?: Household): GuardedWrite[] {
  const kept = new Set((after ? returnSafetyItems(after) : []).map((i) => keyString(keyOf(i))));
  return returnSafetyItems(before)
    .map(keyOf)
    .filter((k) => !kept.has(keyString(k)))
    .map(del);
}

/** Everything the index needs when a stored household goes from `before` to `after`: stale items deleted, current ones put. */
export const returnSafetyChangeWrites = (before: Household, after: Household): GuardedWrite[] => [
  ...returnSafetyRemovals(before, after),
  ...returnSafetyItems(after).map(put),
];

// --- recomputation --------------------------------------------------------------------------

class HouseholdMoved extends Error {
  constructor() {
    super('the household changed while its return safety was recomputed');
    this.name = 'HouseholdMoved';
  }
}

const MAX_ATTEMPTS = 5;
const CONCURRENCY = 4;

/**
 * The household as changed (its safety, version, index items, counters and a ReturnSafetyChanged
 * event in one transaction), or undefined when its safety was already right. `cause`: the hazard
 * area that changed it, when known.
 */
async function recomputeHousehold(
  householdId: string,
  cause: string | undefined,
  actor: Principal,
  cache: Map<string, unknown>,
): Promise<Household | undefined> {
  for (let attempt = 1; ; attempt++) {
    const before = await getHousehold(householdId);
    if (!before) return undefined;
    const now = new Date().toISOString();
    const safety = await assessReturnSafety(assistedDestination(before), now, cache);
    if (!safetyDiffers(safety, before.returnSafety)) return undefined;
    const after: Household = { ...before, returnSafety: safety, version: before.version + 1, updatedAt: now };
    const changed = outboxEvent(
      EventType.ReturnSafetyChanged,
      { type: 'Household', id: before.id },
      before.country,
      actor,
      {
        householdId: before.id,
        country: before.country,
        province: before.origin.province,
        org: before.org,
        from: before.returnSafety.status,
        to: safety.status,
        hazardAreaIds: safety.hazardAreaIds,
        ...(cause ? { cause: { hazardAreaId: cause } } : {}),
      },
      now,
    );
    try {
      await transact([
        { ...householdWrite(after, before.version), onConditionFailed: () => new HouseholdMoved() },
        ...returnSafetyChangeWrites(before, after),
        ...displacementStatsWrites(before, after),
        ...householdDemandWrites(before, after),
        changed.write,
      ]);
      count(MetricName.ReturnSafetyChanges);
      return after;
    } catch (e: unknown) {
      // Changed meanwhile (a transition, a PATCH): read it again and decide on what it is now.
      if (!(e instanceof HouseholdMoved) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}

/** What a recomputation did: counts only, nothing personal. */
export interface RecomputeResult {
  hazardAreaId: string;
  cells: number;
  /** Households indexed in the area's cells whose point lies in its grown box. */
  candidates: number;
  changed: number;
}

/**
 * Recomputes the return safety of every household near a hazard area, after the area was
 * recorded or changed status (and committed, with its cell items). Reads the household cells
 * covering the area's box grown by 500 m, applies the rule to each household whose point lies
 * in that box, against every active area near the point (not only this one), and writes each
 * household whose safety changed in its own transaction (version-guarded, retried when the
 * household changed meanwhile), with the statistics and a ReturnSafetyChanged event.
 *
 * Idempotent: a household already right is left alone, so running it again (after a failure,
 * or because two changes raced) converges and emits nothing twice.
 */
export async function recomputeForHazardArea(
  hazardAreaId: string,
  actor: Principal,
  extent?: HazardArea['geometry'],
  options: { repair?: boolean } = {},
): Promise<RecomputeResult> {
  // A repair (from the area's event, or on demand) counts the hazard areas' version up first: an
  // assessment cached under the version before (cacheForHazardsVersion) is not used again, even
  // when the change's own count-up was lost (a process dying right after a full transaction,
  // which counts up after its commit). Within the change's request, the change counted up itself.
  if (options.repair)
    await documentClient.send(
      new UpdateCommand({ TableName: tableName, Key: hazardsVersionKey(), UpdateExpression: 'ADD v :one', ExpressionAttributeValues: { ':one': 1 } }),
    );
  const [hazard] = await hazardShapes([hazardAreaId], undefined);
  if (!hazard) return { hazardAreaId, cells: 0, candidates: 0, changed: 0 };
  // The recorded polygon, not the remaining land: households near land just released must be
  // reassessed too; `extent` names another (the polygon before a correction).
  const around = extent ?? hazard.extent;
  const box = grownBbox(bboxOf(around));
  const cells = hazardCells(around);
  // Only households whose point can be within 500 m of this area can have changed because of it.
  const { candidates, changed } = await recheckCellHouseholds(
    cells,
    (point) => bboxContains(box, point),
    () => hazardAreaId,
    actor,
  );
  return { hazardAreaId, cells: cells.length, candidates, changed };
}

/**
 * The households indexed in `cells` (those `near` keeps), assessed against the hazard areas as
 * they are now; each one whose stored safety differs is rewritten by {@link recomputeHousehold},
 * a few at a time. Reads each cell's partitions once (strongly consistent).
 */
async function recheckCellHouseholds(
  cells: readonly string[],
  near: (point: number[]) => boolean,
  causeFor: (stored: ReturnSafety, now: ReturnSafety) => string | undefined,
  actor: Principal,
): Promise<{ candidates: number; changed: number }> {
  const cache = new Map<string, unknown>();
  const candidates: { id: string; cause: string | undefined }[] = [];
  for (const cell of cells) {
    for (const item of await queryAll(householdCellPartition(cell))) {
      const point = item.point as number[];
      if (!near(point)) continue;
      const copy = { status: item.safety as ReturnSafety['status'], hazardAreaIds: item.hazardAreaIds as string[], checkedAt: '' };
      const now = await assessPoint({ type: 'Point', coordinates: point }, '', cache);
      if (safetyDiffers(now, copy)) candidates.push({ id: item.householdId as string, cause: causeFor(copy, now) });
    }
  }
  const results = await mapLimit(candidates, CONCURRENCY, ({ id, cause }) => recomputeHousehold(id, cause, actor, cache));
  return { candidates: candidates.length, changed: results.filter(Boolean).length };
}

// --- closing the race with a hazard area changed meanwhile ----------------------------------

/** The hazard area that makes `before` and `after` differ (in one list, not the other), if any. */
const causeOf = (before: ReturnSafety, after: ReturnSafety): string | undefined =>
  after.hazardAreaIds.find((id) => !before.hazardAreaIds.includes(id)) ?? before.hazardAreaIds.find((id) => !after.hazardAreaIds.includes(id));

/**
 * Assesses stored households again after the write that stored them, and rewrites each whose
 * safety is stale as a recomputation would (versioned, with index items, counters and a
 * ReturnSafetyChanged event). Returns those households as stored now, by id.
 *
 * Why: an area recorded or closed between the first assessment and the commit is missed by both
 * sides. This read starts after the commit and is strongly consistent, so whichever commits first
 * is seen by the other; a process that dies before it is covered by the checks `functions/safety`
 * runs from the change's event. The cache is fresh: what an earlier assessment cached may be stale.
 */
export async function recheckReturnSafety(households: readonly Household[], actor: Principal): Promise<Map<string, Household>> {
  const cache = new Map<string, unknown>();
  const stale: { id: string; cause: string | undefined }[] = [];
  await mapLimit(households, CONCURRENCY, async (household) => {
    const point = household.destination?.point;
    if (!point) return;
    const now = await assessPoint(point, '', cache);
    if (safetyDiffers(now, household.returnSafety)) stale.push({ id: household.id, cause: causeOf(household.returnSafety, now) });
  });
  const changed = new Map<string, Household>();
  for (const { id, cause } of stale) {
    // Undefined: already right, changed meanwhile by the area's own recomputation; answer it as stored.
    const after = (await recomputeHousehold(id, cause, actor, cache)) ?? (await getHousehold(id));
    if (after) changed.set(id, after);
  }
  if (stale.length > 0)
    logger.info('return safety rechecked after commit: a hazard area changed meanwhile', {
      households: households.length,
      stale: stale.length,
      changed: changed.size,
    });
  return changed;
}

/**
 * {@link recheckReturnSafety} for many households at once, by the cells their points lie in:
 * every household indexed in `cells` is assessed again and rewritten when its safety is no
 * longer right. For an import, after its households are stored: one Query of each cell's hazard
 * areas and one of its households, however many households share the cell, instead of a read
 * per household. The same argument holds: these reads start after the households were stored.
 */
export async function recheckReturnSafetyInCells(cells: Iterable<string>, actor: Principal): Promise<{ cells: number; candidates: number; changed: number }> {
  const list = [...new Set(cells)];
  const result = await recheckCellHouseholds(list, () => true, causeOf, actor);
  return { cells: list.length, ...result };
}

/** The return-safety index cell of a destination, or undefined without a point. */
export const safetyCellOf = (destination: Household['destination']): string | undefined => (destination?.point ? cellOfPoint(destination.point) : undefined);

/**
 * {@link recomputeForHazardArea} after a committed change, within the request: a failure is
 * logged (the area's id and the error, nothing personal) and does not undo the change; the next
 * change of an area nearby, or running it again, repairs what was missed.
 */
export async function recomputeAfterHazardChange(
  hazardAreaId: string,
  actor: Principal,
  extent?: HazardArea['geometry'],
): Promise<RecomputeResult | undefined> {
  try {
    const result = await recomputeForHazardArea(hazardAreaId, actor, extent);
    logger.info('return safety recomputed', { ...result });
    return result;
  } catch (e: unknown) {
    logger.error('return safety recomputation failed; it is retried on the next change of the area', {
      hazardAreaId,
      error: e instanceof Error ? e.name : 'unknown',
    });
    return undefined;
  }
}

// --- listing ---------------------------------------------------------------------------------

/** Whose at-risk households a caller lists: all (admin), a country's (ministry), an organisation's in its country (relief). */
export type AtRiskScope = { country?: string | undefined; org?: string | undefined };

/**
 * One page of the households at risk from a hazard area within the caller's scope: a Query of
 * the area's link partition narrowed by sort-key prefix, then the households themselves (one
 * BatchGetItem) answered as summaries without personal data, in link order.
 */
export async function listHouseholdsAtRisk(hazardAreaId: string, scope: AtRiskScope, page: PageRequest): Promise<Page<HouseholdSummary>> {
  const prefix = atRiskPrefix(scope);
  const links = await queryPage<{ householdId: string }>(page, {
    partitionKey: ['pk', atRiskPartition(hazardAreaId)],
    sortKeyPrefix: ['sk', prefix],
    scope: `at-risk:${hazardAreaId}:${prefix}`,
  });
  const households = new Map((await getHouseholds(links.items.map((l) => l.householdId))).map((h) => [h.id, h]));
  const items = links.items.flatMap((l) => {
    const h = households.get(l.householdId);
    return h ? [summarise(h)] : [];
  });
  return { items, next: links.next };
}
