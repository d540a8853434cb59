import { createHmac } from 'node:crypto';
import type { Country } from '../domain/common.ts';
import { normaliseDocumentNumber } from '../domain/household.ts';
import { documentHashKey } from '../secrets.ts';

/**
 * The keyed hash under which an identity document is stored, claimed and looked up: hex
 * HMAC-SHA256 with the document-hash secret (`documentHashKey()`) of
 * `<country>:<type>:<normalised number>`. Without the secret the hash cannot be reversed by
 * trying every number, and the same card typed with other spacing or case hashes the same.
 * The number itself is never stored, logged or returned; only its last four characters are kept.
 */
export async function hashDocument(country: Country, type: string, number: string): Promise<string> {
  const key = await documentHashKey();
  return createHmac('sha256', key).update(`${country}:${type}:${normaliseDocumentNumber(number)}`).digest('hex');
}
