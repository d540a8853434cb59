/**
 * The offline queue's logic, free of the browser: changes are kept in a store (IndexedDB in
 * the console, memory in the unit tests) and sent in the order they were made. A POST gets its
 * `Idempotency-Key` once, when the change is made, and every retry reuses it, so a change sent
 * twice (the first response lost with the signal) is stored once. A stale `If-Match` (412) is
 * never retried or overwritten: the change waits as a conflict for the user to decide.
 */

/** RFC 9457 problem details, as the API answers them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export type ChangeMethod = 'POST' | 'PATCH' | 'DELETE';

export interface PendingChange {
  id: string;
  method: ChangeMethod;
  path: string;
  body?: unknown;
  ifMatch?: number;
  idempotencyKey?: string;
  label: string;
  createdAt: string;
  state: 'queued' | 'sending' | 'conflict' | 'failed';
  problem?: Problem;
  /** The user who made the change; only their session sends it. */
  sub?: string;
}

export interface NewChange {
  method: ChangeMethod;
  path: string;
  body?: unknown;
  ifMatch?: number;
  label: string;
}

export interface ChangeStore {
  /** Every change, oldest first. */
  all(): Promise<PendingChange[]>;
  put(change: PendingChange): Promise<void>;
  delete(id: string): Promise<void>;
}

export type SendResult = { ok: true; status: number; body: unknown; etag?: number } | { ok: false; status: number; problem: Problem };

/** Sends one request; status 0 means it never reached the server (no signal). */
export type Sender = (change: { method: ChangeMethod | 'GET'; path: string; body?: unknown; ifMatch?: number; idempotencyKey?: string }) => Promise<SendResult>;

export type SubmitResult = { state: 'sent'; status: number; body: unknown; etag?: number } | { state: 'queued'; id: string };

/** A submit the server refused: carries the problem (a 412 is also kept as a conflict). */
export class ChangeRefused extends Error {
  problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ChangeRefused';
    this.problem = problem;
  }
}

let counter = 0;
/** Time-ordered ids: the store's key order is the order the changes were made. */
export function changeId(now = Date.now()): string {
  counter = (counter + 1) % 1_000_000;
  const rand = Math.floor(Math.random() * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `${now.toString(36).padStart(9, '0')}-${counter.toString(36).padStart(4, '0')}-${rand}`;
}

/** An `Idempotency-Key` (the API accepts 1–128 of `A-Za-z0-9_.:-`). */
export function newIdempotencyKey(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return `cw-${c?.randomUUID ? c.randomUUID() : changeId()}`;
}

/**
 * The record a change is checked against when retried on the latest version: the resource
 * itself for a PATCH or DELETE, the parent for a sub-resource action
 * (`/v1/tasks/{id}/transitions` → `/v1/tasks/{id}`).
 */
export function resourcePathOf(path: string): string {
  const m = /^(\/v1\/[^/?]+\/[^/?]+)/.exec(path);
  return m ? m[1]! : path;
}

const retryable = (status: number): boolean => status === 0 || status === 401 || status === 408 || status === 429 || status >= 500;

export interface QueueOptions {
  store: ChangeStore;
  send: Sender;
  /** Whether the device believes it has a connection. */
  online: () => boolean;
  /** The signed-in user's id, or undefined when signed out (nothing is sent then). */
  user: () => string | undefined;
  /** Called after every change to the stored changes. */
  onChange?: () => void;
  now?: () => Date;
}

export interface FlushResult {
  sent: number;
  conflicts: number;
  failed: number;
  /** Whether it stopped early (no signal, signed out, server failing) with changes still queued. */
  stopped: boolean;
}

export class ChangeQueue {
  private readonly o: QueueOptions;
  private flushing: Promise<FlushResult> | undefined;

  constructor(options: QueueOptions) {
    this.o = options;
  }

  private async save(change: PendingChange): Promise<void> {
    await this.o.store.put(change);
    this.o.onChange?.();
  }

  private async remove(id: string): Promise<void> {
    await this.o.store.delete(id);
    this.o.onChange?.();
  }

  /**
   * Sends a change now when possible, otherwise keeps it to send later. Changes queued before
   * it go first, so it is queued behind them. A refusal throws `ChangeRefused` (a 412 is also
   * kept as a conflict for the user to resolve).
   */
  async submit(input: NewChange): Promise<SubmitResult> {
    const change: PendingChange = {
      id: changeId(this.o.now?.().getTime()),
      method: input.method,
      path: input.path,
      label: input.label,
      createdAt: (this.o.now?.() ?? new Date()).toISOString(),
      state: 'queued',
    };
    if (input.body !== undefined) change.body = input.body;
    if (input.ifMatch !== undefined) change.ifMatch = input.ifMatch;
    if (input.method === 'POST') change.idempotencyKey = newIdempotencyKey();
    const sub = this.o.user();
    if (sub !== undefined) change.sub = sub;

    const waiting = (await this.o.store.all()).some((c) => c.state === 'queued' || c.state === 'sending');
    if (waiting || !this.o.online() || sub === undefined) {
      await this.save(change);
      void this.flush();
      return { state: 'queued', id: change.id };
    }
    const result = await this.o.send(change);
    if (result.ok)
      return result.etag === undefined
        ? { state: 'sent', status: result.status, body: result.body }
        : { state: 'sent', status: result.status, body: result.body, etag: result.etag };
    if (retryable(result.status)) {
      await this.save(change);
      return { state: 'queued', id: change.id };
    }
    if (result.status === 412) await this.save({ ...change, state: 'conflict', problem: result.problem });
    throw new ChangeRefused(result.problem);
  }

  /** Sends the queued changes in order; one flush at a time. */
  flush(): Promise<FlushResult> {
    this.flushing ??= this.run().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async run(): Promise<FlushResult> {
    const result: FlushResult = { sent: 0, conflicts: 0, failed: 0, stopped: false };
    const sub = this.o.user();
    if (sub === undefined || !this.o.online()) return { ...result, stopped: true };
    const attempted = new Set<string>();
    // Re-read after each send: changes made meanwhile join the end of this flush.
    for (;;) {
      const stored = (await this.o.store.all()).find(
        // Only the signed-in user's own changes: another user's (or no one's) are never sent under this token.
        (c) => (c.state === 'queued' || c.state === 'sending') && !attempted.has(c.id) && c.sub === sub,
      );
      if (!stored) break;
      attempted.add(stored.id);
      await this.save({ ...stored, state: 'sending' });
      const res = await this.o.send(stored);
      if (res.ok) {
        await this.remove(stored.id);
        result.sent++;
      } else if (retryable(res.status)) {
        await this.save({ ...stored, state: 'queued' });
        result.stopped = true;
        break;
      } else if (res.status === 412) {
        await this.save({ ...stored, state: 'conflict', problem: res.problem });
        result.conflicts++;
      } else {
        await this.save({ ...stored, state: 'failed', problem: res.problem });
        result.failed++;
      }
    }
    return result;
  }

  /** Drops a change (the user's "discard my change", or dismissing a refused one). */
  async discard(id: string): Promise<void> {
    if (await this.own(id)) await this.remove(id);
  }

  /** The signed-in user's change `id`, if it is theirs. */
  private async own(id: string): Promise<PendingChange | undefined> {
    const sub = this.o.user();
    return sub === undefined ? undefined : (await this.o.store.all()).find((c) => c.id === id && c.sub === sub);
  }

  /** The signed-in user's changes, whatever their state (what signing out would lose). */
  async mine(): Promise<PendingChange[]> {
    const sub = this.o.user();
    return sub === undefined ? [] : (await this.o.store.all()).filter((c) => c.sub === sub);
  }

  /**
   * "Retry on the latest version": reads the record's current version and sends the change
   * again with it. The outcome is the same as a first send (sent, queued again, conflict).
   */
  async retryOnLatest(id: string): Promise<SendResult | undefined> {
    const change = await this.own(id);
    if (!change) return undefined;
    const latest = await this.o.send({ method: 'GET', path: resourcePathOf(change.path) });
    if (!latest.ok) {
      if (!retryable(latest.status)) await this.save({ ...change, state: 'failed', problem: latest.problem });
      return latest;
    }
    const updated: PendingChange = { ...change, state: 'sending' };
    if (latest.etag !== undefined) updated.ifMatch = latest.etag;
    delete updated.problem;
    await this.save(updated);
    const res = await this.o.send(updated);
    if (res.ok) await this.remove(id);
    else if (retryable(res.status)) await this.save({ ...updated, state: 'queued' });
    else await this.save({ ...updated, state: res.status === 412 ? 'conflict' : 'failed', problem: res.problem });
    return res;
  }
}

/** A store in memory (unit tests; and the fallback when IndexedDB is unavailable). */
export class MemoryStore implements ChangeStore {
  private readonly changes = new Map<string, PendingChange>();
  async all(): Promise<PendingChange[]> {
    return [...this.changes.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((c) => structuredClone(c));
  }
  async put(change: PendingChange): Promise<void> {
    this.changes.set(change.id, structuredClone(change));
  }
  async delete(id: string): Promise<void> {
    this.changes.delete(id);
  }
}
