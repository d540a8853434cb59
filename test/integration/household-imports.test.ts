import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import { documentClient, tableName } from '#shared/db/client.ts';
import type { ImportRow } from '#shared/domain/household-import.ts';
import { householdImportRoutes } from '../../functions/households/imports.ts';
import { runImport } from '../../functions/importer/run-import.ts';
import { householdCsvLines } from '../../infra/local/gen-households.ts';
import { mountLocalImports, startLocalImport, uploadPath } from '../../infra/local/imports.ts';
import { createReadStream } from 'node:fs';
import { bearer } from '../support/tokens.ts';
import { blankRow, csvOf, headRow, householdsOf } from '../support/imports.ts';
import { loadShippedGazetteer } from '../support/gazetteer.ts';
import type { HouseholdImportView } from '../../shared/domain/household-import.ts';

process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-imports-'));

// The routes as the households app mounts them, behind the local upload route, as `npm start` serves them.
const api = new Api({ idempotency });
householdImportRoutes(api);
const root = new Hono();
mountLocalImports(root);
root.route('/', api.app);

type Job = HouseholdImportView;

const relief = (org: string, country = 'KH') => bearer({ role: 'relief', country, org, sub: `registrar-${org}` });

async function createJob(org: string, body: Record<string, unknown> = {}): Promise<{ id: string; uploadUrl: string }> {
  const res = await root.request('/v1/household-imports', {
    method: 'POST',
    headers: { ...(await relief(org)), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; uploadUrl: string };
}

async function upload(uploadUrl: string, body: Uint8Array | string): Promise<Response> {
  const url = new URL(uploadUrl);
  // A copy on its own ArrayBuffer: what fetch's BodyInit accepts under both the Node and the DOM typings.
  const bytes = typeof body === 'string' ? body : new Uint8Array(body);
  return root.request(`${url.pathname}${url.search}`, { method: 'PUT', body: bytes, headers: { 'content-type': 'text/csv' } });
}

async function getJob(org: string, id: string): Promise<Job> {
  const res = await root.request(`/v1/household-imports/${id}`, { headers: await relief(org) });
  expect(res.status).toBe(200);
  return (await res.json()) as Job;
}

/** Creates a job, uploads the file, waits for the in-process run, and reads the job. */
async function importFile(org: string, body: Uint8Array | string): Promise<Job> {
  const { id, uploadUrl } = await createJob(org);
  const res = await upload(uploadUrl, body);
  expect(res.status).toBe(200);
  await startLocalImport(id);
  return getJob(org, id);
}

const blank = blankRow;
const head = headRow;
const member = (key: string, extra: Partial<ImportRow> = {}): ImportRow => ({
  ...blank(),
  household_key: key,
  given_name: 'Dara',
  family_name: 'Chan',
  sex: 'M',
  birth_year: '2012',
  relationship: 'CHILD',
  ...extra,
});
const generated = (people: number, options: { invalidRate?: number; seed?: number; keyPrefix?: string; documentOffset?: number } = {}) =>
  [...householdCsvLines({ people, ...options })].join('');

describe('household CSV import', () => {
  beforeAll(async () => {
    expect(process.env.DATA_DIR).toBeTruthy();
    // The generated files code their places with the gazetteer's P-codes, checked like the API's.
    await loadShippedGazetteer();
  });

  it('imports every household of a valid file, with exact counts and one row per person', async () => {
    const job = await importFile('org-valid', generated(60, { seed: 11, documentOffset: 1_000 }));
    expect(job).toMatchObject({ status: 'COMPLETED', rowsTotal: 60, rowsImported: 60, rowsRejected: 0, householdsRejected: 0 });
    const stored = await householdsOf('org-valid');
    expect(stored).toHaveLength(job.households);
    expect(stored.reduce((n, h) => n + (h.members as unknown[]).length, 0)).toBe(60);
    expect(stored.every((h) => h.importId === job.id && h.status === 'DISPLACED')).toBe(true);
    // Document numbers are stored as last four characters only.
    expect(JSON.stringify(stored)).not.toMatch(/"number"/);
  });

  it('fails a file without a column it needs, naming the columns, and writes no household; other unknown columns are only reported', async () => {
    const rows = csvOf([head('A')])
      .replace('household_key', 'household')
      .replace(',document_number', ',doc_no')
      .replace(',given_name', ',first');
    const job = await importFile('org-header', rows);
    expect(job.status).toBe('FAILED');
    expect(job.message).toContain('no column for given_name');
    expect(job.message).not.toContain('document_number');
    expect(job.rowsImported).toBe(0);
    expect(await householdsOf('org-header')).toHaveLength(0);
  });

  it('fails a file that is not UTF-8 and writes no household', async () => {
    const text = csvOf([head('A'), head('B', { given_name: 'Sreymom' })]);
    // Latin-1 bytes in the second household: valid households before them must not be written either.
    const bytes = Buffer.concat([
      Buffer.from(text, 'utf8'),
      Buffer.from('C,KH22,,,KH17,,,Camp,,KH22,,,,,,yes,2026-01-15,RETURN_ASSISTANCE,Jos\xe9,Chan,F,,1986,HEAD,,,\n', 'latin1'),
    ]);
    const job = await importFile('org-latin1', bytes);
    expect(job.status).toBe('FAILED');
    expect(job.message).toMatch(/not UTF-8/);
    expect(await householdsOf('org-latin1')).toHaveLength(0);
  });

  it('fails an upload of 0 bytes with "the file is empty"', async () => {
    const job = await importFile('org-empty', '');
    expect(job.status).toBe('FAILED');
    expect(job.message).toMatch(/The file is empty/);
  });

  it('reads quoted fields with newlines, commas and quotes, numbering rows by record', async () => {
    const rows = [head('Q1', { current_site: 'Pagoda camp 4,\nnorth "annex"' }), member('Q1'), head('Q2', { specific_needs: 'XX-ZZ' })];
    const job = await importFile('org-quoted', csvOf(rows));
    expect(job).toMatchObject({ status: 'COMPLETED', rowsTotal: 3, rowsImported: 2, rowsRejected: 1, households: 1 });
    expect(job.errors).toEqual([{ row: 4, message: expect.stringContaining('specific_needs') }]);
    const [stored] = await householdsOf('org-quoted');
    expect((stored?.current as { site: string }).site).toBe('Pagoda camp 4,\nnorth "annex"');
  });

  it('rejects households with bad rows whole, reports each row with its number and reason, and imports the rest', async () => {
    const rows = [
      head('OK1'),
      member('OK1'),
      head('NOCONSENT', { consent_given: 'no' }),
      member('NOCONSENT'),
      head('TWOHEADS'),
      member('TWOHEADS', { relationship: 'HEAD' }),
      head('NOHEAD', { relationship: 'SPOUSE' }),
      head('OTHERCOUNTRY', { origin_province: 'TH32' }),
      head('NEEDS'),
      member('NEEDS', { specific_needs: 'SP-PT;XX-ZZ' }),
      head('OK2', { destination_lon: '103.52', destination_lat: '14.42' }),
    ];
    const job = await importFile('org-bad', csvOf(rows));
    expect(job).toMatchObject({ status: 'COMPLETED', rowsTotal: 11, rowsImported: 3, rowsRejected: 8, households: 2, householdsRejected: 5 });
    const byRow = new Map(job.errors.map((e) => [e.row, e.message]));
    expect([...byRow.keys()]).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(byRow.get(4)).toMatch(/consent/);
    expect(byRow.get(5)).toMatch(/household NOCONSENT is refused because of its other rows \(row 4/);
    expect(byRow.get(6)).toMatch(/exactly one head/);
    expect(byRow.get(8)).toMatch(/exactly one head/);
    expect(byRow.get(9)).toMatch(/origin_province: TH32 is not a known province of KH/);
    expect(byRow.get(11)).toMatch(/specific_needs/);
    expect(await householdsOf('org-bad')).toHaveLength(2);

    // The full list, a page at a time.
    const headers = await relief('org-bad');
    const first = (await (await root.request(`/v1/household-imports/${job.id}/errors?limit=5`, { headers })).json()) as {
      items: { row: number }[];
      next: string;
    };
    expect(first.items.map((e) => e.row)).toEqual([4, 5, 6, 7, 8]);
    const second = (await (
      await root.request(`/v1/household-imports/${job.id}/errors?limit=5&cursor=${encodeURIComponent(first.next)}`, { headers })
    ).json()) as { items: { row: number }[] };
    expect(second.items.map((e) => e.row)).toEqual([9, 10, 11]);
  });

  it('imports a generated file with 10% bad rows: the valid households in, every bad household reported', async () => {
    const job = await importFile('org-ten', generated(400, { invalidRate: 0.1, seed: 5, documentOffset: 50_000 }));
    expect(job.status).toBe('COMPLETED');
    expect(job.rowsTotal).toBe(400);
    expect(job.rowsImported + job.rowsRejected).toBe(400);
    expect(job.rowsRejected).toBeGreaterThan(40);
    expect(job.householdsRejected).toBeGreaterThan(0);
    const stored = await householdsOf('org-ten');
    expect(stored).toHaveLength(job.households);
    expect(stored.reduce((n, h) => n + (h.members as unknown[]).length, 0)).toBe(job.rowsImported);
  });

  it('imports nothing new from a second upload of the same file, naming the first job', async () => {
    const file = generated(40, { seed: 21, documentOffset: 200_000, keyPrefix: 'SAME' });
    const first = await importFile('org-twice', file);
    expect(first.status).toBe('COMPLETED');
    const before = await householdsOf('org-twice');
    const second = await importFile('org-twice', file);
    expect(second).toMatchObject({ status: 'COMPLETED', rowsImported: 0, households: 0, duplicateOf: first.id });
    expect(second.message).toContain(first.id);
    expect(await householdsOf('org-twice')).toHaveLength(before.length);
  });

  it('refuses documents already registered, and a document twice in one file', async () => {
    const doc = { document_type: 'NATIONAL_ID', document_number: '0102-0304-0' };
    const first = await importFile('org-docs', csvOf([head('D1', doc)]));
    expect(first.households).toBe(1);
    const [holder] = await householdsOf('org-docs');
    const job = await importFile(
      'org-docs',
      csvOf([
        head('D2', { ...doc, document_number: '010203040' }),
        head('D3', { document_type: 'PASSPORT', document_number: 'N1234567' }),
        head('D4', { document_type: 'PASSPORT', document_number: 'n 1234567' }),
      ]),
    );
    expect(job).toMatchObject({ households: 1, rowsRejected: 2 });
    expect(job.errors[0]).toEqual({ row: 2, message: expect.stringContaining(`already registered to household ${String(holder?.id)}`) });
    expect(job.errors[1]).toEqual({ row: 4, message: expect.stringContaining('already in household D3 of this file (row 3)') });
  });

  it('refuses across chunks a household key used again after others and a document of an earlier household, as a dry run of the file counts them', async () => {
    const rows = [
      head('X1', { document_type: 'NATIONAL_ID', document_number: '7788-9900-1' }),
      head('X2'),
      head('X1', { given_name: 'Sreymom' }),
      head('X3', { document_type: 'PASSPORT', document_number: '778899001' }),
      head('X4'),
    ];
    // One household a chunk: every check below crosses a chunk boundary.
    const run = async (dryRun: boolean) => {
      const { id } = await createJob('org-chunks', { dryRun });
      const { writeFile, mkdir } = await import('node:fs/promises');
      const { markUploaded } = await import('#shared/db/repositories/household-imports.ts');
      await mkdir(join(process.env.DATA_DIR!, 'uploads'), { recursive: true });
      await writeFile(uploadPath(id), csvOf(rows));
      await markUploaded(id, Buffer.byteLength(csvOf(rows)), new Date().toISOString());
      expect(await runImport(id, { open: async () => createReadStream(uploadPath(id)) }, { chunkHouseholds: 1 })).toBe('COMPLETED');
      return getJob('org-chunks', id);
    };
    const counts = { status: 'COMPLETED', rowsTotal: 5, rowsRejected: 2, households: 3, householdsRejected: 2 };
    const dry = await run(true);
    expect(dry).toMatchObject(counts);
    expect(dry.errors).toEqual([
      { row: 4, message: expect.stringContaining('the key was first used at row 2') },
      { row: 5, message: expect.stringContaining('already in household X1 of this file (row 2)') },
    ]);
    expect(await householdsOf('org-chunks')).toHaveLength(0);
    // The import reads the earlier chunks' claims back from the table, where they were written.
    const real = await run(false);
    expect(real).toMatchObject({ ...counts, rowsImported: 3 });
    const stored = await householdsOf('org-chunks');
    expect(stored).toHaveLength(3);
    const holder = stored.find((h) => (h.members as { document?: unknown }[])[0]?.document !== undefined);
    expect(real.errors).toEqual([
      { row: 4, message: expect.stringContaining('the key was first used at row 2') },
      { row: 5, message: expect.stringContaining(`already registered to household ${String(holder?.id)}`) },
    ]);
  });

  it("refuses a document of the household just before, in the chunk being written while the next is decided, as the file's own", async () => {
    // One household a chunk: W2's chunk is decided while W1's is written, so W1's claim may or may not be stored by then.
    const doc = { document_type: 'NATIONAL_ID', document_number: '5566-7788-9' };
    const file = csvOf([head('W1', doc), head('W2', doc), head('W3'), head('W4', doc)]);
    const { id } = await createJob('org-inflight');
    const { writeFile, mkdir } = await import('node:fs/promises');
    const { markUploaded } = await import('#shared/db/repositories/household-imports.ts');
    await mkdir(join(process.env.DATA_DIR!, 'uploads'), { recursive: true });
    await writeFile(uploadPath(id), file);
    await markUploaded(id, Buffer.byteLength(file), new Date().toISOString());
    expect(await runImport(id, { open: async () => createReadStream(uploadPath(id)) }, { chunkHouseholds: 1 })).toBe('COMPLETED');
    const job = await getJob('org-inflight', id);
    const stored = await householdsOf('org-inflight');
    const holder = stored.find((h) => (h.members as { document?: unknown }[])[0]?.document !== undefined);
    expect(job).toMatchObject({ status: 'COMPLETED', households: 2, householdsRejected: 2, rowsImported: 2 });
    expect(stored).toHaveLength(2);
    expect(job.errors).toEqual([
      { row: 3, message: expect.stringContaining('already in household W1 of this file (row 2)') },
      // Two chunks on, W1's claim is stored: it is read back.
      { row: 5, message: expect.stringContaining(`already registered to household ${String(holder?.id)}`) },
    ]);
  });

  it('derives another registration code for a household whose code was given to a chunk still being written', async () => {
    const { importRegistrationCodes } = await import('#shared/db/repositories/registration-codes.ts');
    const household = { id: 'HH-INFLIGHT-CODE', seed: 'job-x\nK1\ncode' };
    const alone = (await importRegistrationCodes('KH', [household])).get(household.id)!;
    const beside = (await importRegistrationCodes('KH', [household], new Set([alone]))).get(household.id)!;
    expect(beside).not.toBe(alone);
    expect(beside).toMatch(/\S/);
  });

  // Three imports of 300 households each (the reference, the crash, the resume), each with its duplicate pass: a
  // minute of work on a loaded 2-core machine, so the limit is a guard against hanging, not a measure.
  it('resumes after a crash mid-import and ends with exact counts and every household once', { timeout: 120_000 }, async () => {
    const file = generated(300, { invalidRate: 0.05, seed: 9, documentOffset: 300_000, keyPrefix: 'CRASH' });
    // The reference: the same households (other document numbers, which are claimed country-wide) imported in one go.
    const reference = await importFile('org-reference', generated(300, { invalidRate: 0.05, seed: 9, documentOffset: 400_000, keyPrefix: 'CRASH' }));
    expect(reference.households).toBeGreaterThan(40);
    const { id, uploadUrl } = await createJob('org-crash');
    // Uploaded, but the run dies: first after two committed chunks, then after writing a chunk's items but before its commit.
    const { markUploaded } = await import('#shared/db/repositories/household-imports.ts');
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(join(process.env.DATA_DIR!, 'uploads'), { recursive: true });
    await writeFile(uploadPath(id), file);
    await markUploaded(id, Buffer.byteLength(file), new Date().toISOString());
    expect(uploadUrl).toContain(id);
    const source = { open: async () => createReadStream(uploadPath(id)) };
    const { readDisplacementStats } = await import('#shared/db/repositories/displacement-stats.ts');
    const displacedBefore = (await readDisplacementStats('KH'))['hh_DISPLACED'] ?? 0;
    const { readMonthlyBuckets } = await import('#shared/db/repositories/monthly-stats.ts');
    const { currentMonth } = await import('#shared/domain/monthly.ts');
    const startMonth = currentMonth();
    const registeredSince = async () => (await readMonthlyBuckets('KH', startMonth, currentMonth())).reduce((n, b) => n + (b.counters.hh_registered ?? 0), 0);
    const registeredBefore = await registeredSince();
    expect(await runImport(id, source, { chunkHouseholds: 10, stopAfterChunks: 2 })).toBe('STOPPED');
    const midway = await getJob('org-crash', id);
    expect(midway.status).toBe('PROCESSING');
    expect(midway.households).toBe(20 - midway.householdsRejected);
    expect(await runImport(id, source, { chunkHouseholds: 10, stopBeforeCommit: true })).toBe('STOPPED');
    expect(await runImport(id, source, { chunkHouseholds: 10 })).toBe('COMPLETED');
    const job = await getJob('org-crash', id);
    expect(job).toMatchObject({
      status: 'COMPLETED',
      rowsTotal: reference.rowsTotal,
      rowsImported: reference.rowsImported,
      rowsRejected: reference.rowsRejected,
      households: reference.households,
      householdsRejected: reference.householdsRejected,
    });
    const stored = await householdsOf('org-crash');
    expect(stored).toHaveLength(reference.households);
    expect(new Set(stored.map((h) => h.id)).size).toBe(stored.length);
    // The statistics count each household once, and one completion event (counts only) is stored.
    expect(((await readDisplacementStats('KH'))['hh_DISPLACED'] ?? 0) - displacedBefore).toBe(reference.households);
    // So does the monthly report's registration bucket, written in each chunk's commit.
    expect((await registeredSince()) - registeredBefore).toBe(reference.households);
    const events = await documentClient.send(
      new QueryCommand({ TableName: tableName, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': 'FEED#KH' } }),
    );
    const completions = (events.Items ?? []).filter((e) => (e.event as { subject: { id: string } }).subject.id === id);
    expect(completions.map((e) => (e.event as { type: string; data: unknown }).data)).toEqual([
      {
        importId: id,
        country: 'KH',
        org: 'org-crash',
        rowsTotal: 300,
        rowsImported: reference.rowsImported,
        rowsRejected: reference.rowsRejected,
        households: reference.households,
      },
    ]);
    // A further run changes nothing.
    expect(await runImport(id, source, { chunkHouseholds: 10 })).toBe('NOT_READY');
  });

  it('imports site codes, displacement dates and return intentions with the API’s checks; site figures, flows and intentions follow, once per household', {
    timeout: 120_000,
  }, async () => {
    const { app: sitesApp } = await import('../../functions/sites/app.ts');
    const { readSiteFlows, readSiteStats } = await import('#shared/db/repositories/sites.ts');
    const { readDisplacementStats } = await import('#shared/db/repositories/displacement-stats.ts');
    const { generatedSites } = await import('../../infra/local/gen-households.ts');
    const admin = await bearer({ role: 'admin', org: 'platform' });
    const sites = new Map<string, string>();
    for (const site of generatedSites('KH')) {
      const res = await sitesApp.request('/v1/sites', {
        method: 'POST',
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify({ ...site, managingOrganisation: 'DRC' }),
      });
      expect(res.status).toBe(201);
      sites.set(site.code, ((await res.json()) as { id: string }).id);
    }
    const closed = await sitesApp.request('/v1/sites', {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ ...generatedSites('KH')[0], code: 'KH22-OLD', status: 'CLOSED', closedAt: '2026-01-01', managingOrganisation: 'DRC' }),
    });
    expect(closed.status).toBe(201);

    const bad = csvOf([
      head('S-UNKNOWN', { current_site_code: 'KH99-NONE' }),
      head('S-CLOSED', { current_province: 'KH22', current_site_code: 'kh22-old' }),
      head('S-PROVINCE', { current_province: 'KH17', current_site_code: 'KH22-PGD-01' }),
      head('S-WHEN', { return_intends: 'no', return_when: 'LATER', return_surveyed_at: '2026-01-20' }),
      head('S-FUTURE', { displaced_since: '2099-01-01' }),
      head('S-OK', {
        current_province: 'KH22',
        current_site_code: 'kh22-pgd-01',
        displaced_since: '2025-12-14',
        return_intends: 'yes',
        return_when: '1_to_3_months',
        return_obstacles: 'MINES_OR_UXO;house_destroyed',
        return_surveyed_at: '2026-01-20',
      }),
    ]);
    const statsBefore = await readDisplacementStats('KH');
    const checked = await importFile('org-sites', bad);
    expect(checked).toMatchObject({ status: 'COMPLETED', households: 1, householdsRejected: 5 });
    const messages = checked.errors.map((e) => e.message).join('\n');
    expect(messages).toContain('current_site_code: no site KH99-NONE in KH');
    expect(messages).toContain('current_site_code: site KH22-OLD is CLOSED');
    expect(messages).toContain('current_site_code: site KH22-PGD-01 is in province KH22, not KH17');
    expect(messages).toContain('return_when: only with intends YES');
    expect(messages).toContain('displaced_since: must not be in the future');
    const [ok] = await householdsOf('org-sites');
    expect(ok).toMatchObject({
      current: { siteId: sites.get('KH22-PGD-01') },
      displacedSince: '2025-12-14',
      returnIntentions: { intends: 'YES', when: '1_TO_3_MONTHS', obstacles: ['MINES_OR_UXO', 'HOUSE_DESTROYED'] },
    });
    const statsAfter = await readDisplacementStats('KH');
    expect((statsAfter.ri_YES ?? 0) - (statsBefore.ri_YES ?? 0)).toBe(1);
    expect((statsAfter.rio_HOUSE_DESTROYED ?? 0) - (statsBefore.rio_HOUSE_DESTROYED ?? 0)).toBe(1);

    // A generated file with its sites, imported with a crash in the middle: every figure counted once.
    const file = [...householdCsvLines({ people: 400, seed: 21, documentOffset: 600_000, keyPrefix: 'SITES', withSites: true })].join('');
    const { id } = await createJob('org-sites-gen');
    const { markUploaded } = await import('#shared/db/repositories/household-imports.ts');
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(join(process.env.DATA_DIR!, 'uploads'), { recursive: true });
    await writeFile(uploadPath(id), file);
    await markUploaded(id, Buffer.byteLength(file), new Date().toISOString());
    const source = { open: async () => createReadStream(uploadPath(id)) };
    const presentBefore = await readSiteStats('KH');
    expect(await runImport(id, source, { chunkHouseholds: 20, stopAfterChunks: 2 })).toBe('STOPPED');
    expect(await runImport(id, source, { chunkHouseholds: 20, stopBeforeCommit: true })).toBe('STOPPED');
    expect(await runImport(id, source, { chunkHouseholds: 20 })).toBe('COMPLETED');
    const stored = await householdsOf('org-sites-gen');
    expect(stored.filter((h) => (h.current as { siteId?: string }).siteId).length).toBeGreaterThan(20);
    const presentAfter = await readSiteStats('KH');
    const flows = await readSiteFlows('KH', '2025-07', '2025-12');
    for (const [code, siteId] of sites) {
      const here = stored.filter((h) => (h.current as { siteId?: string }).siteId === siteId);
      expect([code, (presentAfter.get(siteId)?.hh ?? 0) - (presentBefore.get(siteId)?.hh ?? 0)]).toEqual([code, here.length]);
      expect((presentAfter.get(siteId)?.p ?? 0) - (presentBefore.get(siteId)?.p ?? 0)).toBe(here.reduce((n, h) => n + (h.members as unknown[]).length, 0));
      // Arrivals by month of displaced_since (the one household of the first file arrived in December).
      for (const month of ['2025-07', '2025-12']) {
        const arrived =
          here.filter((h) => String(h.displacedSince).startsWith(month)).length + (siteId === sites.get('KH22-PGD-01') && month === '2025-12' ? 1 : 0);
        expect([code, month, flows.get(month)?.[`arr_hh_${siteId}`] ?? 0]).toEqual([code, month, arrived]);
      }
    }
  });

  it('shows a job to its organisation, its country’s ministry and admins; anyone else gets 404', async () => {
    const { id } = await createJob('org-scope');
    const status = async (claims: Parameters<typeof bearer>[0]) =>
      (await root.request(`/v1/household-imports/${id}`, { headers: await bearer(claims) })).status;
    expect(await status({ role: 'relief', country: 'KH', org: 'org-scope' })).toBe(200);
    expect(await status({ role: 'ministry', country: 'KH' })).toBe(200);
    expect(await status({ role: 'admin' })).toBe(200);
    expect(await status({ role: 'relief', country: 'KH', org: 'another-org' })).toBe(404);
    expect(await status({ role: 'ministry', country: 'TH' })).toBe(404);
    expect(await status({ role: 'observer' })).toBe(403);
  });

  it('refuses an upload without a valid token, and a second upload', async () => {
    const { id, uploadUrl } = await createJob('org-token');
    const forged = await root.request(`/v1/household-imports/${id}/upload?token=${encodeURIComponent('9999999999.forged')}`, { method: 'PUT', body: 'x' });
    expect(forged.status).toBe(401);
    expect((await upload(uploadUrl, csvOf([head('T1')]))).status).toBe(200);
    await startLocalImport(id);
    expect((await upload(uploadUrl, csvOf([head('T1')]))).status).toBe(409);
  });
});
