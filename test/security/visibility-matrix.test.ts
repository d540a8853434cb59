import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../functions/households/app.ts';
import type { Household } from '../../shared/domain/household.ts';
import { bearer } from '../support/tokens.ts';

/**
 * The household visibility matrix: a household registered by relief agency NGO-A in Cambodia, and
 * NGO-A's import job, against every caller that must not see them (another agency of the same
 * country, Thailand's relief, ministry and operations, the observers, a deminer, QA) and every
 * way to reach them. Each answer is the 404 or 403 the API documents, or a listing/lookup in the
 * caller's own scope that does not contain the household; afterwards the owner finds the
 * household, its history, its access log and the import job exactly as they were.
 */
type H = Record<string, string>;
type Answer = { status: number; type: string | null; text: string };

const DOCUMENT = 'KH-MATRIX-0042';
let owner: H;
let ministryKH: H;
let household: Household;
let importId: string;

async function call(method: string, path: string, headers: H, body?: unknown, extra: H = {}): Promise<Answer> {
  const res = await app.request(path, {
    method,
    headers: {
      ...headers,
      ...(body === undefined ? {} : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
      ...extra,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const CALLERS = {
  'relief of another organisation in KH': { role: 'relief', country: 'KH', org: 'NGO-B', sub: 'registrar-b' },
  'relief of TH': { role: 'relief', country: 'TH', org: 'NGO-T', sub: 'registrar-t' },
  'ministry of TH': { role: 'ministry', country: 'TH', org: 'MSDHS', sub: 'ministry-th' },
  'operations of TH': { role: 'operations', country: 'TH', org: 'TMAC', sub: 'operations-th' },
  observer: { role: 'observer', org: 'AOT', sub: 'observer-1' },
  'deminer of KH': { role: 'deminer', country: 'KH', org: 'CMAC', team: '01JTEAM0000000000000000000', sub: 'deminer-kh' },
  'qa of KH': { role: 'qa', country: 'KH', org: 'CMAA', sub: 'qa-kh' },
} as const;
type CallerName = keyof typeof CALLERS;

/** Roles the route lets in at all (others get the role's 403 before any lookup). */
const REGISTRARS = ['relief'];
const HOUSEHOLD_READERS = ['relief', 'ministry'];

/**
 * Each action and what the API documents for a caller outside the household's scope:
 * `404` (it does not exist for them), `403` (role or country refused), or `scoped` (a 200 in the
 * caller's own scope that must not contain the household; a 4xx is also acceptable).
 */
const ACTIONS: Record<string, { send: (h: H) => Promise<Answer>; expect: (c: (typeof CALLERS)[CallerName]) => 403 | 404 | 'scoped' }> = {
  read: { send: (h) => call('GET', `/v1/households/${household.id}`, h), expect: () => 404 },
  'list naming its country, province and organisation': {
    send: (h) => call('GET', `/v1/households?country=KH&province=KH22&org=NGO-A&status=DISPLACED`, h),
    expect: () => 403,
  },
  'list of its province in the caller’s own scope': {
    send: (h) => call('GET', `/v1/households?province=KH22`, h),
    expect: (c) => (HOUSEHOLD_READERS.includes(c.role) ? 'scoped' : 403),
  },
  patch: {
    send: (h) => call('PATCH', `/v1/households/${household.id}`, h, { contact: { phone: '+855 99 999 999' } }, { 'if-match': '"1"' }),
    expect: (c) => (REGISTRARS.includes(c.role) ? 404 : 403),
  },
  transition: {
    send: (h) => call('POST', `/v1/households/${household.id}/transitions`, h, { to: 'INTENDS_RETURN' }, { 'if-match': '"1"' }),
    expect: (c) => (REGISTRARS.includes(c.role) ? 404 : 403),
  },
  history: { send: (h) => call('GET', `/v1/households/${household.id}/history`, h), expect: () => 404 },
  'access log': { send: (h) => call('GET', `/v1/households/${household.id}/access-log`, h), expect: () => 404 },
  'document lookup naming its country': {
    send: (h) => call('POST', '/v1/households/lookup', h, { country: 'KH', documentType: 'NATIONAL_ID', documentNumber: DOCUMENT }),
    // Another agency of the same country may look up in its own scope; everyone else is refused.
    expect: (c) => (HOUSEHOLD_READERS.includes(c.role) ? ('country' in c && c.country === 'KH' ? 'scoped' : 403) : 403),
  },
  'import job': { send: (h) => call('GET', `/v1/household-imports/${importId}`, h), expect: (c) => (HOUSEHOLD_READERS.includes(c.role) ? 404 : 403) },
  'import job errors': {
    send: (h) => call('GET', `/v1/household-imports/${importId}/errors`, h),
    expect: (c) => (HOUSEHOLD_READERS.includes(c.role) ? 404 : 403),
  },
};

/** The owner's view of everything a caller could have changed. */
async function ownerView() {
  const read = await call('GET', `/v1/households/${household.id}`, owner);
  const history = await call('GET', `/v1/households/${household.id}/history?limit=100`, owner);
  const accessLog = await call('GET', `/v1/households/${household.id}/access-log?limit=100`, ministryKH);
  const job = await call('GET', `/v1/household-imports/${importId}`, owner);
  const { version, status, contact, updatedAt } = JSON.parse(read.text) as Household;
  return {
    household: { version, status, contact, updatedAt },
    history: (JSON.parse(history.text) as { items: unknown[] }).items,
    accessActors: (JSON.parse(accessLog.text) as { items: { actor: { sub: string } }[] }).items.map((e) => e.actor.sub),
    job: JSON.parse(job.text) as unknown,
  };
}

let before: Awaited<ReturnType<typeof ownerView>>;
const tokens: Partial<Record<CallerName, H>> = {};

beforeAll(async () => {
  owner = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoSVY', sub: 'ministry-kh' });
  const registered = await call('POST', '/v1/households', owner, {
    origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
    current: { province: 'KH17', site: 'Pagoda camp 4' },
    destination: { province: 'KH22', village: 'O Smach' },
    members: [{ givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD', document: { type: 'NATIONAL_ID', number: DOCUMENT } }],
    contact: { phone: '+855 12 345 678' },
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  });
  expect(registered.status, registered.text).toBe(201);
  household = JSON.parse(registered.text) as Household;
  const job = await call('POST', '/v1/household-imports', owner, {});
  expect(job.status, job.text).toBe(201);
  importId = (JSON.parse(job.text) as { id: string }).id;
  // The owner and the ministry do see them: the refusals below are about scope, not a broken fixture.
  const lookup = await call('POST', '/v1/households/lookup', owner, { documentType: 'NATIONAL_ID', documentNumber: DOCUMENT });
  expect(JSON.parse(lookup.text)).toMatchObject({ items: [{ id: household.id }] });
  const listed = await call('GET', '/v1/households?province=KH22', owner);
  expect(listed.text).toContain(household.id);
  before = await ownerView();
});

describe('a KH household of NGO-A and its import job are out of reach of every other caller', () => {
  const cases = Object.keys(CALLERS).flatMap((caller) => Object.keys(ACTIONS).map((action) => [caller as CallerName, action] as const));

  it.each(cases)('%s: %s', async (callerName, actionName) => {
    const caller = CALLERS[callerName];
    const action = ACTIONS[actionName]!;
    const answer = await action.send((tokens[callerName] ??= await bearer(caller)));
    const expected = action.expect(caller);
    if (expected === 'scoped') {
      if (answer.status === 200) expect(answer.text).not.toContain(household.id);
      else expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    } else {
      expect(answer.status, answer.text).toBe(expected);
      expect(answer.type).toBe('application/problem+json');
    }
    // Nothing of the household in any answer: not its id, names, phone, document or organisation's data.
    for (const secret of ['Sokha', 'Chan', '+855 12 345 678', DOCUMENT, DOCUMENT.slice(-4), 'Pagoda camp 4']) expect(answer.text).not.toContain(secret);
  });

  it('left the household, its history, its access log and the import job as they were', async () => {
    const after = await ownerView();
    expect(after.household).toEqual(before.household);
    expect(after.history).toEqual(before.history);
    expect(after.job).toEqual(before.job);
    // The owner's own check read is the only new access entry: no other caller was let in.
    const newActors = after.accessActors.slice(before.accessActors.length);
    expect(newActors).toEqual(['registrar-a']);
    for (const c of Object.values(CALLERS)) expect(after.accessActors).not.toContain(c.sub);
  });
});
