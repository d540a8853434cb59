import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../functions/tasks/app.ts';
import type { Team } from '../../shared/domain/team.ts';
import { bearer } from '../support/tokens.ts';

const json = { 'content-type': 'application/json' };
let operationsKH: Record<string, string>;
let operationsTH: Record<string, string>;
let admin: Record<string, string>;
let observer: Record<string, string>;

const newTeam = (name: string, country = 'KH') => ({ name, organisation: country === 'KH' ? 'CMAC' : 'TMAC', country, capabilities: ['MANUAL'] });

async function create(headers: Record<string, string>, body: unknown, extra: Record<string, string> = {}) {
  return app.request('/v1/teams', { method: 'POST', headers: { ...headers, ...json, ...extra }, body: JSON.stringify(body) });
}

async function listAll(query: string, headers = admin): Promise<Team[]> {
  const res = await app.request(`/v1/teams?limit=100${query}`, { headers });
  return ((await res.json()) as { items: Team[] }).items;
}

beforeAll(async () => {
  operationsKH = await bearer({ role: 'operations', country: 'KH' });
  operationsTH = await bearer({ role: 'operations', country: 'TH' });
  admin = await bearer({ role: 'admin' });
  observer = await bearer({ role: 'observer' });
});

describe('teams: create and read', () => {
  it('creates a team and reads it back with its ETag', async () => {
    const res = await create(operationsKH, newTeam('CMAC DU3 Team 12'));
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    const team = (await res.json()) as Team;
    expect(res.headers.get('location')).toBe(`/v1/teams/${team.id}`);
    expect(team).toMatchObject({ version: 1, active: true, country: 'KH', createdBy: 'user-kh-operations', capabilities: ['MANUAL'] });
    expect(team.id).toMatch(/^[0-9A-Z]{26}$/);

    const read = await app.request(`/v1/teams/${team.id}`, { headers: observer });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(await read.json()).toEqual(team);
  });

  it('returns 404 for an unknown team and 400 for a malformed id', async () => {
    expect((await app.request('/v1/teams/01JZZZZZZZZZZZZZZZZZZZZZZZ', { headers: admin })).status).toBe(404);
    const bad = await app.request('/v1/teams/not-an-id', { headers: admin });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('path.id');
  });

  it('lets a deminer read its own team and no other', async () => {
    const team = (await (await create(operationsKH, newTeam('Team for deminer'))).json()) as Team;
    const own = await bearer({ role: 'deminer', country: 'KH', team: team.id });
    expect((await app.request(`/v1/teams/${team.id}`, { headers: own })).status).toBe(200);
    const other = await bearer({ role: 'deminer', country: 'KH', team: '01JOTHERTEAM00000000000000' });
    expect((await app.request(`/v1/teams/${team.id}`, { headers: other })).status).toBe(403);
  });

  it('keeps relief agencies out of teams', async () => {
    const relief = await bearer({ role: 'relief', country: 'KH' });
    expect((await app.request('/v1/teams', { headers: relief })).status).toBe(403);
  });
});

describe('teams: changes need If-Match', () => {
  it('applies a change with the current version, then refuses the stale one (412) and one without If-Match (428)', async () => {
    const team = (await (await create(operationsKH, newTeam('Team to rename'))).json()) as Team;
    const patch = (body: unknown, ifMatch?: string) =>
      app.request(`/v1/teams/${team.id}`, {
        method: 'PATCH',
        headers: { ...operationsKH, ...json, ...(ifMatch ? { 'if-match': ifMatch } : {}) },
        body: JSON.stringify(body),
      });

    const ok = await patch({ name: 'Team renamed', active: false }, '"1"');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    expect(await ok.json()).toMatchObject({ name: 'Team renamed', active: false, version: 2 });

    const stale = await patch({ name: 'Lost update' }, '"1"');
    expect(stale.status).toBe(412);
    expect(await stale.json()).toMatchObject({ currentVersion: 2 });
    expect((await patch({ name: 'No precondition' })).status).toBe(428);

    const now = (await (await app.request(`/v1/teams/${team.id}`, { headers: admin })).json()) as Team;
    expect(now).toMatchObject({ name: 'Team renamed', version: 2 });
  });

  it('lets exactly one of two concurrent changes with the same If-Match win', async () => {
    const team = (await (await create(operationsKH, newTeam('Contended team'))).json()) as Team;
    const attempt = (name: string) =>
      app.request(`/v1/teams/${team.id}`, { method: 'PATCH', headers: { ...operationsKH, ...json, 'if-match': '"1"' }, body: JSON.stringify({ name }) });
    const results = await Promise.all([attempt('A'), attempt('B'), attempt('C')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
    const now = (await (await app.request(`/v1/teams/${team.id}`, { headers: admin })).json()) as Team;
    expect(now.version).toBe(2);
  });

  it('refuses a change by the other country (403) and a stale If-Match on a missing team (404)', async () => {
    const team = (await (await create(operationsKH, newTeam('KH only'))).json()) as Team;
    const res = await app.request(`/v1/teams/${team.id}`, {
      method: 'PATCH',
      headers: { ...operationsTH, ...json, 'if-match': '"1"' },
      body: JSON.stringify({ active: false }),
    });
    expect(res.status).toBe(403);
    const missing = await app.request('/v1/teams/01JZZZZZZZZZZZZZZZZZZZZZZZ', {
      method: 'PATCH',
      headers: { ...admin, ...json, 'if-match': '"1"' },
      body: JSON.stringify({ active: false }),
    });
    expect(missing.status).toBe(404);
  });
});

describe('teams: Idempotency-Key', () => {
  it('answers a retry with the first response and creates one team', async () => {
    const before = (await listAll('&country=TH')).length;
    const body = newTeam('TMAC HMAU 1 Team 3', 'TH');
    const first = await create(operationsTH, body, { 'idempotency-key': 'create-team-th-3' });
    const retry = await create(operationsTH, { ...body }, { 'idempotency-key': 'create-team-th-3' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(await retry.json()).toEqual(await first.json());
    expect((await listAll('&country=TH')).length).toBe(before + 1);
  });

  it('refuses the same key with another body (409) and creates nothing', async () => {
    const before = (await listAll('&country=TH')).length;
    await create(operationsTH, newTeam('Team X', 'TH'), { 'idempotency-key': 'key-reuse' });
    const reuse = await create(operationsTH, newTeam('Team Y', 'TH'), { 'idempotency-key': 'key-reuse' });
    expect(reuse.status).toBe(409);
    expect((await listAll('&country=TH')).length).toBe(before + 1);
  });

  it('creates one team when the same request races itself', async () => {
    const before = (await listAll('&country=TH')).length;
    const body = newTeam('Raced team', 'TH');
    const results = await Promise.all(Array.from({ length: 4 }, () => create(operationsTH, body, { 'idempotency-key': 'raced-key' })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const ids = new Set(await Promise.all(results.map(async (r) => ((await r.json()) as Team).id)));
    expect(ids.size).toBe(1);
    expect((await listAll('&country=TH')).length).toBe(before + 1);
  });

  it('scopes keys to the caller: another user with the same key creates its own team', async () => {
    const otherUser = await bearer({ role: 'operations', country: 'TH', sub: 'someone-else' });
    const body = newTeam('Same key, other user', 'TH');
    const a = (await (await create(operationsTH, body, { 'idempotency-key': 'shared-key' })).json()) as Team;
    const b = (await (await create(otherUser, body, { 'idempotency-key': 'shared-key' })).json()) as Team;
    expect(a.id).not.toBe(b.id);
  });

  it('refuses a malformed key', async () => {
    expect((await create(operationsTH, newTeam('k', 'TH'), { 'idempotency-key': 'has spaces' })).status).toBe(400);
  });
});

describe('teams: pagination', () => {
  it('walks every team of a country exactly once, in pages', async () => {
    const operationsTHp = await bearer({ role: 'operations', country: 'TH', sub: 'pager' });
    for (let i = 0; i < 23; i++) expect((await create(operationsTHp, newTeam(`Paged ${i}`, 'TH'))).status).toBe(201);
    const expected = (await listAll('&country=TH')).map((t) => t.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await app.request(`/v1/teams?country=TH&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: observer });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: Team[]; next: string | null };
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.next;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(23);
  });

  it('refuses a tampered cursor and a cursor from another listing with 400', async () => {
    const first = (await (await app.request('/v1/teams?country=TH&limit=2', { headers: admin })).json()) as { next: string };
    expect(first.next).toBeTruthy();
    const tampered = `${first.next.slice(0, -2)}${first.next.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await app.request(`/v1/teams?country=TH&limit=2&cursor=${encodeURIComponent(tampered)}`, { headers: admin })).status).toBe(400);
    const otherListing = await app.request(`/v1/teams?country=KH&limit=2&cursor=${encodeURIComponent(first.next)}`, { headers: admin });
    expect(otherListing.status).toBe(400);
    expect(((await otherListing.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('query.cursor');
  });
});
