/**
 * Key builders that let an erasure find every item holding a household's personal data without
 * a Scan. Pure.
 */

/**
 * The document claims of a household, by key: a household item holds only each document's type
 * and last four characters, so the claims (keyed by the number's hash) are listed here when the
 * household is written. Item: { householdId, claimKeys: [{ pk, sk }], hashes }.
 * pk = HH#<id>, sk = DOCUMENTS
 */
export const householdDocumentsKey = (householdId: string) => ({ pk: `HH#${householdId}`, sk: 'DOCUMENTS' });

/**
 * The idempotency records of the creates that made a resource, by the resource's location
 * (`/v1/households/<id>`): an erasure rewrites them. gsi1pk = IDEMPOTENT#<location>, gsi1sk = <record pk>
 */
export const idempotencyOfResource = (location: string, recordPk: string) => ({ gsi1pk: idempotentResourcePartition(location), gsi1sk: recordPk });
export const idempotentResourcePartition = (location: string) => `IDEMPOTENT#${location}`;
