import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalServer } from '../support/local-server.ts';

/**
 * Possible duplicates without documents, black-box through `npm start` and real HTTP: one family
 * registered without documents by two organisations lands on the ministry's review queue, and
 * the second organisation's registrar learns nothing of the first household; the ministry decides
 * the pair SAME and both households carry the mark.
 */
const local = useLocalServer('duplicates-e2e');
const tokens: Record<string, string> = {};
const call = (method: string, path: string, who: string, body?: unknown, headers: Record<string, string> = {}) =>
  local.call<any>(method, path, tokens[who]!, body, headers);

/** The same family as two agencies write it down: no documents, the name spelt with other spacing and case, the head's year one apart. */
const asNgoA = {
  origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [
    { givenName: 'Sreymom', familyName: 'Nhem', sex: 'F', birthYear: 1984, relationship: 'HEAD' },
    { givenName: 'Piseth', familyName: 'Nhem', sex: 'M', birthYear: 2011, relationship: 'CHILD' },
  ],
  consent: { given: true, date: '2026-01-10', purposes: ['REGISTRATION'] },
};
const asNgoB = {
  origin: { province: 'KH22', village: 'o smach' },
  current: { province: 'KH17', site: 'School shelter 2' },
  members: [
    { givenName: 'SREY MOM', familyName: 'NHEM', sex: 'F', birthYear: 1985, relationship: 'HEAD' },
    { givenName: 'Piseth', familyName: 'Nhem', sex: 'M', birthYear: 2011, relationship: 'CHILD' },
  ],
  consent: { given: true, date: '2026-01-12', purposes: ['REGISTRATION'] },
};
/** A family nobody registered before, for the answer to compare with. */
const unrelated = { ...asNgoB, members: [{ givenName: 'Kosal', familyName: 'Thach', sex: 'M', birthYear: 1970, relationship: 'HEAD' }] };

beforeAll(() => {
  tokens.a = local.token('--role', 'relief', '--country', 'KH', '--org', 'NGO-A', '--sub', 'registrar-a');
  tokens.b = local.token('--role', 'relief', '--country', 'KH', '--org', 'NGO-B', '--sub', 'registrar-b');
  tokens.ministry = local.token('--role', 'ministry', '--country', 'KH', '--org', 'MoSVY');
  tokens.ministryTH = local.token('--role', 'ministry', '--country', 'TH', '--org', 'MSDHS');
});

describe('possible duplicates through npm start', () => {
  it('two registrations of one family by two organisations produce a review item; the second registrar learns nothing of the first household', async () => {
    const first = await call('POST', '/v1/households', 'a', asNgoA);
    expect(first.status).toBe(201);
    const second = await call('POST', '/v1/households', 'b', asNgoB);
    expect(second.status).toBe(201);
    const fresh = await call('POST', '/v1/households', 'b', unrelated);
    expect(fresh.status).toBe(201);

    // Nothing in the second answer that a registration of an unrelated family lacks, and no trace of the first household.
    expect(second.body.possibleDuplicates).toBeUndefined();
    expect(Object.keys(second.body).sort()).toEqual(Object.keys(fresh.body).sort());
    expect([...second.headers.keys()].sort()).toEqual([...fresh.headers.keys()].sort());
    expect(second.text).not.toContain(first.body.id);
    expect((await call('GET', `/v1/households/${first.body.id}`, 'b')).status).toBe(404);
    const listed = await call('GET', '/v1/households?limit=100', 'b');
    expect(listed.text).not.toContain(first.body.id);
    expect((await call('GET', '/v1/duplicate-reviews', 'b')).status).toBe(403);

    // The ministry has the pair, the other country's ministry does not.
    const queue = await call('GET', '/v1/duplicate-reviews?status=PENDING', 'ministry');
    expect(queue.status).toBe(200);
    const review = queue.body.items.find((r: { householdIds: string[] }) => r.householdIds.includes(second.body.id));
    expect(review).toMatchObject({ householdIds: [first.body.id, second.body.id], status: 'PENDING', source: 'REGISTRATION', country: 'KH' });
    expect(review.reasons).toEqual(expect.arrayContaining(['SAME_NAME', 'SAME_ORIGIN_VILLAGE', 'SEVERAL_MEMBERS']));
    expect(queue.body.items.some((r: { householdIds: string[] }) => r.householdIds.includes(fresh.body.id))).toBe(false);
    expect(queue.text).not.toMatch(/Sreymom|Nhem/i);
    expect((await call('GET', '/v1/duplicate-reviews', 'ministryTH')).body.items).toEqual([]);

    // The first organisation's registrar, registering the family again, is told about its own household.
    const again = await call('POST', '/v1/households', 'a', asNgoA);
    expect(again.body.possibleDuplicates.map((d: { householdId: string }) => d.householdId)).toEqual([first.body.id]);

    // SAME marks both households and merges nothing.
    const decided = await call('POST', `/v1/duplicate-reviews/${review.id}/decision`, 'ministry', { decision: 'SAME' }, { 'if-match': '"1"' });
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('SAME');
    const marked = await call('GET', `/v1/households/${second.body.id}`, 'b');
    expect(marked.body.duplicateReviews).toEqual([expect.objectContaining({ reviewId: review.id, decision: 'SAME' })]);
    expect(marked.body.members).toHaveLength(2);
    expect(marked.text).not.toContain(first.body.id);
    expect((await call('GET', `/v1/households/${first.body.id}`, 'a')).body.duplicateReviews).toHaveLength(1);
  });
});
