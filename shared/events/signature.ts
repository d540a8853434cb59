import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (DESIGN section 5): `Clearway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
 * The timestamp is signed with the body, so a receiver can refuse replays older than a tolerance.
 */
const hmac = (secret: string, timestamp: number, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

export function signatureHeader(secret: string, body: string, now = new Date()): string {
  const t = Math.floor(now.getTime() / 1000);
  return `t=${t},v1=${hmac(secret, t, body)}`;
}

/** What a receiver does: true when the header is ours for this body and no older than `toleranceSeconds`. */
export function verifySignature(secret: string, body: string, header: string | null | undefined, toleranceSeconds = 300, now = new Date()): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  const given = parts.v1;
  if (!Number.isInteger(t) || !given || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(Math.floor(now.getTime() / 1000) - t) > toleranceSeconds) return false;
  return timingSafeEqual(Buffer.from(hmac(secret, t, body), 'hex'), Buffer.from(given, 'hex'));
}
