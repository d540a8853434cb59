import * as z from 'zod/mini';
import { Id, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import {
  AssistanceByCode,
  AssistanceCreate,
  AssistanceRecordSchema,
  canReadAssistanceRecord,
  canRecordAssistance,
  normaliseRegistrationCode,
  type AssistanceRecord,
} from '#shared/domain/assistance.ts';
import { canSeeHousehold, type Household } from '#shared/domain/household.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { getAssistanceRecord, listAssistance } from '#shared/db/repositories/assistance.ts';
import { getTombstone } from '#shared/db/repositories/erasure.ts';
import { getHousehold } from '#shared/db/repositories/households.ts';
import { householdIdByCode } from '#shared/db/repositories/registration-codes.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate, type IdempotencyContext } from '#shared/http/idempotency.ts';
import { BadRequest, Gone, NotFound } from '#shared/http/problem.ts';
import type { Context } from 'hono';
import type { AppEnv } from '#shared/http/api.ts';
import { recordAssistance } from './record.ts';

const TAG = 'Assistance';

const location = (r: AssistanceRecord) => `/v1/households/${r.householdId}/assistance/${r.id}`;

/**
 * The household a relief agency records assistance for: any household of its country, whichever
 * organisation registered it. Anyone else, and households of the other country, get 404.
 */
async function householdToAssist(principal: Principal, id: string): Promise<Household> {
  const household = await getHousehold(id);
  if (!household || !canRecordAssistance(principal, household)) throw new NotFound(`No household ${id}.`);
  return household;
}

/** The household named by a registration code in the caller's country. */
async function householdIdOfCode(principal: Principal, code: string): Promise<string> {
  const normal = normaliseRegistrationCode(code);
  if (!normal)
    throw new BadRequest(`${code} is not a registration code: check its characters (the last one is a check character).`, [
      { path: 'body.code', message: 'not a valid registration code' },
    ]);
  const id = principal.country ? await householdIdByCode(principal.country, normal) : undefined;
  if (!id) throw new NotFound(`No household of ${principal.country ?? 'your country'} holds the registration code ${code}.`);
  return id;
}

/** A record read by id, for those who may read it (a replayed create reads it this way too). */
async function readRecord(principal: Principal, householdId: string, id: string): Promise<AssistanceRecord> {
  const [record, household] = await Promise.all([getAssistanceRecord(householdId, id), getHousehold(householdId)]);
  if (!record || !canReadAssistanceRecord(principal, record, household)) throw new NotFound(`No assistance record ${id} of household ${householdId}.`);
  return record;
}

async function create(
  c: Context<AppEnv>,
  principal: Principal,
  household: Household,
  body: AssistanceCreate,
  idempotency: IdempotencyContext | undefined,
): Promise<Response> {
  return recordAssistance(principal, household, body, (writes, record) =>
    commitCreate(c, writes, { status: 201, id: record.id, body: record, headers: { ETag: etagOf(record.version), Location: location(record) } }, idempotency),
  );
}

const RECORD_DESCRIPTION =
  'A relief agency of the household’s country records assistance its organisation gave (the organisation comes from the token), whichever organisation ' +
  'registered the household: an agency that may not read the household may still record what it gave. ' +
  '`round` is a name the organisations of a country share (e.g. `2026-R1`, compared without case): a second record of the same type and round for the ' +
  'household, by any organisation, is a 409 “already recorded for this round” that names no other record. ' +
  'The household must consent to RETURN_ASSISTANCE (otherwise a 409 that says only that consent is missing); withdrawing it stops new records at once. ' +
  'Quantities are summed per unit (`USD`, `KG`, `KIT`, ...) in the statistics of the round, kept in the same transaction. ' +
  'Emits `AssistanceRecorded` (ids and counts). Accepts `Idempotency-Key`: a replay answers the record as it is now.';

export function assistanceRecordRoutes(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/{id}/assistance',
      operationId: 'recordHouseholdAssistance',
      summary: 'Record assistance given to a household',
      description: RECORD_DESCRIPTION,
      tag: TAG,
      access: ['relief'],
      params: IdParams,
      body: AssistanceCreate,
      idempotent: true,
      reread: async (_c, { principal, params }, id) => {
        const record = await readRecord(principal, params.id, id);
        return { body: record, version: record.version };
      },
      responses: { 201: { description: 'The record', schema: AssistanceRecordSchema }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body, idempotency }) => create(c, principal, await householdToAssist(principal, params.id), body, idempotency),
  );

  api.route(
    {
      method: 'post',
      path: '/v1/assistance',
      operationId: 'recordAssistanceByCode',
      summary: 'Record assistance given to the household holding a registration code (the code on its card)',
      description:
        `The same as \`POST /v1/households/{id}/assistance\`, naming the household by its registration code (\`ABC-DEFG\`, case, spaces and dashes ` +
        `ignored; a code whose check character does not match is a 400; one no household of the caller’s country holds is a 404). ${RECORD_DESCRIPTION}`,
      tag: TAG,
      access: ['relief'],
      body: AssistanceByCode,
      idempotent: true,
      reread: async (_c, { principal, body }, id) => {
        const record = await readRecord(principal, await householdIdOfCode(principal, body.code), id);
        return { body: record, version: record.version };
      },
      responses: { 201: { description: 'The record', schema: AssistanceRecordSchema }, 404: problem, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      const { code: _code, ...given } = body;
      return create(c, principal, await householdToAssist(principal, await householdIdOfCode(principal, body.code)), given, idempotency);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/households/{id}/assistance',
      operationId: 'listHouseholdAssistance',
      summary: 'The assistance a household received, oldest first',
      description:
        'Readers of the household (its registering organisation’s relief agency, the ministry of its country, admins) read every record, whichever ' +
        'organisation gave it; anyone else gets 404, as for the household. An erased household answers 410 to its readers.',
      tag: TAG,
      access: ['relief', 'ministry', 'admin'],
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of assistance records', schema: Page(AssistanceRecordSchema) }, 404: problem, 410: problem },
    },
    async (c, { principal, params, query }) => {
      const household = await getHousehold(params.id);
      if (!household) {
        const tombstone = await getTombstone(params.id);
        if (tombstone && canSeeHousehold(principal, tombstone))
          throw new Gone(`Household ${params.id} was erased on ${tombstone.erasedAt}.`, { erasedAt: tombstone.erasedAt });
      }
      if (!household || !canSeeHousehold(principal, household)) throw new NotFound(`No household ${params.id}.`);
      return c.json(await listAssistance(household.id, { limit: query.limit, cursor: query.cursor }));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/households/{id}/assistance/{assistanceId}',
      operationId: 'getHouseholdAssistance',
      summary: 'One assistance record',
      description: 'For the household’s readers and for the organisation that gave it (its own records); anyone else gets 404.',
      tag: TAG,
      access: ['relief', 'ministry', 'admin'],
      params: z.object({ id: Id, assistanceId: Id }),
      responses: { 200: { description: 'The record', schema: AssistanceRecordSchema }, 404: problem },
    },
    async (c, { principal, params }) => {
      const record = await readRecord(principal, params.id, params.assistanceId);
      return c.json(record, 200, { ETag: etagOf(record.version) });
    },
  );
}
