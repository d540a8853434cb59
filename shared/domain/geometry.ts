import turfArea from '@turf/area';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import { pointToPolygonDistance } from '@turf/point-to-polygon-distance';
import * as z from 'zod/mini';
import { firstSelfIntersection } from './self-intersection.ts';
import { named } from './common.ts';

/**
 * GeoJSON (RFC 7946, WGS84, [lon, lat]) geometry rules: what a hazard area or cleared area may
 * be, and the geodesic measures the server computes itself (areas in m², distances in m).
 */
export const MAX_VERTICES = 5000;

const Position = z
  .array(z.number().check(z.refine(Number.isFinite, 'must be a finite number')))
  .check(z.minLength(2, 'a position is [longitude, latitude]'), z.maxLength(3, 'a position is [longitude, latitude] or [longitude, latitude, altitude]'));
type Position = number[];
const Ring = z.array(Position);

export const Point = z
  .strictObject({ type: z.literal('Point'), coordinates: Position })
  .check(z.refine((p) => inRange(p.coordinates), { message: 'longitude must be within -180..180 and latitude within -90..90', path: ['coordinates'] }));
export type Point = z.infer<typeof Point>;

const inRange = (p: Position) => p[0]! >= -180 && p[0]! <= 180 && p[1]! >= -90 && p[1]! <= 90;
const samePosition = (a: Position | undefined, b: Position | undefined) => !!a && !!b && a[0] === b[0] && a[1] === b[1];

type Issue = { message: string; path: (string | number)[] };

function ringIssues(ring: Position[], path: (string | number)[]): Issue[] {
  const issues: Issue[] = [];
  ring.forEach((p, i) => {
    if (p[0]! < -180 || p[0]! > 180) issues.push({ message: 'longitude must be within -180..180', path: [...path, i, 0] });
    if (p[1]! < -90 || p[1]! > 90) issues.push({ message: 'latitude must be within -90..90', path: [...path, i, 1] });
  });
  if (ring.length < 4) issues.push({ message: 'a linear ring needs at least 4 positions (3 corners and the first repeated)', path });
  else if (!samePosition(ring[0], ring[ring.length - 1])) issues.push({ message: 'the ring is not closed: its last position must repeat its first', path });
  return issues;
}

function polygonIssues(type: 'Polygon' | 'MultiPolygon', coordinates: Position[][] | Position[][][]): Issue[] {
  const polygons = (type === 'Polygon' ? [coordinates] : coordinates) as Position[][][];
  const base = (i: number) => (type === 'Polygon' ? ['coordinates'] : ['coordinates', i]);
  const issues: Issue[] = [];
  const vertices = polygons.reduce((n, poly) => n + poly.reduce((m, ring) => m + ring.length, 0), 0);
  if (vertices > MAX_VERTICES) return [{ message: `at most ${MAX_VERTICES} vertices; this geometry has ${vertices}`, path: ['coordinates'] }];
  if (polygons.length === 0) return [{ message: 'a MultiPolygon needs at least one polygon', path: ['coordinates'] }];
  polygons.forEach((poly, i) => {
    if (poly.length === 0) issues.push({ message: 'a polygon needs an outer ring', path: base(i) });
    poly.forEach((ring, r) => {
      issues.push(...ringIssues(ring, [...base(i), r]));
    });
  });
  if (issues.length > 0) return issues;
  polygons.forEach((poly, i) => {
    // A sweep line (O(n log n), stops at the first crossing): a pairwise check of a 5,000-vertex ring takes seconds and gigabytes.
    const first = firstSelfIntersection(poly);
    if (first) issues.push({ message: `the polygon intersects itself (near ${first[0]?.toFixed(6)}, ${first[1]?.toFixed(6)})`, path: base(i) });
  });
  return issues;
}

const PolygonShape = z.strictObject({ type: z.literal('Polygon'), coordinates: z.array(Ring) });
const MultiPolygonShape = z.strictObject({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(Ring)) });

/** A validated Polygon or MultiPolygon: closed rings, coordinates in range, vertex cap, no self-intersection. */
export const Area = z.discriminatedUnion('type', [PolygonShape, MultiPolygonShape]).check((ctx) => {
  for (const issue of polygonIssues(ctx.value.type, ctx.value.coordinates)) {
    ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: ctx.value });
  }
});
export type Area = z.infer<typeof Area>;

/** Geodesic area in m², rounded to the square metre. */
export const areaSqm = (geometry: Area): number => Math.round(turfArea(geometry));

/**
 * Distance in metres from a point to an area: 0 inside, otherwise to the nearest edge.
 */
export function distanceToAreaM(point: Point, geometry: Area): number {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  let best = Infinity;
  for (const coordinates of polygons) {
    const polygon = { type: 'Polygon' as const, coordinates };
    if (booleanPointInPolygon(point.coordinates, polygon)) return 0;
    best = Math.min(best, Math.abs(pointToPolygonDistance(point.coordinates, polygon, { units: 'meters' })));
  }
  return best;
}

/** The farthest any vertex of `inner` lies outside `outer`, in metres (0 when all are inside). */
export function farthestVertexOutsideM(inner: Area, outer: Area): number {
  const rings = inner.type === 'Polygon' ? inner.coordinates : inner.coordinates.flat();
  let worst = 0;
  for (const ring of rings) for (const position of ring) worst = Math.max(worst, distanceToAreaM({ type: 'Point', coordinates: position }, outer));
  return worst;
}

/** A GeoJSON FeatureCollection (RFC 7946) as the map routes answer it with `Accept: application/geo+json`; documentation only. */
export const FeatureCollectionSchema = named('FeatureCollection', () =>
  z.object({
    type: z.literal('FeatureCollection'),
    features: z.array(
      z.object({
        type: z.literal('Feature'),
        geometry: z.object({ type: z.string(), coordinates: z.array(z.unknown()) }),
        properties: z.record(z.string(), z.unknown()),
      }),
    ),
    next: z.optional(z.nullable(z.string())),
  }),
);
