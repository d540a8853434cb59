import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reconcileEo } from '#shared/domain/land-release.ts';
import { formatCoordinate, parseCoordinate } from '../../web/src/views/plan/coords.ts';
import { closeRing, formatOf, importPolygons, polygonsOfGeoJson } from '../../web/src/views/plan/import-geo.ts';
import { geometryIssues, polygonOf, positionIn, shapeOf } from '../../web/src/views/plan/shape.ts';

/**
 * The planning console's pure parts (web/src/views/plan): coordinates typed in degrees, UTM and
 * MGRS; polygons read from a GPS unit's GeoJSON export; the drawn shape turned into the API's
 * GeoJSON and checked with its rules; the priority suggested by a rank; the EO reconciliation
 * shared with the API.
 */
const fixture = (name: string) => readFileSync(new URL(`../fixtures/gps/${name}`, import.meta.url), 'utf8');
const noXml = (): Document => {
  throw new Error('no XML expected');
};

describe('coordinates typed by hand', () => {
  it('reads decimal and sexagesimal degrees, latitude first, as [lon, lat]', () => {
    expect(parseCoordinate('14.355, 103.705', 'DD')).toEqual([103.705, 14.355]);
    expect(parseCoordinate('14.355 103.705', 'DD')).toEqual([103.705, 14.355]);
    expect(parseCoordinate('14°21′18″N, 103°42′18″E', 'DD')).toEqual([103.705, 14.355]);
  });

  it('reads UTM and MGRS as a GPS shows them, to within a metre of the degrees they stand for', () => {
    const point: [number, number] = [103.705, 14.355];
    for (const format of ['UTM', 'MGRS'] as const) {
      const text = formatCoordinate(point, format);
      expect(text).toMatch(format === 'UTM' ? /^48 N \d{6} \d{7}$/ : /^48P UA \d{5} \d{5}$/);
      const back = parseCoordinate(text, format) as [number, number];
      expect(Math.abs(back[0] - point[0])).toBeLessThan(1e-5);
      expect(Math.abs(back[1] - point[1])).toBeLessThan(1e-5);
    }
    // lower-case and fewer digits, as people type them
    expect(parseCoordinate('48p ua 6198 8738', 'MGRS')).toEqual(parseCoordinate('48P UA 61980 87380', 'MGRS'));
  });

  it('refuses what is not a coordinate, saying so, instead of guessing', () => {
    expect(parseCoordinate('', 'DD')).toBeInstanceOf(Error);
    expect(parseCoordinate('103.705', 'DD')).toBeInstanceOf(Error);
    expect(parseCoordinate('48P ZZ 1 2', 'MGRS')).toBeInstanceOf(Error);
    expect(parseCoordinate('north', 'UTM')).toBeInstanceOf(Error);
    expect(parseCoordinate('95, 103.7', 'DD')).toBeInstanceOf(Error);
  });
});

describe('polygons from a GPS unit’s export', () => {
  it('reads a walked track whose ends meet as an area: altitudes dropped, the repeated fix merged, the ring closed; the waypoint skipped', () => {
    const result = importPolygons('Track_2026-01-14.geojson', fixture('garmin-track-hazard-area.geojson'), noXml);
    expect(result.skipped).toEqual({ points: 1, openLines: 0 });
    expect(result.polygons).toHaveLength(1);
    const [ring] = result.polygons[0]!.rings;
    expect(ring).toHaveLength(14); // 14 fixes, one repeated, plus the closing position
    expect(ring![0]).toEqual([103.72012, 14.35008]);
    expect(ring![ring!.length - 1]).toEqual(ring![0]);
    expect(ring!.every((p) => p.length === 2)).toBe(true);
    expect(result.polygons[0]!.name).toBe('Bamboo grove south of O Smach road');
  });

  it('skips a track whose ends lie far apart, and reads Polygons and MultiPolygons with their holes', () => {
    const open = polygonsOfGeoJson({
      type: 'LineString',
      coordinates: [
        [103.7, 14.35],
        [103.71, 14.35],
        [103.71, 14.36],
      ],
    });
    expect(open).toEqual({ polygons: [], skipped: { points: 0, openLines: 1 } });
    const multi = polygonsOfGeoJson({
      type: 'Feature',
      properties: { name: 'two fields' },
      geometry: {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [0, 0],
              [4, 0],
              [4, 4],
              [0, 4],
              [0, 0],
            ],
            [
              [1, 1],
              [2, 1],
              [2, 2],
              [1, 1],
            ],
          ],
          [
            [
              [10, 10],
              [11, 10],
              [11, 11],
            ],
          ],
        ],
      },
    });
    expect(multi.polygons.map((p) => p.rings.length)).toEqual([2, 1]);
    expect(multi.polygons[1]!.rings[0]).toEqual([
      [10, 10],
      [11, 10],
      [11, 11],
      [10, 10],
    ]);
    expect(multi.polygons.every((p) => p.name === 'two fields')).toBe(true);
  });

  it('tells the formats apart by name or content, and refuses other files', () => {
    expect(formatOf('a.KML', '')).toBe('kml');
    expect(formatOf('export', '<?xml version="1.0"?><gpx version="1.1">')).toBe('gpx');
    expect(formatOf('export', '  {"type":"FeatureCollection"}')).toBe('geojson');
    expect(() => importPolygons('notes.txt', 'hello', noXml)).toThrow(/GeoJSON, KML or GPX/);
    expect(() => importPolygons('a.geojson', '{oops', noXml)).toThrow(/JSON/);
    expect(
      closeRing([
        [0, 0],
        [1, 1],
      ]),
    ).toBeUndefined();
  });
});

describe('the drawn shape', () => {
  it('becomes a closed, counter-clockwise GeoJSON Polygon whichever way it was drawn, and comes back as the same vertices', () => {
    const clockwise: [number, number][] = [
      [103.7, 14.36],
      [103.71, 14.36],
      [103.71, 14.35],
      [103.7, 14.35],
    ];
    const polygon = polygonOf({ vertices: clockwise })!;
    const ring = polygon.coordinates[0]!;
    expect(ring).toHaveLength(5);
    expect(ring[0]).toEqual(ring[4]);
    const signed = ring.slice(0, -1).reduce((s, p, i, r) => s + p[0]! * r[(i + 1) % r.length]![1]! - r[(i + 1) % r.length]![0]! * p[1]!, 0);
    expect(signed).toBeGreaterThan(0);
    expect(geometryIssues(polygon)).toEqual([]);
    expect(new Set(shapeOf(polygon).vertices.map((v) => v.join()))).toEqual(new Set(clockwise.map((v) => v.join())));
    expect(polygonOf({ vertices: clockwise.slice(0, 2) })).toBeUndefined();
  });

  it('is checked with the API’s own rules: a crossing outline gets the API’s message and the position it names', () => {
    const bowTie = polygonOf({
      vertices: [
        [103.7, 14.35],
        [103.71, 14.36],
        [103.71, 14.35],
        [103.7, 14.36],
      ],
    });
    const issues = geometryIssues(bowTie);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/intersects itself/);
    const near = positionIn(issues[0]!)!;
    expect(near[0]).toBeCloseTo(103.705, 3);
    expect(near[1]).toBeCloseTo(14.355, 3);
  });
});

describe('planning figures', () => {
  it('reconciles a team’s EO totals with its progress reports as the API stores them', () => {
    expect(reconcileEo({ AP_MINE: 3 }, undefined)).toEqual({ fromProgressReports: { AP_MINE: 3 }, mismatch: false, differences: {} });
    expect(reconcileEo({ AP_MINE: 3, UXO: 1 }, { AP_MINE: 4, SUBMUNITION: 2, UXO: 1 })).toEqual({
      fromProgressReports: { AP_MINE: 3, UXO: 1 },
      reported: { AP_MINE: 4, SUBMUNITION: 2, UXO: 1 },
      mismatch: true,
      differences: { AP_MINE: 1, SUBMUNITION: 2 },
    });
  });
});

describe('the priorities list where the API has one', () => {
  const answer = (status: number, body: unknown) => async () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' } });

  it('gives the area’s rank among the listed areas and the priority it suggests', async () => {
    const { rankOf } = await import('../../web/src/views/plan/data.ts');
    const items = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'].map((id) => ({ hazardAreaId: id, score: 1 }));
    const seen: string[] = [];
    const fetchBefore = globalThis.fetch;
    globalThis.fetch = (async (url: string) => {
      seen.push(url);
      return answer(200, { items, next: null })();
    }) as typeof fetch;
    try {
      expect(await rankOf({ id: 'D', country: 'KH' })).toEqual({ rank: 4, of: 10, suggested: 2 });
      expect(await rankOf({ id: 'Z', country: 'KH' })).toBeUndefined();
      expect(seen[0]).toBe('/v1/hazard-areas/priorities?country=KH&limit=100');
    } finally {
      globalThis.fetch = fetchBefore;
    }
  });

  it('takes the rank the API gives with the area itself, without reading the list', async () => {
    const { rankOf } = await import('../../web/src/views/plan/data.ts');
    const fetchBefore = globalThis.fetch;
    globalThis.fetch = (async () => {
      throw new Error('the list must not be read');
    }) as typeof fetch;
    try {
      expect(await rankOf({ id: 'D', country: 'KH', priority: { listed: true, rank: 2, of: 12, suggestedTaskPriority: 1 } })).toEqual({
        rank: 2,
        of: 12,
        suggested: 1,
      });
      expect(await rankOf({ id: 'D', country: 'KH', priority: { listed: false, rank: null, of: 12, suggestedTaskPriority: null } })).toBeUndefined();
    } finally {
      globalThis.fetch = fetchBefore;
    }
  });

  it('is absent, not an error, where the API has no such list (a client error), and a server failure is thrown', async () => {
    const { rankOf } = await import('../../web/src/views/plan/data.ts');
    const fetchBefore = globalThis.fetch;
    try {
      globalThis.fetch = answer(400, { type: 'about:blank', title: 'Bad Request', status: 400 }) as typeof fetch;
      expect(await rankOf({ id: 'D', country: 'TH' })).toBeUndefined();
      globalThis.fetch = answer(503, { type: 'about:blank', title: 'Service Unavailable', status: 503 }) as typeof fetch;
      await expect(rankOf({ id: 'D', country: 'TH' })).rejects.toThrow();
    } finally {
      globalThis.fetch = fetchBefore;
    }
  });
});
