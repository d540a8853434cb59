import type { Readable } from 'node:stream';
import type { S3Event } from 'aws-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { config } from '#shared/config.ts';
import { getImportJob, markUploaded } from '#shared/db/repositories/household-imports.ts';
import { logger } from '#shared/logger.ts';
import { ConflictError } from '#shared/errors.ts';
import { runImport } from './run-import.ts';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { metrics } from '#shared/metrics.ts';

/**
 * The importer Lambda: S3 ObjectCreated on `uploads/<jobId>.csv` of the import bucket runs the
 * same import core as the local server, reading the object as a stream. A failure throws, so
 * the asynchronous invocation is retried; a retry (or a later run) resumes from the chunks
 * already committed, so nothing is imported twice.
 *
 * The bucket is versioned: the first upload's version id is recorded on the job, and the import
 * reads that version only, so another `PUT` to the same URL while it runs changes nothing; that
 * other version is deleted at once. When the job ends, its version is deleted for good (a plain
 * delete would only hide it behind a delete marker).
 */
// The S3 client comes from the runtime's SDK (infra/aws/bundling.ts keeps it out of the bundles)
// and is loaded on the first upload.
let s3: S3Client | undefined;
const s3Module = () => import('@aws-sdk/client-s3');
const UPLOAD_KEY = /^uploads\/([0-9A-HJKMNP-TV-Z]{26})\.csv$/;

async function client(): Promise<{ client: S3Client; module: Awaited<ReturnType<typeof s3Module>> }> {
  const module = await s3Module();
  return { client: (s3 ??= new module.S3Client({ region: config.AWS_REGION })), module };
}

async function deleteVersion(bucket: string, key: string, versionId: string | undefined): Promise<void> {
  const { client: s3Client, module } = await client();
  await s3Client.send(new module.DeleteObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }));
}

async function importUploads(event: S3Event): Promise<void> {
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const versionId = record.s3.object.versionId;
    const jobId = UPLOAD_KEY.exec(key)?.[1];
    if (!jobId) {
      logger.warn('object is not an import upload; ignored', { key });
      continue;
    }
    let job = await getImportJob(jobId);
    if (!job) {
      logger.warn('upload for an unknown import job; deleted', { importId: jobId });
      await deleteVersion(bucket, key, versionId);
      continue;
    }
    if (job.status === 'AWAITING_UPLOAD') {
      try {
        await markUploaded(jobId, record.s3.object.size, record.eventTime, versionId);
      } catch (e: unknown) {
        // Two uploads' events at once: the other one's version was recorded first.
        if (!(e instanceof ConflictError)) throw e;
      }
      job = (await getImportJob(jobId))!;
    }
    if (job.uploadVersionId && versionId && job.uploadVersionId !== versionId) {
      logger.warn('a second upload to an import job; deleted, the first is imported', { importId: jobId });
      await deleteVersion(bucket, key, versionId);
      continue;
    }
    const pinned = job.uploadVersionId ?? versionId;
    const { client: s3Client, module } = await client();
    const outcome = await runImport(jobId, {
      open: async (range) =>
        (
          await s3Client.send(
            new module.GetObjectCommand({
              Bucket: bucket,
              Key: key,
              ...(pinned ? { VersionId: pinned } : {}),
              ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
            }),
          )
        ).Body as Readable,
      discard: () => deleteVersion(bucket, key, pinned),
    });
    logger.info('household import run finished', { importId: jobId, outcome });
  }
}

/** S3 upload events → imports, with the Lambda context in the logs and the import's metrics flushed at the end. */
export const handler = middy(importUploads).use(injectLambdaContext(logger)).use(logMetrics(metrics));
