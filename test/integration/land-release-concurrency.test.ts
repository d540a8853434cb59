import { beforeAll, describe, expect, it } from 'vitest';
import { app as clearedApp } from '../../functions/cleared-areas/app.ts';
import { app as notificationsApp } from '../../functions/notifications/app.ts';
import type { ClearedArea } from '../../shared/domain/cleared-area.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import type { Task } from '../../shared/domain/task.ts';
import type { Team } from '../../shared/domain/team.ts';
import { EventType, type EventEnvelope } from '../../shared/events/catalogue.ts';
import { createHazard, createTask, createTeam, get, json, square, transition } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Both countries' QA deciding on one joint report at the same moment, with the same If-Match:
 * each decides in its own slot, so neither decision is lost, neither is a 412, the report ends
 * QA_ACCEPTED with both decisions, and the hazard area's land is released exactly once.
 */
type AnyApp = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

async function call<T>(app: AnyApp, method: string, path: string, headers: Record<string, string>, body?: unknown, extra: Record<string, string> = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), text, body: (text ? JSON.parse(text) : undefined) as T };
}

let opsTH: Record<string, string>;
let opsKH: Record<string, string>;
let qaKH: Record<string, string>;
let qaTH: Record<string, string>;
let ministryKH: Record<string, string>;
let khTeam: Team;
let thTeam: Team;

beforeAll(async () => {
  opsTH = await bearer({ role: 'operations', country: 'TH' });
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  qaKH = await bearer({ role: 'qa', country: 'KH' });
  qaTH = await bearer({ role: 'qa', country: 'TH' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoI-KH' });
  khTeam = await createTeam(opsKH, 'KH');
  thTeam = await createTeam(opsTH, 'TH');
});

async function completedJointTask(hazard: HazardArea): Promise<Task> {
  const task = await createTask(opsTH, { hazardAreaId: hazard.id, joint: true, teamIds: [khTeam.id, thTeam.id] });
  let version = 1;
  for (const to of ['ASSIGNED', 'IN_PROGRESS', 'COMPLETED']) {
    const r = await transition(opsTH, task, version++, to);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  return task;
}

async function qaEvents(clearedAreaId: string): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: { items: EventEnvelope[]; next: string | null } } = await call(
      notificationsApp,
      'GET',
      `/v1/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      ministryKH,
    );
    expect(r.status).toBe(200);
    events.push(...r.body.items);
    cursor = r.body.next;
  } while (cursor);
  return events.filter((e) => e.type === EventType.ClearedAreaQaDecided && e.subject.id === clearedAreaId);
}

describe('two countries’ QA decisions at once', () => {
  // Several rounds, so that the decisions really meet in the same moment at least some of the time.
  it.each([0, 1, 2])('both land on joint report %i: QA_ACCEPTED with two decisions, the land released once', async (round) => {
    const hazard = await createHazard(opsTH, { geometry: square(105.2 + round * 0.05, 14.45, 0.01) });
    const task = await completedJointTask(hazard);
    // The west half of the area: ≈ 538 m × 1,112 m.
    const part = {
      type: 'Polygon',
      coordinates: [
        [
          [105.2 + round * 0.05, 14.45],
          [105.205 + round * 0.05, 14.45],
          [105.205 + round * 0.05, 14.46],
          [105.2 + round * 0.05, 14.46],
          [105.2 + round * 0.05, 14.45],
        ],
      ],
    };
    const submitted = await call<ClearedArea>(clearedApp, 'POST', '/v1/cleared-areas', opsTH, {
      taskId: task.id,
      completedAt: '2026-02-01',
      parts: [{ outcome: 'CLEARED', method: 'MANUAL', depthCm: 13, geometry: part }],
    });
    expect(submitted.status, submitted.text).toBe(201);
    expect(submitted.body.requiredQaCountries).toEqual(['KH', 'TH']);
    const ifMatch = submitted.etag!;

    const [kh, th] = await Promise.all([
      call<ClearedArea>(clearedApp, 'POST', `/v1/cleared-areas/${submitted.body.id}/qa`, qaKH, { decision: 'ACCEPTED' }, { 'if-match': ifMatch }),
      call<ClearedArea>(clearedApp, 'POST', `/v1/cleared-areas/${submitted.body.id}/qa`, qaTH, { decision: 'ACCEPTED' }, { 'if-match': ifMatch }),
    ]);
    expect([kh.status, th.status], `${kh.text}\n${th.text}`).toEqual([200, 200]);
    // One of the two answers saw the other's decision and finished the report.
    expect([kh.body.status, th.body.status].sort()).toEqual(['QA_ACCEPTED', 'SUBMITTED']);

    const stored = await call<ClearedArea>(clearedApp, 'GET', `/v1/cleared-areas/${submitted.body.id}`, qaKH);
    expect(stored.body.status).toBe('QA_ACCEPTED');
    expect(stored.body.version).toBe(3);
    expect(stored.body.qaDecisions.map((d) => [d.country, d.decision]).sort()).toEqual([
      ['KH', 'ACCEPTED'],
      ['TH', 'ACCEPTED'],
    ]);
    expect(stored.body.qa).toMatchObject({ decision: 'ACCEPTED' });

    const after = (await get<HazardArea>(`/v1/hazard-areas/${hazard.id}`, qaKH)).body;
    const partSqm = submitted.body.areaSqm;
    expect(partSqm).toBeGreaterThan(500_000);
    expect(after.releasedSqm).toBe(partSqm);
    expect(Math.abs(after.remainingSqm - (hazard.areaSqm - partSqm))).toBeLessThanOrEqual(2);
    expect(after.status).toBe('WORKED_ON');
    expect((await get<Task>(`/v1/tasks/${task.id}`, qaKH)).body).toMatchObject({ status: 'COMPLETED', acceptedReportId: submitted.body.id });

    const events = await qaEvents(submitted.body.id);
    expect(events.map((e) => (e.data as { decidingCountry: string }).decidingCountry).sort()).toEqual(['KH', 'TH']);
  });
});
