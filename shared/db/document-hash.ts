import { createHmac } from 'node:crypto';
import type { Country } from '../domain/common.ts';
import { DOCUMENT_TYPES, normaliseDocumentNumber } from '../domain/household.ts';
import { documentHashKey } from '../secrets.ts';

/**
 * The keyed hash under which an identity document is stored, claimed and looked up: hex
 * HMAC-SHA256 with the document-hash secret (`documentHashKey()`) of
 * `doc:<country>:<normalised number>`. Without the secret the hash cannot be reversed by trying
 * every number, and the same card typed with other spacing or case hashes the same. The document
 * type is not part of it: the same number given as a passport and as a national id is one
 * document, and a duplicate. The number itself is never stored, logged or returned; only its last
 * four characters are kept.
 */
export async function hashDocument(country: Country, number: string): Promise<string> {
  const key = await documentHashKey();
  return createHmac('sha256', key)
    .update(`doc:${country}:${normaliseDocumentNumber(number)}`)
    .digest('hex');
}

/**
 * The hashes claims were made under while the type was part of the hash (`<country>:<type>:<number>`),
 * one per document type. They cannot be converted to {@link hashDocument}'s (the numbers are not
 * kept), so they are read, never written: every duplicate check and lookup reads these keys beside
 * the current one (see the README, "Identity documents").
 */
export async function legacyDocumentHashes(country: Country, number: string): Promise<string[]> {
  const key = await documentHashKey();
  const normalised = normaliseDocumentNumber(number);
  return DOCUMENT_TYPES.map((type) => createHmac('sha256', key).update(`${country}:${type}:${normalised}`).digest('hex'));
}

/** Every hash a document may be claimed under: the current one first, then the legacy ones. */
export interface DocumentHashes {
  current: string;
  legacy: string[];
}

export async function documentHashes(country: Country, number: string): Promise<DocumentHashes> {
  const [current, legacy] = await Promise.all([hashDocument(country, number), legacyDocumentHashes(country, number)]);
  return { current, legacy };
}
