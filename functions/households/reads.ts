import * as z from 'zod/mini';
import { IdParams, Page, PageQuery, named } from '#shared/domain/common.ts';
import { canReadAccessLog } from '#shared/domain/household.ts';
import { HouseholdSchema } from '#shared/domain/household-schema.ts';
import { ROLES } from '#shared/domain/roles.ts';
import { HistoryEntry } from '#shared/domain/history.ts';
import { getTombstone } from '#shared/db/repositories/erasure.ts';
import { getHousehold, listHouseholdAccess, listHouseholdHistory } from '#shared/db/repositories/households.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { etagOf } from '#shared/http/etag.ts';
import { NotFound } from '#shared/http/problem.ts';
import { readHousehold, TAG, visibleHousehold } from './scope.ts';

const AccessEntrySchema = named('AccessEntry', () =>
  z.object({
    id: z.string(),
    at: z.iso.datetime(),
    householdId: z.string(),
    actor: z.object({ sub: z.string(), role: z.string(), org: z.string() }),
    purpose: z.enum(['READ', 'UPDATE', 'TRANSITION', 'EXPORT', 'CONSENT', 'ERASURE', 'DUPLICATE_REFUSED', 'DISTRIBUTION_LIST']),
    importId: z.optional(z.string()),
  }),
);

/** One household: its full record, its history and its access log. */
export function householdReadRoutes(api: Api): void {
  getHouseholdRoute(api);
  householdHistoryRoute(api);
  householdAccessLogRoute(api);
}

function getHouseholdRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/households/{id}',
      operationId: 'getHousehold',
      summary: 'Read a household, personal data included (the read is recorded in its access log)',
      description:
        'A relief agency reads its own organisation’s households, a ministry its country’s, an admin any; for everyone else the household does not exist ' +
        '(404). ' +
        'Every read records who, in which role and organisation, and when, before the data is answered. An erased household answers 410 Gone (problem+json ' +
        'with `erasedAt`) to those who could read it, 404 to everyone else.',
      tag: TAG,
      access: ROLES,
      params: IdParams,
      responses: { 200: { description: 'The household; ETag carries its version', schema: HouseholdSchema }, 404: problem, 410: problem },
    },
    async (c, { principal, params }) => {
      const household = await readHousehold(principal, params.id);
      return c.json(household, 200, { ETag: etagOf(household.version) });
    },
  );
}

function householdHistoryRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/households/{id}/history',
      operationId: 'householdHistory',
      summary: 'The append-only history of a household (registration, status changes, updates), with actors, oldest first',
      description: 'Same scope as reading the household. Entries name the fields an update changed, never their personal content.',
      tag: TAG,
      access: ROLES,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of history entries', schema: Page(HistoryEntry) }, 404: problem, 410: problem },
    },
    async (c, { principal, params, query }) => {
      await visibleHousehold(principal, params.id);
      return c.json(await listHouseholdHistory(params.id, { limit: query.limit, cursor: query.cursor }));
    },
  );
}

function householdAccessLogRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/households/{id}/access-log',
      operationId: 'householdAccessLog',
      summary: 'Who read or changed a household’s personal data, oldest first',
      description:
        'For admins and the ministry of the household’s country; for everyone else the household does not exist (404). Entries say who, role, ' +
        'organisation, when and why, never the content.',
      tag: TAG,
      access: ROLES,
      params: IdParams,
      query: z.object(PageQuery),
      responses: { 200: { description: 'A page of access entries', schema: Page(AccessEntrySchema) }, 404: problem },
    },
    async (c, { principal, params, query }) => {
      // An erased household's access log stays readable: it names the staff who read it, nothing of the family.
      const household = (await getHousehold(params.id)) ?? (await getTombstone(params.id));
      if (!household || !canReadAccessLog(principal, household)) throw new NotFound(`No household ${params.id}.`);
      return c.json(await listHouseholdAccess(params.id, { limit: query.limit, cursor: query.cursor }));
    },
  );
}
