/**
 * Key builders for households. Pure; unit-tested in `test/unit/keys.test.ts`.
 *
 * A household is one main item (entity `Household`, personal data included) that carries the
 * keys of every list a user reads; list sort keys start with the status, so `?status=` is a
 * `begins_with` on the same Query, and then the ULID, so a list is in registration order.
 * Lists answer with the non-personal summary. Related items live in the household's partition
 * (history, access log) or in their own (document claims, for duplicate detection and lookup).
 */
const listSk = (status: string, id: string) => `STATUS#${status}#HH#${id}`;

/** Sort-key prefix that selects one status in a list, or all of them. */
export const householdStatusPrefix = (status: string | undefined) => (status ? `STATUS#${status}#` : 'STATUS#');

/** A household by id. pk = HH#<id>, sk = HH */
export const householdKey = (id: string) => ({ pk: `HH#${id}`, sk: 'HH' });

/** A country's households of one origin province (ministry, admin). gsi1pk = HHS#<country>#PROV#<pcode>, gsi1sk = STATUS#<status>#HH#<id> */
export const householdsByProvince = (country: string, province: string, status: string, id: string) => ({
  gsi1pk: `HHS#${country}#PROV#${province}`,
  gsi1sk: listSk(status, id),
});

/** An organisation's households in a country (relief agencies). gsi2pk = HHS#<country>#ORG#<org>, gsi2sk = STATUS#<status>#HH#<id> */
export const householdsByOrg = (country: string, org: string, status: string, id: string) => ({
  gsi2pk: `HHS#${country}#ORG#${org}`,
  gsi2sk: listSk(status, id),
});

/** An organisation's households of one origin province. gsi3pk = HHS#<country>#ORG#<org>#PROV#<pcode>, gsi3sk = STATUS#<status>#HH#<id> */
export const householdsByOrgProvince = (country: string, org: string, province: string, status: string, id: string) => ({
  gsi3pk: `HHS#${country}#ORG#${org}#PROV#${province}`,
  gsi3sk: listSk(status, id),
});

/** A country's households (ministry, admin). gsi4pk = HHS#<country>, gsi4sk = STATUS#<status>#HH#<id> */
export const householdsByCountry = (country: string, status: string, id: string) => ({
  gsi4pk: `HHS#${country}`,
  gsi4sk: listSk(status, id),
});

/** Every list key of a household in its current state, for the main item. */
export const householdListKeys = (h: { id: string; country: string; org: string; status: string; origin: { province: string } }) => ({
  ...householdsByProvince(h.country, h.origin.province, h.status, h.id),
  ...householdsByOrg(h.country, h.org, h.status, h.id),
  ...householdsByOrgProvince(h.country, h.org, h.origin.province, h.status, h.id),
  ...householdsByCountry(h.country, h.status, h.id),
});

/** Status history of a household, oldest first (append-only). pk = HH#<id>, sk = HISTORY#<entryId> */
export const householdHistoryKey = (id: string, entryId: string) => ({ pk: `HH#${id}`, sk: `HISTORY#${entryId}` });

/** Access log of a household's personal data, oldest first (append-only). pk = HH#<id>, sk = ACCESS#<entryId> */
export const householdAccessKey = (id: string, entryId: string) => ({ pk: `HH#${id}`, sk: `ACCESS#${entryId}` });

/**
 * The claim of an identity document in a country, by its keyed hash (never the number):
 * created with `attribute_not_exists(pk)`, so two households cannot claim one document unless a
 * registrar records the second as a reviewed duplicate ({@link documentDuplicateKey}).
 * Item: { householdId, memberIndex }. pk = HHDOC#<country>#<hash>, sk = CLAIM
 */
export const documentClaimKey = (country: string, hash: string) => ({ pk: `HHDOC#${country}#${hash}`, sk: 'CLAIM' });

/**
 * A document claimed through the API, recorded by day for the importer: an import reads the
 * claims when it decides a chunk and writes its own with BatchWriteItem, which cannot be
 * conditional, so it looks here afterwards for a claim made in between (and repairs it).
 * Item: { hash, householdId, memberIndex, expiresAt }. pk = HHDOCRECENT#<country>#<YYYY-MM-DD>, sk = <at>#<hash>
 */
export const recentDocumentClaimKey = (country: string, at: string, hash: string) => ({
  pk: recentDocumentClaimPartition(country, at.slice(0, 10)),
  sk: `${at}#${hash}`,
});

/** The documents claimed through the API in a country on a day (UTC): Query pk = HHDOCRECENT#<country>#<day>, sk >= <since>. */
export const recentDocumentClaimPartition = (country: string, day: string) => `HHDOCRECENT#${country}#${day}`;

/** A reviewed duplicate's reference to the same document. pk = HHDOC#<country>#<hash>, sk = DUP#<householdId> */
export const documentDuplicateKey = (country: string, hash: string, householdId: string) => ({ pk: `HHDOC#${country}#${hash}`, sk: `DUP#${householdId}` });

/** Every household holding a document: Query pk = HHDOC#<country>#<hash> (the claim and the reviewed duplicates). */
export const documentPartition = (country: string, hash: string) => `HHDOC#${country}#${hash}`;

/**
 * Whether document claims of the old, per-type hash can exist in this table, decided once, when
 * the first process of the current hash needs it (see `legacyClaimsPossible`).
 * Item: { legacyClaims: boolean, decidedAt }. pk = META#DOCUMENT-CLAIMS, sk = KEYS
 */
export const documentClaimKeysMetaKey = () => ({ pk: 'META#DOCUMENT-CLAIMS', sk: 'KEYS' });

/**
 * A household whose verification was recorded, listed by its status (`GET /v1/households?verification=`):
 * a link item beside the household, rewritten with it. pk = HHVER#<country>#<status>, sk = ORG#<org>#HH#<id>
 */
export const householdVerificationLinkKey = (country: string, status: string, org: string, id: string) => ({
  pk: householdVerificationPartition(country, status),
  sk: `ORG#${org}#HH#${id}`,
});

/** The households of a country with one verification status: Query pk = HHVER#<country>#<status>, sk begins_with ORG#<org>#HH# (one organisation) or ORG# (all). */
export const householdVerificationPartition = (country: string, status: string) => `HHVER#${country}#${status}`;
export const householdVerificationOrgPrefix = (org: string | undefined) => (org === undefined ? 'ORG#' : `ORG#${org}#HH#`);
