import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { describe, expect, it } from 'vitest';
import { qaStatusOf } from '../../functions/cleared-areas/decisions.ts';
import { ClearedAreaCreate } from '../../shared/domain/cleared-area.ts';
import { distanceToAreaM, type Area } from '../../shared/domain/geometry.ts';
import {
  MAX_REPORT_VERTICES,
  METHODS_BY_OUTCOME,
  OUTCOMES_BY_ACTIVITY,
  partProblems,
  remainingAfter,
  simplifyOutward,
  sqmOf,
  subtract,
  vertexCount,
} from '../../shared/domain/land-release.ts';

// Degrees at ~14.4° N on turf's sphere: 1° of latitude ≈ 111.2 km, 1° of longitude ≈ 107.7 km.
const M_PER_DEG_LAT = (Math.PI * 6_371_008.8) / 180;
const M_PER_DEG_LON = M_PER_DEG_LAT * Math.cos((14.4 * Math.PI) / 180);

/** A rectangle from its south-west corner to its north-east corner, in degrees. */
const rect = (w: number, s: number, e: number, n: number): Area => ({
  type: 'Polygon',
  coordinates: [
    [
      [w, s],
      [e, s],
      [e, n],
      [w, n],
      [w, s],
    ],
  ],
});

// The hazard area: 0.02° × 0.01° (≈ 2.15 km × 1.11 km) at 103.50 E, 14.40 N.
const AREA = rect(103.5, 14.4, 103.52, 14.41);
const AREA_SQM = sqmOf(AREA);

describe('outcomes by activity', () => {
  it('lets NTS only cancel, TS cancel or reduce, clearance and BAC clear or reduce, and EOD spot tasks release nothing', () => {
    expect(OUTCOMES_BY_ACTIVITY).toEqual({
      NTS: ['CANCELLED'],
      TS: ['CANCELLED', 'REDUCED'],
      CLEARANCE: ['CLEARED', 'REDUCED'],
      BAC: ['CLEARED', 'REDUCED'],
      EOD_SPOT: [],
    });
  });

  it('reaches cancelled land by survey only, and cleared land by clearance methods only', () => {
    expect(METHODS_BY_OUTCOME.CANCELLED).toEqual(['NTS']);
    for (const m of ['MANUAL', 'MECHANICAL', 'MDD', 'COMBINED']) {
      expect(METHODS_BY_OUTCOME.CLEARED).toContain(m);
      expect(METHODS_BY_OUTCOME.CANCELLED).not.toContain(m);
    }
    expect(METHODS_BY_OUTCOME.CLEARED).not.toContain('NTS');
    expect(METHODS_BY_OUTCOME.CLEARED).not.toContain('TS');
    expect(METHODS_BY_OUTCOME.REDUCED).toContain('TS');
    expect(METHODS_BY_OUTCOME.REDUCED).not.toContain('NTS');
  });
});

describe('partProblems', () => {
  const west = rect(103.5, 14.4, 103.505, 14.41);
  const nextToWest = rect(103.505, 14.4, 103.51, 14.41);

  it('accepts parts within the remaining land that only share an edge', () => {
    expect(partProblems([west, nextToWest], AREA, [], 10)).toEqual([]);
  });

  it('tolerates a vertex 5 m outside the land and refuses one 20 m outside, naming the part and the distance', () => {
    const out5 = 5 / M_PER_DEG_LON;
    expect(partProblems([rect(103.5 - out5, 14.4, 103.505, 14.41)], AREA, [], 10)).toEqual([]);
    // The second part reaches 20 m south of the area's south edge.
    const problems = partProblems([west, rect(103.51, 14.4 - 20 / M_PER_DEG_LAT, 103.511, 14.401)], AREA, [], 10);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.part).toBe(1);
    expect(problems[0]!.message).toMatch(/a vertex lies (19|20|21) m outside the remaining land/);
  });

  it('measures containment against the remaining land, not the recorded polygon', () => {
    const remaining = remainingAfter(AREA, [west])!;
    const problems = partProblems([rect(103.501, 14.401, 103.504, 14.404)], remaining, [], 10);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/outside the remaining land/);
    expect(partProblems([rect(103.501, 14.401, 103.504, 14.404)], null, [], 10)).toEqual([
      { part: 0, message: 'nothing of the hazard area remains to be released' },
    ]);
  });

  it('refuses parts of one report that overlap each other, naming the earlier part', () => {
    const overlapping = rect(103.504, 14.4, 103.51, 14.41); // 0.001° ≈ 108 m into the west part: ≈ 119,000 m²
    const problems = partProblems([west, overlapping], AREA, [], 10);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ part: 1 });
    expect(problems[0]!.message).toMatch(/^overlaps part 0 of this report by \d+ m²$/);
    const sqm = Number(problems[0]!.message.match(/by (\d+) m²/)![1]);
    expect(sqm).toBeGreaterThan(110_000);
    expect(sqm).toBeLessThan(130_000);
  });

  it('refuses a part that overlaps land already released or awaiting QA, naming it', () => {
    const taken = [{ what: 'land released by report R1', geometry: west }];
    const problems = partProblems([rect(103.504, 14.4, 103.51, 14.41)], AREA, taken, 10);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^overlaps land released by report R1 by \d+ m²$/);
  });

  it('ignores overlaps under 1 m² (digitising noise) and counts those above', () => {
    // A sliver 0.5 m wide along the 1,106 m shared edge: ≈ 550 m², refused; 0.0005 m wide: ≈ 0.55 m², ignored.
    const sliver = (metres: number) => rect(103.505 - metres / M_PER_DEG_LON, 14.4, 103.51, 14.41);
    expect(partProblems([west, sliver(0.0005)], AREA, [], 10)).toEqual([]);
    expect(partProblems([sliver(0.0005)], AREA, [{ what: 'land awaiting QA in report R2', geometry: west }], 10)).toEqual([]);
    expect(partProblems([west, sliver(0.5)], AREA, [], 10)).toHaveLength(1);
  });
});

describe('remaining land', () => {
  it('takes a part off one side: the rest is one polygon of the right size', () => {
    const west = rect(103.5, 14.4, 103.505, 14.41);
    const rest = remainingAfter(AREA, [west])!;
    expect(rest.type).toBe('Polygon');
    expect(sqmOf(rest)).toBeCloseTo(AREA_SQM - sqmOf(west), -1);
    expect(booleanPointInPolygon([103.502, 14.405], rest)).toBe(false);
    expect(booleanPointInPolygon([103.51, 14.405], rest)).toBe(true);
  });

  it('leaves a MultiPolygon when a part cuts the area in two', () => {
    const band = rect(103.509, 14.399, 103.511, 14.411); // a north–south band across the whole area
    const rest = subtract(AREA, band)!;
    expect(rest.type).toBe('MultiPolygon');
    expect(rest.type === 'MultiPolygon' && rest.coordinates).toHaveLength(2);
    expect(sqmOf(rest)).toBeCloseTo(AREA_SQM - sqmOf(rect(103.509, 14.4, 103.511, 14.41)), -1);
    expect(booleanPointInPolygon([103.505, 14.405], rest)).toBe(true);
    expect(booleanPointInPolygon([103.515, 14.405], rest)).toBe(true);
    expect(booleanPointInPolygon([103.51, 14.405], rest)).toBe(false);
  });

  it('leaves a hole when a part lies inside', () => {
    const inner = rect(103.508, 14.403, 103.512, 14.407);
    const rest = remainingAfter(AREA, [inner])!;
    expect(rest.type).toBe('Polygon');
    expect(rest.type === 'Polygon' && rest.coordinates).toHaveLength(2); // outer ring and one hole
    expect(sqmOf(rest)).toBeCloseTo(AREA_SQM - sqmOf(inner), -1);
    expect(booleanPointInPolygon([103.51, 14.405], rest)).toBe(false);
    expect(booleanPointInPolygon([103.502, 14.405], rest)).toBe(true);
  });

  it('applies parts in order, whatever their number, and is null once nothing remains', () => {
    const halves = [rect(103.5, 14.4, 103.51, 14.41), rect(103.51, 14.4, 103.52, 14.41)];
    expect(sqmOf(remainingAfter(AREA, halves.slice(0, 1)))).toBeCloseTo(AREA_SQM / 2, -2);
    expect(remainingAfter(AREA, halves)).toBeNull();
    expect(remainingAfter(AREA, [rect(103.49, 14.39, 103.53, 14.42)])).toBeNull();
    expect(remainingAfter(AREA, [])).toEqual(AREA);
    expect(sqmOf(null)).toBe(0);
  });
});

describe('simplifyOutward', () => {
  /** A ring of `n` vertices around a centre with a wobbling radius (not convex): at 14.4 N, ≈ 300–500 m. */
  const wobbly = (lon: number, lat: number, n: number): number[][] => {
    const ring = Array.from({ length: n }, (_, i) => {
      const a = (2 * Math.PI * i) / n;
      const r = (i % 2 === 0 ? 0.0045 : 0.003) * (1 + 0.1 * Math.sin(7 * a));
      return [lon + r * Math.cos(a), lat + r * Math.sin(a)];
    });
    return [...ring, ring[0]!];
  };
  const within = (position: number[], g: Area) => booleanPointInPolygon(position, g) || distanceToAreaM({ type: 'Point', coordinates: position }, g) < 0.01;

  it('leaves a geometry within the limit alone', () => {
    const g: Area = { type: 'Polygon', coordinates: [wobbly(103.5, 14.4, 100)] };
    expect(simplifyOutward(g, 200)).toEqual({ geometry: g, simplified: false });
  });

  it('keeps every input vertex inside or on the output and the vertex count within the limit', () => {
    const holey: Area = {
      type: 'MultiPolygon',
      coordinates: [
        [wobbly(103.5, 14.4, 600), wobbly(103.5, 14.4, 40).map(([x, y]) => [103.5 + (x! - 103.5) * 0.2, 14.4 + (y! - 14.4) * 0.2])],
        [wobbly(103.52, 14.4, 300)],
        [wobbly(103.54, 14.4, 60)],
      ],
    };
    const max = 400;
    expect(vertexCount(holey)).toBeGreaterThan(max);
    const { geometry, simplified } = simplifyOutward(holey, max);
    expect(simplified).toBe(true);
    expect(vertexCount(geometry)).toBeLessThanOrEqual(max);
    const inputVertices = holey.coordinates.flatMap((p) => p.flat());
    expect(inputVertices.every((v) => within(v, geometry))).toBe(true);
    // Outward: never less land than before (holes filled, hulls around each polygon).
    expect(sqmOf(geometry)).toBeGreaterThanOrEqual(sqmOf(holey));
  });

  it('fills holes before it hulls anything, when that is enough', () => {
    const outer = wobbly(103.5, 14.4, 300);
    const hole = wobbly(103.5, 14.4, 120).map(([x, y]) => [103.5 + (x! - 103.5) * 0.3, 14.4 + (y! - 14.4) * 0.3]);
    const { geometry, simplified } = simplifyOutward({ type: 'Polygon', coordinates: [outer, hole] }, 350);
    expect(simplified).toBe(true);
    expect(geometry).toEqual({ type: 'Polygon', coordinates: [outer] });
  });
});

describe('qaStatusOf: the dual-QA state machine', () => {
  const joint = ['KH', 'TH'] as const;
  it('keeps a joint report SUBMITTED when one country accepted, QA_ACCEPTED when both did', () => {
    expect(qaStatusOf(joint, [])).toBe('SUBMITTED');
    expect(qaStatusOf(joint, [{ country: 'KH', decision: 'ACCEPTED' }])).toBe('SUBMITTED');
    expect(qaStatusOf(joint, [{ country: 'TH', decision: 'ACCEPTED' }])).toBe('SUBMITTED');
    expect(
      qaStatusOf(joint, [
        { country: 'KH', decision: 'ACCEPTED' },
        { country: 'TH', decision: 'ACCEPTED' },
      ]),
    ).toBe('QA_ACCEPTED');
    expect(
      qaStatusOf(joint, [
        { country: 'TH', decision: 'ACCEPTED' },
        { country: 'KH', decision: 'ACCEPTED' },
      ]),
    ).toBe('QA_ACCEPTED');
  });

  it('rejects on any rejection, first or second, whatever the other said', () => {
    expect(qaStatusOf(joint, [{ country: 'TH', decision: 'REJECTED' }])).toBe('QA_REJECTED');
    expect(
      qaStatusOf(joint, [
        { country: 'KH', decision: 'ACCEPTED' },
        { country: 'TH', decision: 'REJECTED' },
      ]),
    ).toBe('QA_REJECTED');
    expect(qaStatusOf(['KH'], [{ country: 'KH', decision: 'REJECTED' }])).toBe('QA_REJECTED');
  });

  it('accepts a national report on its own country’s decision alone', () => {
    expect(qaStatusOf(['KH'], [])).toBe('SUBMITTED');
    expect(qaStatusOf(['KH'], [{ country: 'KH', decision: 'ACCEPTED' }])).toBe('QA_ACCEPTED');
    expect(qaStatusOf(['TH'], [{ country: 'TH', decision: 'ACCEPTED' }])).toBe('QA_ACCEPTED');
  });

  it('does not count an acceptance by a country the report does not need', () => {
    expect(qaStatusOf(['KH'], [{ country: 'TH', decision: 'ACCEPTED' }])).toBe('SUBMITTED');
    expect(
      qaStatusOf(joint, [
        { country: 'KH', decision: 'ACCEPTED' },
        { country: 'KH', decision: 'ACCEPTED' },
      ]),
    ).toBe('SUBMITTED');
  });
});

describe('ClearedAreaCreate', () => {
  const taskId = '01JH0000000000000000000000';
  const facts = { taskId, completedAt: '2026-02-01' };
  const part = { outcome: 'CLEARED', method: 'MANUAL', depthCm: 13, geometry: rect(103.5, 14.4, 103.505, 14.41) };
  const cancelled = {
    outcome: 'CANCELLED',
    method: 'NTS',
    evidence: 'Villagers and records: no accident, no finds, farmed since 1999.',
    geometry: rect(103.505, 14.4, 103.51, 14.41),
  };
  const errorsOf = (body: unknown) => {
    const r = ClearedAreaCreate.safeParse(body);
    return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  };

  it('still takes the single-part body', () => {
    const r = ClearedAreaCreate.safeParse({ ...facts, ...part });
    expect(r.success).toBe(true);
  });

  it('takes parts', () => {
    expect(errorsOf({ ...facts, parts: [part, cancelled] })).toEqual([]);
    expect(errorsOf({ ...facts, parts: [] }).map((e) => e.path)).toEqual(['parts']);
  });

  it('refuses parts and a top-level part at once', () => {
    const errors = errorsOf({ ...facts, parts: [part], outcome: 'CLEARED', method: 'MANUAL', depthCm: 13, geometry: part.geometry });
    expect(errors).toContainEqual({ path: 'parts', message: expect.stringMatching(/either parts, or one part at the top level/) });
    expect(errorsOf({ ...facts, parts: [part], geometry: part.geometry }).map((e) => e.path)).toContain('parts');
  });

  it('refuses CANCELLED land without evidence, in either form', () => {
    const { evidence: _e, ...bare } = cancelled;
    expect(errorsOf({ ...facts, parts: [part, bare] })).toContainEqual({
      path: 'parts.1.evidence',
      message: expect.stringMatching(/required for CANCELLED land/),
    });
    expect(errorsOf({ ...facts, ...bare })).toContainEqual({ path: 'evidence', message: expect.stringMatching(/required for CANCELLED land/) });
  });

  it('refuses CLEARED land without depth, in either form', () => {
    const { depthCm: _d, ...shallow } = part;
    expect(errorsOf({ ...facts, parts: [shallow] })).toContainEqual({ path: 'parts.0.depthCm', message: 'is required for CLEARED land' });
    expect(errorsOf({ ...facts, ...shallow })).toContainEqual({ path: 'depthCm', message: 'is required for CLEARED land' });
  });

  it(`refuses more than ${MAX_REPORT_VERTICES} vertices over all parts, though each part alone is within`, () => {
    /** A closed ring of `n` positions along a small circle. */
    const ring = (lon: number, n: number) => {
      const points = Array.from({ length: n - 1 }, (_, i) => [
        lon + 0.001 * Math.cos((2 * Math.PI * i) / (n - 1)),
        14.405 + 0.001 * Math.sin((2 * Math.PI * i) / (n - 1)),
      ]);
      return [...points, points[0]!];
    };
    const many = (lon: number, n: number) => ({ ...part, geometry: { type: 'Polygon', coordinates: [ring(lon, n)] } });
    expect(errorsOf({ ...facts, parts: [many(103.502, 2500), many(103.506, 2500)] })).toEqual([]);
    expect(errorsOf({ ...facts, parts: [many(103.502, 2500), many(103.506, 2501)] })).toContainEqual({
      path: 'parts',
      message: `a report holds at most ${MAX_REPORT_VERTICES} vertices over all its parts`,
    });
  });
});
