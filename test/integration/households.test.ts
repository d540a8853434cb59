import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../../functions/households/app.ts';
import { readDisplacementStats } from '../../shared/db/repositories/displacement-stats.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { hashDocument } from '../../shared/db/document-hash.ts';
import { documentClaimKey, householdKey } from '../../shared/db/keys/household.ts';
import type { Household, HouseholdSummary } from '../../shared/domain/household.ts';
import type { HistoryEntry } from '../../shared/domain/task.ts';
import type { EventEnvelope } from '../../shared/events/catalogue.ts';
import { EventType } from '../../shared/events/catalogue.ts';
import { logger } from '../../shared/logger.ts';
import { createHazard } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

const json = { 'content-type': 'application/json' };
type Problem = {
  detail: string;
  errors?: { path: string; message: string }[];
  existingHouseholdId?: string;
  allowedTransitions?: string[];
  currentStatus?: string;
};
type PageOf<T> = { items: T[]; next: string | null };
type AccessEntry = { id: string; at: string; householdId: string; actor: { sub: string; role: string; org: string }; purpose: string };
type H = Record<string, string>;

let reliefA: H; // KH, NGO-A
let reliefB: H; // KH, NGO-B
let reliefTH: H;
let ministryKH: H;
let ministryTH: H;
let observer: H;
let operationsKH: H;
let deminerKH: H;
let qaKH: H;
let admin: H;

async function call<T>(method: string, path: string, headers: H, body?: unknown, extra: H = {}) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, res, text };
}

let serial = 0;
/** A fresh document number per call, so tests do not collide on the country's document claims. */
const docNumber = () => `KH${String(100000 + ++serial)}${String(Date.now()).slice(-4)}`;

const member = (overrides: Record<string, unknown> = {}) => ({
  givenName: 'Sokha',
  familyName: 'Chan',
  sex: 'F',
  birthYear: 1986,
  relationship: 'HEAD',
  specificNeeds: ['SP-PT'],
  document: { type: 'NATIONAL_ID', number: docNumber() },
  ...overrides,
});

const householdBody = (overrides: Record<string, unknown> = {}) => ({
  origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: [103.52, 14.42] } },
  members: [member(), member({ givenName: 'Dara', relationship: 'CHILD', sex: 'M', birthYear: 2012, specificNeeds: [], document: undefined })],
  contact: { phone: '+855 12 345 678' },
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  ...overrides,
});

const register = (headers: H, body: unknown, extra: H = {}) => call<Household & Problem>('POST', '/v1/households', headers, body, extra);

async function registered(headers: H = reliefA, body: Record<string, unknown> = householdBody()): Promise<Household> {
  const r = await register(headers, body);
  if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
  return r.body;
}

/** Every raw item of this file's table (test-only Scan), to prove what is and is not stored. */
async function allItems(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await documentClient.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

const householdCount = async () => (await allItems()).filter((i) => i.entity === 'Household').length;

beforeAll(async () => {
  reliefA = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a' });
  reliefB = await bearer({ role: 'relief', country: 'KH', org: 'NGO-B', sub: 'registrar-b' });
  reliefTH = await bearer({ role: 'relief', country: 'TH', org: 'NGO-T', sub: 'registrar-t' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoSVY', sub: 'ministry-kh' });
  ministryTH = await bearer({ role: 'ministry', country: 'TH', org: 'MSDHS', sub: 'ministry-th' });
  observer = await bearer({ role: 'observer', org: 'AOT' });
  operationsKH = await bearer({ role: 'operations', country: 'KH', org: 'CMAC' });
  deminerKH = await bearer({ role: 'deminer', country: 'KH', org: 'CMAC', team: '01JTEAM0000000000000000000' });
  qaKH = await bearer({ role: 'qa', country: 'KH', org: 'CMAA' });
  admin = await bearer({ role: 'admin', org: 'platform' });
});

describe('registration', () => {
  it('answers 201 with the household, its document only as type and last four characters, and stores no document number anywhere', async () => {
    const body = householdBody();
    const number = body.members[0]!.document!.number;
    const r = await register(reliefA, body);
    expect(r.status).toBe(201);
    expect(r.res.headers.get('etag')).toBe('"1"');
    expect(r.res.headers.get('location')).toBe(`/v1/households/${r.body.id}`);
    expect(r.body).toMatchObject({
      country: 'KH',
      org: 'NGO-A',
      status: 'DISPLACED',
      version: 1,
      createdBy: 'registrar-a',
      origin: { province: 'KH22' },
      destination: { province: 'KH22' },
      returnSafety: { status: expect.stringMatching(/^(SAFE|AT_RISK|UNKNOWN)$/), hazardAreaIds: expect.any(Array) },
    });
    expect(r.body.members).toHaveLength(2);
    expect(r.body.members[0]!.document).toEqual({ type: 'NATIONAL_ID', last4: number.slice(-4) });
    expect(r.body.members[1]!.document).toBeUndefined();
    expect(r.text).not.toContain(number);

    const raw = await documentClient.send(new GetCommand({ TableName: tableName, Key: householdKey(r.body.id) }));
    expect(raw.Item).toMatchObject({ entity: 'Household', id: r.body.id, gsi1pk: 'HHS#KH#PROV#KH22', gsi2pk: 'HHS#KH#ORG#NGO-A', gsi4pk: 'HHS#KH' });
    expect(JSON.stringify(raw.Item)).not.toContain(number);
    // Nowhere in the table: not in the claim, the history, the event or the idempotency record.
    expect(JSON.stringify(await allItems())).not.toContain(number);

    const claim = await documentClient.send(new GetCommand({ TableName: tableName, Key: documentClaimKey('KH', await hashDocument('KH', number)) }));
    expect(claim.Item).toMatchObject({ householdId: r.body.id, memberIndex: 0 });
  });

  it('writes a HouseholdRegistered event for its own country only, without personal data', async () => {
    const body = householdBody();
    const h = await registered(reliefA, body);
    const events = (await allItems())
      .filter((i) => i.entity === 'OutboxEvent')
      .map((i) => i.event as EventEnvelope)
      .filter((e) => e.subject.id === h.id);
    expect(events).toHaveLength(1);
    const event = events[0]!;
    expect(event.type).toBe(EventType.HouseholdRegistered);
    expect(event.audience).toEqual(['KH']);
    expect(event.data).toMatchObject({ householdId: h.id, country: 'KH', province: 'KH22', org: 'NGO-A', memberCount: 2, status: 'DISPLACED' });
    const text = JSON.stringify(event);
    for (const personal of ['Sokha', 'Chan', 'Dara', '345 678', body.members[0]!.document!.number, '1986']) expect(text).not.toContain(personal);
  });

  it('records the registration as the first history entry, with its actor', async () => {
    const h = await registered();
    const history = await call<PageOf<HistoryEntry>>('GET', `/v1/households/${h.id}/history`, reliefA);
    expect(history.status).toBe(200);
    expect(history.body.items).toEqual([
      expect.objectContaining({ action: 'CREATED', to: 'DISPLACED', actor: { sub: 'registrar-a', role: 'relief', org: 'NGO-A' } }),
    ]);
  });

  it('lets an admin register for the country it names, and requires the name', async () => {
    const h = await registered(admin, householdBody({ country: 'KH' }));
    expect(h).toMatchObject({ country: 'KH', org: 'platform' });
    const noCountry = await register(admin, householdBody());
    expect(noCountry.status).toBe(400);
    expect(noCountry.body.errors).toEqual([{ path: 'body.country', message: 'required for admin' }]);
  });

  it('refuses a relief agency registering in the other country (403), and roles that do not register', async () => {
    const before = await householdCount();
    expect((await register(reliefTH, householdBody({ country: 'KH' }))).status).toBe(403);
    expect((await register(ministryKH, householdBody())).status).toBe(403);
    expect((await register(observer, householdBody())).status).toBe(403);
    expect(await householdCount()).toBe(before);
  });

  it('replays an idempotent retry and creates one household; the same key with another body is a 409', async () => {
    const body = householdBody();
    const first = await register(reliefA, body, { 'idempotency-key': 'hh-retry-1' });
    const count = await householdCount();
    const retry = await register(reliefA, body, { 'idempotency-key': 'hh-retry-1' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.res.headers.get('idempotent-replayed')).toBe('true');
    // A replay answers the household as a read does now: the registration's possible duplicates are not part of it.
    const { possibleDuplicates: _found, ...household } = first.body as Household & { possibleDuplicates?: unknown };
    expect(retry.body).toEqual(household);
    expect(await householdCount()).toBe(count);
    const other = await register(reliefA, householdBody(), { 'idempotency-key': 'hh-retry-1' });
    expect(other.status).toBe(409);
    expect(await householdCount()).toBe(count);
  });
});

describe('bad input is a 400 naming the field, and writes nothing', () => {
  const cases: [string, () => Record<string, unknown>, string][] = [
    [
      'missing consent',
      () => {
        const { consent: _c, ...rest } = householdBody();
        return rest;
      },
      'body.consent',
    ],
    ['consent not given', () => householdBody({ consent: { given: false, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] } }), 'body.consent.given'],
    ['no head of household', () => householdBody({ members: [member({ relationship: 'SPOUSE' })] }), 'body.members'],
    ['two heads of household', () => householdBody({ members: [member(), member({ givenName: 'Vuthy' })] }), 'body.members'],
    ['an unknown specific-needs code', () => householdBody({ members: [member({ specificNeeds: ['XX-NOPE'] })] }), 'body.members.0.specificNeeds.0'],
    ['a P-code of the other country', () => householdBody({ origin: { province: 'TH34' } }), 'body.origin.province'],
    ['an implausible birth year', () => householdBody({ members: [member({ birthYear: 1850 })] }), 'body.members.0.birthYear'],
    ['a birth year in the future', () => householdBody({ members: [member({ birthYear: new Date().getUTCFullYear() + 1 })] }), 'body.members.0.birthYear'],
    ['no members', () => householdBody({ members: [] }), 'body.members'],
  ];
  for (const [name, body, path] of cases) {
    it(name, async () => {
      const before = await householdCount();
      const r = await register(reliefA, body());
      expect(r.status).toBe(400);
      expect(r.res.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body.errors?.map((e) => e.path)).toContain(path);
      expect(await householdCount()).toBe(before);
    });
  }

  it('two members of one household with the same document (however it is typed)', async () => {
    const before = await householdCount();
    const number = docNumber();
    const spaced = `${number.slice(0, 3)} ${number.slice(3)}`.toLowerCase();
    const r = await register(
      reliefA,
      householdBody({
        members: [member({ document: { type: 'NATIONAL_ID', number } }), member({ relationship: 'SPOUSE', document: { type: 'NATIONAL_ID', number: spaced } })],
      }),
    );
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'body.members.1.document', message: 'the same document as member 0' }]);
    expect(await householdCount()).toBe(before);
  });
});

describe('duplicate documents', () => {
  it('refuses a second household with a registered document (409, naming the first only to its organisation), accepts it as a reviewed duplicate, and a lookup finds both', async () => {
    const number = docNumber();
    const first = await registered(reliefA, householdBody({ members: [member({ document: { type: 'NATIONAL_ID', number } })] }));
    const before = await householdCount();

    // The same card typed with dashes and in lower case is the same document.
    const again = householdBody({
      members: [member({ givenName: 'Srey', document: { type: 'NATIONAL_ID', number: `${number.slice(0, 4)}-${number.slice(4)}`.toLowerCase() } })],
    });
    // Another organisation is not told which household holds it; the registering one is.
    const refused = await register(reliefB, again);
    expect(refused.status).toBe(409);
    expect(refused.body).not.toHaveProperty('existingHouseholdId');
    expect(refused.text).not.toContain(first.id);
    expect(refused.body.detail).toContain('registered by another organisation; ask your ministry');
    expect(refused.body.detail).toContain('reviewedDuplicate');
    expect(refused.text).not.toContain(number);
    const ownAgain = await register(reliefA, again);
    expect(ownAgain.status).toBe(409);
    expect(ownAgain.body.existingHouseholdId).toBe(first.id);
    expect(ownAgain.body.detail).toContain(first.id);
    expect(await householdCount()).toBe(before);

    const reviewed = await register(reliefB, { ...again, reviewedDuplicate: { of: first.id, reason: 'Same family book, separate households since 2024' } });
    expect(reviewed.status).toBe(201);
    expect(reviewed.body.reviewedDuplicate).toEqual({ of: first.id, reason: 'Same family book, separate households since 2024' });

    const lookup = await call<{ items: HouseholdSummary[] }>('POST', '/v1/households/lookup', ministryKH, {
      documentType: 'NATIONAL_ID',
      documentNumber: number,
    });
    expect(lookup.status).toBe(200);
    expect(lookup.body.items.map((h) => h.id)).toEqual([first.id, reviewed.body.id]);
    for (const item of lookup.body.items) expect(item).not.toHaveProperty('members');

    // Within the caller's scope only: each relief agency sees its own.
    const byA = await call<{ items: HouseholdSummary[] }>('POST', '/v1/households/lookup', reliefA, { documentType: 'NATIONAL_ID', documentNumber: number });
    expect(byA.body.items.map((h) => h.id)).toEqual([first.id]);
    const byTH = await call<{ items: HouseholdSummary[] }>('POST', '/v1/households/lookup', ministryTH, {
      documentType: 'NATIONAL_ID',
      documentNumber: number,
    });
    expect(byTH.body.items).toEqual([]);
    expect((await call('POST', '/v1/households/lookup', ministryTH, { country: 'KH', documentType: 'NATIONAL_ID', documentNumber: number })).status).toBe(403);
    expect((await call('POST', '/v1/households/lookup', observer, { documentType: 'NATIONAL_ID', documentNumber: number })).status).toBe(403);
  });

  it('answers a reviewed duplicate that names a household holding none of the documents as if it were absent, and does not keep it', async () => {
    const other = await registered();
    const r = await register(reliefA, householdBody({ reviewedDuplicate: { of: other.id, reason: 'checked' } }));
    expect(r.status).toBe(201);
    expect(r.body).not.toHaveProperty('reviewedDuplicate');
  });

  it('lets the same number be registered in the other country (claims are per country)', async () => {
    const number = docNumber();
    await registered(reliefA, householdBody({ members: [member({ document: { type: 'NATIONAL_ID', number } })] }));
    const th = await register(
      reliefTH,
      householdBody({
        origin: { province: 'TH34' },
        current: { province: 'TH34', hostCommunity: 'Ban Nong' },
        destination: { province: 'TH34' },
        members: [member({ document: { type: 'NATIONAL_ID', number } })],
      }),
    );
    expect(th.status).toBe(201);
  });
});

describe('scope: who sees a household', () => {
  let kh: Household;
  let th: Household;
  beforeAll(async () => {
    kh = await registered(reliefA);
    th = await registered(
      reliefTH,
      householdBody({ origin: { province: 'TH34' }, current: { province: 'TH34', site: 'Temple shelter 2' }, destination: { province: 'TH34' } }),
    );
  });

  it('lets the registering agency, its country’s ministry and admins read it; everyone else gets 404', async () => {
    const cases: [string, H, Household, number][] = [
      ['relief, own organisation', reliefA, kh, 200],
      ['relief, other organisation of the country', reliefB, kh, 404],
      ['relief of the other country', reliefTH, kh, 404],
      ['relief TH, own', reliefTH, th, 200],
      ['ministry KH, own country', ministryKH, kh, 200],
      ['ministry KH, other country', ministryKH, th, 404],
      ['ministry TH, other country', ministryTH, kh, 404],
      ['ministry TH, own country', ministryTH, th, 200],
      ['observer', observer, kh, 404],
      ['operations', operationsKH, kh, 404],
      ['deminer', deminerKH, kh, 404],
      ['qa', qaKH, kh, 404],
      ['admin KH', admin, kh, 200],
      ['admin TH', admin, th, 200],
    ];
    for (const [who, headers, household, status] of cases) {
      const r = await call<Household & Problem>('GET', `/v1/households/${household.id}`, headers);
      expect([who, r.status]).toEqual([who, status]);
      if (status === 200) {
        expect(r.res.headers.get('etag')).toBe(`"${household.version}"`);
        expect(r.body.members[0]!.givenName).toBe('Sokha');
      } else {
        expect(r.body.detail).toBe(`No household ${household.id}.`);
        expect(r.text).not.toContain('Sokha');
      }
    }
  });

  it('answers the same 404 for a household outside the scope as for one that does not exist', async () => {
    const missing = await call<Problem>('GET', '/v1/households/01JZZZZZZZZZZZZZZZZZZZZZZZ', reliefB);
    const hidden = await call<Problem>('GET', `/v1/households/${kh.id}`, reliefB);
    expect(missing.status).toBe(404);
    expect(hidden.status).toBe(404);
    expect(Object.keys(hidden.body).sort()).toEqual(Object.keys(missing.body).sort());
    for (const path of ['history', 'access-log']) expect((await call('GET', `/v1/households/${kh.id}/${path}`, observer)).status).toBe(404);
  });

  it('lists summaries without personal data: relief its organisation’s, ministry its country’s, admin the country it names', async () => {
    const ids = async (headers: H, query = '') => {
      const r = await call<PageOf<HouseholdSummary>>('GET', `/v1/households?limit=100${query}`, headers);
      expect(r.status).toBe(200);
      for (const item of r.body.items) {
        expect(item).not.toHaveProperty('members');
        expect(item).not.toHaveProperty('contact');
      }
      expect(r.text).not.toContain('Sokha');
      return r.body.items.map((h) => h.id);
    };
    expect(await ids(reliefA)).toContain(kh.id);
    expect(await ids(reliefB)).not.toContain(kh.id);
    expect(await ids(reliefA, '&province=KH22')).toContain(kh.id);
    expect(await ids(reliefA, '&province=KH01')).not.toContain(kh.id);
    expect(await ids(ministryKH)).toContain(kh.id);
    expect(await ids(ministryKH)).not.toContain(th.id);
    expect(await ids(ministryKH, '&province=KH22')).toContain(kh.id);
    expect(await ids(ministryKH, '&org=NGO-A')).toContain(kh.id);
    expect(await ids(ministryKH, '&org=NGO-B')).not.toContain(kh.id);
    expect(await ids(ministryTH)).toContain(th.id);
    expect(await ids(ministryTH)).not.toContain(kh.id);
    expect(await ids(admin, '&country=TH')).toContain(th.id);
    expect(await ids(admin, '&country=TH')).not.toContain(kh.id);
    expect(await ids(admin, '&province=KH22')).toContain(kh.id);

    const summary = (await call<PageOf<HouseholdSummary>>('GET', '/v1/households?country=TH&limit=100', admin)).body.items.find((x) => x.id === th.id);
    expect(summary).toEqual({
      id: th.id,
      version: 1,
      createdAt: th.createdAt,
      updatedAt: th.updatedAt,
      country: 'TH',
      org: 'NGO-T',
      status: 'DISPLACED',
      originProvince: 'TH34',
      currentProvince: 'TH34',
      destinationProvince: 'TH34',
      memberCount: 2,
      returnSafety: th.returnSafety,
    });
  });

  it('refuses lists to roles without household access and out-of-scope filters (403), and bad filters (400)', async () => {
    for (const headers of [observer, operationsKH, deminerKH, qaKH]) expect((await call('GET', '/v1/households', headers)).status).toBe(403);
    expect((await call('GET', '/v1/households?country=KH', ministryTH)).status).toBe(403);
    expect((await call('GET', '/v1/households?country=KH', reliefTH)).status).toBe(403);
    expect((await call('GET', '/v1/households?org=NGO-B', reliefA)).status).toBe(403);
    const noCountry = await call<Problem>('GET', '/v1/households', admin);
    expect(noCountry.status).toBe(400);
    expect(noCountry.body.errors?.[0]?.path).toBe('query.country');
    const otherProvince = await call<Problem>('GET', '/v1/households?province=TH34', ministryKH);
    expect(otherProvince.status).toBe(400);
    expect(otherProvince.body.errors?.[0]?.path).toBe('query.province');
    expect((await call('GET', '/v1/households?status=GONE', ministryKH)).status).toBe(400);
  });

  it('pages through a list with a cursor bound to it', async () => {
    for (let i = 0; i < 3; i++) await registered(reliefB);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: PageOf<HouseholdSummary> } = await call<PageOf<HouseholdSummary>>(
        'GET',
        `/v1/households?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        reliefB,
      );
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((h) => h.id));
      cursor = r.body.next;
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([...seen].sort());
    const first = await call<PageOf<HouseholdSummary>>('GET', '/v1/households?limit=1', reliefB);
    expect((await call('GET', `/v1/households?limit=1&status=RETURNED&cursor=${encodeURIComponent(first.body.next!)}`, reliefB)).status).toBe(400);
  });
});

describe('transitions', () => {
  const move = (headers: H, h: { id: string }, version: number | undefined, body: Record<string, unknown>) =>
    call<Household & Problem>('POST', `/v1/households/${h.id}/transitions`, headers, body, version === undefined ? {} : { 'if-match': `"${version}"` });

  it('needs If-Match (428), refuses a stale one (412) and changes nothing', async () => {
    const h = await registered();
    expect((await move(reliefA, h, undefined, { to: 'INTENDS_RETURN' })).status).toBe(428);
    const stale = await move(reliefA, h, 7, { to: 'INTENDS_RETURN' });
    expect(stale.status).toBe(412);
    const read = await call<Household>('GET', `/v1/households/${h.id}`, reliefA);
    expect(read.body).toMatchObject({ status: 'DISPLACED', version: 1 });
  });

  it('moves through the lifecycle, keeps the lists in step, and records each move with its actor', async () => {
    const h = await registered();
    const intends = await move(reliefA, h, 1, { to: 'INTENDS_RETURN' });
    expect(intends.status).toBe(200);
    expect(intends.res.headers.get('etag')).toBe('"2"');
    expect(intends.body).toMatchObject({ status: 'INTENDS_RETURN', version: 2 });

    const noReason = await move(reliefA, h, 2, { to: 'RETURN_BLOCKED' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors?.[0]?.path).toBe('body.blockedReason');

    const blocked = await move(reliefA, h, 2, { to: 'RETURN_BLOCKED', blockedReason: 'HAZARD', reason: 'PMN-2 found near the village' });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({ status: 'RETURN_BLOCKED', blockedReason: 'HAZARD', version: 3 });

    const inList = async (status: string) =>
      (await call<PageOf<HouseholdSummary>>('GET', `/v1/households?status=${status}&province=KH22&limit=100`, ministryKH)).body.items.map((x) => x.id);
    expect(await inList('RETURN_BLOCKED')).toContain(h.id);
    expect(await inList('DISPLACED')).not.toContain(h.id);
    expect(await inList('INTENDS_RETURN')).not.toContain(h.id);

    const returned = await move(admin, h, 3, { to: 'RETURNED' });
    expect(returned.body).toMatchObject({ status: 'RETURNED', version: 4 });
    expect(returned.body).not.toHaveProperty('blockedReason');

    const redisplacedNoReason = await move(reliefA, h, 4, { to: 'REDISPLACED' });
    expect(redisplacedNoReason.status).toBe(400);
    expect(redisplacedNoReason.body.errors?.[0]?.path).toBe('body.reason');
    expect((await move(reliefA, h, 4, { to: 'REDISPLACED', reason: 'House destroyed by shelling' })).body).toMatchObject({
      status: 'REDISPLACED',
      statusReason: 'House destroyed by shelling',
    });

    const history = await call<PageOf<HistoryEntry>>('GET', `/v1/households/${h.id}/history`, ministryKH);
    expect(history.body.items.map((e) => [e.action, e.from, e.to, e.actor.sub])).toEqual([
      ['CREATED', undefined, 'DISPLACED', 'registrar-a'],
      ['TRANSITION', 'DISPLACED', 'INTENDS_RETURN', 'registrar-a'],
      ['TRANSITION', 'INTENDS_RETURN', 'RETURN_BLOCKED', 'registrar-a'],
      ['TRANSITION', 'RETURN_BLOCKED', 'RETURNED', 'user-intl-admin'],
      ['TRANSITION', 'RETURNED', 'REDISPLACED', 'registrar-a'],
    ]);
    expect(history.body.items[2]).toMatchObject({ reason: 'PMN-2 found near the village', changes: { blockedReason: 'HAZARD' } });

    const events = (await allItems())
      .filter((i) => i.entity === 'OutboxEvent')
      .map((i) => i.event as EventEnvelope)
      .filter((e) => e.subject.id === h.id && e.type === EventType.HouseholdStatusChanged);
    expect(events.map((e) => (e.data as { to: string }).to).sort()).toEqual(['INTENDS_RETURN', 'REDISPLACED', 'RETURNED', 'RETURN_BLOCKED'].sort());
    for (const e of events) expect(e.audience).toEqual(['KH']);
  });

  it('refuses an illegal move with a 409 listing the allowed ones', async () => {
    const h = await registered();
    const r = await move(reliefA, h, 1, { to: 'REDISPLACED', reason: 'x' });
    expect(r.status).toBe(409);
    expect(r.body.currentStatus).toBe('DISPLACED');
    expect(r.body.allowedTransitions?.sort()).toEqual(['INTENDS_RETURN', 'RETURNED']);
    expect((await call<Household>('GET', `/v1/households/${h.id}`, reliefA)).body.version).toBe(1);
  });

  it('is for the registering agency and admins: another organisation gets 404, a ministry 403', async () => {
    const h = await registered();
    expect((await move(reliefB, h, 1, { to: 'INTENDS_RETURN' })).status).toBe(404);
    expect((await move(reliefTH, h, 1, { to: 'INTENDS_RETURN' })).status).toBe(404);
    expect((await move(ministryKH, h, 1, { to: 'INTENDS_RETURN' })).status).toBe(403);
    expect((await call<Household>('GET', `/v1/households/${h.id}`, admin)).body.status).toBe('DISPLACED');
  });
});

describe('updates (PATCH)', () => {
  const patch = (headers: H, h: { id: string }, version: number | undefined, body: Record<string, unknown>) =>
    call<Household & Problem>('PATCH', `/v1/households/${h.id}`, headers, body, version === undefined ? {} : { 'if-match': `"${version}"` });

  it('changes the destination and contact with If-Match; the current place only by a dated transition; the history names fields, not content', async () => {
    const h = await registered();
    expect((await patch(reliefA, h, undefined, { contact: { phone: '+855 99 111 222' } })).status).toBe(428);
    const byPatch = await patch(reliefA, h, 1, { current: { province: 'KH01', hostCommunity: 'Poipet host family' }, contact: { phone: '+855 99 111 222' } });
    expect(byPatch.status).toBe(400);
    expect(byPatch.body.errors).toEqual([{ path: 'body.current', message: expect.stringContaining('POST /v1/households/{id}/transitions') }]);
    const r = await patch(reliefA, h, 1, { contact: { phone: '+855 99 111 222' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: 2, current: { province: 'KH17' }, contact: { phone: '+855 99 111 222' } });
    const moved = await call<Household>(
      'POST',
      `/v1/households/${h.id}/transitions`,
      reliefA,
      { to: 'DISPLACED', current: { province: 'KH01', hostCommunity: 'Poipet host family' }, effectiveDate: '2026-01-20' },
      { 'if-match': '"2"' },
    );
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({
      version: 3,
      status: 'DISPLACED',
      currentSince: '2026-01-20',
      current: { province: 'KH01', hostCommunity: 'Poipet host family' },
    });
    const removed = await patch(reliefA, h, 3, { destination: null, contact: null });
    expect(removed.status).toBe(200);
    expect(removed.body).not.toHaveProperty('destination');
    expect(removed.body).not.toHaveProperty('contact');
    expect(removed.body.returnSafety.status).toBe('UNKNOWN');
    expect((await patch(reliefA, h, 3, { contact: null })).status).toBe(412);

    const history = await call<PageOf<HistoryEntry>>('GET', `/v1/households/${h.id}/history`, reliefA);
    expect(history.body.items[1]).toMatchObject({ action: 'UPDATED', changes: { contact: 'changed' } });
    expect(history.body.items[2]).toMatchObject({
      action: 'TRANSITION',
      from: 'DISPLACED',
      to: 'DISPLACED',
      changes: { effectiveDate: '2026-01-20', current: { fromProvince: 'KH17', toProvince: 'KH01' } },
    });
    expect(JSON.stringify(history.body)).not.toContain('111 222');
    expect(JSON.stringify(history.body)).not.toContain('Poipet');
  });

  it('refuses a P-code of the other country (400 naming the field) and changes nothing', async () => {
    const h = await registered();
    const r = await patch(reliefA, h, 1, { destination: { province: 'TH27' } });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([{ path: 'body.destination.province', message: 'TH27 is not a known province of KH' }]);
    expect((await call<Household>('GET', `/v1/households/${h.id}`, reliefA)).body).toMatchObject({ version: 1, destination: { province: 'KH22' } });
    expect((await patch(reliefA, h, 1, {})).status).toBe(400);
  });
});

describe('statistics and return safety travel with every change', () => {
  it('counts a registration and a transition in the origin province’s counters, in the same transaction', async () => {
    const before = await readDisplacementStats('KH', 'KH24');
    const h = await registered(reliefA, householdBody({ origin: { province: 'KH24' } }));
    const registeredStats = await readDisplacementStats('KH', 'KH24');
    expect((registeredStats.hh_DISPLACED ?? 0) - (before.hh_DISPLACED ?? 0)).toBe(1);
    expect((registeredStats.p_DISPLACED ?? 0) - (before.p_DISPLACED ?? 0)).toBe(2);
    await call('POST', `/v1/households/${h.id}/transitions`, reliefA, { to: 'INTENDS_RETURN' }, { 'if-match': '"1"' });
    const moved = await readDisplacementStats('KH', 'KH24');
    expect(moved.hh_DISPLACED ?? 0).toBe(before.hh_DISPLACED ?? 0);
    expect((moved.hh_INTENDS_RETURN ?? 0) - (before.hh_INTENDS_RETURN ?? 0)).toBe(1);
  });

  it('assesses return safety at registration and again when PATCH moves the destination, with a ReturnSafetyChanged event', async () => {
    const operationsTH = await bearer({ role: 'operations', country: 'TH', org: 'TMAC' });
    const hazard = await createHazard(operationsTH); // a square from 105.00,14.35 to 105.01,14.36 in TH34
    const inside = { province: 'TH34', village: 'Ban Phlan', point: { type: 'Point', coordinates: [105.005, 14.355] } };
    const body = householdBody({ origin: { province: 'TH34' }, current: { province: 'TH34', site: 'Temple shelter 1' }, destination: inside });
    const h = await registered(reliefTH, body);
    expect(h.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });

    const far = { province: 'TH34', village: 'Ban Non', point: { type: 'Point', coordinates: [105.2, 14.6] } };
    const moved = await call<Household>('PATCH', `/v1/households/${h.id}`, reliefTH, { destination: far }, { 'if-match': '"1"' });
    expect(moved.status).toBe(200);
    expect(moved.body.returnSafety).toMatchObject({ status: 'SAFE', hazardAreaIds: [] });
    const events = (await allItems())
      .filter((i) => i.entity === 'OutboxEvent')
      .map((i) => i.event as EventEnvelope)
      .filter((e) => e.subject.id === h.id && e.type === EventType.ReturnSafetyChanged);
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ householdId: h.id, from: 'AT_RISK', to: 'SAFE', hazardAreaIds: [] })]);
    expect(events[0]!.audience).toEqual(['TH']);

    const noPoint = await call<Household>('PATCH', `/v1/households/${h.id}`, reliefTH, { destination: { province: 'TH34' } }, { 'if-match': '"2"' });
    expect(noPoint.body.returnSafety.status).toBe('UNKNOWN');

    // Every new destination is an event (the return-safety checks re-assess from it), with P-codes only.
    const moves = (await allItems())
      .filter((i) => i.entity === 'OutboxEvent')
      .map((i) => i.event as EventEnvelope)
      .filter((e) => e.subject.id === h.id && e.type === EventType.HouseholdDestinationChanged);
    expect(moves).toHaveLength(2);
    expect(moves.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        { householdId: h.id, country: 'TH', province: 'TH34', org: h.org, fromProvince: 'TH34', toProvince: 'TH34', returnSafety: 'SAFE' },
        { householdId: h.id, country: 'TH', province: 'TH34', org: h.org, fromProvince: 'TH34', toProvince: 'TH34', returnSafety: 'UNKNOWN' },
      ]),
    );
    expect(moves.every((e) => e.audience.length === 1 && e.audience[0] === 'TH')).toBe(true);
    expect(JSON.stringify(moves)).not.toMatch(/Ban Non|105\.2/);
  });
});

describe('access log', () => {
  it('records every read of personal data (who, role, organisation, when), listed for admins and the household’s ministry only', async () => {
    const h = await registered();
    for (const headers of [reliefA, ministryKH, admin]) expect((await call('GET', `/v1/households/${h.id}`, headers)).status).toBe(200);
    // Refused reads record nothing.
    expect((await call('GET', `/v1/households/${h.id}`, reliefB)).status).toBe(404);

    const log = await call<PageOf<AccessEntry>>('GET', `/v1/households/${h.id}/access-log`, ministryKH);
    expect(log.status).toBe(200);
    expect(log.body.items.map((e) => [e.actor, e.purpose, e.householdId])).toEqual([
      [{ sub: 'registrar-a', role: 'relief', org: 'NGO-A' }, 'READ', h.id],
      [{ sub: 'ministry-kh', role: 'ministry', org: 'MoSVY' }, 'READ', h.id],
      [{ sub: 'user-intl-admin', role: 'admin', org: 'platform' }, 'READ', h.id],
    ]);
    for (const e of log.body.items) expect(Object.keys(e).sort()).toEqual(['actor', 'at', 'householdId', 'id', 'purpose']);
    expect(log.text).not.toContain('Sokha');

    const byAdmin = await call<PageOf<AccessEntry>>('GET', `/v1/households/${h.id}/access-log?limit=2`, admin);
    expect(byAdmin.body.items).toHaveLength(2);
    expect(byAdmin.body.next).not.toBeNull();
    for (const headers of [reliefA, ministryTH, observer, operationsKH])
      expect((await call('GET', `/v1/households/${h.id}/access-log`, headers)).status).toBe(404);
  });

  it('records transitions and updates, whose answers carry personal data, in the same log', async () => {
    const h = await registered();
    await call('POST', `/v1/households/${h.id}/transitions`, reliefA, { to: 'INTENDS_RETURN' }, { 'if-match': '"1"' });
    await call('PATCH', `/v1/households/${h.id}`, reliefA, { contact: null }, { 'if-match': '"2"' });
    const log = await call<PageOf<AccessEntry>>('GET', `/v1/households/${h.id}/access-log`, admin);
    expect(log.body.items.map((e) => e.purpose)).toEqual(['TRANSITION', 'UPDATE']);
  });
});

describe('logs', () => {
  it('never contain names, phone numbers or document numbers, on success or failure', async () => {
    const number = docNumber();
    const body = householdBody({
      members: [
        member({ givenName: 'Bopha', familyName: 'Keo', document: { type: 'PASSPORT', number } }),
        member({ givenName: 'Rithy', familyName: 'Keo', relationship: 'CHILD', birthYear: 2015, document: undefined }),
      ],
      contact: { phone: '+855 77 654 321', note: 'Call after 5pm at Samaki market' },
    });
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    logger.setLogLevel('DEBUG');
    try {
      const created = await register(reliefA, body);
      expect(created.status).toBe(201);
      const id = created.body.id;
      expect((await call('GET', `/v1/households/${id}`, ministryKH)).status).toBe(200);
      expect((await call('POST', `/v1/households/${id}/transitions`, reliefA, { to: 'INTENDS_RETURN' }, { 'if-match': '"1"' })).status).toBe(200);
      expect((await call('PATCH', `/v1/households/${id}`, reliefA, { contact: { phone: '+855 77 654 321' } }, { 'if-match': '"2"' })).status).toBe(200);
      expect((await call('POST', '/v1/households/lookup', ministryKH, { documentType: 'PASSPORT', documentNumber: number })).status).toBe(200);
      // Failing requests: a duplicate document, and invalid input echoing personal values.
      expect((await register(reliefB, body)).status).toBe(409);
      expect((await register(reliefA, { ...body, members: [{ ...body.members[0]!, birthYear: 1700 }] })).status).toBe(400);
      expect((await call('POST', '/v1/households/lookup', ministryKH, { documentType: 'PASSPORT', documentNumber: `${number}!!` })).status).toBe(200);
    } finally {
      logger.setLogLevel('WARN');
      out.mockRestore();
      err.mockRestore();
    }
    const captured = lines.join('');
    expect(captured).toContain('"route":"/v1/households/:id"'); // the capture saw the request log lines
    for (const secret of ['Bopha', 'Keo', 'Rithy', '654 321', '654321', 'Samaki', number, number.slice(2)]) expect(captured).not.toContain(secret);
  });
});
