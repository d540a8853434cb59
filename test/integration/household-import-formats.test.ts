import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import type { HouseholdImportView } from '#shared/domain/household-import.ts';
import { householdImportRoutes } from '../../functions/households/imports.ts';
import { mountLocalImports, startLocalImport } from '../../infra/local/imports.ts';
import { koboXlsx } from '../fixtures/imports/kobo-xlsx.ts';
import { householdsOf } from '../support/imports.ts';
import { bearer } from '../support/tokens.ts';
import { xlsxWorkbook } from '../../shared/files/xlsx-writer.ts';

process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-import-formats-'));

/**
 * The import reads what agencies hand over: a KoBoToolbox XLSX (members repeat sheet, Khmer value
 * labels), an ODK Central ZIP (KEY/PARENT_KEY), a KoBoToolbox CSV (`;`, group paths, metadata,
 * space-separated multiple choices), each giving the same households and rejected rows as the
 * equivalent Clearway CSV; unknown columns are reported, not fatal; a mapping names the rest.
 */
const api = new Api({ idempotency });
householdImportRoutes(api);
const root = new Hono();
mountLocalImports(root);
root.route('/', api.app);

type Job = HouseholdImportView;
const fixture = (name: string) => readFile(new URL(`../fixtures/imports/${name}`, import.meta.url), 'utf8');
const relief = (org: string) => bearer({ role: 'relief', country: 'KH', org, sub: `registrar-${org}` });

async function importFile(org: string, body: Uint8Array | string, options: Record<string, unknown> = {}): Promise<Job> {
  const created = await root.request('/v1/household-imports', {
    method: 'POST',
    headers: { ...(await relief(org)), 'content-type': 'application/json' },
    body: JSON.stringify(options),
  });
  expect(created.status).toBe(201);
  const { id, uploadUrl } = (await created.json()) as { id: string; uploadUrl: string };
  const url = new URL(uploadUrl);
  const res = await root.request(`${url.pathname}${url.search}`, { method: 'PUT', body: typeof body === 'string' ? body : new Uint8Array(body) });
  expect(res.status).toBe(200);
  await startLocalImport(id);
  const job = await root.request(`/v1/household-imports/${id}`, { headers: await relief(org) });
  return (await job.json()) as Job;
}

/** What a household is, without its ids, times and import: to compare the households of two files. */
async function householdsAsRegistered(org: string): Promise<unknown[]> {
  const items = await householdsOf(org);
  return items
    .map((h) => ({
      origin: h.origin,
      current: h.current,
      destination: h.destination,
      contact: h.contact,
      consent: h.consent,
      status: h.status,
      returnSafety: (h.returnSafety as { status: string }).status,
      members: (h.members as Record<string, unknown>[]).map(({ id: _id, ...m }) => m),
    }))
    .sort((a, b) => JSON.stringify(a.members).localeCompare(JSON.stringify(b.members)));
}

const odkZip = async (docs: string) =>
  zipSync({
    'clearway_household.csv': strToU8(await fixture('odk/clearway_household.csv')),
    'clearway_household-members.csv': strToU8((await fixture('odk/clearway_household-members.csv')).replaceAll('DOCX', docs)),
  });

describe('household import formats', () => {
  it('imports a KoBoToolbox XLSX, an ODK Central ZIP and a KoBoToolbox CSV with the same households and rejected rows as the Clearway CSV', async () => {
    const reference = await importFile('org-clearway', (await fixture('clearway.csv')).replaceAll('DOCX', 'AA'));
    expect(reference).toMatchObject({ status: 'COMPLETED', rowsTotal: 6, rowsImported: 4, rowsRejected: 2, households: 2, householdsRejected: 1 });
    expect(reference.report).toMatchObject({ format: 'CSV', ignored: [] });
    const expected = await householdsAsRegistered('org-clearway');
    expect(expected).toHaveLength(2);

    const files: [string, Uint8Array | string, string][] = [
      ['org-kobo-xlsx', koboXlsx('BB'), 'XLSX'],
      ['org-odk-zip', await odkZip('CC'), 'ZIP'],
      ['org-kobo-csv', (await fixture('kobo.csv')).replaceAll('DOCX', 'DD'), 'CSV'],
    ];
    for (const [org, file, format] of files) {
      const job = await importFile(org, file);
      expect(job, org).toMatchObject({ status: 'COMPLETED', rowsTotal: 6, rowsImported: 4, rowsRejected: 2, households: 2, householdsRejected: 1 });
      expect(job.report?.format).toBe(format);
      expect(job.report?.unmappedValues, org).toEqual([]);
      expect(job.errors.map((e) => e.row)).toEqual(reference.errors.map((e) => e.row));
      expect(job.errors[0]!.message).toMatch(/consent/);
      expect(await householdsAsRegistered(org), org).toEqual(expected);
    }
  });

  it('reports the columns it ignored once on the job, and the metadata of the tools not at all', async () => {
    const job = await importFile('org-kobo-report', (await fixture('kobo.csv')).replaceAll('DOCX', 'EE'));
    expect(job.report?.ignored.map((c) => c.column).sort()).toEqual(['enumerator_note', 'person/specific_needs/SP-PT']);
    expect(job.report?.recognised).toContainEqual({ table: 'CSV', column: 'person/specific_needs', field: 'specific_needs' });
    expect(job.report?.recognised).toContainEqual({ table: 'CSV', column: '_household/destination_latitude', field: 'destination_lat' });
  });

  it('counts values it cannot translate, and a mapping translates them and names other columns', async () => {
    const csv = [
      'hh;lieu;camp;oui;date;buts;prenom;nom;genre;annee;lien',
      'K1;KH22;Camp 9;oui;2026-01-15;RETURN_ASSISTANCE;Sokha;Chan;femme;1986;chef',
      'K2;KH22;Camp 9;oui;2026-01-15;RETURN_ASSISTANCE;Dara;Chan;femme;1990;chef',
    ].join('\n');
    const columns = {
      hh: 'household_key',
      lieu: 'origin_province',
      camp: 'current_site',
      oui: 'consent_given',
      date: 'consent_date',
      buts: 'consent_purposes',
      prenom: 'given_name',
      nom: 'family_name',
      genre: 'sex',
      annee: 'birth_year',
      lien: 'relationship',
    };
    const unmapped = await importFile('org-mapping', csv, { mapping: { columns: { ...columns, camp: 'current_site' } }, dryRun: true });
    // current_province is missing: the file cannot be imported as it is.
    expect(unmapped.status).toBe('FAILED');
    expect(unmapped.message).toContain('current_province');
    // The failed job still says what it recognised, for the console's mapping screen.
    expect(unmapped.report?.recognised).toContainEqual({ table: 'CSV', column: 'camp', field: 'current_site' });

    const withProvince = csv.replace('camp;', 'camp;prov;').replaceAll('Camp 9;', 'Camp 9;KH17;');
    const dry = await importFile('org-mapping', withProvince, { mapping: { columns: { ...columns, prov: 'current_province' } }, dryRun: true });
    expect(dry).toMatchObject({ status: 'COMPLETED', dryRun: true, rowsImported: 0, rowsRejected: 2 });
    expect(dry.report?.unmappedValues).toEqual(
      expect.arrayContaining([
        { field: 'sex', value: 'femme', count: 2 },
        { field: 'relationship', value: 'chef', count: 2 },
        { field: 'consent_given', value: 'oui', count: 2 },
      ]),
    );
    const mapping = {
      columns: { ...columns, prov: 'current_province' },
      values: { sex: { femme: 'F' }, relationship: { chef: 'HEAD' }, consent_given: { oui: 'yes' } },
    };
    const real = await importFile('org-mapping', withProvince, { mapping });
    expect(real).toMatchObject({ status: 'COMPLETED', dryRun: false, rowsImported: 2, households: 2, rowsRejected: 0 });
    expect(real.report?.unmappedValues).toEqual([]);
  });

  it('imports a one-sheet workbook of people as the CSV', async () => {
    const csv = (await fixture('clearway.csv')).replaceAll('DOCX', 'FF');
    const rows = csv
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const job = await importFile('org-one-sheet', xlsxWorkbook([{ name: 'people', rows }]));
    expect(job).toMatchObject({ status: 'COMPLETED', rowsImported: 4, households: 2, rowsRejected: 2 });
  });

  it('a dry run writes no household and reports the counts of the real import that follows, which is not a duplicate of it', async () => {
    const file = koboXlsx('GG');
    const dry = await importFile('org-dry', file, { dryRun: true });
    expect(dry).toMatchObject({ status: 'COMPLETED', dryRun: true, rowsTotal: 6, rowsImported: 4, rowsRejected: 2, households: 2, householdsRejected: 1 });
    expect(await householdsOf('org-dry')).toHaveLength(0);
    const real = await importFile('org-dry', file);
    expect(real).toMatchObject({
      status: 'COMPLETED',
      dryRun: false,
      rowsImported: dry.rowsImported,
      rowsRejected: dry.rowsRejected,
      households: dry.households,
    });
    expect(real.duplicateOf).toBeUndefined();
    expect(await householdsOf('org-dry')).toHaveLength(2);
    // After the real import, a dry run of the same file finds its documents registered.
    const again = await importFile('org-dry', file, { dryRun: true });
    expect(again).toMatchObject({ rowsImported: 0, households: 0, householdsRejected: 3 });
    expect(again.errors.map((e) => e.message).join(' ')).toMatch(/already registered/);
    expect(await householdsOf('org-dry')).toHaveLength(2);
  });

  it('refuses members whose household came earlier (out of order) row by row', async () => {
    const households = [
      [
        'household/origin_province',
        'household/current_province',
        'household/current_site',
        'consent/consent_given',
        'consent/consent_date',
        'consent/consent_purposes',
        '_index',
      ],
      ['KH22', 'KH17', 'Camp', 'yes', '2026-01-15', 'STATISTICS', '1'],
      ['KH22', 'KH17', 'Camp', 'yes', '2026-01-15', 'STATISTICS', '2'],
    ];
    const members = [
      ['given_name', 'family_name', 'sex', 'birth_year', 'relationship', '_parent_index'],
      ['A', 'B', 'F', '1980', 'HEAD', '1'],
      ['C', 'D', 'F', '1981', 'HEAD', '2'],
      ['E', 'F', 'M', '2010', 'CHILD', '1'],
    ];
    const job = await importFile(
      'org-order',
      xlsxWorkbook([
        { name: 'h', rows: households },
        { name: 'members', rows: members },
      ]),
    );
    expect(job).toMatchObject({ status: 'COMPLETED', households: 2, rowsImported: 2, rowsRejected: 1 });
    expect(job.errors).toEqual([{ row: 4, message: expect.stringContaining('members must follow the order of their households') }]);
  });
});
