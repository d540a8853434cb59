import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { app as clearedApp } from '../../functions/cleared-areas/app.ts';
import { app as householdsApp } from '../../functions/households/app.ts';
import { documentClient } from '../../shared/db/client.ts';
import { householdCellPartition } from '../../shared/db/keys/geo.ts';
import type { ClearedArea } from '../../shared/domain/cleared-area.ts';
import type { Household } from '../../shared/domain/household.ts';
import { cellOfPoint, hazardCells } from '../../shared/domain/return-safety.ts';
import type { Team } from '../../shared/domain/team.ts';
import { createHazard, createTask, createTeam, json, square, transition } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * What accepting a report reads to reassess households: the household cells of its area's
 * return-safety index and no others, and never a Scan. Households stored elsewhere cost the
 * acceptance nothing (the benchmark `land-release-acceptance` measures the same over HTTP).
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

const household = (point: [number, number]) => ({
  origin: { province: 'KH22' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22', point: { type: 'Point', coordinates: point } },
  members: [{ givenName: 'Sreymom', familyName: 'Sovannarith', sex: 'F', birthYear: 1986, relationship: 'HEAD' }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});

let opsKH: Record<string, string>;
let qaKH: Record<string, string>;
let reliefKH: Record<string, string>;
let khTeam: Team;

beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  qaKH = await bearer({ role: 'qa', country: 'KH' });
  reliefKH = await bearer({ role: 'relief', country: 'KH', org: 'CARE' });
  khTeam = await createTeam(opsKH, 'KH');
});

afterEach(() => vi.restoreAllMocks());

describe('accepting a report reads only its area’s cells', () => {
  it('queries exactly the household cells of the area, no Scan, and frees the household near it', async () => {
    // 0.004° (≈ 430 m) square; a household 300 m east of it, and one 100 km away in other cells.
    const geometry = square(103.9, 14.4, 0.004);
    const hazard = await createHazard(opsKH, { country: 'KH', province: 'KH22', geometry });
    const nearPoint: [number, number] = [103.904 + 300 / 107_700, 14.402];
    const farPoint: [number, number] = [103.0, 13.6];
    const near = await call<Household>(householdsApp, 'POST', '/v1/households', reliefKH, household(nearPoint));
    const far = await call<Household>(householdsApp, 'POST', '/v1/households', reliefKH, household(farPoint));
    expect(near.body.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    expect(far.body.returnSafety.status).toBe('SAFE');
    const areaCells = hazardCells(geometry);
    expect(areaCells).toContain(cellOfPoint({ type: 'Point', coordinates: nearPoint }));
    expect(areaCells).not.toContain(cellOfPoint({ type: 'Point', coordinates: farPoint }));

    const task = await createTask(opsKH, { hazardAreaId: hazard.id, teamIds: [khTeam.id] });
    let version = 1;
    for (const to of ['ASSIGNED', 'IN_PROGRESS', 'COMPLETED']) expect((await transition(opsKH, task, version++, to)).status).toBe(200);
    const report = await call<ClearedArea>(clearedApp, 'POST', '/v1/cleared-areas', opsKH, {
      taskId: task.id,
      completedAt: '2026-02-01',
      outcome: 'CLEARED',
      method: 'MANUAL',
      depthCm: 13,
      geometry,
    });
    expect(report.status, report.text).toBe(201);

    const send = vi.spyOn(documentClient, 'send');
    const accepted = await call<ClearedArea>(
      clearedApp,
      'POST',
      `/v1/cleared-areas/${report.body.id}/qa`,
      qaKH,
      { decision: 'ACCEPTED' },
      { 'if-match': report.etag! },
    );
    const commands = send.mock.calls.map(
      ([command]) =>
        command as { constructor: { name: string }; input: { KeyConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> } },
    );
    send.mockRestore();
    expect(accepted.status, accepted.text).toBe(200);

    expect(commands.filter((c) => c.constructor.name === 'ScanCommand')).toEqual([]);
    const householdCells = new Set(
      commands
        .filter((c) => c.constructor.name === 'QueryCommand')
        .map((c) => String(c.input.ExpressionAttributeValues?.[':pk'] ?? ''))
        .filter((pk) => pk.startsWith(householdCellPartition(''))),
    );
    expect([...householdCells].sort()).toEqual(areaCells.map(householdCellPartition).sort());

    expect((await call<Household>(householdsApp, 'GET', `/v1/households/${near.body.id}`, reliefKH)).body.returnSafety).toMatchObject({
      status: 'SAFE',
      hazardAreaIds: [],
    });
    expect((await call<Household>(householdsApp, 'GET', `/v1/households/${far.body.id}`, reliefKH)).body).toMatchObject({
      version: far.body.version,
      returnSafety: { status: 'SAFE' },
    });
  });
});
