import type { Readable } from 'node:stream';
import type { S3Event } from 'aws-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { config } from '#shared/config.ts';
import { getImportJob, markUploaded } from '#shared/db/repositories/household-imports.ts';
import { logger } from '#shared/http/logger.ts';
import { runImport } from './run-import.ts';

/**
 * The importer Lambda: S3 ObjectCreated on `uploads/<jobId>.csv` of the import bucket runs the
 * same import core as the local server, reading the object as a stream. A failure throws, so
 * the asynchronous invocation is retried; a retry (or a later run) resumes from the chunks
 * already committed, so nothing is imported twice.
 */
// The S3 client comes from the runtime's SDK (infra/aws/bundling.ts keeps it out of the bundles)
// and is loaded on the first upload.
let s3: S3Client | undefined;
const s3Module = () => import('@aws-sdk/client-s3');
const UPLOAD_KEY = /^uploads\/([0-9A-HJKMNP-TV-Z]{26})\.csv$/;

export async function handler(event: S3Event): Promise<void> {
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const jobId = UPLOAD_KEY.exec(key)?.[1];
    if (!jobId) {
      logger.warn('object is not an import upload; ignored', { key });
      continue;
    }
    const job = await getImportJob(jobId);
    if (!job) {
      logger.warn('upload for an unknown import job; ignored', { importId: jobId });
      continue;
    }
    if (job.status === 'AWAITING_UPLOAD') await markUploaded(jobId, record.s3.object.size, record.eventTime);
    const { S3Client, GetObjectCommand } = await s3Module();
    const client = (s3 ??= new S3Client({ region: config.AWS_REGION }));
    const outcome = await runImport(jobId, {
      open: async () => (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as Readable,
    });
    logger.info('household import run finished', { importId: jobId, outcome });
  }
}
