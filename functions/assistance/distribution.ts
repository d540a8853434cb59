import * as z from 'zod/mini';
import { config } from '#shared/config.ts';
import { IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { AssistanceType, formatRegistrationCode, Round } from '#shared/domain/assistance.ts';
import { CreatedHouseholdImportSchema, ImportUploadCreate, RowErrorSchema } from '#shared/domain/household-import.ts';
import { actorOf } from '#shared/domain/history.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { batchPutAll } from '#shared/db/batch.ts';
import { organisationHouseholds, recordedInRound } from '#shared/db/repositories/assistance.ts';
import { firstImportErrors, getImportJob, importJobWrite, listImportErrors, newImportJob, type ImportJob } from '#shared/db/repositories/household-imports.ts';
import { expiringAccessItem } from '#shared/db/repositories/households.ts';
import { ensureRegistrationCode } from '#shared/db/repositories/registration-codes.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { requireCountry } from '#shared/http/auth.ts';
import { csvResponse } from '#shared/http/csv.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, NotFound } from '#shared/http/problem.ts';
import { uploadUrlFor } from '../households/imports.ts';

/** The columns of a distribution list; the same file, with date, quantity and unit filled in, records the round (`POST /v1/assistance-imports`). */
export const DISTRIBUTION_LIST_COLUMNS = [
  'household_id',
  'code',
  'head_given_name',
  'head_family_name',
  'size',
  'site',
  'round',
  'type',
  'already_recorded',
  'date',
  'quantity',
  'unit',
] as const;

const sameSite = (a: string | undefined, b: string) => a !== undefined && a.trim().toLowerCase() === b.trim().toLowerCase();

/** An assistance upload job: its organisation, its country's ministry and admins read it; anyone else gets 404. */
function canSeeJob(principal: Principal, job: ImportJob): boolean {
  if (job.kind !== 'assistance') return false;
  if (principal.role === 'admin') return true;
  if (principal.role === 'ministry') return principal.country === job.country;
  return principal.role === 'relief' && principal.country === job.country && principal.org === job.org;
}

async function visibleJob(principal: Principal, id: string): Promise<ImportJob> {
  const job = await getImportJob(id);
  if (!job || !canSeeJob(principal, job)) throw new NotFound(`No assistance import ${id}.`);
  return job;
}

const jobView = (job: ImportJob) => ({
  id: job.id,
  version: job.version,
  createdAt: job.createdAt,
  updatedAt: job.updatedAt,
  country: job.country,
  org: job.org,
  status: job.status,
  rowsTotal: job.rowsTotal,
  rowsRecorded: job.rowsImported,
  rowsRejected: job.rowsRejected,
  ...(job.message ? { message: job.message } : {}),
});

const AssistanceImportSchema = () =>
  z.object({
    id: z.string(),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    country: z.string(),
    org: z.string(),
    status: z.string(),
    rowsTotal: z.int(),
    rowsRecorded: z.int(),
    rowsRejected: z.int(),
    message: z.optional(z.string()),
    errors: z.array(RowErrorSchema()),
  });

export function distributionRoutes(api: Api): void {
  distributionListRoute(api);
  createAssistanceImportRoute(api);
  getAssistanceImportRoute(api);
  listAssistanceImportErrorsRoute(api);
}

function distributionListRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/assistance-rounds/{round}/distribution-list',
      operationId: 'distributionList',
      summary: 'The distribution list of a round: the organisation’s own households as CSV (personal data)',
      description:
        'A relief agency’s own households in its country (every status), optionally only those at a `site` (current location, compared without case), one ' +
        'CSV row each: household id, registration code, the head’s names, the household’s size and site, the round and `type` (when named) and whether ' +
        'that type was already recorded in the round (`already_recorded`), and empty `date`, `quantity` and `unit` to fill in. ' +
        'Sent back through `POST /v1/assistance-imports`, the filled-in list records the round, row by row, under the rule of one record per type and ' +
        'round. Read a page at a time from the organisation’s list index, never a Scan. ' +
        'Personal data: every household listed gets an entry in its access log (`DISTRIBUTION_LIST`) before the list is answered; the answer is ' +
        '`Cache-Control: no-store`.',
      tag: 'Assistance',
      access: ['relief'],
      params: z.object({ round: Round }),
      query: z.object({ type: z.optional(AssistanceType), site: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))) }),
      responses: { 200: { description: 'The list (text/csv)', contentType: 'text/csv' } },
    },
    async (c, { principal, params, query }) => {
      const now = new Date().toISOString();
      const rows: (string | number)[][] = [[...DISTRIBUTION_LIST_COLUMNS]];
      for await (const page of organisationHouseholds(principal.country!, principal.org)) {
        const listed = query.site ? page.filter((h) => sameSite(h.current.site, query.site!)) : page;
        if (listed.length === 0) continue;
        const recorded = query.type
          ? await recordedInRound(
              listed.map((h) => h.id),
              params.round,
              query.type,
            )
          : new Set<string>();
        // Recorded before the rows are answered, as a read is.
        await batchPutAll(
          listed.map((h) => expiringAccessItem({ id: newId(), at: now, householdId: h.id, actor: actorOf(principal), purpose: 'DISTRIBUTION_LIST' })),
        );
        for (const h of listed) {
          const head = h.members.find((m) => m.relationship === 'HEAD') ?? h.members[0]!;
          const code = h.code ?? (await ensureRegistrationCode(h));
          rows.push([
            h.id,
            formatRegistrationCode(code),
            head.givenName,
            head.familyName,
            h.members.length,
            h.current.site ?? '',
            params.round,
            query.type ?? '',
            query.type ? (recorded.has(h.id) ? 'yes' : 'no') : '',
            '',
            '',
            '',
          ]);
        }
      }
      const name = `distribution-${params.round}${query.type ? `-${query.type}` : ''}.csv`;
      const answer = csvResponse(c, rows, name);
      answer.headers.set('Cache-Control', 'no-store');
      return answer;
    },
  );
}

function createAssistanceImportRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/assistance-imports',
      operationId: 'createAssistanceImport',
      summary: 'Record a round from a distribution list sent back (CSV upload)',
      description:
        'Creates an upload job and answers the URL to `PUT` the filled-in distribution list to (as for household imports: an S3 presigned URL on AWS, the ' +
        'local server locally, 15 minutes). ' +
        'Each row with `household_id` (or `code`), `type`, `round`, `date`, `quantity` and `unit` records assistance given by the caller’s organisation, ' +
        'by the rules of `POST /v1/households/{id}/assistance`: a type already recorded for the household in the round is refused “already recorded for ' +
        'this round”, a household without consent to return assistance is refused; each refused row is reported by number (`GET ' +
        '/v1/assistance-imports/{id}`). ' +
        '`bytes` (the file’s size) is required on AWS. Accepts `Idempotency-Key`.',
      tag: 'Assistance',
      access: ['relief'],
      body: ImportUploadCreate,
      idempotent: true,
      reread: async (c, { principal }, id) => {
        const job = await visibleJob(principal, id);
        const upload = job.status === 'AWAITING_UPLOAD' ? await uploadUrlFor(job, c.req.url) : undefined;
        return {
          body: { id: job.id, ...(upload ? { uploadUrl: upload.url, uploadExpiresAt: upload.expiresAt } : {}), status: job.status },
          version: job.version,
        };
      },
      responses: { 201: { description: 'The job and its upload URL', schema: CreatedHouseholdImportSchema }, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      if (body.country) requireCountry(principal, body.country, 'record assistance');
      if (body.bytes !== undefined && body.bytes > config.IMPORT_MAX_BYTES)
        throw new BadRequest(`The file is larger than an upload takes (${config.IMPORT_MAX_BYTES} bytes).`, [
          { path: 'body.bytes', message: `at most ${config.IMPORT_MAX_BYTES}` },
        ]);
      if (config.RUNTIME !== 'local' && body.bytes === undefined)
        throw new BadRequest('Name the size of the file in bytes (body.bytes): the upload URL allows exactly that many.', [
          { path: 'body.bytes', message: 'required' },
        ]);
      const job: ImportJob = { ...newImportJob(newId(), principal, principal.country!, new Date().toISOString(), body.bytes), kind: 'assistance' };
      const upload = await uploadUrlFor(job, c.req.url);
      return commitCreate(
        c,
        [importJobWrite(job)],
        {
          status: 201,
          id: job.id,
          body: { id: job.id, uploadUrl: upload.url, uploadExpiresAt: upload.expiresAt, status: job.status },
          headers: { ETag: etagOf(job.version), Location: `/v1/assistance-imports/${job.id}` },
        },
        idempotency,
      );
    },
  );
}

function getAssistanceImportRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/assistance-imports/{id}',
      operationId: 'getAssistanceImport',
      summary: 'The status of a distribution-list upload: rows recorded and refused',
      description:
        'Status as for household imports; `rowsRecorded` records made, `rowsRejected` rows refused, `errors` the first 100 with their row number (the ' +
        'header is row 1). Its organisation, its country’s ministry and admins read it; anyone else gets 404.',
      tag: 'Assistance',
      access: ['relief', 'ministry', 'admin'],
      params: IdParams,
      responses: { 200: { description: 'The job', schema: AssistanceImportSchema }, 404: problem },
    },
    async (c, { principal, params }) => {
      const job = await visibleJob(principal, params.id);
      return c.json({ ...jobView(job), errors: await firstImportErrors(job.id, 100) }, 200, { ETag: etagOf(job.version) });
    },
  );
}

function listAssistanceImportErrorsRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/assistance-imports/{id}/errors',
      operationId: 'listAssistanceImportErrors',
      summary: 'Every refused row of a distribution-list upload, in row order',
      description: 'Same readers as the job.',
      tag: 'Assistance',
      access: ['relief', 'ministry', 'admin'],
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of refused rows', schema: Page(RowErrorSchema) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      const job = await visibleJob(principal, params.id);
      return c.json(await listImportErrors(job.id, { limit: query.limit, cursor: query.cursor }));
    },
  );
}
