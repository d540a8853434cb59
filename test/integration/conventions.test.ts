import { beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../../functions/tasks/app.ts';
import { createLocalServer } from '../../infra/local/server.ts';
import { logger } from '../../shared/logger.ts';
import { bearer, tokenFor } from '../support/tokens.ts';

const team = { name: 'CMAC Demining Unit 3 Team 12', organisation: 'CMAC', country: 'KH', capabilities: ['MANUAL', 'MDD'] };
const json = { 'content-type': 'application/json' };
let operationsKH: Record<string, string>;
let admin: Record<string, string>;

async function teamCount(): Promise<number> {
  const res = await app.request('/v1/teams?limit=100', { headers: admin });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: unknown[] }).items.length;
}

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as { type: string; title: string; status: number; detail: string; errors?: { path: string; message: string }[] };
  expect(body.status).toBe(status);
  expect(body.type).toMatch(/^urn:clearway:problem:/);
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  return body;
}

beforeAll(async () => {
  operationsKH = await bearer({ role: 'operations', country: 'KH' });
  admin = await bearer({ role: 'admin' });
});

describe('authentication (401)', () => {
  it('refuses a request without a token and writes nothing', async () => {
    const res = await app.request('/v1/teams', { method: 'POST', headers: json, body: JSON.stringify(team) });
    await expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await teamCount()).toBe(0);
  });
  it('refuses a token signed by another key', async () => {
    const good = await tokenFor({ role: 'admin' });
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${'A'.repeat(342)}`;
    await expectProblem(await app.request('/v1/teams', { headers: { authorization: `Bearer ${forged}` } }), 401);
  });
  it('refuses an expired token', async () => {
    const expired = await tokenFor({ role: 'admin' }, '-1m');
    const body = await expectProblem(await app.request('/v1/teams', { headers: { authorization: `Bearer ${expired}` } }), 401);
    expect(body.detail).toMatch(/expired/);
  });
  it('refuses a token whose claims do not make a principal', async () => {
    const noTeam = await tokenFor({ role: 'deminer', country: 'KH' });
    await expectProblem(await app.request('/v1/teams', { headers: { authorization: `Bearer ${noTeam}` } }), 401);
  });
});

describe('authorisation (403)', () => {
  it('refuses a deminer creating a team and writes nothing', async () => {
    const deminer = await bearer({ role: 'deminer', country: 'KH', team: '01JTEAM0000000000000000000' });
    const body = await expectProblem(await app.request('/v1/teams', { method: 'POST', headers: { ...deminer, ...json }, body: JSON.stringify(team) }), 403);
    expect(body.detail).toMatch(/deminer/);
    expect(await teamCount()).toBe(0);
  });
  it('refuses an operations user creating a team of the other country', async () => {
    const operationsTH = await bearer({ role: 'operations', country: 'TH' });
    await expectProblem(await app.request('/v1/teams', { method: 'POST', headers: { ...operationsTH, ...json }, body: JSON.stringify(team) }), 403);
    expect(await teamCount()).toBe(0);
  });
});

describe('bad input (400, 413, 415) changes nothing', () => {
  it('malformed JSON is a 400', async () => {
    const body = await expectProblem(await app.request('/v1/teams', { method: 'POST', headers: { ...operationsKH, ...json }, body: '{"name":' }), 400);
    expect(body.errors).toEqual([{ path: 'body', message: 'malformed JSON' }]);
    expect(await teamCount()).toBe(0);
  });
  it('a schema violation is a 400 naming each field', async () => {
    const bad = { ...team, country: 'LA', capabilities: ['MANUAL', 'TELEPATHY'], extra: 1 };
    const body = await expectProblem(await app.request('/v1/teams', { method: 'POST', headers: { ...operationsKH, ...json }, body: JSON.stringify(bad) }), 400);
    const paths = body.errors!.map((e) => e.path);
    expect(paths).toContain('body.country');
    expect(paths).toContain('body.capabilities.1');
    expect(body.errors!.some((e) => e.message.includes('extra'))).toBe(true);
    expect(await teamCount()).toBe(0);
  });
  it('a wrong content type is a 415', async () => {
    const res = await app.request('/v1/teams', { method: 'POST', headers: { ...operationsKH, 'content-type': 'text/plain' }, body: JSON.stringify(team) });
    await expectProblem(res, 415);
    expect(await teamCount()).toBe(0);
  });
  it('a body over 1 MiB is a 413', async () => {
    const huge = JSON.stringify({ ...team, name: 'x'.repeat(1024 * 1024 + 10) });
    await expectProblem(await app.request('/v1/teams', { method: 'POST', headers: { ...operationsKH, ...json }, body: huge }), 413);
    expect(await teamCount()).toBe(0);
  });
  it('an invalid query parameter is a 400', async () => {
    const body = await expectProblem(await app.request('/v1/teams?limit=500', { headers: admin }), 400);
    expect(body.errors![0]!.path).toBe('query.limit');
  });
  it('an unknown route is a 404 problem, from the function and from the local server', async () => {
    await expectProblem(await app.request('/v1/teams/01JTEAM0000000000000000000/nothing', { headers: admin }), 404);
    await expectProblem(await createLocalServer().request('/v1/nothing-here'), 404);
  });
});

describe('request ids', () => {
  it('echoes a given X-Request-Id and puts it in the log line', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    logger.setLogLevel('INFO');
    try {
      const res = await app.request('/v1/teams', { headers: { ...admin, 'x-request-id': 'req-1234-abcd' } });
      expect(res.headers.get('x-request-id')).toBe('req-1234-abcd');
    } finally {
      logger.setLogLevel('WARN');
      spy.mockRestore();
    }
    const entries = lines
      .flatMap((l) => l.split('\n'))
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.requestId).toBe('req-1234-abcd');
  });
  it('generates one when none is given, also on errors', async () => {
    const res = await app.request('/v1/teams');
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9A-Z]{26}$/);
  });
});
