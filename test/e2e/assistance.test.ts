import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import { ALREADY_RECORDED, CONSENT_MISSING, formatRegistrationCode } from '../../shared/domain/assistance-rules.ts';
import { localToken, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Assistance black-box through `npm start` and real HTTP: the one-per-round rule across
 * organisations, recording by an organisation that may not read the household, consent, the
 * distribution list (no-store, in the access log) and a round recorded from the returned list
 * through the upload mechanism, under the same rule.
 */
let dataDir: string;
let server: LocalServer;
const tokens: Record<string, string> = {};

async function call(method: string, path: string, who: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, body: json };
}

const household = (site: string, purposes: string[] = ['RETURN_ASSISTANCE', 'REGISTRATION']) => ({
  origin: { province: 'KH22', village: 'O Smach' },
  current: { province: 'KH17', site },
  members: [
    { givenName: 'Sophea', familyName: 'Keo', sex: 'F', birthYear: 1980, relationship: 'HEAD' },
    { givenName: 'Vanna', familyName: 'Keo', sex: 'M', birthYear: 2010, relationship: 'CHILD' },
  ],
  consent: { given: true, date: '2026-01-10', purposes },
});

const cash = (round: string) => ({ type: 'CASH', round, date: '2026-02-01', quantity: 60, unit: 'USD' });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-assistance-e2e-'));
  server = await startLocalServer(dataDir, await freePort());
  tokens.a = localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', 'NGO-A', '--sub', 'registrar-a');
  tokens.b = localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', 'NGO-B', '--sub', 'registrar-b');
  tokens.ministry = localToken(dataDir, '--role', 'ministry', '--country', 'KH', '--org', 'MoSVY');
});

afterAll(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('assistance through npm start', () => {
  let h: { id: string; code: string; version: number };

  it('a second CASH record of round 1 for a household is a 409, also by another organisation', async () => {
    const registered = await call('POST', '/v1/households', 'a', household('Camp E2E'));
    expect(registered.status).toBe(201);
    h = registered.body;
    expect(formatRegistrationCode(h.code)).toMatch(/^[2-9A-Y]{3}-[2-9A-Y]{4}$/);

    const first = await call('POST', `/v1/households/${h.id}/assistance`, 'a', cash('2026-R1'), { 'idempotency-key': 'e2e-first-cash' });
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/v1/households/${h.id}/assistance/${first.body.id}`);
    const again = await call('POST', `/v1/households/${h.id}/assistance`, 'a', cash('2026-R1'));
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body.detail).toBe(ALREADY_RECORDED);
    const byOther = await call('POST', '/v1/assistance', 'b', { code: formatRegistrationCode(h.code), ...cash('2026-r1') });
    expect(byOther.status).toBe(409);
    expect(byOther.body.detail).toBe(ALREADY_RECORDED);
    expect(byOther.text).not.toContain(first.body.id);
  });

  it('an organisation without access to the household records assistance it gave, and gets 404 reading the household', async () => {
    const food = await call('POST', '/v1/assistance', 'b', {
      code: h.code.toLowerCase(),
      type: 'FOOD',
      round: '2026-R1',
      date: '2026-02-01',
      quantity: 25,
      unit: 'kg',
    });
    expect(food.status).toBe(201);
    expect(food.body).toMatchObject({ householdId: h.id, org: 'NGO-B', unit: 'KG' });
    expect((await call('GET', `/v1/households/${h.id}`, 'b')).status).toBe(404);
    expect((await call('GET', `/v1/households/${h.id}/assistance`, 'b')).status).toBe(404);
    const list = await call('GET', `/v1/households/${h.id}/assistance`, 'a');
    expect(list.body.items.map((r: { type: string }) => r.type)).toEqual(['CASH', 'FOOD']);
  });

  it('refuses a household without consent to return assistance, saying only that', async () => {
    const without = await call('POST', '/v1/households', 'a', household('Camp E2E', ['REGISTRATION']));
    const refused = await call('POST', `/v1/households/${without.body.id}/assistance`, 'b', cash('2026-R1'));
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe(CONSENT_MISSING);
  });

  it('the distribution list is CSV, no-store, and in the access log of every household listed', async () => {
    const list = await call('GET', '/v1/assistance-rounds/2026-R2/distribution-list?type=CASH&site=camp%20e2e', 'a');
    expect(list.status).toBe(200);
    expect(list.headers.get('content-type')).toContain('text/csv');
    expect(list.headers.get('cache-control')).toBe('no-store');
    expect(list.text).toContain(`${h.id},${formatRegistrationCode(h.code)},Sophea,Keo,2,Camp E2E,2026-R2,CASH,no,,,`);
    const log = await call('GET', `/v1/households/${h.id}/access-log`, 'ministry');
    expect(log.body.items.filter((e: { purpose: string }) => e.purpose === 'DISTRIBUTION_LIST').map((e: { actor: { org: string } }) => e.actor.org)).toEqual([
      'NGO-A',
    ]);
    // Another organisation's list holds none of NGO-A's households.
    const other = await call('GET', '/v1/assistance-rounds/2026-R2/distribution-list', 'b');
    expect(other.text).not.toContain(h.id);
  });

  it('a round recorded from a returned list applies the same rule: one CASH record per household and round', async () => {
    const third = await call('POST', '/v1/households', 'a', household('Camp E2E'));
    const list = await call('GET', '/v1/assistance-rounds/2026-R2/distribution-list?type=CASH&site=Camp%20E2E', 'a');
    const [header, ...rows] = list.text.trim().split('\r\n');
    expect(rows).toHaveLength(3);
    const csv = `${[header, ...rows.map((r) => r.replace(/,,,$/, ',2026-02-05,60,USD'))].join('\r\n')}\r\n`;
    // NGO-B gave CASH of round 2 to the first household meanwhile: its row is refused.
    expect((await call('POST', `/v1/households/${h.id}/assistance`, 'b', cash('2026-R2'))).status).toBe(201);
    const rowOf = (id: string) => 2 + rows.findIndex((r) => r.startsWith(id));

    const upload = async () => {
      const job = await call('POST', '/v1/assistance-imports', 'a', { bytes: Buffer.byteLength(csv) });
      expect(job.status).toBe(201);
      const put = await fetch(job.body.uploadUrl, { method: 'PUT', body: csv, headers: { 'content-type': 'text/csv' } });
      expect(put.status).toBe(200);
      let status: any;
      await vi.waitFor(
        async () => {
          status = (await call('GET', `/v1/assistance-imports/${job.body.id}`, 'a')).body;
          expect(status.status).toBe('COMPLETED');
        },
        { timeout: 30_000, interval: 200 },
      );
      return status;
    };
    const first = await upload();
    expect(first).toMatchObject({ rowsTotal: 3, rowsRecorded: 1, rowsRejected: 2 });
    expect(first.errors).toContainEqual({ row: rowOf(h.id), message: ALREADY_RECORDED });
    expect(first.errors.map((e: { message: string }) => e.message).sort()).toEqual([ALREADY_RECORDED, CONSENT_MISSING].sort());
    // The same list sent again records nothing: every household with consent has its CASH of round 2.
    const second = await upload();
    expect(second).toMatchObject({ rowsTotal: 3, rowsRecorded: 0, rowsRejected: 3 });
    expect(second.errors).toContainEqual({ row: rowOf(third.body.id), message: ALREADY_RECORDED });
    const stats = await call('GET', '/v1/stats/assistance?round=2026-R2', 'ministry');
    expect(stats.body.rounds[0]).toMatchObject({ records: 2, households: 2, people: 4, quantity: { USD: 120 } });
  });
});
