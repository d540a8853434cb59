import turfArea from '@turf/area';
import { difference } from '@turf/difference';
import { intersect } from '@turf/intersect';
import type { Area } from './geometry.ts';
import { farthestVertexOutsideM } from './geometry.ts';

/**
 * Land release (IMAS 07.11), pure: which outcomes an activity may report, and the geometry of
 * release — a part within the remaining land, parts that do not overlap, and the remaining
 * (still contaminated) land after accepted parts are taken out of the original polygon.
 */

export type Outcome = 'CANCELLED' | 'REDUCED' | 'CLEARED';
export type Activity = 'NTS' | 'TS' | 'CLEARANCE' | 'BAC' | 'EOD_SPOT';

/** What each activity may release: NTS cancels, TS cancels or reduces, clearance and BAC clear or reduce, EOD spot tasks release no land. */
export const OUTCOMES_BY_ACTIVITY: Readonly<Record<Activity, readonly Outcome[]>> = {
  NTS: ['CANCELLED'],
  TS: ['CANCELLED', 'REDUCED'],
  CLEARANCE: ['CLEARED', 'REDUCED'],
  BAC: ['CLEARED', 'REDUCED'],
  EOD_SPOT: [],
};

/** Methods that belong to an outcome: survey methods cancel or reduce, clearance methods clear (and may reduce). */
export const METHODS_BY_OUTCOME: Readonly<Record<Outcome, readonly string[]>> = {
  CANCELLED: ['NTS'],
  REDUCED: ['TS', 'MANUAL', 'MECHANICAL', 'MDD', 'COMBINED'],
  CLEARED: ['MANUAL', 'MECHANICAL', 'MDD', 'COMBINED'],
};

/** Overlaps smaller than this (m²) are digitising noise, not double-counted land. */
export const OVERLAP_TOLERANCE_SQM = 1;
/** An area with less than this left (m²) is CLOSED. */
export const CLOSED_BELOW_SQM = 1;
/** Vertices a report may hold over all its parts. */
export const MAX_REPORT_VERTICES = 5000;
/** Vertices the remaining geometry may keep before it is simplified outward (keeps the item well inside DynamoDB's 400 KB). */
export const MAX_REMAINING_VERTICES = 8000;

type Polygons = number[][][][];

const polygonsOf = (g: Area): Polygons => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

/** The same land as a MultiPolygon (turf and polyclip take either; results compare more simply this way). */
export const toMulti = (g: Area): { type: 'MultiPolygon'; coordinates: Polygons } => ({ type: 'MultiPolygon', coordinates: polygonsOf(g) });

/** The simplest form of a polygon set: a Polygon when there is one, null when there is none. */
function fromPolygons(polygons: Polygons): Area | null {
  if (polygons.length === 0) return null;
  return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons };
}

const feature = (g: Area) => ({ type: 'Feature' as const, properties: {}, geometry: g });

/** Geodesic area in m² (unrounded), 0 for no land. */
export const sqmOf = (g: Area | null | undefined): number => (g ? turfArea(g) : 0);

/** `a` without `b`, or null when nothing is left. */
export function subtract(a: Area, b: Area): Area | null {
  const out = difference({ type: 'FeatureCollection', features: [feature(a), feature(b)] });
  return out ? fromPolygons(polygonsOf(out.geometry as Area)) : null;
}

/** The land `a` and `b` share, or null. */
export function overlap(a: Area, b: Area): Area | null {
  const out = intersect({ type: 'FeatureCollection', features: [feature(a), feature(b)] });
  return out ? fromPolygons(polygonsOf(out.geometry as Area)) : null;
}

export const vertexCount = (g: Area): number => polygonsOf(g).reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);

/** Convex hull of the outer ring (Andrew's monotone chain), closed. Always contains the ring. */
function convexHull(ring: number[][]): number[][] {
  const pts = [...new Map(ring.map((p) => [`${p[0]},${p[1]}`, [p[0]!, p[1]!]])).values()].sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  const cross = (o: number[], a: number[], b: number[]) => (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
  const half = (points: number[][]) => {
    const out: number[][] = [];
    for (const p of points) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  const hull = [...half(pts), ...half([...pts].reverse())];
  return [...hull, hull[0]!];
}

/**
 * The remaining land kept within {@link MAX_REMAINING_VERTICES}, simplified only outward so that
 * contaminated land never shrinks by simplification: first holes are filled (released land
 * inside stays counted as contaminated), then polygons are replaced by their convex hulls,
 * largest vertex counts first. Returns the geometry and whether it was simplified.
 */
export function simplifyOutward(g: Area, max = MAX_REMAINING_VERTICES): { geometry: Area; simplified: boolean } {
  if (vertexCount(g) <= max) return { geometry: g, simplified: false };
  let polygons: Polygons = polygonsOf(g).map((p) => [p[0]!]);
  let count = polygons.reduce((n, p) => n + p[0]!.length, 0);
  if (count > max) {
    const order = polygons.map((p, i) => [i, p[0]!.length] as const).sort((a, b) => b[1] - a[1]);
    polygons = polygons.map((p) => [...p]);
    for (const [i] of order) {
      if (count <= max) break;
      const hull = convexHull(polygons[i]![0]!);
      count -= polygons[i]![0]!.length - hull.length;
      polygons[i] = [hull];
    }
  }
  // Hulls of separate polygons may now overlap; the union of outward shapes is still outward, and
  // overlapping rings in a MultiPolygon only matter to area sums, which use the unsimplified land.
  return { geometry: fromPolygons(polygons)!, simplified: true };
}

/**
 * The remaining land: the original polygon minus every accepted part, in order. Null when
 * nothing remains. Computed from scratch each time, so that taking a release back (an
 * observer's refusal) gives exactly the land as if it had never been accepted.
 */
export function remainingAfter(original: Area, releasedParts: readonly Area[]): Area | null {
  let remaining: Area | null = original;
  for (const part of releasedParts) {
    if (!remaining) return null;
    remaining = subtract(remaining, part);
  }
  return remaining;
}

export interface PartProblem {
  part: number;
  message: string;
}

/**
 * What is wrong with the parts of a new report against the land: each part must lie within the
 * remaining land (every vertex within `toleranceM`), and no part may overlap another part of
 * the report, land already released, or land of a report awaiting QA by more than
 * {@link OVERLAP_TOLERANCE_SQM}.
 */
export function partProblems(
  parts: readonly Area[],
  remaining: Area | null,
  taken: readonly { what: string; geometry: Area }[],
  toleranceM: number,
): PartProblem[] {
  const problems: PartProblem[] = [];
  parts.forEach((part, i) => {
    if (!remaining) {
      problems.push({ part: i, message: 'nothing of the hazard area remains to be released' });
      return;
    }
    const outside = Math.round(farthestVertexOutsideM(part, remaining));
    if (outside > toleranceM)
      problems.push({ part: i, message: `a vertex lies ${outside} m outside the remaining land of the hazard area (tolerance ${toleranceM} m)` });
    for (let j = 0; j < i; j++) {
      const shared = sqmOf(overlap(part, parts[j]!));
      if (shared >= OVERLAP_TOLERANCE_SQM) problems.push({ part: i, message: `overlaps part ${j} of this report by ${Math.round(shared)} m²` });
    }
    for (const t of taken) {
      const shared = sqmOf(overlap(part, t.geometry));
      if (shared >= OVERLAP_TOLERANCE_SQM) problems.push({ part: i, message: `overlaps ${t.what} by ${Math.round(shared)} m²` });
    }
  });
  return problems;
}

/** The EO totals of a report set against the task's progress reports, as the report keeps them. */
export interface EoReconciliation {
  fromProgressReports: Record<string, number>;
  reported?: Record<string, number>;
  /** True when the team's totals differ from its progress reports; shown, never hidden. */
  mismatch: boolean;
  /** Per category: reported minus the progress reports' sum (only the categories that differ). */
  differences: Record<string, number>;
}

/**
 * Reconciles the EO totals a team declares in its completion report with the sum of its
 * progress reports' finds (by category). Without declared totals nothing can differ. The API
 * stores this on the report; the console shows it live while the report is written.
 */
export function reconcileEo(fromProgress: Record<string, number>, reported: Record<string, number> | undefined): EoReconciliation {
  const differences: Record<string, number> = {};
  if (reported) {
    for (const category of new Set([...Object.keys(fromProgress), ...Object.keys(reported)])) {
      const diff = (reported[category] ?? 0) - (fromProgress[category] ?? 0);
      if (diff !== 0) differences[category] = diff;
    }
  }
  return { fromProgressReports: fromProgress, ...(reported ? { reported } : {}), mismatch: Object.keys(differences).length > 0, differences };
}
