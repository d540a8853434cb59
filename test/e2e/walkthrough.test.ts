import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import { localToken, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * The walk-through, over HTTP against `npm start`: create a hazard area → create a joint
 * task → assign → the deminer starts, reports progress with a PMN-2 find, suspends with a
 * reason, resumes, completes.
 */
let dataDir: string;
let server: LocalServer;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-walk-'));
  server = await startLocalServer(dataDir, await freePort());
});

afterAll(async () => {
  await server?.stop('SIGINT');
  await rm(dataDir, { recursive: true, force: true });
});

async function call<T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, etag: res.headers.get('etag'), body: (await res.json()) as T };
}

describe('walk-through against npm start', { timeout: 90_000 }, () => {
  it('takes a joint clearance task from plan to completion', async () => {
    const opsTH = localToken(dataDir, '--role', 'operations', '--country', 'TH');
    const opsKH = localToken(dataDir, '--role', 'operations', '--country', 'KH');
    const observer = localToken(dataDir, '--role', 'observer');

    const khTeam = await call<{ id: string }>('POST', '/v1/teams', opsKH, { name: 'CMAC DU3 Team 12', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL', 'MDD'] });
    const thTeam = await call<{ id: string }>('POST', '/v1/teams', opsTH, { name: 'TMAC HMAU 2 Team 1', organisation: 'TMAC', country: 'TH', capabilities: ['MANUAL'] });
    expect([khTeam.status, thTeam.status]).toEqual([201, 201]);

    const hazard = await call<{ id: string; status: string; areaSqm: number }>('POST', '/v1/hazard-areas', opsTH, {
      name: 'Hill 481 north slope',
      country: 'TH',
      province: 'TH34',
      classification: 'CHA',
      evidence: 'DIRECT',
      dateOfInformation: '2025-07-20',
      contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
      geometry: { type: 'Polygon', coordinates: [[[105.0, 14.35], [105.01, 14.35], [105.01, 14.36], [105.0, 14.36], [105.0, 14.35]]] },
    });
    expect(hazard.status).toBe(201);
    expect(hazard.body).toMatchObject({ status: 'OPEN' });

    const task = await call<{ id: string; status: string }>('POST', '/v1/tasks', opsTH, {
      hazardAreaId: hazard.body.id,
      activityType: 'CLEARANCE',
      priority: 1,
      joint: true,
      teamIds: [khTeam.body.id, thTeam.body.id],
      plannedStart: '2026-01-10',
      plannedEnd: '2026-02-10',
    });
    expect(task.status).toBe(201);
    expect(task.etag).toBe('"1"');

    const deminer = localToken(dataDir, '--role', 'deminer', '--country', 'KH', '--team', khTeam.body.id);
    let etag = task.etag!;
    const move = async (token: string, to: string, reason?: string) => {
      const r = await call<{ status: string }>('POST', `/v1/tasks/${task.body.id}/transitions`, token, { to, ...(reason ? { reason } : {}) }, { 'if-match': etag });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.status).toBe(to);
      etag = r.etag!;
    };
    await move(opsTH, 'ASSIGNED');
    await move(deminer, 'IN_PROGRESS');
    const progress = await call('POST', `/v1/tasks/${task.body.id}/progress`, deminer, {
      reportDate: '2026-01-12',
      areaClearedSqm: 1200,
      finds: [{ category: 'AP_MINE', model: 'PMN-2', quantity: 3, position: { type: 'Point', coordinates: [105.005, 14.355] } }],
    });
    expect(progress.status).toBe(201);
    etag = (await call('GET', `/v1/tasks/${task.body.id}`, deminer)).etag!;
    await move(deminer, 'SUSPENDED', 'flooding');
    await move(deminer, 'IN_PROGRESS');
    await move(deminer, 'COMPLETED');

    const done = await call<{ status: string; areaClearedSqm: number; ordnanceFound: number }>('GET', `/v1/tasks/${task.body.id}`, observer);
    expect(done.body).toMatchObject({ status: 'COMPLETED', areaClearedSqm: 1200, ordnanceFound: 3 });
    const area = await call<{ status: string }>('GET', `/v1/hazard-areas/${hazard.body.id}`, observer);
    expect(area.body.status).toBe('WORKED_ON');
    const history = await call<{ items: { action: string; to?: string }[] }>('GET', `/v1/tasks/${task.body.id}/history`, observer);
    expect(history.body.items.map((h) => h.to ?? h.action)).toEqual(['PLANNED', 'ASSIGNED', 'IN_PROGRESS', 'PROGRESS', 'SUSPENDED', 'IN_PROGRESS', 'COMPLETED']);
    const teamView = await call<{ items: { id: string }[] }>('GET', '/v1/tasks?status=COMPLETED', deminer);
    expect(teamView.body.items.map((t) => t.id)).toEqual([task.body.id]);
  });
});
