import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Country } from '../../domain/common.ts';
import {
  ancestorsOf,
  codesOf,
  disappeared,
  flattenProvince,
  levelOf,
  namesOf,
  parentOf,
  parentsToRead,
  placeProblems,
  type ChildList,
  type ChildUnit,
  type GazetteerView,
  type PlaceCodes,
  type PlaceLevel,
  type SourceUnit,
} from '../../domain/gazetteer.ts';
import { isCountryProvince, isProvinceOf } from '../../domain/provinces.ts';
import { documentClient, tableName } from '../client.ts';
import {
  CHILDREN_PREFIX,
  childrenKey,
  currentEditionKey,
  editionKey,
  editionLogKey,
  editionPartition,
  editionProvinceKey,
  PROVINCE_PREFIX,
  retiredCodeKey,
} from '../keys/gazetteer.ts';
import { transact } from '../transact.ts';
import { batchGetAll, batchPutAll } from '../batch.ts';

/**
 * The gazetteer in the table: editions loaded by an administrator, one item per parent with its
 * children (`shared/db/keys/gazetteer.ts`), and the one shared check of coded places that every
 * function uses (households, hazard areas, and any other record with a place).
 *
 * Cost on a request path: the edition in use is one GetItem, kept 60 s per process; a parent's
 * children are one item, kept for the life of the process (an active edition never changes), so a
 * warm function checks a place from memory and a cold one reads at most a few items in one
 * BatchGetItem. Nothing of the gazetteer is in a function's bundle or its module init.
 */

export interface CurrentEdition {
  edition: string;
  overrides: Record<string, string>;
  activatedAt: string;
}

/** How long a process trusts the edition it read: a newly activated edition is in use everywhere within this. */
export const CURRENT_EDITION_TTL_MS = 60_000;
let current: { at: number; value: CurrentEdition | undefined } | undefined;
/** Per edition and container (a country's province list, or a province's whole tree): each parent's children; null when absent. */
const containers = new Map<string, Readonly<Record<string, readonly ChildUnit[]>> | null>();
const preloaded = new Set<string>();

/** Forgets what this process read (after an activation here, and in tests). */
export function forgetGazetteerCache(): void {
  current = undefined;
  containers.clear();
  preloaded.clear();
}

/** The edition in use, or undefined when none was loaded yet. */
export async function currentEdition(): Promise<CurrentEdition | undefined> {
  if (current && Date.now() - current.at < CURRENT_EDITION_TTL_MS) return current.value;
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: currentEditionKey() }));
  const value = out.Item
    ? { edition: String(out.Item.edition), overrides: (out.Item.overrides ?? {}) as Record<string, string>, activatedAt: String(out.Item.activatedAt) }
    : undefined;
  current = { at: Date.now(), value };
  return value;
}

/**
 * Children are stored as gzipped JSON, not as DynamoDB lists of maps: a province's tree is thousands
 * of small maps, which every write and read would otherwise marshal attribute by attribute (on
 * DynamoDB Local a 100 KB nested item took ~0.5 s to put; as one string it is one attribute).
 */
const childrenOf = (item: Record<string, unknown>): ChildUnit[] => unpack(item.children) as ChildUnit[];
const listsOf = (item: Record<string, unknown>): Record<string, ChildUnit[]> => unpack(item.lists) as Record<string, ChildUnit[]>;
/**
 * Gzipped JSON as a binary attribute: a quarter of the bytes to write (the whole shipped edition is ~0.5 MB
 * instead of ~2.1 MB), gunzipped in well under a millisecond per province.
 */
const pack = (value: unknown): Uint8Array => gzipSync(JSON.stringify(value));
const unpack = (stored: unknown): unknown => JSON.parse(gunzipSync(stored as Uint8Array).toString('utf8'));

/** The item holding a parent's children: the country's list for a country, else its province's tree. */
const containerOf = (parent: string) => (parent.length === 2 ? parent : parent.slice(0, 4));
const keyOfContainer = (edition: string, container: string) =>
  container.length === 2 ? childrenKey(edition, container) : editionProvinceKey(edition, container);
const cacheId = (edition: string, container: string) => `${edition}|${container}`;

function remember(edition: string, item: Record<string, unknown>): void {
  const sk = String(item.sk);
  if (sk.startsWith(CHILDREN_PREFIX))
    containers.set(cacheId(edition, sk.slice(CHILDREN_PREFIX.length)), { [sk.slice(CHILDREN_PREFIX.length)]: childrenOf(item) });
  else if (sk.startsWith(PROVINCE_PREFIX)) containers.set(cacheId(edition, sk.slice(PROVINCE_PREFIX.length)), listsOf(item));
}

/**
 * The children of each parent in an edition (absent: no such parent). A province's whole tree is
 * one item (at most ~120 KB with Cambodia's villages), so the parents of one place are one or two
 * items, read with one BatchGetItem and then kept in memory.
 */
export async function readChildren(edition: string, parents: readonly string[]): Promise<Map<string, readonly ChildUnit[]>> {
  const missing = [...new Set(parents.map(containerOf))].filter((c) => !containers.has(cacheId(edition, c)));
  if (missing.length > 0) {
    const found = await batchGetAll(
      missing.map((c) => keyOfContainer(edition, c)),
      { projection: 'sk, children, lists' },
    );
    for (const item of found) remember(edition, item);
    for (const c of missing) if (!containers.has(cacheId(edition, c))) containers.set(cacheId(edition, c), null);
  }
  const out = new Map<string, readonly ChildUnit[]>();
  for (const p of parents) {
    const list = containers.get(cacheId(edition, containerOf(p)))?.[p];
    if (list) out.set(p, list);
  }
  return out;
}

/** Reads every province of a country in an edition into memory at once (an import checks thousands of places): one paged Query. */
export async function preloadCountry(edition: string, country: Country): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': editionPartition(edition), ':prefix': `${PROVINCE_PREFIX}${country}` },
        ProjectionExpression: 'sk, lists',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) remember(edition, item);
    start = out.LastEvaluatedKey;
  } while (start);
  await readChildren(edition, [country]);
}

/** Reads a country's units of the edition in use into memory, once per process and edition (an import job checks thousands of places). */
export async function preloadPlaces(country: Country): Promise<void> {
  const edition = await currentEdition();
  if (!edition || preloaded.has(`${edition.edition}|${country}`)) return;
  await preloadCountry(edition.edition, country);
  preloaded.add(`${edition.edition}|${country}`);
}

/** A place to check: where it is in the request (`body.origin`), its codes, and whether it must be in a border province. */
export interface PlaceToCheck {
  path: string;
  place: PlaceCodes;
  /** Hazard areas and tasks lie in the border provinces (`shared/domain/provinces.ts`); other places in any province of the country. */
  border?: boolean;
}

/**
 * The one check of coded places: each place's province (a border province where `border`, else
 * any province of the country in the edition in use), and its `adm2`/`adm3`/`adm4` codes against
 * the edition and against each other. Answers one `{ path, message }` per problem, e.g.
 * `{ path: 'body.origin.adm3', message: 'commune KH220305 is not in district KH2201 (...)' }`.
 */
export async function checkPlaces(country: Country, places: readonly PlaceToCheck[]): Promise<{ path: string; message: string }[]> {
  if (places.length === 0) return [];
  const view = await gazetteerView(
    country,
    places.map((p) => p.place),
  );
  const provinces = view?.children(country);
  const anyProvince = (pcode: string) => (provinces ? provinces.some((u) => u.pcode === pcode) : isCountryProvince(pcode, country));
  return places.flatMap((p) =>
    placeProblems(country, p.place, view, p.border ? (pcode) => isProvinceOf(pcode, country) : anyProvince).map((problem) => ({
      path: `${p.path}.${problem.field}`,
      message: problem.message,
    })),
  );
}

/** The edition in use with the children these places need read; undefined when no edition is loaded. */
export async function gazetteerView(country: Country, places: readonly PlaceCodes[]): Promise<GazetteerView | undefined> {
  const edition = await currentEdition();
  if (!edition) return undefined;
  const lists = await readChildren(edition.edition, parentsToRead(country, places, edition.overrides));
  return { edition: edition.edition, overrides: edition.overrides, children: (parent) => lists.get(parent) };
}

// ---------------------------------------------------------------------------------------------
// Reading units for the places API.

export interface PlaceUnit {
  pcode: string;
  level: PlaceLevel;
  country: Country;
  parent: string | null;
  name: Record<string, string>;
}

const unitAt = (country: Country, parent: string, u: ChildUnit): PlaceUnit => ({
  pcode: u.pcode,
  level: levelOf(u.pcode)!,
  country,
  parent: parent.length === 2 ? null : parent,
  name: namesOf(country, u),
});

/** The children of a unit (or a country's provinces) in the edition in use; undefined when the parent has none or is unknown. */
export async function listChildren(parent: string): Promise<{ edition: string; items: PlaceUnit[] } | undefined> {
  const edition = await currentEdition();
  if (!edition) return undefined;
  const list = (await readChildren(edition.edition, [parent])).get(parent);
  if (!list) return undefined;
  const country = parent.slice(0, 2) as Country;
  return { edition: edition.edition, items: list.map((u) => unitAt(country, parent, u)) };
}

/** The English names of units of the edition in use, by code (unknown codes left out): for exports that name places. */
export async function unitNames(codes: readonly string[]): Promise<Map<string, string>> {
  const edition = await currentEdition();
  const out = new Map<string, string>();
  if (!edition || codes.length === 0) return out;
  const lists = await readChildren(edition.edition, [...new Set(codes.map((c) => parentOf(c, edition.overrides)))]);
  for (const code of codes) {
    const u = lists.get(parentOf(code, edition.overrides))?.find((x) => x.pcode === code);
    if (u) out.set(code, u.en);
  }
  return out;
}

/** An edition's own record (status, overrides, counts, dropped codes). */
export async function editionRecord(edition: string): Promise<Record<string, unknown> | undefined> {
  return (await documentClient.send(new GetCommand({ TableName: tableName, Key: editionKey(edition) }))).Item;
}

/** A unit and its parents (nearest first) as one edition has them, or undefined. */
async function unitIn(edition: string, overrides: Record<string, string>, pcode: string): Promise<{ unit: PlaceUnit; parents: PlaceUnit[] } | undefined> {
  const country = pcode.slice(0, 2) as Country;
  const chain = [pcode, ...ancestorsOf(pcode, overrides)];
  const lists = await readChildren(
    edition,
    chain.map((c) => parentOf(c, overrides)),
  );
  const units = chain.map((code) => {
    const parent = parentOf(code, overrides);
    const u = lists.get(parent)?.find((x) => x.pcode === code);
    return u ? unitAt(country, parent, u) : undefined;
  });
  if (units.some((u) => u === undefined)) return undefined;
  const [unit, ...parents] = units as PlaceUnit[];
  return { unit: unit!, parents };
}

/**
 * One unit with its parents, in the edition in use; a code an earlier edition dropped is still
 * answered from the last edition that had it, marked `retired`, so old records stay readable.
 */
export async function findUnit(
  pcode: string,
): Promise<{ edition: string; unit: PlaceUnit; parents: PlaceUnit[]; retired?: { lastEdition: string; droppedIn: string } } | undefined> {
  const edition = await currentEdition();
  if (!edition || !levelOf(pcode)) return undefined;
  const found = await unitIn(edition.edition, edition.overrides, pcode);
  if (found) return { edition: edition.edition, ...found };
  const retired = (await documentClient.send(new GetCommand({ TableName: tableName, Key: retiredCodeKey(pcode) }))).Item;
  if (!retired) return undefined;
  const lastEdition = String(retired.lastEdition);
  const old = await editionRecord(lastEdition);
  const inOld = await unitIn(lastEdition, (old?.overrides ?? {}) as Record<string, string>, pcode);
  return inOld ? { edition: edition.edition, ...inOld, retired: { lastEdition, droppedIn: String(retired.droppedIn) } } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Loading an edition: provinces one by one (each request stays under the body limit), then activation.

export interface Loader {
  sub: string;
  role: string;
  org: string;
}

/** A province's tree is one item; DynamoDB's limit is 400 KB (the largest shipped province, Kampong Speu, is ~120 KB of JSON, ~25 KB gzipped). */
const MAX_PROVINCE_ITEM_BYTES = 350_000;

/**
 * What one transaction of provinces carries: far below DynamoDB's 4 MB, because DynamoDB Local
 * commits a transaction on its one SQLite thread and answers nothing else meanwhile (its health
 * check included); a few hundred KB keep each pause short.
 */
const MAX_TRANSACTION_BYTES = 200_000;

/** Why an edition cannot be loaded or activated (the API answers 400 or 409). */
export class EditionRefused extends Error {
  readonly kind: 'invalid' | 'conflict' | 'missing';
  readonly problems: string[];
  constructor(kind: 'invalid' | 'conflict' | 'missing', message: string, problems: string[] = []) {
    super(message);
    this.kind = kind;
    this.problems = problems;
  }
}

/**
 * Stores one province's tree in an edition that is still being loaded (idempotent: sending the
 * province again replaces it). An active or superseded edition is never changed.
 */
export async function putEditionProvince(edition: string, country: Country, tree: SourceUnit, by: Loader, now = new Date().toISOString()) {
  const [stored] = await putEditionProvinces(edition, country, [tree], by, now);
  return stored!;
}

/**
 * Stores provinces of one country in an edition that is still loading, in as few transactions as
 * fit (100 items, 4 MB): each commit of DynamoDB Local costs several fsyncs, so a whole country
 * loads in one or two commits instead of one per province.
 */
export async function putEditionProvinces(edition: string, country: Country, trees: readonly SourceUnit[], by: Loader, now = new Date().toISOString()) {
  const record = await editionRecord(edition);
  if (record && record.status !== 'LOADING')
    throw new EditionRefused('conflict', `Edition ${edition} is ${String(record.status)}: an edition is never changed once active; load a new one.`);
  const items = trees.map((tree) => {
    const flat = flattenProvince(country, tree);
    if (flat.problems.length > 0)
      throw new EditionRefused(
        'invalid',
        `Province ${String(tree.pcode)} of edition ${edition} has ${flat.problems.length} problem(s).`,
        flat.problems.slice(0, 50),
      );
    const item = {
      ...editionProvinceKey(edition, flat.province.pcode),
      entity: 'GazetteerProvince',
      country,
      province: flat.province,
      lists: pack(Object.fromEntries(flat.lists.map((l) => [l.parent, l.children]))),
      overrides: flat.overrides,
      units: flat.units,
      loadedAt: now,
      loadedBy: by,
    };
    if (item.lists.length > MAX_PROVINCE_ITEM_BYTES)
      throw new EditionRefused('invalid', `Province ${flat.province.pcode} is too large for one item (${MAX_PROVINCE_ITEM_BYTES} bytes).`);
    return { item, stored: { edition, province: flat.province.pcode, units: flat.units, overrides: flat.overrides } };
  });
  if (!record) {
    await documentClient
      .send(
        new PutCommand({
          TableName: tableName,
          Item: { ...editionKey(edition), entity: 'GazetteerEdition', edition, status: 'LOADING', createdAt: now, createdBy: by },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((e: unknown) => {
        if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
      });
  }
  let group: Record<string, unknown>[] = [];
  let bytes = 0;
  const flush = async () => {
    if (group.length > 0) await transact(group.map((Item) => ({ item: { Put: { TableName: tableName, Item } } })));
    group = [];
    bytes = 0;
  };
  for (const { item } of items) {
    const size = item.lists.length + 1_000;
    if (group.length >= 100 || bytes + size > MAX_TRANSACTION_BYTES) await flush();
    group.push(item);
    bytes += size;
  }
  await flush();
  return items.map((i) => i.stored);
}

async function partition(edition: string, prefix: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out: QueryCommandOutput = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': editionPartition(edition), ':prefix': prefix },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every child list of an edition: each province's tree, and each country's list of provinces. */
async function editionLists(edition: string): Promise<ChildList[]> {
  const provinces = await partition(edition, PROVINCE_PREFIX);
  const countries = (['KH', 'TH'] as const).map((country) => ({
    parent: country,
    children: provinces
      .filter((p) => p.country === country)
      .map((p) => p.province as ChildUnit)
      .sort((a, b) => a.pcode.localeCompare(b.pcode)),
  }));
  return [...countries, ...provinces.flatMap((p) => Object.entries(listsOf(p)).map(([parent, children]) => ({ parent, children })))];
}

/** Most dropped codes an activation answers and records by name (all are counted, and all get a retired record). */
export const MAX_REPORTED_DROPPED = 2_000;

export interface ActivationReport {
  edition: string;
  previous: string | null;
  activatedAt: string;
  units: Record<Country, Partial<Record<PlaceLevel, number>>>;
  added: number;
  dropped: { count: number; codes: { pcode: string; level: PlaceLevel; en: string }[] };
  overrides: Record<string, string>;
}

/**
 * Makes a loaded edition the one in use: checks it holds both countries and every code once,
 * lists each country's provinces, reports the codes of the previous edition it no longer has
 * (each gets a retired record pointing at the last edition that had it: old records keep their
 * codes and stay readable), and switches the current edition (guarded: two activations at once
 * cannot both win).
 */
export async function activateEdition(edition: string, by: Loader, now = new Date().toISOString()): Promise<ActivationReport> {
  const record = await editionRecord(edition);
  if (!record) throw new EditionRefused('missing', `No edition ${edition} has been loaded.`);
  if (record.status !== 'LOADING') throw new EditionRefused('conflict', `Edition ${edition} is already ${String(record.status)}.`);
  const provinces = await partition(edition, PROVINCE_PREFIX);
  const problems: string[] = [];
  const overrides: Record<string, string> = {};
  for (const country of ['KH', 'TH'] as const) if (!provinces.some((p) => p.country === country)) problems.push(`no province of ${country} was loaded`);
  for (const p of provinces) Object.assign(overrides, p.overrides as Record<string, string>);
  const tree = await editionLists(edition);
  const codes = codesOf(tree);
  const total = tree.reduce((n, l) => n + l.children.length, 0);
  if (codes.size !== total) problems.push(`${total - codes.size} code(s) appear more than once`);
  if (problems.length > 0) throw new EditionRefused('invalid', `Edition ${edition} cannot be activated.`, problems);

  const previous = await documentClient.send(new GetCommand({ TableName: tableName, Key: currentEditionKey(), ConsistentRead: true }));
  const previousEdition = previous.Item ? String(previous.Item.edition) : null;
  const before = previousEdition ? codesOf(await editionLists(previousEdition)) : new Map<string, { parent: string; unit: ChildUnit }>();
  const droppedCodes = disappeared(before, codes);
  const added = [...codes.keys()].filter((c) => !before.has(c)).length;
  const units: ActivationReport['units'] = { KH: {}, TH: {} };
  for (const code of codes.keys()) {
    const level = levelOf(code)!;
    const u = units[code.slice(0, 2) as Country];
    u[level] = (u[level] ?? 0) + 1;
  }
  const dropped = droppedCodes.slice(0, MAX_REPORTED_DROPPED).map((pcode) => ({ pcode, level: levelOf(pcode)!, en: before.get(pcode)!.unit.en }));

  await batchPutAll([
    ...tree.filter((l) => l.parent.length === 2).map((l) => ({ ...childrenKey(edition, l.parent), entity: 'GazetteerChildren', children: pack(l.children) })),
    ...droppedCodes.map((pcode) => ({
      ...retiredCodeKey(pcode),
      entity: 'GazetteerRetiredCode',
      pcode,
      lastEdition: previousEdition,
      droppedIn: edition,
      at: now,
    })),
  ]);
  const report: ActivationReport = {
    edition,
    previous: previousEdition,
    activatedAt: now,
    units,
    added,
    dropped: { count: droppedCodes.length, codes: dropped },
    overrides,
  };
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...record,
        ...editionKey(edition),
        status: 'ACTIVE',
        activatedAt: now,
        activatedBy: by,
        units,
        added,
        dropped: report.dropped,
        overrides,
        previous: previousEdition,
      },
    }),
  );
  await documentClient
    .send(
      new PutCommand({
        TableName: tableName,
        Item: { ...currentEditionKey(), entity: 'GazetteerCurrent', edition, overrides, activatedAt: now, version: Number(previous.Item?.version ?? 0) + 1 },
        ...(previous.Item
          ? { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': previous.Item.version } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    )
    .catch((e: unknown) => {
      if ((e as { name?: string }).name === 'ConditionalCheckFailedException')
        throw new EditionRefused('conflict', 'Another edition was activated at the same moment: read GET /v1/places/editions and try again.');
      throw e;
    });
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...editionLogKey(now, edition),
        entity: 'GazetteerEditionLog',
        edition,
        previous: previousEdition,
        activatedAt: now,
        dropped: droppedCodes.length,
        added,
      },
    }),
  );
  if (previousEdition) {
    const old = await editionRecord(previousEdition);
    if (old)
      await documentClient.send(new PutCommand({ TableName: tableName, Item: { ...old, status: 'SUPERSEDED', supersededBy: edition, supersededAt: now } }));
  }
  forgetGazetteerCache();
  return report;
}

/** The editions activated so far, oldest first. */
export async function listEditions(): Promise<{ edition: string; previous: string | null; activatedAt: string; added: number; dropped: number }[]> {
  const out = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': 'GAZETTEER', ':p': 'EDITION#' },
    }),
  );
  return (out.Items ?? []).map((i) => ({
    edition: String(i.edition),
    previous: (i.previous as string | null) ?? null,
    activatedAt: String(i.activatedAt),
    added: Number(i.added),
    dropped: Number(i.dropped),
  }));
}

/** Loads whole country trees as one edition and activates it (`npm start` on a new table, the CLI, tests). */
export async function loadEdition(
  edition: string,
  countries: readonly { country: Country; provinces: readonly SourceUnit[] }[],
  by: Loader,
): Promise<ActivationReport> {
  for (const { country, provinces } of countries) await putEditionProvinces(edition, country, provinces, by);
  return activateEdition(edition, by);
}
