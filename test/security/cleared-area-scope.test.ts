import { beforeAll, describe, expect, it } from 'vitest';
import { app as clearedApp } from '../../functions/cleared-areas/app.ts';
import type { ClearedArea } from '../../shared/domain/cleared-area.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { Task } from '../../shared/domain/task.ts';
import type { Team } from '../../shared/domain/team.ts';
import { createHazard, createTask, createTeam, json, post, scanTable, square, transition } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Completion reports follow the tasks' visibility rule in reads and lists alike (operations see
 * their own country's reports and joint ones), and the names in a handover stay in the report's
 * country; free text a person typed for a status change stays out of the events both ministries get.
 */

type Headers = Record<string, string>;
let opsKH: Headers, opsTH: Headers, qaKH: Headers, qaTH: Headers, observer: Headers, admin: Headers;
let khTeam: Team, thTeam: Team;
let national: ClearedArea;
let joint: ClearedArea;

async function call<T>(method: string, path: string, headers: Headers, body?: unknown, extra: Headers = {}) {
  const res = await clearedApp.request(path, {
    method,
    headers: { ...headers, ...(body ? json : {}), ...extra },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, text, body: (text ? JSON.parse(text) : undefined) as T };
}

async function completed(hazard: HazardArea, isJoint: boolean): Promise<Task> {
  const ops = hazard.country === 'KH' ? opsKH : opsTH;
  const task = await createTask(ops, { hazardAreaId: hazard.id, joint: isJoint, teamIds: isJoint ? [khTeam.id, thTeam.id] : [khTeam.id] });
  await transition(ops, task, 1, 'ASSIGNED');
  await transition(ops, task, 2, 'IN_PROGRESS');
  const done = await transition(ops, task, 3, 'COMPLETED');
  return done.body;
}

const handover = {
  certificateRef: 'CMAA-HO-2026-0042',
  date: new Date().toISOString().slice(0, 10),
  receivedBy: { type: 'LAND_USER', name: 'Sok Chanthy' },
  signatories: [
    { name: 'Keo Vanna', role: 'NATIONAL_AUTHORITY', organisation: 'CMAA' },
    { name: 'Heng Dara', role: 'OPERATOR', organisation: 'CMAC' },
    { name: 'Chea Sophal', role: 'COMMUNITY', organisation: 'O Bei Choan commune' },
  ],
  residualRisk: 'Cleared to 13 cm.',
};
const NAMES = ['Sok Chanthy', 'Keo Vanna', 'Heng Dara', 'Chea Sophal'];

beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  opsTH = await bearer({ role: 'operations', country: 'TH' });
  qaKH = await bearer({ role: 'qa', country: 'KH' });
  qaTH = await bearer({ role: 'qa', country: 'TH' });
  observer = await bearer({ role: 'observer' });
  admin = await bearer({ role: 'admin' });
  khTeam = await createTeam(opsKH, 'KH');
  thTeam = await createTeam(opsTH, 'TH');

  const khArea = await createHazard(opsKH, { country: 'KH', province: 'KH01', geometry: square(102.95, 13.85) });
  const nationalTask = await completed(khArea, false);
  const submitted = await call<ClearedArea>('POST', '/v1/cleared-areas', opsKH, {
    taskId: nationalTask.id,
    outcome: 'CLEARED',
    method: 'MANUAL',
    depthCm: 13,
    completedAt: handover.date,
    geometry: khArea.geometry,
  });
  expect(submitted.status, submitted.text).toBe(201);
  expect((await call('POST', `/v1/cleared-areas/${submitted.body.id}/qa`, qaKH, { decision: 'ACCEPTED' }, { 'if-match': '"1"' })).status).toBe(200);
  const handed = await call<ClearedArea>('POST', `/v1/cleared-areas/${submitted.body.id}/handover`, opsKH, handover, { 'if-match': '"2"' });
  expect(handed.status, handed.text).toBe(200);
  national = handed.body;

  const sharedArea = await createHazard(opsKH, { country: 'KH', province: 'KH01', geometry: square(102.97, 13.85) });
  const jointTask = await completed(sharedArea, true);
  const jointReport = await call<ClearedArea>('POST', '/v1/cleared-areas', opsKH, {
    taskId: jointTask.id,
    outcome: 'CLEARED',
    method: 'MANUAL',
    depthCm: 13,
    completedAt: handover.date,
    geometry: sharedArea.geometry,
  });
  expect(jointReport.status, jointReport.text).toBe(201);
  joint = jointReport.body;
});

describe('one visibility rule for completion reports, by id and in lists', () => {
  it("answers another country's operations 404 on a national report by id, and leaves it out of country and province lists", async () => {
    expect((await call('GET', `/v1/cleared-areas/${national.id}`, opsTH)).status).toBe(404);
    for (const [query, jointListed] of [
      ['country=KH', true],
      ['province=KH01', true],
      ['country=KH&status=HANDED_OVER', false],
      ['province=KH01&status=SUBMITTED', true],
    ] as const) {
      const listed = await call<{ items: ClearedArea[] }>('GET', `/v1/cleared-areas?${query}&limit=100`, opsTH);
      expect(listed.status).toBe(200);
      const ids = listed.body.items.map((a) => a.id);
      expect(ids, query).not.toContain(national.id);
      if (jointListed) expect(ids, `${query}: a joint report is theirs too`).toContain(joint.id);
    }
    const geo = await clearedApp.request('/v1/cleared-areas?province=KH01&limit=100', { headers: { ...opsTH, accept: 'application/geo+json' } });
    expect(JSON.stringify(await geo.json())).not.toContain(national.id);
  });

  it('shows the report to its own operations, QA of both countries, observers and admins', async () => {
    for (const headers of [opsKH, qaKH, qaTH, observer, admin]) expect((await call('GET', `/v1/cleared-areas/${national.id}`, headers)).status).toBe(200);
  });
});

describe('names in a handover stay in the report’s country', () => {
  it('shows observers and the other country the type and organisation of the receiving party and signatories, never their names', async () => {
    for (const headers of [observer, qaTH]) {
      const read = await call<ClearedArea>('GET', `/v1/cleared-areas/${national.id}`, headers);
      expect(read.status).toBe(200);
      for (const name of NAMES) expect(read.text).not.toContain(name);
      expect(read.body.handover!.receivedBy).toEqual({ type: 'LAND_USER' });
      expect(read.body.handover!.signatories.map((s) => s.organisation)).toEqual(['CMAA', 'CMAC', 'O Bei Choan commune']);
      const listed = await call<{ items: ClearedArea[] }>('GET', '/v1/cleared-areas?province=KH01&limit=100', headers);
      for (const name of NAMES) expect(listed.text).not.toContain(name);
    }
  });

  it('shows the names within the country and to admins', async () => {
    for (const headers of [opsKH, qaKH, admin]) {
      const read = await call<ClearedArea>('GET', `/v1/cleared-areas/${national.id}`, headers);
      expect(read.body.handover!.receivedBy.name).toBe('Sok Chanthy');
    }
  });
});

describe('free text typed by a person stays out of cross-border events', () => {
  it('keeps a suspension reason in the task history and out of the TaskStatusChanged event both ministries receive', async () => {
    const area = await createHazard(opsKH, { country: 'KH', province: 'KH01', geometry: square(102.99, 13.85) });
    const task = await createTask(opsKH, { hazardAreaId: area.id, teamIds: [khTeam.id] });
    await transition(opsKH, task, 1, 'ASSIGNED');
    await transition(opsKH, task, 2, 'IN_PROGRESS');
    const reason = 'Team leader Heng Dara injured; replaced next week';
    const suspended = await post<Task>(`/v1/tasks/${task.id}/transitions`, opsKH, { to: 'SUSPENDED', reason }, { 'if-match': '"3"' });
    expect(suspended.status).toBe(200);
    const events = (await scanTable())
      .filter((i) => i.entity === 'OutboxEvent' && (i.event as { subject: { id: string } }).subject.id === task.id)
      .map((i) => i.event as { type: string; audience: string[]; data: Record<string, unknown> });
    const change = events.find((e) => e.type === 'TaskStatusChanged' && e.data.to === 'SUSPENDED')!;
    expect(change.audience.sort()).toEqual(['KH', 'TH']);
    expect(change.data).toMatchObject({ reasonGiven: true });
    expect(JSON.stringify(change)).not.toContain('Heng Dara');
  });
});
