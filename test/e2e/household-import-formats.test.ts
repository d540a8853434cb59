import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import type { HouseholdImportView } from '../../shared/domain/household-import.ts';
import { koboXlsx } from '../fixtures/imports/kobo-xlsx.ts';
import { localToken, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * What agencies hand over, through `npm start` and real HTTP: a KoBoToolbox XLSX with a members
 * repeat sheet and Khmer value labels, an ODK Central ZIP joined by KEY/PARENT_KEY, and a
 * KoBoToolbox CSV with group paths, metadata and space-separated multiple choices give the same
 * households, people and return safety as the equivalent Clearway CSV; a dry run writes nothing
 * and reports what the real import then does; the XLSForm and saved mappings are served.
 */
type Job = HouseholdImportView;

let server: LocalServer;
let dataDir: string;
const fixture = (name: string) => readFile(new URL(`../fixtures/imports/${name}`, import.meta.url), 'utf8');
const relief = (org: string) => localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', org);

async function call<T>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = res.headers.get('content-type')?.includes('json') ? await res.text() : '';
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** Creates the job, PUTs the file to its upload URL and waits for the job to end. */
async function importFile(org: string, file: Uint8Array | string, options: Record<string, unknown> = {}): Promise<Job> {
  const token = relief(org);
  const created = await call<{ id: string; uploadUrl: string }>('POST', '/v1/household-imports', token, options);
  expect(created.status).toBe(201);
  const put = await fetch(created.body.uploadUrl, { method: 'PUT', body: typeof file === 'string' ? file : new Uint8Array(file) });
  expect(put.status).toBe(200);
  for (;;) {
    const job = await call<Job>('GET', `/v1/household-imports/${created.body.id}`, token);
    if (job.body.status === 'COMPLETED' || job.body.status === 'FAILED') return job.body;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An organisation's households as the API answers them, without ids and times, in a stable order. */
async function households(org: string): Promise<unknown[]> {
  const token = relief(org);
  const list = await call<{ items: { id: string }[] }>('GET', '/v1/households?limit=100', token);
  expect(list.status).toBe(200);
  const full = await Promise.all(list.body.items.map(async (h) => (await call<Record<string, unknown>>('GET', `/v1/households/${h.id}`, token)).body));
  return full
    .map((h) => ({
      status: h.status,
      origin: h.origin,
      current: h.current,
      destination: h.destination,
      contact: h.contact,
      consent: h.consent,
      returnSafety: (h.returnSafety as { status: string }).status,
      members: (h.members as Record<string, unknown>[]).map(({ id: _id, ...m }) => m),
    }))
    .sort((a, b) => JSON.stringify(a.members).localeCompare(JSON.stringify(b.members)));
}

const counts = (j: Job) => ({
  rowsTotal: j.rowsTotal,
  rowsImported: j.rowsImported,
  rowsRejected: j.rowsRejected,
  households: j.households,
  householdsRejected: j.householdsRejected,
});

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-import-formats-e2e-'));
  server = await startLocalServer(dataDir, await freePort());
  // A confirmed hazard area around the first household's place of return: that household is AT_RISK whatever the file's format.
  const ops = localToken(dataDir, '--role', 'operations', '--country', 'KH', '--org', 'CMAC');
  const area = await call('POST', '/v1/hazard-areas', ops, {
    name: 'O Smach east',
    country: 'KH',
    province: 'KH22',
    classification: 'CHA',
    evidence: 'DIRECT',
    dateOfInformation: '2025-07-20',
    contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [103.519, 14.419],
          [103.521, 14.419],
          [103.521, 14.421],
          [103.519, 14.421],
          [103.519, 14.419],
        ],
      ],
    },
  });
  expect(area.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  const pidFile = join(dataDir, 'dynamodb.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('KoBoToolbox and ODK exports through npm start', { timeout: 300_000 }, () => {
  it('import with the same households, people and return safety as the equivalent Clearway CSV', async () => {
    const reference = await importFile('AGENCY-CSV', (await fixture('clearway.csv')).replaceAll('DOCX', 'AA'));
    expect(counts(reference)).toEqual({ rowsTotal: 6, rowsImported: 4, rowsRejected: 2, households: 2, householdsRejected: 1 });
    const expected = await households('AGENCY-CSV');
    expect(expected.map((h) => (h as { returnSafety: string }).returnSafety).sort()).toEqual(['AT_RISK', 'UNKNOWN']);

    const odk = zipSync({
      'clearway_household.csv': strToU8(await fixture('odk/clearway_household.csv')),
      'clearway_household-members.csv': strToU8((await fixture('odk/clearway_household-members.csv')).replaceAll('DOCX', 'CC')),
    });
    const files: [string, Uint8Array | string][] = [
      ['AGENCY-KOBO-XLSX', koboXlsx('BB')],
      ['AGENCY-ODK-ZIP', odk],
      ['AGENCY-KOBO-CSV', (await fixture('kobo.csv')).replaceAll('DOCX', 'DD')],
    ];
    for (const [org, file] of files) {
      const job = await importFile(org, file);
      expect(job.status, `${org}: ${job.message ?? ''}`).toBe('COMPLETED');
      expect(counts(job), org).toEqual(counts(reference));
      expect(
        job.errors.map((e) => e.row),
        org,
      ).toEqual(reference.errors.map((e) => e.row));
      expect(await households(org), org).toEqual(expected);
    }
  });

  it('a dry run writes no household and reports the counts of the real import that follows', async () => {
    const org = 'AGENCY-DRY';
    const ministry = localToken(dataDir, '--role', 'ministry', '--country', 'KH', '--org', 'MOSVY');
    const statsBefore = await call<unknown>('GET', '/v1/stats/displacement?country=KH', ministry);
    const file = koboXlsx('EE');
    const dry = await importFile(org, file, { dryRun: true });
    expect(dry).toMatchObject({ status: 'COMPLETED', dryRun: true });
    expect(dry.report).toMatchObject({ format: 'XLSX', unmappedValues: [] });
    expect(dry.report!.ignored.map((c) => c.column).sort()).toEqual(['members/specific_needs/DS-PM', 'members/specific_needs/SP-PT']);
    expect(await households(org)).toEqual([]);
    expect((await call<unknown>('GET', '/v1/stats/displacement?country=KH', ministry)).body).toEqual(statsBefore.body);

    const real = await importFile(org, file);
    expect(real).toMatchObject({ status: 'COMPLETED', dryRun: false });
    expect(real.duplicateOf).toBeUndefined();
    expect(counts(real)).toEqual(counts(dry));
    expect(real.errors).toEqual(dry.errors);
    expect(await households(org)).toHaveLength(real.households);
  });

  it('serves the XLSForm, and a saved mapping imports a file with other column names and values', async () => {
    const token = relief('AGENCY-MAP');
    const form = await fetch(`${server.base}/v1/household-imports/form.xlsx`, { headers: { authorization: `Bearer ${token}` } });
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(
      Buffer.from(await form.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');

    const mapping = {
      columns: {
        hh: 'household_key',
        lieu: 'origin_province',
        prov: 'current_province',
        camp: 'current_site',
        accord: 'consent_given',
        jour: 'consent_date',
        buts: 'consent_purposes',
        prenom: 'given_name',
        nom: 'family_name',
        genre: 'sex',
        annee: 'birth_year',
        lien: 'relationship',
      },
      values: { sex: { femme: 'F' }, relationship: { chef: 'HEAD' }, consent_given: { oui: 'yes' } },
    };
    const saved = await call<{ id: string }>('POST', '/v1/import-mappings', token, { name: 'Fiche 2026', mapping });
    expect(saved.status).toBe(201);
    const listed = await call<{ items: { id: string; name: string }[] }>('GET', '/v1/import-mappings', token);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: saved.body.id, name: 'Fiche 2026' })]);
    expect((await call('GET', `/v1/import-mappings/${saved.body.id}`, relief('OTHER-AGENCY'))).status).toBe(404);

    const csv =
      'hh,lieu,prov,camp,accord,jour,buts,prenom,nom,genre,annee,lien\nK1,KH22,KH17,Camp 9,oui,2026-01-15,RETURN_ASSISTANCE,Sokha,Chan,femme,1986,chef\n';
    const job = await importFile('AGENCY-MAP', csv, { mappingId: saved.body.id });
    expect(job).toMatchObject({ status: 'COMPLETED', households: 1, rowsImported: 1, mappingId: saved.body.id });
    const unknown = await call('POST', '/v1/household-imports', relief('OTHER-AGENCY'), { mappingId: saved.body.id });
    expect(unknown.status).toBe(400);
  });
});
