import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { app as householdsApp } from '../../functions/households/app.ts';
import { SAFETY_CHECK_ACTOR } from '../../functions/safety/check.ts';
import { Prefetched } from '../../shared/db/batch.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { hazardsVersionKey } from '../../shared/db/keys/hazard-area.ts';
import { hazardWrite } from '../../shared/db/repositories/hazard-areas.ts';
import { getHousehold } from '../../shared/db/repositories/households.ts';
import { cacheForHazardsVersion, hazardCellWrites, recomputeForHazardArea } from '../../shared/db/repositories/return-safety.ts';
import { drawnRegistrationCode, householdIdByCode, registrationCodeItem, settledRegistrationCode } from '../../shared/db/repositories/registration-codes.ts';
import type { Household } from '../../shared/domain/household.ts';
import { newId } from '../../shared/domain/ids.ts';
import { createHazard, json, post, square } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * What a registration reads before its transaction: every lookup by key (the document claims, the
 * drawn registration code, the duplicate buckets) in one BatchGetItem, and no GetItem of its own:
 * each round trip is a share of what a registration costs the table (the `household-registration`
 * benchmark measures the throughput against raw TransactWriteItems).
 */
type Sent = { constructor: { name: string }; input: { RequestItems?: Record<string, { Keys: { pk: string }[] }> } };

let reliefKH: Record<string, string>;
let opsKH: Record<string, string>;
beforeAll(async () => {
  opsKH = await bearer({ role: 'operations', country: 'KH' });
  reliefKH = await bearer({ role: 'relief', country: 'KH', org: 'CARE' });
});
afterEach(() => vi.restoreAllMocks());

const member = (suffix: string, givenName: string, sex: string, birthYear: number, relationship: string, n: string) => ({
  givenName,
  familyName: `Prefetch${suffix}`,
  sex,
  birthYear,
  relationship,
  document: { type: 'NATIONAL_ID', number: `PF${suffix}${n}` },
});
const body = (suffix: string) => ({
  origin: { province: 'KH22', village: `Prefetch village ${suffix}` },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  destination: { province: 'KH22' },
  members: [member(suffix, 'Sreymom', 'F', 1986, 'HEAD', '01'), member(suffix, 'Dara', 'M', 2012, 'CHILD', '02')],
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
    // Two people under one origin village, each looked up in one bucket.
    expect(keys.filter((pk) => pk.startsWith('DUPNAME#KH#'))).toHaveLength(2);
    expect(keys.filter((pk) => !pk.startsWith('HHDOC#') && !pk.startsWith('HHCODE#') && !pk.startsWith('DUPNAME#'))).toEqual([]);
    // The code read is the code the household got, and it is claimed now.
    expect(keys).toContain(`HHCODE#KH#${household.code}`);
    expect(await householdIdByCode('KH', household.code!)).toBe(household.id);
  });

  it('with a destination point, also reads the hazard areas’ version, assesses once and does not read again after the commit', async () => {
    const withPoint = { ...body(`${Date.now()}p`), destination: { province: 'KH22', point: { type: 'Point', coordinates: [103.61, 14.21] } } };
    const send = vi.spyOn(documentClient, 'send');
    const res = await householdsApp.request('/v1/households', { method: 'POST', headers: { ...reliefKH, ...json }, body: JSON.stringify(withPoint) });
    const commands = send.mock.calls.map(
      ([command]) => command as unknown as Sent & { input: { TransactItems?: { ConditionCheck?: { Key: { pk: string } } }[] } },
    );
    send.mockRestore();
    expect(res.status, await res.clone().text()).toBe(201);
    const names = commands.map((c) => c.constructor.name);
    expect(names.filter((n) => n === 'BatchGetCommand')).toHaveLength(1);
    expect(names.filter((n) => n === 'QueryCommand')).toHaveLength(1);
    // The Query (the assessment) comes after the read of the version, the commit after both.
    expect(names.filter((n) => n !== 'PutCommand')).toEqual(['BatchGetCommand', 'QueryCommand', 'TransactWriteCommand']);
    const keys = Object.values(commands[names.indexOf('BatchGetCommand')]!.input.RequestItems!)[0]!.Keys.map((k) => k.pk);
    expect(keys).toContain('META#HAZARDS');
    const checks = commands[names.indexOf('TransactWriteCommand')]!.input.TransactItems!.flatMap((i) => (i.ConditionCheck ? [i.ConditionCheck.Key.pk] : []));
    expect(checks).toContain('META#HAZARDS');
  });

  it('keeps the assessment of a cell for the next registrations while the hazard areas’ version holds, and not after a hazard area is written', async () => {
    const at = (lon: number, lat: number, suffix: string) => ({
      ...body(`${Date.now()}${suffix}`),
      destination: { province: 'KH22', point: { type: 'Point', coordinates: [lon, lat] } },
    });
    const register = async (payload: unknown) => {
      const send = vi.spyOn(documentClient, 'send');
      const res = await householdsApp.request('/v1/households', { method: 'POST', headers: { ...reliefKH, ...json }, body: JSON.stringify(payload) });
      const names = send.mock.calls.map(([command]) => (command as unknown as Sent).constructor.name);
      send.mockRestore();
      expect(res.status, await res.clone().text()).toBe(201);
      return { household: (await res.json()) as Household, queries: names.filter((n) => n === 'QueryCommand').length };
    };
    const first = await register(at(103.811, 14.411, 'c1'));
    expect(first.queries).toBe(1);
    expect(first.household.returnSafety.status).toBe('SAFE');
    // Same cell, same version: no Query.
    const second = await register(at(103.8112, 14.4112, 'c2'));
    expect(second.queries).toBe(0);
    expect(second.household.returnSafety.status).toBe('SAFE');
    // A hazard area recorded 200 m away counts the version up: the next one reads the cell again and is at risk.
    const hazard = await createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: square(103.813, 14.413, 0.002) });
    const third = await register(at(103.8112, 14.4112, 'c3'));
    expect(third.queries).toBe(1);
    expect(third.household.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
  });

  it('a repair counts the version up, so an assessment cached before a hazard area written without its count-up is not used again', async () => {
    const at = (suffix: string) => ({
      ...body(`${Date.now()}${suffix}`),
      destination: { province: 'KH22', point: { type: 'Point', coordinates: [103.7112, 14.3112] } },
    });
    const register = async (payload: unknown) => {
      const res = await householdsApp.request('/v1/households', { method: 'POST', headers: { ...reliefKH, ...json }, body: JSON.stringify(payload) });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()) as Household;
    };
    // Recorded far away first (counting the version up), as the model of the one written below.
    const template = await createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: square(104.91, 14.21, 0.002) });
    expect((await register(at('r1'))).returnSafety.status).toBe('SAFE');
    // A hazard area 200 m away written as a process dying after a full transaction leaves it: without the count-up.
    const hazard = { ...template, id: newId(), geometry: square(103.713, 14.313, 0.002) };
    await documentClient.send(new TransactWriteCommand({ TransactItems: [hazardWrite(hazard, 'new'), ...hazardCellWrites(hazard)].map((w) => w.item) }));
    // Under the version it was cached with, the cell still answers as before: the gap the repair closes.
    const stale = await register(at('r2'));
    expect(stale.returnSafety.status).toBe('SAFE');
    const version = async () => Number((await documentClient.send(new GetCommand({ TableName: tableName, Key: hazardsVersionKey() }))).Item?.v ?? 0);
    const before = await version();
    const repaired = await recomputeForHazardArea(hazard.id, SAFETY_CHECK_ACTOR, undefined, { repair: true });
    expect(await version()).toBe(before + 1);
    // The repair rewrote the household stored meanwhile, and the next registration reads the cell again.
    expect(repaired.changed).toBeGreaterThanOrEqual(1);
    expect((await getHousehold(stale.id))?.returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
    expect((await register(at('r3'))).returnSafety).toMatchObject({ status: 'AT_RISK', hazardAreaIds: [hazard.id] });
  });

  it('keeps assessments only with the version read, and starts them afresh past their budget', async () => {
    const read = await Prefetched.read([hazardsVersionKey()]);
    const cache = cacheForHazardsVersion(read)!;
    expect(cacheForHazardsVersion(read)).toBe(cache);
    cache.set('a-large-geometry', 'x'.repeat(17 * 1024 * 1024));
    expect(cacheForHazardsVersion(read)).not.toBe(cache);
    // A request that did not read the version (no point) gets none.
    expect(cacheForHazardsVersion(await Prefetched.read([{ pk: 'HHCODE#KH#NOPE', sk: 'CODE' }]))).toBeUndefined();
  });

  it('counts up the hazard areas’ version in every transaction that writes a hazard area', async () => {
    const version = async () => Number((await documentClient.send(new GetCommand({ TableName: tableName, Key: hazardsVersionKey() }))).Item?.v ?? 0);
    const before = await version();
    const hazard = await createHazard(opsKH, { country: 'KH', province: 'KH22', geometry: square(103.95, 14.45, 0.004) });
    expect(await version()).toBe(before + 1);
    const withdrawn = await post(`/v1/hazard-areas/${hazard.id}/transitions`, opsKH, { to: 'WITHDRAWN', reason: 'recorded twice' }, { 'if-match': '"1"' });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBe(200);
    expect(await version()).toBe(before + 2);
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
