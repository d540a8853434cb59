import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient, tableName } from '../../shared/db/client.ts';
import type { HazardArea } from '../../shared/domain/hazard-area.ts';
import { MAX_VERTICES } from '../../shared/domain/geometry.ts';
import { createHazard, get, hazardBody, post, square } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

let opsTH: Record<string, string>;
let opsKH: Record<string, string>;
let observer: Record<string, string>;

/** Everything stored, read directly (a test-only Scan) to prove that a refused request wrote nothing. */
async function itemCount(): Promise<number> {
  const out = await documentClient.send(new ScanCommand({ TableName: tableName, Select: 'COUNT' }));
  return out.Count ?? 0;
}

beforeAll(async () => {
  opsTH = await bearer({ role: 'operations', country: 'TH' });
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  observer = await bearer({ role: 'observer' });
});

describe('hazard areas', () => {
  it('records an area with its geodesic area, status OPEN, history and a HazardAreaRecorded event', async () => {
    const hazard = await createHazard(opsTH);
    expect(hazard.status).toBe('OPEN');
    // 0.01° × 0.01° at 14.35°N ≈ 1,113 m × 1,076 m
    expect(hazard.areaSqm).toBeGreaterThan(1_190_000);
    expect(hazard.areaSqm).toBeLessThan(1_205_000);
    expect(hazard.remainingSqm).toBe(hazard.areaSqm);
    expect(hazard.reference).toMatch(/^HA-TH-\d{4}-/);
    expect(hazard.dateOfInformation).toBe('2025-07-20');
    expect(hazard.createdAt).not.toBe(hazard.dateOfInformation);

    const history = await get<{ items: { action: string; actor: { sub: string } }[] }>(`/v1/hazard-areas/${hazard.id}/history`, observer);
    expect(history.body.items).toMatchObject([{ action: 'CREATED', actor: { sub: 'user-th-operations' } }]);

    const events = await documentClient.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'entity = :e AND event.subject.id = :id',
        ExpressionAttributeValues: { ':e': 'OutboxEvent', ':id': hazard.id },
      }),
    );
    expect(events.Items).toHaveLength(1);
    expect(events.Items![0]!.event).toMatchObject({
      type: 'HazardAreaRecorded',
      version: 1,
      audience: ['KH', 'TH'],
      subject: { type: 'HazardArea', id: hazard.id },
      actor: { role: 'operations', org: 'TMAC' },
      data: { areaSqm: hazard.areaSqm, categories: ['AP_MINE'] },
    });
  });

  const badCases: [string, Record<string, unknown>, string][] = [
    [
      'an open ring',
      {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [105, 14.35],
              [105.01, 14.35],
              [105.01, 14.36],
              [105, 14.36],
            ],
          ],
        },
      },
      'body.geometry.coordinates.0',
    ],
    [
      'a self-intersecting polygon',
      {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [105, 14.35],
              [105.01, 14.36],
              [105.01, 14.35],
              [105, 14.36],
              [105, 14.35],
            ],
          ],
        },
      },
      'body.geometry.coordinates',
    ],
    [
      'a latitude out of range',
      {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [105, 14.35],
              [105.01, 94],
              [105.01, 14.36],
              [105, 14.35],
            ],
          ],
        },
      },
      'body.geometry.coordinates.0.1.1',
    ],
    [
      'a longitude out of range',
      {
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [185, 14.35],
              [105.01, 14.35],
              [105.01, 14.36],
              [185, 14.35],
            ],
          ],
        },
      },
      'body.geometry.coordinates.0.0.0',
    ],
    [
      'too many vertices',
      {
        geometry: {
          type: 'Polygon',
          coordinates: [[...Array.from({ length: MAX_VERTICES + 1 }, (_, i) => [105 + Math.cos(i) * 0.01, 14.35 + Math.sin(i) * 0.01]), [106, 14.35]]],
        },
      },
      'body.geometry.coordinates',
    ],
    ['a province of the other country', { province: 'KH22' }, 'body.province'],
    ['an unknown province', { province: 'TH99' }, 'body.province'],
    ['an unknown classification', { classification: 'MAYBE' }, 'body.classification'],
    ['an unknown ordnance category', { contamination: [{ category: 'LANDMINE', period: 'LEGACY' }] }, 'body.contamination.0.category'],
    ['an unknown contamination period', { contamination: [{ category: 'UXO', period: '1979' }] }, 'body.contamination.0.period'],
    ['a date of information in the future', { dateOfInformation: '2099-01-01' }, 'body.dateOfInformation'],
    ['a Point instead of an area', { geometry: { type: 'Point', coordinates: [105, 14] } }, 'body.geometry.type'],
  ];
  it.each(badCases)('refuses %s with a 400 naming the field, and writes nothing', async (_label, overrides, path) => {
    const before = await itemCount();
    const r = await post<{ status: number; errors: { path: string; message: string }[] }>('/v1/hazard-areas', opsTH, hazardBody(overrides));
    expect(r.status).toBe(400);
    expect(r.res.headers.get('content-type')).toBe('application/problem+json');
    expect(r.body.errors.map((e) => e.path)).toContain(path);
    expect(await itemCount()).toBe(before);
  });

  it('refuses an operations user recording an area of the other country (403)', async () => {
    const r = await post('/v1/hazard-areas', opsKH, hazardBody());
    expect(r.status).toBe(403);
  });

  it('lists by province and by country with a status filter, each a paginated query', async () => {
    const a = await createHazard(opsTH, { province: 'TH33', geometry: square(104.5, 14.4) });
    const b = await createHazard(opsTH, { province: 'TH33', geometry: square(104.6, 14.4) });
    const byProvince = await get<{ items: HazardArea[]; next: string | null }>('/v1/hazard-areas?province=TH33&limit=1', observer);
    expect(byProvince.body.items).toHaveLength(1);
    expect(byProvince.body.next).toBeTruthy();
    const second = await get<{ items: HazardArea[] }>(`/v1/hazard-areas?province=TH33&limit=1&cursor=${encodeURIComponent(byProvince.body.next!)}`, observer);
    expect([byProvince.body.items[0]!.id, second.body.items[0]!.id].sort()).toEqual([a.id, b.id].sort());

    const refused = await post<{ detail: string }>(
      `/v1/hazard-areas/${a.id}/transitions`,
      opsTH,
      { to: 'CLOSED', reason: 'cancelled by non-technical survey' },
      { 'if-match': '"1"' },
    );
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/released through completion reports/);
    const moved = await post<HazardArea>(
      `/v1/hazard-areas/${a.id}/transitions`,
      opsTH,
      { to: 'WITHDRAWN', reason: 'recorded twice (see HA-TH-2026-000123)' },
      { 'if-match': '"1"' },
    );
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.withdrawn).toMatchObject({ reason: 'recorded twice (see HA-TH-2026-000123)' });
    const withdrawn = await get<{ items: HazardArea[] }>('/v1/hazard-areas?country=TH&status=WITHDRAWN', observer);
    expect(withdrawn.body.items.map((h) => h.id)).toEqual([a.id]);
    const open = await get<{ items: HazardArea[] }>('/v1/hazard-areas?province=TH33&status=OPEN', observer);
    expect(open.body.items.map((h) => h.id)).toEqual([b.id]);
    expect((await get('/v1/hazard-areas', observer)).status).toBe(400);
  });

  it('records each status change with date, reason, comment and actor, and refuses an illegal one with the allowed moves', async () => {
    const h = await createHazard(opsTH, { geometry: square(104.7, 14.4) });
    const suspend = await post<{ allowedTransitions: string[] }>(
      `/v1/hazard-areas/${h.id}/transitions`,
      opsTH,
      { to: 'SUSPENDED', reason: 'flooding' },
      { 'if-match': '"1"' },
    );
    expect(suspend.status).toBe(409);
    expect(suspend.body.allowedTransitions).toEqual(['WORKED_ON', 'WITHDRAWN']);
    const worked = await post<HazardArea>(
      `/v1/hazard-areas/${h.id}/transitions`,
      opsTH,
      { to: 'WORKED_ON', reason: 'survey team on site', comment: 'access by the north track', date: '2026-01-05' },
      { 'if-match': '"1"' },
    );
    expect(worked.status).toBe(200);
    const history = await get<{
      items: { action: string; from?: string; to?: string; reason?: string; changes?: Record<string, unknown>; actor: { role: string } }[];
    }>(`/v1/hazard-areas/${h.id}/history`, observer);
    expect(history.body.items[1]).toMatchObject({
      action: 'TRANSITION',
      from: 'OPEN',
      to: 'WORKED_ON',
      reason: 'survey team on site',
      changes: { comment: 'access by the north track', date: '2026-01-05' },
      actor: { role: 'operations' },
    });
    const stale = await post(`/v1/hazard-areas/${h.id}/transitions`, opsTH, { to: 'SUSPENDED', reason: 'x' }, { 'if-match': '"1"' });
    expect(stale.status).toBe(412);
  });
});
