/**
 * The shape being drawn: an outer ring of vertices (kept open while edited: no repeated first
 * vertex) and any holes a file brought, turned into the GeoJSON the API takes and back. Checked
 * with the API's own geometry rules (shared/domain/geometry.ts: closed rings, range, vertex cap,
 * no self-intersection) before anything is sent, so the same message shows before and after.
 */
import { Area } from '#shared/domain/geometry.ts';
import type { Position } from './coords.ts';

export interface Shape {
  vertices: Position[];
  /** Holes of an imported polygon, kept as they came (not edited on the map). */
  holes?: Position[][];
}

export type Polygon = { type: 'Polygon'; coordinates: number[][][] };
export type Polygonal = Polygon | { type: 'MultiPolygon'; coordinates: number[][][][] };

export const EMPTY_SHAPE: Shape = { vertices: [] };

/** Twice the signed area of a ring in degrees (shoelace): positive when counter-clockwise. */
function signedArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[(i + 1) % ring.length]!;
    sum += x1 * y2 - x2 * y1;
  }
  return sum;
}

/** The shape as a GeoJSON Polygon (RFC 7946: outer ring counter-clockwise, holes clockwise, rings closed); undefined below 3 vertices. */
export function polygonOf(shape: Shape): Polygon | undefined {
  if (shape.vertices.length < 3) return undefined;
  const ring = (vs: readonly Position[], ccw: boolean) => {
    const ordered = signedArea(vs) > 0 === ccw ? [...vs] : [...vs].reverse();
    return [...ordered, ordered[0]!].map((p) => [p[0], p[1]]);
  };
  return { type: 'Polygon', coordinates: [ring(shape.vertices, true), ...(shape.holes ?? []).map((h) => ring(h.slice(0, -1), false))] };
}

/** A stored polygon (the first one of a MultiPolygon) as an editable shape. */
export function shapeOf(geometry: Polygonal | undefined | null): Shape {
  if (!geometry) return EMPTY_SHAPE;
  const rings = geometry.type === 'Polygon' ? geometry.coordinates : (geometry.coordinates[0] ?? []);
  const [outer, ...holes] = rings;
  if (!outer) return EMPTY_SHAPE;
  const vertices = outer.slice(0, -1).map((p) => [p[0]!, p[1]!] as Position);
  return holes.length > 0 ? { vertices, holes: holes.map((h) => h.map((p) => [p[0]!, p[1]!] as Position)) } : { vertices };
}

/** A shape from an imported polygon's closed rings. */
export const shapeOfRings = (rings: Position[][]): Shape => {
  const [outer, ...holes] = rings;
  const vertices = (outer ?? []).slice(0, -1);
  return holes.length > 0 ? { vertices, holes } : { vertices };
};

/** What the API would say about the shape's geometry (English, as the server writes it); empty when it passes. */
export function geometryIssues(polygon: Polygonal | undefined): string[] {
  if (!polygon) return [];
  const parsed = Area.safeParse(polygon);
  return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
}

/** The position a geometry message names ("… near 103.705000, 14.355000"), to mark it on the map. */
export function positionIn(message: string): Position | undefined {
  const m = /near (-?\d+(?:\.\d+)?), (-?\d+(?:\.\d+)?)/.exec(message);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
