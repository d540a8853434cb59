import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../functions/households/app.ts';
import { sweepExpired } from '../../infra/local/ttl-sweeper.ts';
import { retention } from '../../shared/config.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { scanTable } from '../support/fixtures.ts';
import { bearer } from '../support/tokens.ts';

/**
 * Retention: each kind of record carries the TTL of its configured period from the moment it is
 * written, and the local runtime's sweeper deletes what has expired (DynamoDB Local does not).
 */
type H = Record<string, string>;
let relief: H;

const allItems = scanTable;

const body = {
  origin: { province: 'KH22' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [
    { givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD', document: { type: 'NATIONAL_ID', number: `RET${Date.now()}` } },
  ],
  consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] },
};

beforeAll(async () => {
  relief = await bearer({ role: 'relief', country: 'KH', org: 'NGO-R', sub: 'registrar-r' });
});

describe('retention', () => {
  it('sets the configured TTL on idempotency records (24 h), access entries (5 years) and import jobs (90 days) when they are written', async () => {
    expect(retention).toEqual({ idempotency: 24 * 3600, accessLog: 1825 * 86400, imports: 90 * 86400, deliveryFailures: 30 * 86400, victimData: 1825 * 86400 });
    const post = (path: string, b: unknown, extra: H = {}) =>
      app.request(path, { method: 'POST', headers: { ...relief, 'content-type': 'application/json', ...extra }, body: JSON.stringify(b) });
    const created = (await (await post('/v1/households', body, { 'idempotency-key': 'retention-1' })).json()) as { id: string };
    await app.request(`/v1/households/${created.id}`, { headers: relief });
    const job = (await (await post('/v1/household-imports', {})).json()) as { id: string };
    const now = Math.floor(Date.now() / 1000);
    const items = await allItems();
    const ttlOf = (pred: (i: Record<string, unknown>) => boolean) => {
      const found = items.filter(pred);
      expect(found.length).toBeGreaterThan(0);
      return found.map((i) => Number(i.expiresAt) - now);
    };
    const near = (seconds: number) => (d: number) => expect(Math.abs(d - seconds)).toBeLessThan(120);
    ttlOf((i) => i.entity === 'IdempotencyRecord' && String(i.pk).includes('retention-1')).forEach(near(retention.idempotency));
    ttlOf((i) => i.entity === 'HouseholdAccess' && i.householdId === created.id).forEach(near(retention.accessLog));
    ttlOf((i) => i.entity === 'HouseholdImport' && i.id === job.id).forEach(near(retention.imports));
    // The household itself is kept until erased.
    expect(items.find((i) => i.entity === 'Household' && i.id === created.id)).not.toHaveProperty('expiresAt');
  });

  it('the local sweeper deletes the items past their TTL and leaves the others', async () => {
    const now = Math.floor(Date.now() / 1000);
    await documentClient.send(new PutCommand({ TableName: tableName, Item: { pk: 'SWEEP#old', sk: 'X', expiresAt: now - 10 } }));
    await documentClient.send(new PutCommand({ TableName: tableName, Item: { pk: 'SWEEP#new', sk: 'X', expiresAt: now + 3600 } }));
    await documentClient.send(new PutCommand({ TableName: tableName, Item: { pk: 'SWEEP#none', sk: 'X' } }));
    expect(await sweepExpired(documentClient, tableName, now)).toBeGreaterThanOrEqual(1);
    const left = (await allItems())
      .filter((i) => String(i.pk).startsWith('SWEEP#'))
      .map((i) => i.pk)
      .sort();
    expect(left).toEqual(['SWEEP#new', 'SWEEP#none']);
  });
});
