import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { app } from '../../functions/households/app.ts';
import { presignUpload } from '../../functions/households/upload-url.ts';
import { handler as importerHandler } from '../../functions/importer/handler.ts';
import { mountLocalImports, removeStaleUploads, startLocalImport, uploadPath, uploadsDir } from '../../infra/local/imports.ts';
import { getImportJob, importJobWrite, markUploaded, newImportJob } from '../../shared/db/repositories/household-imports.ts';
import { transact } from '../../shared/db/transact.ts';
import type { HouseholdImportView } from '../../shared/domain/household-import.ts';
import { newId } from '../../shared/domain/ids.ts';
import type { Principal } from '../../shared/domain/roles.ts';
import { csvOf, headRow, householdsOf } from '../support/imports.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Uploaded CSV files hold plaintext document numbers, names and phones: they are deleted when
 * their job ends (only the SHA-256 stays, for duplicate files), bounded in size and rows, and on
 * AWS read and deleted by the version the upload created.
 */
process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-uploads-'));

const json = { 'content-type': 'application/json' };
const root = new Hono();
mountLocalImports(root);
root.route('/', app);

const relief = (org: string) => bearer({ role: 'relief', country: 'KH', org, sub: `registrar-${org}` });

async function created(org: string, body: Record<string, unknown> = {}): Promise<{ id: string; uploadUrl: string }> {
  const res = await root.request('/v1/household-imports', { method: 'POST', headers: { ...(await relief(org)), ...json }, body: JSON.stringify(body) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; uploadUrl: string };
}

async function put(uploadUrl: string, file: string): Promise<Response> {
  const url = new URL(uploadUrl);
  return root.request(`${url.pathname}${url.search}`, { method: 'PUT', body: file, headers: { 'content-type': 'text/csv' } });
}

async function job(org: string, id: string): Promise<HouseholdImportView> {
  return (await (await root.request(`/v1/household-imports/${id}`, { headers: await relief(org) })).json()) as HouseholdImportView;
}

const goodFile = (key: string) => csvOf([headRow(`${key}-1`), headRow(`${key}-2`)]);

describe('a local upload', () => {
  it('is deleted when its job completes, and the same file again is still recognised by its hash', async () => {
    const { id, uploadUrl } = await created('org-done');
    const file = goodFile('DONE');
    expect((await put(uploadUrl, file)).status).toBe(200);
    await startLocalImport(id);
    expect((await job('org-done', id)).status).toBe('COMPLETED');
    expect(existsSync(uploadPath(id))).toBe(false);

    const second = await created('org-done');
    expect((await put(second.uploadUrl, file)).status).toBe(200);
    await startLocalImport(second.id);
    expect(await job('org-done', second.id)).toMatchObject({ status: 'COMPLETED', duplicateOf: id, households: 0 });
    expect(existsSync(uploadPath(second.id))).toBe(false);
  });

  it('is deleted when its job fails', async () => {
    const { id, uploadUrl } = await created('org-failed');
    expect((await put(uploadUrl, 'not,a,household,header\n1,2,3,4\n')).status).toBe(200);
    await startLocalImport(id);
    expect((await job('org-failed', id)).status).toBe('FAILED');
    expect(existsSync(uploadPath(id))).toBe(false);
  });

  it('fails the job with a clear reason past the row cap, writing nothing', async () => {
    // Run by hand, with a cap of 2 (the local PUT would start the run with the configured cap).
    const { id } = await created('org-rows');
    const file = csvOf([headRow('R1'), headRow('R2'), headRow('R3')]);
    await mkdir(uploadsDir(), { recursive: true });
    await writeFile(uploadPath(id), file);
    await markUploaded(id, Buffer.byteLength(file), new Date().toISOString());
    await startLocalImport(id, { maxRows: 2 });
    const failed = await job('org-rows', id);
    expect(failed.status).toBe('FAILED');
    expect(failed.message).toContain('more than 2 rows');
    expect(failed.households).toBe(0);
    expect(await householdsOf('org-rows')).toEqual([]);
    expect(existsSync(uploadPath(id))).toBe(false);
  });

  it('must have the size named when the import was created', async () => {
    const file = goodFile('SIZE');
    const longer = await created('org-size', { bytes: Buffer.byteLength(file) - 10 });
    const refused = await put(longer.uploadUrl, file);
    expect(refused.status).toBe(413);
    const shorter = await created('org-size', { bytes: Buffer.byteLength(file) + 10 });
    expect((await put(shorter.uploadUrl, file)).status).toBe(400);
    for (const id of [longer.id, shorter.id]) {
      expect((await getImportJob(id))?.status).toBe('AWAITING_UPLOAD');
      expect(existsSync(uploadPath(id))).toBe(false);
    }
    const exact = await created('org-size', { bytes: Buffer.byteLength(file) });
    expect((await put(exact.uploadUrl, file)).status).toBe(200);
    await startLocalImport(exact.id);
    expect(existsSync(uploadPath(exact.id))).toBe(false);
  });

  it('left behind by a crash is deleted at the next start unless its job is still to be imported', async () => {
    const principal = { sub: 'registrar-crash', role: 'relief', country: 'KH', org: 'org-crash' } as Principal;
    const ended = newImportJob(newId(), principal, 'KH', new Date().toISOString());
    const waiting = newImportJob(newId(), principal, 'KH', new Date().toISOString());
    await transact([importJobWrite({ ...ended, status: 'COMPLETED' }), importJobWrite({ ...waiting, status: 'UPLOADED' })]);
    await mkdir(uploadsDir(), { recursive: true });
    await writeFile(uploadPath(ended.id), 'names and numbers');
    await writeFile(uploadPath(waiting.id), 'names and numbers');
    const partial = `${uploadPath(newId())}.999999.part`;
    await writeFile(partial, 'half an upload');

    await removeStaleUploads();
    expect(existsSync(uploadPath(ended.id))).toBe(false);
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(uploadPath(waiting.id))).toBe(true);
  });
});

describe('an upload on AWS', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  it('is presigned for exactly the named Content-Length, with no checksum S3 would hold the body against', async () => {
    const client = new S3Client({
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    const url = new URL(await presignUpload('imports-bucket', 'uploads/x.csv', 12345, client));
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().startsWith('x-amz-checksum'))).toEqual([]);
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900);
  });

  it('is imported from the version its event names and that version is deleted when the job ends; a second upload’s version is deleted unread', async () => {
    const principal = { sub: 'registrar-s3', role: 'relief', country: 'KH', org: 'org-s3' } as Principal;
    const j = newImportJob(newId(), principal, 'KH', new Date().toISOString(), 100);
    await transact([importJobWrite(j)]);
    const file = csvOf([headRow('S3-1')]);
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from(file)]) }));
    s3.on(DeleteObjectCommand).resolves({});
    const record = (versionId: string) => ({
      eventTime: new Date().toISOString(),
      s3: { bucket: { name: 'imports-bucket' }, object: { key: `uploads/${j.id}.csv`, size: Buffer.byteLength(file), versionId } },
    });
    await importerHandler({ Records: [record('v-first')] } as never, {} as never);
    expect((await getImportJob(j.id))?.status).toBe('COMPLETED');
    const gets = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input);
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.every((g) => g.VersionId === 'v-first' && g.Key === `uploads/${j.id}.csv`)).toBe(true);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'imports-bucket', Key: `uploads/${j.id}.csv`, VersionId: 'v-first' },
    ]);

    s3.resetHistory();
    await importerHandler({ Records: [record('v-second')] } as never, {} as never);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'imports-bucket', Key: `uploads/${j.id}.csv`, VersionId: 'v-second' },
    ]);
  });
});
