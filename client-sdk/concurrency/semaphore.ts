import { compare, op } from '../txn.js';
import { prefixRangeEnd } from '../codec.js';
import { SynodError } from '../errors.js';
import type { KeyValue } from '../kv-types.js';
import type { CallOptions } from '../kv-requests.js';
import type { Session } from './session.js';
import type { LockGuard, LockOptions } from './mutex.js';
import { waitForSlot } from './queue.js';
import { acquireQueued, kvsOf, leaveQueue, type QueuePlace } from './acquire.js';

/** Largest number of permits a semaphore may have (each waiter reads that many keys when it enqueues). */
export const SEMAPHORE_PERMITS_MAX = 1000;

export interface SemaphoreOptions {
  /** How many sessions may hold a permit at once. Every user of one name must pass the same number. */
  readonly permits: number;
}

/**
 * A fair (FIFO) counting semaphore: at most `permits` sessions hold it at once, and permits are granted
 * in arrival order. Same queue layout as Mutex: each waiter creates `<name>/<lease hex>` (value: the
 * permit count, so a user with a different count is refused), and holds a permit while fewer than
 * `permits` keys were created before its own. A holder's `fencingToken` is its key's create revision:
 * unique per hold and growing with arrival order; `guard()` holds only while that hold is current.
 * One session holds at most one permit of a name; use more sessions for more.
 */
export class Semaphore {
  readonly permits: number;
  private readonly prefix: Buffer;
  private readonly myKey: Buffer;
  private busy = false;

  constructor(
    private readonly session: Session,
    readonly name: string,
    options: SemaphoreOptions,
  ) {
    if (!Number.isInteger(options.permits) || options.permits < 1 || options.permits > SEMAPHORE_PERMITS_MAX) {
      throw new RangeError(`permits must be an integer from 1 to ${SEMAPHORE_PERMITS_MAX}, got ${options.permits}`);
    }
    this.permits = options.permits;
    this.prefix = Buffer.from(`${name}/`);
    this.myKey = Buffer.from(`${name}/${session.leaseHex}`);
  }

  /**
   * Waits for a permit (FIFO). Rejects with TimeoutError, CanceledError or LockLostError (the session
   * ended while waiting), or `invalid_argument` when the holders use another permit count; on every
   * failure this session's place in the queue is removed.
   */
  async acquire(options: LockOptions = {}): Promise<LockGuard> {
    return (await this.take(true, options))!;
  }

  /** Takes a permit only if one is free now and nobody waits ahead; resolves null otherwise. */
  async tryAcquire(): Promise<LockGuard | null> {
    return this.take(false, {});
  }

  /** The keys holding a permit now, oldest first (at most `permits`). */
  async holders(options: CallOptions = {}): Promise<KeyValue[]> {
    const result = await this.session.client.get(this.prefix, { rangeEnd: prefixRangeEnd(this.prefix), sortTarget: 'create', sortOrder: 'ascend', limit: this.permits, ...options });
    return result.kvs;
  }

  private async take(wait: boolean, options: LockOptions): Promise<LockGuard | null> {
    if (this.busy) throw new SynodError('invalid_argument', `this Semaphore is already acquiring; use another session for a second permit of "${this.name}"`);
    this.busy = true;
    try {
      const what = `semaphore "${this.name}"`;
      return await acquireQueued(
        {
          session: this.session,
          myKey: this.myKey,
          what,
          enqueue: () => this.enqueue(),
          waitForTurn: (revision, signal) => waitForSlot(this.session, this.prefix, this.myKey, revision, this.permits, signal, what),
        },
        wait,
        options,
        'semaphore permit',
      );
    } finally {
      this.busy = false;
    }
  }

  private async enqueue(): Promise<QueuePlace> {
    const first = op.get(this.prefix, { rangeEnd: prefixRangeEnd(this.prefix), sortTarget: 'create', sortOrder: 'ascend', limit: this.permits });
    const result = await this.session.client
      .txn()
      .if(compare.createRevision(this.myKey, '=', 0n))
      .then(op.put(this.myKey, String(this.permits), { lease: this.session.leaseId }), first)
      .else(op.get(this.myKey), first)
      .commit();
    const revision = result.succeeded ? result.header.revision : kvsOf(result.responses[0])[0]?.createRevision ?? 0n;
    const holders = kvsOf(result.responses[1]);
    const other = holders.find((kv) => kv.value.length > 0 && kv.value.toString() !== String(this.permits));
    if (other !== undefined) {
      if (result.succeeded) await leaveQueue(this.session, this.myKey, revision).catch(() => undefined);
      throw new SynodError('invalid_argument', `semaphore "${this.name}" is used with ${other.value.toString()} permits by ${other.key.toString()}, not ${this.permits}`);
    }
    return { revision, acquired: holders.some((kv) => kv.key.equals(this.myKey)) };
  }
}
