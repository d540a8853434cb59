import { createHmac } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../functions/households/app.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { documentClaimKey, documentClaimKeysMetaKey } from '../../shared/db/keys/household.ts';
import { householdItems } from '../../shared/db/repositories/households.ts';
import { batchPutAll } from '../../shared/db/batch.ts';
import { normaliseDocumentNumber, storedMember, type Household, type HouseholdSummary } from '../../shared/domain/household.ts';
import { newId } from '../../shared/domain/ids.ts';
import { documentHashKey } from '../../shared/secrets.ts';
import { bearer } from '../support/tokens.ts';

/**
 * A table that held households before the document type left the claim key: their claims, keyed
 * by `HMAC(<country>:<type>:<number>)`, cannot be rewritten (the numbers are not kept), so they
 * are read beside the current key — and the same number under any type still finds them.
 */
const json = { 'content-type': 'application/json' };
type H = Record<string, string>;

async function call<T>(method: string, path: string, headers: H, body?: unknown) {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
}

const NUMBER = `OLD${Date.now()}`;
const oldHash = async (type: string, number: string) =>
  createHmac('sha256', await documentHashKey())
    .update(`KH:${type}:${normaliseDocumentNumber(number)}`)
    .digest('hex');

let holder: Household;
let reliefA: H;
let reliefB: H;
let admin: H;

beforeAll(async () => {
  // Before any request of this file: a household as the code before the change stored it, its claim under the old key.
  const now = new Date().toISOString();
  holder = {
    id: newId(),
    version: 1,
    createdAt: now,
    updatedAt: now,
    createdBy: 'registrar-a',
    country: 'KH',
    org: 'NGO-A',
    status: 'DISPLACED',
    statusChangedAt: now,
    origin: { province: 'KH22' },
    current: { province: 'KH17', site: 'Pagoda camp 4' },
    members: [
      storedMember({
        givenName: 'Sokha',
        familyName: 'Chan',
        sex: 'F',
        birthYear: 1986,
        relationship: 'HEAD',
        specificNeeds: [],
        document: { type: 'NATIONAL_ID', number: NUMBER },
      }),
    ],
    consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
    returnSafety: { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: now },
  } as Household;
  const items = householdItems(holder, [{ hash: await oldHash('NATIONAL_ID', NUMBER), memberIndex: 0, duplicate: false }], {
    id: newId(),
    at: now,
    actor: { sub: 'registrar-a', role: 'relief', org: 'NGO-A' },
    action: 'CREATED',
    to: 'DISPLACED',
  });
  await batchPutAll(items);
  reliefA = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a' });
  reliefB = await bearer({ role: 'relief', country: 'KH', org: 'NGO-B', sub: 'registrar-b' });
  admin = await bearer({ role: 'admin' });
});

const body = (type: string) => ({
  origin: { province: 'KH22' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [{ givenName: 'Srey', familyName: 'Chan', sex: 'F', birthYear: 1990, relationship: 'HEAD', document: { type, number: NUMBER } }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
});

describe('a claim made under the old per-type key', () => {
  it('still makes the same number, under any type, a duplicate: named to its organisation, unnamed to another', async () => {
    const other = await call<{ detail: string }>('POST', '/v1/households', reliefB, body('PASSPORT'));
    expect(other.status).toBe(409);
    expect(other.text).not.toContain(holder.id);
    expect(other.body.detail).toContain('registered by another organisation');
    const own = await call<{ existingHouseholdId: string }>('POST', '/v1/households', reliefA, body('NATIONAL_ID'));
    expect(own.status).toBe(409);
    expect(own.body.existingHouseholdId).toBe(holder.id);
    const lookup = await call<{ items: HouseholdSummary[] }>('POST', '/v1/households/lookup', admin, {
      country: 'KH',
      documentType: 'FAMILY_BOOK',
      documentNumber: NUMBER,
    });
    expect(lookup.body.items.map((h) => h.id)).toEqual([holder.id]);
  });

  it('is read only because the table held households before: the decision is recorded once, and no claim is written under an old key', async () => {
    const meta = await documentClient.send(new GetCommand({ TableName: tableName, Key: documentClaimKeysMetaKey(), ConsistentRead: true }));
    expect(meta.Item).toMatchObject({ legacyClaims: true });
    const registered = await call<Household>('POST', '/v1/households', reliefA, {
      ...body('PASSPORT'),
      members: [{ ...body('PASSPORT').members[0], document: { type: 'PASSPORT', number: `${NUMBER}9` } }],
    });
    expect(registered.status).toBe(201);
    const old = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: documentClaimKey('KH', await oldHash('PASSPORT', `${NUMBER}9`)), ConsistentRead: true }),
    );
    expect(old.Item).toBeUndefined();
  });
});
