/**
 * Coordinates as people in the field type them: decimal or sexagesimal degrees (latitude first,
 * as GPS units show them), UTM (`48 N 377220 1587612`) and MGRS (`48P UV 77220 87612`, what
 * field teams read off their GPS). Parsing and formatting use Chris Veness's `geodesy`
 * library (WGS84 ellipsoid, Karney/Krüger series for UTM); positions are GeoJSON `[lon, lat]`.
 */
import Mgrs, { Dms, LatLon, Utm } from 'geodesy/mgrs.js';

export type CoordFormat = 'DD' | 'UTM' | 'MGRS';
export const COORD_FORMATS: readonly CoordFormat[] = ['DD', 'UTM', 'MGRS'];

export type Position = [number, number];

/** Six decimals of a degree ≈ 0.1 m: more than any GPS holds, fewer than a float prints. */
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

/** A typed coordinate as `[lon, lat]`, or an Error whose message says what is wrong (in English, shown as the library's detail). */
export function parseCoordinate(text: string, format: CoordFormat): Position | Error {
  const input = text.trim();
  if (!input) return new Error('empty');
  try {
    let ll: LatLon;
    if (format === 'DD') {
      // "14.35, 103.7", "14.35 103.7", "14°21′00″N 103°42′00″E"
      const parts = input.includes(',') ? input.split(',') : input.split(/\s+(?=[-+]?\d)/);
      if (parts.length !== 2) return new Error('write latitude, longitude (e.g. 14.35, 103.7)');
      // Each half on its own: LatLon.parse would wrap a latitude of 95 to 85 rather than refuse it.
      const lat = Dms.parse(parts[0]!.trim());
      const lon = Dms.parse(parts[1]!.trim());
      if (!(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) return new Error('latitude must be within -90..90 and longitude within -180..180');
      ll = new LatLon(lat, lon);
    } else if (format === 'UTM') {
      ll = Utm.parse(input.replace(/^(\d{1,2})\s*([NS])\b/i, (_, z: string, h: string) => `${z} ${h.toUpperCase()}`)).toLatLon();
    } else {
      ll = Mgrs.parse(input.toUpperCase()).toUtm().toLatLon();
    }
    const lon = round6(ll.lon);
    const lat = round6(ll.lat);
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90) return new Error('out of range');
    return [lon, lat];
  } catch (e: unknown) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** A position written in a format (1 m resolution for UTM and MGRS, 6 decimals for degrees). */
export function formatCoordinate([lon, lat]: Position, format: CoordFormat): string {
  if (format === 'DD') return `${lat.toFixed(6)}, ${lon.toFixed(6)}`;
  try {
    const utm = new LatLon(lat, lon).toUtm();
    return format === 'UTM' ? utm.toString() : utm.toMgrs().toString();
  } catch {
    return `${lat.toFixed(6)}, ${lon.toFixed(6)}`;
  }
}
