/**
 * Changes made in the field (task transitions, progress reports, household changes) go through
 * `submit`: sent at once when there is signal, otherwise kept in IndexedDB (it survives closing
 * the browser) and sent in order when the signal returns: on the `online` event, at start,
 * and every 20 s while changes wait. At rest each change is sealed under its user's key, and a
 * session sees and sends only its own user's changes (sealed-store.ts); signing out deletes them
 * with the key. The logic is in queue.ts; this file binds it to the browser.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, NETWORK_ERROR, request } from './api.ts';
import { ChangeQueue, ChangeRefused, MemoryStore, type ChangeStore, type NewChange, type PendingChange, type Sender, type SubmitResult } from './queue.ts';
import { SealedChangeStore } from './sealed-store.ts';
import { currentSession, onSessionChange } from './session.ts';

export type { PendingChange } from './queue.ts';
export { ChangeRefused } from './queue.ts';

const send: Sender = async (change) => {
  try {
    const opts: Parameters<typeof request>[2] = {};
    if (change.body !== undefined) opts.body = change.body;
    if (change.ifMatch !== undefined) opts.ifMatch = change.ifMatch;
    if (change.idempotencyKey !== undefined) opts.idempotencyKey = change.idempotencyKey;
    const res = await request<unknown>(change.method, change.path, opts);
    return res.etag === undefined ? { ok: true, status: res.status, body: res.body } : { ok: true, status: res.status, body: res.body, etag: res.etag };
  } catch (e: unknown) {
    if (e instanceof ApiError) return { ok: false, status: e.status, problem: e.problem };
    throw e;
  }
};

const listeners = new Set<(changes: PendingChange[]) => void>();
let snapshot: PendingChange[] = [];
const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel('clearway-queue');

async function refresh(): Promise<void> {
  const sub = currentSession()?.sub;
  snapshot = sub === undefined ? [] : (await store.all()).filter((c) => c.sub === sub);
  for (const l of listeners) l(snapshot);
}

const store: ChangeStore =
  typeof indexedDB === 'undefined' || !globalThis.crypto?.subtle
    ? new MemoryStore()
    : new SealedChangeStore({ indexedDB, subtle: crypto.subtle, user: () => currentSession()?.sub });

const queue = new ChangeQueue({
  store,
  send,
  online: () => navigator.onLine,
  user: () => currentSession()?.sub,
  onChange: () => {
    void refresh();
    channel?.postMessage('changed');
  },
});

/**
 * Makes a change: `{ state: 'sent', ... }` when the server took it, `{ state: 'queued', id }`
 * when it was kept to send later. POSTs carry an `Idempotency-Key` generated once and reused on
 * every retry. A refusal throws `ApiError` with the server's problem (for the form to show);
 * a 412 is also kept as a conflict for the ConflictPanel.
 */
export async function submit(change: NewChange): Promise<SubmitResult> {
  try {
    return await queue.submit(change);
  } catch (e: unknown) {
    if (e instanceof ChangeRefused) throw new ApiError(e.problem);
    throw e;
  }
}

/** Sends what waits, one tab at a time (a Web Lock where the browser has them). */
export function flushQueue(): Promise<unknown> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? locks.request('clearway-queue', () => queue.flush()) : queue.flush();
}

export const discardChange = (id: string): Promise<void> => queue.discard(id);

/** How many of the signed-in user's changes are kept here, unsent or refused: what signing out loses. */
export async function changesLostAtSignOut(): Promise<number> {
  return (await queue.mine()).length;
}

/** At sign-out: deletes the signed-in user's changes and, with IndexedDB, their key. */
export async function forgetSignedInUserChanges(): Promise<void> {
  const sub = currentSession()?.sub;
  if (sub === undefined) return;
  if (store instanceof SealedChangeStore) await store.forget(sub);
  else for (const change of await queue.mine()) await store.delete(change.id);
  await refresh();
  channel?.postMessage('changed');
}

/** "Retry on the latest version"; throws the problem when the record cannot be read. */
export async function retryChangeOnLatest(id: string): Promise<void> {
  const res = await queue.retryOnLatest(id);
  if (res && !res.ok && res.status === NETWORK_ERROR) throw new ApiError(res.problem);
}

export function usePendingChanges(): PendingChange[] {
  const [changes, set] = useState<PendingChange[]>(snapshot);
  useEffect(() => {
    listeners.add(set);
    set(snapshot);
    return () => {
      listeners.delete(set);
    };
  }, []);
  return changes;
}

let started = false;
/** Starts sending queued changes: now, when the signal returns, and every 20 s while some wait. */
export function startOfflineSync(): void {
  if (started) return;
  started = true;
  void refresh().then(() => flushQueue());
  window.addEventListener('online', () => void flushQueue());
  channel?.addEventListener('message', () => void refresh());
  // Changes made before the token expired go out once their user signs in again.
  onSessionChange((s) => {
    void refresh();
    if (s) void flushQueue();
  });
  setInterval(() => {
    if (navigator.onLine && snapshot.some((c) => c.state === 'queued' || c.state === 'sending')) void flushQueue();
  }, 20_000);
}
