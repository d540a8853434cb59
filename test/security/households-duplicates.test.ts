import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { app } from '../../functions/households/app.ts';
import { mountLocalImports, startLocalImport } from '../../infra/local/imports.ts';
import type { Household, HouseholdSummary } from '../../shared/domain/household.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { documentClaimKeysMetaKey } from '../../shared/db/keys/household.ts';
import type { HouseholdImportView } from '../../shared/domain/household-import.ts';
import { csvOf, headRow } from '../support/imports.ts';
import { bearer } from '../support/tokens.ts';

/**
 * The duplicate-document oracle: a registrar must not learn which household of another
 * organisation holds a document, neither from a registration's 409 nor by probing with a made-up
 * `reviewedDuplicate.of`; the ministry sees the attempts; the number is the document whatever
 * its type (claims made while the type was part of the hash: `document-claims-legacy.test.ts`).
 */
process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-duplicates-'));

const json = { 'content-type': 'application/json' };
type H = Record<string, string>;
type Answer<T> = { status: number; body: T; text: string };
type AccessEntry = { householdId: string; actor: { sub: string; role: string; org: string }; purpose: string; importId?: string };

let reliefA: H;
let reliefB: H;
let ministryKH: H;

async function call<T>(method: string, path: string, headers: H, body?: unknown): Promise<Answer<T>> {
  const res = await app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
}

let serial = 0;
const docNumber = () => `SEC${String(500000 + ++serial)}${String(Date.now()).slice(-4)}`;

const body = (document: { type: string; number: string }, extra: Record<string, unknown> = {}) => ({
  origin: { province: 'KH22' },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [{ givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD', document }],
  consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
  ...extra,
});

const register = (headers: H, b: unknown) => call<Household & { detail: string; existingHouseholdId?: string }>('POST', '/v1/households', headers, b);

async function registered(headers: H, b: unknown): Promise<Household> {
  const r = await register(headers, b);
  if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
  return r.body;
}

const accessLog = (id: string, headers: H) => call<{ items: AccessEntry[] }>('GET', `/v1/households/${id}/access-log?limit=100`, headers);
const householdCount = async (headers: H) => (await call<{ items: unknown[] }>('GET', '/v1/households?limit=100', headers)).body.items.length;

beforeAll(async () => {
  reliefA = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a' });
  reliefB = await bearer({ role: 'relief', country: 'KH', org: 'NGO-B', sub: 'registrar-b' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoSVY' });
});

describe('a document another organisation registered', () => {
  it('is refused naming no household, with or without a made-up reviewedDuplicate.of, and writes nothing', async () => {
    const number = docNumber();
    const first = await registered(reliefA, body({ type: 'NATIONAL_ID', number }));
    const before = await householdCount(reliefB);

    const plain = await register(reliefB, body({ type: 'NATIONAL_ID', number }));
    const madeUp = await register(reliefB, body({ type: 'NATIONAL_ID', number }, { reviewedDuplicate: { of: '01KAAAAAAAAAAAAAAAAAAAAAAA', reason: 'probe' } }));
    for (const r of [plain, madeUp]) {
      expect(r.status).toBe(409);
      expect(r.text).not.toContain(first.id);
      expect(r.body).not.toHaveProperty('existingHouseholdId');
      expect(r.body.detail).toContain('registered by another organisation; ask your ministry');
    }
    // The made-up id learns exactly what leaving it out does.
    const { instance: _a, ...plainProblem } = plain.body as unknown as Record<string, unknown>;
    const { instance: _b, ...madeUpProblem } = madeUp.body as unknown as Record<string, unknown>;
    expect(madeUpProblem).toEqual(plainProblem);
    expect(await householdCount(reliefB)).toBe(before);
  });

  it('is registered as a reviewed duplicate with the id the ministry gives, and each refusal is in the holder’s access log for the ministry only', async () => {
    const number = docNumber();
    const first = await registered(reliefA, body({ type: 'NATIONAL_ID', number }));
    expect((await register(reliefB, body({ type: 'NATIONAL_ID', number }))).status).toBe(409);

    // The ministry finds the holder (it reads every household of its country) and sees the attempt.
    const lookup = await call<{ items: HouseholdSummary[] }>('POST', '/v1/households/lookup', ministryKH, {
      documentType: 'NATIONAL_ID',
      documentNumber: number,
    });
    expect(lookup.body.items.map((h) => h.id)).toEqual([first.id]);
    const log = await accessLog(first.id, ministryKH);
    expect(log.status).toBe(200);
    expect(log.body.items.filter((e) => e.purpose === 'DUPLICATE_REFUSED')).toEqual([
      expect.objectContaining({ householdId: first.id, actor: { sub: 'registrar-b', role: 'relief', org: 'NGO-B' } }),
    ]);
    // Never the caller.
    expect((await accessLog(first.id, reliefB)).status).toBe(404);

    const reviewed = await register(
      reliefB,
      body({ type: 'NATIONAL_ID', number }, { reviewedDuplicate: { of: first.id, reason: 'ministry: separate household' } }),
    );
    expect(reviewed.status).toBe(201);
    expect(reviewed.body.reviewedDuplicate).toEqual({ of: first.id, reason: 'ministry: separate household' });
  });

  it('reads no old per-type claim keys in a table that held no household before the type left the key', async () => {
    const meta = await documentClient.send(new GetCommand({ TableName: tableName, Key: documentClaimKeysMetaKey(), ConsistentRead: true }));
    expect(meta.Item).toMatchObject({ legacyClaims: false });
  });

  it('with a made-up reviewedDuplicate.of and no holder, is registered as if the field were absent (no probe that writes nothing)', async () => {
    const r = await register(
      reliefB,
      body({ type: 'NATIONAL_ID', number: docNumber() }, { reviewedDuplicate: { of: '01KAAAAAAAAAAAAAAAAAAAAAAA', reason: 'probe' } }),
    );
    expect(r.status).toBe(201);
    expect(r.body).not.toHaveProperty('reviewedDuplicate');
  });

  it('is the same document under another type', async () => {
    const number = docNumber();
    const first = await registered(reliefA, body({ type: 'NATIONAL_ID', number }));
    const own = await register(reliefA, body({ type: 'PASSPORT', number }));
    expect(own.status).toBe(409);
    expect(own.body.existingHouseholdId).toBe(first.id);
    const other = await register(reliefB, body({ type: 'FAMILY_BOOK', number }));
    expect(other.status).toBe(409);
    expect(other.text).not.toContain(first.id);
    const lookup = await call<{ items: HouseholdSummary[] }>('POST', '/v1/households/lookup', ministryKH, { documentType: 'OTHER', documentNumber: number });
    expect(lookup.body.items.map((h) => h.id)).toEqual([first.id]);
  });
});

describe('an import row with a document another organisation registered', () => {
  it('is refused without naming the household, and the refusal is in that household’s access log', async () => {
    const number = docNumber();
    const holder = await registered(reliefA, body({ type: 'NATIONAL_ID', number }));
    const root = new Hono();
    mountLocalImports(root);
    root.route('/', app);
    const created = await root.request('/v1/household-imports', { method: 'POST', headers: { ...reliefB, ...json }, body: '{}' });
    const { id, uploadUrl } = (await created.json()) as { id: string; uploadUrl: string };
    const url = new URL(uploadUrl);
    const file = csvOf([
      headRow('X1', { destination_province: '', document_type: 'PASSPORT', document_number: number }),
      headRow('X2', { destination_province: '' }),
    ]);
    expect((await root.request(`${url.pathname}${url.search}`, { method: 'PUT', body: file, headers: { 'content-type': 'text/csv' } })).status).toBe(200);
    await startLocalImport(id);

    const job = (await (await root.request(`/v1/household-imports/${id}`, { headers: reliefB })).json()) as HouseholdImportView;
    expect(job).toMatchObject({ status: 'COMPLETED', households: 1, householdsRejected: 1 });
    expect(job.errors).toEqual([{ row: 2, message: 'household X1: the identity document is registered by another organisation; ask your ministry' }]);
    expect(JSON.stringify(job)).not.toContain(holder.id);
    const log = await accessLog(holder.id, ministryKH);
    expect(log.body.items.filter((e) => e.purpose === 'DUPLICATE_REFUSED')).toEqual([
      expect.objectContaining({ importId: id, actor: expect.objectContaining({ org: 'NGO-B' }) }),
    ]);
  });
});
