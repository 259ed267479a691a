import { compare, op } from '../txn.js';
import { prefixRangeEnd } from '../codec.js';
import { SynodError } from '../errors.js';
import type { Session } from './session.js';
import type { LockGuard, LockOptions } from './mutex.js';
import { waitForTurn } from './queue.js';
import { acquireQueued, kvsOf, leaveQueue, type QueuePlace } from './acquire.js';

type Mode = 'read' | 'write';

/**
 * A fair read-write lock, laid out as etcd's recipes RWMutex: readers queue as `<name>/read/<lease hex>`,
 * writers as `<name>/write/<lease hex>`, all ordered by create revision. A reader holds once no writer
 * key older than its own is left (readers share); a writer holds once no key at all (reader or writer)
 * older than its own is left. So nobody overtakes an earlier arrival: a waiting writer is not starved
 * by later readers, and readers behind a writer wait for it. Each hold's `fencingToken` is its key's
 * create revision. Not reentrant and not upgradeable: a session that holds (or waits for) one mode of
 * a name is refused the other (it would wait for itself forever).
 */
export class ReadWriteLock {
  private readonly prefix: Buffer;
  private readonly writersPrefix: Buffer;
  private readonly busy = new Set<Mode>();

  constructor(
    private readonly session: Session,
    readonly name: string,
  ) {
    this.prefix = Buffer.from(`${name}/`);
    this.writersPrefix = Buffer.from(`${name}/write/`);
  }

  /** Waits for a shared hold (behind every earlier writer). Rejects as Mutex.lock does. */
  async readLock(options: LockOptions = {}): Promise<LockGuard> {
    return (await this.take('read', true, options))!;
  }

  /** Waits for the exclusive hold (behind every earlier reader and writer). Rejects as Mutex.lock does. */
  async writeLock(options: LockOptions = {}): Promise<LockGuard> {
    return (await this.take('write', true, options))!;
  }

  /** A shared hold if it is free now; null otherwise (and no key is left behind). */
  async tryReadLock(): Promise<LockGuard | null> {
    return this.take('read', false, {});
  }

  /** The exclusive hold if it is free now; null otherwise (and no key is left behind). */
  async tryWriteLock(): Promise<LockGuard | null> {
    return this.take('write', false, {});
  }

  private keyOf(mode: Mode): Buffer {
    return Buffer.from(`${this.name}/${mode}/${this.session.leaseHex}`);
  }

  private async take(mode: Mode, wait: boolean, options: LockOptions): Promise<LockGuard | null> {
    if (this.busy.has(mode)) throw new SynodError('invalid_argument', `this ReadWriteLock is already acquiring a ${mode} lock; use another session for a second holder of "${this.name}"`);
    this.busy.add(mode);
    try {
      const myKey = this.keyOf(mode);
      const what = `${mode} lock "${this.name}"`;
      const blockers = mode === 'read' ? this.writersPrefix : this.prefix;
      return await acquireQueued(
        {
          session: this.session,
          myKey,
          what,
          enqueue: () => this.enqueue(mode, myKey),
          waitForTurn: (revision, signal) => waitForTurn(this.session, blockers, myKey, revision, signal, what),
        },
        wait,
        options,
        `${mode} lock`,
      );
    } finally {
      this.busy.delete(mode);
    }
  }

  /** Creates this session's key for `mode` if absent, and reads the oldest key that could block it. */
  private async enqueue(mode: Mode, myKey: Buffer): Promise<QueuePlace> {
    const blockers = mode === 'read' ? this.writersPrefix : this.prefix;
    const oldestBlocker = op.get(blockers, { rangeEnd: prefixRangeEnd(blockers), sortTarget: 'create', sortOrder: 'ascend', limit: 1 });
    const otherMode = op.get(this.keyOf(mode === 'read' ? 'write' : 'read'), { keysOnly: true });
    const result = await this.session.client
      .txn()
      .if(compare.createRevision(myKey, '=', 0n))
      .then(op.put(myKey, '', { lease: this.session.leaseId }), oldestBlocker, otherMode)
      .else(op.get(myKey), oldestBlocker, otherMode)
      .commit();
    const revision = result.succeeded ? result.header.revision : kvsOf(result.responses[0])[0]?.createRevision ?? 0n;
    if (kvsOf(result.responses[2]).length > 0) {
      // Remove only a key this call created; an existing one belongs to another hold of this session.
      if (result.succeeded) await leaveQueue(this.session, myKey, revision).catch(() => undefined);
      const other = mode === 'read' ? 'write' : 'read';
      throw new SynodError('invalid_argument', `this session already holds or waits for the ${other} lock of "${this.name}"; a ${mode} lock would wait for itself`);
    }
    const oldest = kvsOf(result.responses[1])[0];
    return { revision, acquired: oldest === undefined || oldest.createRevision >= revision };
  }
}
