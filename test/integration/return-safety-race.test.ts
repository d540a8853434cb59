import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as sitesApp } from '../../functions/sites/app.ts';
import { app as notificationsApp } from '../../functions/notifications/app.ts';
import { app as tasksApp } from '../../functions/tasks/app.ts';
import { mountLocalImports, startLocalImport } from '../../infra/local/imports.ts';
import type { HouseholdImportView } from '../../shared/domain/household-import.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { Household, HouseholdSummary } from '../../shared/domain/household.ts';
import { EventType, type EventEnvelope } from '../../shared/events/catalogue.ts';
import { createHazard, json, square } from '../support/fixtures.ts';
import { csvOf, headRow } from '../support/imports.ts';
import { bearer } from '../support/tokens.ts';

/**
 * The race between assessing a household's return safety and committing it: a hazard area
 * recorded in between is neither seen by the assessment (too early) nor by the area's own
 * recomputation (which reads the households before this one is stored). The assessment (which the
 * households routes and the importer both call) is wrapped so that a test can record an area at
 * exactly that moment; without the guard, the household would stay SAFE. A registration commits
 * on condition that no hazard area was written since it read their version (before assessing) and
 * assesses again when one was; a new destination and an import recheck after their commit.
 */
const between = vi.hoisted(() => {
  const state = { assessed: undefined as undefined | (() => Promise<void>), counted: undefined as undefined | (() => void) };
  /** The real assessment, then the step a test placed between it and the commit (once). */
  const wrap =
    <A extends unknown[], R>(assess: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const safety = await assess(...args);
      state.counted?.();
      const step = state.assessed;
      state.assessed = undefined;
      if (step) await step();
      return safety;
    };
  return Object.assign(state, { wrap });
});

vi.mock('../../shared/db/repositories/return-safety.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../shared/db/repositories/return-safety.ts')>();
  return { ...real, assessReturnSafety: between.wrap(real.assessReturnSafety) };
});

process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-safety-race-'));

type AnyApp = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };
async function call<T>(app: AnyApp, method: string, path: string, headers: Record<string, string>, body?: unknown, extra: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), body: (text ? JSON.parse(text) : undefined) as T };
}

let opsKH: Record<string, string>;
let reliefKH: Record<string, string>;
let ministryKH: Record<string, string>;
let admin: Record<string, string>;

const khHousehold = (point: [number, number]) => ({
  origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: point } },
  members: [{ givenName: 'Sreymom', familyName: 'Sovannarith', sex: 'F', birthYear: 1986, relationship: 'HEAD' }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});
const khHazard = (lon: number, lat: number) => createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: square(lon, lat, 0.01) });
const readHousehold = async (id: string) => (await call<Household>(householdsApp, 'GET', `/v1/households/${id}`, admin)).body;
const atRiskIds = async (hazardId: string) =>
  (await call<{ items: HouseholdSummary[] }>(tasksApp, 'GET', `/v1/hazard-areas/${hazardId}/households-at-risk`, admin)).body.items.map((h) => h.id);

async function allEvents(): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  let cursor: string | null = null;
  do {
    const r: { body: { items: EventEnvelope[]; next: string | null } } = await call(
      notificationsApp,
      'GET',
      `/v1/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ministryKH,
    );
    events.push(...r.body.items);
    cursor = r.body.next;
  } while (cursor);
  return events;
}

const safetyEvents = async (householdId: string): Promise<EventEnvelope[]> =>
  (await allEvents()).filter((e) => e.type === EventType.ReturnSafetyChanged && e.subject.id === householdId);

beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  reliefKH = await bearer({ role: 'relief', country: 'KH', org: 'CARE' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoI-KH' });
  admin = await bearer({ role: 'admin' });
});

describe('a hazard area recorded while a household is being stored', () => {
  it('registration: assessed again, the household is registered AT_RISK, in the response, in the table, in the area’s list and in its event', async () => {
    let hazard: HazardArea | undefined;
    let assessments = 0;
    between.assessed = async () => {
      hazard = await khHazard(103.7, 14.3);
    };
    between.counted = () => assessments++;
    const created = await call<Household>(householdsApp, 'POST', '/v1/households', reliefKH, khHousehold([103.705, 14.305]));
    expect(created.status).toBe(201);
    expect(hazard).toBeDefined();
    const id = hazard!.id;
    expect(created.body.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [id] });
    expect(created.etag).toBe(`"${created.body.version}"`);

    const stored = await readHousehold(created.body.id);
    expect(stored.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [id] });
    // The first assessment (before the area) was refused at the commit; the household was never stored SAFE.
    expect(assessments).toBe(2);
    between.counted = undefined;
    expect(stored.version).toBe(1);
    expect(await atRiskIds(id)).toEqual([created.body.id]);
    expect(await safetyEvents(created.body.id)).toEqual([]);
    const registered = (await allEvents()).filter((e) => e.type === EventType.HouseholdRegistered && e.subject.id === created.body.id);
    expect(registered.map((e) => e.data)).toEqual([expect.objectContaining({ returnSafety: 'AT_RISK' })]);

    const stats = await call<{ returnSafety: { households: Record<string, number> } }>(sitesApp, 'GET', '/v1/stats/displacement?country=KH', ministryKH);
    expect(stats.status).toBe(200);
    expect(stats.body.returnSafety.households).toMatchObject({ SAFE: 0, AT_RISK: 1 });
  });

  it('a new destination: the household ends AT_RISK', async () => {
    const created = await call<Household>(householdsApp, 'POST', '/v1/households', reliefKH, khHousehold([103.905, 14.305]));
    expect(created.body.returnSafety.status).toBe('SAFE');
    let hazard: HazardArea | undefined;
    between.assessed = async () => {
      hazard = await khHazard(103.8, 14.3);
    };
    const moved = await call<Household>(
      householdsApp,
      'PATCH',
      `/v1/households/${created.body.id}`,
      reliefKH,
      { destination: { province: 'KH22', point: { type: 'Point', coordinates: [103.805, 14.305] } } },
      { 'if-match': `"${created.body.version}"` },
    );
    expect(moved.status).toBe(200);
    expect(hazard).toBeDefined();
    expect(moved.body.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard!.id] });
    expect((await readHousehold(created.body.id)).returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard!.id] });
    expect(await atRiskIds(hazard!.id)).toEqual([created.body.id]);
  });

  it('import: the imported household ends AT_RISK', async () => {
    const imports = new Hono();
    mountLocalImports(imports);
    imports.route('/', householdsApp);
    const created = await call<{ id: string; uploadUrl: string }>(imports, 'POST', '/v1/household-imports', reliefKH, {});
    expect(created.status).toBe(201);
    const row = headRow('RACE-1', { destination_lon: '103.605', destination_lat: '14.305' });
    const url = new URL(created.body.uploadUrl);
    const uploaded = await imports.request(`${url.pathname}${url.search}`, { method: 'PUT', body: csvOf([row]), headers: { 'content-type': 'text/csv' } });
    expect(uploaded.status).toBe(200);
    let hazard: HazardArea | undefined;
    between.assessed = async () => {
      hazard = await khHazard(103.6, 14.3);
    };
    await startLocalImport(created.body.id);
    const job = (await call<HouseholdImportView>(imports, 'GET', `/v1/household-imports/${created.body.id}`, reliefKH)).body;
    expect(job).toMatchObject({ status: 'COMPLETED', households: 1 });
    expect(hazard).toBeDefined();
    const ids = await atRiskIds(hazard!.id);
    expect(ids).toHaveLength(1);
    expect((await readHousehold(ids[0]!)).returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard!.id] });
  });
});
