import * as z from 'zod/mini';
import { Country, Page, PageQuery } from '#shared/domain/common.ts';
import {
  canSeeHousehold,
  DocumentType,
  HouseholdStatus,
  HouseholdSummarySchema,
  summarise,
  VerificationStatus,
  type Household,
} from '#shared/domain/household.ts';
import { listHouseholdsByVerification } from '#shared/db/repositories/household-members.ts';
import { isCountryProvince } from '#shared/domain/provinces.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { documentHashes } from '#shared/db/document-hash.ts';
import { getHouseholds, householdIdsByDocument, listHouseholds, type HouseholdListing } from '#shared/db/repositories/households.ts';
import { listBriefingDue } from '#shared/db/repositories/return-safety.ts';
import type { Api } from '#shared/http/api.ts';
import { actingCountry } from '#shared/http/auth.ts';
import { BadRequest, Forbidden } from '#shared/http/problem.ts';
import { HOUSEHOLD_READERS, TAG } from './scope.ts';

const Province = z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a province P-code such as KH22'));

/** Body of `POST /v1/households/lookup`: the number travels in the body, never in a URL (URLs land in access logs). */
const DocumentLookup = z.strictObject({
  country: z.optional(Country),
  documentType: DocumentType,
  documentNumber: z.string().check(z.trim(), z.minLength(4), z.maxLength(40)),
});

/** `GET /v1/households?returnSafety=AT_RISK&riskEducation=none`: the caller's AT_RISK households without risk education. */
async function briefingDue(
  principal: Principal,
  query: {
    country?: Country | undefined;
    province?: string | undefined;
    status?: string | undefined;
    org?: string | undefined;
    returnSafety?: string | undefined;
    riskEducation?: string | undefined;
    limit: number;
    cursor?: string | undefined;
  },
) {
  if (!query.returnSafety || !query.riskEducation)
    throw new BadRequest('returnSafety and riskEducation are listed together: returnSafety=AT_RISK&riskEducation=none.', [
      { path: `query.${query.returnSafety ? 'riskEducation' : 'returnSafety'}`, message: 'required with the other' },
    ]);
  if (query.province || query.status)
    throw new BadRequest('The households to brief are listed by country and organisation only.', [
      { path: `query.${query.province ? 'province' : 'status'}`, message: 'not with returnSafety and riskEducation' },
    ]);
  const country = actingCountry(principal, query.country, 'query', 'list households');
  let org = query.org;
  if (principal.role === 'relief') {
    if (org && org !== principal.org) throw new Forbidden('A relief agency lists only its own organisation’s households.');
    org = principal.org;
  }
  return listBriefingDue(country, org, { limit: query.limit, cursor: query.cursor });
}

/** The lists of households (summaries, no personal data) and the look-up by identity document. */
export function listingRoutes(api: Api): void {
  listHouseholdsRoute(api);
  lookupHouseholdsByDocumentRoute(api);
}

function listHouseholdsRoute(api: Api): void {
  api.route(
    {
      method: 'get',
      path: '/v1/households',
      operationId: 'listHouseholds',
      summary: 'List households (summaries without personal data), by origin province and status',
      description:
        'A relief agency lists its own organisation’s households in its country; a ministry its country’s (optionally of one `org`); an admin names ' +
        '`country` or `province` (optionally `org`). ' +
        '`province` is the origin province; `status` narrows the same query. Items are summaries: no names, birth dates, contacts or documents. ' +
        '`verification=VERIFIED` (or NEEDS_REVIEW, UNVERIFIED; with `org` at most) lists the households whose verification was recorded with that status. ' +
        '`returnSafety=AT_RISK&riskEducation=none` (together, with `org` at most) lists the households whose destination is AT_RISK and who have ' +
        'had no risk education yet (`riskEducation` on the household, set by PATCH), so staff brief them before they go home.',
      tag: TAG,
      access: HOUSEHOLD_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(Province),
        status: z.optional(HouseholdStatus),
        org: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
        returnSafety: z.optional(z.literal('AT_RISK', 'only AT_RISK is listed this way (with riskEducation=none)')),
        riskEducation: z.optional(z.literal('none', 'only none is listed this way (with returnSafety=AT_RISK)')),
        verification: z.optional(VerificationStatus),
        ...PageQuery,
      }),
      responses: { 200: { description: 'A page of household summaries', schema: Page(HouseholdSummarySchema) } },
    },
    async (c, { principal, query }) => {
      if (query.returnSafety || query.riskEducation) return c.json(await briefingDue(principal, query));
      const named = query.country ?? (principal.role === 'admin' && query.province ? (query.province.slice(0, 2) as Country) : undefined);
      const country = actingCountry(principal, named, 'query', 'list households');
      if (query.province && !isCountryProvince(query.province, country))
        throw new BadRequest(`${query.province} is not a known province of ${country}.`, [{ path: 'query.province', message: `not a province of ${country}` }]);
      let org = query.org;
      if (principal.role === 'relief') {
        if (org && org !== principal.org) throw new Forbidden('A relief agency lists only its own organisation’s households.');
        org = principal.org;
      }
      if (query.verification) {
        if (query.province || query.status)
          throw new BadRequest('Households are listed by verification with country and org only.', [
            { path: 'query.verification', message: 'not with province or status' },
          ]);
        return c.json(await listHouseholdsByVerification(country, query.verification, org, { limit: query.limit, cursor: query.cursor }));
      }
      const listing: HouseholdListing = org
        ? query.province
          ? { by: 'orgProvince', country, org, province: query.province }
          : { by: 'org', country, org }
        : query.province
          ? { by: 'province', country, province: query.province }
          : { by: 'country', country };
      const page = await listHouseholds(listing, query.status, { limit: query.limit, cursor: query.cursor });
      return c.json({ items: page.items.map(summarise), next: page.next });
    },
  );
}

function lookupHouseholdsByDocumentRoute(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/households/lookup',
      operationId: 'lookupHouseholdsByDocument',
      summary: 'Find the households holding an identity document',
      description:
        'Looks the document up by its keyed hash (the number is never stored): the household that registered it and any reviewed duplicates, within the ' +
        'caller’s scope (a relief agency its organisation’s, a ministry its country’s, an admin names `country`). ' +
        'The number travels in the body so that it never appears in a URL or an access log. The answer holds summaries only, which carry no personal data, ' +
        'so no access entry is recorded; reading a household it names does record one.',
      tag: TAG,
      access: HOUSEHOLD_READERS,
      body: DocumentLookup,
      responses: {
        200: {
          description: 'The households holding the document (summaries), claim first',
          schema: () => z.object({ items: z.array(HouseholdSummarySchema()) }),
        },
      },
    },
    async (c, { principal, body }) => {
      const country = actingCountry(principal, body.country, 'body', 'look up households');
      const ids = await householdIdsByDocument(country, await documentHashes(country, body.documentNumber));
      const found = new Map((await getHouseholds(ids)).map((h) => [h.id, h]));
      const items = ids.map((id) => found.get(id)).filter((h): h is Household => h !== undefined && canSeeHousehold(principal, h));
      return c.json({ items: items.map(summarise) });
    },
  );
}
