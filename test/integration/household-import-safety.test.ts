import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { mountLocalImports, uploadPath } from '../../infra/local/imports.ts';
import type { Household } from '../../shared/domain/household.ts';
import { json, recordHazard } from '../support/fixtures.ts';
import { runImport } from '../../functions/importer/run-import.ts';
import { getHousehold } from '../../shared/db/repositories/households.ts';
import { markUploaded } from '../../shared/db/repositories/household-imports.ts';
import { documentClient } from '../../shared/db/client.ts';
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

    // The first run commits one chunk (R1, SAFE) and dies (R2's items may be written by then, not committed).
    expect(await runImport(id, source, { chunkHouseholds: 1, stopAfterChunks: 1 })).toBe('STOPPED');
    const committed = (await householdsOfJob(id)).find((h) => h.destination?.point?.coordinates[0] === 104.805)!;
    expect(committed.returnSafety).toMatchObject({ status: 'SAFE' });

    // An area committed around it whose recomputation never ran (as if that process died too).
    const hazard = await recordHazard(104.8, 14.1, 'HA-KH-2026-RESUME');

    expect(await runImport(id, source, { chunkHouseholds: 1 })).toBe('COMPLETED');
    const all = await householdsOfJob(id);
    expect(all).toHaveLength(2);
    expect(all.find((h) => h.id === committed.id)!.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    expect(all.find((h) => h.id !== committed.id)!.returnSafety).toMatchObject({ status: 'SAFE' });
  });
});

describe("an import's check of return safety at the end", () => {
  it('reads a cell once for the households of a chunk, none again when no hazard area was written since the job began, and stores what the first assessment found', async () => {
    const imports = new Hono();
    mountLocalImports(imports);
    imports.route('/', householdsApp);
    const created = await imports.request('/v1/household-imports', { method: 'POST', headers: { ...relief, ...json }, body: '{}' });
    const { id } = (await created.json()) as { id: string };
    // An area recorded before the job: S1's destination inside it is AT_RISK from its first assessment.
    const hazard = await recordHazard(104.5, 13.9, 'HA-KH-2026-BEFORE');
    const file = csvOf([
      headRow('S1', { destination_lon: '104.505', destination_lat: '13.905' }),
      headRow('S2', { given_name: 'Dara' }),
      headRow('S3', { given_name: 'Sokha', destination_lon: '104.506', destination_lat: '13.906' }),
    ]);
    await mkdir(join(process.env.DATA_DIR!, 'uploads'), { recursive: true });
    await writeFile(uploadPath(id), file);
    await markUploaded(id, Buffer.byteLength(file), new Date().toISOString());
    const send = vi.spyOn(documentClient, 'send');
    expect(await runImport(id, { open: async () => createReadStream(uploadPath(id)) })).toBe('COMPLETED');
    const queried = send.mock.calls.map(([c]) => (c as unknown as { input: { ExpressionAttributeValues?: Record<string, unknown> } }).input);
    send.mockRestore();
    const cellQueries = queried.filter((input) => String(input.ExpressionAttributeValues?.[':pk'] ?? '').startsWith('HHGEO#'));
    expect(cellQueries).toEqual([]);
    // S1 and S3, assessed together in one chunk, share one read of their cell's hazard areas.
    const hazardCellQueries = queried.filter((input) => String(input.ExpressionAttributeValues?.[':pk'] ?? '').startsWith('HAGEO#'));
    expect(hazardCellQueries).toHaveLength(1);
    const stored = await householdsOfJob(id);
    const withPoints = stored.filter((h) => h.destination?.point);
    expect(withPoints).toHaveLength(2);
    for (const h of withPoints) expect(h.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
  });
});

/** The households an import job wrote, as stored (the org's list, read in full). */
async function householdsOfJob(jobId: string): Promise<Household[]> {
  const items = await householdsOf('org-import');
  const ids = items.filter((h) => h.importId === jobId).map((h) => String(h.id));
  return (await Promise.all(ids.map((hid) => getHousehold(hid)))).filter((h): h is Household => h !== undefined);
}
