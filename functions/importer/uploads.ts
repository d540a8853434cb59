import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { config } from '#shared/config.ts';

/**
 * Where an import's uploaded CSV lives, and its removal: `DATA_DIR/uploads/<jobId>.csv` under
 * `npm start`, `uploads/<jobId>.csv` in the import bucket on AWS. One home for both, so that the
 * local upload route and an erasure name the same file.
 */

/** The S3 key of a job's upload; the importer Lambda reads the job id back from it. */
export const uploadObjectKey = (jobId: string) => `uploads/${jobId}.csv`;

/** The local runtime's upload directory (`npm start` honours `DATA_DIR`, default `.data`). */
export const localUploadsDir = (): string => join(resolve(process.env['DATA_DIR'] || '.data'), 'uploads');
export const localUploadPath = (jobId: string): string => join(localUploadsDir(), `${jobId}.csv`);

let s3: import('@aws-sdk/client-s3').S3Client | undefined;

/**
 * Deletes a job's uploaded file (nothing when it is gone already). On AWS the bucket is versioned:
 * the delete leaves a delete marker and the bucket's lifecycle rule removes the previous version
 * a day later (`noncurrentVersionExpiration`).
 */
export async function deleteUpload(jobId: string): Promise<void> {
  if (config.RUNTIME === 'local') {
    await rm(localUploadPath(jobId), { force: true });
    return;
  }
  const bucket = config.IMPORT_BUCKET_NAME;
  if (!bucket) throw new Error('IMPORT_BUCKET_NAME is not set');
  // Loaded on first use, from the runtime's SDK (infra/aws/bundling.ts keeps it out of the bundle).
  const { S3Client, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  s3 ??= new S3Client({ region: config.AWS_REGION });
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: uploadObjectKey(jobId) }));
}
