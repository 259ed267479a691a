import { compare, op } from '../txn.js';
import type { KeyValue } from '../kv-types.js';
import type { TxnOpResult } from '../kv-types.js';
import type { Session } from './session.js';
import { LockGuard, type LockOptions } from './mutex.js';
import { LockLostError } from './queue.js';
import { abortError, anySignal, timeoutSignal } from './waiting.js';

/** Where an enqueue left this session: its key's create revision, and whether it holds already. */
export interface QueuePlace {
  readonly revision: bigint;
  readonly acquired: boolean;
}

/** How one kind of queued hold (semaphore permit, read lock, write lock) takes its place and waits. */
export interface QueuedHold {
  readonly session: Session;
  readonly myKey: Buffer;
  /** For messages and the guard: `read lock "name"`. */
  readonly what: string;
  /** Creates this session's key if absent and tells whether it holds at once. */
  enqueue(): Promise<QueuePlace>;
  /** Waits for this session's turn (rejects with LockLostError if its key vanishes). */
  waitForTurn(revision: bigint, signal: AbortSignal): Promise<void>;
}

/**
 * The acquire path every queued hold shares (as Mutex does it): enqueue, wait unless told not to, and
 * on any failure (timeout, abort, lost session, error) delete this session's key again if it is still
 * the one created here, so no stale waiter is ever left in the queue.
 */
export async function acquireQueued(hold: QueuedHold, wait: boolean, options: LockOptions, guardWhat: string): Promise<LockGuard | null> {
  const { session, what } = hold;
  const signal = anySignal([options.signal, timeoutSignal(options.timeoutMs, what), session.signal]);
  let myRevision: bigint | null = null;
  try {
    signal.throwIfAborted();
    const place = await hold.enqueue();
    myRevision = place.revision;
    if (!place.acquired) {
      if (!wait) {
        await leaveQueue(session, hold.myKey, place.revision);
        return null;
      }
      await hold.waitForTurn(place.revision, signal);
    }
    return new LockGuard(session, hold.myKey, place.revision, guardWhat);
  } catch (error) {
    if (myRevision !== null) await leaveQueue(session, hold.myKey, myRevision).catch(() => undefined);
    if (error instanceof LockLostError) throw error;
    if (signal.aborted) {
      throw session.signal.aborted ? new LockLostError(`${what}: the session ended while waiting`, { cause: session.signal.reason }) : abortError(signal, what);
    }
    throw error;
  }
}

/** Deletes `key` if it is still the one created at `revision` (never a newer key of the same session). */
export async function leaveQueue(session: Session, key: Buffer, revision: bigint): Promise<void> {
  await session.client.txn().if(compare.createRevision(key, '=', revision)).then(op.delete(key)).commit();
}

/** The key-values of a `get` op's result in a txn (empty for any other op). */
export function kvsOf(response: TxnOpResult | undefined): KeyValue[] {
  return response !== undefined && response.type === 'get' ? response.kvs : [];
}
