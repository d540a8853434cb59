import { beforeAll, describe, expect, it } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import type { Household } from '../../shared/domain/household.ts';
import type { Task } from '../../shared/domain/task.ts';
import { createHazard, createTask, createTeam, get, hazardBody, post, scanTable, transition } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Regressions for what the fuzzer (fuzz.test.ts) found: each answered 500 before its fix.
 * Numbers the store cannot hold (beyond ±2^53, or closer to 0 than 1e-130) reached DynamoDB in
 * fields no schema bounds, such as a position's altitude or a tiny area, and failed there.
 */
type H = Record<string, string>;
type Problem = { status: number; errors?: { path: string; message: string }[] };

let opsKH: H;
let deminerKH: H;
let relief: H;

const count = async (entity: string) => (await scanTable()).filter((i) => i.entity === entity).length;

const withAltitude = (z: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [103.5, 14.4, z],
      [103.51, 14.4, z],
      [103.51, 14.41, z],
      [103.5, 14.41, z],
      [103.5, 14.4, z],
    ],
  ],
});

beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  relief = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a' });
});

describe('numbers the store cannot hold are a 400 naming the field, never a 500', () => {
  it('a hazard area whose positions carry an altitude of 1e300 or 1e-300 is refused and not stored', async () => {
    const before = await count('HazardArea');
    for (const z of [1e300, -1e300, 1e-300, 5e-324]) {
      const r = await post<Problem>('/v1/hazard-areas', opsKH, hazardBody({ country: 'KH', province: 'KH22', geometry: withAltitude(z) }));
      expect(r.status, `altitude ${z}`).toBe(400);
      expect(r.res.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body.errors).toContainEqual({
        path: 'body.geometry.coordinates.0.0.2',
        message: expect.stringContaining('between 1e-130 and 9007199254740991'),
      });
    }
    expect(await count('HazardArea')).toBe(before);
    // Ordinary altitudes still pass.
    expect((await post('/v1/hazard-areas', opsKH, hazardBody({ country: 'KH', province: 'KH22', geometry: withAltitude(120) }))).status).toBe(201);
  });

  it('a progress report with an area of 1e-320 m² on a task in progress is refused and the task is unchanged', async () => {
    const team = await createTeam(opsKH, 'KH');
    deminerKH = await bearer({ role: 'deminer', country: 'KH', team: team.id });
    const hazard = await createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: withAltitude(0) });
    const task = await createTask(opsKH, { hazardAreaId: hazard.id, teamIds: [team.id] });
    expect((await transition(opsKH, task, 1, 'ASSIGNED')).status).toBe(200);
    expect((await transition(deminerKH, task, 2, 'IN_PROGRESS')).status).toBe(200);
    const r = await post<Problem>(`/v1/tasks/${task.id}/progress`, deminerKH, { reportDate: '2026-01-12', areaClearedSqm: 1e-320 });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'body.areaClearedSqm', message: expect.any(String) }]);
    const after = await get<Task>(`/v1/tasks/${task.id}`, opsKH);
    expect(after.body).toMatchObject({ version: 3, status: 'IN_PROGRESS' });
    expect(await count('ProgressReport')).toBe(0);
  });

  it('a household destination point with an altitude of 1e300 is refused and the household keeps its version', async () => {
    const created = await householdsApp.request('/v1/households', {
      method: 'POST',
      headers: { ...relief, 'content-type': 'application/json' },
      body: JSON.stringify({
        origin: { province: 'KH22' },
        current: { province: 'KH17', site: 'Pagoda camp 4' },
        members: [{ givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD' }],
        consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const household = (await created.json()) as Household;
    const patched = await householdsApp.request(`/v1/households/${household.id}`, {
      method: 'PATCH',
      headers: { ...relief, 'content-type': 'application/merge-patch+json', 'if-match': '"1"' },
      body: JSON.stringify({ destination: { province: 'KH22', point: { type: 'Point', coordinates: [103.52, 14.42, 1e300] } } }),
    });
    expect(patched.status).toBe(400);
    expect(((await patched.json()) as Problem).errors).toEqual([{ path: 'body.destination.point.coordinates.2', message: expect.any(String) }]);
    const read = await householdsApp.request(`/v1/households/${household.id}`, { headers: relief });
    expect(((await read.json()) as Household).version).toBe(1);
  });
});
