import { kinks } from '@turf/kinks';
import { describe, expect, it } from 'vitest';
import { Area } from '../../shared/domain/geometry.ts';
import { firstSelfIntersection } from '../../shared/domain/self-intersection.ts';
import { comb, crossingStar, crossingZigZag, spikyStar } from '../support/adversarial-polygons.ts';

type Pos = number[];
type Ring = Pos[];

/** A seeded generator (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The reference: every pair of edges, with exact integer arithmetic (grid coordinates only), by
 * the same rule written the plain way: two edges intersect when they share a point, except two
 * consecutive edges of a ring that share only their common vertex.
 */
function bruteForce(rings: Ring[]): boolean {
  type Seg = { a: Pos; b: Pos; ring: number; index: number; edges: number };
  const segs: Seg[] = [];
  rings.forEach((ring, r) => {
    const v: Pos[] = [];
    for (const p of ring) if (!v.length || v[v.length - 1]![0] !== p[0] || v[v.length - 1]![1] !== p[1]) v.push(p);
    while (v.length > 1 && v[0]![0] === v[v.length - 1]![0] && v[0]![1] === v[v.length - 1]![1]) v.pop();
    if (v.length < 2) return;
    v.forEach((p, i) => {
      segs.push({ a: p, b: v[(i + 1) % v.length]!, ring: r, index: i, edges: v.length });
    });
  });
  const cross = (o: Pos, a: Pos, b: Pos) => Math.sign((a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!));
  const on = (a: Pos, b: Pos, p: Pos) =>
    cross(a, b, p) === 0 &&
    Math.min(a[0]!, b[0]!) <= p[0]! &&
    p[0]! <= Math.max(a[0]!, b[0]!) &&
    Math.min(a[1]!, b[1]!) <= p[1]! &&
    p[1]! <= Math.max(a[1]!, b[1]!);
  const meet = (s: Seg, t: Seg) => {
    const d1 = cross(s.a, s.b, t.a),
      d2 = cross(s.a, s.b, t.b),
      d3 = cross(t.a, t.b, s.a),
      d4 = cross(t.a, t.b, s.b);
    if (d1 * d2 < 0 && d3 * d4 < 0) return true;
    return on(s.a, s.b, t.a) || on(s.a, s.b, t.b) || on(t.a, t.b, s.a) || on(t.a, t.b, s.b);
  };
  const eq = (p: Pos, q: Pos) => p[0] === q[0] && p[1] === q[1];
  for (let i = 0; i < segs.length; i++) {
    for (let j = i + 1; j < segs.length; j++) {
      const s = segs[i]!,
        t = segs[j]!;
      if (!meet(s, t)) continue;
      const adjacent = s.ring === t.ring && ((s.index + 1) % s.edges === t.index || (t.index + 1) % t.edges === s.index);
      if (!adjacent) return true;
      // Consecutive edges may share their common vertex and nothing else.
      const common = eq(s.b, t.a) ? s.b : t.b;
      const sOther = eq(s.a, common) ? s.b : s.a,
        tOther = eq(t.a, common) ? t.b : t.a;
      if (s.edges === 2 || on(s.a, s.b, tOther) || on(t.a, t.b, sOther)) return true;
    }
  }
  return false;
}

const closed = (ring: Ring): Ring => [...ring, ring[0]!];
const square = (x: number, y: number, size: number): Ring =>
  closed([
    [x, y],
    [x + size, y],
    [x + size, y + size],
    [x, y + size],
  ]);
const area = (coordinates: Ring[]) => Area.safeParse({ type: 'Polygon', coordinates });

describe('firstSelfIntersection (sweep line)', () => {
  it('accepts simple rings and a ring with a hole strictly inside', () => {
    expect(firstSelfIntersection([square(0, 0, 10)])).toBeUndefined();
    expect(
      firstSelfIntersection([
        closed([
          [0, 0],
          [4, 0],
          [4, 4],
          [2, 1],
          [0, 4],
        ]),
      ]),
    ).toBeUndefined();
    expect(firstSelfIntersection([square(0, 0, 10), square(2, 2, 3), square(6, 6, 2)])).toBeUndefined();
    // Vertical edges and vertices sharing an x, the sweep's awkward cases.
    expect(
      firstSelfIntersection([
        closed([
          [0, 0],
          [0, 5],
          [1, 5],
          [1, 1],
          [2, 1],
          [2, 5],
          [3, 5],
          [3, 0],
        ]),
      ]),
    ).toBeUndefined();
  });

  it('finds a proper crossing (bow tie) and says where', () => {
    expect(
      firstSelfIntersection([
        closed([
          [0, 0],
          [2, 2],
          [2, 0],
          [0, 2],
        ]),
      ]),
    ).toEqual([1, 1]);
  });

  it('counts a ring passing through one of its own vertices again (figure eight at a vertex)', () => {
    expect(
      firstSelfIntersection([
        closed([
          [0, 0],
          [2, 2],
          [4, 0],
          [4, 4],
          [2, 2],
          [0, 4],
        ]),
      ]),
    ).toEqual([2, 2]);
  });

  it('counts a vertex lying on another edge', () => {
    expect(
      firstSelfIntersection([
        closed([
          [0, 0],
          [4, 0],
          [4, 4],
          [2, 0],
          [0, 4],
        ]),
      ]),
    ).toEqual([2, 0]);
  });

  it('counts collinear edges that overlap: a spike turning back on itself, and two distant overlapping edges', () => {
    expect(
      firstSelfIntersection([
        closed([
          [0, 0],
          [4, 0],
          [4, 4],
          [4, 2],
          [0, 4],
        ]),
      ]),
    ).toBeDefined();
    expect(
      firstSelfIntersection([
        closed([
          [0, 0],
          [3, 0],
          [3, 1],
          [1, 1],
          [1, 0],
          [2, 0],
          [2, -1],
          [0, -1],
        ]),
      ]),
    ).toBeDefined();
  });

  it('treats repeated consecutive positions as one vertex', () => {
    expect(
      firstSelfIntersection([
        closed([
          [0, 0],
          [10, 0],
          [10, 0],
          [10, 10],
          [0, 10],
          [0, 10],
        ]),
      ]),
    ).toBeUndefined();
  });

  it('checks holes against the outer ring and against each other', () => {
    expect(firstSelfIntersection([square(0, 0, 10), square(8, 2, 4)])).toBeDefined(); // hole crossing the outer ring
    expect(
      firstSelfIntersection([
        square(0, 0, 10),
        closed([
          [0, 0],
          [3, 1],
          [1, 3],
        ]),
      ]),
    ).toEqual([0, 0]); // hole touching it at a vertex
    expect(firstSelfIntersection([square(0, 0, 10), square(1, 1, 4), square(3, 3, 4)])).toBeDefined(); // two holes crossing
  });

  it('agrees with an all-pairs check on 4,000 random grid polygons (collinear, touching and vertical edges abound)', () => {
    const next = random(20260112);
    let found = 0;
    for (let c = 0; c < 4000; c++) {
      const grid = 3 + Math.floor(next() * 6);
      const ringCount = next() < 0.7 ? 1 : 2 + Math.floor(next() * 2);
      const rings: Ring[] = [];
      for (let r = 0; r < ringCount; r++) {
        const n = 3 + Math.floor(next() * 7);
        rings.push(closed(Array.from({ length: n }, () => [Math.floor(next() * grid), Math.floor(next() * grid)])));
      }
      const expected = bruteForce(rings);
      const point = firstSelfIntersection(rings);
      expect(point !== undefined, JSON.stringify(rings)).toBe(expected);
      if (point) found++;
    }
    // Both outcomes are well represented.
    expect(found).toBeGreaterThan(400);
    expect(found).toBeLessThan(3600);
  });

  it('agrees with the all-pairs check on random simple polygons (star-shaped, many sharing the grid) and their holes', () => {
    const next = random(7);
    let simple = 0;
    for (let c = 0; c < 1500; c++) {
      const n = 3 + Math.floor(next() * 30);
      const grid = 20;
      // Star-shaped around the centre: angle-sorted grid points make mostly simple rings, with the odd touch.
      const points = Array.from({ length: n }, () => [Math.floor(next() * grid), Math.floor(next() * grid)]);
      points.sort((p, q) => Math.atan2(p[1]! - 10.5, p[0]! - 10.5) - Math.atan2(q[1]! - 10.5, q[0]! - 10.5));
      const rings = [closed(points)];
      if (next() < 0.3) rings.push(square(9 + Math.floor(next() * 2), 9 + Math.floor(next() * 2), 1 + Math.floor(next() * 2)));
      const expected = bruteForce(rings);
      expect(firstSelfIntersection(rings) !== undefined, JSON.stringify(rings)).toBe(expected);
      if (!expected) simple++;
    }
    expect(simple).toBeGreaterThan(100);
  });

  it('agrees with turf kinks on 3,000 random polygons with real-valued coordinates', () => {
    const next = random(42);
    let crossing = 0;
    for (let c = 0; c < 3000; c++) {
      const n = 3 + Math.floor(next() * 12);
      const points = Array.from({ length: n }, () => [103 + next(), 14 + next()]);
      // Half of them angle-sorted (usually simple), half in random order (usually not).
      if (c % 2 === 0) points.sort((p, q) => Math.atan2(p[1]! - 14.5, p[0]! - 103.5) - Math.atan2(q[1]! - 14.5, q[0]! - 103.5));
      const rings = [closed(points)];
      if (c % 5 === 0)
        rings.push(
          closed([
            [103.45, 14.45],
            [103.55, 14.45],
            [103.5, 14.55],
          ]),
        );
      const expected = kinks({ type: 'Polygon', coordinates: rings }).features.length > 0;
      expect(firstSelfIntersection(rings) !== undefined, JSON.stringify(rings)).toBe(expected);
      if (expected) crossing++;
    }
    expect(crossing).toBeGreaterThan(500);
    expect(crossing).toBeLessThan(2500);
  });

  it('decides the adversarial shapes of small size as the all-pairs check does', () => {
    for (const n of [41, 101]) {
      // On a grid-free ring the float reference is kinks (no collinear edges in these shapes).
      const has = (ring: Ring) => kinks({ type: 'Polygon', coordinates: [ring] }).features.length > 0;
      expect(has(crossingStar(n))).toBe(true);
      expect(firstSelfIntersection([crossingStar(n)])).toBeDefined();
      expect(has(crossingZigZag(n))).toBe(true);
      expect(firstSelfIntersection([crossingZigZag(n)])).toBeDefined();
      expect(has(spikyStar(n))).toBe(false);
      expect(firstSelfIntersection([spikyStar(n)])).toBeUndefined();
      expect(has(spikyStar(n, n - 8))).toBe(true);
      expect(firstSelfIntersection([spikyStar(n, n - 8)])).toBeDefined();
      expect(firstSelfIntersection([comb(n)])).toBeUndefined();
    }
  });
});

describe('Area: self-intersection at the 5,000-vertex limit', () => {
  it('refuses the crossing star, the crossing zig-zag and a spiky star with one crossing near its end', () => {
    for (const ring of [crossingStar(5000), crossingZigZag(5000), spikyStar(5000, 4980)]) {
      const result = area([ring]);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/^the polygon intersects itself \(near -?\d+\.\d{6}, -?\d+\.\d{6}\)$/);
    }
  });

  it('accepts the simple comb with 0.1 mm gaps and the simple spiky star', () => {
    expect(area([comb(5000)]).success).toBe(true);
    expect(area([spikyStar(5000)]).success).toBe(true);
  });

  it('refuses a ring that folds back along itself (collinear overlapping edges), which the all-pairs kinks let through', () => {
    const ring = closed([
      [103, 14],
      [103.02, 14],
      [103.01, 14],
    ]);
    expect(kinks({ type: 'Polygon', coordinates: [ring] }).features).toEqual([]);
    expect(area([ring]).error?.issues[0]?.message).toMatch(/^the polygon intersects itself \(near 103\.0[0-2]0000, 14\.000000\)$/);
  });

  it('names the polygon of a MultiPolygon that intersects itself', () => {
    const result = Area.safeParse({
      type: 'MultiPolygon',
      coordinates: [
        [square(0, 0, 1)],
        [
          closed([
            [5, 5],
            [7, 7],
            [7, 5],
            [5, 7],
          ]),
        ],
      ],
    });
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['coordinates', 1], message: 'the polygon intersects itself (near 6.000000, 6.000000)' }),
    ]);
  });
});
