import { createHmac, timingSafeEqual } from 'node:crypto';
import { cursorKey } from '#shared/secrets.ts';

/**
 * The local stand-in for an S3 presigned URL: the upload URL carries a short-lived token that
 * proves who handed it out, since the `PUT` carries no JWT (as a presigned `PUT` carries none).
 * HMAC-SHA256 of `upload:<jobId>:<expiry>` with the local signing secret.
 */
export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

const sign = (jobId: string, expires: number, key: string) => createHmac('sha256', key).update(`upload:${jobId}:${expires}`).digest('base64url');

/** A token for uploading the file of `jobId` until `expires` (epoch seconds). */
export async function uploadToken(jobId: string, expires: number): Promise<string> {
  return `${expires}.${sign(jobId, expires, await cursorKey())}`;
}

/** Whether the token allows uploading the file of `jobId` now. */
export async function checkUploadToken(jobId: string, token: string | undefined, now = Date.now()): Promise<'ok' | 'expired' | 'invalid'> {
  const [expiresText, signature, ...rest] = (token ?? '').split('.');
  if (!expiresText || !signature || rest.length > 0 || !/^\d{1,12}$/.test(expiresText)) return 'invalid';
  const expected = Buffer.from(sign(jobId, Number(expiresText), await cursorKey()));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return Number(expiresText) * 1000 < now ? 'expired' : 'ok';
}
