import * as z from 'zod/mini';
import { Country, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { newId } from '#shared/domain/ids.ts';
import { isProvinceOf } from '#shared/domain/provinces.ts';
import { riskEducationCounters, SessionCreate, SessionSchema, sessionPlaceProblems, type RiskEducationSession } from '#shared/domain/risk-education.ts';
import type { Role } from '#shared/domain/roles.ts';
import { getSession, listSessions, sessionWrite, type SessionListing } from '#shared/db/repositories/risk-education.ts';
import { statsWrites } from '#shared/db/repositories/stats.ts';
import { monthlyStatsWrites } from '#shared/db/repositories/monthly-stats.ts';
import { riskEducationMonthlyChange } from '#shared/domain/monthly.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { actingCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, NotFound } from '#shared/http/problem.ts';
import { refuseUnknownPlaces } from '#shared/http/places.ts';

const TAG = 'Risk education';
/** Who records sessions: operations (national centres run EORE teams) and relief agencies (they brief returnees), of their country; admins. */
const RECORDERS = ['operations', 'relief', 'admin'] as const satisfies readonly Role[];
/** Sessions hold counts, no personal data: everyone who works with mine action or returns reads them. */
export const SESSION_READERS = ['operations', 'qa', 'relief', 'ministry', 'observer', 'admin'] as const satisfies readonly Role[];

async function mustGet(id: string): Promise<RiskEducationSession> {
  const s = await getSession(id);
  if (!s) throw new NotFound(`No risk education session ${id}.`);
  return s;
}

export function registerRiskEducation(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/risk-education-sessions',
      operationId: 'recordRiskEducationSession',
      summary: 'Record an explosive ordnance risk education (EORE) session',
      description:
        'Operations users and relief agencies record sessions of their own country; admins name `country`. The audience is counted (girls, boys, women, ' +
        'men), as mine action reports it: no names. Lower P-codes (`adm2`–`adm4`) must lie in the province. The risk education statistics change in the ' +
        'same transaction. Accepts `Idempotency-Key`.',
      tag: TAG,
      access: RECORDERS,
      body: SessionCreate,
      idempotent: true,
      reread: async (_c, _input, id) => {
        const s = await mustGet(id);
        return { body: s, version: s.version };
      },
      responses: { 201: { description: 'The session', schema: SessionSchema }, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      const country = actingCountry(principal, body.country, 'body', 'record risk education sessions');
      const places = sessionPlaceProblems(body, country);
      if (places.length > 0) throw new BadRequest(`The places of a session must lie in ${country} and its province.`, places);
      await refuseUnknownPlaces(country, [{ path: 'body', place: body, border: true }], 'risk education session');
      const now = new Date().toISOString();
      const id = newId();
      const { country: _named, ...facts } = body;
      const session: RiskEducationSession = {
        ...facts,
        id,
        version: 1,
        createdAt: now,
        updatedAt: now,
        createdBy: principal.sub,
        country,
        org: principal.org,
        reached: body.audience.girls + body.audience.boys + body.audience.women + body.audience.men,
      };
      const writes = [
        sessionWrite(session),
        ...statsWrites([{ country, province: session.province, counters: riskEducationCounters(session) }]),
        ...monthlyStatsWrites([riskEducationMonthlyChange(session)]),
      ];
      return commitCreate(
        c,
        writes,
        { status: 201, id, body: session, headers: { ETag: etagOf(1), Location: `/v1/risk-education-sessions/${id}` } },
        idempotency,
      );
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/risk-education-sessions',
      operationId: 'listRiskEducationSessions',
      summary: 'List risk education sessions of a country, a province or a site, newest first',
      description: 'Name `site` (with the country; national roles default to their own), `province`, or `country` (national roles default to their own).',
      tag: TAG,
      access: SESSION_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a P-code such as KH22'))),
        site: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
        ...PageQuery,
      }),
      responses: { 200: { description: 'A page of sessions', schema: Page(SessionSchema) } },
    },
    async (c, { principal, query }) => {
      if (query.site && query.province) throw new BadRequest('Name a site or a province, not both.', [{ path: 'query.site', message: 'not with province' }]);
      let listing: SessionListing;
      if (query.province) {
        if (query.country && !isProvinceOf(query.province, query.country))
          throw new BadRequest('The province is not in that country.', [{ path: 'query.province', message: `not a province of ${query.country}` }]);
        listing = { by: 'province', province: query.province };
      } else {
        const country = query.country ?? principal.country;
        if (!country) throw new BadRequest('Name a country or a province.', [{ path: 'query.country', message: 'required without province' }]);
        listing = query.site ? { by: 'site', country, site: query.site } : { by: 'country', country };
      }
      return c.json(await listSessions(listing, { limit: query.limit, cursor: query.cursor }));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/risk-education-sessions/{id}',
      operationId: 'getRiskEducationSession',
      summary: 'Read a risk education session',
      tag: TAG,
      access: SESSION_READERS,
      params: IdParams,
      responses: { 200: { description: 'The session', schema: SessionSchema }, 404: problem },
    },
    async (c, { params }) => {
      const s = await mustGet(params.id);
      return c.json(s, 200, { ETag: etagOf(s.version) });
    },
  );
}
