import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { Prefetched } from '../../shared/db/batch.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { drawnRegistrationCode, householdIdByCode, registrationCodeItem, settledRegistrationCode } from '../../shared/db/repositories/registration-codes.ts';
import type { Household } from '../../shared/domain/household.ts';
import { json } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * What a registration reads before its transaction: every lookup by key (the document claims, the
 * drawn registration code, the duplicate buckets) in one BatchGetItem, and no GetItem of its own:
 * each round trip is a share of what a registration costs the table (the `household-registration`
 * benchmark measures the throughput against raw TransactWriteItems).
 */
type Sent = { constructor: { name: string }; input: { RequestItems?: Record<string, { Keys: { pk: string }[] }> } };

let reliefKH: Record<string, string>;
beforeAll(async () => {
  reliefKH = await bearer({ role: 'relief', country: 'KH', org: 'CARE' });
});
afterEach(() => vi.restoreAllMocks());

const body = (suffix: string) => ({
  origin: { province: 'KH22', village: `Prefetch village ${suffix}` },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22' },
  members: [
    {
      givenName: 'Sreymom',
      familyName: `Prefetch${suffix}`,
      sex: 'F',
      birthYear: 1986,
      relationship: 'HEAD',
      document: { type: 'NATIONAL_ID', number: `PF${suffix}01` },
    },
    {
      givenName: 'Dara',
      familyName: `Prefetch${suffix}`,
      sex: 'M',
      birthYear: 2012,
      relationship: 'CHILD',
      document: { type: 'NATIONAL_ID', number: `PF${suffix}02` },
    },
  ],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});

describe('a registration’s reads', () => {
  it('reads the document claims, the drawn code and the duplicate buckets in one BatchGetItem and then commits', async () => {
    // The first registration of a process also reads what it then keeps (the gazetteer edition in use, the document-claim keys).
    const first = await householdsApp.request('/v1/households', {
      method: 'POST',
      headers: { ...reliefKH, ...json },
      body: JSON.stringify(body(`${Date.now()}a`)),
    });
    expect(first.status).toBe(201);
    const suffix = `${Date.now()}b`;
    const send = vi.spyOn(documentClient, 'send');
    const res = await householdsApp.request('/v1/households', { method: 'POST', headers: { ...reliefKH, ...json }, body: JSON.stringify(body(suffix)) });
    const commands = send.mock.calls.map(([command]) => command as unknown as Sent);
    send.mockRestore();
    expect(res.status, await res.clone().text()).toBe(201);
    const household = (await res.json()) as Household;

    const names = commands.map((c) => c.constructor.name);
    expect(names.filter((n) => n === 'BatchGetCommand')).toHaveLength(1);
    expect(names.filter((n) => n === 'GetCommand')).toEqual([]);
    expect(names.filter((n) => n === 'TransactWriteCommand')).toHaveLength(1);
    const keys = Object.values(commands.find((c) => c.constructor.name === 'BatchGetCommand')!.input.RequestItems!)[0]!.Keys.map((k) => k.pk);
    expect(keys.filter((pk) => pk.startsWith('HHDOC#KH#'))).toHaveLength(2);
    expect(keys.filter((pk) => pk.startsWith('HHCODE#KH#'))).toHaveLength(1);
    // Two people under one origin village, each looked up in three years of buckets.
    expect(keys.filter((pk) => !pk.startsWith('HHDOC#') && !pk.startsWith('HHCODE#'))).toHaveLength(6);
    // The code read is the code the household got, and it is claimed now.
    expect(keys).toContain(`HHCODE#KH#${household.code}`);
    expect(await householdIdByCode('KH', household.code!)).toBe(household.id);
  });

  it('draws another code when the drawn one turns out to be taken', async () => {
    const drawn = drawnRegistrationCode('KH');
    await documentClient.send(new PutCommand({ TableName: tableName, Item: registrationCodeItem('KH', drawn.code, 'someone-else') }));
    const prefetched = await Prefetched.read([drawn.key]);
    const code = await settledRegistrationCode('KH', drawn, prefetched);
    expect(code).not.toBe(drawn.code);
    expect(await householdIdByCode('KH', code)).toBeUndefined();
    // A free drawn code is kept as it is.
    const free = drawnRegistrationCode('KH');
    expect(await settledRegistrationCode('KH', free, await Prefetched.read([free.key]))).toBe(free.code);
  });

  it('refuses a lookup of a key it did not read, and falls back for lookups it does not cover', async () => {
    const prefetched = await Prefetched.read([{ pk: 'HHCODE#KH#NOPE', sk: 'CODE' }]);
    expect(() => prefetched.get({ pk: 'HHCODE#KH#OTHER', sk: 'CODE' })).toThrow(/not prefetched/);
    expect(prefetched.covering([{ pk: 'HHCODE#KH#OTHER', sk: 'CODE' }])).toBeUndefined();
    expect(prefetched.covering([{ pk: 'HHCODE#KH#NOPE', sk: 'CODE' }])).toEqual([]);
  });
});
