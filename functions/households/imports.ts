import * as z from 'zod/mini';
import { config } from '#shared/config.ts';
import { type Country, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { CreatedHouseholdImportSchema, HouseholdImportSchema, RowErrorSchema } from '#shared/domain/household-import.ts';
import { HouseholdImportCreate } from '#shared/domain/import-mapping.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { getImportMapping } from '#shared/db/repositories/import-mappings.ts';
import { firstImportErrors, getImportJob, importJobWrite, listImportErrors, newImportJob, type ImportJob } from '#shared/db/repositories/household-imports.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { requireCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, NotFound } from '#shared/http/problem.ts';
import { UPLOAD_URL_TTL_SECONDS, uploadToken } from '../importer/upload-token.ts';
import { uploadObjectKey } from '../importer/uploads.ts';
import { presignUpload } from './upload-url.ts';

const TAG = 'Household imports';
const READERS = ['relief', 'ministry', 'admin'] as const;

// Read here rather than in shared/config.ts: only the households function and the importer use it.
const bucketName = () => config.IMPORT_BUCKET_NAME;

/** Where the client `PUT`s the file: an S3 presigned URL on AWS, the local server in local mode. */
export async function uploadUrlFor(job: ImportJob, requestUrl: string): Promise<{ url: string; expiresAt: string }> {
  const expires = Math.floor(Date.now() / 1000) + UPLOAD_URL_TTL_SECONDS;
  const expiresAt = new Date(expires * 1000).toISOString();
  if (config.RUNTIME === 'local') {
    const origin = new URL(requestUrl).origin;
    return { url: `${origin}/v1/household-imports/${job.id}/upload?token=${encodeURIComponent(await uploadToken(job.id, expires))}`, expiresAt };
  }
  const bucket = bucketName();
  if (!bucket) throw new Error('IMPORT_BUCKET_NAME is not set');
  // Checked when the job was created; a job without a size gets no S3 URL (it could not be bounded).
  if (job.expectedBytes === undefined)
    throw new BadRequest('Name the size of the file in bytes (body.bytes): the upload URL allows exactly that many.', [
      { path: 'body.bytes', message: 'required' },
    ]);
  return { url: await presignUpload(bucket, uploadObjectKey(job.id), job.expectedBytes), expiresAt };
}

/** Who may see a job: its organisation (relief), its country's ministry, admins. Anyone else: 404. */
function canSee(principal: Principal, job: ImportJob): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role === 'ministry') return principal.country === job.country;
  return principal.role === 'relief' && principal.country === job.country && principal.org === job.org;
}

async function mustGetVisible(principal: Principal, id: string): Promise<ImportJob> {
  const job = await getImportJob(id);
  if (!job || !canSee(principal, job)) throw new NotFound(`No household import ${id}.`);
  return job;
}

const view = (job: ImportJob) => ({
  id: job.id,
  version: job.version,
  createdAt: job.createdAt,
  updatedAt: job.updatedAt,
  createdBy: job.createdBy,
  country: job.country,
  org: job.org,
  status: job.status,
  rowsTotal: job.rowsTotal,
  rowsImported: job.rowsImported,
  rowsRejected: job.rowsRejected,
  households: job.households,
  householdsRejected: job.householdsRejected,
  ...(job.dryRun !== true && job.possibleDuplicates !== undefined ? { possibleDuplicates: job.possibleDuplicates } : {}),
  ...(job.duplicatesCheckedAt ? { duplicatesCheckedAt: job.duplicatesCheckedAt } : {}),
  bytesTotal: job.bytesTotal,
  ...(job.message ? { message: job.message } : {}),
  ...(job.duplicateOf ? { duplicateOf: job.duplicateOf } : {}),
  dryRun: job.dryRun === true,
  ...(job.mappingId ? { mappingId: job.mappingId } : {}),
  ...(job.report ? { report: job.report } : {}),
});

/** The bulk-import routes (DESIGN section 4); mounted by the households app. */
export function householdImportRoutes(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/household-imports',
      operationId: 'createHouseholdImport',
      summary: 'Start a bulk import of households from a CSV file',
      description:
        'Creates an import job and answers with the URL to `PUT` the CSV file to (an S3 presigned URL on AWS, the local server locally), valid 15 minutes; ' +
        'processing starts when the upload completes. ' +
        'A relief agency imports into its own country (naming another is a 403); an admin names `country`. Households are registered to the caller’s ' +
        'organisation. ' +
        'The file is a CSV, an XLSX workbook (a households sheet and a members sheet joined by `_index`/`_parent_index` as KoBoToolbox exports them, or ' +
        'one sheet of people) or a ZIP of CSV files as ODK Central exports them (`KEY`/`PARENT_KEY`). ' +
        'Columns are Clearway’s names (documented in the README, "Household CSV import"), with or without a group path (`household/…`, `household-…`); ' +
        '`mapping` (or `mappingId`, a saved one) maps others and translates values. KoBoToolbox and ODK metadata columns are ignored; any other column is ' +
        'ignored and reported on the job (`report.ignored`). ' +
        '`dryRun: true` checks every row with every rule, duplicates included, and reports the counts, rejected rows and `report` without writing any ' +
        'household; it does not count as the first import of its file. The same file (same bytes) imported again by the same organisation imports nothing ' +
        'and names the first job. ' +
        '`bytes` is the file’s size: required on AWS, where the presigned URL accepts exactly that `Content-Length`; locally an upload of another size is ' +
        'refused. The uploaded file is deleted when the job ends (only its SHA-256 is kept). ' +
        'Accepts `Idempotency-Key`: a replay answers the job as it is now (with a new upload URL while it still awaits its file).',
      tag: TAG,
      access: ['relief', 'admin'],
      body: HouseholdImportCreate,
      idempotent: true,
      // A replay answers the job as it is now; while it still awaits its file, with a new upload URL.
      reread: async (c, { principal }, id) => {
        const job = await mustGetVisible(principal, id);
        const upload = job.status === 'AWAITING_UPLOAD' ? await uploadUrlFor(job, c.req.url) : undefined;
        return {
          body: { id: job.id, ...(upload ? { uploadUrl: upload.url, uploadExpiresAt: upload.expiresAt } : {}), status: job.status },
          version: job.version,
        };
      },
      responses: { 201: { description: 'The job and its upload URL', schema: CreatedHouseholdImportSchema }, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      let country: Country;
      if (principal.role === 'admin') {
        if (!body.country)
          throw new BadRequest('An admin acts for no single country: name the country to import into.', [
            { path: 'body.country', message: 'required for admin' },
          ]);
        country = body.country;
      } else {
        if (body.country) requireCountry(principal, body.country, 'import households');
        country = principal.country!;
      }
      if (body.bytes !== undefined && body.bytes > config.IMPORT_MAX_BYTES) {
        throw new BadRequest(`The file is larger than an import takes (${config.IMPORT_MAX_BYTES} bytes): split it.`, [
          { path: 'body.bytes', message: `at most ${config.IMPORT_MAX_BYTES}` },
        ]);
      }
      if (config.RUNTIME !== 'local' && body.bytes === undefined) {
        throw new BadRequest('Name the size of the file in bytes (body.bytes): the upload URL allows exactly that many.', [
          { path: 'body.bytes', message: 'required' },
        ]);
      }
      // A saved mapping is copied into the job: changing it later does not change a job that runs.
      const saved = body.mappingId ? await getImportMapping(body.mappingId) : undefined;
      if (body.mappingId && (!saved || saved.org !== principal.org)) {
        throw new BadRequest(`No import mapping ${body.mappingId} of your organisation.`, [{ path: 'body.mappingId', message: 'unknown' }]);
      }
      const now = new Date().toISOString();
      const job = newImportJob(newId(), principal, country, now, body.bytes, {
        dryRun: body.dryRun,
        mapping: saved?.mapping ?? body.mapping,
        mappingId: body.mappingId,
      });
      const upload = await uploadUrlFor(job, c.req.url);
      const response = {
        status: 201,
        id: job.id,
        body: { id: job.id, uploadUrl: upload.url, uploadExpiresAt: upload.expiresAt, status: job.status },
        headers: { ETag: etagOf(job.version), Location: `/v1/household-imports/${job.id}` },
      };
      return commitCreate(c, [importJobWrite(job)], response, idempotency);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/household-imports/{id}',
      operationId: 'getHouseholdImport',
      summary: 'Read the status and counts of a household import',
      description:
        '`status` is AWAITING_UPLOAD, UPLOADED, PROCESSING, COMPLETED or FAILED (with `message`). Counts grow as chunks of households are committed; ' +
        '`errors` holds the first 100 rejected rows ' +
        '(row numbers count the header as row 1), `/errors` lists them all. The job’s organisation, its country’s ministry and admins may read it; anyone ' +
        'else gets 404.',
      tag: TAG,
      access: READERS,
      params: IdParams,
      responses: { 200: { description: 'The job', schema: HouseholdImportSchema }, 404: problem },
    },
    async (c, { principal, params }) => {
      const job = await mustGetVisible(principal, params.id);
      return c.json({ ...view(job), errors: await firstImportErrors(job.id, 100) }, 200, { ETag: etagOf(job.version) });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/household-imports/{id}/errors',
      operationId: 'listHouseholdImportErrors',
      summary: 'List every rejected row of a household import, in row order',
      description:
        'Each rejected row with its number (the header is row 1) and the reason. Rows of a household with any bad row are all rejected. Same readers as ' +
        'the job.',
      tag: TAG,
      access: READERS,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of rejected rows', schema: Page(RowErrorSchema) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      const job = await mustGetVisible(principal, params.id);
      return c.json(await listImportErrors(job.id, { limit: query.limit, cursor: query.cursor }));
    },
  );
}
