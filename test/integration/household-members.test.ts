import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { app as membersApp } from '../../functions/household-members/app.ts';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as sitesApp } from '../../functions/sites/app.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { householdDocumentsKey } from '../../shared/db/keys/erasure.ts';
import { householdKey, householdVerificationLinkKey } from '../../shared/db/keys/household.ts';
import { addContributions, contributionOf, displacementView, type DisplacementView } from '../../shared/domain/displacement-stats.ts';
import type { Household } from '../../shared/domain/household.ts';
import type { HistoryEntry } from '../../shared/domain/history.ts';
import { siteContributionOf, siteFigures, type SiteFigures } from '../../shared/domain/site-stats.ts';
import { EventType } from '../../shared/events/catalogue.ts';
import { scanTable } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Households over time against DynamoDB Local, through the apps as the local server and API
 * Gateway route them (`/v1/households/{id}/members|head|split|verification` to the
 * household-members function): every change checks If-Match, writes history, and moves the
 * statistics counters exactly, which a recount over the stored households confirms.
 */
type H = Record<string, string>;
type Problem = { detail: string; status: number; errors?: { path: string; message: string }[] };
type Stats = DisplacementView & { scope: unknown; suppressed: string[] };
type SiteStats = { sites: { siteId: string; present: SiteFigures }[] };

const year = new Date().getUTCFullYear();
const json = { 'content-type': 'application/json' };
let relief: H;
let otherRelief: H;
let ministry: H;
let admin: H;

async function call<T>(method: string, path: string, headers: H, body?: unknown, extra: H = {}) {
  const app = /^\/v1\/households\/[^/]+\/(members|head|split|verification)/.test(path)
    ? membersApp
    : path.startsWith('/v1/sites') || path.startsWith('/v1/stats/')
      ? sitesApp
      : householdsApp;
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, res, body: (text ? JSON.parse(text) : undefined) as T };
}
const change = <T = Household>(path: string, h: { version: number }, body: unknown, headers = relief, method = 'POST') =>
  call<T>(method, path, headers, body, { 'if-match': `"${h.version}"` });

const person = (givenName: string, sex: 'F' | 'M', age: number, relationship: string, extra: Record<string, unknown> = {}) => ({
  givenName,
  familyName: 'Chan',
  sex,
  birthYear: year - age,
  relationship,
  specificNeeds: [],
  ...extra,
});

async function register(current: Record<string, unknown>, members: unknown[]): Promise<Household> {
  const r = await call<Household>('POST', '/v1/households', relief, {
    origin: { province: 'KH22', village: 'O Smach' },
    current,
    members,
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  });
  if (r.status !== 201) throw new Error(`registration: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const stats = async () => (await call<Stats>('GET', '/v1/stats/displacement?country=KH', admin)).body;
const history = async (id: string) => (await call<{ items: HistoryEntry[] }>('GET', `/v1/households/${id}/history`, relief)).body.items;
const heads = (h: Household) => h.members.filter((m) => m.relationship === 'HEAD');
const storedHouseholds = async () => (await scanTable()).filter((i) => i.entity === 'Household') as unknown as Household[];

beforeAll(async () => {
  relief = await bearer({ role: 'relief', country: 'KH', org: 'DRC' });
  otherRelief = await bearer({ role: 'relief', country: 'KH', org: 'CARE' });
  ministry = await bearer({ role: 'ministry', country: 'KH', org: 'MOSVY' });
  admin = await bearer({ role: 'admin', org: 'Clearway' });
});

describe('members over time', () => {
  it('a birth adds a member with an id, counted at once in the statistics; a stale If-Match changes nothing', async () => {
    const h = await register({ province: 'KH17', site: 'Pagoda camp 4' }, [person('Sokha', 'F', 30, 'HEAD'), person('Dara', 'M', 8, 'CHILD')]);
    expect(h.members.every((m) => typeof m.id === 'string' && m.id.length > 0)).toBe(true);
    const before = await stats();
    const born = await change(`/v1/households/${h.id}/members`, h, {
      givenName: 'Bopha',
      familyName: 'Chan',
      sex: 'F',
      birthYear: year,
      relationship: 'CHILD',
      reason: 'BIRTH',
    });
    expect(born.status).toBe(200);
    expect(born.res.headers.get('etag')).toBe(`"${h.version + 1}"`);
    expect(born.body.members).toHaveLength(3);
    const after = await stats();
    expect(after.people.total).toBe(before.people.total + 1);
    expect(after.people.bySexAndAge.F['0-4']).toBe(before.people.bySexAndAge.F['0-4'] + 1);
    expect(after.households.total).toBe(before.households.total);

    const stale = await change<Problem>(`/v1/households/${h.id}/members`, h, {
      givenName: 'X',
      familyName: 'Chan',
      sex: 'M',
      birthYear: year,
      relationship: 'CHILD',
      reason: 'BIRTH',
    });
    expect(stale.status).toBe(412);
    expect((await stats()).people.total).toBe(after.people.total);
    expect((await history(h.id)).at(-1)).toMatchObject({ action: 'MEMBERS', to: 'ADDED', reason: 'BIRTH', changes: { memberId: born.body.members[2]!.id } });
    const missing = await call<Problem>('POST', `/v1/households/${h.id}/members`, relief, {
      givenName: 'X',
      familyName: 'Chan',
      sex: 'M',
      birthYear: year,
      relationship: 'CHILD',
      reason: 'BIRTH',
    });
    expect(missing.status).toBe(428);
  });

  it('a new member is never HEAD; another organisation’s relief agency finds no household', async () => {
    const h = await register({ province: 'KH17', site: 'Pagoda camp 4' }, [person('Sokha', 'F', 30, 'HEAD')]);
    const head = await change<Problem>(`/v1/households/${h.id}/members`, h, { ...person('Vuthy', 'M', 31, 'HEAD'), reason: 'ARRIVAL' });
    expect(head.status).toBe(400);
    expect(head.body.errors?.[0]?.path).toBe('body.relationship');
    const foreign = await change<Problem>(`/v1/households/${h.id}/members`, h, { ...person('Vuthy', 'M', 31, 'SPOUSE'), reason: 'ARRIVAL' }, otherRelief);
    expect(foreign.status).toBe(404);
    const read = await call<Household>('GET', `/v1/households/${h.id}`, relief);
    expect(read.body.version).toBe(h.version);
  });

  it('a death leaves the statistics; the head’s departure must name the new head, and there is always exactly one', async () => {
    const h = await register({ province: 'KH17', site: 'Pagoda camp 4' }, [
      person('Grandpa', 'M', 75, 'HEAD', { specificNeeds: ['SP-PT'] }),
      person('Sokha', 'F', 40, 'CHILD'),
      person('Dara', 'M', 12, 'GRANDCHILD'),
    ]);
    const [grandpa, sokha] = h.members;
    const before = await stats();
    const refused = await change<Problem>(`/v1/households/${h.id}/members/${grandpa!.id}/departure`, h, { reason: 'DECEASED', date: '2026-02-01' });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.path).toBe('body.newHeadId');
    expect((await stats()).people.total).toBe(before.people.total);

    const died = await change(`/v1/households/${h.id}/members/${grandpa!.id}/departure`, h, { reason: 'DECEASED', date: '2026-02-01', newHeadId: sokha!.id });
    expect(died.status).toBe(200);
    expect(died.body.members.map((m) => m.id)).not.toContain(grandpa!.id);
    expect(heads(died.body).map((m) => m.id)).toEqual([sokha!.id]);
    expect(died.body.formerMembers?.[0]).toMatchObject({ id: grandpa!.id, departure: { reason: 'DECEASED', date: '2026-02-01' } });
    const after = await stats();
    expect(after.people.total).toBe(before.people.total - 1);
    expect(after.people.bySexAndAge.M['60+']).toBe(before.people.bySexAndAge.M['60+'] - 1);
    expect(after.specificNeeds.byCode['SP-PT']).toBe(before.specificNeeds.byCode['SP-PT']! - 1);

    const moved = await change(`/v1/households/${h.id}/head`, died.body, { memberId: died.body.members[1]!.id, formerHeadRelationship: 'PARENT' });
    expect(moved.status).toBe(200);
    expect(heads(moved.body).map((m) => m.id)).toEqual([died.body.members[1]!.id]);
    expect(moved.body.members.find((m) => m.id === sokha!.id)?.relationship).toBe('PARENT');

    const last = await change(`/v1/households/${h.id}/members/${sokha!.id}/departure`, moved.body, { reason: 'LEFT', date: '2026-02-02' });
    expect(last.status).toBe(200);
    const alone = await change<Problem>(`/v1/households/${h.id}/members/${last.body.members[0]!.id}/departure`, last.body, {
      reason: 'LEFT',
      date: '2026-02-02',
    });
    expect(alone.status).toBe(409);
  });

  it('a correction moves the person between counters; the history names the fields, not their values', async () => {
    const h = await register({ province: 'KH17', site: 'Pagoda camp 4' }, [person('Sokha', 'F', 30, 'HEAD')]);
    const before = await stats();
    const fixed = await change(`/v1/households/${h.id}/members/${h.members[0]!.id}`, h, { birthYear: year - 65, givenName: 'Sophea' }, relief, 'PATCH');
    expect(fixed.status).toBe(200);
    const after = await stats();
    expect(after.people.bySexAndAge.F['60+']).toBe(before.people.bySexAndAge.F['60+'] + 1);
    expect(after.people.bySexAndAge.F['18-59']).toBe(before.people.bySexAndAge.F['18-59'] - 1);
    const entry = (await history(h.id)).at(-1)!;
    expect(entry.changes).toEqual({ memberId: h.members[0]!.id, fields: ['birthYear', 'givenName'] });
    expect(JSON.stringify(entry)).not.toContain('Sophea');
  });

  it('gives members of a household stored before members had ids the same ids on every read, and changes them by those ids', async () => {
    const h = await register({ province: 'KH17', site: 'Pagoda camp 4' }, [person('Sokha', 'F', 30, 'HEAD'), person('Dara', 'M', 8, 'CHILD')]);
    const stored = (await documentClient.send(new GetCommand({ TableName: tableName, Key: householdKey(h.id) }))).Item!;
    await documentClient.send(
      new PutCommand({ TableName: tableName, Item: { ...stored, members: (stored.members as Household['members']).map(({ id: _id, ...m }) => m) } }),
    );
    const first = (await call<Household>('GET', `/v1/households/${h.id}`, relief)).body;
    const second = (await call<Household>('GET', `/v1/households/${h.id}`, relief)).body;
    expect(first.members.map((m) => m.id)).toEqual([`${h.id}-0`, `${h.id}-1`]);
    expect(second.members.map((m) => m.id)).toEqual(first.members.map((m) => m.id));
    const left = await change(`/v1/households/${h.id}/members/${h.id}-1/departure`, first, { reason: 'LEFT', date: '2026-02-01' });
    expect(left.status).toBe(200);
    expect(left.body.members.map((m) => m.id)).toEqual([`${h.id}-0`]);
  });
});

describe('split', () => {
  it('forms a new household with the members named, moves their document claims, links both, and keeps every count right (site figures too)', async () => {
    const site = await call<{ id: string }>('POST', '/v1/sites', relief, {
      code: 'KH22-SPLIT-1',
      name: { en: 'Pagoda split', km: 'វត្ត' },
      type: 'PAGODA',
      province: 'KH22',
      capacity: 500,
      managingOrganisation: 'DRC',
      openedAt: '2025-12-10',
    });
    expect(site.status, JSON.stringify(site.body)).toBe(201);
    const h = await register({ province: 'KH22', siteId: site.body.id }, [
      person('Sokha', 'F', 50, 'HEAD'),
      person('Vuthy', 'M', 24, 'CHILD', { document: { type: 'NATIONAL_ID', number: 'SPLIT-0001' } }),
      person('Srey', 'F', 22, 'NON_RELATIVE'),
      person('Dara', 'M', 10, 'CHILD', { document: { type: 'BIRTH_CERTIFICATE', number: 'SPLIT-0002' } }),
    ]);
    const [, vuthy, srey] = h.members;
    const before = await stats();
    const present = async () =>
      (await call<SiteStats>('GET', '/v1/stats/sites?country=KH', admin)).body.sites.find((s) => s.siteId === site.body.id)?.present ?? {
        households: 0,
        people: 0,
      };
    const sitesBefore = await present();

    const notAll = await change<Problem>(`/v1/households/${h.id}/split`, h, { memberIds: h.members.map((m) => m.id), remainingHeadId: h.members[0]!.id });
    expect(notAll.status).toBe(409);
    const unknown = await change<Problem>(`/v1/households/${h.id}/split`, h, { memberIds: ['01JHX3S8Q6Y2W0E5V3R4N7M8K9'] });
    expect(unknown.status).toBe(400);

    const split = await change<{ household: Household; newHousehold: Household }>(`/v1/households/${h.id}/split`, h, {
      memberIds: [vuthy!.id, srey!.id],
      head: vuthy!.id,
    });
    expect(split.status).toBe(201);
    const { household, newHousehold } = split.body;
    expect(split.res.headers.get('location')).toBe(`/v1/households/${newHousehold.id}`);
    expect(split.res.headers.get('etag')).toBe(`"${h.version + 1}"`);
    expect(household.members.map((m) => m.id)).toEqual([h.members[0]!.id, h.members[3]!.id]);
    expect(newHousehold.members.map((m) => m.id)).toEqual([vuthy!.id, srey!.id]);
    expect(heads(newHousehold).map((m) => m.id)).toEqual([vuthy!.id]);
    expect(heads(household)).toHaveLength(1);
    expect(newHousehold.splitFrom?.householdId).toBe(h.id);
    expect(household.splitInto?.map((s) => s.householdId)).toEqual([newHousehold.id]);
    expect(household.formerMembers?.map((m) => [m.id, m.departure.reason, m.departure.householdId])).toEqual([
      [vuthy!.id, 'SPLIT', newHousehold.id],
      [srey!.id, 'SPLIT', newHousehold.id],
    ]);
    expect(newHousehold.current.siteId).toBe(site.body.id);

    // The document travels with its holder: a lookup finds the new household, the old one keeps only its own.
    const lookup = await call<{ items: { id: string }[] }>('POST', '/v1/households/lookup', relief, {
      documentType: 'NATIONAL_ID',
      documentNumber: 'SPLIT-0001',
    });
    expect(lookup.body.items.map((i) => i.id)).toEqual([newHousehold.id]);
    const kept = await call<{ items: { id: string }[] }>('POST', '/v1/households/lookup', relief, {
      documentType: 'BIRTH_CERTIFICATE',
      documentNumber: 'SPLIT-0002',
    });
    expect(kept.body.items.map((i) => i.id)).toEqual([h.id]);
    const docs = (id: string) =>
      documentClient
        .send(new GetCommand({ TableName: tableName, Key: householdDocumentsKey(id) }))
        .then((o) => (o.Item?.claimKeys as unknown[] | undefined)?.length ?? 0);
    expect([await docs(h.id), await docs(newHousehold.id)]).toEqual([1, 1]);

    const after = await stats();
    expect(after.households.total).toBe(before.households.total + 1);
    expect(after.people.total).toBe(before.people.total);
    expect(after.people.bySexAndAge).toEqual(before.people.bySexAndAge);
    const sitesAfter = await present();
    expect(sitesAfter.households).toBe(sitesBefore.households + 1);
    expect(sitesAfter.people).toBe(sitesBefore.people);

    expect((await history(h.id)).at(-1)).toMatchObject({ action: 'SPLIT', changes: { newHouseholdId: newHousehold.id, memberIds: [vuthy!.id, srey!.id] } });
    expect((await history(newHousehold.id))[0]).toMatchObject({ action: 'CREATED', changes: { splitFrom: h.id } });
    const outbox = (await scanTable())
      .filter((i) => i.entity === 'OutboxEvent')
      .map((i) => i.event as { type: string; audience: string[]; data: Record<string, unknown> });
    const splitEvent = outbox.find((e) => e.type === EventType.HouseholdSplit && e.data.householdId === h.id);
    expect(splitEvent?.audience).toEqual(['KH']);
    expect(splitEvent?.data).toMatchObject({ householdId: h.id, newHouseholdId: newHousehold.id, memberCount: 2, newMemberCount: 2 });
    expect(JSON.stringify(splitEvent)).not.toContain('Vuthy');
  });

  it('the head may leave with a split only when the household that stays gets a head', async () => {
    const h = await register({ province: 'KH17', site: 'Pagoda camp 4' }, [person('Sokha', 'F', 50, 'HEAD'), person('Vuthy', 'M', 24, 'CHILD')]);
    const refused = await change<Problem>(`/v1/households/${h.id}/split`, h, { memberIds: [h.members[0]!.id] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.path).toBe('body.remainingHeadId');
    const ok = await change<{ household: Household; newHousehold: Household }>(`/v1/households/${h.id}/split`, h, {
      memberIds: [h.members[0]!.id],
      remainingHeadId: h.members[1]!.id,
    });
    expect(ok.status).toBe(201);
    expect(heads(ok.body.household).map((m) => m.id)).toEqual([h.members[1]!.id]);
    expect(heads(ok.body.newHousehold).map((m) => m.id)).toEqual([h.members[0]!.id]);
  });
});

describe('verification', () => {
  it('is recorded by the registering organisation, counted by status, listed by it, and in the history', async () => {
    const h = await register({ province: 'KH17', site: 'Pagoda camp 4' }, [person('Sokha', 'F', 30, 'HEAD')]);
    const before = await stats();
    expect((await change<Problem>(`/v1/households/${h.id}/verification`, h, { status: 'VERIFIED' }, otherRelief)).status).toBe(404);
    expect((await change<Problem>(`/v1/households/${h.id}/verification`, h, { status: 'VERIFIED' }, ministry)).status).toBe(403);
    const bad = await change<Problem>(`/v1/households/${h.id}/verification`, h, { status: 'DONE' });
    expect(bad.status).toBe(400);
    const v = await change(`/v1/households/${h.id}/verification`, h, { status: 'VERIFIED', method: 'HOME_VISIT', date: '2026-02-10', by: 'Field officer Sok' });
    expect(v.status).toBe(200);
    expect(v.body.verification).toMatchObject({
      status: 'VERIFIED',
      method: 'HOME_VISIT',
      date: '2026-02-10',
      by: 'Field officer Sok',
      recordedBy: { org: 'DRC' },
    });
    let after = await stats();
    expect(after.verification.VERIFIED).toBe(before.verification.VERIFIED + 1);
    expect(after.verification.UNVERIFIED).toBe(before.verification.UNVERIFIED - 1);
    const listed = await call<{ items: { id: string }[] }>('GET', '/v1/households?verification=VERIFIED', relief);
    expect(listed.body.items.map((i) => i.id)).toContain(h.id);
    expect((await call<{ items: { id: string }[] }>('GET', '/v1/households?verification=VERIFIED', otherRelief)).body.items.map((i) => i.id)).not.toContain(
      h.id,
    );

    const review = await change(`/v1/households/${h.id}/verification`, v.body, { status: 'NEEDS_REVIEW' });
    expect(review.status).toBe(200);
    after = await stats();
    expect(after.verification.VERIFIED).toBe(before.verification.VERIFIED);
    expect(after.verification.NEEDS_REVIEW).toBe(before.verification.NEEDS_REVIEW + 1);
    expect((await call<{ items: { id: string }[] }>('GET', '/v1/households?verification=VERIFIED', relief)).body.items.map((i) => i.id)).not.toContain(h.id);
    expect((await call<{ items: { id: string }[] }>('GET', '/v1/households?verification=NEEDS_REVIEW', ministry)).body.items.map((i) => i.id)).toContain(h.id);
    expect((await history(h.id)).at(-1)).toMatchObject({ action: 'VERIFICATION', from: 'VERIFIED', to: 'NEEDS_REVIEW' });
    expect(JSON.stringify(await history(h.id))).not.toContain('Field officer Sok');
    expect((await call<Problem>('GET', '/v1/households?verification=VERIFIED&province=KH22', relief)).status).toBe(400);
  });
});

describe('recount', () => {
  it('the displacement counters and the site figures equal a recount over the stored households after births, deaths and splits', async () => {
    const households = (await storedHouseholds()).filter((h) => h.country === 'KH');
    const recount = displacementView(addContributions(...households.map((h) => contributionOf(h))));
    const { scope: _s, suppressed: _x, ...answered } = await stats();
    expect(answered).toEqual(recount);
    const sites = (await call<SiteStats>('GET', '/v1/stats/sites?country=KH', admin)).body.sites;
    for (const s of sites) {
      const here = households.filter((h) => h.current.siteId === s.siteId);
      expect(s.present).toEqual(siteFigures(addContributions(...here.map((h) => siteContributionOf(h))), year));
    }
  });
});

// After the recount: an erased household keeps its counts in the statistics but is no longer stored.
describe('verification and erasure', () => {
  it('an erased household is no longer listed by its verification status, and its link item is gone', async () => {
    const h = await register({ province: 'KH17', site: 'Pagoda camp 4' }, [person('Sophea', 'F', 41, 'HEAD')]);
    const v = await change(`/v1/households/${h.id}/verification`, h, { status: 'NEEDS_REVIEW' });
    expect(v.status).toBe(200);
    const link = householdVerificationLinkKey('KH', 'NEEDS_REVIEW', h.org, h.id);
    expect((await documentClient.send(new GetCommand({ TableName: tableName, Key: link }))).Item).toBeDefined();
    expect((await call('POST', `/v1/households/${h.id}/erasure`, admin, { reason: 'asked by the family' })).status).toBe(200);
    expect((await documentClient.send(new GetCommand({ TableName: tableName, Key: link }))).Item).toBeUndefined();
    const listed = await call<{ items: { id: string }[] }>('GET', '/v1/households?verification=NEEDS_REVIEW', ministry);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i) => i.id)).not.toContain(h.id);
  });
});
