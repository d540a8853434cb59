import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { parse } from 'csv-parse/sync';
import { config } from '#shared/config.ts';
import { ALREADY_RECORDED, AssistanceCreate, normaliseRegistrationCode } from '#shared/domain/assistance.ts';
import type { Household } from '#shared/domain/household.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { roundMarkerHolder } from '#shared/db/repositories/assistance.ts';
import { completeImportJob, failImportJob, getImportJob, startProcessing, type ImportJob } from '#shared/db/repositories/household-imports.ts';
import { getHousehold } from '#shared/db/repositories/households.ts';
import { householdIdByCode } from '#shared/db/repositories/registration-codes.ts';
import { importErrorKey, importJobKey } from '#shared/db/keys/household-import.ts';
import { tableName } from '#shared/db/client.ts';
import { transact, type GuardedWrite } from '#shared/db/transact.ts';
import { retention, ttlAfter } from '#shared/config.ts';
import { DomainError } from '#shared/errors.ts';
import { derivedId } from '../importer/derived-id.ts';
import { recordAssistance } from './record.ts';

/**
 * A distribution list sent back with the assistance given (`POST /v1/assistance-imports`, then the
 * upload): one record per row, by the same rules as `POST /v1/households/{id}/assistance` (the
 * importing organisation gives it; a second record of the type and round for a household is
 * refused "already recorded for this round"; consent to return assistance is needed), each row
 * in its own transaction with the job's counter, and refused rows reported by number.
 *
 * Exactly once: a row's record id is derived from the job and the row number, so a resumed job
 * that meets its own earlier record (its round marker names that id) counts nothing twice; a
 * refused row is stored with `attribute_not_exists` together with its counter.
 */

/** Most bytes of a distribution list (a list of every household of an organisation is far smaller). */
const MAX_BYTES = 32 * 1024 * 1024;

/** Columns a row must have; `household_id` or `code` names the household. */
const REQUIRED = ['type', 'round', 'date', 'quantity', 'unit'] as const;

class Unimportable extends Error {}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_BYTES) throw new Unimportable(`The file is larger than a distribution list can be (${MAX_BYTES} bytes): split it.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function rowsOf(bytes: Buffer, maxRows: number): { header: Map<string, number>; rows: string[][] } {
  if (bytes.length === 0) throw new Unimportable('The file is empty: upload the distribution list with the assistance given filled in.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Unimportable('The file is not UTF-8 text: save it as CSV UTF-8 and upload it again.');
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 64 * 1024 }) as string[][];
  } catch (e: unknown) {
    throw new Unimportable(`The file is not valid CSV: ${e instanceof Error ? e.message : 'unreadable'}.`);
  }
  const [first, ...rows] = records;
  if (!first) throw new Unimportable('The file holds no CSV header.');
  const header = new Map(first.map((name, i) => [name.trim().toLowerCase(), i]));
  const missing = REQUIRED.filter((c) => !header.has(c));
  if (!header.has('household_id') && !header.has('code')) missing.unshift('household_id' as never);
  if (missing.length > 0)
    throw new Unimportable(
      `The CSV header lacks ${missing.join(', ')}: send back the distribution list ` +
        `as it was downloaded, with date, quantity and unit filled in (household_id ` +
        `or code names the household).`,
    );
  if (rows.length === 0) throw new Unimportable('The file has a header but no rows.');
  if (rows.length > maxRows) throw new Unimportable(`The file has more than ${maxRows} rows: split it.`);
  return { header, rows };
}

/** The job's counter for one more row, in the row's transaction. */
const counted = (jobId: string, counter: 'rowsImported' | 'rowsRejected', now: string): GuardedWrite => ({
  item: {
    Update: {
      TableName: tableName,
      Key: importJobKey(jobId),
      UpdateExpression: `ADD ${counter} :one, version :one SET updatedAt = :now`,
      ExpressionAttributeValues: { ':one': 1, ':now': now },
    },
  },
});

class AlreadyRejected extends Error {}

/** Stores a refused row with its counter, once (a re-run finds it there and counts nothing). */
async function rejectRow(job: ImportJob, row: number, message: string): Promise<void> {
  const now = new Date().toISOString();
  try {
    await transact([
      {
        item: {
          Put: {
            TableName: tableName,
            Item: {
              ...importErrorKey(job.id, row),
              entity: 'HouseholdImportError',
              row,
              message: message.slice(0, 500),
              expiresAt: ttlAfter(now, retention.imports),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () => new AlreadyRejected(),
      },
      counted(job.id, 'rowsRejected', now),
    ]);
  } catch (e: unknown) {
    if (!(e instanceof AlreadyRejected)) throw e;
  }
}

/** The household a row names, in the job's country, or why not. */
async function householdOfRow(job: ImportJob, id: string, code: string): Promise<Household | string> {
  let householdId = id;
  if (!householdId && code) {
    const normal = normaliseRegistrationCode(code);
    if (!normal) return `${code} is not a registration code (check its characters)`;
    householdId = (await householdIdByCode(job.country, normal)) ?? '';
    if (!householdId) return `no household of ${job.country} holds the registration code ${code}`;
  }
  if (!householdId) return 'name the household: household_id or code';
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(householdId)) return `${householdId} is not a household id`;
  const household = await getHousehold(householdId);
  if (!household || household.country !== job.country) return `no household ${householdId} in ${job.country}`;
  return household;
}

/** What the import core hands a runner (`functions/importer/run-import.ts`, which loads this module for assistance jobs). */
interface Source {
  open(): Promise<Readable>;
}

export async function importAssistance(
  uploaded: ImportJob,
  source: Source,
  options: { maxRows?: number; stopAfterChunks?: number },
  log: Logger,
  started: number,
): Promise<'COMPLETED' | 'FAILED' | 'STOPPED'> {
  let job = uploaded;
  let parsed: { header: Map<string, number>; rows: string[][] };
  let bytes: Buffer;
  try {
    bytes = await readAll(await source.open());
    parsed = rowsOf(bytes, options.maxRows ?? config.IMPORT_MAX_ROWS);
  } catch (e: unknown) {
    if (!(e instanceof Unimportable)) throw e;
    await failImportJob(job.id, e.message, new Date().toISOString());
    return 'FAILED';
  }
  await startProcessing(
    job.id,
    { sha256: createHash('sha256').update(bytes).digest('hex'), bytesTotal: bytes.length, rowsTotal: parsed.rows.length },
    new Date().toISOString(),
  );
  job = (await getImportJob(job.id))!;
  const principal = { sub: job.actor.sub, role: job.actor.role, org: job.org, country: job.country } as Principal;
  const cell = (row: string[], name: string) => (parsed.header.has(name) ? (row[parsed.header.get(name)!] ?? '').trim() : '');
  const timeMs = Date.parse(job.createdAt);
  for (const [i, row] of parsed.rows.entries()) {
    const number = i + 2;
    const id = derivedId(timeMs, `${job.id}\nrow ${number}`);
    const quantity = cell(row, 'quantity');
    const body = AssistanceCreate.safeParse({
      type: cell(row, 'type').toUpperCase(),
      round: cell(row, 'round'),
      date: cell(row, 'date'),
      quantity: quantity === '' ? undefined : Number(quantity),
      unit: cell(row, 'unit'),
    });
    if (!body.success) {
      await rejectRow(job, number, body.error.issues.map((issue) => `${issue.path.join('.') || 'row'}: ${issue.message}`).join('; '));
      continue;
    }
    const household = await householdOfRow(job, cell(row, 'household_id'), cell(row, 'code'));
    if (typeof household === 'string') {
      await rejectRow(job, number, household);
      continue;
    }
    try {
      await recordAssistance(principal, household, body.data, (writes) => transact([...writes, counted(job.id, 'rowsImported', new Date().toISOString())]), {
        id,
        importId: job.id,
      });
    } catch (e: unknown) {
      if (!(e instanceof DomainError)) throw e;
      // This job's own record, committed by an earlier run: counted then.
      if (e.message === ALREADY_RECORDED && (await roundMarkerHolder(household.id, body.data.round, body.data.type)) === id) continue;
      await rejectRow(job, number, e.message);
    }
    if (options.stopAfterChunks !== undefined && i + 1 >= options.stopAfterChunks) return 'STOPPED';
  }
  await completeImportJob(job, {}, new Date().toISOString());
  const final = await getImportJob(job.id);
  log.info('assistance import completed', {
    importId: job.id,
    rowsTotal: final?.rowsTotal,
    rowsImported: final?.rowsImported,
    rowsRejected: final?.rowsRejected,
    ms: Math.round(performance.now() - started),
  });
  return 'COMPLETED';
}
