import { BadRequest, PreconditionRequired } from './problem.ts';

/** `ETag` value for a resource version: a strong tag holding the integer version. */
export const etagOf = (version: number): string => `"${version}"`;

/**
 * Reads the version a change is based on from `If-Match`. Missing → 428; anything but one
 * ETag of ours (`"3"`, also accepted weak `W/"3"`) → 400. `*` is refused: a change to shared
 * records must name the version it saw.
 */
export function expectedVersion(ifMatch: string | undefined): number {
  if (ifMatch === undefined || ifMatch.trim() === '') throw new PreconditionRequired();
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(ifMatch);
  if (!match?.[1]) {
    throw new BadRequest('If-Match must hold the ETag returned by the last read, for example "3".', [{ path: 'header.if-match', message: 'malformed ETag' }]);
  }
  return Number(match[1]);
}
