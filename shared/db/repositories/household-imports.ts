import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Country } from '../../domain/common.ts';
import type { ImportJobStatus, ImportReport, RowError } from '../../domain/household-import.ts';
import type { ImportMapping } from '../../domain/import-mapping.ts';
import type { Principal, Role } from '../../domain/roles.ts';
import { EventType } from '../../events/catalogue.ts';
import { outboxEvent } from '../../events/outbox.ts';
import { retention, ttlAfter } from '../../config.ts';
import { ConflictError } from '../../errors.ts';
import { documentClient, tableName } from '../client.ts';
import {
  ACTIVE_IMPORTS_PARTITION,
  activeImportKeys,
  IMPORT_CHUNK_PREFIX,
  IMPORT_ERROR_PREFIX,
  importChunkKey,
  importStatsPartKey,
  importErrorKey,
  importFileKey,
  importJobKey,
  importsByOrg,
} from '../keys/household-import.ts';
import { queryPage, toResource, type Page, type PageRequest } from '../page.ts';
import { transact, type GuardedWrite } from '../transact.ts';

/**
 * Household import jobs in DynamoDB (keys in `shared/db/keys/household-import.ts`), and the two
 * batch primitives the importer writes and reads with: BatchWriteItem re-sending UnprocessedItems
 * with exponential backoff, and BatchGetItem re-asking for UnprocessedKeys.
 */

export interface ImportJob {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  /** Who created it, for the completion event (role and organisation only go out). */
  actor: { sub: string; role: Role; org: string };
  country: Country;
  org: string;
  status: ImportJobStatus;
  rowsTotal: number;
  rowsImported: number;
  rowsRejected: number;
  /** Households imported. */
  households: number;
  householdsRejected: number;
  /** Pairs of possible duplicates (without documents) its duplicate pass queued for the ministry's review; absent on jobs from before. */
  possibleDuplicates?: number | undefined;
  /** When its duplicate pass ended (after COMPLETED). */
  duplicatesCheckedAt?: string | undefined;
  /**
   * The hazard areas' version read before the job's first assessment (its first run's; kept by
   * the runs that resume it): the same version after its households are stored means no hazard
   * area was written meanwhile, and their cells need no second check. Internal, not in the view.
   */
  hazardsVersionAtStart?: number | undefined;
  bytesTotal: number;
  /** Why it failed, or that the file was imported before. */
  message?: string | undefined;
  /** The job that imported the same file first. */
  duplicateOf?: string | undefined;
  /** SHA-256 of the uploaded bytes (all that is kept of the file once the job ends). */
  sha256?: string | undefined;
  /** The size the upload must have, named when the job was created. */
  expectedBytes?: number | undefined;
  /** The S3 object version of the upload (AWS): the importer reads and deletes exactly that one. */
  uploadVersionId?: string | undefined;
  uploadedAt?: string | undefined;
  completedAt?: string | undefined;
  /** Validate and report only: no household, claim or statistic is written (rejected rows and counters are). */
  dryRun?: boolean | undefined;
  /** How the file's columns and values map to Clearway's: given with the job, or copied from the saved mapping it named. */
  mapping?: ImportMapping | undefined;
  /** The saved mapping the job named. */
  mappingId?: string | undefined;
  /** How the file was read, set by its check. */
  report?: ImportReport | undefined;
  /** What the file holds: households (absent), or assistance given from a distribution list (`functions/assistance/import.ts`). */
  kind?: 'assistance' | undefined;
}

/** A new job waiting for its file. */
export function newImportJob(
  id: string,
  principal: Principal,
  country: Country,
  now: string,
  expectedBytes?: number,
  options: { dryRun?: boolean | undefined; mapping?: ImportMapping | undefined; mappingId?: string | undefined } = {},
): ImportJob {
  return {
    id,
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: principal.sub,
    actor: { sub: principal.sub, role: principal.role, org: principal.org },
    country,
    org: principal.org,
    status: 'AWAITING_UPLOAD',
    rowsTotal: 0,
    rowsImported: 0,
    rowsRejected: 0,
    households: 0,
    householdsRejected: 0,
    possibleDuplicates: 0,
    bytesTotal: 0,
    ...(expectedBytes !== undefined ? { expectedBytes } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.mapping ? { mapping: options.mapping } : {}),
    ...(options.mappingId ? { mappingId: options.mappingId } : {}),
  };
}

export const importJobWrite = (job: ImportJob): GuardedWrite => ({
  item: {
    Put: {
      TableName: tableName,
      // Jobs and everything in their partition expire after the import retention (`RETENTION_IMPORT_DAYS`).
      Item: {
        ...importJobKey(job.id),
        ...importsByOrg(job.country, job.org, job.id),
        entity: 'HouseholdImport',
        ...job,
        expiresAt: importExpiry(job.createdAt),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
});

/** When an import's records expire (epoch seconds). */
/** When an import record written at `at` expires (the jobs' retention). */
export const importExpiry = (at: string) => ttlAfter(at, retention.imports);

export async function getImportJob(id: string): Promise<ImportJob | undefined> {
  const out = await documentClient.send(new GetCommand({ TableName: tableName, Key: importJobKey(id), ConsistentRead: true }));
  return out.Item ? toResource<ImportJob>(out.Item) : undefined;
}

/** The upload finished: the job waits for (or starts) processing and is findable as active. Only once (`versionId`: the S3 object version to import). */
export async function markUploaded(id: string, bytes: number, now: string, versionId?: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: importJobKey(id),
        UpdateExpression:
          `SET #status = :uploaded, bytesTotal = :bytes, uploadedAt = :now, updatedAt = :now, gsi1pk ` +
          `= :apk, gsi1sk = :ask${versionId ? ', uploadVersionId = :vid' : ''} ADD version :one`,
        ConditionExpression: '#status = :awaiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':uploaded': 'UPLOADED',
          ':awaiting': 'AWAITING_UPLOAD',
          ':bytes': bytes,
          ':now': now,
          ':apk': activeImportKeys(id).gsi1pk,
          ':ask': activeImportKeys(id).gsi1sk,
          ':one': 1,
          ...(versionId ? { ':vid': versionId } : {}),
        },
      }),
    );
  } catch (e: unknown) {
    if (e instanceof ConditionalCheckFailedException) throw new ConflictError(`Import ${id} already has its file; create a new import for another file.`);
    throw e;
  }
}

/** The file was read through once (valid UTF-8, a good header): processing starts with these totals. */
export async function startProcessing(
  id: string,
  totals: { sha256: string; bytesTotal: number; rowsTotal: number; report?: ImportReport; hazardsVersion?: number },
  now: string,
): Promise<void> {
  const hazards = totals.hazardsVersion !== undefined;
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: importJobKey(id),
      UpdateExpression:
        `SET #status = :processing, sha256 = :sha, bytesTotal = :bytes, rowsTotal = :rows${totals.report ? ', report = :report' : ''}` +
        // The first run's version is kept: households an earlier run stored were assessed after it.
        `${hazards ? ', hazardsVersionAtStart = if_not_exists(hazardsVersionAtStart, :hv)' : ''}, updatedAt = :now ADD version :one`,
      ConditionExpression: '#status IN (:uploaded, :processing)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':processing': 'PROCESSING',
        ':uploaded': 'UPLOADED',
        ':sha': totals.sha256,
        ':bytes': totals.bytesTotal,
        ':rows': totals.rowsTotal,
        ...(totals.report ? { ':report': totals.report } : {}),
        ...(hazards ? { ':hv': totals.hazardsVersion } : {}),
        ':now': now,
        ':one': 1,
      },
    }),
  );
}

/**
 * Claims a file (by content hash) for a job. Returns undefined when this job holds the claim
 * (now or from an earlier run of it), or the id of the job that imported the file first.
 */
export async function claimImportFile(job: Pick<ImportJob, 'id' | 'country' | 'org'>, sha256: string, now: string): Promise<string | undefined> {
  const key = importFileKey(job.country, job.org, sha256);
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...key, entity: 'HouseholdImportFile', jobId: job.id, claimedAt: now, expiresAt: importExpiry(now) },
        ConditionExpression: 'attribute_not_exists(pk) OR jobId = :me',
        ExpressionAttributeValues: { ':me': job.id },
      }),
    );
    return undefined;
  } catch (e: unknown) {
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
  }
  const held = await documentClient.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  const first = String(held.Item?.jobId);
  // A first job that failed imported nothing: the file may be imported again.
  const firstJob = await getImportJob(first);
  if (firstJob?.status === 'FAILED') {
    await documentClient.send(
      new PutCommand({ TableName: tableName, Item: { ...key, entity: 'HouseholdImportFile', jobId: job.id, claimedAt: now, expiresAt: importExpiry(now) } }),
    );
    return undefined;
  }
  return first;
}

/** Counters a chunk adds to its job. */
export interface ChunkCounts {
  rowsImported: number;
  rowsRejected: number;
  households: number;
  householdsRejected: number;
}

/**
 * Counts pairs the import's duplicate pass queued on the job (`possibleDuplicates`), and with
 * `doneAt` marks the pass ended (`duplicatesCheckedAt`) and takes the job out of the active jobs
 * (`activeImportJobIds`). Not versioned: the pass runs after the job is COMPLETED, and nothing
 * else changes the job then.
 */
export async function recordDuplicatePass(jobId: string, pairs: number, doneAt?: string): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: importJobKey(jobId),
      UpdateExpression: `ADD possibleDuplicates :n${doneAt ? ' SET duplicatesCheckedAt = :at REMOVE gsi1pk, gsi1sk' : ''}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':n': pairs, ...(doneAt ? { ':at': doneAt } : {}) },
    }),
  );
}

/** Most writes one TransactWriteItems may hold. */
const TRANSACTION_MAX_ITEMS = 100;

/**
 * Commits a chunk once: its marker (condition: not there yet), the job's counters and the
 * statistics delta of its households, in one transaction. Returns false when the marker was
 * already there (a re-run after a crash): nothing is counted twice. `householdIds`, the ids of
 * the households the chunk stored, are kept on its marker for the job's duplicate pass
 * ({@link importedHouseholdIds}), so the importer need not hold them all until it ends.
 */
export async function commitChunk(
  jobId: string,
  chunk: number,
  counts: ChunkCounts,
  statsWrites: GuardedWrite[],
  now: string,
  householdIds?: readonly string[],
): Promise<boolean> {
  class AlreadyCommitted extends Error {}
  // A transaction holds 100 writes: counters beyond what fits beside the marker and the job go
  // first, in parts that are each committed once (a re-run decides the same households, so the
  // same parts), and the chunk's marker last.
  const inline = TRANSACTION_MAX_ITEMS - 2;
  if (statsWrites.length > inline) {
    const rest = statsWrites.slice(inline);
    statsWrites = statsWrites.slice(0, inline);
    for (let part = 0; part * (TRANSACTION_MAX_ITEMS - 1) < rest.length; part++) {
      const writes = rest.slice(part * (TRANSACTION_MAX_ITEMS - 1), (part + 1) * (TRANSACTION_MAX_ITEMS - 1));
      try {
        await transact([
          {
            item: {
              Put: {
                TableName: tableName,
                Item: { ...importStatsPartKey(jobId, chunk, part), entity: 'HouseholdImportStatsPart', committedAt: now, expiresAt: importExpiry(now) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            onConditionFailed: () => new AlreadyCommitted(),
          },
          ...writes,
        ]);
      } catch (e: unknown) {
        if (!(e instanceof AlreadyCommitted)) throw e;
      }
    }
  }
  try {
    await transact([
      {
        item: {
          Put: {
            TableName: tableName,
            Item: {
              ...importChunkKey(jobId, chunk),
              entity: 'HouseholdImportChunk',
              ...counts,
              ...(householdIds ? { householdIds: [...householdIds], idsKept: true } : {}),
              committedAt: now,
              expiresAt: importExpiry(now),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => new AlreadyCommitted(),
      },
      {
        item: {
          Update: {
            TableName: tableName,
            Key: importJobKey(jobId),
            UpdateExpression: 'ADD rowsImported :ri, rowsRejected :rr, households :h, householdsRejected :hr, version :one SET updatedAt = :now',
            ExpressionAttributeValues: {
              ':ri': counts.rowsImported,
              ':rr': counts.rowsRejected,
              ':h': counts.households,
              ':hr': counts.householdsRejected,
              ':one': 1,
              ':now': now,
            },
          },
        },
      },
      ...statsWrites,
    ]);
    return true;
  } catch (e: unknown) {
    if (e instanceof AlreadyCommitted) return false;
    throw e;
  }
}

/** A job's chunk markers in order, a page at a time (strongly consistent), with the attributes of `projection`. */
async function* chunkMarkers(jobId: string, projection: string, pageSize?: number): AsyncGenerator<Record<string, unknown>[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': importJobKey(jobId).pk, ':prefix': IMPORT_CHUNK_PREFIX },
        ProjectionExpression: projection,
        ExclusiveStartKey: start,
        ConsistentRead: true,
        ...(pageSize ? { Limit: pageSize } : {}),
      }),
    );
    yield out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

const chunkNumberOf = (item: Record<string, unknown>) => Number(String(item.sk).slice(IMPORT_CHUNK_PREFIX.length));

/**
 * The chunks of a job already committed (read once when a run starts), each with whether its
 * marker keeps its households' ids (false for a chunk committed by a version before they were kept).
 */
export async function committedChunks(jobId: string): Promise<Map<number, boolean>> {
  const done = new Map<number, boolean>();
  for await (const page of chunkMarkers(jobId, 'sk, idsKept')) for (const item of page) done.set(chunkNumberOf(item), item.idsKept === true);
  return done;
}

/**
 * The ids of the households a job's committed chunks stored, chunk by chunk in the file's order,
 * read from their markers a page of 20 chunks at a time (so what is held does not grow with the
 * file). A chunk whose marker keeps no ids (committed before they were kept) gives those of
 * `withoutIds`, which the run that resumed the job decided again.
 */
export async function* importedHouseholdIds(jobId: string, withoutIds: ReadonlyMap<number, readonly string[]> = new Map()): AsyncGenerator<string> {
  for await (const page of chunkMarkers(jobId, 'sk, householdIds, idsKept', 20))
    for (const item of page) yield* item.idsKept === true ? ((item.householdIds as string[] | undefined) ?? []) : (withoutIds.get(chunkNumberOf(item)) ?? []);
}

/** Items of the rejected rows of a job (written with BatchWriteItem before their chunk commits; the same keys on a re-run). */
export const importErrorItems = (jobId: string, errors: readonly RowError[], now = new Date().toISOString()): Record<string, unknown>[] =>
  errors.map((e) => ({ ...importErrorKey(jobId, e.row), entity: 'HouseholdImportError', row: e.row, message: e.message, expiresAt: importExpiry(now) }));

const stripError = (item: Record<string, unknown>): RowError => ({ row: Number(item.row), message: String(item.message) });

/** The first rejected rows of a job, in row order. */
export async function firstImportErrors(jobId: string, limit = 100): Promise<RowError[]> {
  const out = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': importJobKey(jobId).pk, ':prefix': IMPORT_ERROR_PREFIX },
      Limit: limit,
    }),
  );
  return (out.Items ?? []).map(stripError);
}

/** Every rejected row of a job, a page at a time, in row order. */
export async function listImportErrors(jobId: string, page: PageRequest): Promise<Page<RowError>> {
  const result = await queryPage<Record<string, unknown>>(page, {
    partitionKey: ['pk', importJobKey(jobId).pk],
    sortKeyPrefix: ['sk', IMPORT_ERROR_PREFIX],
    scope: `household-import-errors#${jobId}`,
  });
  return { items: result.items.map(stripError), next: result.next };
}

/**
 * Finishes a job that is processing: COMPLETED with its final counters and one
 * HouseholdImportCompleted event (counts only; none for an assistance upload) in the same
 * transaction, or nothing when another run finished it first.
 */
export async function completeImportJob(job: ImportJob, outcome: { message?: string; duplicateOf?: string }, now: string): Promise<boolean> {
  const final = await getImportJob(job.id);
  if (final?.status !== 'PROCESSING') return false;
  const actor = { sub: final.actor.sub, role: final.actor.role, org: final.actor.org } as Principal;
  const { write } = outboxEvent(
    EventType.HouseholdImportCompleted,
    { type: 'HouseholdImport', id: final.id },
    final.country,
    actor,
    {
      importId: final.id,
      country: final.country,
      org: final.org,
      rowsTotal: final.rowsTotal,
      rowsImported: final.rowsImported,
      rowsRejected: final.rowsRejected,
      households: final.households,
    },
    now,
  );
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':completed': 'COMPLETED', ':processing': 'PROCESSING', ':now': now, ':one': 1 };
  // A job whose duplicate pass follows stays among the active jobs until the pass ends (recordDuplicatePass), so that `npm start` resumes a pass a crash cut off.
  const passFollows = !final.dryRun && final.kind !== 'assistance' && !outcome.duplicateOf;
  const sets = ['#status = :completed', 'completedAt = :now', 'updatedAt = :now'];
  if (outcome.message) {
    sets.push('message = :message');
    values[':message'] = outcome.message;
  }
  if (outcome.duplicateOf) {
    sets.push('duplicateOf = :dup');
    values[':dup'] = outcome.duplicateOf;
  }
  class AlreadyFinished extends Error {}
  try {
    await transact([
      {
        item: {
          Update: {
            TableName: tableName,
            Key: importJobKey(job.id),
            UpdateExpression: `SET ${sets.join(', ')}${passFollows ? '' : ' REMOVE gsi1pk, gsi1sk'} ADD version :one`,
            ConditionExpression: '#status = :processing',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        },
        onConditionFailed: () => new AlreadyFinished(),
      },
      // A dry run changed nothing that others care about; an assistance upload reported each record as it went (AssistanceRecorded): no event.
      ...(final.dryRun || final.kind === 'assistance' ? [] : [write]),
    ]);
    return true;
  } catch (e: unknown) {
    if (e instanceof AlreadyFinished) return false;
    throw e;
  }
}

/** The job cannot be imported (empty file, not UTF-8, wrong header, ...): FAILED with the reason; nothing was written. */
export async function failImportJob(id: string, message: string, now: string, report?: ImportReport): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: importJobKey(id),
      UpdateExpression:
        `SET #status = :failed, message = :message, updatedAt = :now, completedAt = :now${report ? ', report = :report' : ''} ` +
        `REMOVE gsi1pk, gsi1sk ADD version :one`,
      ConditionExpression: '#status IN (:uploaded, :processing)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':failed': 'FAILED',
        ':message': message,
        ':now': now,
        ':uploaded': 'UPLOADED',
        ':processing': 'PROCESSING',
        ':one': 1,
        ...(report ? { ':report': report } : {}),
      },
    }),
  );
}

/**
 * Ids of the jobs uploaded but not finished, and of the completed household imports whose duplicate
 * pass has not ended (to resume after a restart): one Query on their status key.
 */
export async function activeImportJobIds(): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': ACTIVE_IMPORTS_PARTITION },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) ids.push(String(item.id));
    start = out.LastEvaluatedKey;
  } while (start);
  return ids;
}
