import type { S3Client } from '@aws-sdk/client-s3';
import { config } from '#shared/config.ts';
import { UPLOAD_URL_TTL_SECONDS } from '../importer/upload-token.ts';

let s3: S3Client | undefined;

/**
 * A presigned `PUT` URL for one upload of exactly `bytes` bytes: `Content-Length` is among the
 * signed headers, so S3 refuses a body of any other size (a bound a plain presigned `PUT` lacks).
 * Checksums only when required: by default the SDK would sign the CRC32 of an empty body into
 * the URL, which S3 then holds every real upload against.
 */
export async function presignUpload(bucket: string, key: string, bytes: number, client?: S3Client): Promise<string> {
  // Loaded on first use: only this operation needs S3, and the bundle stays small for the others.
  const [{ S3Client, PutObjectCommand }, { getSignedUrl }] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/s3-request-presigner')]);
  const signer = client ?? (s3 ??= new S3Client({ region: config.AWS_REGION, requestChecksumCalculation: 'WHEN_REQUIRED' }));
  return getSignedUrl(signer, new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: bytes }), {
    expiresIn: UPLOAD_URL_TTL_SECONDS,
    signableHeaders: new Set(['content-length']),
  });
}
