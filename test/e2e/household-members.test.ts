import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalServer } from '../support/local-server.ts';

/**
 * Households over time black-box through `npm start` and real HTTP: a birth, a death and a split
 * change the displacement statistics by exactly what they should, and verification is counted,
 * listed and served by the same paths the CDK stack routes to the household-members function.
 */
type Json = any;
const local = useLocalServer('members-e2e');
const tokens: Record<string, string> = {};
const year = new Date().getUTCFullYear();

async function call(method: string, path: string, who: string, body?: unknown, headers: Record<string, string> = {}) {
  return local.call<Json>(method, path, tokens[who]!, body, headers);
}
const ifMatch = (h: { version: number }) => ({ 'if-match': `"${h.version}"` });
const stats = async () => (await call('GET', '/v1/stats/displacement?country=KH&province=KH22', 'ministry')).body;

beforeAll(async () => {
  tokens.relief = local.token('--role', 'relief', '--country', 'KH', '--org', 'NGO-A', '--sub', 'registrar-a');
  tokens.other = local.token('--role', 'relief', '--country', 'KH', '--org', 'NGO-B', '--sub', 'registrar-b');
  tokens.ministry = local.token('--role', 'ministry', '--country', 'KH', '--org', 'MoSVY');
});

describe('households over time through npm start', () => {
  it('a birth, a death and a split change the displacement statistics exactly', async () => {
    const registered = await call('POST', '/v1/households', 'relief', {
      origin: { province: 'KH22', village: 'O Smach' },
      current: { province: 'KH17', site: 'Pagoda camp 4' },
      members: [
        { givenName: 'Grandma', familyName: 'Keo', sex: 'F', birthYear: year - 72, relationship: 'HEAD', specificNeeds: ['SP-PT'] },
        { givenName: 'Sophea', familyName: 'Keo', sex: 'F', birthYear: year - 40, relationship: 'CHILD' },
        {
          givenName: 'Vanna',
          familyName: 'Keo',
          sex: 'M',
          birthYear: year - 23,
          relationship: 'GRANDCHILD',
          document: { type: 'NATIONAL_ID', number: 'E2E-SPLIT-77' },
        },
        { givenName: 'Lina', familyName: 'Som', sex: 'F', birthYear: year - 21, relationship: 'NON_RELATIVE' },
      ],
      consent: { given: true, date: '2026-01-10', purposes: ['RETURN_ASSISTANCE'] },
    });
    expect(registered.status).toBe(201);
    let h = registered.body;
    const [grandma, sophea, vanna, lina] = h.members;
    const start = await stats();
    expect(start.households.total).toBe(1);
    expect(start.people.total).toBe(4);

    // A birth: one more girl aged 0-4, nothing else.
    const birth = await call(
      'POST',
      `/v1/households/${h.id}/members`,
      'relief',
      { givenName: 'Bopha', familyName: 'Keo', sex: 'F', birthYear: year, relationship: 'GRANDCHILD', reason: 'BIRTH' },
      ifMatch(h),
    );
    expect(birth.status).toBe(200);
    expect(birth.headers.get('etag')).toBe(`"${h.version + 1}"`);
    h = birth.body;
    const afterBirth = await stats();
    expect(afterBirth.people.total).toBe(5);
    expect(afterBirth.people.bySexAndAge.F['0-4']).toBe(start.people.bySexAndAge.F['0-4'] + 1);
    expect(afterBirth.households.total).toBe(1);

    // A death of the head: refused without a new head (nothing changes), then recorded with one.
    const refused = await call(
      'POST',
      `/v1/households/${h.id}/members/${grandma.id}/departure`,
      'relief',
      { reason: 'DECEASED', date: '2026-02-01' },
      ifMatch(h),
    );
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect((await stats()).people.total).toBe(5);
    const death = await call(
      'POST',
      `/v1/households/${h.id}/members/${grandma.id}/departure`,
      'relief',
      { reason: 'DECEASED', date: '2026-02-01', newHeadId: sophea.id },
      ifMatch(h),
    );
    expect(death.status).toBe(200);
    h = death.body;
    expect(h.members.filter((m: Json) => m.relationship === 'HEAD').map((m: Json) => m.id)).toEqual([sophea.id]);
    const afterDeath = await stats();
    expect(afterDeath.people.total).toBe(4);
    expect(afterDeath.people.bySexAndAge.F['60+']).toBe(afterBirth.people.bySexAndAge.F['60+'] - 1);
    expect(afterDeath.specificNeeds.byCode['SP-PT']).toBe(afterBirth.specificNeeds.byCode['SP-PT'] - 1);

    // A split: the grandson marries and forms his own household with his wife.
    const stale = await call('POST', `/v1/households/${h.id}/split`, 'relief', { memberIds: [vanna.id, lina.id] }, ifMatch({ version: h.version - 1 }));
    expect(stale.status).toBe(412);
    const split = await call(
      'POST',
      `/v1/households/${h.id}/split`,
      'relief',
      { memberIds: [vanna.id, lina.id], head: vanna.id, current: { province: 'KH17', site: 'Pagoda camp 5' } },
      ifMatch(h),
    );
    expect(split.status).toBe(201);
    const created = split.body.newHousehold;
    expect(split.headers.get('location')).toBe(`/v1/households/${created.id}`);
    expect(created.splitFrom.householdId).toBe(h.id);
    expect(split.body.household.splitInto.map((s: Json) => s.householdId)).toEqual([created.id]);
    const afterSplit = await stats();
    expect(afterSplit.households.total).toBe(2);
    expect(afterSplit.people.total).toBe(4);
    expect(afterSplit.people.bySexAndAge).toEqual(afterDeath.people.bySexAndAge);

    // The document moved with its holder; the new household reads like any other.
    const lookup = await call('POST', '/v1/households/lookup', 'relief', { documentType: 'NATIONAL_ID', documentNumber: 'E2E-SPLIT-77' });
    expect(lookup.body.items.map((i: Json) => i.id)).toEqual([created.id]);
    const read = await call('GET', `/v1/households/${created.id}`, 'relief');
    expect(read.status).toBe(200);
    expect(read.body.members.map((m: Json) => m.id)).toEqual([vanna.id, lina.id]);
    expect((await call('GET', `/v1/households/${created.id}`, 'other')).status).toBe(404);
    const history = await call('GET', `/v1/households/${h.id}/history`, 'relief');
    expect(history.body.items.map((e: Json) => e.action)).toEqual(['CREATED', 'MEMBERS', 'MEMBERS', 'SPLIT']);
  });

  it('verification is recorded by the registering organisation, counted, and listed by status', async () => {
    const list = await call('GET', '/v1/households?limit=10', 'relief');
    const h = list.body.items[0];
    expect((await call('POST', `/v1/households/${h.id}/verification`, 'other', { status: 'VERIFIED' }, ifMatch(h))).status).toBe(404);
    const verified = await call(
      'POST',
      `/v1/households/${h.id}/verification`,
      'relief',
      { status: 'VERIFIED', method: 'HOME_VISIT', date: '2026-02-10' },
      ifMatch(h),
    );
    expect(verified.status).toBe(200);
    const s = await stats();
    expect(s.verification).toEqual({ VERIFIED: 1, NEEDS_REVIEW: 0, UNVERIFIED: 1 });
    const listed = await call('GET', '/v1/households?verification=VERIFIED', 'relief');
    expect(listed.body.items.map((i: Json) => i.id)).toEqual([h.id]);
    expect(JSON.stringify(listed.body)).not.toContain('Keo');
  });
});
