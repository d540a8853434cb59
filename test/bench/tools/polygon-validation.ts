/**
 * Times the geometry validation (`Area` of shared/domain/geometry.ts: shape, ranges, vertex cap
 * and the sweep-line self-intersection check) on adversarial 5,000-vertex rings, and the
 * all-pairs `kinks` of @turf/kinks it replaced on smaller ones for comparison.
 *
 *   node test/bench/tools/polygon-validation.ts [--kinks-vertices 3000]
 *
 * Prints the fastest and the median of 20 runs (the machine may be shared: the fastest is the
 * cost, the median what a busy machine gives) and, for kinks, one run and its heap growth. A report, not a test:
 * the unit test (test/unit/self-intersection.test.ts) checks the answers.
 */
import { parseArgs } from 'node:util';
import { kinks } from '@turf/kinks';
import { Area } from '../../../shared/domain/geometry.ts';
import { firstSelfIntersection } from '../../../shared/domain/self-intersection.ts';
import { comb, crossingStar, crossingZigZag, spikyStar } from '../../support/adversarial-polygons.ts';

const { values } = parseArgs({ options: { 'kinks-vertices': { type: 'string', default: '1000' } } });
const kinksVertices = Number(values['kinks-vertices']);

const shapes: Record<string, (n: number) => number[][]> = {
  'crossing star {m/k}': crossingStar,
  'crossing zig-zag': crossingZigZag,
  'comb, 0.1 mm gaps (simple)': (n) => comb(n),
  'spiky star (simple)': (n) => spikyStar(n),
  'spiky star, one crossing at the end': (n) => spikyStar(n, n - 20),
};

function time(run: () => unknown, runs: number): { min: number; ms: number; heapMb: number; answer: unknown } {
  const samples: number[] = [];
  let answer: unknown;
  let heapMb = 0;
  for (let i = 0; i < runs; i++) {
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    answer = run();
    samples.push(performance.now() - started);
    heapMb = Math.max(heapMb, (process.memoryUsage().heapUsed - before) / 2 ** 20);
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0]!, ms: samples[Math.floor(samples.length / 2)]!, heapMb, answer };
}

console.log(`node ${process.version}; fastest / median of 20 runs (kinks: 1 run)`);
for (const [name, make] of Object.entries(shapes)) {
  const ring = make(5000);
  const sweep = time(() => Area.safeParse({ type: 'Polygon', coordinates: [ring] }).success, 20);
  const check = time(() => firstSelfIntersection([ring]), 20);
  const small = make(kinksVertices);
  const pairs = time(() => kinks({ type: 'Polygon', coordinates: [small] }).features.length, 1);
  console.log(
    `${name.padEnd(36)} ${ring.length} vertices: Area ${sweep.min.toFixed(1)} / ${sweep.ms.toFixed(1)} ms (sweep alone ${check.min.toFixed(1)} / ${check.ms.toFixed(1)} ms), ${sweep.answer ? 'accepted' : 'refused '}` +
      ` | kinks, ${small.length} vertices: ${pairs.ms.toFixed(0).padStart(6)} ms, ${String(pairs.answer).padStart(7)} crossings, heap +${pairs.heapMb.toFixed(0)} MB`,
  );
}
