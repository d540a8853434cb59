import { beforeAll, describe, expect, it } from 'vitest';
import { app as clearedApp } from '../../functions/cleared-areas/app.ts';
import type { ClearedArea } from '../../shared/domain/cleared-area.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { Task } from '../../shared/domain/task.ts';
import type { Team } from '../../shared/domain/team.ts';
import { createHazard, createTask, createTeam, get, json, post, scanTable, square, transition } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

let opsKH: Record<string, string>;
let opsTH: Record<string, string>;
let qaKH: Record<string, string>;
let qaTH: Record<string, string>;
let observer: Record<string, string>;
let khTeam: Team;
let thTeam: Team;
let deminerKH: Record<string, string>;

async function call<T>(method: string, path: string, headers: Record<string, string>, body?: unknown, extra: Record<string, string> = {}) {
  const res = await clearedApp.request(path, {
    method,
    headers: { ...headers, ...(body ? json : {}), ...extra },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, res, text, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined) as T };
}

const scanAll = scanTable;

const itemCount = async () => (await scanAll()).length;

/** Land-release statistics recounted from the stored records (a test-only Scan). */
async function recount() {
  const items = await scanAll();
  const count = (entity: string, field: string) => {
    const out: Record<string, number> = {};
    for (const i of items.filter((i) => i.entity === entity)) out[String(i[field])] = (out[String(i[field])] ?? 0) + 1;
    return out;
  };
  const released: Record<string, number> = {};
  let handedOver = 0;
  for (const a of items.filter((i) => i.entity === 'ClearedArea') as unknown as ClearedArea[]) {
    // Released m² count per part, each under its own outcome.
    if (a.status === 'QA_ACCEPTED' || a.status === 'HANDED_OVER') for (const p of a.parts) released[p.outcome] = (released[p.outcome] ?? 0) + p.areaSqm;
    if (a.status === 'HANDED_OVER') handedOver += a.areaSqm;
  }
  const eo: Record<string, number> = {};
  for (const r of items.filter((i) => i.entity === 'ProgressReport') as unknown as { finds: { category: string; quantity: number }[] }[])
    for (const f of r.finds) eo[f.category] = (eo[f.category] ?? 0) + f.quantity;
  return { tasks: count('Task', 'status'), hazards: count('HazardArea', 'status'), reports: count('ClearedArea', 'status'), released, handedOver, eo };
}

const nonZero = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));

async function expectStatsMatchRecount() {
  const stats = await call<{
    releasedSqm: Record<string, number>;
    ordnanceFound: Record<string, number>;
    tasksByStatus: Record<string, number>;
    hazardAreasByStatus: Record<string, number>;
    completionReportsByStatus: Record<string, number>;
  }>('GET', '/v1/stats/land-release', observer);
  expect(stats.status).toBe(200);
  const truth = await recount();
  expect(nonZero(stats.body.tasksByStatus)).toEqual(truth.tasks);
  expect(nonZero(stats.body.hazardAreasByStatus)).toEqual(truth.hazards);
  expect(nonZero(stats.body.completionReportsByStatus)).toEqual(truth.reports);
  const { HANDED_OVER: handed, ...released } = stats.body.releasedSqm;
  expect(nonZero(released)).toEqual(truth.released);
  expect(handed).toBe(truth.handedOver);
  expect(nonZero(stats.body.ordnanceFound)).toEqual(truth.eo);
  return stats.body;
}

/** A task taken to COMPLETED, with one progress report of `finds` AP mines. */
async function completedTask(hazard: HazardArea, finds = 3, joint = true): Promise<Task> {
  const ops = hazard.country === 'KH' ? opsKH : opsTH;
  const task = await createTask(ops, {
    hazardAreaId: hazard.id,
    joint,
    teamIds: joint ? [khTeam.id, thTeam.id] : [hazard.country === 'KH' ? khTeam.id : thTeam.id],
  });
  expect((await transition(ops, task, 1, 'ASSIGNED')).status).toBe(200);
  expect((await transition(ops, task, 2, 'IN_PROGRESS')).status).toBe(200);
  const position = { type: 'Point', coordinates: hazard.geometry.type === 'Polygon' ? hazard.geometry.coordinates[0]![0]! : [0, 0] };
  expect(
    (
      await post(`/v1/tasks/${task.id}/progress`, ops, {
        reportDate: new Date().toISOString().slice(0, 10),
        areaClearedSqm: 500,
        finds: finds ? [{ category: 'AP_MINE', model: 'PMN-2', quantity: finds, position }] : [],
      })
    ).status,
  ).toBe(201);
  const done = await transition(ops, task, 4, 'COMPLETED');
  expect(done.status).toBe(200);
  return done.body;
}

const report = (task: Task, hazard: HazardArea, extra: Record<string, unknown> = {}) => ({
  taskId: task.id,
  outcome: 'CLEARED',
  method: 'MANUAL',
  depthCm: 13,
  completedAt: '2026-02-01',
  geometry: hazard.geometry,
  ...extra,
});

const handover = {
  certificateRef: 'TMAC-HO-2026-0007',
  date: '2026-02-20',
  receivedBy: { type: 'COMMUNITY', name: 'Ban Nong Waeng village committee' },
  signatories: [
    { name: 'Col. Somchai P.', role: 'NATIONAL_AUTHORITY', organisation: 'TMAC' },
    { name: 'Team leader Dara K.', role: 'OPERATOR', organisation: 'CMAC' },
    { name: 'Village head Nop S.', role: 'COMMUNITY', organisation: 'Ban Nong Waeng' },
    { name: 'Observer A. Rahman', role: 'AOT_OBSERVER', organisation: 'ASEAN Observer Team' },
  ],
  residualRisk: 'Cleared to 13 cm; deeper legacy items cannot be excluded. Report any suspicious item to the provincial mine action office.',
};

beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  opsTH = await bearer({ role: 'operations', country: 'TH' });
  qaKH = await bearer({ role: 'qa', country: 'KH' });
  qaTH = await bearer({ role: 'qa', country: 'TH' });
  observer = await bearer({ role: 'observer' });
  khTeam = await createTeam(opsKH, 'KH');
  thTeam = await createTeam(opsTH, 'TH');
  deminerKH = await bearer({ role: 'deminer', country: 'KH', team: khTeam.id });
});

describe('land release: report → reject → rework → report → accept → handover', () => {
  it('releases the land and keeps the statistics equal to a recount at every step', async () => {
    const hazard = await createHazard(opsTH, { geometry: square(105.1, 14.4) });
    const task = await completedTask(hazard, 3);

    const first = await call<ClearedArea>('POST', '/v1/cleared-areas', deminerKH, report(task, hazard, { eoTotals: [{ category: 'AP_MINE', quantity: 2 }] }));
    expect(first.status, first.text).toBe(201);
    expect(first.body).toMatchObject({
      status: 'SUBMITTED',
      submittingTeamId: khTeam.id,
      countries: ['KH', 'TH'],
      eo: { fromProgressReports: { AP_MINE: 3 }, reported: { AP_MINE: 2 }, mismatch: true, differences: { AP_MINE: -1 } },
    });
    expect(first.body.areaSqm).toBe(hazard.areaSqm);
    await expectStatsMatchRecount();

    const rejected = await call<ClearedArea>(
      'POST',
      `/v1/cleared-areas/${first.body.id}/qa`,
      qaTH,
      { decision: 'REJECTED', nonconformities: [{ type: 'DOCUMENTATION', severity: 'MAJOR', correctiveAction: 'Reconcile EO totals with the daily reports' }] },
      { 'if-match': '"1"' },
    );
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body.status).toBe('QA_REJECTED');
    const reworking = await get<Task>(`/v1/tasks/${task.id}`, observer);
    expect(reworking.body.status).toBe('IN_PROGRESS');
    expect(reworking.body.statusReason).toMatch(/QA of TH rejected/);
    await expectStatsMatchRecount();

    const again = await transition(deminerKH, task, reworking.body.version, 'COMPLETED');
    expect(again.status).toBe(200);
    const second = await call<ClearedArea>('POST', '/v1/cleared-areas', deminerKH, report(task, hazard, { eoTotals: [{ category: 'AP_MINE', quantity: 3 }] }));
    expect(second.status, second.text).toBe(201);
    expect(second.body.eo).toMatchObject({ mismatch: false, differences: {} });

    const byKH = await call<ClearedArea>(
      'POST',
      `/v1/cleared-areas/${second.body.id}/qa`,
      qaKH,
      { decision: 'ACCEPTED', nonconformities: [] },
      { 'if-match': '"1"' },
    );
    expect(byKH.status, byKH.text).toBe(200);
    expect(byKH.body).toMatchObject({ status: 'SUBMITTED', requiredQaCountries: ['KH', 'TH'], qaDecisions: [{ country: 'KH', decision: 'ACCEPTED' }] });
    // TH decides on the version it read before KH decided: its own slot, not a conflict.
    const accepted = await call<ClearedArea>(
      'POST',
      `/v1/cleared-areas/${second.body.id}/qa`,
      qaTH,
      { decision: 'ACCEPTED', nonconformities: [] },
      { 'if-match': '"1"' },
    );
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body.status).toBe('QA_ACCEPTED');
    const notYet = await call<ClearedArea>('POST', `/v1/cleared-areas/${second.body.id}/handover`, opsTH, handover, { 'if-match': '"3"' });
    expect(notYet.status, 'a joint release is handed over only once attested').toBe(409);
    const attested = await call<ClearedArea>(
      'POST',
      `/v1/cleared-areas/${second.body.id}/attestation`,
      observer,
      { decision: 'ATTESTED', findings: 'Marking and fencing in place; joint team present at every visit.' },
      { 'if-match': '"3"' },
    );
    expect(attested.status, attested.text).toBe(200);
    const closed = await get<HazardArea>(`/v1/hazard-areas/${hazard.id}`, observer);
    expect(closed.body).toMatchObject({ status: 'CLOSED', remainingSqm: 0, releasedSqm: hazard.areaSqm });
    const afterAccept = await expectStatsMatchRecount();
    expect(afterAccept.releasedSqm.CLEARED).toBeGreaterThanOrEqual(hazard.areaSqm);

    const handed = await call<ClearedArea>('POST', `/v1/cleared-areas/${second.body.id}/handover`, opsTH, handover, { 'if-match': '"4"' });
    expect(handed.status, handed.text).toBe(200);
    expect(handed.body).toMatchObject({ status: 'HANDED_OVER', handover: { certificateRef: 'TMAC-HO-2026-0007', attestation: { decision: 'ATTESTED' } } });
    const final = await get<HazardArea>(`/v1/hazard-areas/${hazard.id}`, observer);
    expect(final.body).toMatchObject({ status: 'HANDED_OVER', handedOverSqm: hazard.areaSqm });
    await expectStatsMatchRecount();

    const history = await get<{ items: { to?: string }[] }>(`/v1/hazard-areas/${hazard.id}/history`, observer);
    expect(history.body.items.map((h) => h.to)).toEqual(['OPEN', 'WORKED_ON', 'CLOSED', 'HANDED_OVER']);
    const events = (await scanAll()).filter((i) => i.entity === 'OutboxEvent').map((i) => i.event as { type: string; subject: { id: string } });
    const types = events.filter((e) => e.subject.id === first.body.id || e.subject.id === second.body.id).map((e) => e.type);
    expect(types.sort()).toEqual([
      'ClearedAreaQaDecided',
      'ClearedAreaQaDecided',
      'ClearedAreaQaDecided',
      'ClearedAreaSubmitted',
      'ClearedAreaSubmitted',
      'LandHandedOver',
      'ReleaseAttested',
    ]);
  });
});

describe('bad input and integrity: a clear 4xx and nothing written', () => {
  it('refuses a report for a task that is not completed', async () => {
    const hazard = await createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: square(103.5, 14.3) });
    const task = await createTask(opsKH, { hazardAreaId: hazard.id, teamIds: [khTeam.id] });
    const before = await itemCount();
    const r = await call<{ taskStatus: string }>('POST', '/v1/cleared-areas', opsKH, report(task, hazard));
    expect(r.status).toBe(409);
    expect(r.body.taskStatus).toBe('PLANNED');
    expect(await itemCount()).toBe(before);
  });

  it('refuses land outside the hazard area and CLEARED land without a depth', async () => {
    const hazard = await createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: square(103.6, 14.3) });
    const task = await completedTask(hazard, 0, false);
    const before = await itemCount();
    const outside = await call<{ errors: { path: string; message: string }[] }>(
      'POST',
      '/v1/cleared-areas',
      opsKH,
      report(task, hazard, { geometry: square(103.605, 14.305, 0.01) }),
    );
    expect(outside.status).toBe(400);
    expect(outside.body.errors[0]).toMatchObject({ path: 'body.geometry' });
    expect(outside.body.errors[0]!.message).toMatch(/m outside the remaining land/);
    const noDepth = await call<{ errors: { path: string }[] }>('POST', '/v1/cleared-areas', opsKH, report(task, hazard, { depthCm: undefined }));
    expect(noDepth.status).toBe(400);
    expect(noDepth.body.errors[0]!.path).toBe('body.depthCm');
    expect(await itemCount()).toBe(before);
  });

  it('refuses QA by the other country on a national task, a second decision, and handover of unaccepted land', async () => {
    const hazard = await createHazard(opsKH, { country: 'KH', province: 'KH01', geometry: square(102.9, 13.8) });
    const task = await completedTask(hazard, 1, false);
    const submitted = await call<ClearedArea>(
      'POST',
      '/v1/cleared-areas',
      opsKH,
      report(task, hazard, { outcome: 'REDUCED', depthCm: undefined, method: 'MANUAL' }),
    );
    expect(submitted.status, submitted.text).toBe(201);
    let before = await itemCount();
    const otherCountry = await call('POST', `/v1/cleared-areas/${submitted.body.id}/qa`, qaTH, { decision: 'ACCEPTED' }, { 'if-match': '"1"' });
    expect(otherCountry.status).toBe(403);
    const unaccepted = await call('POST', `/v1/cleared-areas/${submitted.body.id}/handover`, opsKH, handover, { 'if-match': '"1"' });
    expect(unaccepted.status).toBe(409);
    expect(await itemCount()).toBe(before);

    expect((await call('POST', `/v1/cleared-areas/${submitted.body.id}/qa`, qaKH, { decision: 'ACCEPTED' }, { 'if-match': '"1"' })).status).toBe(200);
    before = await itemCount();
    const second = await call<{ currentStatus: string }>(
      'POST',
      `/v1/cleared-areas/${submitted.body.id}/qa`,
      qaKH,
      { decision: 'REJECTED', nonconformities: [{ type: 'DEPTH', severity: 'MAJOR', correctiveAction: 'x' }] },
      { 'if-match': '"2"' },
    );
    expect(second.status).toBe(409);
    expect(second.body.currentStatus).toBe('QA_ACCEPTED');
    const again = await call('POST', '/v1/cleared-areas', opsKH, report(task, hazard));
    expect(again.status).toBe(409);
    expect(await itemCount()).toBe(before);
  });

  it('refuses a rejection without nonconformities and a handover without the community signing', async () => {
    const r = await call<{ errors: { path: string }[] }>(
      'POST',
      '/v1/cleared-areas/01JZZZZZZZZZZZZZZZZZZZZZZZ/qa',
      qaKH,
      { decision: 'REJECTED' },
      { 'if-match': '"1"' },
    );
    expect(r.status).toBe(400);
    expect(r.body.errors[0]!.path).toBe('body.nonconformities');
    const h = await call<{ errors: { path: string }[] }>(
      'POST',
      '/v1/cleared-areas/01JZZZZZZZZZZZZZZZZZZZZZZZ/handover',
      opsKH,
      { ...handover, signatories: handover.signatories.filter((s) => s.role !== 'COMMUNITY') },
      { 'if-match': '"1"' },
    );
    expect(h.status).toBe(400);
    expect(h.body.errors[0]!.path).toBe('body.signatories');
  });
});

describe('concurrency', () => {
  it('lets exactly one of concurrent QA decisions on one report win, and the statistics stay exact', async () => {
    const hazard = await createHazard(opsTH, { province: 'TH32', geometry: square(103.7, 14.5) });
    const task = await completedTask(hazard, 2, false);
    const submitted = await call<ClearedArea>('POST', '/v1/cleared-areas', opsTH, report(task, hazard), { 'idempotency-key': 'report-th32' });
    const retried = await call<ClearedArea>('POST', '/v1/cleared-areas', opsTH, report(task, hazard), { 'idempotency-key': 'report-th32' });
    expect(retried.body.id).toBe(submitted.body.id);
    const decisions = await Promise.all([
      call('POST', `/v1/cleared-areas/${submitted.body.id}/qa`, qaTH, { decision: 'ACCEPTED' }, { 'if-match': '"1"' }),
      call(
        'POST',
        `/v1/cleared-areas/${submitted.body.id}/qa`,
        qaTH,
        { decision: 'REJECTED', nonconformities: [{ type: 'MARKING', severity: 'MINOR', correctiveAction: 'Re-mark' }] },
        { 'if-match': '"1"' },
      ),
      call('POST', `/v1/cleared-areas/${submitted.body.id}/qa`, qaTH, { decision: 'ACCEPTED' }, { 'if-match': '"1"' }),
    ]);
    const statuses = decisions.map((d) => d.status).sort();
    expect(statuses[0]).toBe(200);
    expect(statuses.slice(1).every((s) => s === 409 || s === 412)).toBe(true);
    await expectStatsMatchRecount();
  });

  it('keeps the statistics exact under concurrent writes to one province', async () => {
    const hazard = await createHazard(opsTH, { province: 'TH27', geometry: square(102.6, 13.7) });
    await Promise.all(Array.from({ length: 6 }, (_, i) => createTask(opsTH, { hazardAreaId: hazard.id, teamIds: [thTeam.id], priority: 1 + (i % 5) })));
    await expectStatsMatchRecount();
  });
});

describe('exports', () => {
  it('returns a GeoJSON FeatureCollection for Accept: application/geo+json', async () => {
    const r = await call<never>('GET', '/v1/cleared-areas?country=TH', observer, undefined, { accept: 'application/geo+json' });
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-type')).toBe('application/geo+json');
    const fc = JSON.parse(r.text) as { type: string; features: { type: string; geometry: { type: string }; properties: Record<string, unknown> }[] };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features.length).toBeGreaterThan(0);
    for (const f of fc.features) {
      expect(f.type).toBe('Feature');
      expect(['Polygon', 'MultiPolygon']).toContain(f.geometry.type);
      expect(f.properties).toMatchObject({ country: 'TH' });
      for (const v of Object.values(f.properties)) expect(typeof v === 'object' && v !== null).toBe(false);
    }
  });

  it('exports statistics as CSV with an HXL hashtag row, one row per province', async () => {
    const r = await call<never>('GET', '/v1/stats/land-release?country=TH', observer, undefined, { accept: 'text/csv' });
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, hxl, ...rows] = r.text
      .trim()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(header!.slice(0, 3)).toEqual(['country', 'province_pcode', 'province_name']);
    expect(hxl!.slice(0, 3)).toEqual(['#country+code', '#adm1+code', '#adm1+name']);
    expect(hxl!.every((t) => t.startsWith('#'))).toBe(true);
    expect(rows.map((r) => r[1])).toEqual(['TH22', 'TH23', 'TH27', 'TH31', 'TH32', 'TH33', 'TH34']);
    const th34 = rows.find((r) => r[1] === 'TH34')!;
    const col = (name: string) => Number(th34[header!.indexOf(name)]);
    const json = await call<{ releasedSqm: Record<string, number>; tasksByStatus: Record<string, number> }>(
      'GET',
      '/v1/stats/land-release?province=TH34',
      observer,
    );
    expect(col('released_sqm_cleared')).toBe(json.body.releasedSqm.CLEARED);
    expect(col('tasks_completed')).toBe(json.body.tasksByStatus.COMPLETED);
  });
});
