import { createHmac, timingSafeEqual } from 'node:crypto';
import { cursorKey } from './secrets.ts';
import { InvalidInput } from './errors.ts';

/**
 * Opaque pagination cursors: DynamoDB's LastEvaluatedKey plus the listing it belongs to,
 * signed with HMAC-SHA256. A cursor that was edited, forged or taken from another listing
 * (another filter, another caller's scope) is refused with 400.
 */
type Key = Record<string, unknown>;

const sign = (payload: string, key: string) => createHmac('sha256', key).update(payload).digest('base64url');

export async function encodeCursor(lastKey: Key | undefined, scope: string): Promise<string | null> {
  if (!lastKey) return null;
  const payload = Buffer.from(JSON.stringify({ s: scope, k: lastKey })).toString('base64url');
  return `${payload}.${sign(payload, await cursorKey())}`;
}

export async function decodeCursor(cursor: string | undefined, scope: string): Promise<Key | undefined> {
  if (cursor === undefined) return undefined;
  const invalid = new InvalidInput(
    'The cursor is not valid for this listing: pass back the "next" value of the previous page unchanged, with the same filters.',
    [{ path: 'query.cursor', message: 'invalid cursor' }],
  );
  const [payload, signature, ...rest] = cursor.split('.');
  if (!payload || !signature || rest.length > 0) throw invalid;
  const expected = Buffer.from(sign(payload, await cursorKey()));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const body = decoded as { s?: unknown; k?: unknown };
  if (body.s !== scope || typeof body.k !== 'object' || body.k === null) throw invalid;
  return body.k as Key;
}
