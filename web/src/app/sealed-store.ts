/**
 * The offline queue's store at rest: IndexedDB, every change sealed with AES-GCM under a key of
 * its user. A queued registration holds names, document numbers and destination points; on a
 * shared or lost device they must not be readable from the browser's files, nor by the next
 * person who signs in. So:
 * - each user (`sub`) has a WebCrypto key generated non-extractable and kept in IndexedDB (a
 *   CryptoKey is stored as an opaque handle: the page can use it but never read its bytes), so
 *   the queue survives a reload or a closed browser, and a token's expiry;
 * - a change is stored as `{ id, sub, iv, sealed }`: everything else (path, body, label,
 *   problem) is inside the ciphertext, bound to its id and user as additional data;
 * - a session sees and sends only its own user's changes;
 * - signing out deletes the user's changes and key together (`forget`).
 * The logic is free of the page: IndexedDB and WebCrypto are passed in (fake-indexeddb and
 * Node's WebCrypto in the unit tests).
 */
import type { ChangeStore, PendingChange } from './queue.ts';

const CHANGES = 'changes';
const KEYS = 'keys';
const BY_USER = 'sub';

/** A change as stored: only its id and user in clear. */
interface SealedRecord {
  id: string;
  sub: string;
  iv: Uint8Array<ArrayBuffer>;
  sealed: ArrayBuffer;
}

interface KeyRecord {
  sub: string;
  key: CryptoKey;
}

export interface SealedStoreOptions {
  indexedDB: IDBFactory;
  subtle: SubtleCrypto;
  /** The signed-in user's `sub`, or undefined when signed out (then nothing is read or written). */
  user: () => string | undefined;
  /** @default 'clearway' */
  dbName?: string;
}

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

const aad = (id: string, sub: string) => new TextEncoder().encode(`${id}\u0000${sub}`);

export class SealedChangeStore implements ChangeStore {
  private readonly o: SealedStoreOptions;
  private db: Promise<IDBDatabase> | undefined;
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor(options: SealedStoreOptions) {
    this.o = options;
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      // Version 2 sealed the changes; version 1 kept them in clear, without a per-user index.
      const req = this.o.indexedDB.open(this.o.dbName ?? 'clearway', 2);
      req.onupgradeneeded = (event) => {
        const db = req.result;
        const changes = event.oldVersion < 1 ? db.createObjectStore(CHANGES, { keyPath: 'id' }) : req.transaction!.objectStore(CHANGES);
        if (!changes.indexNames.contains(BY_USER)) changes.createIndex(BY_USER, 'sub');
        if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS, { keyPath: 'sub' });
        // A change of no user could be sent by anyone: it goes. Those of a user are sealed when that user next reads them.
        if (event.oldVersion >= 1) {
          changes.openCursor().onsuccess = (e) => {
            const cursor = (e.target as IDBRequest<IDBCursorWithValue | null>).result;
            if (!cursor) return;
            if (typeof (cursor.value as { sub?: unknown }).sub !== 'string') cursor.delete();
            cursor.continue();
          };
        }
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    return this.db;
  }

  private async request<T>(stores: string[], mode: IDBTransactionMode, op: (tx: IDBTransaction) => IDBRequest<T>): Promise<T> {
    const tx = (await this.open()).transaction(stores, mode);
    const [result] = await Promise.all([promised(op(tx)), done(tx)]);
    return result;
  }

  /** The user's key; made on first use. `add` refuses a second key, so two tabs agree on the first. */
  private key(sub: string, create: boolean): Promise<CryptoKey | undefined> {
    const cached = this.keys.get(sub);
    if (cached) return cached;
    const loading: Promise<CryptoKey | undefined> = (async () => {
      const found = await this.request([KEYS], 'readonly', (tx) => tx.objectStore(KEYS).get(sub) as IDBRequest<KeyRecord | undefined>);
      if (found) return found.key;
      if (!create) return undefined;
      const key = await this.o.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      try {
        await this.request([KEYS], 'readwrite', (tx) => tx.objectStore(KEYS).add({ sub, key } satisfies KeyRecord));
        return key;
      } catch {
        const winner = await this.request([KEYS], 'readonly', (tx) => tx.objectStore(KEYS).get(sub) as IDBRequest<KeyRecord | undefined>);
        if (!winner) throw new Error('the queue key could not be stored');
        return winner.key;
      }
    })();
    // Only a key found or made is remembered; a failure or "none yet" is asked again next time.
    void loading.then(
      (k) => k && this.keys.set(sub, Promise.resolve(k)),
      () => undefined,
    );
    return loading;
  }

  private async seal(change: PendingChange & { sub: string }): Promise<SealedRecord> {
    const key = (await this.key(change.sub, true))!;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await this.o.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: aad(change.id, change.sub) },
      key,
      new TextEncoder().encode(JSON.stringify(change)),
    );
    return { id: change.id, sub: change.sub, iv, sealed };
  }

  private async unseal(record: SealedRecord, key: CryptoKey): Promise<PendingChange | undefined> {
    try {
      const plain = await this.o.subtle.decrypt({ name: 'AES-GCM', iv: record.iv, additionalData: aad(record.id, record.sub) }, key, record.sealed);
      return JSON.parse(new TextDecoder().decode(plain)) as PendingChange;
    } catch {
      // Not sealed under this key (tampered, or made under a key since deleted): unreadable, so not a change.
      return undefined;
    }
  }

  /** The signed-in user's changes, oldest first; none when signed out. */
  async all(): Promise<PendingChange[]> {
    const sub = this.o.user();
    if (sub === undefined) return [];
    const records = await this.request(
      [CHANGES],
      'readonly',
      (tx) => tx.objectStore(CHANGES).index(BY_USER).getAll(sub) as IDBRequest<(SealedRecord | PendingChange)[]>,
    );
    if (records.length === 0) return [];
    const key = await this.key(sub, false);
    const changes: PendingChange[] = [];
    for (const record of records) {
      if (!('sealed' in record)) {
        // Kept in clear by an earlier version of the console: sealed now, before it is used.
        await this.put(record);
        changes.push(record);
        continue;
      }
      const change = key ? await this.unseal(record, key) : undefined;
      if (change) changes.push(change);
    }
    return changes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Seals and keeps a change of the signed-in user; a change of anyone else is refused. */
  async put(change: PendingChange): Promise<void> {
    const sub = this.o.user();
    if (sub === undefined || change.sub !== sub) throw new Error('only the signed-in user’s changes are kept');
    const record = await this.seal({ ...change, sub });
    await this.request([CHANGES], 'readwrite', (tx) => tx.objectStore(CHANGES).put(record));
  }

  async delete(id: string): Promise<void> {
    const sub = this.o.user();
    if (sub === undefined) return;
    const tx = (await this.open()).transaction([CHANGES], 'readwrite');
    const store = tx.objectStore(CHANGES);
    // Within the transaction's own callback: another user's change is never deleted from here.
    const read = store.get(id) as IDBRequest<{ sub?: string } | undefined>;
    read.onsuccess = () => {
      if (read.result?.sub === sub) store.delete(id);
    };
    await done(tx);
  }

  /** How many changes `sub` has kept here (what signing out would lose). */
  async count(sub: string): Promise<number> {
    return this.request([CHANGES], 'readonly', (tx) => tx.objectStore(CHANGES).index(BY_USER).count(sub));
  }

  /** Deletes every change of `sub` and its key, in one transaction: at sign-out. */
  async forget(sub: string): Promise<void> {
    this.keys.delete(sub);
    const tx = (await this.open()).transaction([CHANGES, KEYS], 'readwrite');
    const cursor = tx.objectStore(CHANGES).index(BY_USER).openKeyCursor(sub);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return;
      tx.objectStore(CHANGES).delete(c.primaryKey);
      c.continue();
    };
    tx.objectStore(KEYS).delete(sub);
    await done(tx);
  }
}
