import { percentileSorted } from './stats.ts';

/** p50 and p95 of each side, and p95 of the second side over the first. */
export interface AlternatedTimes {
  times: number[][];
  p50: number[];
  p95: number[];
  ratio: number;
}

/**
 * Times `request` (it answers the milliseconds it took) against two sides, the small data set and
 * the large one: `warmups` rounds first, discarded, then `requests` rounds, alternating which
 * side goes first so neither always follows the other. `progress` is told the round every 50.
 */
export async function alternateTwo(
  request: (side: 0 | 1) => Promise<number>,
  options: { requests: number; warmups?: number; progress?: (round: number) => void },
): Promise<AlternatedTimes> {
  for (let i = 0; i < (options.warmups ?? 50); i++) for (const side of [0, 1] as const) await request(side);
  const times: number[][] = [[], []];
  for (let i = 0; i < options.requests; i++) {
    const order = i % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    for (const side of order) times[side]!.push(await request(side));
    if (i % 50 === 0) options.progress?.(i);
  }
  const sorted = times.map((t) => [...t].sort((a, b) => a - b));
  const p95 = sorted.map((s) => percentileSorted(s, 0.95));
  const p50 = sorted.map((s) => percentileSorted(s, 0.5));
  return { times, p50, p95, ratio: p95[1]! / p95[0]! };
}
