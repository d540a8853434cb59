import ngeohash from 'ngeohash';
import { distanceToAreaM, type Area, type Point } from './geometry.ts';
import type { HazardStatus } from './hazard-area.ts';
import { RETURN_SAFETY_BUFFER_M, type ReturnSafety } from './household.ts';

/**
 * Return safety, pure: the rule (README "Return safety") and the spatial cells it is indexed by.
 *
 * A hazard area is indexed under every geohash cell its bounding box grown by the 500 m buffer
 * touches, a household under its destination point's cell: a point within 500 m of an area lies
 * in that grown box, so a registration reads one cell and a recomputation only the area's cells.
 *
 * Precision 5 (≈ 4.9 km): the buffer is a tenth of a cell, so an area grows into 1–4 cells and its
 * transaction stays small, and a cell holds a village or a few, so a recomputation reads a few
 * pages. Precision 6 would multiply every area's cells by ~30; precision 4 would put a district in
 * one partition.
 */

/** Characters of the geohash cells of the spatial index (≈ 4.9 km × 4.9 km). */
export const SAFETY_CELL_PRECISION = 5;

/**
 * Most cells one hazard area may be indexed under: its cell items are written in the
 * transaction that records it (DynamoDB allows 100 items). 64 cells of ≈ 4.9 km cover an
 * extent of ≈ 39 km × 39 km, far beyond any surveyed hazard area; a larger one is refused
 * with a request to record it in parts.
 */
export const MAX_HAZARD_CELLS = 64;

/** Statuses of hazard areas that no longer make a return unsafe: released, handed over, or withdrawn as recorded in error. */
const RELEASED: readonly HazardStatus[] = ['CLOSED', 'HANDED_OVER', 'WITHDRAWN'];

/** Whether a hazard area of this status still makes a return near it unsafe. */
export const isHazardActive = (status: HazardStatus): boolean => !RELEASED.includes(status);

/** A hazard area as far as the rule needs it: `geometry` is its remaining (still contaminated) land, null when none remains. */
export interface SafetyHazard {
  id: string;
  status: HazardStatus;
  geometry: Area | null;
}

/** [minLon, minLat, maxLon, maxLat] in degrees. */
export type Bbox = [number, number, number, number];

/**
 * The rule: AT_RISK with the sorted ids of the active hazard areas within the buffer of the
 * point, SAFE when there are none, UNKNOWN without a point.
 */
export function returnSafetyOf(point: Point | undefined, hazards: readonly SafetyHazard[], now: string): ReturnSafety {
  if (!point) return { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: now };
  const ids = hazards
    .filter(
      (h) =>
        isHazardActive(h.status) &&
        h.geometry !== null &&
        bboxContains(grownBbox(bboxOf(h.geometry)), point.coordinates) &&
        distanceToAreaM(point, h.geometry) <= RETURN_SAFETY_BUFFER_M,
    )
    .map((h) => h.id);
  const hazardAreaIds = [...new Set(ids)].sort();
  return { status: hazardAreaIds.length > 0 ? 'AT_RISK' : 'SAFE', hazardAreaIds, checkedAt: now };
}

/** Whether two assessments differ in what they say (the time of the check aside). */
export const safetyDiffers = (a: Pick<ReturnSafety, 'status' | 'hazardAreaIds'>, b: Pick<ReturnSafety, 'status' | 'hazardAreaIds'>): boolean =>
  a.status !== b.status || a.hazardAreaIds.length !== b.hazardAreaIds.length || a.hazardAreaIds.some((id, i) => id !== b.hazardAreaIds[i]);

const polygonsOf = (geometry: Area): number[][][][] => (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates);

function bboxOfRings(rings: number[][][]): Bbox {
  const box: Bbox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of rings) {
    for (const [lon, lat] of ring) {
      box[0] = Math.min(box[0], lon!);
      box[1] = Math.min(box[1], lat!);
      box[2] = Math.max(box[2], lon!);
      box[3] = Math.max(box[3], lat!);
    }
  }
  return box;
}

/** The bounding box of an area (all its polygons). */
export const bboxOf = (geometry: Area): Bbox => bboxOfRings(polygonsOf(geometry).flat());

// Metres per degree of latitude never fall below 110,574 (at the equator); the 2 % margin
// keeps the grown box a superset of the geodesic buffer whatever the ellipsoid or sphere.
const METRES_PER_DEGREE_LAT = 110_574;
const MARGIN = 1.02;

/** A bounding box grown on every side by `metres` (conservatively: never smaller than the buffer). */
export function grownBbox(box: Bbox, metres: number = RETURN_SAFETY_BUFFER_M): Bbox {
  const dLat = (metres * MARGIN) / METRES_PER_DEGREE_LAT;
  const maxAbsLat = Math.min(89, Math.max(Math.abs(box[1]), Math.abs(box[3])) + dLat);
  // A degree of longitude is shortest at the box's edge farthest from the equator.
  const dLon = (metres * MARGIN) / (METRES_PER_DEGREE_LAT * Math.cos((maxAbsLat * Math.PI) / 180));
  return [Math.max(-180, box[0] - dLon), Math.max(-90, box[1] - dLat), Math.min(180, box[2] + dLon), Math.min(90, box[3] + dLat)];
}

export const bboxContains = (box: Bbox, position: readonly number[]): boolean =>
  position[0]! >= box[0] && position[0]! <= box[2] && position[1]! >= box[1] && position[1]! <= box[3];

/** The geohash cell of a point (where a household is indexed). */
export const cellOfPoint = (point: Point): string => ngeohash.encode(point.coordinates[1]!, point.coordinates[0]!, SAFETY_CELL_PRECISION);

/** The cells touching a bounding box, sorted. */
export const cellsCovering = (box: Bbox): string[] => [...new Set(ngeohash.bboxes(box[1], box[0], box[3], box[2], SAFETY_CELL_PRECISION))].sort();

/**
 * The cells a hazard area is indexed under: those touching each of its polygons' bounding
 * boxes grown by the buffer (per polygon, so that a MultiPolygon of scattered parts does not
 * claim the empty land between them). Also the cells whose households a recomputation reads.
 */
export function hazardCells(geometry: Area): string[] {
  const cells = new Set<string>();
  for (const polygon of polygonsOf(geometry)) for (const cell of cellsCovering(grownBbox(bboxOfRings(polygon)))) cells.add(cell);
  return [...cells].sort();
}
