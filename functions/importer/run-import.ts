import type { Readable } from 'node:stream';
import { derivedId } from './derived-id.ts';

export { derivedId };
import { config } from '#shared/config.ts';
import type { Logger } from '@aws-lambda-powertools/logger';
import { clip, columnOf, householdFromRows, type NumberedRow, type RowError, type UnmappedValue, type SitesByCode } from '#shared/domain/household-import.ts';
import { ValueTranslator } from '#shared/domain/import-columns.ts';
import type { ImportMapping } from '#shared/domain/import-mapping.ts';
import { assistedDestination } from '#shared/domain/erasure.ts';
import { FOREIGN_DOCUMENT_MESSAGE, householdPlaces, positionalMemberId, storedMember, type Household, type HouseholdCreate } from '#shared/domain/household.ts';
import { checkPlaces, preloadPlaces } from '#shared/db/repositories/gazetteer.ts';
import type { HistoryEntry } from '#shared/domain/history.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { documentHashes, type DocumentHashes } from '#shared/db/document-hash.ts';
import { documentClaimKey } from '#shared/db/keys/household.ts';
import { batchGetAll, batchPutAll } from '#shared/db/batch.ts';
import {
  claimImportFile,
  commitChunk,
  committedChunks,
  completeImportJob,
  failImportJob,
  getImportJob,
  importedHouseholdIds,
  importErrorItems,
  importExpiry,
  startProcessing,
  type ImportJob,
} from '#shared/db/repositories/household-imports.ts';
import { legacyClaimsPossible } from '#shared/db/repositories/legacy-claims.ts';
import { importRegistrationCodes, registrationCodeItem } from '#shared/db/repositories/registration-codes.ts';
import {
  deleteItem,
  householdAccessItem,
  householdItems,
  householdOwners,
  recentDocumentClaims,
  releaseClaim,
  type DocumentRef,
  type HouseholdAccessEntry,
} from '#shared/db/repositories/households.ts';
import { logger as rootLogger } from '#shared/logger.ts';
import { readHazardsVersion } from '#shared/db/repositories/return-safety.ts';
import { applyChunkDemand, assessSafety, chunkStatsWrites, commitSiteFigures, recheckSafetyInCells, safetyCellOf, safetyItems, sitesByCode } from './hooks.ts';
import { queueImportDuplicates } from './duplicate-pass.ts';
import { peopleOf, UnfitColumns, type PeopleSource } from './people.ts';
import { KeyIndex } from './key-index.ts';
import { FileDocuments, type InFile } from './file-documents.ts';
import { fingerprint, openTables, Unreadable } from './sources.ts';
import { count, MetricName } from '#shared/metrics.ts';

/**
 * The import core, the same locally (after a `PUT` to the local server, and on `npm start` for
 * jobs a crash left unfinished) and on AWS (the importer Lambda, on S3 ObjectCreated).
 *
 * 1. A first pass reads the file as a stream (never whole in memory): SHA-256 of the bytes, a
 *    fatal UTF-8 decoder, the CSV syntax and the header, and the number of rows. An empty file,
 *    bytes that are not UTF-8, broken CSV or a wrong header fail the job before anything is written.
 * 2. The same file imported before (same bytes, country and organisation) completes the job with
 *    nothing imported and names the first job.
 * 3. A second pass groups rows into households (consecutive rows with one `household_key`) and
 *    takes them a chunk at a time: validation with the API's own schema, document hashes checked
 *    against the claims already stored (BatchGetItem) and against the file's earlier households,
 *    the items written with BatchWriteItem, then one transaction with the chunk's marker
 *    (condition: not there yet), the job's counters and the statistics delta. The next chunk is
 *    decided and built while one is written; writes and commits stay one chunk at a time.
 *
 * Exactly once: household ids (and their first history entries) are derived from the job and the
 * household key, so a chunk re-run after a crash writes the very same items, and its counters
 * are added only by the transaction that creates its marker.
 */

/** Households per chunk: items and rejected rows written together, counters committed once. */
export const CHUNK_HOUSEHOLDS = 250;

export interface ImportSource {
  /**
   * Opens the uploaded file from its start, or only its bytes `start` to `end` (inclusive): a CSV
   * is read from its start (once to check it, once to import it); a ZIP (an XLSX workbook, ODK
   * Central's CSVs) by the ranges of its central directory and of the entries it needs.
   */
  open(range?: { start: number; end: number }): Promise<Readable>;
  /**
   * Deletes the uploaded file: called once its job has ended (COMPLETED or FAILED), and for a
   * finished job's file still found (a run that ended before deleting it). The file holds
   * plaintext document numbers, names and phones; only its SHA-256 is kept, on the job.
   */
  discard?(): Promise<void>;
}

export interface RunOptions {
  chunkHouseholds?: number;
  /** Most rows a file may have (`IMPORT_MAX_ROWS`): a longer one fails before anything is written. */
  maxRows?: number;
  /** Tests: stop (as if the process died) right after this many chunks were committed by this run. */
  stopAfterChunks?: number;
  /** Tests: stop after writing the items of the next chunk, before its commit. */
  stopBeforeCommit?: boolean;
  /** Tests: stop once the job is COMPLETED, before its duplicate pass (as if the process died there). */
  stopBeforeDuplicatePass?: boolean;
  log?: Logger;
}

export type RunOutcome = 'COMPLETED' | 'FAILED' | 'DUPLICATE' | 'NOT_READY' | 'STOPPED';

/** Raised by the test hooks: the run stops where a crash would have stopped it. */
export class ImportStopped extends Error {
  constructor() {
    super('import stopped by a test hook');
    this.name = 'ImportStopped';
  }
}

/** A job that cannot be imported at all; the message is for the person who uploaded the file. */
class Unimportable extends Unreadable {}

/** What the check of a file found: its size and hash, its rows, and how its columns and values were read. */
export interface CheckedFile {
  sha256: string;
  bytes: number;
  rows: number;
  people: PeopleSource;
  unmapped: UnmappedValue[];
}

/** Distinct unknown values counted per job (the rest is still refused row by row, not counted). */
const MAX_UNMAPPED = 200;

/** Pass 1: checks the whole file and counts its rows, or says why it cannot be imported. */
async function checkFile(source: ImportSource, maxRows: number, mapping: ImportMapping | undefined): Promise<CheckedFile> {
  const open = (range?: { start: number; end: number }) => source.open(range);
  const { sha256, bytes, zip } = await fingerprint(open);
  if (bytes === 0)
    throw new Unimportable('The file is empty: upload a CSV file (or an XLSX workbook, or a ZIP of CSV files) with a header row and one row per person.');
  const { format, tables } = await openTables(open, { zip, bytes });
  if (tables.length === 0) throw new Unimportable('The file holds no CSV header: upload a CSV file with a header row and one row per person.');
  const people = peopleOf(format, tables, mapping);
  const counts = new Map<string, UnmappedValue>();
  const values = new ValueTranslator(mapping, (field, value) => {
    const key = `${field}\u0000${value}`;
    const seen = counts.get(key);
    if (seen) seen.count++;
    else if (counts.size < MAX_UNMAPPED) counts.set(key, { field, value: value.slice(0, 100), count: 1 });
  });
  let rows = 0;
  for await (const _ of people.rows(values)) {
    rows++;
    // Stops reading at once: the rest of an oversized file is never parsed.
    if (rows > maxRows)
      throw new Unimportable(`The file has more than ${maxRows} rows, the most one import takes: split it into several files of at most ${maxRows} rows each.`);
  }
  if (rows === 0) throw new Unimportable('The file has a header but no rows.');
  return { sha256, bytes, rows, people, unmapped: [...counts.values()].sort((a, b) => b.count - a.count) };
}

interface Group {
  key: string;
  rows: NumberedRow[];
  /** Set when the key appeared before, separated by other households. */
  separatedFrom?: number;
}

interface Chunk {
  number: number;
  groups: Group[];
}

/** Pass 2: the file's households, a chunk at a time. */
async function* chunksOf(people: AsyncIterable<NumberedRow>, size: number): AsyncGenerator<Chunk> {
  // Every household key of the file stays known (a key used again later is refused): compactly, not as a Map of strings.
  const firstRowOf = new KeyIndex();
  let current: Group | undefined;
  let groups: Group[] = [];
  let number = 0;
  const close = (): Chunk | undefined => {
    if (current) groups.push(current);
    current = undefined;
    if (groups.length < size) return undefined;
    const chunk = { number: number++, groups };
    groups = [];
    return chunk;
  };
  for await (const person of people) {
    const key = person.fields.household_key;
    if (!current || current.key !== key || key === '') {
      const full = close();
      if (full) yield full;
      const earlier = key === '' ? undefined : firstRowOf.get(key);
      current = { key, rows: [], ...(earlier !== undefined ? { separatedFrom: earlier } : {}) };
      if (key !== '' && earlier === undefined) firstRowOf.set(key, person.row);
    }
    current.rows.push(person);
  }
  if (current) groups.push(current);
  if (groups.length > 0) yield { number: number++, groups };
}

/**
 * The next item is read while the current one is processed: the next chunk of the file is parsed
 * while this one's writes are in flight (the store answers on other cores).
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  // A failure is seen when the item is awaited, not as an unhandled rejection meanwhile.
  next.catch(() => undefined);
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    await next.then(
      () => it.return?.(),
      () => undefined,
    );
  }
}

/** A household that passed validation, with its document hashes. */
interface Candidate {
  group: Group;
  body: HouseholdCreate;
  id: string;
  /** `hash` is the current hash (claimed, compared within the file); `hashes` all it may be claimed under. */
  documents: { memberIndex: number; hash: string; hashes: DocumentHashes }[];
}

export interface ImportContext {
  job: ImportJob;
  /**
   * First holder of each document hash among this file's accepted households: household key, row
   * and id. An import keeps only the current chunk's here and the chunk before's in
   * `previousDocuments`: a chunk is decided while the chunk before it is still being written (see
   * `importUploaded`), so that one's claims may not be stored yet; the claims of every earlier
   * chunk are, and are read back with the chunk's other claims, so the maps do not grow with the
   * file. A dry run, which stores no claim, keeps the whole file's here, compactly ({@link FileDocuments}).
   */
  documentsInFile: Map<string, InFile> | FileDocuments;
  previousDocuments: Map<string, InFile> | FileDocuments;
  /** The registration codes given to the chunk being written while the next is decided (not stored yet). */
  codesInFlight: ReadonlySet<string>;
  /** Hazard-area cells and geometries read for this job's assessments (the check at the end reads afresh). */
  safetyCache: Map<string, unknown>;
  /** The return-safety index cells of the job's households, checked again at the end. */
  safetyCells: Set<string>;
  /** The country's displacement sites by code (`current_site_code`), read once per run. */
  sites: SitesByCode;
}

/** A run's context, empty but for the job and its country's sites. */
const newContext = (job: ImportJob, sites: SitesByCode, wholeFile = job.dryRun === true): ImportContext => ({
  job,
  documentsInFile: wholeFile ? new FileDocuments((key) => derivedId(Date.parse(job.createdAt), `${job.id}\n${key}`)) : new Map(),
  previousDocuments: new Map(),
  codesInFlight: new Set(),
  safetyCache: new Map(),
  safetyCells: new Set(),
  sites,
});

/** Decides a chunk: which households are imported, which rows rejected and why. Updates the file's document map. */
async function decideChunk(ctx: ImportContext, chunk: Chunk): Promise<Decided> {
  const { job } = ctx;
  const errors: RowError[] = [];
  const refusals: HouseholdAccessEntry[] = [];
  let rejectedHouseholds = 0;
  const reject = (group: Group, messageFor: (row: number) => string) => {
    rejectedHouseholds++;
    for (const r of group.rows) errors.push({ row: r.row, message: clip(messageFor(r.row)) });
  };
  const timeMs = Date.parse(job.createdAt);
  if (!job.dryRun) {
    ctx.previousDocuments = ctx.documentsInFile;
    ctx.documentsInFile = new Map();
  }
  await preloadPlaces(job.country);
  const candidates: Candidate[] = [];
  for (const group of chunk.groups) {
    if (group.separatedFrom !== undefined) {
      reject(group, () => `household ${group.key}: its rows must be consecutive; the key was first used at row ${group.separatedFrom}, these rows are refused`);
      continue;
    }
    const result = householdFromRows(group.rows, job.country, ctx.sites);
    if (!result.ok) {
      rejectedHouseholds++;
      errors.push(...result.errors.map((e) => ({ row: e.row, message: clip(e.message) })));
      continue;
    }
    // The gazetteer check of the API (the country's units are read into memory once per job).
    const places = await checkPlaces(job.country, householdPlaces(result.household, 'body'));
    if (places.length > 0) {
      const first = group.rows[0]!.row;
      const message = places.map((p) => `${columnOf(p.path.split('.').slice(1))}: ${p.message}`).join('; ');
      reject(group, (row) =>
        row === first ? `household ${group.key}: ${message}` : `household ${group.key} is refused because of its other rows (row ${first}: ${message})`,
      );
      continue;
    }
    const documents = await Promise.all(
      result.household.members.flatMap((m, memberIndex) =>
        m.document ? [documentHashes(job.country, m.document.number).then((hashes) => ({ memberIndex, hash: hashes.current, hashes }))] : [],
      ),
    );
    candidates.push({ group, body: result.household, id: derivedId(timeMs, `${job.id}\n${group.key}`), documents });
  }
  // Claims already stored, under the current or a legacy hash: another household's (refused) or this import's own from an earlier run (fine).
  const claimed = new Map<string, string>();
  const legacy = await legacyClaimsPossible();
  const hashesOf = (d: Candidate['documents'][number]) => (legacy ? [d.hashes.current, ...d.hashes.legacy] : [d.hashes.current]);
  const keys = [...new Set(candidates.flatMap((c) => c.documents.flatMap(hashesOf)))].map((hash) => documentClaimKey(job.country, hash));
  if (keys.length > 0)
    for (const item of await batchGetAll(keys, { projection: 'pk, sk, householdId' })) claimed.set(String(item.pk), String(item.householdId));
  const holderOf = (d: Candidate['documents'][number]) =>
    hashesOf(d)
      .map((hash) => claimed.get(documentClaimKey(job.country, hash).pk))
      .find((h) => h !== undefined);
  // Holders of other organisations are not named in the job's errors, which its organisation reads.
  const owners = await householdOwners([...claimed.values()]);

  const accepted: Candidate[] = [];
  for (const c of candidates) {
    const problems = new Map<number, string>();
    const seen = new Map<string, number>();
    for (const d of c.documents) {
      const row = c.group.rows[d.memberIndex]!.row;
      const holder = holderOf(d);
      const inFile = ctx.documentsInFile.get(d.hash) ?? ctx.previousDocuments.get(d.hash);
      const sameHousehold = seen.get(d.hash);
      // The chunk before may have stored its claims by now or not: its households are named as the file's either way.
      if (holder !== undefined && holder !== c.id && holder !== inFile?.id) {
        if (owners.get(holder)?.org === job.org) problems.set(row, `the identity document is already registered to household ${holder}`);
        else {
          problems.set(row, FOREIGN_DOCUMENT_MESSAGE);
          refusals.push(refusalEntry(job, c.group.key, d.hash, holder));
        }
      } else if (inFile) problems.set(row, `the identity document is already in household ${inFile.key} of this file (row ${inFile.row})`);
      else if (sameHousehold !== undefined) problems.set(row, `the same identity document as row ${sameHousehold} of this household`);
      seen.set(d.hash, row);
    }
    if (problems.size > 0) {
      const summary = [...problems.entries()].map(([row, message]) => `row ${row}: ${message}`).join(' | ');
      reject(c.group, (row) =>
        problems.has(row) ? `household ${c.group.key}: ${problems.get(row)!}` : `household ${c.group.key} is refused because of its other rows (${summary})`,
      );
      continue;
    }
    for (const d of c.documents) ctx.documentsInFile.set(d.hash, { key: c.group.key, row: c.group.rows[d.memberIndex]!.row, id: c.id });
    accepted.push(c);
  }
  return { accepted, errors, rejectedHouseholds, refusals };
}

/** What a chunk's decision gives: households to import, rows refused, and the access entries of refusals of other organisations' documents. */
interface Decided {
  accepted: Candidate[];
  errors: RowError[];
  rejectedHouseholds: number;
  refusals: HouseholdAccessEntry[];
}

/**
 * The access entry of a row refused because another organisation's household holds its document:
 * in that household's log (the ministry's to read), with an id derived from the job, the row's
 * household and the document, so a re-run writes the same entry.
 */
const refusalEntry = (job: ImportJob, key: string, hash: string, holderId: string): HouseholdAccessEntry => ({
  id: derivedId(Date.parse(job.createdAt), `${job.id}\n${key}\n${hash}\nrefused`),
  at: job.uploadedAt ?? job.createdAt,
  householdId: holderId,
  actor: { sub: job.actor.sub, role: job.actor.role, org: job.actor.org },
  purpose: 'DUPLICATE_REFUSED',
  importId: job.id,
});

/** The stored household and its items, the same on every run of the job. */
async function householdOf(ctx: ImportContext, c: Candidate, code: string): Promise<{ household: Household; items: Record<string, unknown>[] }> {
  const { job } = ctx;
  const at = job.uploadedAt ?? job.createdAt;
  const body = c.body;
  const household: Household = {
    id: c.id,
    version: 1,
    createdAt: at,
    updatedAt: at,
    createdBy: job.createdBy,
    country: job.country,
    org: job.org,
    status: 'DISPLACED',
    statusChangedAt: at,
    origin: body.origin,
    current: body.current,
    ...(body.destination ? { destination: body.destination } : {}),
    members: body.members.map((m, i) => storedMember(m, positionalMemberId(c.id, i))),
    ...(body.contact ? { contact: body.contact } : {}),
    consent: body.consent,
    returnSafety: await assessSafety(assistedDestination(body), at, ctx.safetyCache),
    importId: job.id,
    ...(body.displacedSince ? { displacedSince: body.displacedSince, currentSince: body.displacedSince } : {}),
    ...(body.returnIntentions ? { returnIntentions: body.returnIntentions } : {}),
    code,
  };
  const history: HistoryEntry = {
    id: derivedId(Date.parse(job.createdAt), `${job.id}\n${c.group.key}\nhistory`),
    at,
    actor: { sub: job.actor.sub, role: job.actor.role, org: job.actor.org },
    action: 'CREATED',
    to: household.status,
    changes: { importId: job.id },
  };
  const refs: DocumentRef[] = c.documents.map((d) => ({ hash: d.hash, memberIndex: d.memberIndex, duplicate: false }));
  return { household, items: [...householdItems(household, refs, history), ...safetyItems(household), registrationCodeItem(job.country, code, household.id)] };
}

/** How far before the upload the record of claims made through the API is read (clocks of different machines). */
const CLAIM_CLOCK_MARGIN_MS = 5 * 60 * 1000;

/**
 * A chunk's claims are read when it is decided and written with BatchWriteItem, which cannot be
 * conditional: a registration through the API that claimed one of its documents in between (or
 * just before, unseen by the read) had its claim overwritten. Every claim through the API is also
 * recorded by day (`recentDocumentClaims`), so after writing, the chunk looks there for the
 * documents it claimed; each household of it that collides is taken out again (its items
 * deleted, the other household's claim put back, its other claims released) and its rows are
 * refused, before the chunk is committed. The registration through the API keeps the document,
 * as it would had it come a moment later (a 409 then). A crash in the middle is repaired by the
 * next run, which decides the chunk again and reads the record from the job's upload on.
 */
async function undoClaimCollisions(
  ctx: ImportContext,
  decided: Decided,
  built: { household: Household; items: Record<string, unknown>[] }[],
  log: Logger,
): Promise<{ household: Household; items: Record<string, unknown>[] }[]> {
  const { job } = ctx;
  if (!decided.accepted.some((c) => c.documents.length > 0)) return built;
  const since = new Date(Date.parse(job.uploadedAt ?? job.createdAt) - CLAIM_CLOCK_MARGIN_MS).toISOString();
  const recent = await recentDocumentClaims(job.country, since);
  const collided = new Set<string>();
  const errors: RowError[] = [];
  const refusals: HouseholdAccessEntry[] = [];
  for (const [i, c] of decided.accepted.entries()) {
    const lost = c.documents.find((d) => {
      const other = recent.get(d.hash);
      return other !== undefined && other.householdId !== c.id;
    });
    if (!lost) continue;
    const holder = recent.get(lost.hash)!;
    collided.add(c.id);
    // Its items first (a crash before the claims are put back leaves them ours: the next run sees this again).
    for (const item of built[i]!.items) if (item.entity !== 'HouseholdDocumentClaim') await deleteItem({ pk: String(item.pk), sk: String(item.sk) });
    for (const d of c.documents) {
      const other = recent.get(d.hash);
      await releaseClaim(documentClaimKey(job.country, d.hash), c.id, other && other.householdId !== c.id ? other : undefined);
      // Its chunk's map is the previous one once the next chunk is being decided.
      for (const map of [ctx.documentsInFile, ctx.previousDocuments]) if (map.get(d.hash)?.id === c.id) map.delete(d.hash);
    }
    const row = c.group.rows[lost.memberIndex]!.row;
    const named = holder.org === job.org;
    if (!named) refusals.push(refusalEntry(job, c.group.key, lost.hash, holder.householdId));
    const why = named
      ? `the identity document was registered to household ${holder.householdId} while this file was imported`
      : `${FOREIGN_DOCUMENT_MESSAGE} (registered while this file was imported)`;
    for (const r of c.group.rows) {
      errors.push({
        row: r.row,
        message: clip(
          r.row === row ? `household ${c.group.key}: ${why}` : `household ${c.group.key} is refused because of its other rows (row ${row}: ${why})`,
        ),
      });
    }
  }
  if (collided.size === 0) return built;
  await batchPutAll([...importErrorItems(job.id, errors), ...refusals.map(householdAccessItem)]);
  decided.errors.push(...errors);
  decided.rejectedHouseholds += collided.size;
  decided.accepted = decided.accepted.filter((c) => !collided.has(c.id));
  log.info('household import: households refused, their documents registered through the API meanwhile', { importId: job.id, households: collided.size });
  return built.filter((b) => !collided.has(b.household.id));
}

/**
 * Imports an uploaded job's file, or resumes it where a crash left it. Safe to run again on a
 * job in any state: finished jobs are left alone (but for a completed import's duplicate pass that
 * did not end, which runs again), committed chunks are not counted twice.
 */
export async function runImport(jobId: string, source: ImportSource, options: RunOptions = {}): Promise<RunOutcome> {
  const log = options.log ?? rootLogger;
  const job = await getImportJob(jobId);
  if (!job || (job.status !== 'UPLOADED' && job.status !== 'PROCESSING')) {
    if (job?.status === 'COMPLETED' || job?.status === 'FAILED') await source.discard?.();
    // A household import whose duplicate pass did not end (its process died, or the pass failed): the pass runs again (it is safe to).
    if (job?.status === 'COMPLETED' && job.kind !== 'assistance' && !job.dryRun && !job.duplicateOf && !job.duplicatesCheckedAt) {
      await queueImportDuplicates(job, importedHouseholdIds(job.id), log);
      return 'COMPLETED';
    }
    return 'NOT_READY';
  }
  const started = performance.now();
  // The file is deleted once: a household import that completed has deleted it already, before its duplicate pass.
  let discarded: Promise<void> | undefined;
  const discard = source.discard;
  const once: ImportSource = discard ? { ...source, discard: () => (discarded ??= discard.call(source)) } : source;
  // Distribution lists sent back with the assistance given: their own runner, loaded only for them.
  const run = job.kind === 'assistance' ? (await import('../assistance/import.ts')).importAssistance : importUploaded;
  const outcome = await run(job, once, options, log, started);
  if (outcome === 'COMPLETED' || outcome === 'FAILED' || outcome === 'DUPLICATE') await once.discard?.();
  return outcome;
}

async function importUploaded(uploaded: ImportJob, source: ImportSource, options: RunOptions, log: Logger, started: number): Promise<RunOutcome> {
  const jobId = uploaded.id;
  const size = options.chunkHouseholds ?? CHUNK_HOUSEHOLDS;
  let job = uploaded;
  try {
    const checked = await checkFile(source, options.maxRows ?? config.IMPORT_MAX_ROWS, job.mapping);
    const report = {
      format: checked.people.report.format,
      recognised: checked.people.report.recognised,
      ignored: checked.people.report.ignored,
      unmappedValues: checked.unmapped,
    };
    // Read before any household of the job is assessed (a dry run stores none, and checks nothing at the end).
    const hazardsVersion = job.dryRun ? undefined : await readHazardsVersion();
    await startProcessing(
      job.id,
      { sha256: checked.sha256, bytesTotal: checked.bytes, rowsTotal: checked.rows, report, ...(hazardsVersion !== undefined ? { hazardsVersion } : {}) },
      new Date().toISOString(),
    );
    if (report.ignored.length > 0) log.info('household import: columns ignored', { importId: job.id, columns: report.ignored.length });
    job = (await getImportJob(jobId))!;
    // A dry run is not the first job of its file: the real import of the same bytes that follows is not a duplicate.
    const first = job.dryRun ? undefined : await claimImportFile(job, checked.sha256, new Date().toISOString());
    if (first) {
      await completeImportJob(
        job,
        { message: `This file was already imported by job ${first}; nothing new was imported.`, duplicateOf: first },
        new Date().toISOString(),
      );
      log.info('household import skipped: same file as an earlier job', { importId: job.id, duplicateOf: first });
      return 'DUPLICATE';
    }
    const done = await committedChunks(job.id);
    const ctx = newContext(job, await sitesByCode(job.country));
    const actor = { sub: job.actor.sub, role: job.actor.role, org: job.actor.org, country: job.country } as Principal;
    let committedNow = 0;
    // The duplicate pass after the import reads the households' ids from the chunks' markers; only
    // chunks committed before markers kept them (a job resumed across that upgrade) are held here.
    const withoutIds = new Map<number, string[]>();
    type Built = { household: Household; items: Record<string, unknown>[] }[];
    /** A decided and built chunk's items (with the rows it refuses), and the households it keeps once collisions are undone. */
    const storeChunk = async (decided: Decided, items: Built): Promise<Built> => {
      await batchPutAll([...items.flatMap((b) => b.items), ...importErrorItems(job.id, decided.errors), ...decided.refusals.map(householdAccessItem)]);
      const built = await undoClaimCollisions(ctx, decided, items, log);
      if (options.stopBeforeCommit) throw new ImportStopped();
      return built;
    };
    /** A stored chunk's figures and its commit, each part once. */
    const commitStored = async (chunk: Chunk, decided: Decided, built: Built) => {
      const rowsImported = decided.accepted.reduce((n, c) => n + c.group.rows.length, 0);
      // Site figures first, each part once (its own marker); the chunk's marker then closes the chunk.
      await commitSiteFigures(
        job.id,
        chunk.number,
        built.map((b) => b.household),
        (job.uploadedAt ?? job.createdAt).slice(0, 10),
        new Date().toISOString(),
      );
      await applyChunkDemand(
        job.id,
        chunk.number,
        built.map((b) => b.household),
        importExpiry(new Date().toISOString()),
      );
      await commitChunk(
        job.id,
        chunk.number,
        { rowsImported, rowsRejected: decided.errors.length, households: decided.accepted.length, householdsRejected: decided.rejectedHouseholds },
        chunkStatsWrites(built.map((b) => b.household)),
        new Date().toISOString(),
        built.map((b) => b.household.id),
      );
      committedNow++;
      if (options.stopAfterChunks !== undefined && committedNow >= options.stopAfterChunks) throw new ImportStopped();
    };
    // Three chunks are at work at once, each at its own stage, so this process's work and the
    // store's overlap instead of waiting for each other: chunk n+2 is decided and built (validation,
    // document hashes, items), chunk n+1's items are written, chunk n is committed. A chunk's items
    // are written once the chunk before has its items stored and the one before that is committed;
    // commits stay one at a time, in the file's order. A crash leaves at most two chunks with items
    // written and no commit, which the next run writes again (the same items) and commits once.
    // What the chunk being written has not stored yet is kept beside for the next decision: its
    // documents (`previousDocuments`) and its registration codes (`codesInFlight`).
    let stored: Promise<unknown> = Promise.resolve();
    let committed: Promise<void> = Promise.resolve();
    let committedBefore: Promise<void> = Promise.resolve();
    // A failure is seen where it is awaited (below, or after the loop), not as an unhandled rejection meanwhile.
    const quiet = <T>(p: Promise<T>): Promise<T> => {
      p.catch(() => undefined);
      return p;
    };
    try {
      for await (const chunk of readAhead(chunksOf(checked.people.rows(new ValueTranslator(job.mapping)), size))) {
        const decided = await decideChunk(ctx, chunk);
        if (!job.dryRun && done.get(chunk.number) === false)
          withoutIds.set(
            chunk.number,
            decided.accepted.map((c) => c.id),
          );
        for (const c of decided.accepted) {
          const cell = safetyCellOf(c.body.destination);
          if (cell) ctx.safetyCells.add(cell);
        }
        if (done.has(chunk.number)) continue;
        if (job.dryRun) {
          // Every rule ran (claims stored and earlier in the file included); only the rejected rows and the counters are written.
          await batchPutAll([...importErrorItems(job.id, decided.errors), ...decided.refusals.map(householdAccessItem)]);
          const wouldImport = decided.accepted.reduce((n, c) => n + c.group.rows.length, 0);
          await commitChunk(
            job.id,
            chunk.number,
            {
              rowsImported: wouldImport,
              rowsRejected: decided.errors.length,
              households: decided.accepted.length,
              householdsRejected: decided.rejectedHouseholds,
            },
            [],
            new Date().toISOString(),
          );
          continue;
        }
        const codes = await importRegistrationCodes(
          job.country,
          decided.accepted.map((c) => ({ id: c.id, seed: `${job.id}\n${c.group.key}\ncode` })),
          ctx.codesInFlight,
        );
        const built = await Promise.all(decided.accepted.map((c) => householdOf(ctx, c, codes.get(c.id)!)));
        await Promise.all([stored, committedBefore]);
        ctx.codesInFlight = new Set(codes.values());
        const previous = committed;
        const kept = quiet(storeChunk(decided, built));
        stored = kept;
        committedBefore = previous;
        committed = quiet(
          kept.then(async (b) => {
            await previous;
            await commitStored(chunk, decided, b);
          }),
        );
      }
      await committed;
    } catch (e: unknown) {
      // Nothing of the job is written after the run has returned.
      await Promise.allSettled([stored, committed]);
      throw e;
    }
    // Every household of the job assessed again now that all are stored (a committed chunk of an
    // earlier run included): a hazard area recorded or closed during the import, whose own
    // recomputation ran before some of them were written, is seen here (recheckReturnSafetyInCells).
    // Only if one was: every write of a hazard area counts the hazard areas' version up (a repair
    // from the area's event counts it up first), so the version read before the job's first
    // assessment, read again now, says whether any area was written in between.
    const unchanged = !job.dryRun && job.hazardsVersionAtStart !== undefined && (await readHazardsVersion()) === job.hazardsVersionAtStart;
    const rechecked = job.dryRun || unchanged ? { changed: 0 } : await recheckSafetyInCells(ctx.safetyCells, actor);
    if (rechecked.changed > 0)
      log.info('household import: return safety rewritten after a hazard area changed during the import', { importId: job.id, ...rechecked });
    await completeImportJob(job, {}, new Date().toISOString());
    // The file (personal data) is deleted as soon as its job ends: the pass that follows reads the stored households, not the file.
    await source.discard?.();
    if (options.stopBeforeDuplicatePass) throw new ImportStopped();
    // Possible duplicates without documents: a pass after the import, which the households do not wait for.
    if (!job.dryRun) await queueImportDuplicates(job, importedHouseholdIds(job.id, withoutIds), log);
    const final = await getImportJob(job.id);
    log.info('household import completed', {
      importId: job.id,
      rowsTotal: final?.rowsTotal,
      rowsImported: final?.rowsImported,
      rowsRejected: final?.rowsRejected,
      households: final?.households,
      ms: Math.round(performance.now() - started),
    });
    count(MetricName.HouseholdsRegistered, final?.households ?? 0);
    count(MetricName.ImportRowsImported, final?.rowsImported ?? 0);
    count(MetricName.ImportRowsRejected, final?.rowsRejected ?? 0);
    return 'COMPLETED';
  } catch (e: unknown) {
    if (e instanceof Unreadable) {
      const report = e instanceof UnfitColumns ? { ...e.report, unmappedValues: [] } : undefined;
      await failImportJob(jobId, e.message, new Date().toISOString(), report);
      log.info('household import failed: the file cannot be imported', { importId: jobId });
      return 'FAILED';
    }
    if (e instanceof ImportStopped) return 'STOPPED';
    throw e;
  }
}

/**
 * The items an import of `people` writes for its households and rejected rows, chunk by chunk,
 * built by the same code as the import's but without its reads of stored claims and its writes
 * (documents count as unclaimed; a document twice in the file is refused as the import refuses
 * it): the bench's raw BatchWriteItem baseline, made from the same rows instead of read back.
 * Each chunk's items come with the number of the file's rows they stand for.
 */
export async function* plannedItems(
  job: ImportJob,
  people: AsyncIterable<NumberedRow>,
  size = CHUNK_HOUSEHOLDS,
  sites: SitesByCode = new Map(),
): AsyncGenerator<{ items: Record<string, unknown>[]; rows: number }> {
  // The whole file's documents, as a dry run keeps them (no claims are read).
  const ctx = newContext(job, sites, true);
  const timeMs = Date.parse(job.createdAt);
  for await (const chunk of chunksOf(people, size)) {
    const items: Record<string, unknown>[] = [];
    const errors: RowError[] = [];
    const accepted: Candidate[] = [];
    for (const group of chunk.groups) {
      const result = group.separatedFrom === undefined ? householdFromRows(group.rows, job.country, ctx.sites) : undefined;
      if (!result?.ok) {
        errors.push(...(result && !result.ok ? result.errors : group.rows.map((r) => ({ row: r.row, message: 'rows must be consecutive' }))));
        continue;
      }
      const documents = await Promise.all(
        result.household.members.flatMap((m, memberIndex) =>
          m.document ? [documentHashes(job.country, m.document.number).then((hashes) => ({ memberIndex, hash: hashes.current, hashes }))] : [],
        ),
      );
      if (documents.some((d) => ctx.documentsInFile.has(d.hash))) {
        errors.push(...group.rows.map((r) => ({ row: r.row, message: 'the identity document is already in another household of this file' })));
        continue;
      }
      const id = derivedId(timeMs, `${job.id}\n${group.key}`);
      for (const d of documents) ctx.documentsInFile.set(d.hash, { key: group.key, row: group.rows[d.memberIndex]!.row, id });
      accepted.push({ group, body: result.household, id, documents });
    }
    const codes = await importRegistrationCodes(
      job.country,
      accepted.map((c) => ({ id: c.id, seed: `${job.id}\n${c.group.key}\ncode` })),
    );
    for (const c of accepted) items.push(...(await householdOf(ctx, c, codes.get(c.id)!)).items);
    yield { items: [...items, ...importErrorItems(job.id, errors)], rows: chunk.groups.reduce((n, g) => n + g.rows.length, 0) };
  }
}

/** The people of an uploaded file as the import reads them (for {@link plannedItems}). */
export async function peopleOfFile(source: ImportSource, mapping?: ImportMapping): Promise<AsyncIterable<NumberedRow>> {
  const open = (range?: { start: number; end: number }) => source.open(range);
  const { format, tables } = await openTables(open, await fingerprint(open));
  return peopleOf(format, tables, mapping).rows(new ValueTranslator(mapping));
}
