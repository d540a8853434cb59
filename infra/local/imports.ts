/**
 * Local stand-ins for the import bucket and the importer Lambda: `PUT /v1/household-imports/{id}/upload?token=…`
 * stores the file under DATA_DIR/uploads (streamed to disk, never whole in memory) and starts the
 * same import core in this process, which deletes the file when the job ends; `npm start` resumes
 * the jobs a crash left unfinished and deletes what a crash left of the others.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Hono } from 'hono';
import { runImport, type RunOptions } from '../../functions/importer/run-import.ts';
import { checkUploadToken } from '../../functions/importer/upload-token.ts';
import { localUploadPath, localUploadsDir } from '../../functions/importer/uploads.ts';
import { activeImportJobIds, getImportJob, markUploaded } from '../../shared/db/repositories/household-imports.ts';
import { logger } from '../../shared/logger.ts';
import { config } from '../../shared/config.ts';
import { BadRequest, Conflict, type HttpProblem, NotFound, PayloadTooLarge, problemOf, PROBLEM_CONTENT_TYPE, Unauthorized } from '../../shared/http/problem.ts';

export const uploadsDir = localUploadsDir;
export const uploadPath = localUploadPath;

const running = new Map<string, Promise<unknown>>();

/** Runs (or resumes) a job's import in this process, once at a time per job; errors are logged, the job stays resumable. */
export function startLocalImport(jobId: string, options: RunOptions = {}): Promise<unknown> {
  const already = running.get(jobId);
  if (already) return already;
  const run = runImport(
    jobId,
    { open: async (range) => createReadStream(uploadPath(jobId), range ?? {}), discard: () => rm(uploadPath(jobId), { force: true }) },
    options,
  )
    .catch((e: unknown) => {
      logger.error('household import interrupted; it resumes on the next start', {
        importId: jobId,
        error: e instanceof Error ? { name: e.name, message: e.message } : String(e),
      });
    })
    .finally(() => running.delete(jobId));
  running.set(jobId, run);
  return run;
}

/**
 * Deletes what a crash left under DATA_DIR/uploads: partial uploads of a process that is gone, and
 * the files of jobs that ended (a run stopped between the job's end and the file's deletion) or
 * no longer exist. Files of jobs still to import stay. One GetItem per file, no Scan.
 */
export async function removeStaleUploads(): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(uploadsDir());
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const partOf = /^[0-9A-Z]{26}\.csv\.(\d+)\.part$/.exec(name);
    const jobId = /^([0-9A-Z]{26})\.csv$/.exec(name)?.[1];
    let stale: boolean;
    if (partOf) stale = Number(partOf[1]) !== process.pid;
    else if (jobId) {
      const job = await getImportJob(jobId);
      stale = !job || job.status === 'COMPLETED' || job.status === 'FAILED';
    } else stale = false;
    if (stale) {
      await rm(join(uploadsDir(), name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}

/**
 * Jobs uploaded but not finished, and completed imports whose duplicate pass a crash cut off (found
 * with a Query on their status key), resumed one after the other. A completed job needs no file:
 * its pass reads the stored households.
 */
export async function resumeLocalImports(): Promise<string[]> {
  const removed = await removeStaleUploads();
  if (removed.length > 0) logger.info('uploads of ended household imports deleted', { files: removed.length });
  const ids = await activeImportJobIds();
  const resumable: string[] = [];
  for (const id of ids) {
    if ((await getImportJob(id))?.status === 'COMPLETED') {
      logger.info('household import: its duplicate pass did not end; it runs again', { importId: id });
      resumable.push(id);
      continue;
    }
    try {
      await stat(uploadPath(id));
      resumable.push(id);
    } catch {
      logger.warn('household import cannot resume: its upload is missing', { importId: id });
    }
  }
  void (async () => {
    for (const id of resumable) await startLocalImport(id);
  })();
  return resumable;
}

class SizeLimit extends Transform {
  bytes = 0;
  private readonly max: number;
  constructor(max: number) {
    super();
    this.max = max;
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) done(new PayloadTooLarge(this.max));
    else done(null, chunk);
  }
}

const problemResponse = (p: HttpProblem) =>
  new Response(JSON.stringify(p.toBody()), { status: p.status, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...p.headers } });

/** Mounts the local upload route (before the function apps, which would otherwise take the path). */
export function mountLocalImports(root: Hono): void {
  root.put('/v1/household-imports/:id/upload', async (c) => {
    const id = c.req.param('id');
    try {
      const check = await checkUploadToken(id, c.req.query('token'));
      if (check !== 'ok')
        throw new Unauthorized(
          check === 'expired'
            ? 'The upload URL has expired: create a new import.'
            : 'The upload URL is not valid: use the uploadUrl the import was created with.',
        );
      const job = await getImportJob(id);
      if (!job) throw new NotFound(`No household import ${id}.`);
      if (job.status !== 'AWAITING_UPLOAD') throw new Conflict(`Import ${id} already has its file; create a new import for another file.`);
      await mkdir(uploadsDir(), { recursive: true, mode: 0o700 });
      const tmp = `${uploadPath(id)}.${process.pid}.part`;
      // As the signed Content-Length does on S3: exactly the size named at creation, when one was.
      const limit = new SizeLimit(job.expectedBytes ?? config.IMPORT_MAX_BYTES);
      const body = c.req.raw.body ? Readable.fromWeb(c.req.raw.body as import('node:stream/web').ReadableStream) : Readable.from([]);
      try {
        await pipeline(body, limit, createWriteStream(tmp, { mode: 0o600 }));
        if (job.expectedBytes !== undefined && limit.bytes !== job.expectedBytes) {
          throw new BadRequest(`The file has ${limit.bytes} bytes, not the ${job.expectedBytes} named when the import was created.`, [
            { path: 'body', message: `must be ${job.expectedBytes} bytes` },
          ]);
        }
      } catch (e: unknown) {
        await rm(tmp, { force: true });
        throw e;
      }
      await rename(tmp, uploadPath(id));
      await markUploaded(id, limit.bytes, new Date().toISOString());
      void startLocalImport(id);
      return c.json({ id, status: 'UPLOADED', bytes: limit.bytes }, 200);
    } catch (e: unknown) {
      const known = problemOf(e);
      if (known) return problemResponse(known);
      throw e;
    }
  });
}
