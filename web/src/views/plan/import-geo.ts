/**
 * Polygons from the files GPS units and QGIS export: GeoJSON, KML and GPX. KML and GPX are read
 * with Mapbox's `@tmcw/togeojson` (the maintained converter) from an XML document the caller
 * parses (the browser's DOMParser). What a GPS unit records around a hazard area is usually a
 * track walked along its edge: a track whose ends meet (within {@link CLOSE_TRACK_M}) becomes a
 * polygon; waypoints and open tracks are skipped and said so. Altitudes are dropped, repeated
 * positions merged, rings closed.
 */
import { gpx, kml } from '@tmcw/togeojson';
import type { Position } from './coords.ts';

/** A track whose two ends lie within this many metres is read as the outline of an area. */
export const CLOSE_TRACK_M = 50;

/** A polygon read from a file: its rings (outer first), each closed, in `[lon, lat]`. */
export interface ImportedPolygon {
  rings: Position[][];
  /** The feature's name in the file, if it had one. */
  name?: string;
}

export interface ImportResult {
  polygons: ImportedPolygon[];
  /** Features that gave no polygon: points (waypoints) and tracks whose ends do not meet. */
  skipped: { points: number; openLines: number };
}

export type GeoFormat = 'geojson' | 'kml' | 'gpx';

/** The file's format, from its name, else from its first characters. */
export function formatOf(name: string, text: string): GeoFormat | undefined {
  const ext = /\.([a-z]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (ext === 'geojson' || ext === 'json') return 'geojson';
  if (ext === 'kml') return 'kml';
  if (ext === 'gpx') return 'gpx';
  const head = text.trimStart().slice(0, 400);
  if (head.startsWith('{')) return 'geojson';
  if (/<gpx[\s>]/i.test(head)) return 'gpx';
  if (/<kml[\s>]/i.test(head)) return 'kml';
  return undefined;
}

/** Metres between two positions (equirectangular: exact enough over tens of metres). */
function metres(a: Position, b: Position): number {
  const rad = Math.PI / 180;
  const x = (b[0] - a[0]) * rad * Math.cos(((a[1] + b[1]) / 2) * rad);
  const y = (b[1] - a[1]) * rad;
  return Math.hypot(x, y) * 6_371_008.8;
}

const isPosition = (p: unknown): p is number[] =>
  Array.isArray(p) && p.length >= 2 && typeof p[0] === 'number' && typeof p[1] === 'number' && Number.isFinite(p[0]) && Number.isFinite(p[1]);

/** 2D positions without repeats in a row (a GPS unit logs the same fix while standing still). */
function clean(positions: unknown[]): Position[] {
  const out: Position[] = [];
  for (const p of positions) {
    if (!isPosition(p)) continue;
    const q: Position = [p[0]!, p[1]!];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  return out;
}

/** A closed ring (first position repeated at the end), or undefined when fewer than 3 corners remain. */
export function closeRing(positions: Position[]): Position[] | undefined {
  const ring = [...positions];
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first && last && first[0] === last[0] && first[1] === last[1]) ring.pop();
  if (ring.length < 3) return undefined;
  return [...ring, ring[0]!];
}

interface GeoObject {
  type?: unknown;
  coordinates?: unknown;
  geometry?: GeoObject | null;
  geometries?: unknown;
  features?: unknown;
  properties?: Record<string, unknown> | null;
}

/** Collects the polygons of any GeoJSON object: FeatureCollection, Feature, GeometryCollection or geometry. */
export function polygonsOfGeoJson(root: unknown): ImportResult {
  const result: ImportResult = { polygons: [], skipped: { points: 0, openLines: 0 } };
  const visit = (node: unknown, name: string | undefined) => {
    if (!node || typeof node !== 'object') return;
    const o = node as GeoObject;
    switch (o.type) {
      case 'FeatureCollection':
        for (const f of Array.isArray(o.features) ? o.features : []) visit(f, undefined);
        return;
      case 'Feature': {
        const n = o.properties?.name;
        visit(o.geometry, typeof n === 'string' && n.trim() ? n.trim() : name);
        return;
      }
      case 'GeometryCollection':
        for (const g of Array.isArray(o.geometries) ? o.geometries : []) visit(g, name);
        return;
      case 'Polygon':
        addPolygon(o.coordinates, name);
        return;
      case 'MultiPolygon':
        for (const p of Array.isArray(o.coordinates) ? o.coordinates : []) addPolygon(p, name);
        return;
      case 'LineString':
        addLine(o.coordinates, name);
        return;
      case 'MultiLineString':
        for (const l of Array.isArray(o.coordinates) ? o.coordinates : []) addLine(l, name);
        return;
      case 'Point':
      case 'MultiPoint':
        result.skipped.points++;
        return;
      default:
        return;
    }
  };
  const push = (rings: Position[][], name: string | undefined) => result.polygons.push(name ? { rings, name } : { rings });
  const addPolygon = (coordinates: unknown, name: string | undefined) => {
    const rings = (Array.isArray(coordinates) ? coordinates : []).map((r) => closeRing(clean(Array.isArray(r) ? r : []))).filter((r): r is Position[] => !!r);
    if (rings.length > 0) push(rings, name);
  };
  const addLine = (coordinates: unknown, name: string | undefined) => {
    const line = clean(Array.isArray(coordinates) ? coordinates : []);
    const first = line[0];
    const last = line[line.length - 1];
    const ring = first && last && metres(first, last) <= CLOSE_TRACK_M ? closeRing(line) : undefined;
    if (ring) push([ring], name);
    else result.skipped.openLines++;
  };
  visit(root, undefined);
  return result;
}

/**
 * Reads a file's polygons. `parseXml` turns KML or GPX text into a DOM document (the browser's
 * `DOMParser`); a file that cannot be read throws an Error saying why.
 */
export function importPolygons(name: string, text: string, parseXml: (text: string) => Document): ImportResult {
  const format = formatOf(name, text);
  if (!format) throw new Error('not a GeoJSON, KML or GPX file');
  if (format === 'geojson') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error('not valid JSON');
    }
    return polygonsOfGeoJson(json);
  }
  const doc = parseXml(text);
  if (doc.getElementsByTagName('parsererror').length > 0) throw new Error('not valid XML');
  return polygonsOfGeoJson(format === 'kml' ? kml(doc) : gpx(doc));
}
