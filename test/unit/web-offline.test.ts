import { beforeEach, describe, expect, it } from 'vitest';
import { ChangeQueue, ChangeRefused, MemoryStore, resourcePathOf, type Problem, type Sender, type SendResult } from '../../web/src/app/queue.ts';

/**
 * The console's offline queue (web/src/app/queue.ts) against a fake API that behaves like the
 * real one where it matters: versions with If-Match (412 when stale) and idempotent creates.
 */
const problem = (status: number, title: string): Problem => ({ type: `urn:test:${status}`, title, status, detail: title });

class FakeApi {
  version = 1;
  status = 'ASSIGNED';
  progress = new Map<string, unknown>();
  calls: { method: string; path: string; ifMatch?: number; idempotencyKey?: string }[] = [];
  online = true;
  /** The next N sends reach the server but their answers are lost (the signal drops mid-request). */
  loseAnswers = 0;
  failNext: number | undefined;

  send: Sender = async (req) => {
    if (!this.online) return { ok: false, status: 0, problem: problem(0, 'network') };
    this.calls.push({
      method: req.method,
      path: req.path,
      ...(req.ifMatch !== undefined ? { ifMatch: req.ifMatch } : {}),
      ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
    });
    if (this.failNext !== undefined) {
      const status = this.failNext;
      this.failNext = undefined;
      return { ok: false, status, problem: problem(status, 'refused') };
    }
    const result = this.handle(req);
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      return { ok: false, status: 0, problem: problem(0, 'network') };
    }
    return result;
  };

  private handle(req: Parameters<Sender>[0]): SendResult {
    if (req.method === 'GET' && req.path === '/v1/tasks/T')
      return { ok: true, status: 200, body: { status: this.status, version: this.version }, etag: this.version };
    if (req.method === 'POST' && req.path === '/v1/tasks/T/transitions') {
      if (req.ifMatch !== this.version) return { ok: false, status: 412, problem: problem(412, 'stale') };
      this.status = (req.body as { to: string }).to;
      this.version++;
      return { ok: true, status: 200, body: { status: this.status, version: this.version }, etag: this.version };
    }
    if (req.method === 'POST' && req.path === '/v1/tasks/T/progress') {
      if (!req.idempotencyKey) return { ok: false, status: 400, problem: problem(400, 'no key in this fake') };
      if (!this.progress.has(req.idempotencyKey)) this.progress.set(req.idempotencyKey, req.body);
      return { ok: true, status: 201, body: this.progress.get(req.idempotencyKey) };
    }
    return { ok: false, status: 404, problem: problem(404, 'not found') };
  }
}

let api: FakeApi;
let store: MemoryStore;
let user: string | undefined;
let queue: ChangeQueue;

beforeEach(() => {
  api = new FakeApi();
  store = new MemoryStore();
  user = 'deminer-1';
  queue = new ChangeQueue({ store, send: (r) => api.send(r), online: () => api.online, user: () => user });
});

const start = (ifMatch: number) => ({ method: 'POST' as const, path: '/v1/tasks/T/transitions', body: { to: 'IN_PROGRESS' }, ifMatch, label: 'start' });
const suspend = (ifMatch: number) => ({
  method: 'POST' as const,
  path: '/v1/tasks/T/transitions',
  body: { to: 'SUSPENDED', reason: 'rain' },
  ifMatch,
  label: 'suspend',
});
const report = (sqm: number) => ({ method: 'POST' as const, path: '/v1/tasks/T/progress', body: { areaClearedSqm: sqm }, label: `progress ${sqm}` });

describe('web offline queue', () => {
  it('sends at once when online and nothing waits, with an Idempotency-Key on POSTs', async () => {
    const result = await queue.submit(report(100));
    expect(result).toMatchObject({ state: 'sent', status: 201 });
    expect(api.calls[0]!.idempotencyKey).toMatch(/^[A-Za-z0-9_.:-]{1,128}$/);
    expect(await store.all()).toEqual([]);
  });

  it('keeps changes made offline and sends them in the order they were made when the signal returns', async () => {
    api.online = false;
    expect((await queue.submit(start(1))).state).toBe('queued');
    expect((await queue.submit(report(50))).state).toBe('queued');
    expect((await queue.submit(suspend(2))).state).toBe('queued');
    expect((await store.all()).map((c) => c.label)).toEqual(['start', 'progress 50', 'suspend']);
    expect(api.calls).toEqual([]);

    api.online = true;
    const flushed = await queue.flush();
    expect(flushed).toMatchObject({ sent: 3, conflicts: 0, failed: 0, stopped: false });
    expect(api.calls.map((c) => c.path.split('/').pop())).toEqual(['transitions', 'progress', 'transitions']);
    expect(api.status).toBe('SUSPENDED');
    expect(await store.all()).toEqual([]);
  });

  it('queues a change made online behind changes still waiting, so order is kept', async () => {
    api.online = false;
    await queue.submit(start(1));
    api.online = true;
    const second = await queue.submit(suspend(2));
    expect(second.state).toBe('queued');
    await queue.flush();
    expect(api.calls.map((c) => c.ifMatch)).toEqual([1, 2]);
    expect(api.status).toBe('SUSPENDED');
  });

  it('reuses the Idempotency-Key when a send is retried, so a change whose answer was lost is stored once', async () => {
    api.loseAnswers = 1;
    const result = await queue.submit(report(75));
    expect(result.state).toBe('queued');
    expect(api.progress.size).toBe(1);

    const flushed = await queue.flush();
    expect(flushed.sent).toBe(1);
    expect(api.calls).toHaveLength(2);
    expect(api.calls[1]!.idempotencyKey).toBe(api.calls[0]!.idempotencyKey);
    expect(api.progress.size).toBe(1);
    expect(await store.all()).toEqual([]);
  });

  it('keeps a stale change (412) as a conflict, never retries it on its own, and sends the others', async () => {
    api.online = false;
    await queue.submit(start(1));
    await queue.submit(report(20));
    api.version = 5; // someone else changed the task meanwhile
    api.online = true;
    const flushed = await queue.flush();
    expect(flushed).toMatchObject({ sent: 1, conflicts: 1 });
    const [conflict] = await store.all();
    expect(conflict).toMatchObject({ label: 'start', state: 'conflict', ifMatch: 1, problem: { status: 412 } });
    expect(api.status).toBe('ASSIGNED');

    await queue.flush();
    expect(api.calls.filter((c) => c.path.endsWith('transitions'))).toHaveLength(1);
  });

  it('"retry on the latest version" re-reads the ETag and resends the same change with it', async () => {
    api.version = 3;
    await expect(queue.submit(start(1))).rejects.toBeInstanceOf(ChangeRefused);
    const [conflict] = await store.all();
    expect(conflict!.state).toBe('conflict');

    const res = await queue.retryOnLatest(conflict!.id);
    expect(res?.ok).toBe(true);
    expect(api.calls.map((c) => `${c.method} ${c.path} ${c.ifMatch ?? ''}`)).toEqual([
      'POST /v1/tasks/T/transitions 1',
      'GET /v1/tasks/T ',
      'POST /v1/tasks/T/transitions 3',
    ]);
    expect(api.status).toBe('IN_PROGRESS');
    expect(await store.all()).toEqual([]);
  });

  it('"discard my change" drops a conflict without sending anything', async () => {
    api.version = 2;
    await expect(queue.submit(start(1))).rejects.toBeInstanceOf(ChangeRefused);
    const [conflict] = await store.all();
    await queue.discard(conflict!.id);
    expect(await store.all()).toEqual([]);
    expect(api.calls).toHaveLength(1);
  });

  it('marks a change the server refuses (other 4xx) as failed with the problem, and keeps it queued on a server failure', async () => {
    api.online = false;
    await queue.submit(report(1));
    await queue.submit(report(2));
    api.online = true;
    api.failNext = 409;
    expect(await queue.flush()).toMatchObject({ sent: 1, failed: 1 });
    expect(await store.all()).toMatchObject([{ label: 'progress 1', state: 'failed', problem: { status: 409 } }]);

    api.online = false;
    await queue.submit(report(3));
    api.online = true;
    api.failNext = 503;
    expect(await queue.flush()).toMatchObject({ sent: 0, stopped: true });
    expect((await store.all()).find((c) => c.label === 'progress 3')).toMatchObject({ state: 'queued' });
    expect(await queue.flush()).toMatchObject({ sent: 1 });
  });

  it('sends nothing while signed out, and only the signed-in user’s own changes', async () => {
    api.online = false;
    await queue.submit(report(10));
    user = 'someone-else';
    await queue.submit(report(11));
    api.online = true;
    user = undefined;
    expect(await queue.flush()).toMatchObject({ stopped: true, sent: 0 });
    user = 'deminer-1';
    expect(await queue.flush()).toMatchObject({ sent: 1 });
    expect((await store.all()).map((c) => c.sub)).toEqual(['someone-else']);
  });

  it('checks a sub-resource action against its parent record', () => {
    expect(resourcePathOf('/v1/tasks/T/transitions')).toBe('/v1/tasks/T');
    expect(resourcePathOf('/v1/cleared-areas/C/qa')).toBe('/v1/cleared-areas/C');
    expect(resourcePathOf('/v1/households/H')).toBe('/v1/households/H');
  });
});
