import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { app } from '../../functions/tasks/app.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import { hazardWrite } from '../../shared/db/repositories/hazard-areas.ts';
import { hazardCellWrites } from '../../shared/db/repositories/return-safety.ts';
import { transact } from '../../shared/db/transact.ts';
import { newId } from '../../shared/domain/ids.ts';
import type { Task } from '../../shared/domain/task.ts';
import type { Team } from '../../shared/domain/team.ts';

export const json = { 'content-type': 'application/json' };

/** Every item of the test file's table, all pages (a Scan: for tests' recounts and leak checks, never a request path). */
export async function scanTable(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A square of `sizeDeg` degrees with its south-west corner at lon/lat. */
export const square = (lon: number, lat: number, sizeDeg = 0.01) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lon, lat],
      [lon + sizeDeg, lat],
      [lon + sizeDeg, lat + sizeDeg],
      [lon, lat + sizeDeg],
      [lon, lat],
    ],
  ],
});

export const hazardBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Hill 481 north slope',
  country: 'TH',
  province: 'TH34',
  classification: 'CHA',
  evidence: 'DIRECT',
  dateOfInformation: '2025-07-20',
  contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
  geometry: square(105.0, 14.35),
  ...overrides,
});

export async function post<T>(
  path: string,
  headers: Record<string, string>,
  body: unknown,
  extra: Record<string, string> = {},
): Promise<{ status: number; body: T; res: Response }> {
  const res = await app.request(path, { method: 'POST', headers: { ...headers, ...json, ...extra }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T, res };
}

export async function get<T>(path: string, headers: Record<string, string>): Promise<{ status: number; body: T; res: Response }> {
  const res = await app.request(path, { headers });
  return { status: res.status, body: (await res.json()) as T, res };
}

export async function createTeam(headers: Record<string, string>, country: 'KH' | 'TH', name = `${country} team`): Promise<Team> {
  const r = await post<Team>('/v1/teams', headers, { name, organisation: country === 'KH' ? 'CMAC' : 'TMAC', country, capabilities: ['MANUAL'] });
  if (r.status !== 201) throw new Error(`team: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function createHazard(headers: Record<string, string>, overrides: Record<string, unknown> = {}): Promise<HazardArea> {
  const r = await post<HazardArea>('/v1/hazard-areas', headers, hazardBody(overrides));
  if (r.status !== 201) throw new Error(`hazard: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function createTask(headers: Record<string, string>, body: Record<string, unknown>): Promise<Task> {
  const r = await post<Task>('/v1/tasks', headers, { activityType: 'CLEARANCE', priority: 1, plannedStart: '2026-01-10', plannedEnd: '2026-02-10', ...body });
  if (r.status !== 201) throw new Error(`task: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function transition(headers: Record<string, string>, task: { id: string }, version: number, to: string, reason?: string) {
  return post<Task & { allowedTransitions?: string[] }>(
    `/v1/tasks/${task.id}/transitions`,
    headers,
    { to, ...(reason ? { reason } : {}) },
    { 'if-match': `"${version}"` },
  );
}

/** An open hazard area of 0.01° around (lon, lat), committed with its cells as recording it does (its recomputation not run). */
export async function recordHazard(lon: number, lat: number, reference: string): Promise<HazardArea> {
  const now = new Date().toISOString();
  const hazard = {
    ...(hazardBody({ country: 'KH', province: 'KH22', geometry: square(lon, lat, 0.01) }) as Omit<HazardArea, 'id'>),
    id: newId(),
    reference,
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
  return hazard;
}
