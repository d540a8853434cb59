import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** An import's upload removed for an erasure: the local file, or the S3 object on AWS. */
const s3 = mockClient(S3Client);
const saved = { ...process.env };

afterEach(() => {
  process.env = { ...saved };
  s3.reset();
  vi.resetModules();
});

describe('deleteUpload', () => {
  it('deletes DATA_DIR/uploads/<job>.csv under npm start, and does not mind a file already gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clearway-uploads-'));
    try {
      process.env.DATA_DIR = dir;
      const { deleteUpload, localUploadPath } = await import('../../functions/importer/uploads.ts');
      await mkdir(join(dir, 'uploads'));
      await writeFile(localUploadPath('01JOB00000000000000000000A'), 'household_key\n');
      await deleteUpload('01JOB00000000000000000000A');
      expect(existsSync(join(dir, 'uploads', '01JOB00000000000000000000A.csv'))).toBe(false);
      await expect(deleteUpload('01JOB00000000000000000000A')).resolves.toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('deletes uploads/<job>.csv from the import bucket on AWS', async () => {
    process.env.RUNTIME = 'aws';
    process.env.IMPORT_BUCKET_NAME = 'imports-bucket';
    s3.on(DeleteObjectCommand).resolves({});
    const { deleteUpload } = await import('../../functions/importer/uploads.ts');
    await deleteUpload('01JOB00000000000000000000B');
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'imports-bucket', Key: 'uploads/01JOB00000000000000000000B.csv' },
    ]);
  });
});
