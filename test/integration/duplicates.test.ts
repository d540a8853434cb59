import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { app as duplicateReviewsApp } from '../../functions/duplicate-reviews/app.ts';
import { app as householdsApp } from '../../functions/households/app.ts';
import { app as householdMembersApp } from '../../functions/household-members/app.ts';
import { randomBytes } from 'node:crypto';
import { queueImportDuplicates, queueSliceDuplicates } from '../../functions/importer/duplicate-pass.ts';
import { logger } from '../../shared/logger.ts';
import { runImport } from '../../functions/importer/run-import.ts';
import { householdCreateWrites } from '../../shared/db/repositories/households.ts';
import { transact } from '../../shared/db/transact.ts';
import { newRegistrationCode } from '../../shared/domain/assistance-rules.ts';
import { historyEntry } from '../../shared/domain/history.ts';
import { newHousehold, type HouseholdCreate } from '../../shared/domain/household.ts';
import { newId } from '../../shared/domain/ids.ts';
import { findCandidates, newReview, reviewWrites } from '../../shared/db/repositories/duplicates.ts';
import { activeImportJobIds, getImportJob, importJobWrite, markUploaded, newImportJob } from '../../shared/db/repositories/household-imports.ts';
import { resumeLocalImports } from '../../infra/local/imports.ts';
import type { DuplicateReview, PossibleDuplicate } from '../../shared/domain/duplicates.ts';
import type { Household } from '../../shared/domain/household.ts';
import { scanTable } from '../support/fixtures.ts';
import { csvOf, headRow } from '../support/imports.ts';
import { bearer } from '../support/tokens.ts';
import { readGazetteerDir } from '../../infra/local/gazetteer-files.ts';
import { backfillDuplicateIndex, DUPLICATES_BACKFILL_MARKER } from '../../infra/local/duplicates-backfill.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { importChunkKey } from '../../shared/db/keys/household-import.ts';
import { loadEdition } from '../../shared/db/repositories/gazetteer.ts';

/**
 * Possible duplicates without documents against DynamoDB Local, through the households and
 * duplicate-reviews apps: what a registration answers (only households the caller may read), the
 * ministry's queue and its decisions, the bounded reads of the blocking index, the import pass and
 * erasure.
 */
type H = Record<string, string>;
type Registered = Household & { possibleDuplicates?: PossibleDuplicate[] };
type Problem = { status: number; detail: string };

let reliefA: H;
let reliefA2: H; // another registrar of the same organisation
let reliefB: H;
let reliefTH: H;
let ministryKH: H;
let ministryTH: H;
let admin: H;

const json = { 'content-type': 'application/json' };
async function call<T>(method: string, path: string, headers: H, body?: unknown, extra: H = {}) {
  const target = path.startsWith('/v1/duplicate-reviews')
    ? duplicateReviewsApp
    : /^\/v1\/households\/[^/]+\/(members|split|head)/.test(path)
      ? householdMembersApp
      : householdsApp;
  const res = await target.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : json), ...extra },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, res, text };
}

let village = 0;
/** A family of a village of its own (so that tests do not find each other's families), with a head and a child. */
const family = (
  village: string,
  head: { givenName: string; familyName: string; birthYear: number } = { givenName: 'Sokha', familyName: 'Chan', birthYear: 1986 },
  extra: Record<string, unknown> = {},
) => ({
  origin: { province: 'KH22', district: 'Samraong', village },
  current: { province: 'KH17', site: 'Pagoda camp 4' },
  members: [
    { ...head, sex: 'F', relationship: 'HEAD' },
    { givenName: 'Dara', familyName: head.familyName, sex: 'M', birthYear: 2012, relationship: 'CHILD' },
  ],
  consent: { given: true, date: '2026-01-15', purposes: ['REGISTRATION'] },
  ...extra,
});
const newVillage = () => `Village ${++village} ${Date.now()}`;

async function register(headers: H, body: unknown): Promise<Registered> {
  const r = await call<Registered>('POST', '/v1/households', headers, body);
  if (r.status !== 201) throw new Error(`register: ${r.status} ${r.text}`);
  return r.body;
}

async function reviewsOf(headers: H, householdId: string | undefined, query = ''): Promise<DuplicateReview[]> {
  const all: DuplicateReview[] = [];
  let cursor: string | null = null;
  do {
    const r: { status: number; body: { items: DuplicateReview[]; next: string | null } } = await call<{ items: DuplicateReview[]; next: string | null }>(
      'GET',
      `/v1/duplicate-reviews?limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers,
    );
    expect(r.status).toBe(200);
    all.push(...r.body.items);
    cursor = r.body.next;
  } while (cursor);
  return householdId === undefined ? all : all.filter((v) => v.householdIds.includes(householdId));
}

beforeAll(async () => {
  reliefA = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a' });
  reliefA2 = await bearer({ role: 'relief', country: 'KH', org: 'NGO-A', sub: 'registrar-a2' });
  reliefB = await bearer({ role: 'relief', country: 'KH', org: 'NGO-B', sub: 'registrar-b' });
  reliefTH = await bearer({ role: 'relief', country: 'TH', org: 'NGO-T', sub: 'registrar-t' });
  ministryKH = await bearer({ role: 'ministry', country: 'KH', org: 'MoSVY', sub: 'ministry-kh' });
  ministryTH = await bearer({ role: 'ministry', country: 'TH', org: 'MSDHS', sub: 'ministry-th' });
  admin = await bearer({ role: 'admin', org: 'platform' });
  const shipped = await readGazetteerDir();
  await loadEdition(shipped.edition, shipped.countries, { sub: 'test', role: 'admin', org: 'test' });
});

describe('registration', () => {
  it('names a household of the caller’s own organisation with the same person (name folded, a year apart, same village) and queues the pair', async () => {
    const v = newVillage();
    const first = await register(reliefA, family(v));
    expect(first.possibleDuplicates).toBeUndefined();
    const head = { givenName: 'SOK HA', familyName: 'chán', sex: 'F', birthYear: 1987, relationship: 'HEAD' };
    const second = await register(reliefA2, family(v.toUpperCase().replace(' ', '  '), undefined, { members: [head] }));
    expect(second.possibleDuplicates).toEqual([{ householdId: first.id, score: 0.9, reasons: ['SAME_NAME', 'BIRTH_YEAR_WITHIN_ONE', 'SAME_ORIGIN_VILLAGE'] }]);
    const third = await register(reliefA, family(v));
    expect(third.possibleDuplicates?.find((d) => d.householdId === first.id)).toEqual({
      householdId: first.id,
      score: 1,
      reasons: ['SAME_NAME', 'SAME_BIRTH_YEAR', 'SAME_ORIGIN_VILLAGE', 'SEVERAL_MEMBERS'],
    });
    const [review] = await reviewsOf(ministryKH, second.id);
    expect(review).toMatchObject({ householdIds: [first.id, second.id], status: 'PENDING', source: 'REGISTRATION', country: 'KH', version: 1 });
  });

  it('finds nobody two years apart, in another village or commune, in the other country, or of another name', async () => {
    const v = newVillage();
    const first = await register(reliefA, family(v));
    const apart = await register(
      reliefA,
      family(
        v,
        { givenName: 'Sokha', familyName: 'Chan', birthYear: 1988 },
        { members: [{ givenName: 'Sokha', familyName: 'Chan', sex: 'F', birthYear: 1988, relationship: 'HEAD' }] },
      ),
    );
    const elsewhere = await register(reliefA, family(`${v} North`));
    const otherName = await register(
      reliefA,
      family(
        v,
        { givenName: 'Sokhom', familyName: 'Chan', birthYear: 1986 },
        { members: [{ givenName: 'Sokhom', familyName: 'Chan', sex: 'F', birthYear: 1986, relationship: 'HEAD' }] },
      ),
    );
    const thai = await register(reliefTH, { ...family(v), origin: { province: 'TH32', village: v }, current: { province: 'TH32', site: 'Temple 1' } });
    for (const h of [apart, elsewhere, otherName, thai]) expect(h.possibleDuplicates).toBeUndefined();
    expect(await reviewsOf(ministryKH, first.id)).toEqual([]);
  });

  it('matches by commune code, and says village when the village codes agree', async () => {
    const commune = { province: 'KH22', adm2: 'KH2203', adm3: 'KH220301' };
    const a = await register(reliefA, family('x', { givenName: 'Vanna', familyName: 'Keo', birthYear: 1970 }, { origin: { ...commune, adm4: 'KH22030101' } }));
    const b = await register(reliefA, family('x', { givenName: 'Vanna', familyName: 'Keo', birthYear: 1970 }, { origin: { ...commune, adm4: 'KH22030102' } }));
    expect(b.possibleDuplicates?.[0]).toMatchObject({ householdId: a.id, reasons: expect.arrayContaining(['SAME_ORIGIN_COMMUNE']) });
    const c = await register(reliefA, family('x', { givenName: 'Vanna', familyName: 'Keo', birthYear: 1970 }, { origin: { ...commune, adm4: 'KH22030101' } }));
    expect(c.possibleDuplicates?.find((d) => d.householdId === a.id)?.reasons).toContain('SAME_ORIGIN_VILLAGE');
    expect(c.possibleDuplicates?.find((d) => d.householdId === b.id)?.reasons).toContain('SAME_ORIGIN_COMMUNE');
  });

  it('compares Khmer names in Khmer script, spacing and zero-width spaces folded', async () => {
    const v = newVillage();
    const a = await register(reliefA, family(v, { givenName: 'សុខា', familyName: 'ចាន់', birthYear: 1990 }));
    const b = await register(reliefA, family(v, { givenName: 'សុ\u200Bខា', familyName: 'ចាន់ ', birthYear: 1990 }));
    expect(b.possibleDuplicates?.map((d) => d.householdId)).toEqual([a.id]);
  });
});

describe('what a registering user of another organisation learns', () => {
  it('nothing: the same answer as for a family nobody registered, while the ministry gets the pair', async () => {
    const v = newVillage();
    const first = await register(reliefA, family(v));
    const second = await register(reliefB, family(v));
    const fresh = await register(reliefB, family(newVillage()));
    expect(second.possibleDuplicates).toBeUndefined();
    expect(Object.keys(second).sort()).toEqual(Object.keys(fresh).sort());
    expect(JSON.stringify(second)).not.toContain(first.id);
    expect((await call('GET', `/v1/households/${first.id}`, reliefB)).status).toBe(404);
    expect((await call('GET', '/v1/duplicate-reviews', reliefB)).status).toBe(403);
    const [review] = await reviewsOf(ministryKH, second.id);
    expect(review?.householdIds).toEqual([first.id, second.id]);
    expect(await reviewsOf(ministryTH, second.id)).toEqual([]);
  });

  it('the blocking index and the reviews hold no names, only keyed hashes, ids, years and codes', async () => {
    const v = newVillage();
    await register(reliefA, family(v, { givenName: 'Chenda', familyName: 'Prak', birthYear: 1979 }));
    await register(reliefB, family(v, { givenName: 'Chenda', familyName: 'Prak', birthYear: 1979 }));
    const items = (await scanTable()).filter((i) => i.entity === 'DuplicateBlockingBucket' || i.entity === 'DuplicateReview' || i.entity === 'DuplicatePair');
    expect(items.length).toBeGreaterThan(0);
    const text = JSON.stringify(items).toLowerCase();
    for (const value of ['chenda', 'prak', v.toLowerCase(), 'sokha']) expect(text).not.toContain(value);
  });
});

describe('the blocking index', () => {
  it('reads one item per person and place, however many people are filed, and keeps those born within a year', async () => {
    const v = newVillage();
    const person = {
      country: 'KH',
      id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
      org: 'NGO-A',
      origin: { province: 'KH22', village: v },
      members: [
        { givenName: 'Bopha', familyName: 'Sam', birthYear: 1980 },
        { givenName: 'Nita', familyName: 'Sam', birthYear: 2010 },
      ],
    };
    const before = await findCandidates(person);
    expect(before).toEqual({ candidates: [], itemsRead: 2 });
    for (let i = 0; i < 12; i++) await register(reliefA, family(v, { givenName: `Other${i}`, familyName: 'Sam', birthYear: 1980 + i }));
    // In the same bucket as Bopha born 1980, but two years apart: not a candidate.
    await register(reliefB, family(v, { givenName: 'Bopha', familyName: 'Sam', birthYear: 1982 }));
    const near = await register(reliefB, family(v, { givenName: 'Bopha', familyName: 'Sam', birthYear: 1979 }));
    const after = await findCandidates(person);
    expect(after.itemsRead).toBe(2);
    expect(after.candidates.map((c) => c.householdId)).toEqual([near.id]);
    expect(after.candidates[0]!.matches).toEqual([{ memberIndex: 0, otherMemberIndex: 0, sameYear: false, place: 'VILLAGE' }]);
  });
});

describe('the review queue', () => {
  it('is the ministry’s and the admin’s: relief is refused, an admin names the country, a forged cursor is a 400', async () => {
    expect((await call('GET', '/v1/duplicate-reviews', reliefA)).status).toBe(403);
    expect((await call('GET', '/v1/duplicate-reviews', admin)).status).toBe(400);
    expect((await call('GET', '/v1/duplicate-reviews?country=KH&limit=1', admin)).status).toBe(200);
    expect((await call('GET', '/v1/duplicate-reviews?cursor=forged', ministryKH)).status).toBe(400);
    expect((await call('GET', '/v1/duplicate-reviews?country=TH', ministryKH)).status).toBe(403);
  });

  it('decides with If-Match: SAME marks both households (versions raised, history), merges nothing, and is final', async () => {
    const v = newVillage();
    const a = await register(reliefA, family(v));
    const b = await register(reliefB, family(v));
    const [review] = await reviewsOf(ministryKH, b.id, '&status=PENDING');
    const path = `/v1/duplicate-reviews/${review!.id}/decision`;
    expect((await call('POST', path, ministryKH, { decision: 'SAME' })).status).toBe(428);
    expect((await call('POST', path, ministryKH, { decision: 'SAME' }, { 'if-match': '"7"' })).status).toBe(412);
    expect((await call('POST', path, ministryKH, { decision: 'MAYBE' }, { 'if-match': '"1"' })).status).toBe(400);
    expect((await call('POST', path, ministryTH, { decision: 'SAME' }, { 'if-match': '"1"' })).status).toBe(404);
    expect((await call('POST', path, reliefA, { decision: 'SAME' }, { 'if-match': '"1"' })).status).toBe(403);
    const decided = await call<DuplicateReview>('POST', path, ministryKH, { decision: 'SAME', comment: 'same family, home visit' }, { 'if-match': '"1"' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'SAME', version: 2, decision: { decision: 'SAME', by: { role: 'ministry', org: 'MoSVY' } } });
    expect(decided.res.headers.get('etag')).toBe('"2"');
    for (const [h, headers] of [
      [a, reliefA],
      [b, reliefB],
    ] as const) {
      const now = await call<Household>('GET', `/v1/households/${h.id}`, headers);
      expect(now.body.version).toBe(h.version + 1);
      expect(now.body.duplicateReviews).toEqual([{ reviewId: review!.id, decision: 'SAME', at: decided.body.decision!.at }]);
      expect(now.body.members).toEqual(h.members);
      expect(JSON.stringify(now.body)).not.toContain(h.id === a.id ? b.id : a.id);
      const history = await call<{ items: { action: string }[] }>('GET', `/v1/households/${h.id}/history`, ministryKH);
      expect(history.body.items.map((e) => e.action)).toContain('DUPLICATE_REVIEWED');
    }
    const again = await call<Problem>('POST', path, ministryKH, { decision: 'DIFFERENT' }, { 'if-match': '"2"' });
    expect(again.status).toBe(409);
    expect((await reviewsOf(ministryKH, b.id, '&status=SAME')).map((r) => r.id)).toEqual([review!.id]);
    expect(await reviewsOf(ministryKH, b.id, '&status=PENDING')).toEqual([]);
  });

  it('DIFFERENT closes the review and leaves the households as they were', async () => {
    const v = newVillage();
    const a = await register(reliefA, family(v));
    const b = await register(reliefA, family(v));
    const [review] = await reviewsOf(ministryKH, b.id);
    const decided = await call<DuplicateReview>(
      'POST',
      `/v1/duplicate-reviews/${review!.id}/decision`,
      ministryKH,
      { decision: 'DIFFERENT' },
      { 'if-match': '"1"' },
    );
    expect(decided.body.status).toBe('DIFFERENT');
    const now = await call<Household>('GET', `/v1/households/${a.id}`, reliefA);
    expect(now.body.version).toBe(a.version);
    expect(now.body.duplicateReviews).toBeUndefined();
  });
});

describe('imports', () => {
  it('queue the pairs they bring, with households registered before and within the file, in a pass after the import, counted on the job', async () => {
    const v = newVillage();
    const before = await register(reliefB, family(v, { givenName: 'Rathana', familyName: 'Ouk', birthYear: 1975 }));
    const created = await call<{ id: string }>('POST', '/v1/household-imports', reliefA, {});
    const row = (key: string, birthYear: string) => headRow(key, { origin_village: v, given_name: 'Rathana', family_name: 'Ouk', birth_year: birthYear });
    const csv = csvOf([
      row(`dup-a-${v}`, '1975'),
      row(`dup-b-${v}`, '1976'),
      headRow(`dup-c-${v}`, { origin_village: v, given_name: 'Someone', family_name: 'Else' }),
    ]);
    await markUploaded(created.body.id, Buffer.byteLength(csv), new Date().toISOString());
    // The file is deleted as soon as the job is COMPLETED, before the duplicate pass (it does not need the file).
    const atDiscard: { status?: string; duplicatesCheckedAt?: string | undefined }[] = [];
    const source = {
      open: async () => Readable.from([Buffer.from(csv)]),
      discard: async () => {
        const at = await getImportJob(created.body.id);
        atDiscard.push({ status: at?.status, duplicatesCheckedAt: at?.duplicatesCheckedAt });
      },
    };
    expect(await runImport(created.body.id, source)).toBe('COMPLETED');
    expect(atDiscard[0]).toEqual({ status: 'COMPLETED', duplicatesCheckedAt: undefined });
    const imported = (await scanTable()).filter((i) => i.entity === 'Household' && i.importId === created.body.id).map((i) => String(i.id));
    expect(imported).toHaveLength(3);
    const reviews = await reviewsOf(ministryKH, before.id);
    expect(reviews).toHaveLength(2);
    for (const r of reviews) expect(r).toMatchObject({ source: 'IMPORT', importId: created.body.id, status: 'PENDING' });
    const ofImported = (await Promise.all(imported.map((id) => reviewsOf(ministryKH, id)))).flat();
    const within = new Set(ofImported.filter((r) => r.householdIds.every((id) => imported.includes(id))).map((r) => r.id));
    expect(within.size).toBe(1);
    // The job says how many pairs its pass queued (two with the household registered before, one within the file), and when it ended.
    const job = await call<{ possibleDuplicates?: number; duplicatesCheckedAt?: string }>('GET', `/v1/household-imports/${created.body.id}`, reliefA);
    expect(job.body.possibleDuplicates).toBe(3);
    expect(job.body.duplicatesCheckedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });
});

describe('the import’s duplicate pass', () => {
  /** A household stored as an import stores it: not yet filed in the blocking index (the pass files it). */
  async function storedUnfiled(village: string, head: { givenName: string; familyName: string; birthYear: number }): Promise<Household> {
    const now = new Date().toISOString();
    const household = newHousehold(family(village, head) as unknown as HouseholdCreate, {
      id: newId(),
      now,
      registrar: { sub: 'importer', org: 'NGO-A' },
      country: 'KH',
      reviewedDuplicate: undefined,
      returnSafety: { status: 'UNKNOWN', hazardAreaIds: [], checkedAt: now },
      code: newRegistrationCode((n) => randomBytes(n)),
    });
    await transact(
      householdCreateWrites(household, [], historyEntry({ sub: 'importer', role: 'relief', country: 'KH', org: 'NGO-A' }, now, 'CREATED', { to: 'DISPLACED' })),
    );
    return household;
  }
  const job = (id: string) => ({ id, country: 'KH' as const, actor: { sub: 'importer', role: 'relief' as const, country: 'KH' as const, org: 'NGO-A' } });

  /** A job uploaded with a file of three households, one a chunk: two of them the same person, a year apart. */
  async function uploadedPair(dryRun = false): Promise<{ id: string; source: { open: () => Promise<Readable> } }> {
    const v = newVillage();
    const created = await call<{ id: string }>('POST', '/v1/household-imports', reliefA, dryRun ? { dryRun: true } : {});
    const row = (key: string, birthYear: string) => headRow(key, { origin_village: v, given_name: 'Bopha', family_name: 'Chea', birth_year: birthYear });
    const csv = csvOf([
      row(`p-a-${v}`, '1981'),
      headRow(`p-b-${v}`, { origin_village: v, given_name: 'Someone', family_name: 'Else' }),
      row(`p-c-${v}`, '1982'),
    ]);
    await markUploaded(created.body.id, Buffer.byteLength(csv), new Date().toISOString());
    return { id: created.body.id, source: { open: async () => Readable.from([Buffer.from(csv)]) } };
  }

  it('run the pass again on the next run of a completed job whose pass did not end, from the ids its chunks kept', async () => {
    const { id, source } = await uploadedPair();
    // The process dies once the job is COMPLETED, before its pass.
    expect(await runImport(id, source, { chunkHouseholds: 1, stopBeforeDuplicatePass: true })).toBe('STOPPED');
    const stopped = await getImportJob(id);
    expect(stopped).toMatchObject({ status: 'COMPLETED', households: 3, possibleDuplicates: 0 });
    expect(stopped?.duplicatesCheckedAt).toBeUndefined();
    // The next run (the importer's retry) has no file to read: the households' ids come from the chunks' markers.
    expect(await runImport(id, { open: async () => Readable.from([]) })).toBe('COMPLETED');
    const after = await getImportJob(id);
    expect(after).toMatchObject({ status: 'COMPLETED', households: 3, possibleDuplicates: 1 });
    expect(after?.duplicatesCheckedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // A pass that ended is not run again.
    expect(await runImport(id, { open: async () => Readable.from([]) })).toBe('NOT_READY');
    expect((await getImportJob(id))?.possibleDuplicates).toBe(1);
  });

  it('keep a completed job whose pass did not end among the active jobs, so that npm start runs its pass again with no file, until the pass ends', async () => {
    // npm start's uploads folder: this test's own, so that the stale-upload sweep before a resume touches nothing else.
    process.env.DATA_DIR = await mkdtemp(join(tmpdir(), 'clearway-duplicates-'));
    const { id, source } = await uploadedPair();
    expect(await activeImportJobIds()).toContain(id);
    expect(await runImport(id, source, { chunkHouseholds: 1, stopBeforeDuplicatePass: true })).toBe('STOPPED');
    expect((await getImportJob(id))?.status).toBe('COMPLETED');
    expect(await activeImportJobIds()).toContain(id);
    // What npm start does on its next start: the job is resumed though its file is gone (deleted when it completed).
    expect(await resumeLocalImports()).toContain(id);
    await vi.waitFor(async () => expect((await getImportJob(id))?.duplicatesCheckedAt).toMatch(/^\d{4}-\d\d-\d\dT/), { timeout: 30_000, interval: 100 });
    expect(await getImportJob(id)).toMatchObject({ status: 'COMPLETED', households: 3, possibleDuplicates: 1 });
    expect(await activeImportJobIds()).not.toContain(id);
    // A job whose pass ended is not resumed again, and a job with no pass to follow (a dry run) leaves the active jobs when it completes.
    expect(await resumeLocalImports()).not.toContain(id);
    const dry = await uploadedPair(true);
    expect(await runImport(dry.id, dry.source)).toBe('COMPLETED');
    expect(await activeImportJobIds()).not.toContain(dry.id);
  });

  it('cover the households of a chunk committed before its marker kept their ids (a job resumed across that upgrade)', async () => {
    const { id, source } = await uploadedPair();
    expect(await runImport(id, source, { chunkHouseholds: 1, stopAfterChunks: 1 })).toBe('STOPPED');
    // The first chunk's marker as a version before kept it: without the ids.
    await documentClient.send(new UpdateCommand({ TableName: tableName, Key: importChunkKey(id, 0), UpdateExpression: 'REMOVE householdIds, idsKept' }));
    expect(await runImport(id, source, { chunkHouseholds: 1 })).toBe('COMPLETED');
    expect(await getImportJob(id)).toMatchObject({ status: 'COMPLETED', households: 3, possibleDuplicates: 1 });
  });

  it('finds a pair whose households fall in different slices, from the later one, and queues it once', async () => {
    const v = newVillage();
    const first = await storedUnfiled(v, { givenName: 'Chenda', familyName: 'Keo', birthYear: 1979 });
    const other = await storedUnfiled(v, { givenName: 'Someone', familyName: 'Else', birthYear: 1990 });
    const second = await storedUnfiled(v, { givenName: 'Chenda', familyName: 'Keo', birthYear: 1980 });
    // A job as an upload creates it, for the pass to count on.
    const stored = newImportJob(newId(), { sub: 'importer', role: 'relief', country: 'KH', org: 'NGO-A' }, 'KH', new Date().toISOString());
    await transact([importJobWrite(stored)]);
    // One household a slice: the first is looked up before the second is filed.
    expect(await queueImportDuplicates(stored, [first.id, other.id, second.id], logger, 1)).toEqual({ reviews: 1 });
    const queued = await reviewsOf(ministryKH, first.id);
    expect(queued.map((r) => [...r.householdIds].sort())).toEqual([[first.id, second.id].sort()]);
    expect(await reviewsOf(ministryKH, other.id)).toEqual([]);
    const counted = await getImportJob(stored.id);
    expect(counted).toMatchObject({ possibleDuplicates: 1 });
    expect(counted?.duplicatesCheckedAt).toBeDefined();
    // The pass run again (a resumed import) queues nothing new and counts nothing again.
    expect(await queueImportDuplicates(stored, [first.id, other.id, second.id], logger, 1)).toEqual({ reviews: 0 });
    expect(await reviewsOf(ministryKH, first.id)).toHaveLength(1);
    expect((await getImportJob(stored.id))?.possibleDuplicates).toBe(1);
  });

  it('queues a pair within one slice once, though it is found from both sides', async () => {
    const v = newVillage();
    const a = await storedUnfiled(v, { givenName: 'Bopha', familyName: 'Mao', birthYear: 1988 });
    const b = await storedUnfiled(v, { givenName: 'Bopha', familyName: 'Mao', birthYear: 1988 });
    expect(await queueSliceDuplicates(job(`job-${v}`), [a, b])).toBe(1);
    expect(await reviewsOf(ministryKH, a.id)).toHaveLength(1);
  });

  it('queues every pair of a slice larger than one transaction once, the rest of a group one of whose pairs was queued before included', async () => {
    const v = newVillage();
    // 40 pairs (more than one transaction's 33), each of its own family name: no pair matches another.
    const pairs: [Household, Household][] = [];
    for (let k = 0; k < 40; k++) {
      const head = { givenName: 'Sophal', familyName: `Pair${k}`, birthYear: 1970 + k };
      pairs.push([await storedUnfiled(v, head), await storedUnfiled(v, head)]);
    }
    // One of them queued before the pass (as a registration would have): its group is refused as a whole.
    const [a5, b5] = pairs[5]!;
    const earlier = newReview(newId(), 'KH', { householdId: a5.id, org: 'NGO-A', matches: [] }, b5.id, 'REGISTRATION', new Date().toISOString(), 'someone');
    await transact(reviewWrites(earlier));
    expect(await queueSliceDuplicates(job(`job-${v}`), pairs.flat())).toBe(39);
    const queued = (await reviewsOf(ministryKH, undefined)).filter((r) => pairs.flat().some((h) => r.householdIds.includes(h.id)));
    expect(queued.map((r) => [...r.householdIds].sort().join(' ')).sort()).toEqual(pairs.map(([a, b]) => [a.id, b.id].sort().join(' ')).sort());
    expect(queued.find((r) => r.householdIds.includes(a5.id))?.id).toBe(earlier.id);
  });
});

describe('member changes', () => {
  it('keep the blocking index true: a birth is found, a departed member is not, a member split off is found in the new household', async () => {
    const v = newVillage();
    const h = await register(reliefA, family(v, { givenName: 'Malis', familyName: 'Yim', birthYear: 1982 }));
    const probe = (givenName: string, birthYear: number) => ({
      country: 'KH',
      id: 'probe',
      org: 'NGO-C',
      origin: h.origin,
      members: [{ givenName, familyName: 'Yim', birthYear }],
    });
    const born = await call<Household>(
      'POST',
      `/v1/households/${h.id}/members`,
      reliefA,
      { givenName: 'Botum', familyName: 'Yim', sex: 'F', birthYear: 2025, relationship: 'CHILD', reason: 'BIRTH' },
      { 'if-match': `"${h.version}"` },
    );
    expect([200, 201]).toContain(born.status);
    expect((await findCandidates(probe('Botum', 2025))).candidates.map((c) => c.householdId)).toEqual([h.id]);
    const child = born.body.members.find((m) => m.givenName === 'Dara')!;
    const left = await call<Household>(
      'POST',
      `/v1/households/${h.id}/members/${(child as { id: string }).id}/departure`,
      reliefA,
      { reason: 'LEFT', date: '2026-02-01' },
      { 'if-match': `"${born.body.version}"` },
    );
    expect(left.status).toBe(200);
    expect((await findCandidates(probe('Dara', 2012))).candidates).toEqual([]);
    const baby = left.body.members.find((m) => m.givenName === 'Botum') as { id: string };
    const split = await call<unknown>('POST', `/v1/households/${h.id}/split`, reliefA, { memberIds: [baby.id] }, { 'if-match': `"${left.body.version}"` });
    expect([200, 201]).toContain(split.status);
    const found = (await findCandidates(probe('Botum', 2025))).candidates.map((c) => c.householdId);
    expect(found).toHaveLength(1);
    expect(found[0]).not.toBe(h.id);
    expect((await findCandidates(probe('Malis', 1982))).candidates.map((c) => c.householdId)).toEqual([h.id]);
  });
});

describe('erasure', () => {
  it('takes the household’s people out of the blocking index and deletes the reviews of its pairs', async () => {
    const v = newVillage();
    const a = await register(reliefA, family(v, { givenName: 'Sophal', familyName: 'Meas', birthYear: 1960 }));
    const b = await register(reliefB, family(v, { givenName: 'Sophal', familyName: 'Meas', birthYear: 1960 }));
    expect(await reviewsOf(ministryKH, a.id)).toHaveLength(1);
    expect((await call('POST', `/v1/households/${a.id}/erasure`, admin, { reason: 'asked by the family' })).status).toBe(200);
    expect(await reviewsOf(ministryKH, a.id)).toEqual([]);
    const left = (await scanTable()).filter(
      (i) =>
        (i.entity === 'DuplicatePair' && (i.householdId === a.id || i.otherHouseholdId === a.id)) ||
        (i.entity === 'DuplicateBlockingBucket' && JSON.stringify(i).includes(a.id)),
    );
    expect(left).toEqual([]);
    const person = { country: 'KH', id: 'someone-new', org: 'NGO-C', origin: b.origin, members: b.members };
    expect((await findCandidates(person)).candidates.map((c) => c.householdId)).toEqual([b.id]);
  });
});

describe('households registered before the matching', () => {
  it('are filed once by npm start’s one-off backfill, as registrations file them, and found from then on', async () => {
    const v = newVillage();
    const first = await register(reliefA, family(v, { givenName: 'Sophal', familyName: 'Kim', birthYear: 1970 }));
    const refsOf = (items: Record<string, unknown>[]) =>
      Object.fromEntries(
        items
          .filter((i) => i.entity === 'DuplicateBlockingBucket')
          .map((i) => [String(i.pk), Object.fromEntries(Object.entries(i).filter(([k]) => k.startsWith('r_')))] as const)
          .filter(([, refs]) => Object.keys(refs).length > 0),
      );
    const buckets = (await scanTable()).filter((i) => i.entity === 'DuplicateBlockingBucket');
    const before = refsOf(buckets);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    // As a table from before the matching holds them: no bucket at all, or (from the first index) one per year of birth.
    for (const b of buckets) await documentClient.send(new DeleteCommand({ TableName: tableName, Key: { pk: b.pk, sk: b.sk } }));
    const legacy = {
      pk: `DUPKEY#KH#${'ab'.repeat(32)}#1970`,
      sk: 'K',
      entity: 'DuplicateBlockingBucket',
      country: 'KH',
      n: 1,
      [`r_${first.id}_0`]: { h: first.id, o: 'NGO-A', m: 0, y: 1970 },
    };
    await documentClient.send(new PutCommand({ TableName: tableName, Item: legacy }));
    const filed = await backfillDuplicateIndex(documentClient, tableName);
    expect(filed.ran).toBe(true);
    expect(filed.households).toBeGreaterThan(0);
    expect(filed.legacyBuckets).toBeGreaterThanOrEqual(1);
    expect(refsOf(await scanTable())).toEqual(before);
    expect((await scanTable()).filter((i) => String(i.pk).startsWith('DUPKEY#'))).toEqual([]);
    const again = await register(reliefA, family(v, { givenName: 'Sophal', familyName: 'Kim', birthYear: 1971 }));
    expect(again.possibleDuplicates?.map((d) => d.householdId)).toContain(first.id);
    expect(await backfillDuplicateIndex(documentClient, tableName)).toEqual({ ran: false, households: 0, legacyBuckets: 0 });
    await documentClient.send(new DeleteCommand({ TableName: tableName, Key: DUPLICATES_BACKFILL_MARKER }));
  });
});
