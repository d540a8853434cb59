/**
 * Polygons built to be expensive for a self-intersection check, shared by the unit test
 * (test/unit/self-intersection.test.ts: correctness) and the timing tool
 * (test/bench/tools/polygon-validation.ts). Each returns one closed ring of `n` positions
 * (the first repeated last), in degrees near the Cambodia–Thailand border.
 */
type Ring = number[][];

const LON = 103.5;
const LAT = 14.4;
const close = (ring: Ring): Ring => [...ring, ring[0]!];

/**
 * A star polygon {m/k} with k close to m/2: every edge crosses almost every other, so an
 * all-pairs check finds about m²/2 crossings (the audit's zig-zag: seconds and gigabytes).
 */
export function crossingStar(n: number): Ring {
  const m = n - 1;
  // An odd m with k = (m - 1) / 2 visits every vertex once (gcd(m, k) = 1).
  const points = m % 2 === 1 ? m : m - 1;
  const k = (points - 1) / 2;
  const ring: Ring = [];
  for (let i = 0; i < points; i++) {
    const angle = (2 * Math.PI * ((i * k) % points)) / points;
    ring.push([LON + 0.01 * Math.cos(angle), LAT + 0.01 * Math.sin(angle)]);
  }
  return close(ring);
}

/**
 * A zig-zag ring: a saw-tooth edge going east, and a second saw-tooth coming back west shifted
 * by half a tooth, so that its teeth cross the first's. Refused.
 */
export function crossingZigZag(n: number): Ring {
  const teeth = Math.floor((n - 1) / 2);
  const out: Ring = [];
  for (let i = 0; i < teeth; i++) out.push([LON + i * 1e-4, LAT + (i % 2) * 1e-3]);
  const back: Ring = [];
  for (let i = teeth - 1; i >= 0; i--) back.push([LON + (i + 0.5) * 1e-4, LAT + 2e-4 + (i % 2) * 1e-3]);
  return close([...out, ...back]);
}

/**
 * A comb: a spine with teeth that each run the whole width, separated by gaps of `gap` degrees
 * (1e-9 ≈ 0.1 mm: near-crossings everywhere). Simple, so accepted; every tooth's edges are in
 * the sweep's status at once.
 */
export function comb(n: number, gap = 1e-9): Ring {
  const teeth = Math.floor((n - 3) / 4);
  const ring: Ring = [[LON, LAT]];
  for (let j = 0; j < teeth; j++) {
    const y = LAT + j * 2 * gap;
    ring.push([LON + 0.01, y], [LON + 0.01, y + gap], [LON + 1e-6, y + gap], [LON + 1e-6, y + 2 * gap]);
  }
  ring.push([LON - 1e-3, LAT + teeth * 2 * gap]);
  return close(ring);
}

/**
 * A spiky star: vertices in angle order, radius alternating long and very short, so that
 * neighbouring spikes nearly touch at the centre. Simple (accepted); with `crossAt` the vertices
 * at that index and two further are swapped, which makes two edges cross there (refused).
 */
export function spikyStar(n: number, crossAt?: number): Ring {
  const m = n - 1;
  const ring: Ring = [];
  for (let i = 0; i < m; i++) {
    const angle = (2 * Math.PI * i) / m;
    const r = i % 2 === 0 ? 0.01 : 1e-7;
    ring.push([LON + r * Math.cos(angle), LAT + r * Math.sin(angle)]);
  }
  if (crossAt !== undefined) [ring[crossAt], ring[crossAt + 2]] = [ring[crossAt + 2]!, ring[crossAt]!];
  return close(ring);
}
