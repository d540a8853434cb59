/**
 * Key builders for the gazetteer (administrative units by edition). Pure; unit-tested in
 * `test/unit/keys.test.ts`. An edition lives in one partition, one item per parent holding its
 * children, so a list is one GetItem and a check of a place reads a few items, each cached for
 * good (an edition never changes once active). Which edition is in use is one item.
 */

/** Every item of an edition: Query pk = GAZ#<edition> (activation, diffs; never on a request path). */
export const editionPartition = (edition: string) => `GAZ#${edition}`;

/**
 * The children of a unit (or of a country: parent `KH`/`TH`) in an edition. Item: { children: [{ pcode, en, km|th }] }.
 * pk = GAZ#<edition>, sk = CHILDREN#<parent>
 */
export const childrenKey = (edition: string, parent: string) => ({ pk: editionPartition(edition), sk: `${CHILDREN_PREFIX}${parent}` });
export const CHILDREN_PREFIX = 'CHILDREN#';

/**
 * A province as loaded into an edition (its own names, its parent overrides, its unit count), before activation lists it.
 * pk = GAZ#<edition>, sk = PROVINCE#<pcode>
 */
export const editionProvinceKey = (edition: string, pcode: string) => ({ pk: editionPartition(edition), sk: `${PROVINCE_PREFIX}${pcode}` });
export const PROVINCE_PREFIX = 'PROVINCE#';

/** An edition's record: status (LOADING, ACTIVE, SUPERSEDED), who loaded it, counts, the codes it dropped. pk = GAZ#<edition>, sk = EDITION */
export const editionKey = (edition: string) => ({ pk: editionPartition(edition), sk: 'EDITION' });

/** The edition in use and its parent overrides. Item: { edition, overrides, activatedAt, version }. pk = GAZETTEER, sk = CURRENT */
export const currentEditionKey = () => ({ pk: 'GAZETTEER', sk: 'CURRENT' });

/** The editions loaded, newest activation last: Query pk = GAZETTEER, begins_with(sk, EDITION#). pk = GAZETTEER, sk = EDITION#<activatedAt>#<edition> */
export const editionLogKey = (activatedAt: string, edition: string) => ({ pk: 'GAZETTEER', sk: `EDITION#${activatedAt}#${edition}` });

/** A code an edition dropped, so that old records stay readable: { pcode, lastEdition, droppedIn }. pk = GAZRETIRED#<pcode>, sk = RETIRED */
export const retiredCodeKey = (pcode: string) => ({ pk: `GAZRETIRED#${pcode}`, sk: 'RETIRED' });
