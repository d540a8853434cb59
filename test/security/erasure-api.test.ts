import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../functions/households/app.ts';
import { app as sitesApp } from '../../functions/sites/app.ts';
import type { Household, HouseholdSummary } from '../../shared/domain/household.ts';
import type { EventEnvelope } from '../../shared/events/catalogue.ts';
import { EventType } from '../../shared/events/catalogue.ts';
import { createHazard, get as getTasksApp, scanTable } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Erasure, consent and the family's copy through the households app against DynamoDB Local:
 * who may do what, what is left, and what a withdrawn purpose stops. (The black-box proof that
 * nothing personal is left anywhere is `erasure.test.ts`, against `npm start`.)
 */
type H = Record<string, string>;
type Problem = { status: number; detail: string; erasedAt?: string };

let reliefA: H;
let reliefB: H;
let ministryKH: H;
let ministryTH: H;
let observer: H;
let admin: H;

async function call<T>(method: string, path: string, headers: H, body?: unknown, extra: H = {}) {
  const res = await (path.startsWith('/v1/stats/') ? sitesApp : app).request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, res, text };
}

let serial = 0;
const unique = () => `${Date.now().toString(36)}${++serial}`;

const householdBody = (overrides: Record<string, unknown> = {}) => {
  const u = unique();
  return {
    origin: { province: 'KH22', district: `Samraong${u}`, village: `Osmach${u}` },
    current: { province: 'KH17', site: `Pagoda camp ${u}` },
    destination: { province: 'KH22', village: `Osmach${u}`, point: { type: 'Point', coordinates: [103.52, 14.42] } },
    members: [
      {
        givenName: `Sokha${u}`,
        familyName: `Chan${u}`,
        sex: 'F',
        birthYear: 1986,
        relationship: 'HEAD',
        specificNeeds: ['SP-PT'],
        document: { type: 'NATIONAL_ID', number: `KH${u}X` },
      },
      { givenName: `Dara${u}`, familyName: `Chan${u}`, sex: 'M', birthYear: 2012, relationship: 'CHILD' },
    ],
    contact: { phone: '+855 12 345 678', note: `call after six ${u}` },
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE', 'REGISTRATION'] },
    ...overrides,
  };
};

async function registered(headers: H = reliefA, body: Record<string, unknown> = householdBody(), extra: H = {}): Promise<Household> {
  const r = await call<Household>('POST', '/v1/households', headers, body, extra);
  if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
  return r.body;
}

const allItems = scanTable;

const statsOf = async () => (await call<Record<string, unknown>>('GET', '/v1/stats/displacement?country=KH', ministryKH)).body;

beforeAll(async () => {
  reliefA = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a' });
  reliefB = await bearer({ role: 'relief', country: 'KH', org: 'NGO-B', sub: 'registrar-b' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoSVY', sub: 'ministry-kh' });
  ministryTH = await bearer({ role: 'ministry', country: 'TH', org: 'MSDHS', sub: 'ministry-th' });
  observer = await bearer({ role: 'observer', org: 'AOT' });
  admin = await bearer({ role: 'admin', org: 'platform' });
});

describe('erasure', () => {
  it('asked for by the registering organisation waits (202, REQUESTED) and is carried out when the ministry of its country confirms it; others are refused', async () => {
    const h = await registered();
    const stats = await statsOf();

    expect((await call<Problem>('POST', `/v1/households/${h.id}/erasure`, reliefB, { reason: 'family asked' })).status).toBe(404);
    expect((await call<Problem>('POST', `/v1/households/${h.id}/erasure`, ministryKH, { reason: 'family asked' })).status).toBe(403);
    expect((await call<Problem>('POST', `/v1/households/${h.id}/erasure/confirmation`, ministryKH)).status).toBe(409);

    const asked = await call<{ status: string; requested: { role: string; org: string } }>('POST', `/v1/households/${h.id}/erasure`, reliefA, {
      reason: `family of ${h.members[0]!.givenName} asked`,
    });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ householdId: h.id, status: 'REQUESTED', requested: { role: 'relief', org: 'NGO-A' } });
    expect((await call<Problem>('POST', `/v1/households/${h.id}/erasure`, reliefA, { reason: 'again' })).status).toBe(409);
    // Still there until confirmed, and it says so.
    const before = await call<Household>('GET', `/v1/households/${h.id}`, reliefA);
    expect(before.status).toBe(200);
    expect(before.body.erasure).toMatchObject({ status: 'REQUESTED' });

    expect((await call<Problem>('POST', `/v1/households/${h.id}/erasure/confirmation`, ministryTH)).status).toBe(404);
    expect((await call<Problem>('POST', `/v1/households/${h.id}/erasure/confirmation`, reliefA)).status).toBe(403);
    const done = await call<Record<string, unknown>>('POST', `/v1/households/${h.id}/erasure/confirmation`, ministryKH);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      id: h.id,
      country: 'KH',
      org: 'NGO-A',
      status: 'ERASED',
      erasure: { requested: { role: 'relief', org: 'NGO-A' }, carriedOut: { role: 'ministry', org: 'MoSVY' } },
    });
    expect(Object.keys(done.body).sort()).toEqual(['country', 'createdAt', 'erasedAt', 'erasure', 'id', 'org', 'status', 'version']);
    // The family's name typed into the reason is blanked out of the tombstone.
    expect(done.text).not.toContain(h.members[0]!.givenName);
    expect((done.body.erasure as { reason: string }).reason).toBe('family of [erased] asked');

    expect(await statsOf()).toEqual(stats);
  });

  it('by an admin is carried out at once; afterwards reads answer 410 to those who could read it and 404 to everyone else, and lists and lookups no longer find it', async () => {
    const body = householdBody();
    const h = await registered(reliefA, body);
    const stats = await statsOf();
    const erased = await call<{ status: string; erasedAt: string }>('POST', `/v1/households/${h.id}/erasure`, admin, { reason: 'withdrawal of consent' });
    expect(erased.status).toBe(200);
    expect(erased.body.status).toBe('ERASED');
    expect(await statsOf()).toEqual(stats);

    for (const who of [reliefA, ministryKH, admin]) {
      const r = await call<Problem>('GET', `/v1/households/${h.id}`, who);
      expect(r.status).toBe(410);
      expect(r.res.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.erasedAt).toBe(erased.body.erasedAt);
    }
    for (const who of [reliefB, ministryTH, observer]) expect((await call<Problem>('GET', `/v1/households/${h.id}`, who)).status).toBe(404);
    expect((await call<Problem>('GET', `/v1/households/${h.id}/history`, reliefA)).status).toBe(410);
    expect((await call<Problem>('GET', `/v1/households/${h.id}/export`, reliefA)).status).toBe(410);
    expect((await call<Problem>('PATCH', `/v1/households/${h.id}`, reliefA, { contact: null }, { 'if-match': '"1"' })).status).toBe(410);
    expect((await call<Problem>('POST', `/v1/households/${h.id}/erasure`, admin, { reason: 'again' })).status).toBe(410);
    // The access log stays for accountability: who read it, never what.
    const log = await call<{ items: { purpose: string }[] }>('GET', `/v1/households/${h.id}/access-log`, ministryKH);
    expect(log.status).toBe(200);
    expect(log.body.items.map((e) => e.purpose)).toContain('ERASURE');

    const list = await call<{ items: HouseholdSummary[] }>('GET', '/v1/households?limit=100', reliefA);
    expect(list.body.items.map((i) => i.id)).not.toContain(h.id);
    const lookup = await call<{ items: HouseholdSummary[] }>('POST', '/v1/households/lookup', reliefA, {
      documentType: 'NATIONAL_ID',
      documentNumber: body.members[0]!.document!.number,
    });
    expect(lookup.body.items).toEqual([]);
    // The document is free again: the claim went with the household.
    expect((await call<Household>('POST', '/v1/households', reliefA, { ...householdBody(), members: body.members })).status).toBe(201);

    const events = (await allItems())
      .filter((i) => i.entity === 'OutboxEvent')
      .map((i) => i.event as EventEnvelope)
      .filter((e) => e.type === EventType.HouseholdErased && e.subject.id === h.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.audience).toEqual(['KH']);
    expect(events[0]!.data).toEqual({ householdId: h.id, country: 'KH', org: 'NGO-A' });
  });

  it('turns a retry of the registration with the same Idempotency-Key into 410 instead of a copy of the erased data or a new household', async () => {
    const body = householdBody();
    const key = `erase-${unique()}`;
    const h = await registered(reliefA, body, { 'idempotency-key': key });
    expect((await call<Problem>('POST', `/v1/households/${h.id}/erasure`, admin, { reason: 'asked' })).status).toBe(200);
    const retry = await call<Problem>('POST', '/v1/households', reliefA, body, { 'idempotency-key': key });
    expect(retry.status).toBe(410);
    expect(retry.text).not.toContain(body.members[0]!.givenName);
    const records = (await allItems()).filter((i) => i.entity === 'IdempotencyRecord' && JSON.stringify(i).includes(h.id));
    expect(records.length).toBe(1);
    expect(JSON.stringify(records)).not.toContain(body.members[0]!.givenName);
  });

  it('leaves no item holding the household’s personal values, keeps the counts, and scrubs the reasons out of its history', async () => {
    const body = householdBody();
    const h = await registered(reliefA, body);
    const moved = await call<Household>('POST', `/v1/households/${h.id}/transitions`, reliefA, { to: 'INTENDS_RETURN' }, { 'if-match': '"1"' });
    const back = await call<Household>(
      'POST',
      `/v1/households/${h.id}/transitions`,
      reliefA,
      { to: 'DISPLACED', reason: `${body.members[0]!.givenName} fell ill` },
      { 'if-match': `"${moved.body.version}"` },
    );
    expect(back.status).toBe(200);
    const stats = await statsOf();
    expect((await call('POST', `/v1/households/${h.id}/erasure`, admin, { reason: 'asked' })).status).toBe(200);
    const values = [
      body.members[0]!.givenName,
      body.members[0]!.familyName,
      body.members[1]!.givenName,
      body.contact.note,
      body.origin.village,
      body.current.site,
      body.members[0]!.document!.number,
    ];
    const dump = JSON.stringify(await allItems());
    for (const v of values) expect(dump).not.toContain(v);
    const leftovers = (await allItems()).filter((i) => String(i.pk).startsWith(`HH#${h.id}`) || i.householdId === h.id);
    expect(leftovers.map((i) => i.entity).sort()).toEqual(expect.arrayContaining(['HouseholdTombstone', 'HouseholdHistory', 'HouseholdAccess']));
    expect(
      leftovers.some((i) => ['HouseholdDocumentClaim', 'HouseholdDocuments', 'HouseholdCell', 'RecentDocumentClaim', 'Household'].includes(String(i.entity))),
    ).toBe(false);
    expect(await statsOf()).toEqual(stats);
  });
});

describe('consent', () => {
  it('withdrawing RETURN_ASSISTANCE stops the return-safety checks and the at-risk lists at once; granting it again restores them; the counts stay', async () => {
    const hazard = await createHazard(await bearer({ role: 'operations', country: 'KH', org: 'CMAC' }), {
      country: 'KH',
      province: 'KH22',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [104.1, 14.1],
            [104.11, 14.1],
            [104.11, 14.11],
            [104.1, 14.11],
            [104.1, 14.1],
          ],
        ],
      },
    });
    const body = householdBody({ destination: { province: 'KH22', point: { type: 'Point', coordinates: [104.105, 14.105] } } });
    const h = await registered(reliefA, body);
    expect(h.returnSafety.status).toBe('AT_RISK');
    const atRisk = async () =>
      (await getTasksApp<{ items: { id: string }[] }>(`/v1/hazard-areas/${hazard.id}/households-at-risk`, ministryKH)).body.items.map((i) => i.id);
    expect(await atRisk()).toContain(h.id);

    expect((await call<Problem>('POST', `/v1/households/${h.id}/consent`, reliefA, { withdraw: ['RETURN_ASSISTANCE'], date: '2026-02-01' })).status).toBe(428);
    expect(
      (await call<Problem>('POST', `/v1/households/${h.id}/consent`, reliefA, { withdraw: ['RETURN_ASSISTANCE'], date: '2026-02-01' }, { 'if-match': '"9"' }))
        .status,
    ).toBe(412);
    expect(
      (await call<Problem>('POST', `/v1/households/${h.id}/consent`, reliefB, { withdraw: ['RETURN_ASSISTANCE'], date: '2026-02-01' }, { 'if-match': '"1"' }))
        .status,
    ).toBe(404);
    expect(
      (await call<Problem>('POST', `/v1/households/${h.id}/consent`, reliefA, { withdraw: ['REGISTRATION'], date: '2026-02-01' }, { 'if-match': '"1"' }))
        .status,
    ).toBe(409);
    expect(
      (
        await call<Problem>(
          'POST',
          `/v1/households/${h.id}/consent`,
          reliefA,
          { grant: ['TRACING'], withdraw: ['TRACING'], date: '2026-02-01' },
          { 'if-match': '"1"' },
        )
      ).status,
    ).toBe(400);

    const withdrawn = await call<Household>(
      'POST',
      `/v1/households/${h.id}/consent`,
      reliefA,
      { withdraw: ['RETURN_ASSISTANCE'], date: '2026-02-01' },
      { 'if-match': '"1"' },
    );
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.consent.purposes).toEqual(['REGISTRATION']);
    expect(withdrawn.body.consent.withdrawn).toEqual([{ purpose: 'RETURN_ASSISTANCE', date: '2026-02-01' }]);
    expect(withdrawn.body.returnSafety.status).toBe('UNKNOWN');
    expect(await atRisk()).not.toContain(h.id);
    expect((await allItems()).filter((i) => i.householdId === h.id && (i.entity === 'HouseholdCell' || i.entity === 'AtRiskHousehold'))).toEqual([]);
    // A new destination is not assessed while the purpose is withdrawn.
    const patched = await call<Household>(
      'PATCH',
      `/v1/households/${h.id}`,
      reliefA,
      { destination: { province: 'KH22', point: { type: 'Point', coordinates: [104.106, 14.106] } } },
      { 'if-match': `"${withdrawn.body.version}"` },
    );
    expect(patched.body.returnSafety.status).toBe('UNKNOWN');
    expect(await atRisk()).not.toContain(h.id);

    const granted = await call<Household>(
      'POST',
      `/v1/households/${h.id}/consent`,
      reliefA,
      { grant: ['RETURN_ASSISTANCE'], date: '2026-02-03' },
      { 'if-match': `"${patched.body.version}"` },
    );
    expect(granted.status).toBe(200);
    expect(granted.body.consent.purposes).toEqual(['RETURN_ASSISTANCE', 'REGISTRATION']);
    expect(granted.body.consent.withdrawn).toBeUndefined();
    expect(granted.body.returnSafety.status).toBe('AT_RISK');
    expect(await atRisk()).toContain(h.id);

    const history = await call<{ items: { action: string; changes?: Record<string, unknown> }[] }>('GET', `/v1/households/${h.id}/history`, reliefA);
    expect(history.body.items.filter((e) => e.action === 'CONSENT').map((e) => e.changes)).toEqual([
      { granted: [], withdrawn: ['RETURN_ASSISTANCE'], date: '2026-02-01' },
      { granted: ['RETURN_ASSISTANCE'], withdrawn: [], date: '2026-02-03' },
    ]);
  });

  it('registered without RETURN_ASSISTANCE, a household is never assessed nor indexed', async () => {
    const h = await registered(reliefA, householdBody({ consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] } }));
    expect(h.returnSafety.status).toBe('UNKNOWN');
    expect((await allItems()).filter((i) => i.householdId === h.id && i.entity === 'HouseholdCell')).toEqual([]);
  });
});

describe('the family’s copy', () => {
  it('gives the registering organisation the record, history and access log, recorded in the access log; nobody else gets it', async () => {
    const h = await registered();
    await call('GET', `/v1/households/${h.id}`, ministryKH);
    const r = await call<{
      household: Household;
      history: { action: string }[];
      accessLog: { purpose: string; actor: { org: string } }[];
      assistance: unknown[];
    }>('GET', `/v1/households/${h.id}/export`, reliefA);
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-disposition')).toBe(`attachment; filename="household-${h.id}.json"`);
    expect(r.body.household).toEqual(h);
    expect(r.body.history.map((e) => e.action)).toEqual(['CREATED']);
    expect(r.body.accessLog.map((e) => [e.purpose, e.actor.org])).toEqual([
      ['READ', 'MoSVY'],
      ['EXPORT', 'NGO-A'],
    ]);
    expect(r.body.assistance).toEqual([]);

    expect((await call('GET', `/v1/households/${h.id}/export`, reliefB)).status).toBe(404);
    expect((await call('GET', `/v1/households/${h.id}/export`, ministryKH)).status).toBe(403);
    expect((await call('GET', `/v1/households/${h.id}/export`, observer)).status).toBe(403);
    expect((await call('GET', `/v1/households/${h.id}/export`, admin)).status).toBe(200);
  });
});
