import { orient2d } from 'robust-predicates';

/**
 * Does a polygon (its rings together: outer ring and holes) intersect itself? A Shamos–Hoey
 * sweep line: O(n log n) in the number of vertices, stopping at the first intersection it finds,
 * with exact orientation tests (robust-predicates), so that touching and collinear cases are
 * decided exactly rather than by rounding.
 *
 * What counts as an intersection: two edges that share any point, except two consecutive edges
 * of a ring meeting only at their common vertex. So a ring that passes through one of its own
 * vertices again, a vertex on another edge, collinear edges that overlap (a spike that turns
 * back on itself), and a hole touching or crossing another ring all count. Repeated consecutive
 * positions are one vertex (a GPS trace often repeats a point).
 */

type Position = readonly number[];
type Point = readonly [x: number, y: number];

interface Segment {
  /** Lexicographically smaller endpoint (by x, then y): where the sweep inserts the edge. */
  left: Point;
  right: Point;
  ring: number;
  /** Index of the edge in its ring; edges `index` and `index + 1 (mod edges)` are consecutive. */
  index: number;
  /** Edges in its ring. */
  edges: number;
  /** Insertion order, the last tie-break of the status order (only collinear edges, which intersect anyway, reach it). */
  id: number;
}

/** > 0 when `c` lies left of the directed line a→b, < 0 right of it, 0 on it; exact. */
const orient = (a: Point, b: Point, c: Point): number => -orient2d(a[0], a[1], b[0], b[1], c[0], c[1]);
const sign = (n: number): number => (n > 0 ? 1 : n < 0 ? -1 : 0);
const lexCompare = (a: Point, b: Point): number => a[0] - b[0] || a[1] - b[1];
const same = (a: Point, b: Point): boolean => a[0] === b[0] && a[1] === b[1];

/** `p`, known to be collinear with segment a–b, lies on it (endpoints included). */
const within = (a: Point, b: Point, p: Point): boolean =>
  Math.min(a[0], b[0]) <= p[0] && p[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= p[1] && p[1] <= Math.max(a[1], b[1]);

/** Where two closed segments meet (a point of both, approximately for a proper crossing), or undefined when they do not. */
function meeting(s: Segment, t: Segment): Point | undefined {
  const [a, b, c, d] = [s.left, s.right, t.left, t.right];
  const o1 = sign(orient(a, b, c));
  const o2 = sign(orient(a, b, d));
  const o3 = sign(orient(c, d, a));
  const o4 = sign(orient(c, d, b));
  if (o1 * o2 < 0 && o3 * o4 < 0) {
    // A proper crossing: the point itself is only for the message, so floating point will do.
    const denominator = (b[0] - a[0]) * (d[1] - c[1]) - (b[1] - a[1]) * (d[0] - c[0]);
    const along = ((c[0] - a[0]) * (d[1] - c[1]) - (c[1] - a[1]) * (d[0] - c[0])) / denominator;
    return [a[0] + along * (b[0] - a[0]), a[1] + along * (b[1] - a[1])];
  }
  if (o1 === 0 && within(a, b, c)) return c;
  if (o2 === 0 && within(a, b, d)) return d;
  if (o3 === 0 && within(c, d, a)) return a;
  if (o4 === 0 && within(c, d, b)) return b;
  return undefined;
}

const consecutive = (s: Segment, t: Segment): boolean => s.ring === t.ring && ((s.index + 1) % s.edges === t.index || (t.index + 1) % t.edges === s.index);

/**
 * The sweep status order: which of two edges lies below the other where both are crossed by the
 * sweep line. Judged at the later edge's left endpoint (where the order was decided when it was
 * inserted); it stays valid as long as no two edges in the status have crossed, and the sweep
 * stops at the first intersection before that can happen.
 */
function below(s: Segment, t: Segment): number {
  if (s === t) return 0;
  if (lexCompare(t.left, s.left) < 0) return -below(t, s);
  const atLeft = sign(orient(s.left, s.right, t.left));
  if (atLeft !== 0) return -atLeft;
  const atRight = sign(orient(s.left, s.right, t.right));
  if (atRight !== 0) return -atRight;
  return s.id - t.id;
}

interface TreapNode {
  segment: Segment;
  priority: number;
  lower: TreapNode | undefined;
  higher: TreapNode | undefined;
}

/** The sweep status: a treap ordered by {@link below} (expected O(log n) per operation). */
class Status {
  private root: TreapNode | undefined;
  // A fixed-seed generator: the shape of the tree, hence the time taken, does not depend on Math.random.
  private seed = 0x9e3779b9;

  private random(): number {
    this.seed ^= this.seed << 13;
    this.seed ^= this.seed >>> 17;
    this.seed ^= this.seed << 5;
    return this.seed >>> 0;
  }

  /** Inserts `segment` and returns its neighbours: the nearest edge below it and the nearest above. */
  insert(segment: Segment): [Segment | undefined, Segment | undefined] {
    const node: TreapNode = { segment, priority: this.random(), lower: undefined, higher: undefined };
    const [lower, higher] = split(this.root, segment);
    const neighbours: [Segment | undefined, Segment | undefined] = [lower && extreme(lower, 'higher').segment, higher && extreme(higher, 'lower').segment];
    this.root = merge(merge(lower, node), higher);
    return neighbours;
  }

  /** Removes `segment` and returns the edges it separated: the nearest below it and the nearest above. */
  remove(segment: Segment): [Segment | undefined, Segment | undefined] {
    const [lower, rest] = split(this.root, segment);
    const first = rest && extreme(rest, 'lower');
    // The order is sound until two edges in the status cross, and the sweep stops at the first
    // intersection before that happens: an edge not where the order puts it is a defect here.
    if (first?.segment !== segment) throw new Error('sweep status out of order');
    const higher = dropSmallest(rest);
    const neighbours: [Segment | undefined, Segment | undefined] = [lower && extreme(lower, 'higher').segment, higher && extreme(higher, 'lower').segment];
    this.root = merge(lower, higher);
    return neighbours;
  }
}

/** Splits a treap into the nodes ordered before `segment` and the rest. */
function split(node: TreapNode | undefined, segment: Segment): [TreapNode | undefined, TreapNode | undefined] {
  if (!node) return [undefined, undefined];
  if (below(node.segment, segment) < 0) {
    const [lower, higher] = split(node.higher, segment);
    node.higher = lower;
    return [node, higher];
  }
  const [lower, higher] = split(node.lower, segment);
  node.lower = higher;
  return [lower, node];
}

function merge(a: TreapNode | undefined, b: TreapNode | undefined): TreapNode | undefined {
  if (!a) return b;
  if (!b) return a;
  if (a.priority > b.priority) {
    a.higher = merge(a.higher, b);
    return a;
  }
  b.lower = merge(a, b.lower);
  return b;
}

function dropSmallest(node: TreapNode | undefined): TreapNode | undefined {
  if (!node) return undefined;
  if (!node.lower) return node.higher;
  node.lower = dropSmallest(node.lower);
  return node;
}

function extreme(node: TreapNode, side: 'lower' | 'higher'): TreapNode {
  let n = node;
  while (n[side]) n = n[side]!;
  return n;
}

/** A ring's vertices without repeated consecutive positions and without the closing repeat. */
function verticesOf(ring: readonly Position[]): Point[] {
  const vertices: Point[] = [];
  for (const p of ring) {
    const point: Point = [p[0]!, p[1]!];
    if (vertices.length === 0 || !same(vertices[vertices.length - 1]!, point)) vertices.push(point);
  }
  while (vertices.length > 1 && same(vertices[0]!, vertices[vertices.length - 1]!)) vertices.pop();
  return vertices;
}

/**
 * The first point found where a polygon's rings intersect themselves or each other (see the
 * module comment for what counts), or undefined when they do not. Rings are closed GeoJSON
 * rings (the last position repeats the first), already checked for shape and range; positions
 * are `[x, y]` (any third value is ignored).
 */
export function firstSelfIntersection(rings: readonly (readonly Position[])[]): Point | undefined {
  const segments: Segment[] = [];
  const seen = new Map<string, true>();
  for (const [ringIndex, ring] of rings.entries()) {
    const vertices = verticesOf(ring);
    const edges = vertices.length > 1 ? vertices.length : 0;
    for (let i = 0; i < vertices.length; i++) {
      const vertex = vertices[i]!;
      // Distinct vertices everywhere: a ring passing through a vertex twice, or two rings sharing one, touch there.
      const key = `${vertex[0]},${vertex[1]}`;
      if (seen.has(key)) return vertex;
      seen.set(key, true);
      if (edges === 0) continue;
      // Consecutive edges are never tested against each other by the sweep: here, whether they
      // overlap (the ring turns straight back along itself).
      const previous = vertices[(i + edges - 1) % edges]!;
      const next = vertices[(i + 1) % edges]!;
      if (orient(previous, vertex, next) === 0 && lexCompare(previous, vertex) < 0 === lexCompare(next, vertex) < 0) return vertex;
      const [left, right] = lexCompare(vertex, next) < 0 ? [vertex, next] : [next, vertex];
      segments.push({ left, right, ring: ringIndex, index: i, edges, id: segments.length });
    }
  }

  // With every vertex distinct, the events at one point are the two edges of one vertex: edges
  // ending there leave the status before those starting there enter it.
  type SweepEvent = { point: Point; start: boolean; segment: Segment };
  const events: SweepEvent[] = segments.flatMap((segment) => [
    { point: segment.left, start: true, segment },
    { point: segment.right, start: false, segment },
  ]);
  events.sort((a, b) => lexCompare(a.point, b.point) || Number(a.start) - Number(b.start));

  const status = new Status();
  const check = (s: Segment | undefined, t: Segment | undefined): Point | undefined => (s && t && !consecutive(s, t) ? meeting(s, t) : undefined);
  for (const { start, segment } of events) {
    if (start) {
      // An edge starting on another edge lands beside it or beside another edge through that
      // point (they are contiguous in the status), and that pair is tested now.
      const [lower, higher] = status.insert(segment);
      const found = check(segment, lower) ?? check(segment, higher);
      if (found) return found;
    } else {
      const [lower, higher] = status.remove(segment);
      const found = check(lower, higher);
      if (found) return found;
    }
  }
  return undefined;
}
