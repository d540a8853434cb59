import { describe, expect, it } from 'vitest';
import { useLocalServer } from '../support/local-server.ts';

/**
 * The walk-through, over HTTP against `npm start`: create a hazard area → create a joint
 * task → assign → the deminer starts, reports progress with a PMN-2 find, suspends with a
 * reason, resumes, completes.
 */
const local = useLocalServer('walk');
const { call } = local;

const flow: { taskId?: string; hazardId?: string; areaSqm?: number; deminer?: string } = {};

describe('walk-through against npm start', { timeout: 240_000 }, () => {
  it('takes a joint clearance task from plan to completion', async () => {
    const opsTH = local.token('--role', 'operations', '--country', 'TH');
    const opsKH = local.token('--role', 'operations', '--country', 'KH');
    const observer = local.token('--role', 'observer');

    const khTeam = await call<{ id: string }>('POST', '/v1/teams', opsKH, {
      name: 'CMAC DU3 Team 12',
      organisation: 'CMAC',
      country: 'KH',
      capabilities: ['MANUAL', 'MDD'],
    });
    const thTeam = await call<{ id: string }>('POST', '/v1/teams', opsTH, {
      name: 'TMAC HMAU 2 Team 1',
      organisation: 'TMAC',
      country: 'TH',
      capabilities: ['MANUAL'],
    });
    expect([khTeam.status, thTeam.status]).toEqual([201, 201]);

    const hazard = await call<{ id: string; status: string; areaSqm: number }>('POST', '/v1/hazard-areas', opsTH, {
      name: 'Hill 481 north slope',
      country: 'TH',
      province: 'TH34',
      classification: 'CHA',
      evidence: 'DIRECT',
      dateOfInformation: '2025-07-20',
      contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [105.0, 14.35],
            [105.01, 14.35],
            [105.01, 14.36],
            [105.0, 14.36],
            [105.0, 14.35],
          ],
        ],
      },
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

    const deminer = local.token('--role', 'deminer', '--country', 'KH', '--team', khTeam.body.id);
    let etag = task.etag!;
    const move = async (token: string, to: string, reason?: string) => {
      const r = await call<{ status: string }>(
        'POST',
        `/v1/tasks/${task.body.id}/transitions`,
        token,
        { to, ...(reason ? { reason } : {}) },
        { 'if-match': etag },
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.status).toBe(to);
      etag = r.etag!;
    };
    await move(opsTH, 'ASSIGNED');
    await move(deminer, 'IN_PROGRESS');
    const progress = await call('POST', `/v1/tasks/${task.body.id}/progress`, deminer, {
      reportDate: new Date().toISOString().slice(0, 10),
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
    expect(history.body.items.map((h) => h.to ?? h.action)).toEqual([
      'PLANNED',
      'ASSIGNED',
      'IN_PROGRESS',
      'PROGRESS',
      'SUSPENDED',
      'IN_PROGRESS',
      'COMPLETED',
    ]);
    const teamView = await call<{ items: { id: string }[] }>('GET', '/v1/tasks?status=COMPLETED', deminer);
    expect(teamView.body.items.map((t) => t.id)).toEqual([task.body.id]);
    Object.assign(flow, { taskId: task.body.id, hazardId: hazard.body.id, areaSqm: hazard.body.areaSqm, deminer });
  });

  it('releases the land: report → reject → rework → report → accept → handover, with statistics equal to a recount', async () => {
    expect(flow.taskId, 'the first walk-through must have run').toBeTruthy();
    const qaTH = local.token('--role', 'qa', '--country', 'TH');
    const qaKH = local.token('--role', 'qa', '--country', 'KH');
    const opsTH = local.token('--role', 'operations', '--country', 'TH');
    const observer = local.token('--role', 'observer');
    const deminer = flow.deminer!;
    const geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [105.0, 14.35],
          [105.01, 14.35],
          [105.01, 14.36],
          [105.0, 14.36],
          [105.0, 14.35],
        ],
      ],
    };
    const report = { taskId: flow.taskId, outcome: 'CLEARED', method: 'MANUAL', depthCm: 13, completedAt: '2026-02-01', geometry };

    const first = await call<{ id: string; eo: { mismatch: boolean } }>('POST', '/v1/cleared-areas', deminer, {
      ...report,
      eoTotals: [{ category: 'AP_MINE', quantity: 2 }],
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.eo.mismatch).toBe(true);
    const rejected = await call(
      'POST',
      `/v1/cleared-areas/${first.body.id}/qa`,
      qaTH,
      { decision: 'REJECTED', nonconformities: [{ type: 'DOCUMENTATION', severity: 'MAJOR', correctiveAction: 'Reconcile EO totals' }] },
      { 'if-match': first.etag! },
    );
    expect(rejected.status).toBe(200);
    const reworking = await call<{ status: string }>('GET', `/v1/tasks/${flow.taskId}`, deminer);
    expect(reworking.body.status).toBe('IN_PROGRESS');
    expect((await call('POST', `/v1/tasks/${flow.taskId}/transitions`, deminer, { to: 'COMPLETED' }, { 'if-match': reworking.etag! })).status).toBe(200);

    const second = await call<{ id: string }>('POST', '/v1/cleared-areas', deminer, { ...report, eoTotals: [{ category: 'AP_MINE', quantity: 3 }] });
    expect(second.status).toBe(201);
    const byKH = await call<{ status: string }>('POST', `/v1/cleared-areas/${second.body.id}/qa`, qaKH, { decision: 'ACCEPTED' }, { 'if-match': second.etag! });
    expect(byKH.status).toBe(200);
    expect(byKH.body.status, 'a joint release waits for the other country').toBe('SUBMITTED');
    const byTH = await call<{ status: string }>('POST', `/v1/cleared-areas/${second.body.id}/qa`, qaTH, { decision: 'ACCEPTED' }, { 'if-match': second.etag! });
    expect(byTH.status).toBe(200);
    expect(byTH.body.status).toBe('QA_ACCEPTED');
    const accepted = await call(
      'POST',
      `/v1/cleared-areas/${second.body.id}/attestation`,
      observer,
      { decision: 'ATTESTED', findings: 'Joint team present; marking in place.' },
      { 'if-match': byTH.etag! },
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    const handed = await call(
      'POST',
      `/v1/cleared-areas/${second.body.id}/handover`,
      opsTH,
      {
        certificateRef: 'TMAC-HO-2026-0001',
        date: '2026-02-20',
        receivedBy: { type: 'COMMUNITY', name: 'Village committee' },
        signatories: [
          { name: 'A', role: 'NATIONAL_AUTHORITY', organisation: 'TMAC' },
          { name: 'B', role: 'OPERATOR', organisation: 'CMAC' },
          { name: 'C', role: 'COMMUNITY', organisation: 'Village' },
        ],
        residualRisk: 'Cleared to 13 cm.',
      },
      { 'if-match': accepted.etag! },
    );
    expect(handed.status, JSON.stringify(handed.body)).toBe(200);
    expect((await call<{ status: string }>('GET', `/v1/hazard-areas/${flow.hazardId}`, observer)).body.status).toBe('HANDED_OVER');

    // Recount from the stored records through the read API.
    type Stats = {
      releasedSqm: Record<string, number>;
      ordnanceFound: Record<string, number>;
      tasksByStatus: Record<string, number>;
      hazardAreasByStatus: Record<string, number>;
      completionReportsByStatus: Record<string, number>;
    };
    const stats = (await call<Stats>('GET', '/v1/stats/land-release?country=TH', observer)).body;
    const reports = (await call<{ items: { status: string; outcome: string; areaSqm: number }[] }>('GET', '/v1/cleared-areas?country=TH&limit=100', observer))
      .body.items;
    const released = reports.filter((r) => r.status === 'QA_ACCEPTED' || r.status === 'HANDED_OVER').reduce((n, r) => n + r.areaSqm, 0);
    expect(stats.releasedSqm.CLEARED).toBe(released);
    expect(stats.releasedSqm.HANDED_OVER).toBe(reports.filter((r) => r.status === 'HANDED_OVER').reduce((n, r) => n + r.areaSqm, 0));
    for (const status of ['QA_REJECTED', 'HANDED_OVER'])
      expect(stats.completionReportsByStatus[status]).toBe(reports.filter((r) => r.status === status).length);
    const progress = (await call<{ items: { finds: { category: string; quantity: number }[] }[] }>('GET', `/v1/tasks/${flow.taskId}/progress`, observer)).body
      .items;
    expect(stats.ordnanceFound.AP_MINE).toBe(
      progress
        .flatMap((p) => p.finds)
        .filter((f) => f.category === 'AP_MINE')
        .reduce((n, f) => n + f.quantity, 0),
    );
    for (const status of ['PLANNED', 'ASSIGNED', 'IN_PROGRESS', 'SUSPENDED', 'COMPLETED', 'CANCELLED']) {
      const listed = (await call<{ items: unknown[] }>('GET', `/v1/tasks?country=TH&status=${status}&limit=100`, observer)).body.items.length;
      expect(stats.tasksByStatus[status], status).toBe(listed);
    }
    for (const status of ['OPEN', 'WORKED_ON', 'SUSPENDED', 'CLOSED', 'HANDED_OVER', 'WITHDRAWN']) {
      const listed = (await call<{ items: unknown[] }>('GET', `/v1/hazard-areas?country=TH&status=${status}&limit=100`, observer)).body.items.length;
      expect(stats.hazardAreasByStatus[status], status).toBe(listed);
    }
    const csv = await fetch(`${local.server().base}/v1/stats/land-release?country=TH&format=csv`, { headers: { authorization: `Bearer ${observer}` } });
    expect((await csv.text()).split('\r\n')[1]).toMatch(/^#country\+code,#adm1\+code,#adm1\+name,/);
  });
});
