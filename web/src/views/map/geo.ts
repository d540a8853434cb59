/**
 * Geometry for the SVG map with d3-geo: a Mercator projection fitted to a bounding box, paths,
 * and the winding fix the API's polygons need. RFC 7946 rings run counter-clockwise, d3-geo
 * reads spherical polygons clockwise: an unfixed hectare-sized area would fill the whole globe.
 */
import { geoArea, geoMercator, geoPath, type GeoPermissibleObjects, type GeoProjection } from 'd3-geo';

export type Bbox = [[number, number], [number, number]];

/** The Cambodia–Thailand border region, from Koh Kong to the tri-border with Laos. */
export const BORDER_REGION: Bbox = [
  [102.2, 11.5],
  [105.95, 14.75],
];

export const WIDTH = 800;
export const HEIGHT = 600;
const MARGIN = 12;

type Ring = number[][];
interface PolygonLike {
  type: 'Polygon' | 'MultiPolygon';
  coordinates: Ring[] | Ring[][];
}

/** The geometry with rings reversed when d3-geo would read it as (almost) the whole sphere. */
export function forD3<G extends PolygonLike>(geometry: G): G {
  if (geoArea(geometry as GeoPermissibleObjects) <= 2 * Math.PI) return geometry;
  const reverse = (rings: Ring[]) => rings.map((r) => [...r].reverse());
  const coordinates = geometry.type === 'Polygon' ? reverse(geometry.coordinates as Ring[]) : (geometry.coordinates as Ring[][]).map(reverse);
  return { ...geometry, coordinates };
}

/** Bounding box of positions, or undefined when there are none. */
export function bboxOf(positions: Iterable<number[]>): Bbox | undefined {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of positions) {
    const [x, y] = p;
    if (x === undefined || y === undefined) continue;
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return minX === Infinity
    ? undefined
    : [
        [minX, minY],
        [maxX, maxY],
      ];
}

/** Every position of a Polygon or MultiPolygon. */
export function* positionsOf(geometry: PolygonLike): Generator<number[]> {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates as Ring[]] : (geometry.coordinates as Ring[][]);
  for (const polygon of polygons) for (const ring of polygon) yield* ring;
}

/** The box grown by a fraction of its size, and at least `minDeg` on each side. */
export function grow(box: Bbox, fraction: number, minDeg: number): Bbox {
  const [[x0, y0], [x1, y1]] = box;
  const dx = Math.max((x1 - x0) * fraction, minDeg);
  const dy = Math.max((y1 - y0) * fraction, minDeg);
  return [
    [x0 - dx, y0 - dy],
    [x1 + dx, y1 + dy],
  ];
}

export function projectionFor(box: Bbox): GeoProjection {
  const [[x0, y0], [x1, y1]] = box;
  const corners = {
    type: 'MultiPoint' as const,
    coordinates: [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ],
  };
  return geoMercator().fitExtent(
    [
      [MARGIN, MARGIN],
      [WIDTH - MARGIN, HEIGHT - MARGIN],
    ],
    corners,
  );
}

export const pathFor = (projection: GeoProjection) => geoPath(projection);
