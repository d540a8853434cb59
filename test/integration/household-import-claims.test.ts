import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { mountLocalImports, startLocalImport } from '../../infra/local/imports.ts';
import type { HouseholdImportView, ImportRow } from '../../shared/domain/household-import.ts';
import type { Household } from '../../shared/domain/household.ts';
import { json } from '../support/fixtures.ts';
import { csvOf, headRow, householdsOf } from '../support/imports.ts';
import { bearer } from '../support/tokens.ts';

/**
 * The race between an import and a registration through the API that claim the same identity
 * document: the import decides a chunk (reading the claims), and the registration commits its
 * claim before the import writes its own with BatchWriteItem (which overwrites it). The importer's
 * assessment step, which runs between the two, is wrapped so that the test registers the
 * household at exactly that moment.
 */
const between = vi.hoisted(() => ({ assessed: undefined as undefined | (() => Promise<void>) }));

vi.mock('../../functions/importer/hooks.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../functions/importer/hooks.ts')>();
  return {
    ...real,
    assessSafety: async (...args: Parameters<typeof real.assessSafety>) => {
      const safety = await real.assessSafety(...args);
      const step = between.assessed;
      between.assessed = undefined;
      if (step) await step();
      return safety;
    },
  };
});

process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-import-claims-'));

let relief: Record<string, string>;
let apiRelief: Record<string, string>;
let admin: Record<string, string>;

beforeAll(async () => {
  relief = await bearer({ role: 'relief', country: 'KH', org: 'org-import', sub: 'registrar-import' });
  apiRelief = await bearer({ role: 'relief', country: 'KH', org: 'org-desk', sub: 'registrar-desk' });
  admin = await bearer({ role: 'admin' });
});

const row = (key: string, document: string, given: string): ImportRow =>
  headRow(key, { destination_province: '', given_name: given, document_type: 'NATIONAL_ID', document_number: document });

describe('an identity document registered through the API while a file is imported', () => {
  it('the registration keeps the document; the import refuses that household, imports the others and says why', async () => {
    const imports = new Hono();
    mountLocalImports(imports);
    imports.route('/', householdsApp);
    const created = await imports.request('/v1/household-imports', { method: 'POST', headers: { ...relief, ...json }, body: '{}' });
    expect(created.status).toBe(201);
    const { id, uploadUrl } = (await created.json()) as { id: string; uploadUrl: string };
    const rows = [row('A', '700000001', 'Sokha'), row('B', '700000002', 'Dara')];
    const url = new URL(uploadUrl);
    const uploaded = await imports.request(`${url.pathname}${url.search}`, {
      method: 'PUT',
      body: csvOf(rows),
      headers: { 'content-type': 'text/csv' },
    });
    expect(uploaded.status).toBe(200);

    // After the import decided its chunk, a desk registers a household with household B's document.
    let desk: Household | undefined;
    between.assessed = async () => {
      const res = await householdsApp.request('/v1/households', {
        method: 'POST',
        headers: { ...apiRelief, ...json },
        body: JSON.stringify({
          origin: { province: 'KH22' },
          current: { province: 'KH17', site: 'Pagoda camp 4' },
          members: [
            { givenName: 'Dara', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD', document: { type: 'NATIONAL_ID', number: '700000002' } },
          ],
          consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
        }),
      });
      expect(res.status).toBe(201);
      desk = (await res.json()) as Household;
    };
    await startLocalImport(id);
    expect(desk).toBeDefined();

    const job = (await (await imports.request(`/v1/household-imports/${id}`, { headers: relief })).json()) as HouseholdImportView;
    expect(job).toMatchObject({ status: 'COMPLETED', rowsTotal: 2, rowsImported: 1, rowsRejected: 1, households: 1, householdsRejected: 1 });
    const errors = (await (await imports.request(`/v1/household-imports/${id}/errors`, { headers: relief })).json()) as {
      items: { row: number; message: string }[];
    };
    // The desk is another organisation: the error names no household, and the refusal is in the desk household's access log.
    expect(errors.items).toEqual([
      {
        row: 3,
        message: 'household B: the identity document is registered by another organisation; ask your ministry (registered while this file was imported)',
      },
    ]);
    const log = (await (await householdsApp.request(`/v1/households/${desk!.id}/access-log`, { headers: admin })).json()) as {
      items: { purpose: string; importId?: string; actor: { org: string } }[];
    };
    expect(log.items).toEqual([expect.objectContaining({ purpose: 'DUPLICATE_REFUSED', importId: id, actor: expect.objectContaining({ org: 'org-import' }) })]);

    // One household holds the document: the desk's, found by a lookup; the import wrote only household A.
    const lookup = await householdsApp.request('/v1/households/lookup', {
      method: 'POST',
      headers: { ...admin, ...json },
      body: JSON.stringify({ country: 'KH', documentType: 'NATIONAL_ID', documentNumber: '700000002' }),
    });
    expect(lookup.status).toBe(200);
    expect(((await lookup.json()) as { items: { id: string }[] }).items.map((h) => h.id)).toEqual([desk!.id]);
    const imported = await householdsOf('org-import');
    expect(imported).toHaveLength(1);
    expect((imported[0]!.members as { givenName: string }[])[0]!.givenName).toBe('Sokha');
    expect(await householdsOf('org-desk')).toHaveLength(1);
  });
});
