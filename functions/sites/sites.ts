import * as z from 'zod/mini';
import { Country, IdParams, Page, PageQuery } from '#shared/domain/common.ts';
import { newId } from '#shared/domain/ids.ts';
import type { Principal, Role } from '#shared/domain/roles.ts';
import { refuseUnknownPlaces } from '#shared/http/places.ts';
import { SiteCreate, SitePatch, SiteSchema, siteProblems, SiteStatus, type Site } from '#shared/domain/site.ts';
import { getSite, listSites, siteCreateWrites, siteUpdateWrites } from '#shared/db/repositories/sites.ts';
import { transact } from '#shared/db/transact.ts';
import { problem, type Api } from '#shared/http/api.ts';
import { actingCountry, requireCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, NotFound, PreconditionFailed } from '#shared/http/problem.ts';

const TAG = 'Displacement sites';
/** Relief agencies keep their country's sites; admins either. */
const SITE_KEEPERS = ['relief', 'admin'] as const satisfies readonly Role[];
/** Sites are not personal data: whoever works with households or their figures reads them. */
export const SITE_READERS = ['relief', 'ministry', 'observer', 'admin'] as const satisfies readonly Role[];

/** The country a reader reads: a national role its own (naming the other is a 403); observers and admins name one. */
export function readingCountry(principal: Principal, named: Country | undefined): Country {
  if (principal.country) {
    if (named) requireCountry(principal, named, 'read the sites');
    return principal.country;
  }
  if (!named) throw new BadRequest('Name the country whose sites to read.', [{ path: 'query.country', message: 'required for observers and admins' }]);
  return named;
}

/** A site the caller may read; one of another country is a 404 to national roles. */
async function readableSite(principal: Principal, id: string): Promise<Site> {
  const site = await getSite(id);
  if (!site || (principal.country !== undefined && site.country !== principal.country)) throw new NotFound(`No site ${id}.`);
  return site;
}

/** The site's own rules, then its coded place against the gazetteer (not again when a change leaves the place as stored). */
async function refuseProblems(site: Site, stored?: Site): Promise<void> {
  const problems = siteProblems(site);
  if (problems.length)
    throw new BadRequest(
      'The site is not valid: see errors for each field.',
      problems.map((p) => ({ path: `body.${p.path}`, message: p.message })),
    );
  const samePlace = stored && (['province', 'adm2', 'adm3', 'adm4'] as const).every((k) => stored[k] === site[k]);
  if (!samePlace) await refuseUnknownPlaces(site.country, [{ path: 'body', place: site, border: true }], 'site');
}

export function siteRoutes(api: Api): void {
  api.route(
    {
      method: 'post',
      path: '/v1/sites',
      operationId: 'createSite',
      summary: 'Register a displacement site (camp, pagoda, school, collective centre)',
      description:
        'A relief agency registers sites of its own country; an admin names `country`. `code` is unique in the country (whatever its case; 409 otherwise). ' +
        '`province` is a province of the country; `adm2`, `adm3` and (Cambodia) `adm4` P-codes must each extend the one above. The name is in English and ' +
        'the national language (`km` or `th`). Accepts `Idempotency-Key`.',
      tag: TAG,
      access: SITE_KEEPERS,
      body: SiteCreate,
      idempotent: true,
      reread: async (_c, { principal }, id) => {
        const site = await readableSite(principal, id);
        return { body: site, version: site.version };
      },
      responses: { 201: { description: 'The site', schema: SiteSchema }, 409: problem },
    },
    async (c, { principal, body, idempotency }) => {
      const country = actingCountry(principal, body.country, 'body', 'register sites');
      const now = new Date().toISOString();
      const { country: _named, ...fields } = body;
      const site: Site = { ...fields, country, id: newId(), version: 1, createdAt: now, updatedAt: now, createdBy: principal.sub };
      await refuseProblems(site);
      const response = { status: 201, id: site.id, body: site, headers: { ETag: etagOf(1), Location: `/v1/sites/${site.id}` } };
      return commitCreate(c, siteCreateWrites(site), response, idempotency);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/sites',
      operationId: 'listSites',
      summary: 'List the displacement sites of a country, optionally of one province and status',
      description: 'National roles read their own country (the default); observers and admins name `country`.',
      tag: TAG,
      access: SITE_READERS,
      query: z.object({
        country: z.optional(Country),
        province: z.optional(z.string().check(z.regex(/^(KH|TH)\d{2}$/, 'must be a province P-code such as KH22'))),
        status: z.optional(SiteStatus),
        ...PageQuery,
      }),
      responses: { 200: { description: 'A page of sites', schema: Page(SiteSchema) } },
    },
    async (c, { principal, query }) => {
      const country = readingCountry(principal, query.country ?? (query.province?.slice(0, 2) as Country | undefined));
      if (query.province && !query.province.startsWith(country))
        throw new BadRequest(`${query.province} is not a province of ${country}.`, [{ path: 'query.province', message: `not a province of ${country}` }]);
      return c.json(await listSites(country, query.province, query.status, { limit: query.limit, cursor: query.cursor }));
    },
  );

  api.route(
    {
      method: 'get',
      path: '/v1/sites/{id}',
      operationId: 'getSite',
      summary: 'Read a displacement site',
      tag: TAG,
      access: SITE_READERS,
      params: IdParams,
      responses: { 200: { description: 'The site; ETag carries its version', schema: SiteSchema }, 404: problem },
    },
    async (c, { principal, params }) => {
      const site = await readableSite(principal, params.id);
      return c.json(site, 200, { ETag: etagOf(site.version) });
    },
  );

  api.route(
    {
      method: 'patch',
      path: '/v1/sites/{id}',
      operationId: 'updateSite',
      summary: 'Change a displacement site, or close it',
      description:
        'Everything but the country and province (`null` removes an optional field). Closing a site (`status: CLOSED`) needs it to be empty: while ' +
        'households are present it is a 409 (move them by a transition first). A relief agency changes its own country’s sites; admins any.',
      tag: TAG,
      access: SITE_KEEPERS,
      params: IdParams,
      body: SitePatch,
      ifMatch: true,
      responses: { 200: { description: 'The updated site', schema: SiteSchema }, 404: problem, 409: problem },
    },
    async (c, { principal, params, body, expectedVersion }) => {
      const before = await readableSite(principal, params.id);
      requireCountry(principal, before.country, 'change sites');
      if (before.version !== expectedVersion)
        throw new PreconditionFailed(
          `The site is at version ${before.version}, not ${expectedVersion}: read it again and reapply your change.`,
          before.version,
        );
      const now = new Date().toISOString();
      const after: Site = { ...before, version: before.version + 1, updatedAt: now };
      for (const [field, value] of Object.entries(body) as [keyof SitePatch, unknown][]) {
        if (value === null) delete after[field];
        else if (value !== undefined) (after as unknown as Record<string, unknown>)[field] = value;
      }
      await refuseProblems(after, before);
      await transact(siteUpdateWrites(before, after));
      return c.json(after, 200, { ETag: etagOf(after.version) });
    },
  );
}
