import * as z from 'zod/mini';
import { Country, IdParams, named, Page, PageQuery } from '#shared/domain/common.ts';
import { newId } from '#shared/domain/ids.ts';
import { ImportMapping, ImportMappingCreate } from '#shared/domain/import-mapping.ts';
import type { Principal } from '#shared/domain/roles.ts';
import { registrationXlsForm } from '#shared/domain/xlsform.ts';
import { getImportMapping, importMappingWrite, listImportMappings, type SavedImportMapping } from '#shared/db/repositories/import-mappings.ts';
import { xlsxWorkbook } from '#shared/files/xlsx-writer.ts';
import { Api, problem } from '#shared/http/api.ts';
import { requireCountry } from '#shared/http/auth.ts';
import { etagOf } from '#shared/http/etag.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { commitCreate } from '#shared/http/idempotency.ts';
import { BadRequest, NotFound } from '#shared/http/problem.ts';

const api = new Api({ idempotency });
const TAG = 'Household imports';
const ACCESS = ['relief', 'admin'] as const;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const SavedImportMappingSchema = named('SavedImportMapping', () =>
  z.object({
    id: z.string(),
    version: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    createdBy: z.string(),
    org: z.string(),
    name: z.string(),
    mapping: ImportMapping,
  }),
);

/** An organisation's mappings are its own: anyone else gets 404. */
async function mustGetOwn(principal: Principal, id: string): Promise<SavedImportMapping> {
  const saved = await getImportMapping(id);
  if (!saved || saved.org !== principal.org) throw new NotFound(`No import mapping ${id}.`);
  return saved;
}

api.route(
  {
    method: 'get',
    path: '/v1/household-imports/form.xlsx',
    operationId: 'getHouseholdImportForm',
    summary: 'The registration form as an XLSForm for KoBoToolbox or ODK Central',
    description:
      'An XLSX workbook with the `survey`, `choices` and `settings` sheets of an XLSForm, generated from the import’s columns and the registration’s ' +
      'choice lists (provinces of the country by P-code, sex, relationships, consent purposes, UNHCR specific needs, document types), required questions ' +
      'and constraints (one head, year of birth), labels in English, Khmer and Thai. ' +
      'Its exports (a KoBoToolbox XLSX or CSV, an ODK Central ZIP) import with no mapping. A relief agency gets its country’s form; an admin names `country`.',
    tag: TAG,
    access: ACCESS,
    query: z.object({ country: z.optional(Country) }),
    responses: { 200: { description: 'The XLSForm', contentType: XLSX } },
  },
  async (c, { principal, query }) => {
    let country: Country;
    if (principal.role === 'admin') {
      if (!query.country)
        throw new BadRequest('An admin acts for no single country: name the country of the form.', [{ path: 'query.country', message: 'required for admin' }]);
      country = query.country;
    } else {
      if (query.country) requireCountry(principal, query.country, 'get the registration form');
      country = principal.country!;
    }
    const version = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const form = registrationXlsForm(country, version);
    const bytes = xlsxWorkbook([
      { name: 'survey', rows: form.survey },
      { name: 'choices', rows: form.choices },
      { name: 'settings', rows: form.settings },
    ]);
    return c.body(new Uint8Array(bytes), 200, {
      'Content-Type': XLSX,
      'Content-Disposition': `attachment; filename="clearway-household-${country.toLowerCase()}.xlsx"`,
      'Cache-Control': 'no-store',
    });
  },
);

api.route(
  {
    method: 'post',
    path: '/v1/import-mappings',
    operationId: 'createImportMapping',
    summary: 'Save a column mapping for the organisation’s household imports',
    description:
      'A named mapping (`columns`: source column → Clearway column, `destination_point` or `ignore`; `values`: per column, source value → Clearway value) ' +
      'that imports name with `mappingId`. The organisation’s own; an import copies it when it is created. Accepts `Idempotency-Key`.',
    tag: TAG,
    access: ACCESS,
    body: ImportMappingCreate,
    idempotent: true,
    reread: async (_c, { principal }, id) => {
      const saved = await mustGetOwn(principal, id);
      return { body: saved, version: saved.version };
    },
    responses: { 201: { description: 'The saved mapping', schema: SavedImportMappingSchema }, 409: problem },
  },
  async (c, { principal, body, idempotency: key }) => {
    const now = new Date().toISOString();
    const saved: SavedImportMapping = {
      id: newId(),
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy: principal.sub,
      org: principal.org,
      name: body.name,
      mapping: body.mapping,
    };
    return commitCreate(
      c,
      [importMappingWrite(saved)],
      { status: 201, id: saved.id, body: saved, headers: { ETag: etagOf(1), Location: `/v1/import-mappings/${saved.id}` } },
      key,
    );
  },
);

api.route(
  {
    method: 'get',
    path: '/v1/import-mappings',
    operationId: 'listImportMappings',
    summary: 'List the organisation’s saved import mappings, oldest first',
    tag: TAG,
    access: ACCESS,
    query: z.object(PageQuery),
    responses: { 200: { description: 'A page of mappings', schema: Page(SavedImportMappingSchema) } },
  },
  async (c, { principal, query }) => c.json(await listImportMappings(principal.org, { limit: query.limit, cursor: query.cursor })),
);

api.route(
  {
    method: 'get',
    path: '/v1/import-mappings/{id}',
    operationId: 'getImportMapping',
    summary: 'Read a saved import mapping',
    tag: TAG,
    access: ACCESS,
    params: IdParams,
    responses: { 200: { description: 'The mapping', schema: SavedImportMappingSchema }, 404: problem },
  },
  async (c, { principal, params }) => {
    const saved = await mustGetOwn(principal, params.id);
    return c.json(saved, 200, { ETag: etagOf(saved.version) });
  },
);

export const app = api.app;
export const routes = api.routes;
