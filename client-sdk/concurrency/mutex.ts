import { compare, op, type Compare } from '../txn.js';
import { prefixRangeEnd } from '../codec.js';
import { SynodError } from '../errors.js';
import type { KeyValue } from '../kv-types.js';
import type { Session } from './session.js';
import { abortError, anySignal, timeoutSignal, waitForDelete } from './waiting.js';
import { LockLostError, waitForTurn } from './queue.js';

export { LockLostError };

export interface LockOptions {
  readonly signal?: AbortSignal;
  /** Give up after this long (a TimeoutError); the place in the queue is released. */
  readonly timeoutMs?: number;
}

/**
 * A held lock. `fencingToken` (the create revision of the holder's key) grows with every acquisition,
 * so a resource that remembers the highest token it saw can refuse a stale holder. `signal` aborts when
 * the hold is lost (the session ended, or the key was deleted by someone else); `guard()` is a txn
 * compare that holds only while this hold is current.
 */
export class LockGuard implements AsyncDisposable {
  private readonly controller = new AbortController();
  private released = false;
  /** Resolves (never rejects) with the reason once the hold has ended: lost, or released by `unlock()`. */
  readonly lost: Promise<LockLostError>;

  constructor(
    private readonly session: Session,
    /** The holder's key, `<name>/<lease hex>` as etcd's lock names it. */
    readonly key: Buffer,
    /** The key's create revision: unique per hold, larger than every earlier holder's of this name. */
    readonly fencingToken: bigint,
    /** What is held, for messages: `lock`, `read lock`, `write lock`, `semaphore permit`. */
    readonly what: string = 'lock',
  ) {
    this.lost = new Promise((resolve) => this.controller.signal.addEventListener('abort', () => resolve(this.controller.signal.reason as LockLostError), { once: true }));
    const stop = anySignal([session.signal, this.controller.signal]);
    session.signal.addEventListener('abort', () => this.lose(new LockLostError(`${what} ${key} lost: its session ended`, { cause: session.signal.reason })), { once: true });
    if (session.signal.aborted) this.lose(new LockLostError(`${what} ${key} lost: its session ended`, { cause: session.signal.reason }));
    // Someone deleting the key (an operator, a stale unlock from elsewhere) also ends the hold.
    waitForDelete(session.client, key, fencingToken, stop).then(
      () => this.lose(new LockLostError(`${what} ${key} lost: its key was deleted`)),
      () => undefined,
    );
  }

  /** Aborted (reason: LockLostError) when the hold is lost; also aborted after unlock. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True while held. */
  get held(): boolean {
    return !this.controller.signal.aborted;
  }

  /** A compare that holds only while this hold is current: put it in the `if` of a guarded txn. */
  guard(): Compare {
    return compare.createRevision(this.key, '=', this.fencingToken);
  }

  /**
   * Releases the lock. Tied to the create revision: if this hold already ended and the key now belongs
   * to a newer hold of the same session, nothing is deleted.
   */
  async unlock(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.lose(new LockLostError(`${this.what} ${this.key} released`));
    await this.session.client.txn().if(this.guard()).then(op.delete(this.key)).commit();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.unlock();
  }

  private lose(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }
}

/**
 * A fair (FIFO) distributed mutex with etcd's key layout: each waiter creates `<name>/<lease hex>` and
 * waits only for the key created just before its own, so `synodctl lock` and etcd-style clients exclude
 * each other with it. After waiting it re-checks that its own key still exists (a session lost while
 * waiting fails the lock instead of granting it).
 */
export class Mutex {
  private readonly prefix: Buffer;
  private readonly myKey: Buffer;
  private busy = false;

  constructor(
    private readonly session: Session,
    readonly name: string,
  ) {
    this.prefix = Buffer.from(`${name}/`);
    this.myKey = Buffer.from(`${name}/${session.leaseHex}`);
  }

  /** Waits for the lock (FIFO). Rejects with TimeoutError, CanceledError or LockLostError; never leaves its key behind. */
  async lock(options: LockOptions = {}): Promise<LockGuard> {
    return this.acquire(true, options) as Promise<LockGuard>;
  }

  /** Takes the lock only if it is free now; resolves null otherwise (and leaves no key behind). */
  async tryLock(): Promise<LockGuard | null> {
    return this.acquire(false, {});
  }

  private async acquire(wait: boolean, options: LockOptions): Promise<LockGuard | null> {
    if (this.busy) throw new SynodError('invalid_argument', `this Mutex is already locked or waiting; use another session for a second holder of "${this.name}"`);
    this.busy = true;
    const signal = anySignal([options.signal, timeoutSignal(options.timeoutMs, `lock "${this.name}"`), this.session.signal]);
    let myRevision: bigint | null = null;
    try {
      const { revision, ownerRevision } = await this.enqueue();
      myRevision = revision;
      if (ownerRevision !== revision) {
        if (!wait) {
          await this.leave(revision);
          return null;
        }
        await waitForTurn(this.session, this.prefix, this.myKey, revision, signal, `lock "${this.name}"`);
      }
      return new LockGuard(this.session, this.myKey, revision);
    } catch (error) {
      if (myRevision !== null) await this.leave(myRevision).catch(() => undefined);
      if (error instanceof LockLostError) throw error;
      if (signal.aborted) throw this.session.signal.aborted ? new LockLostError(`lock "${this.name}": the session ended while waiting`, { cause: this.session.signal.reason }) : abortError(signal, `lock "${this.name}"`);
      throw error;
    } finally {
      this.busy = false;
    }
  }

  /** Creates this session's key if absent (etcd's tryAcquire txn) and reads the current owner. */
  private async enqueue(): Promise<{ revision: bigint; ownerRevision: bigint }> {
    const owner = op.get(this.prefix, { rangeEnd: prefixRangeEnd(this.prefix), sortTarget: 'create', sortOrder: 'ascend', limit: 1 });
    const result = await this.session.client
      .txn()
      .if(compare.createRevision(this.myKey, '=', 0n))
      .then(op.put(this.myKey, '', { lease: this.session.leaseId }), owner)
      .else(op.get(this.myKey), owner)
      .commit();
    const headerRevision = result.header.revision;
    const mine = result.succeeded ? headerRevision : firstKv(result.responses[0])?.createRevision ?? 0n;
    const ownerKv = firstKv(result.responses[1]);
    return { revision: mine, ownerRevision: ownerKv?.createRevision ?? mine };
  }

  /** Removes this session's key if it is still the one created at `myRevision`. */
  private async leave(myRevision: bigint): Promise<void> {
    await this.session.client.txn().if(compare.createRevision(this.myKey, '=', myRevision)).then(op.delete(this.myKey)).commit();
  }
}

function firstKv(response: { type: string; kvs?: KeyValue[] } | undefined): KeyValue | undefined {
  return response !== undefined && response.type === 'get' ? response.kvs?.[0] : undefined;
}
