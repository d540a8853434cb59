import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { Api } from '#shared/http/api.ts';
import * as idempotency from '#shared/http/idempotency.ts';
import type { HouseholdImportView } from '#shared/domain/household-import.ts';
import { ValueTranslator } from '#shared/domain/import-columns.ts';
import { VALUE_FIELDS, type ValueField } from '#shared/domain/import-mapping.ts';
import { householdImportRoutes } from '../../functions/households/imports.ts';
import { app as setupApp } from '../../functions/import-setup/app.ts';
import { openTables, type SourceTable } from '../../functions/importer/sources.ts';
import { mountLocalImports, startLocalImport } from '../../infra/local/imports.ts';
import { xlsxWorkbook } from '../../shared/files/xlsx-writer.ts';
import { householdsOf } from '../support/imports.ts';
import { bearer } from '../support/tokens.ts';

process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-import-form-'));

/**
 * The XLSForm of `GET /v1/household-imports/form.xlsx` is what the importer reads: a submission
 * filled from the form's own questions and choices, exported in KoBoToolbox's shape (a households
 * sheet and the `members` repeat sheet), imports with no mapping and no ignored column; every
 * choice of every list, by name or by any of its labels, is a value the importer knows.
 */
const api = new Api({ idempotency });
householdImportRoutes(api);
const root = new Hono();
mountLocalImports(root);
root.route('/', setupApp);
root.route('/', api.app);
const relief = (org: string) => bearer({ role: 'relief', country: 'KH', org, sub: `registrar-${org}` });

async function rows(table: SourceTable): Promise<string[][]> {
  const out: string[][] = [];
  for await (const r of table.rows()) out.push(r.cells);
  return out;
}

async function form(): Promise<Map<string, { header: string[]; rows: string[][] }>> {
  const res = await root.request('/v1/household-imports/form.xlsx', { headers: await relief('org-form') });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const bytes = Buffer.from(await res.arrayBuffer());
  const { format, tables } = await openTables(async (r) => Readable.from([r ? bytes.subarray(r.start, r.end + 1) : bytes]), { zip: true, bytes: bytes.length });
  expect(format).toBe('XLSX');
  return new Map(await Promise.all(tables.map(async (t) => [t.name, { header: t.header, rows: await rows(t) }] as const)));
}

describe('the registration XLSForm', () => {
  it('is a workbook with the survey, choices and settings sheets, labels in English, Khmer and Thai', async () => {
    const sheets = await form();
    expect([...sheets.keys()]).toEqual(['survey', 'choices', 'settings']);
    expect(sheets.get('survey')!.header).toEqual(
      expect.arrayContaining(['type', 'name', 'label::English (en)', 'label::Khmer (km)', 'label::Thai (th)', 'required', 'constraint']),
    );
    const provinces = sheets
      .get('choices')!
      .rows.filter((r) => r[0] === 'province')
      .map((r) => r[1]);
    expect(provinces).toContain('KH22');
    expect(provinces.every((p) => p!.startsWith('KH'))).toBe(true);
    expect(sheets.get('settings')!.rows[0]![1]).toBe('clearway_household_kh');
  });

  it('accepts every choice of the form, by its name or any of its labels', async () => {
    const sheets = await form();
    const lists: Record<string, ValueField> = {
      sex: 'sex',
      relationship: 'relationship',
      consent_purpose: 'consent_purposes',
      specific_need: 'specific_needs',
      document_type: 'document_type',
      yes_no: 'consent_given',
    };
    expect(Object.values(lists).sort()).toEqual([...VALUE_FIELDS].sort());
    const unknown: string[] = [];
    const values = new ValueTranslator(undefined, (field, value) => unknown.push(`${field}:${value}`));
    for (const [list, name, en, km, th] of sheets.get('choices')!.rows) {
      const field = lists[list!];
      if (!field) continue;
      for (const given of [name!, en!, km!, th!]) expect(values.translate(field, given), `${list} ${given}`).toBe(name);
    }
    expect(unknown).toEqual([]);
  });

  it('a submission filled from the form and exported in KoBoToolbox shape imports with no mapping', async () => {
    const sheets = await form();
    const survey = sheets.get('survey')!;
    const col = (n: string) => survey.header.indexOf(n);
    const choicesOf = (list: string) =>
      sheets
        .get('choices')!
        .rows.filter((r) => r[0] === list)
        .map((r) => r[1]!);
    const path: string[] = [];
    const household: [string, string][] = [];
    const member: [string, (i: number) => string][] = [];
    const questions: string[] = [];
    for (const q of survey.rows) {
      const [type, name] = [q[col('type')]!, q[col('name')]!];
      if (type === 'begin_group' || type === 'begin_repeat') {
        path.push(name);
        continue;
      }
      if (type === 'end_group' || type === 'end_repeat') {
        path.pop();
        continue;
      }
      if (type === 'calculate') continue;
      questions.push(name);
      const required = q[col('required')] === 'yes';
      const [kind, list] = type.split(' ');
      const fill = (i: number): string => {
        if (kind === 'select_one')
          return list === 'relationship' ? (i === 0 ? 'HEAD' : 'CHILD') : list === 'sex' ? (i === 0 ? 'F' : 'M') : choicesOf(list!)[0]!;
        if (kind === 'select_multiple') return choicesOf(list!).slice(0, 2).join(' ');
        if (kind === 'geopoint') return '14.42 103.52 0 5';
        if (kind === 'date') return name === 'birth_date' ? '' : '2026-01-15';
        if (kind === 'integer') return i === 0 ? '1986' : '2012';
        if (name === 'contact_phone') return '+85512345678';
        if (name === 'document_number') return `FORM00${i}`;
        return required || name === 'current_site' ? `${name} ${i}` : '';
      };
      const column = `${path.join('/')}/${name}`;
      if (path.includes('members')) member.push([column, fill]);
      else household.push([column, fill(0)]);
    }
    const meta = ['_id', '_uuid', '_submission_time', '_validation_status', '_status', '_submitted_by', '__version__', '_index'];
    const workbook = xlsxWorkbook(
      [
        {
          name: 'Clearway household registration',
          rows: [
            [...household.map(([c]) => c), 'head_count', ...meta],
            [...household.map(([, v]) => v), '1', '301', 'uuid-301', '2026-01-16T02:00:00', '', 'submitted_via_web', 'kobo', 'v1', '1'],
          ],
        },
        {
          name: 'members',
          rows: [
            [...member.map(([c]) => c), '_index', '_parent_table_name', '_parent_index', '_submission__id', '_submission__uuid'],
            ...[0, 1].map((i) => [...member.map(([, f]) => f(i)), String(i + 1), 'Clearway household registration', '1', '301', 'uuid-301']),
          ],
        },
      ],
      { sharedStrings: true },
    );
    const created = await root.request('/v1/household-imports', {
      method: 'POST',
      headers: { ...(await relief('org-form')), 'content-type': 'application/json' },
      body: '{}',
    });
    const { id, uploadUrl } = (await created.json()) as { id: string; uploadUrl: string };
    const url = new URL(uploadUrl);
    expect((await root.request(`${url.pathname}${url.search}`, { method: 'PUT', body: new Uint8Array(workbook) })).status).toBe(200);
    await startLocalImport(id);
    const job = (await (await root.request(`/v1/household-imports/${id}`, { headers: await relief('org-form') })).json()) as HouseholdImportView;
    expect(job.errors).toEqual([]);
    expect(job).toMatchObject({ status: 'COMPLETED', rowsImported: 2, households: 1, rowsRejected: 0 });
    expect(job.report?.ignored).toEqual([]);
    expect(job.report?.unmappedValues).toEqual([]);
    // Every question of the form is a column the importer recognised by its name.
    const recognised = new Set(job.report!.recognised.map((r) => r.column.split('/').pop()));
    expect(questions.filter((q) => !recognised.has(q))).toEqual([]);
    const [stored] = await householdsOf('org-form');
    expect(stored).toMatchObject({
      destination: { province: 'KH01', point: { type: 'Point', coordinates: [103.52, 14.42] } },
      contact: { phone: '+85512345678' },
    });
  });
});
