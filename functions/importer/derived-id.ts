import { createHash } from 'node:crypto';

/** Ids the importers derive from their job, so that a resumed run writes the very same items (households, history entries, assistance records). */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID-shaped id that is the same on every run: the time part is `timeMs` (the job's creation),
 * the 80 "random" bits come from SHA-256 of `seed`.
 */
export function derivedId(timeMs: number, seed: string): string {
  let time = '';
  let t = timeMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const digest = createHash('sha256').update(seed).digest();
  let bits = 0n;
  for (let i = 0; i < 10; i++) bits = (bits << 8n) | BigInt(digest[i]!);
  let rest = '';
  for (let i = 0; i < 16; i++) {
    rest = CROCKFORD[Number(bits & 31n)]! + rest;
    bits >>= 5n;
  }
  return time + rest;
}
