import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../infra/local/dynamodb.ts';
import type { EventEnvelope } from '../../shared/events/catalogue.ts';
import { EventType } from '../../shared/events/catalogue.ts';
import { verifySignature } from '../../shared/events/signature.ts';
import { exited, localToken, startLocalServer, type LocalServer } from '../support/local-server.ts';

/**
 * The event pipeline of `npm start`, end to end: a change committed through the API reaches the
 * ministries' webhooks (stream poller → publisher → local bus → deliverer), signed, without
 * personal data, household events to their own country's ministry only; and an event whose
 * delivery a SIGKILL interrupted goes out after the restart.
 */
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  event: EventEnvelope;
  /** False for a request the receiver held without answering (the server was killed meanwhile). */
  answered: boolean;
}

let dataDir: string;
let receiver: Server;
let hookBase: string;
const received: Received[] = [];
/** While set, the receiver holds every request open without answering. */
let stall = false;
const held: ServerResponse[] = [];
const started: LocalServer[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'clearway-notify-'));
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const entry: Received = { path: req.url ?? '', headers: req.headers, body, event: JSON.parse(body) as EventEnvelope, answered: !stall };
      received.push(entry);
      if (stall) held.push(res);
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of started) await s.stop('SIGKILL');
  const pidFile = join(dataDir, 'dynamodb.pid');
  if (existsSync(pidFile)) {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const res of held) res.destroy();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
  await rm(dataDir, { recursive: true, force: true });
});

async function start(): Promise<LocalServer> {
  const server = await startLocalServer(dataDir, await freePort());
  started.push(server);
  return server;
}

async function call<T = Record<string, unknown>>(
  server: LocalServer,
  method: string,
  path: string,
  token: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, etag: res.headers.get('etag'), body: (text ? JSON.parse(text) : undefined) as T };
}

/** Every event of a ministry's feed, following `next`. */
async function feed(server: LocalServer, token: string): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: EventEnvelope[]; next: string | null } } = await call(
      server,
      'GET',
      `/v1/notifications?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      token,
    );
    expect(page.status).toBe(200);
    events.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  return events;
}

const answeredAt = (path: string, eventId: string) => received.filter((r) => r.path === path && r.answered && r.event.id === eventId);
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 60_000, interval: 100 });

/** Keys that would carry personal data (DESIGN section 3); none may appear anywhere in an event. */
const PERSONAL_KEYS = [
  'givenName',
  'familyName',
  'name',
  'birthYear',
  'birthDate',
  'document',
  'documentNumber',
  'members',
  'phone',
  'email',
  'contact',
  'sub',
];
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}

const flow: { secrets: Record<string, string>; taskId?: string; version?: number } = { secrets: {} };

describe('notifications through npm start', { timeout: 180_000 }, () => {
  let server: LocalServer;
  let opsTH: string;
  let ministry: Record<'KH' | 'TH', string>;

  it('delivers a task status change to both ministries’ webhooks, signed with each subscription’s secret, without personal data, and a Cambodian household’s event to Cambodia only', async () => {
    server = await start();
    // Printed right after "listening on", once the pipeline is up.
    await waitFor(() => expect(server.output()).toMatch(/notifications: stream poller running \(checkpoints in .*stream-checkpoints\.json\)/));
    opsTH = localToken(dataDir, '--role', 'operations', '--country', 'TH');
    ministry = {
      KH: localToken(dataDir, '--role', 'ministry', '--country', 'KH', '--org', 'MoD-KH'),
      TH: localToken(dataDir, '--role', 'ministry', '--country', 'TH', '--org', 'MoD-TH'),
    };

    for (const country of ['KH', 'TH'] as const) {
      const sub = await call<{ id: string; secret: string }>(server, 'POST', '/v1/subscriptions', ministry[country], {
        url: `${hookBase}/${country.toLowerCase()}`,
      });
      expect(sub.status).toBe(201);
      flow.secrets[country] = sub.body.secret;
    }

    // A Cambodian household: its events are Cambodia's alone, and carry no personal data.
    const reliefKH = localToken(dataDir, '--role', 'relief', '--country', 'KH', '--org', 'UNHCR-KH');
    const household = await call<{ id: string }>(server, 'POST', '/v1/households', reliefKH, {
      origin: { province: 'KH22', district: 'Samraong', village: 'O Smach' },
      current: { province: 'KH17', site: 'Pagoda camp 4' },
      destination: { province: 'KH22', village: 'O Smach', point: { type: 'Point', coordinates: [103.52, 14.42] } },
      members: [
        {
          givenName: 'Sokha',
          familyName: 'Chan',
          sex: 'F',
          birthYear: 1986,
          relationship: 'HEAD',
          specificNeeds: ['SP-PT'],
          document: { type: 'NATIONAL_ID', number: 'KH010203040' },
        },
      ],
      contact: { phone: '+855 12 345 678' },
      consent: { given: true, date: '2026-01-15', purposes: ['RETURN_ASSISTANCE'] },
    });
    expect(household.status).toBe(201);

    const team = await call<{ id: string }>(server, 'POST', '/v1/teams', opsTH, {
      name: 'TMAC HMAU 2 Team 1',
      organisation: 'TMAC',
      country: 'TH',
      capabilities: ['MANUAL'],
    });
    const hazard = await call<{ id: string }>(server, 'POST', '/v1/hazard-areas', opsTH, {
      name: 'Hill 481 north slope',
      country: 'TH',
      province: 'TH34',
      classification: 'CHA',
      evidence: 'DIRECT',
      dateOfInformation: '2025-07-20',
      contamination: [{ category: 'AP_MINE', model: 'PMN-2', period: '2025_CONFLICT' }],
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [105.0, 14.35],
            [105.01, 14.35],
            [105.01, 14.36],
            [105.0, 14.36],
            [105.0, 14.35],
          ],
        ],
      },
    });
    const task = await call<{ id: string; version: number }>(server, 'POST', '/v1/tasks', opsTH, {
      hazardAreaId: hazard.body.id,
      activityType: 'CLEARANCE',
      priority: 1,
      joint: false,
      teamIds: [team.body.id],
      plannedStart: '2026-01-10',
      plannedEnd: '2026-02-10',
    });
    expect([team.status, hazard.status, task.status]).toEqual([201, 201, 201]);
    const assigned = await call<{ version: number }>(
      server,
      'POST',
      `/v1/tasks/${task.body.id}/transitions`,
      opsTH,
      { to: 'ASSIGNED' },
      { 'if-match': `"${task.body.version}"` },
    );
    expect(assigned.status).toBe(200);
    flow.taskId = task.body.id;
    flow.version = assigned.body.version;

    const statusChange = (path: string) =>
      received.find(
        (r) => r.path === path && r.answered && r.event.type === EventType.TaskStatusChanged && (r.event.data as { taskId?: string }).taskId === task.body.id,
      );
    await waitFor(() => {
      expect(statusChange('/kh')).toBeDefined();
      expect(statusChange('/th')).toBeDefined();
    });

    for (const [path, country] of [
      ['/kh', 'KH'],
      ['/th', 'TH'],
    ] as const) {
      const hit = statusChange(path)!;
      expect(hit.event).toMatchObject({
        type: EventType.TaskStatusChanged,
        audience: ['KH', 'TH'],
        subject: { id: task.body.id },
        data: { from: 'PLANNED', to: 'ASSIGNED' },
      });
      expect(hit.headers['clearway-event-id']).toBe(hit.event.id);
      expect(verifySignature(flow.secrets[country]!, hit.body, hit.headers['clearway-signature'] as string)).toBe(true);
      // The other ministry's secret does not verify it: each subscription signs with its own.
      expect(verifySignature(flow.secrets[country === 'KH' ? 'TH' : 'KH']!, hit.body, hit.headers['clearway-signature'] as string)).toBe(false);
    }
    // Every event of the feeds (all committed after the subscriptions) reached its ministry's webhook.
    await waitFor(async () => {
      for (const country of ['KH', 'TH'] as const) {
        const path = `/${country.toLowerCase()}`;
        const events = await feed(server, ministry[country]);
        expect(events.length).toBeGreaterThanOrEqual(country === 'KH' ? 4 : 3);
        for (const e of events) expect(answeredAt(path, e.id).length).toBeGreaterThanOrEqual(1);
      }
    });
    const householdEvents = [
      EventType.HouseholdRegistered,
      EventType.HouseholdStatusChanged,
      EventType.HouseholdDestinationChanged,
      EventType.ReturnSafetyChanged,
      EventType.HouseholdImportCompleted,
    ] as string[];
    expect(received.some((r) => r.path === '/kh' && r.event.type === EventType.HouseholdRegistered && r.event.subject.id === household.body.id)).toBe(true);
    expect(received.filter((r) => r.path === '/th' && householdEvents.includes(r.event.type))).toEqual([]);
    for (const r of received) {
      for (const personal of ['Sokha', '"Chan"', 'KH010203040', '345 678']) expect(r.body).not.toContain(personal);
      expect(keysOf(r.event).filter((k) => PERSONAL_KEYS.includes(k))).toEqual([]);
      expect(Object.keys(r.event.actor).sort()).toEqual(['org', 'role']);
    }
  });

  it('delivers, after a restart on the same DATA_DIR, an event whose delivery a SIGKILL interrupted; the feed has every event', async () => {
    // The receiver holds requests unanswered, so the kill lands while the event is being delivered (not yet checkpointed).
    stall = true;
    const started = await call<{ version: number }>(
      server,
      'POST',
      `/v1/tasks/${flow.taskId}/transitions`,
      opsTH,
      { to: 'IN_PROGRESS' },
      { 'if-match': `"${flow.version}"` },
    );
    expect(started.status).toBe(200);
    const inProgress = () => received.find((r) => r.event.type === EventType.TaskStatusChanged && (r.event.data as { to?: string }).to === 'IN_PROGRESS');
    await waitFor(() => expect(inProgress()).toBeDefined());
    const eventId = inProgress()!.event.id;
    server.proc.kill('SIGKILL');
    await exited(server.proc);
    for (const res of held.splice(0)) res.destroy();
    stall = false;
    expect(answeredAt('/kh', eventId)).toEqual([]);
    expect(answeredAt('/th', eventId)).toEqual([]);

    server = await start();
    await waitFor(() => {
      expect(answeredAt('/kh', eventId).length).toBeGreaterThanOrEqual(1);
      expect(answeredAt('/th', eventId).length).toBeGreaterThanOrEqual(1);
    });
    const again = answeredAt('/th', eventId)[0]!;
    expect(verifySignature(flow.secrets.TH!, again.body, again.headers['clearway-signature'] as string)).toBe(true);

    // The feed has every event, the interrupted one included, and everything each webhook received.
    for (const country of ['KH', 'TH'] as const) {
      const ids = new Set((await feed(server, ministry[country])).map((e) => e.id));
      expect(ids.has(eventId)).toBe(true);
      for (const r of received.filter((x) => x.path === `/${country.toLowerCase()}`)) expect(ids.has(r.event.id)).toBe(true);
    }
    const types = (await feed(server, ministry.KH)).filter((e) => e.subject.id === flow.taskId).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining([EventType.TaskCreated, EventType.TaskStatusChanged]));

    server.proc.kill('SIGINT');
    expect(await exited(server.proc)).toBe(0);
  });
});
