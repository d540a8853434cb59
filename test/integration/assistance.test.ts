import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../functions/importer/run-import.ts';
import { markUploaded } from '../../shared/db/repositories/household-imports.ts';
import { csvOf, headRow } from '../support/imports.ts';
import { app as assistanceApp } from '../../functions/assistance/app.ts';
import { app as householdsApp } from '../../functions/households/app.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { householdKey } from '../../shared/db/keys/household.ts';
import { registrationCodeKey } from '../../shared/db/keys/assistance.ts';
import {
  ALREADY_RECORDED,
  ASSISTANCE_TYPES,
  CONSENT_MISSING,
  formatRegistrationCode,
  normaliseRegistrationCode,
  type AssistanceRecord,
  type AssistanceRoundView,
} from '../../shared/domain/assistance.ts';
import type { Household } from '../../shared/domain/household.ts';
import type { EventEnvelope } from '../../shared/events/catalogue.ts';
import { EventType } from '../../shared/events/catalogue.ts';
import { scanTable } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Assistance against DynamoDB Local, through the households and assistance apps as API Gateway
 * (or the local server) routes them: registration codes, the one-per-round rule across
 * organisations, consent, who reads what, the statistics per round against a recount of the
 * stored records, distribution lists and their access entries.
 */
type H = Record<string, string>;
type Problem = { detail: string; title: string; status: number };

let reliefA: H; // KH, NGO-A: registers
let reliefB: H; // KH, NGO-B: gives assistance to A's households
let reliefTH: H;
let ministryKH: H;
let observer: H;
let admin: H;

const json = { 'content-type': 'application/json' };
async function call<T>(method: string, path: string, headers: H, body?: unknown, extra: H = {}) {
  const target = /^\/v1\/(assistance|stats\/assistance)|^\/v1\/households\/[^/]+\/assistance/.test(path) ? assistanceApp : householdsApp;
  const res = await target.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, res, text };
}

const householdBody = (overrides: Record<string, unknown> = {}) => ({
  origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [
    { givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD' },
    { givenName: 'Dara', familyName: 'Chan', sex: 'M', birthYear: 2012, relationship: 'CHILD' },
    { givenName: 'Mealea', familyName: 'Chan', sex: 'F', birthYear: 2016, relationship: 'CHILD' },
  ],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE', 'REGISTRATION'] },
  ...overrides,
});

async function registered(headers: H = reliefA, body: Record<string, unknown> = householdBody()): Promise<Household> {
  const r = await call<Household>('POST', '/v1/households', headers, body);
  if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
  return r.body;
}

const given = (overrides: Record<string, unknown> = {}) => ({ type: 'CASH', round: '2026-R1', date: '2026-02-01', quantity: 50, unit: 'USD', ...overrides });

beforeAll(async () => {
  reliefA = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a' });
  reliefB = await bearer({ role: 'relief', country: 'KH', org: 'NGO-B', sub: 'registrar-b' });
  reliefTH = await bearer({ role: 'relief', country: 'TH', org: 'NGO-T', sub: 'registrar-t' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoSVY', sub: 'ministry-kh' });
  observer = await bearer({ role: 'observer', org: 'AOT' });
  admin = await bearer({ role: 'admin', org: 'platform' });
});

describe('registration codes', () => {
  it('every registration gets a code with a valid check character, unique in the country, claimed by its household', async () => {
    const households = await Promise.all(Array.from({ length: 8 }, () => registered()));
    const codes = households.map((h) => h.code!);
    expect(new Set(codes).size).toBe(codes.length);
    for (const h of households) {
      expect(normaliseRegistrationCode(h.code!)).toBe(h.code);
      expect(normaliseRegistrationCode(formatRegistrationCode(h.code!).toLowerCase())).toBe(h.code);
      const claim = await documentClient
        .send(
          new PutCommand({
            TableName: tableName,
            Item: { ...registrationCodeKey('KH', h.code!), entity: 'X' },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .then(
          () => 'free',
          () => 'claimed',
        );
      expect(claim).toBe('claimed');
    }
  });

  it('a household stored before codes existed gets one on its first read, keeps it, and keeps its version', async () => {
    const h = await registered();
    await documentClient.send(new UpdateCommand({ TableName: tableName, Key: householdKey(h.id), UpdateExpression: 'REMOVE code' }));
    const first = await call<Household>('GET', `/v1/households/${h.id}`, reliefA);
    expect(first.status).toBe(200);
    expect(first.body.code).toBeDefined();
    expect(first.body.code).not.toBe(h.code);
    expect(first.body.version).toBe(h.version);
    const again = await call<Household>('GET', `/v1/households/${h.id}`, reliefA);
    expect(again.body.code).toBe(first.body.code);
    const byCode = await call<AssistanceRecord>('POST', '/v1/assistance', reliefB, { code: first.body.code, ...given() });
    expect(byCode.status).toBe(201);
    expect(byCode.body.householdId).toBe(h.id);
  });
});

describe('recording assistance', () => {
  it('a second CASH record of round 1 is a 409 that names no other record, whichever organisation sends it', async () => {
    const h = await registered();
    const first = await call<AssistanceRecord>('POST', `/v1/households/${h.id}/assistance`, reliefA, given());
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ householdId: h.id, org: 'NGO-A', type: 'CASH', round: '2026-R1', quantity: 50, unit: 'USD', people: 3 });
    expect(first.res.headers.get('location')).toBe(`/v1/households/${h.id}/assistance/${first.body.id}`);

    for (const [who, path, body] of [
      [reliefA, `/v1/households/${h.id}/assistance`, given({ quantity: 20 })],
      [reliefB, `/v1/households/${h.id}/assistance`, given({ round: '2026-r1 ' })],
      [reliefB, '/v1/assistance', { code: h.code, ...given() }],
    ] as const) {
      const second = await call<Problem>('POST', path, who, body);
      expect(second.status).toBe(409);
      expect(second.body.detail).toBe(ALREADY_RECORDED);
      expect(second.text).not.toContain(first.body.id);
      expect(second.text).not.toContain('NGO-A');
    }
    // Another type, or another round, is not a duplicate.
    expect((await call('POST', `/v1/households/${h.id}/assistance`, reliefB, given({ type: 'FOOD', quantity: 25, unit: 'kg' }))).status).toBe(201);
    expect((await call('POST', `/v1/households/${h.id}/assistance`, reliefA, given({ round: '2026-R2' }))).status).toBe(201);
  });

  it('concurrent records of one type and round for a household: exactly one is stored', async () => {
    const h = await registered();
    const answers = await Promise.all(
      [reliefA, reliefB, reliefA, reliefB].map((who) =>
        call('POST', `/v1/households/${h.id}/assistance`, who, given({ type: 'NFI', unit: 'KIT', quantity: 1 })),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    const list = await call<{ items: AssistanceRecord[] }>('GET', `/v1/households/${h.id}/assistance`, reliefA);
    expect(list.body.items.filter((r) => r.type === 'NFI')).toHaveLength(1);
  });

  it('an organisation without access to the household records what it gave but reads neither the household nor its assistance', async () => {
    const h = await registered(reliefA);
    const r = await call<AssistanceRecord>('POST', '/v1/assistance', reliefB, {
      code: formatRegistrationCode(h.code!).toLowerCase(),
      ...given({ type: 'HYGIENE_KIT', unit: 'kit', quantity: 2 }),
    });
    expect(r.status).toBe(201);
    expect(r.body.org).toBe('NGO-B');
    expect(r.text).not.toContain('Sokha');
    expect((await call('GET', `/v1/households/${h.id}`, reliefB)).status).toBe(404);
    expect((await call('GET', `/v1/households/${h.id}/assistance`, reliefB)).status).toBe(404);
    // Its own record it reads; the registering organisation and the ministry read it too.
    expect((await call('GET', `/v1/households/${h.id}/assistance/${r.body.id}`, reliefB)).status).toBe(200);
    const ofA = await call<{ items: AssistanceRecord[] }>('GET', `/v1/households/${h.id}/assistance`, reliefA);
    expect(ofA.body.items.map((i) => i.id)).toEqual([r.body.id]);
    expect((await call('GET', `/v1/households/${h.id}/assistance`, ministryKH)).status).toBe(200);
  });

  it('the other country, other roles, unknown households and codes: 404 or 403, and nothing stored', async () => {
    const h = await registered();
    expect((await call('POST', `/v1/households/${h.id}/assistance`, reliefTH, given())).status).toBe(404);
    expect((await call('POST', '/v1/assistance', reliefTH, { code: h.code, ...given() })).status).toBe(404);
    expect((await call('POST', `/v1/households/${h.id}/assistance`, ministryKH, given())).status).toBe(403);
    expect((await call('POST', `/v1/households/01JAAAAAAAAAAAAAAAAAAAAAAA/assistance`, reliefA, given())).status).toBe(404);
    const wrongCheck = h.code!.slice(0, 6) + (h.code![6] === '2' ? '3' : '2');
    const bad = await call<Problem>('POST', '/v1/assistance', reliefA, { code: wrongCheck, ...given() });
    expect(bad.status).toBe(400);
    expect((await call('POST', `/v1/households/${h.id}/assistance`, reliefA, given({ quantity: 0 }))).status).toBe(400);
    expect((await call('POST', `/v1/households/${h.id}/assistance`, reliefA, given({ type: 'GOLD' }))).status).toBe(400);
    expect((await call('POST', `/v1/households/${h.id}/assistance`, reliefA, given({ date: '2999-01-01' }))).status).toBe(400);
    const items = (await scanTable()).filter((i) => i.pk === `HH#${h.id}` && String(i.sk).startsWith('ASSIST'));
    expect(items).toEqual([]);
  });

  it('refuses without consent to return assistance, saying only that; withdrawing the consent stops new records', async () => {
    const without = await registered(reliefA, householdBody({ consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] } }));
    const refused = await call<Problem>('POST', '/v1/assistance', reliefB, { code: without.code, ...given() });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe(CONSENT_MISSING);
    expect(refused.text).not.toContain(without.id);

    const h = await registered();
    expect((await call('POST', `/v1/households/${h.id}/assistance`, reliefA, given())).status).toBe(201);
    const withdrawn = await call(
      'POST',
      `/v1/households/${h.id}/consent`,
      reliefA,
      { withdraw: ['RETURN_ASSISTANCE'], date: '2026-02-02' },
      { 'if-match': `"${h.version}"` },
    );
    expect(withdrawn.status).toBe(200);
    const after = await call<Problem>('POST', `/v1/households/${h.id}/assistance`, reliefB, given({ type: 'FOOD' }));
    expect(after.status).toBe(409);
    expect(after.body.detail).toBe(CONSENT_MISSING);
  });

  it('a retry with the same Idempotency-Key answers the first record and stores nothing more; another body with it is a 409', async () => {
    const h = await registered();
    const key = { 'idempotency-key': `assist-${h.id}` };
    const first = await call<AssistanceRecord>(
      'POST',
      `/v1/households/${h.id}/assistance`,
      reliefB,
      given({ type: 'TRANSPORT', unit: 'TRIP', quantity: 1 }),
      key,
    );
    const again = await call<AssistanceRecord>(
      'POST',
      `/v1/households/${h.id}/assistance`,
      reliefB,
      given({ type: 'TRANSPORT', unit: 'TRIP', quantity: 1 }),
      key,
    );
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.res.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    expect((await call('POST', `/v1/households/${h.id}/assistance`, reliefB, given({ type: 'TRANSPORT', unit: 'TRIP', quantity: 2 }), key)).status).toBe(409);
    const records = (await scanTable()).filter((i) => i.entity === 'Assistance' && i.householdId === h.id);
    expect(records).toHaveLength(1);
  });

  it('writes a history entry and an AssistanceRecorded event with ids and counts only', async () => {
    const h = await registered();
    const r = await call<AssistanceRecord>('POST', `/v1/households/${h.id}/assistance`, reliefB, given({ type: 'SHELTER_KIT', unit: 'KIT', quantity: 1 }));
    const history = await call<{ items: { action: string; actor: { org: string } }[] }>('GET', `/v1/households/${h.id}/history`, reliefA);
    expect(history.body.items.find((e) => e.action === 'ASSISTANCE')?.actor.org).toBe('NGO-B');
    const events = (await scanTable())
      .filter((i) => i.entity === 'OutboxEvent' && (i.event as EventEnvelope).type === EventType.AssistanceRecorded)
      .map((i) => i.event as EventEnvelope<typeof EventType.AssistanceRecorded>);
    const event = events.find((e) => e.data.assistanceId === r.body.id)!;
    expect(event.audience).toEqual(['KH']);
    expect(event.data).toMatchObject({ householdId: h.id, org: 'NGO-B', assistanceType: 'SHELTER_KIT', people: 3, quantity: 1, unit: 'KIT' });
    const text = JSON.stringify(event);
    for (const personal of ['Sokha', 'Chan', 'Pagoda', 'O Smach', h.code!]) expect(text).not.toContain(personal);
  });
});

describe('statistics per round', () => {
  // Ten registrations and dozens of concurrent records: 4 s alone, but it once reached 30 s in the full parallel run
  // on 2 cores sharing one DynamoDB Local, so the limit is a guard against hanging, not a measure.
  it('the counters agree with a recount of the stored records after many records by two organisations, duplicates and races included', {
    timeout: 120_000,
  }, async () => {
    const households = await Promise.all(
      Array.from({ length: 10 }, (_, i) => registered(reliefA, householdBody({ members: householdBody().members.slice(0, 1 + (i % 3)) }))),
    );
    const rounds = ['STATS-R1', 'STATS-R2'];
    // mulberry32: a seeded sequence, the same on every run.
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const attempts = Array.from({ length: 60 }, () => {
      const h = households[rand(households.length)]!;
      const type = ASSISTANCE_TYPES[rand(3)]!;
      const unit = type === 'CASH' ? 'USD' : type === 'FOOD' ? (rand(2) ? 'KG' : 'kg') : 'KIT';
      return { h, body: given({ round: rounds[rand(2)]!, type, unit, quantity: 1 + rand(40) + (rand(2) ? 0.5 : 0) }), who: rand(2) ? reliefA : reliefB };
    });
    const statuses: number[] = [];
    for (let i = 0; i < attempts.length; i += 6) {
      statuses.push(
        ...(await Promise.all(attempts.slice(i, i + 6).map((a) => call('POST', `/v1/households/${a.h.id}/assistance`, a.who, a.body)))).map((r) => r.status),
      );
    }
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 409).length).toBeGreaterThan(0);

    const stored = (await scanTable()).filter((i) => i.entity === 'Assistance' && rounds.includes(String(i.round))) as unknown as AssistanceRecord[];
    expect(stored.length).toBe(statuses.filter((s) => s === 201).length);
    const stats = await call<{ rounds: AssistanceRoundView[]; suppressed: string[] }>('GET', '/v1/stats/assistance', ministryKH);
    expect(stats.status).toBe(200);
    expect(stats.body.suppressed).toEqual([]);
    for (const round of rounds) {
      const records = stored.filter((r) => r.round === round);
      const reached = new Map(records.map((r) => [r.householdId, r.people]));
      const view = stats.body.rounds.find((r) => r.round === round)!;
      expect(view.records).toBe(records.length);
      expect(view.households).toBe(reached.size);
      expect(view.people).toBe([...reached.values()].reduce((a, b) => a + b, 0));
      const byUnit = new Map<string, number>();
      for (const r of records) byUnit.set(r.unit, (byUnit.get(r.unit) ?? 0) + r.quantity);
      expect(view.quantity).toEqual(Object.fromEntries(byUnit));
      for (const type of ASSISTANCE_TYPES) {
        const ofType = records.filter((r) => r.type === type);
        if (ofType.length === 0) {
          expect(view.byType[type]).toBeUndefined();
          continue;
        }
        expect(view.byType[type]).toMatchObject({
          records: ofType.length,
          households: new Set(ofType.map((r) => r.householdId)).size,
          people: ofType.reduce((a, r) => a + r.people, 0),
        });
      }
    }
    // The same round read alone, and as CSV with its HXL row.
    const one = await call<{ rounds: AssistanceRoundView[] }>('GET', '/v1/stats/assistance?round=stats-r1', ministryKH);
    expect(one.body.rounds).toEqual([stats.body.rounds.find((r) => r.round === 'STATS-R1')]);
    const csv = await call('GET', '/v1/stats/assistance?round=STATS-R1&format=csv', ministryKH);
    const [header, hxl, all] = csv.text.trim().split('\r\n');
    expect(header).toContain('households_reached');
    expect(hxl).toContain('#reached+hh');
    expect(hxl).toContain('#reached+ind');
    const view = one.body.rounds[0]!;
    expect(all!.split(',').slice(0, 6)).toEqual(['KH', 'STATS-R1', 'ALL', String(view.records), String(view.households), String(view.people)]);
  });

  it('small cells are withheld from relief agencies and observers, not from the ministry', async () => {
    const h = await registered();
    await call('POST', `/v1/households/${h.id}/assistance`, reliefA, given({ round: 'SMALL-R1' }));
    const ministry = await call<{ rounds: AssistanceRoundView[] }>('GET', '/v1/stats/assistance?round=SMALL-R1', ministryKH);
    expect(ministry.body.rounds[0]).toMatchObject({ households: 1, people: 3 });
    const relief = await call<{ rounds: AssistanceRoundView[]; suppressed: string[] }>('GET', '/v1/stats/assistance?round=SMALL-R1', reliefA);
    expect(relief.body.rounds[0]).toMatchObject({ records: 1, households: null, people: null });
    expect(relief.body.suppressed).toEqual(expect.arrayContaining(['rounds.0.households', 'rounds.0.people', 'rounds.0.byType.CASH.households']));
    expect((await call('GET', '/v1/stats/assistance?round=SMALL-R1&country=KH', observer)).status).toBe(200);
    expect((await call('GET', '/v1/stats/assistance?round=SMALL-R1', observer)).status).toBe(400);
    expect((await call('GET', '/v1/stats/assistance?country=KH', reliefTH)).status).toBe(403);
  });
});

describe('distribution lists', () => {
  it('lists only the organisation’s own households of a site as CSV, no-store, with an access entry for each', async () => {
    const site = `Camp ${Date.now()}`;
    const mine = await Promise.all([
      registered(reliefA, householdBody({ current: { province: 'KH17', site } })),
      registered(reliefA, householdBody({ current: { province: 'KH17', site } })),
    ]);
    const other = await registered(reliefB, householdBody({ current: { province: 'KH17', site } }));
    await call('POST', `/v1/households/${mine[0]!.id}/assistance`, reliefB, given({ round: 'LIST-R1' }));
    const r = await call('GET', `/v1/assistance-rounds/list-r1/distribution-list?type=CASH&site=${encodeURIComponent(site.toLowerCase())}`, reliefA);
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-type')).toContain('text/csv');
    expect(r.res.headers.get('cache-control')).toBe('no-store');
    const [header, ...rows] = r.text.trim().split('\r\n');
    expect(header).toBe('household_id,code,head_given_name,head_family_name,size,site,round,type,already_recorded,date,quantity,unit');
    expect(rows).toHaveLength(2);
    expect(r.text).not.toContain(other.id);
    const row0 = rows.find((l) => l.startsWith(mine[0]!.id))!.split(',');
    expect(row0).toEqual([mine[0]!.id, formatRegistrationCode(mine[0]!.code!), 'Sokha', 'Chan', '3', site, 'LIST-R1', 'CASH', 'yes', '', '', '']);
    expect(rows.find((l) => l.startsWith(mine[1]!.id))!.split(',')[8]).toBe('no');
    for (const h of mine) {
      const log = await call<{ items: { purpose: string; actor: { org: string } }[] }>('GET', `/v1/households/${h.id}/access-log`, ministryKH);
      expect(log.body.items.filter((e) => e.purpose === 'DISTRIBUTION_LIST').map((e) => e.actor.org)).toEqual(['NGO-A']);
    }
    const log = await call<{ items: { purpose: string }[] }>('GET', `/v1/households/${other.id}/access-log`, ministryKH);
    expect(log.body.items.some((e) => e.purpose === 'DISTRIBUTION_LIST')).toBe(false);
    expect((await call('GET', '/v1/assistance-rounds/R1/distribution-list', ministryKH)).status).toBe(403);
    expect((await call('GET', '/v1/assistance-rounds/R1/distribution-list', admin)).status).toBe(403);
  });

  it('a name that starts like a spreadsheet formula is written as text', async () => {
    const site = `Formula ${Date.now()}`;
    const body = householdBody({ current: { province: 'KH17', site } });
    body.members[0] = { ...body.members[0]!, givenName: '=HYPERLINK("http://x")' };
    await registered(reliefA, body);
    const r = await call('GET', `/v1/assistance-rounds/R1/distribution-list?site=${encodeURIComponent(site)}`, reliefA);
    expect(r.text).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});

describe('the family’s copy and erasure', () => {
  it('the export lists the assistance; erasure deletes the records, markers and code claim, and keeps the statistics', async () => {
    const h = await registered();
    const r = await call<AssistanceRecord>('POST', `/v1/households/${h.id}/assistance`, reliefB, given({ round: 'ERASE-R1' }));
    const exported = await call<{ assistance: AssistanceRecord[] }>('GET', `/v1/households/${h.id}/export`, reliefA);
    expect(exported.body.assistance.map((a) => a.id)).toEqual([r.body.id]);
    const before = await call<{ rounds: AssistanceRoundView[] }>('GET', '/v1/stats/assistance?round=ERASE-R1', ministryKH);
    expect((await call('POST', `/v1/households/${h.id}/erasure`, admin, { reason: 'asked by the family' })).status).toBe(200);
    const left = (await scanTable()).filter(
      (i) => (i.pk === `HH#${h.id}` && String(i.sk).startsWith('ASSIST')) || i.pk === registrationCodeKey('KH', h.code!).pk,
    );
    expect(left).toEqual([]);
    expect((await call('POST', '/v1/assistance', reliefB, { code: h.code, ...given({ round: 'ERASE-R2' }) })).status).toBe(404);
    const after = await call<{ rounds: AssistanceRoundView[] }>('GET', '/v1/stats/assistance?round=ERASE-R1', ministryKH);
    expect(after.body).toEqual(before.body);
  });
});

describe('a round recorded from a returned distribution list (upload through the import mechanism)', () => {
  const upload = async (headers: H, csv: string) => {
    const created = await call<{ id: string; uploadUrl: string }>('POST', '/v1/assistance-imports', headers, {});
    expect(created.status).toBe(201);
    await markUploaded(created.body.id, Buffer.byteLength(csv), new Date().toISOString());
    return { id: created.body.id, source: { open: async () => Readable.from([Buffer.from(csv)]) } };
  };

  it('records each row by the API’s rules, refuses duplicates and rows without consent one by one, and a resumed job counts nothing twice', async () => {
    const site = `Upload ${Date.now()}`;
    const households = await Promise.all(Array.from({ length: 4 }, () => registered(reliefA, householdBody({ current: { province: 'KH17', site } }))));
    const noConsent = await registered(
      reliefA,
      householdBody({ current: { province: 'KH17', site }, consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] } }),
    );
    // Another organisation served the first household in this round already.
    await call('POST', `/v1/households/${households[0]!.id}/assistance`, reliefB, given({ round: 'UPLOAD-R1' }));
    const list = await call('GET', `/v1/assistance-rounds/UPLOAD-R1/distribution-list?type=CASH&site=${encodeURIComponent(site)}`, reliefA);
    const [header, ...rows] = list.text.trim().split('\r\n');
    const filled = rows.map((line) => line.replace(/,,,$/, ',2026-02-03,40,USD'));
    // The same household twice in the file, by its code the second time.
    const byCode = `,${formatRegistrationCode(households[1]!.code!)},,,,,UPLOAD-R1,CASH,,2026-02-03,40,USD`;
    const bad = `${households[2]!.id},,,,,,UPLOAD-R1,CASH,,2026-02-03,-5,USD`;
    const csv = [header, ...filled, byCode, bad].join('\r\n') + '\r\n';
    const { id, source } = await upload(reliefA, csv);

    expect(await runImport(id, source, { stopAfterChunks: 3 })).toBe('STOPPED');
    expect(await runImport(id, source)).toBe('COMPLETED');
    expect(await runImport(id, source)).toBe('NOT_READY');

    const job = await call<{ status: string; rowsTotal: number; rowsRecorded: number; rowsRejected: number; errors: { row: number; message: string }[] }>(
      'GET',
      `/v1/assistance-imports/${id}`,
      reliefA,
    );
    expect(job.body.status).toBe('COMPLETED');
    const rowOf = (householdId: string) => 2 + rows.findIndex((l) => l.startsWith(householdId));
    expect(job.body.rowsTotal).toBe(rows.length + 2);
    // Recorded: households 1, 2 and 3 (the 2nd once); refused: the 1st (served by NGO-B), no consent, the 2nd again, the bad quantity.
    expect(job.body.rowsRecorded).toBe(3);
    expect(job.body.rowsRejected).toBe(4);
    expect(job.body.errors).toEqual(
      expect.arrayContaining([
        { row: rowOf(households[0]!.id), message: ALREADY_RECORDED },
        { row: rowOf(noConsent.id), message: CONSENT_MISSING },
        { row: rows.length + 2, message: ALREADY_RECORDED },
        { row: rows.length + 3, message: expect.stringContaining('quantity') },
      ]),
    );
    const stored = (await scanTable()).filter((i) => i.entity === 'Assistance' && i.round === 'UPLOAD-R1');
    expect(stored).toHaveLength(4);
    expect(
      stored
        .filter((i) => i.importId === id)
        .map((i) => i.householdId)
        .sort(),
    ).toEqual(
      households
        .slice(1)
        .map((h) => h.id)
        .sort(),
    );
    const stats = await call<{ rounds: AssistanceRoundView[] }>('GET', '/v1/stats/assistance?round=UPLOAD-R1', ministryKH);
    expect(stats.body.rounds[0]).toMatchObject({ records: 4, households: 4, people: 12, quantity: { USD: 170 } });
    // Each record reported its event; the job reports no household import.
    const events = (await scanTable()).filter((i) => i.entity === 'OutboxEvent').map((i) => i.event as EventEnvelope);
    expect(events.filter((e) => e.type === EventType.AssistanceRecorded && (e.data as { importId?: string }).importId === id)).toHaveLength(3);
    expect(events.filter((e) => e.type === EventType.HouseholdImportCompleted && (e.data as { importId: string }).importId === id)).toEqual([]);
    // Other organisations, and households-import readers of the other kind, do not see the job.
    expect((await call('GET', `/v1/assistance-imports/${id}`, reliefB)).status).toBe(404);
  });

  it('a file without the needed columns fails before anything is recorded', async () => {
    const { id, source } = await upload(reliefA, 'household_id,round,type\r\n01JAAAAAAAAAAAAAAAAAAAAAAA,R1,CASH\r\n');
    expect(await runImport(id, source)).toBe('FAILED');
    const job = await call<{ status: string; message: string }>('GET', `/v1/assistance-imports/${id}`, reliefA);
    expect(job.body.message).toContain('date, quantity, unit');
  });
});

describe('imported households', () => {
  it('get registration codes (derived from the job and household key, so a resumed chunk writes the same)', async () => {
    const created = await call<{ id: string }>('POST', '/v1/household-imports', reliefA, {});
    const csv = csvOf([headRow(`code-a-${Date.now()}`), headRow(`code-b-${Date.now()}`)]);
    await markUploaded(created.body.id, Buffer.byteLength(csv), new Date().toISOString());
    const source = { open: async () => Readable.from([Buffer.from(csv)]) };
    expect(await runImport(created.body.id, source)).toBe('COMPLETED');
    const imported = (await scanTable()).filter((i) => i.entity === 'Household' && i.importId === created.body.id);
    expect(imported).toHaveLength(2);
    for (const h of imported) {
      expect(normaliseRegistrationCode(String(h.code))).toBe(h.code);
      const byCode = await call<AssistanceRecord>('POST', '/v1/assistance', reliefB, { code: h.code, ...given({ round: 'IMPORTED-R1' }) });
      expect(byCode.body.householdId).toBe(h.id);
    }
  });
});
