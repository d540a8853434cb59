import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventType, type EventEnvelope } from '../../shared/events/catalogue.ts';
import { monthOf } from '../../shared/domain/monthly.ts';
import { useLocalServer } from '../support/local-server.ts';

/**
 * Accidents and clearance priorities through `npm start` and real HTTP: an accident that records
 * a suspected hazard area turns a household 200 m away AT_RISK (with ReturnSafetyChanged); the
 * Thai ministry's webhook hears of a Cambodian accident without any victim's name; the Thai
 * ministry and observers read it without names or contacts; a retried create counts once; and
 * the priorities list orders three areas, follows a household's change within its request and
 * withholds small cells.
 */
const local = useLocalServer('accidents');
const { call } = local;
let receiver: Server;
let hookBase: string;
const received: { path: string; body: string; event: EventEnvelope }[] = [];

const VICTIM_NAME = 'Sokunthea Prak';
const VICTIM_PHONE = '+855 16 777 8888';
const M_LAT = (Math.PI * 6_371_008.8) / 180;
const M_LON = M_LAT * Math.cos((14.3 * Math.PI) / 180);

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', body, event: JSON.parse(body) as EventEnvelope });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});

const waitFor = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 60_000, interval: 200 });

const household = (point: [number, number], members: number, province: string) => ({
  origin: { province },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province, point: { type: 'Point', coordinates: point } },
  members: Array.from({ length: members }, (_, i) => ({
    givenName: `Bopha${i}`,
    familyName: 'Sok',
    sex: i % 2 ? 'M' : 'F',
    birthYear: 1975 + i,
    relationship: i === 0 ? 'HEAD' : 'CHILD',
  })),
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE', 'REGISTRATION'] },
});

const square = (lon: number, lat: number, size: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ],
  ],
});

describe('accidents and priorities through npm start', { timeout: 240_000 }, () => {
  let opsKH: string, ministryKH: string, ministryTH: string, observer: string, reliefKH: string;
  let accidentId: string;

  it('records an accident whose suspected area turns a household 200 m away AT_RISK, tells the Thai ministry without names, and counts a retried create once', async () => {
    await waitFor(() => expect(local.server().output()).toMatch(/stream poller running/));
    opsKH = local.token('--role', 'operations', '--country', 'KH', '--org', 'CMAC');
    ministryKH = local.token('--role', 'ministry', '--country', 'KH', '--org', 'MoI-KH');
    ministryTH = local.token('--role', 'ministry', '--country', 'TH', '--org', 'MoI-TH');
    observer = local.token('--role', 'observer', '--org', 'AOT');
    reliefKH = local.token('--role', 'relief', '--country', 'KH', '--org', 'DRC');
    expect((await call('POST', '/v1/subscriptions', ministryTH, { url: `${hookBase}/th`, eventTypes: [EventType.AccidentReported] })).status).toBe(201);

    const point: [number, number] = [103.55, 14.3];
    const destination: [number, number] = [point[0] + 200 / M_LON, point[1]];
    const home = await call<{ id: string; returnSafety: { status: string } }>('POST', '/v1/households', reliefKH, household(destination, 4, 'KH22'));
    expect(home.status).toBe(201);
    expect(home.body.returnSafety.status).toBe('SAFE');

    const body = {
      country: 'KH',
      occurredAt: new Date().toISOString(),
      point: { type: 'Point', coordinates: point },
      province: 'KH22',
      device: { category: 'AP_MINE', model: 'PMN-2' },
      activityAtTime: 'FARMING',
      source: 'Commune chief by phone',
      createSuspectedHazardArea: { radiusM: 100, period: '2025_CONFLICT' },
      victims: [{ sex: 'M', age: 41, outcome: 'INJURED', victimType: 'CIVILIAN', nationality: 'KH', name: VICTIM_NAME, contact: VICTIM_PHONE }],
    };
    const first = await call<{ id: string; hazardAreaId: string }>('POST', '/v1/accidents', opsKH, body, { 'idempotency-key': 'e2e-accident-1' });
    expect(first.status).toBe(201);
    accidentId = first.body.id;
    const retried = await call<{ id: string }>('POST', '/v1/accidents', opsKH, body, { 'idempotency-key': 'e2e-accident-1' });
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(accidentId);

    // The same request's aftermath: the household is AT_RISK from the new area when the create has answered.
    const after = await call<{ returnSafety: { status: string; hazardAreaIds: string[] } }>('GET', `/v1/households/${home.body.id}`, reliefKH);
    expect(after.body.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [first.body.hazardAreaId] });
    await waitFor(async () => {
      const feed = await call<{ items: EventEnvelope[] }>('GET', '/v1/notifications?limit=100', ministryKH);
      expect(
        feed.body.items.some((e) => e.type === EventType.ReturnSafetyChanged && e.subject.id === home.body.id && (e.data as { to: string }).to === 'AT_RISK'),
      ).toBe(true);
    });

    await waitFor(() => expect(received.filter((r) => r.path === '/th' && r.event.type === EventType.AccidentReported)).toHaveLength(1));
    const delivered = received.find((r) => r.event.type === EventType.AccidentReported)!;
    expect(delivered.event.data).toMatchObject({
      accidentId,
      country: 'KH',
      province: 'KH22',
      deviceCategory: 'AP_MINE',
      killed: 0,
      injured: 1,
      point: { coordinates: [103.55, 14.3] },
    });
    expect(delivered.body).not.toContain(VICTIM_NAME);
    expect(delivered.body).not.toContain(VICTIM_PHONE);

    const stats = await call<{ accidents: number; injured: number }>('GET', '/v1/stats/casualties?country=KH', ministryKH);
    expect(stats.body).toMatchObject({ accidents: 1, injured: 1 });
    const month = monthOf(body.occurredAt);
    const monthly = await call<{ totals: { accidents: Record<string, number> } }>('GET', `/v1/stats/monthly?country=KH&from=${month}&to=${month}`, ministryKH);
    expect(monthly.body.totals.accidents).toEqual({ accidents: 1, killed: 0, injured: 1 });
  });

  it('lets the Thai ministry and observers read the accident without names or contacts, and the Cambodian ministry with them', async () => {
    for (const token of [ministryTH, observer]) {
      const r = await call<{ victims: { sex: string }[] }>('GET', `/v1/accidents/${accidentId}`, token);
      expect(r.status).toBe(200);
      expect(r.body.victims).toHaveLength(1);
      expect(r.text).not.toContain(VICTIM_NAME);
      expect(r.text).not.toContain(VICTIM_PHONE);
      const list = await call('GET', '/v1/accidents?country=KH', token);
      expect(list.text).toContain(accidentId);
      expect(list.text).not.toContain(VICTIM_NAME);
    }
    expect((await call('GET', `/v1/accidents/${accidentId}`, ministryKH)).text).toContain(VICTIM_NAME);
  });

  it('orders three areas by demand, accidents and contamination, follows a household’s status and destination within the request, and withholds small cells', async () => {
    const at = (i: number): [number, number] => [103.0 + i * 0.06, 14.0];
    const ids: string[] = [];
    for (const [i, contamination] of [
      [0, [{ category: 'UXO', period: 'LEGACY' }]],
      [1, [{ category: 'AT_MINE', period: 'LEGACY' }]],
      [2, [{ category: 'SUBMUNITION', model: 'M46', period: '2025_CONFLICT' }]],
    ] as const) {
      const r = await call<{ id: string }>('POST', '/v1/hazard-areas', opsKH, {
        name: `Area ${'ABC'[i]}`,
        country: 'KH',
        province: 'KH13',
        classification: 'CHA',
        evidence: 'DIRECT',
        dateOfInformation: '2025-08-01',
        contamination,
        geometry: square(at(i)[0], at(i)[1], 0.005),
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    // A: a family of 12 waiting 100 m north; B: an accident inside it this month; C: submunitions of the 2025 conflict (30).
    const north: [number, number] = [at(0)[0] + 0.0025, at(0)[1] + 0.005 + 100 / M_LAT];
    const family = await call<{ id: string; version: number }>('POST', '/v1/households', reliefKH, household(north, 12, 'KH13'));
    expect(family.status).toBe(201);
    expect(
      (
        await call('POST', '/v1/accidents', opsKH, {
          country: 'KH',
          occurredAt: new Date().toISOString().slice(0, 10),
          point: { type: 'Point', coordinates: [at(1)[0] + 0.002, at(1)[1] + 0.002] },
          province: 'KH13',
          device: { category: 'AT_MINE' },
          activityAtTime: 'TRAVELLING',
          source: 'Police',
          hazardAreaId: ids[1],
        })
      ).status,
    ).toBe(201);

    const ranked = async (token: string) =>
      (
        await call<{ items: { hazardAreaId: string; score: number | null; households: { total: number | null } }[]; suppressed: string[] }>(
          'GET',
          '/v1/hazard-areas/priorities?province=KH13',
          token,
        )
      ).body;
    // A 12 (displaced, 1 a person), B 20 (one accident), C 30.
    expect((await ranked(ministryKH)).items.map((i) => [i.hazardAreaId, i.score])).toEqual([
      [ids[2], 30],
      [ids[1], 20],
      [ids[0], 12],
    ]);
    const moved = await call<{ version: number }>(
      'POST',
      `/v1/households/${family.body.id}/transitions`,
      reliefKH,
      { to: 'INTENDS_RETURN' },
      { 'if-match': `"${family.body.version}"` },
    );
    expect(moved.status).toBe(200);
    expect((await ranked(ministryKH)).items.map((i) => [i.hazardAreaId, i.score])).toEqual([
      [ids[0], 36],
      [ids[2], 30],
      [ids[1], 20],
    ]);
    const small = await call('POST', '/v1/households', reliefKH, household(north, 1, 'KH13'));
    expect(small.status).toBe(201);
    const away = await call(
      'PATCH',
      `/v1/households/${family.body.id}`,
      reliefKH,
      { destination: { province: 'KH13', point: { type: 'Point', coordinates: [103.5, 13.6] } } },
      { 'if-match': `"${moved.body.version}"` },
    );
    expect(away.status).toBe(200);
    const byObserver = await ranked(observer);
    // One person waiting: the count is withheld, and so is the score that would give it back; the order is the same.
    expect(byObserver.items.map((i) => [i.hazardAreaId, i.score])).toEqual([
      [ids[2], 30],
      [ids[1], 20],
      [ids[0], null],
    ]);
    expect(byObserver.items[2]!.households.total).toBeNull();
    expect(byObserver.suppressed).toEqual(expect.arrayContaining(['items.2.households.total', 'items.2.score']));
    expect((await ranked(ministryKH)).items[2]!.score).toBe(1);
    expect((await ranked(ministryKH)).items[2]!.households.total).toBe(1);
  });
});
