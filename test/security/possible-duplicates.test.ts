import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../../functions/households/app.ts';
import { documentClient } from '../../shared/db/client.ts';
import type { Household } from '../../shared/domain/household.ts';
import { bearer } from '../support/tokens.ts';

/**
 * The possible-duplicate oracle: a registrar of another organisation must not learn that a family
 * with that name, year and village is registered — not from the answer (body, headers), not from
 * a count or flag, and not from what the registration asks of the database (the same reads, of
 * the same items, whether a household it may not read matches or nothing does). Otherwise anyone
 * could test a name.
 */
const json = { 'content-type': 'application/json' };
type H = Record<string, string>;

let reliefA: H;
let reliefB: H;

const family = (village: string, givenName = 'Thida', birthYear = 1979) => ({
  origin: { province: 'KH22', village },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [
    { givenName, familyName: 'Long', sex: 'F', birthYear, relationship: 'HEAD' },
    { givenName: 'Sovann', familyName: 'Long', sex: 'M', birthYear: 2005, relationship: 'CHILD' },
  ],
  consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] },
});

/** A registration, with the database commands it sent (reads with the number of keys they asked for). */
async function registerRecording(headers: H, body: unknown) {
  const sent: string[] = [];
  const send = documentClient.send.bind(documentClient);
  const spy = vi.spyOn(documentClient, 'send').mockImplementation(((
    command: { constructor: { name: string }; input: Record<string, any> },
    ...rest: unknown[]
  ) => {
    const name = command.constructor.name;
    const input = command.input;
    if (name === 'BatchGetCommand')
      sent.push(`${name}:${Object.values(input.RequestItems as Record<string, { Keys: unknown[] }>).reduce((n, r) => n + r.Keys.length, 0)}`);
    else if (name !== 'TransactWriteCommand') sent.push(name);
    return (send as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof documentClient.send);
  try {
    const res = await app.request('/v1/households', { method: 'POST', headers: { ...headers, ...json }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as Household & { possibleDuplicates?: unknown }, text, sent: sent.sort() };
  } finally {
    spy.mockRestore();
  }
}

beforeAll(async () => {
  reliefA = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a' });
  reliefB = await bearer({ role: 'relief', country: 'KH', org: 'NGO-B', sub: 'registrar-b' });
});

afterEach(() => vi.restoreAllMocks());

describe('a registrar of another organisation learns nothing of a household it may not read', () => {
  it('the answer and the database reads are those of a family nobody registered', async () => {
    const village = `Phum ${Date.now()}`;
    const theirs = await registerRecording(reliefA, family(village));
    expect(theirs.status).toBe(201);

    const probe = await registerRecording(reliefB, family(village));
    const control = await registerRecording(reliefB, family(`${village} other`));
    expect(probe.status).toBe(201);
    expect(control.status).toBe(201);
    expect(probe.body.possibleDuplicates).toBeUndefined();
    expect(probe.text).not.toContain(theirs.body.id);
    expect(Object.keys(probe.body).sort()).toEqual(Object.keys(control.body).sort());
    expect([...probe.headers.keys()].sort()).toEqual([...control.headers.keys()].sort());
    // The same commands, and the same number of items read: decided by the caller's own household alone.
    expect(probe.sent).toEqual(control.sent);
    expect(probe.sent.some((c) => c.startsWith('BatchGetCommand:'))).toBe(true);

    // Its own organisation's registrar is told (so the match was there to be found).
    const own = await registerRecording(reliefA, family(village));
    expect((own.body.possibleDuplicates as { householdId: string }[]).map((d) => d.householdId)).toContain(theirs.body.id);
  });

  it('a year apart or a spelling with other spacing and case changes nothing either', async () => {
    const village = `Phum ${Date.now()} B`;
    const theirs = await registerRecording(reliefA, family(village, 'Thida', 1979));
    const probe = await registerRecording(reliefB, family(village.toUpperCase(), 'THI DA', 1980));
    const control = await registerRecording(reliefB, family(village, 'Kunthea', 1980));
    expect(probe.body.possibleDuplicates).toBeUndefined();
    expect(probe.text).not.toContain(theirs.body.id);
    expect(probe.sent).toEqual(control.sent);
  });
});
