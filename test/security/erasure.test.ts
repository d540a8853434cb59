import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, startDynamoDbLocal } from '../../infra/local/dynamodb.ts';
import { LOCAL_TABLE_NAME } from '../../infra/local/env.ts';
import { ensureLocalSecrets } from '../../infra/local/keys.ts';
import { normaliseDocumentNumber } from '../../shared/domain/household.ts';
import type { EventEnvelope } from '../../shared/events/catalogue.ts';
import { EventType } from '../../shared/events/catalogue.ts';
import { localToken, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * Erasure, black-box through `npm start`: two households (one registered through the API and
 * erased by an admin in one call, one imported from a CSV and erased when the ministry confirms
 * its organisation's request) are read, changed, exported, delivered to a ministry's webhook and
 * named by a rejected import row; then erased. Afterwards none of their personal values is in
 * any API answer, export, event (feed and webhook), log line, idempotency record or upload — the
 * whole table is scanned and every file under DATA_DIR read — and the statistics are unchanged.
 *
 * DynamoDB Local's own database file (DATA_DIR/dynamodb) is read through its API (the Scan), not
 * byte by byte: it also holds the table's stream, whose records of the last 24 hours carry the old
 * image of every change (on AWS as locally), and SQLite's freed pages (README "Data map", what
 * erasure cannot reach).
 */
const u = Date.now().toString(36).toUpperCase();
const A = {
  head: `Zephyrine${u}`,
  family: `Quillfeather${u}`,
  child: `Marblewick${u}`,
  birthDate: '1951-02-27',
  phone: '+855 97 731 4406',
  note: `ring twice at the blue gate ${u}`,
  district: `Xdistrict${u}`,
  village: `Yvillage${u}`,
  site: `Wsite camp ${u}`,
  documentNumber: `KHUL${u}WU`,
  lon: 103.52713,
  lat: 14.42931,
  reason: `Zephyrine${u} went to hospital`,
};
const C = {
  head: `Ottoline${u}`,
  family: `Brackenridge${u}`,
  phone: '+855 88 402 9917',
  village: `Vvillage${u}`,
  site: `Tsite camp ${u}`,
  documentNumber: `KHQU${u}UL`,
  lon: 103.61947,
  lat: 14.38213,
};
/** A household of the same file that stays: its rejected row names household A (same document). */
const D = { head: `Fenwick${u}`, family: `Harrowgate${u}` };

const ORG = 'NGO-ERASE';
let dataDir: string;
let server: LocalServer | undefined;
let receiver: Server;
let hookBase: string;
const delivered: string[] = [];
const answers: string[] = [];
let relief: string;
let ministry: string;
let admin: string;

async function call<T>(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<{ status: number; body: T; text: string; headers: Headers }> {
  const res = await fetch(`${server!.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  answers.push(text);
  return { status: res.status, body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T, text, headers: res.headers };
}

async function feed(token: string): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { items: EventEnvelope[]; next: string | null } } = await call(
      'GET',
      `/v1/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      token,
    );
    events.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  return events;
}

/** Every file under a directory, with its path. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const csvLine = (cells: (string | number)[]) => cells.map((c) => `"${String(c).replaceAll('"', '""')}"`).join(',');
const HEADER = [
  'household_key',
  'origin_province',
  'origin_district',
  'origin_village',
  'current_province',
  'current_district',
  'current_village',
  'current_site',
  'current_host_community',
  'destination_province',
  'destination_district',
  'destination_village',
  'destination_lon',
  'destination_lat',
  'contact_phone',
  'consent_given',
  'consent_date',
  'consent_purposes',
  'given_name',
  'family_name',
  'sex',
  'birth_date',
  'birth_year',
  'relationship',
  'specific_needs',
  'document_type',
  'document_number',
];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-erasure-'));
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      delivered.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // INFO: every log line the functions write is in the output the test reads.
  server = await startLocalServer(dataDir, await freePort(), { POWERTOOLS_LOG_LEVEL: 'INFO', CLEARWAY_SKIP_WEB_BUILD: '1' });
  relief = localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', ORG, '--sub', 'registrar-e');
  ministry = localToken(dataDir, '--role', 'ministry', '--country', 'KH', '--org', 'MoSVY', '--sub', 'ministry-e');
  admin = localToken(dataDir, '--role', 'admin', '--org', 'platform', '--sub', 'admin-e');
}, 180_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  const pidFile = join(dataDir, 'dynamodb.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('erasure through npm start', { timeout: 240_000 }, () => {
  it('leaves none of an erased household’s personal values in any answer, export, event, log line, idempotency record, upload or item of the table, and the statistics unchanged', async () => {
    await vi.waitFor(() => expect(server!.output()).toMatch(/notifications: stream poller running/), { timeout: 60_000, interval: 200 });
    const sub = await call<{ id: string }>('POST', '/v1/subscriptions', ministry, { url: `${hookBase}/hooks/kh` });
    expect(sub.status).toBe(201);

    // Household A through the API, with an Idempotency-Key, then changed, read, exported.
    const bodyA = {
      origin: { province: 'KH22', district: A.district, village: A.village },
      current: { province: 'KH17', site: A.site },
      destination: { province: 'KH22', village: A.village, point: { type: 'Point', coordinates: [A.lon, A.lat] } },
      members: [
        {
          givenName: A.head,
          familyName: A.family,
          sex: 'F',
          birthDate: A.birthDate,
          relationship: 'HEAD',
          specificNeeds: ['SP-PT'],
          document: { type: 'NATIONAL_ID', number: A.documentNumber },
        },
        { givenName: A.child, familyName: A.family, sex: 'M', birthYear: 2015, relationship: 'CHILD' },
      ],
      contact: { phone: A.phone },
      consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE', 'REGISTRATION'] },
    };
    const key = `erasure-e2e-${u}`;
    const created = await call<{ id: string; version: number }>('POST', '/v1/households', relief, bodyA, { 'idempotency-key': key });
    expect(created.status).toBe(201);
    const idA = created.body.id;
    let version = created.body.version;
    const moved = await call<{ version: number }>(
      'POST',
      `/v1/households/${idA}/transitions`,
      relief,
      { to: 'INTENDS_RETURN' },
      { 'if-match': `"${version}"` },
    );
    const back = await call<{ version: number }>(
      'POST',
      `/v1/households/${idA}/transitions`,
      relief,
      { to: 'DISPLACED', reason: A.reason },
      { 'if-match': `"${moved.body.version}"` },
    );
    expect(back.status).toBe(200);
    const patched = await call<{ version: number }>(
      'PATCH',
      `/v1/households/${idA}`,
      relief,
      { contact: { phone: A.phone, note: A.note } },
      { 'if-match': `"${back.body.version}"` },
    );
    expect(patched.status).toBe(200);
    version = patched.body.version;
    expect((await call('GET', `/v1/households/${idA}`, ministry)).status).toBe(200);
    const exported = await call<string>('GET', `/v1/households/${idA}/export`, relief);
    expect(exported.status).toBe(200);
    expect(exported.text).toContain(A.note); // the copy for the family holds it all, before the erasure

    // Household C (and D) from a CSV; D's second member holds A's document, so D is refused and its rows name A.
    const row = (
      key: string,
      h: { village: string; site: string; lon: number; lat: number; phone: string },
      m: { given: string; family: string; rel: string; sex: string; year: number; doc?: string },
    ) =>
      csvLine([
        key,
        'KH22',
        '',
        h.village,
        'KH17',
        '',
        '',
        h.site,
        '',
        'KH22',
        '',
        h.village,
        h.lon,
        h.lat,
        h.phone,
        'yes',
        '2026-01-20',
        'RETURN_ASSISTANCE;REGISTRATION',
        m.given,
        m.family,
        m.sex,
        '',
        m.year,
        m.rel,
        '',
        m.doc ? 'NATIONAL_ID' : '',
        m.doc ?? '',
      ]);
    const csv = [
      csvLine(HEADER),
      row('HH-C', C, { given: C.head, family: C.family, rel: 'HEAD', sex: 'F', year: 1979, doc: C.documentNumber }),
      row(
        'HH-D',
        { village: 'Dvillage', site: 'Dsite', lon: 103.7, lat: 14.3, phone: '+855 11 111 111' },
        { given: D.head, family: D.family, rel: 'HEAD', sex: 'M', year: 1970 },
      ),
      row(
        'HH-D',
        { village: 'Dvillage', site: 'Dsite', lon: 103.7, lat: 14.3, phone: '+855 11 111 111' },
        { given: `${D.head}2`, family: D.family, rel: 'SPOUSE', sex: 'F', year: 1972, doc: A.documentNumber },
      ),
    ].join('\n');
    const job = await call<{ id: string; uploadUrl: string }>('POST', '/v1/household-imports', relief, {});
    expect(job.status).toBe(201);
    const put = await fetch(job.body.uploadUrl, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    expect(put.status).toBe(200);
    let errors: { row: number; message: string }[] = [];
    await vi.waitFor(
      async () => {
        const j = await call<{ status: string; errors: { row: number; message: string }[] }>('GET', `/v1/household-imports/${job.body.id}`, relief);
        expect(j.body.status).toBe('COMPLETED');
        errors = j.body.errors;
      },
      { timeout: 60_000, interval: 250 },
    );
    expect(errors.some((e) => e.message.includes(idA))).toBe(true);
    const lookupC = await call<{ items: { id: string }[] }>('POST', '/v1/households/lookup', relief, {
      documentType: 'NATIONAL_ID',
      documentNumber: C.documentNumber,
    });
    const idC = lookupC.body.items[0]!.id;
    expect((await call('GET', `/v1/households/${idC}`, relief)).status).toBe(200);
    // The upload is deleted when its job ends (right after COMPLETED, before the duplicate pass): nothing of the file is left for the erasure to find.
    await vi.waitFor(() => expect(existsSync(join(dataDir, 'uploads', `${job.body.id}.csv`))).toBe(false), { timeout: 5_000, interval: 50 });

    // The registration's and the import's events reach the ministry before the erasure (so they are in the feed and the webhook).
    await vi.waitFor(() => expect([idA, job.body.id].every((id) => delivered.some((b) => b.includes(id)))).toBe(true), { timeout: 60_000, interval: 200 });

    const statsBefore = await call<unknown>('GET', '/v1/stats/displacement?country=KH', ministry);
    const provinceBefore = await call<unknown>('GET', '/v1/stats/displacement?province=KH22', ministry);
    expect(statsBefore.status).toBe(200);

    // A: an admin erases it in one call. C: its organisation asks, the ministry confirms.
    const erasedA = await call<{ status: string }>('POST', `/v1/households/${idA}/erasure`, admin, { reason: `${A.head} withdrew consent` });
    expect(erasedA.status).toBe(200);
    expect(erasedA.body.status).toBe('ERASED');
    expect((await call('POST', `/v1/households/${idC}/erasure`, relief, { reason: 'family asked at the camp office' })).status).toBe(202);
    expect((await call('POST', `/v1/households/${idC}/erasure/confirmation`, ministry)).status).toBe(200);

    // Afterwards: reads are 410, a replayed registration too, and the statistics are what they were.
    expect((await call('GET', `/v1/households/${idA}`, relief)).status).toBe(410);
    expect((await call('GET', `/v1/households/${idC}`, ministry)).status).toBe(410);
    expect((await call('GET', `/v1/households/${idA}/export`, relief)).status).toBe(410);
    expect((await call('POST', '/v1/households', relief, bodyA, { 'idempotency-key': key })).status).toBe(410);
    expect((await call('GET', '/v1/stats/displacement?country=KH', ministry)).body).toEqual(statsBefore.body);
    expect((await call('GET', '/v1/stats/displacement?province=KH22', ministry)).body).toEqual(provinceBefore.body);
    // Every other answer that could hold them: lists, lookups, history, access logs, the import's rows.
    expect((await call<{ items: unknown[] }>('GET', '/v1/households?limit=100', relief)).status).toBe(200);
    expect((await call<{ items: unknown[] }>('GET', '/v1/households?limit=100', ministry)).status).toBe(200);
    expect(
      (await call<{ items: unknown[] }>('POST', '/v1/households/lookup', relief, { documentType: 'NATIONAL_ID', documentNumber: A.documentNumber })).body.items,
    ).toEqual([]);
    expect((await call('GET', `/v1/households/${idA}/history`, relief)).status).toBe(410);
    expect((await call('GET', `/v1/households/${idA}/access-log`, ministry)).status).toBe(200);
    expect((await call('GET', `/v1/households/${idC}/access-log`, admin)).status).toBe(200);
    expect((await call('GET', `/v1/household-imports/${job.body.id}/errors?limit=100`, relief)).status).toBe(200);
    const jobAfter = await call<{ errors: { message: string }[] }>('GET', `/v1/household-imports/${job.body.id}`, relief);
    expect(jobAfter.body.errors.length).toBe(errors.length);
    expect(existsSync(join(dataDir, 'uploads', `${job.body.id}.csv`))).toBe(false);

    await vi.waitFor(() => expect(delivered.filter((b) => b.includes(EventType.HouseholdErased))).toHaveLength(2), { timeout: 60_000, interval: 200 });
    const erasedEvents = delivered.map((b) => JSON.parse(b) as EventEnvelope).filter((e) => e.type === EventType.HouseholdErased);
    expect(erasedEvents.map((e) => e.data).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [
        { householdId: idA, country: 'KH', org: ORG },
        { householdId: idC, country: 'KH', org: ORG },
      ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
    const events = await feed(ministry);
    expect(events.filter((e) => e.type === EventType.HouseholdErased)).toHaveLength(2);

    // The personal values, and the keyed hashes of the documents (with and without the type in the hashed text).
    const secrets = await ensureLocalSecrets(dataDir);
    const hashes = [A.documentNumber, C.documentNumber].flatMap((n) =>
      [`KH:NATIONAL_ID:${normaliseDocumentNumber(n)}`, `KH:${normaliseDocumentNumber(n)}`].map((text) =>
        createHmac('sha256', secrets.documentHashSecret).update(text).digest('hex'),
      ),
    );
    const values = [
      ...Object.entries(A)
        .filter(([k]) => k !== 'lon' && k !== 'lat')
        .map(([, v]) => String(v)),
      String(A.lon),
      String(A.lat),
      ...Object.entries(C)
        .filter(([k]) => k !== 'lon' && k !== 'lat')
        .map(([, v]) => String(v)),
      String(C.lon),
      String(C.lat),
      normaliseDocumentNumber(A.documentNumber).slice(-4),
      normaliseDocumentNumber(C.documentNumber).slice(-4),
      ...hashes,
    ];
    const absent = (where: string, text: string) => {
      for (const v of values) expect(text.includes(v), `${where} contains ${v}`).toBe(false);
    };

    // Answers after the erasure (the ones before it rightly held the data).
    const afterErasure = answers.slice(answers.indexOf(erasedA.text));
    absent('API answers after the erasure', afterErasure.join('\n'));
    absent('webhook deliveries', delivered.join('\n'));
    absent('the feed', JSON.stringify(events));
    absent('import errors', JSON.stringify(jobAfter.body));
    absent('the log', server!.output());

    // The whole table, through DynamoDB Local's API on the same data, and every other file under DATA_DIR.
    expect(await server!.stop('SIGINT')).toBe(0);
    server = undefined;
    const dynamo = await startDynamoDbLocal({ dataDir });
    try {
      const client = DynamoDBDocumentClient.from(
        new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'ap-southeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      );
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await client.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME, ExclusiveStartKey: start }));
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
      expect(items.some((i) => i.entity === 'HouseholdTombstone' && i.id === idA)).toBe(true);
      absent('the table', JSON.stringify(items));
      absent('idempotency records', JSON.stringify(items.filter((i) => i.entity === 'IdempotencyRecord')));
      client.destroy();
    } finally {
      await dynamo.stop();
    }
    const files = (await filesUnder(dataDir)).filter((f) => !f.startsWith(join(dataDir, 'dynamodb') + '/'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) absent(f, (await readFile(f)).toString('utf8'));
  });
});
