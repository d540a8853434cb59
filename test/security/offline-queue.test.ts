import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { ChangeQueue, MemoryStore, type PendingChange, type Sender } from '../../web/src/app/queue.ts';
import { SealedChangeStore } from '../../web/src/app/sealed-store.ts';

/**
 * The console's offline queue at rest (web/src/app/sealed-store.ts) on fake-indexeddb and
 * Node's WebCrypto: what a shared or lost device keeps, and what the next user can see.
 */
const DOCUMENT = '010203040';
const NAME = 'Sreymom';
const registration = {
  method: 'POST' as const,
  path: '/v1/households',
  label: `Register ${NAME}`,
  body: {
    origin: { province: 'KH22', village: 'O Smach' },
    destination: { province: 'KH22', point: { type: 'Point', coordinates: [103.52, 14.42] } },
    members: [{ givenName: NAME, familyName: 'Sok', sex: 'F', birthYear: 1986, relationship: 'HEAD', document: { type: 'NATIONAL_ID', number: DOCUMENT } }],
  },
};

let factory: IDBFactory;
let user: string | undefined;
let online: boolean;
let sent: { path: string; body?: unknown }[];

const send: Sender = async (req) => {
  if (!online) return { ok: false, status: 0, problem: { type: 'about:blank', title: 'network', status: 0 } };
  sent.push({ path: req.path, body: req.body });
  return { ok: true, status: 201, body: {} };
};

/** The console after a start: a new store and queue over the same browser database. */
function consoleStart() {
  const store = new SealedChangeStore({ indexedDB: factory, subtle: crypto.subtle, user: () => user });
  const queue = new ChangeQueue({ store, send, online: () => online, user: () => user });
  return { store, queue };
}

/** Everything the browser keeps in a store, as stored. */
async function raw(storeName: string): Promise<Record<string, unknown>[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = factory.open('clearway');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  try {
    return await new Promise((resolve, reject) => {
      const req = db.transaction(storeName, 'readonly').objectStore(storeName).getAll();
      req.onsuccess = () => resolve(req.result as Record<string, unknown>[]);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

const text = (value: unknown): string => {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return Buffer.from(value instanceof ArrayBuffer ? value : value.buffer).toString('latin1');
  if (value && typeof value === 'object') return Object.values(value).map(text).join(' ');
  return String(value);
};

beforeEach(() => {
  factory = new IDBFactory();
  user = 'relief-a';
  online = false;
  sent = [];
});

describe('the offline queue at rest', () => {
  it('keeps a queued registration as ciphertext: no name, document number, point, path or label in clear', async () => {
    const { queue } = consoleStart();
    expect((await queue.submit(registration)).state).toBe('queued');
    const [record, ...others] = await raw('changes');
    expect(others).toEqual([]);
    expect(Object.keys(record!).sort()).toEqual(['id', 'iv', 'sealed', 'sub']);
    expect(record!.sub).toBe('relief-a');
    const atRest = text(record);
    for (const secret of [NAME, DOCUMENT, '103.52', '/v1/households', 'Register']) expect(atRest).not.toContain(secret);
  });

  it('seals under a key the page cannot read out, one per user', async () => {
    const { queue } = consoleStart();
    await queue.submit(registration);
    const [keyRecord] = await raw('keys');
    const key = keyRecord!.key as CryptoKey;
    expect(keyRecord!.sub).toBe('relief-a');
    expect(key.extractable).toBe(false);
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });

  it('survives a reload (a new console over the same database) and sends the change once online', async () => {
    await consoleStart().queue.submit(registration);
    const { store, queue } = consoleStart();
    expect((await store.all()).map((c) => c.label)).toEqual([`Register ${NAME}`]);
    online = true;
    expect(await queue.flush()).toMatchObject({ sent: 1 });
    expect(sent).toEqual([{ path: '/v1/households', body: registration.body }]);
    expect(await raw('changes')).toEqual([]);
  });

  it('shows, sends, retries and discards only the signed-in user’s changes', async () => {
    online = false;
    const first = consoleStart();
    await first.queue.submit(registration);
    const [mine] = await first.store.all();

    user = 'relief-b';
    const { store, queue } = consoleStart();
    expect(await store.all()).toEqual([]);
    expect(await queue.mine()).toEqual([]);
    online = true;
    expect(await queue.flush()).toMatchObject({ sent: 0 });
    expect(await queue.retryOnLatest(mine!.id)).toBeUndefined();
    await queue.discard(mine!.id);
    await store.delete(mine!.id);
    expect(sent).toEqual([]);
    expect(await raw('changes')).toHaveLength(1);
    user = 'relief-a';
    expect((await consoleStart().store.all()).map((c) => c.id)).toEqual([mine!.id]);
  });

  it('does not open a record moved to another user', async () => {
    await consoleStart().queue.submit(registration);
    user = 'relief-b';
    const b = consoleStart();
    await b.queue.submit({ ...registration, label: 'B’s own' });
    // Someone with the files rewrites A's record as B's: sealed under A's key and bound to A, B cannot open it.
    const [aRecord] = (await raw('changes')).filter((r) => r.sub === 'relief-a');
    const db = await new Promise<IDBDatabase>((resolve) => {
      const req = factory.open('clearway');
      req.onsuccess = () => resolve(req.result);
    });
    await new Promise<void>((resolve) => {
      const tx = db.transaction('changes', 'readwrite');
      tx.objectStore('changes').put({ ...aRecord, sub: 'relief-b' });
      tx.oncomplete = () => resolve();
    });
    db.close();
    expect((await consoleStart().store.all()).map((c) => c.label)).toEqual(['B’s own']);
  });

  it('refuses to keep a change for anyone but the signed-in user', async () => {
    const { store } = consoleStart();
    expect(await store.all()).toEqual([]);
    await expect(
      store.put({ id: 'x', method: 'POST', path: '/v1/households', label: 'x', createdAt: '2026-01-01T00:00:00Z', state: 'queued', sub: 'relief-b' }),
    ).rejects.toThrow();
    user = undefined;
    await expect(
      store.put({ id: 'y', method: 'POST', path: '/v1/households', label: 'y', createdAt: '2026-01-01T00:00:00Z', state: 'queued' }),
    ).rejects.toThrow();
    expect(await raw('changes')).toEqual([]);
  });

  it('deletes the user’s changes and key at sign-out, and leaves other users’ alone', async () => {
    await consoleStart().queue.submit(registration);
    await consoleStart().queue.submit({ ...registration, label: 'second' });
    user = 'relief-b';
    await consoleStart().queue.submit({ ...registration, label: 'B’s' });

    user = 'relief-a';
    const { store, queue } = consoleStart();
    expect(await store.count('relief-a')).toBe(2);
    expect(await queue.mine()).toHaveLength(2);
    await store.forget('relief-a');
    expect((await raw('changes')).map((r) => r.sub)).toEqual(['relief-b']);
    expect((await raw('keys')).map((k) => k.sub)).toEqual(['relief-b']);
    expect(await store.all()).toEqual([]);

    // Signing in again starts afresh: a new key, nothing of before.
    await queue.submit({ ...registration, label: 'after' });
    expect((await store.all()).map((c) => c.label)).toEqual(['after']);
  });

  it('seals the changes an earlier console kept in clear, and drops those of no user', async () => {
    const legacy = (id: string, sub?: string): PendingChange => ({
      id,
      method: 'POST',
      path: '/v1/households',
      body: registration.body,
      label: 'old',
      createdAt: '2026-01-01T00:00:00Z',
      state: 'queued',
      ...(sub ? { sub } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      const req = factory.open('clearway', 1);
      req.onupgradeneeded = () => {
        const changes = req.result.createObjectStore('changes', { keyPath: 'id' });
        changes.put(legacy('000000001', 'relief-a'));
        changes.put(legacy('000000002'));
        changes.put(legacy('000000003', 'relief-b'));
      };
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
      req.onerror = () => reject(req.error);
    });
    const { store } = consoleStart();
    expect((await store.all()).map((c) => c.id)).toEqual(['000000001']);
    const stored = await raw('changes');
    expect(stored.map((r) => r.id)).toEqual(['000000001', '000000003']);
    expect(Object.keys(stored[0]!).sort()).toEqual(['id', 'iv', 'sealed', 'sub']);
    expect(text(stored[0])).not.toContain(DOCUMENT);
    // B's change waits, still in clear, for B to sign in (or to be deleted at B's sign-out).
    user = 'relief-b';
    expect((await consoleStart().store.all()).map((c) => c.id)).toEqual(['000000003']);
    expect(text((await raw('changes'))[1])).not.toContain(DOCUMENT);
  });
});

describe('the queue without IndexedDB (memory)', () => {
  it('never sends another user’s change, nor one of no user, under the signed-in user’s token', async () => {
    const store = new MemoryStore();
    const change = (id: string, sub?: string): PendingChange => ({
      id,
      method: 'POST',
      path: '/v1/households',
      body: registration.body,
      label: id,
      createdAt: '2026-01-01T00:00:00Z',
      state: 'queued',
      ...(sub ? { sub } : {}),
    });
    await store.put(change('1', 'relief-a'));
    await store.put(change('2'));
    online = true;
    user = 'relief-b';
    const queue = new ChangeQueue({ store, send, online: () => online, user: () => user });
    expect(await queue.flush()).toMatchObject({ sent: 0 });
    await queue.discard('1');
    expect(sent).toEqual([]);
    expect((await store.all()).map((c) => c.id)).toEqual(['1', '2']);
  });
});
