import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { mountLocalImports, uploadPath } from '../../infra/local/imports.ts';
import type { Household } from '../../shared/domain/household.ts';
import { hazardBody, json, square } from '../support/fixtures.ts';
import { runImport } from '../../functions/importer/run-import.ts';
import { getHousehold } from '../../shared/db/repositories/households.ts';
import { hazardWrite } from '../../shared/db/repositories/hazard-areas.ts';
import { hazardCellWrites } from '../../shared/db/repositories/return-safety.ts';
import { markUploaded } from '../../shared/db/repositories/household-imports.ts';
import { transact } from '../../shared/db/transact.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import { newId } from '../../shared/domain/ids.ts';
import { csvOf, headRow, householdsOf } from '../support/imports.ts';
import { bearer } from '../support/tokens.ts';

process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-import-safety-'));

let relief: Record<string, string>;

beforeAll(async () => {
  relief = await bearer({ role: 'relief', country: 'KH', org: 'org-import', sub: 'registrar-import' });
});

describe('a resumed import', () => {
  it('checks the return safety of the households an earlier run committed (it died before the check at the end)', async () => {
    const imports = new Hono();
    mountLocalImports(imports);
    imports.route('/', householdsApp);
    const created = await imports.request('/v1/household-imports', { method: 'POST', headers: { ...relief, ...json }, body: '{}' });
    const { id } = (await created.json()) as { id: string };
    // R1 near where an area will be recorded; R2 far away, in another cell of the index.
    const file = csvOf([
      headRow('R1', { destination_lon: '104.805', destination_lat: '14.105' }),
      headRow('R2', { given_name: 'Dara', destination_lon: '103.205', destination_lat: '13.505' }),
    ]);
    await mkdir(join(process.env.DATA_DIR!, 'uploads'), { recursive: true });
    await writeFile(uploadPath(id), file);
    await markUploaded(id, Buffer.byteLength(file), new Date().toISOString());
    const source = { open: async () => createReadStream(uploadPath(id)) };

    // The first run commits one chunk (one household, SAFE) and dies.
    expect(await runImport(id, source, { chunkHouseholds: 1, stopAfterChunks: 1 })).toBe('STOPPED');
    const committed = (await householdsOfJob(id))[0]!;
    expect(committed.returnSafety).toMatchObject({ status: 'SAFE' });

    // An area committed around it whose recomputation never ran (as if that process died too).
    const now = new Date().toISOString();
    const hazard = {
      ...(hazardBody({ country: 'KH', province: 'KH22', geometry: square(104.8, 14.1, 0.01) }) as Omit<HazardArea, 'id'>),
      id: newId(),
      reference: 'HA-KH-2026-RESUME',
      version: 1,
      createdAt: now,
      updatedAt: now,
      createdBy: 'ops',
      areaSqm: 1_000_000,
      remainingSqm: 1_000_000,
      status: 'OPEN',
      statusChangedAt: now,
    } as HazardArea;
    await transact([hazardWrite(hazard, 'new'), ...hazardCellWrites(hazard)]);

    expect(await runImport(id, source, { chunkHouseholds: 1 })).toBe('COMPLETED');
    const all = await householdsOfJob(id);
    expect(all).toHaveLength(2);
    expect(all.find((h) => h.id === committed.id)!.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    expect(all.find((h) => h.id !== committed.id)!.returnSafety).toMatchObject({ status: 'SAFE' });
  });
});

/** The households an import job wrote, as stored (the org's list, read in full). */
async function householdsOfJob(jobId: string): Promise<Household[]> {
  const items = await householdsOf('org-import');
  const ids = items.filter((h) => h.importId === jobId).map((h) => String(h.id));
  return (await Promise.all(ids.map((hid) => getHousehold(hid)))).filter((h): h is Household => h !== undefined);
}
