import ngeohash from 'ngeohash';
import { describe, expect, it } from 'vitest';
import { atRiskKey, atRiskPrefix, hazardCellKey, householdCellKey } from '../../shared/db/keys/geo.ts';
import { returnSafetyItems, returnSafetyRemovals } from '../../shared/db/repositories/return-safety.ts';
import { distanceToAreaM, type Area, type Point } from '../../shared/domain/geometry.ts';
import type { Household } from '../../shared/domain/household.ts';
import {
  bboxOf,
  cellOfPoint,
  grownBbox,
  hazardCells,
  isHazardActive,
  MAX_HAZARD_CELLS,
  returnSafetyOf,
  safetyDiffers,
  SAFETY_CELL_PRECISION,
  type SafetyHazard,
} from '../../shared/domain/return-safety.ts';

const NOW = '2026-01-20T08:00:00.000Z';
const LAT = 14.35;
// Metres per degree on turf's sphere (radius 6,371,008.8 m).
const M_PER_DEG_LAT = (Math.PI * 6_371_008.8) / 180;
const mPerDegLon = (lat: number) => M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);

const square = (lon: number, lat: number, size = 0.01): Area => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ],
  ],
});
const point = (lon: number, lat: number): Point => ({ type: 'Point', coordinates: [lon, lat] });
/** A point `metres` east of the square's east edge, at mid-height. */
const eastOf = (lon: number, lat: number, size: number, metres: number) => point(lon + size + metres / mPerDegLon(lat + size / 2), lat + size / 2);

const area = square(105.0, LAT);
const hazard = (id: string, status: SafetyHazard['status'] = 'OPEN', geometry: Area = area): SafetyHazard => ({ id, status, geometry });

describe('the return-safety rule', () => {
  it('is AT_RISK for a destination inside an open hazard area, naming the area', () => {
    expect(returnSafetyOf(point(105.005, LAT + 0.005), [hazard('HA1')], NOW)).toEqual({ status: 'AT_RISK', hazardAreaIds: ['HA1'], checkedAt: NOW });
  });

  it('is AT_RISK 400 m outside the area and SAFE 600 m outside', () => {
    const at400 = eastOf(105.0, LAT, 0.01, 400);
    const at600 = eastOf(105.0, LAT, 0.01, 600);
    expect(distanceToAreaM(at400, area)).toBeCloseTo(400, -1);
    expect(distanceToAreaM(at600, area)).toBeCloseTo(600, -1);
    expect(returnSafetyOf(at400, [hazard('HA1')], NOW).status).toBe('AT_RISK');
    expect(returnSafetyOf(at600, [hazard('HA1')], NOW)).toEqual({ status: 'SAFE', hazardAreaIds: [], checkedAt: NOW });
  });

  it('counts an area exactly at the 500 m buffer and not one just beyond it', () => {
    expect(returnSafetyOf(eastOf(105.0, LAT, 0.01, 495), [hazard('HA1')], NOW).status).toBe('AT_RISK');
    expect(returnSafetyOf(eastOf(105.0, LAT, 0.01, 510), [hazard('HA1')], NOW).status).toBe('SAFE');
  });

  it('ignores CLOSED and HANDED_OVER areas but not WORKED_ON or SUSPENDED ones', () => {
    const inside = point(105.005, LAT + 0.005);
    expect(returnSafetyOf(inside, [hazard('HA1', 'CLOSED')], NOW).status).toBe('SAFE');
    expect(returnSafetyOf(inside, [hazard('HA1', 'HANDED_OVER')], NOW).status).toBe('SAFE');
    expect(returnSafetyOf(inside, [hazard('HA1', 'WORKED_ON')], NOW).status).toBe('AT_RISK');
    expect(returnSafetyOf(inside, [hazard('HA1', 'SUSPENDED')], NOW).status).toBe('AT_RISK');
    expect(isHazardActive('OPEN')).toBe(true);
    expect(isHazardActive('HANDED_OVER')).toBe(false);
  });

  it('is UNKNOWN without a destination point', () => {
    expect(returnSafetyOf(undefined, [hazard('HA1')], NOW)).toEqual({ status: 'UNKNOWN', hazardAreaIds: [], checkedAt: NOW });
  });

  it('names every area at risk, sorted and once, and only those', () => {
    const inside = point(105.005, LAT + 0.005);
    const far = square(105.2, LAT);
    const safety = returnSafetyOf(inside, [hazard('HB2'), hazard('HA1'), hazard('HB2'), hazard('HC3', 'OPEN', far), hazard('HD4', 'CLOSED')], NOW);
    expect(safety.hazardAreaIds).toEqual(['HA1', 'HB2']);
  });

  it('measures to the nearest polygon of a MultiPolygon', () => {
    const multi: Area = { type: 'MultiPolygon', coordinates: [square(104.9, LAT).coordinates as number[][][], area.coordinates as number[][][]] };
    expect(returnSafetyOf(eastOf(105.0, LAT, 0.01, 300), [hazard('HA1', 'OPEN', multi)], NOW).status).toBe('AT_RISK');
  });

  it('tells assessments apart by status and areas, not by the time of the check', () => {
    expect(safetyDiffers({ status: 'SAFE', hazardAreaIds: [] }, { status: 'SAFE', hazardAreaIds: [] })).toBe(false);
    expect(safetyDiffers({ status: 'AT_RISK', hazardAreaIds: ['A'] }, { status: 'AT_RISK', hazardAreaIds: ['A', 'B'] })).toBe(true);
    expect(safetyDiffers({ status: 'AT_RISK', hazardAreaIds: ['A'] }, { status: 'SAFE', hazardAreaIds: [] })).toBe(true);
  });
});

describe('the spatial cells', () => {
  it('uses geohash cells of 5 characters', () => {
    expect(SAFETY_CELL_PRECISION).toBe(5);
    expect(cellOfPoint(point(105.005, 14.355))).toBe(ngeohash.encode(14.355, 105.005, 5));
  });

  it('indexes an area under the cell of a point 400 m away across a cell edge', () => {
    // A cell edge (its west side) and an area starting 100 m east of it: the point, 300 m west
    // of the edge, is in the neighbouring cell, 400 m from the area.
    const [, edge] = ngeohash.decode_bbox(ngeohash.encode(LAT, 105.0, 5)); // [minlat, minlon, maxlat, maxlon]: the cell's west edge
    const areaLon = edge + 100 / mPerDegLon(LAT);
    const nearEdge = square(areaLon, LAT, 0.005);
    const p = point(edge - 300 / mPerDegLon(LAT + 0.0025), LAT + 0.0025);
    expect(distanceToAreaM(p, nearEdge)).toBeCloseTo(400, -1);
    const ownCells = new Set((nearEdge.coordinates[0] as number[][]).map(([lon, lat]) => ngeohash.encode(lat!, lon!, 5)));
    expect(ownCells.has(cellOfPoint(p))).toBe(false);
    expect(hazardCells(nearEdge)).toContain(cellOfPoint(p));
    expect(returnSafetyOf(p, [{ id: 'HA1', status: 'OPEN', geometry: nearEdge }], NOW).status).toBe('AT_RISK');
  });

  it('indexes an area under the cell of every point within 500 m of it (sampled, near cell edges and corners)', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 200; n++) {
      const lon = 103 + random() * 2;
      const lat = 13.5 + random();
      const geometry = square(lon, lat, 0.001 + random() * 0.03);
      const cells = new Set(hazardCells(geometry));
      const [minLon, minLat, maxLon, maxLat] = bboxOf(geometry);
      for (let k = 0; k < 10; k++) {
        // A point around the area, up to ~600 m out; those within 500 m must be in an indexed cell.
        const p = point(minLon - 0.006 + random() * (maxLon - minLon + 0.012), minLat - 0.006 + random() * (maxLat - minLat + 0.012));
        if (distanceToAreaM(p, geometry) <= 500) expect(cells.has(cellOfPoint(p))).toBe(true);
      }
    }
  });

  it('grows a box by at least the buffer on every side', () => {
    const box = bboxOf(area);
    const grown = grownBbox(box);
    expect((box[1] - grown[1]) * M_PER_DEG_LAT).toBeGreaterThanOrEqual(500);
    expect((grown[3] - box[3]) * M_PER_DEG_LAT).toBeGreaterThanOrEqual(500);
    expect((box[0] - grown[0]) * mPerDegLon(grown[3])).toBeGreaterThanOrEqual(500);
    expect((grown[2] - box[2]) * mPerDegLon(grown[3])).toBeGreaterThanOrEqual(500);
    expect((grown[2] - box[2]) * mPerDegLon(grown[3])).toBeLessThan(550);
  });

  it('covers a small area with a few cells and a MultiPolygon part by part', () => {
    expect(hazardCells(area).length).toBeGreaterThanOrEqual(1);
    expect(hazardCells(area).length).toBeLessThanOrEqual(4);
    const scattered: Area = {
      type: 'MultiPolygon',
      coordinates: [square(103.0, 13.5, 0.002).coordinates as number[][][], square(104.0, 14.5, 0.002).coordinates as number[][][]],
    };
    // Two parts a degree apart: their own cells, not the ~20 × 23 cells of the box between them.
    expect(hazardCells(scattered).length).toBeLessThanOrEqual(8);
    expect(hazardCells(square(103.0, 13.5, 0.5)).length).toBeGreaterThan(MAX_HAZARD_CELLS);
  });
});

describe('spatial index keys', () => {
  it('addresses hazard and household cells and at-risk links', () => {
    expect(hazardCellKey('w6b2k', '01HA')).toEqual({ pk: 'HAGEO#w6b2k', sk: 'HAZARD#01HA' });
    expect(householdCellKey('w6b2k', '01HH')).toEqual({ pk: 'HHGEO#w6b2k', sk: 'HH#01HH' });
    expect(atRiskKey('01HA', 'KH', 'CARE', '01HH')).toEqual({ pk: 'HAZARD#01HA#ATRISK', sk: 'COUNTRY#KH#ORG#CARE#HH#01HH' });
  });

  it('narrows the at-risk links to a country or an organisation by prefix, and one organisation never matches another', () => {
    const link = atRiskKey('01HA', 'KH', 'CARE', '01HH').sk;
    expect(link.startsWith(atRiskPrefix({}))).toBe(true);
    expect(link.startsWith(atRiskPrefix({ country: 'KH' }))).toBe(true);
    expect(link.startsWith(atRiskPrefix({ country: 'TH' }))).toBe(false);
    expect(link.startsWith(atRiskPrefix({ country: 'KH', org: 'CARE' }))).toBe(true);
    expect(link.startsWith(atRiskPrefix({ country: 'KH', org: 'CAR' }))).toBe(false);
    expect(atRiskKey('01HA', 'KH', 'CAREX', '01HH').sk.startsWith(atRiskPrefix({ country: 'KH', org: 'CARE' }))).toBe(false);
  });
});

describe('a household in the spatial index', () => {
  const base = {
    id: '01HH',
    country: 'KH',
    org: 'CARE',
    origin: { province: 'KH22' },
    members: [{ givenName: 'Sokha', familyName: 'Chan' }],
    destination: { province: 'KH22', point: point(103.52, 14.42) },
    returnSafety: { status: 'AT_RISK', hazardAreaIds: ['HA1', 'HA2'], checkedAt: NOW },
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  } as unknown as Household;

  it('is its cell item, one link per area at risk and, until it has had risk education, its place in the list of households to brief, without personal data', () => {
    const items = returnSafetyItems(base);
    expect(items.map((i) => `${i.pk} ${i.sk}`)).toEqual([
      `HHGEO#${cellOfPoint(point(103.52, 14.42))} HH#01HH`,
      'HAZARD#HA1#ATRISK COUNTRY#KH#ORG#CARE#HH#01HH',
      'HAZARD#HA2#ATRISK COUNTRY#KH#ORG#CARE#HH#01HH',
      'EOREDUE#KH ORG#CARE#HH#01HH',
    ]);
    expect(returnSafetyItems({ ...base, riskEducation: { receivedAt: '2026-02-01' } }).map((i) => i.pk)).not.toContain('EOREDUE#KH');
    expect(items[0]).toMatchObject({
      householdId: '01HH',
      country: 'KH',
      org: 'CARE',
      point: [103.52, 14.42],
      safety: 'AT_RISK',
      hazardAreaIds: ['HA1', 'HA2'],
    });
    expect(JSON.stringify(items)).not.toMatch(/Sokha|Chan/);
  });

  it('has no items without a destination point', () => {
    expect(returnSafetyItems({ ...base, destination: { province: 'KH22' } })).toEqual([]);
  });

  it('has no items without consent to return assistance', () => {
    expect(returnSafetyItems({ ...base, consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] } })).toEqual([]);
  });

  it('removes only the items the new state does not rewrite', () => {
    const safe = { ...base, returnSafety: { status: 'SAFE', hazardAreaIds: [], checkedAt: NOW } } as Household;
    const removed = returnSafetyRemovals(base, safe).map((w) => w.item.Delete?.Key);
    expect(removed).toEqual([
      { pk: 'HAZARD#HA1#ATRISK', sk: 'COUNTRY#KH#ORG#CARE#HH#01HH' },
      { pk: 'HAZARD#HA2#ATRISK', sk: 'COUNTRY#KH#ORG#CARE#HH#01HH' },
      { pk: 'EOREDUE#KH', sk: 'ORG#CARE#HH#01HH' },
    ]);
    expect(returnSafetyRemovals(base).length).toBe(4);
    const moved = { ...base, destination: { province: 'KH22', point: point(104.9, 13.9) } } as Household;
    expect(returnSafetyRemovals(base, moved).map((w) => w.item.Delete?.Key?.pk)).toEqual([`HHGEO#${cellOfPoint(point(103.52, 14.42))}`]);
  });
});
