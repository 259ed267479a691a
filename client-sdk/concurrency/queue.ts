import { prefixRangeEnd } from '../codec.js';
import { SynodError } from '../errors.js';
import type { Session } from './session.js';
import { anySignal, waitForDelete } from './waiting.js';

/** Thrown when the session behind a lock, a candidacy or a queue place is gone. */
export class LockLostError extends SynodError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('lease_not_found', message, { ...options, outcomeUnknown: false });
    this.name = 'LockLostError';
  }
}

/**
 * Waits for this session's turn in a queue of keys under `prefix` ordered by create revision (etcd's
 * waitDeletes): until no key created before `myRevision` is left, waiting each time for the newest one
 * ahead to be deleted, so waiters wake one at a time. Fails at once with LockLostError if this
 * session's own key disappears meanwhile, and re-checks the key after waiting.
 */
export async function waitForTurn(session: Session, prefix: Buffer, myKey: Buffer, myRevision: bigint, signal: AbortSignal, what: string): Promise<void> {
  const client = session.client;
  const keyGone = new AbortController();
  const waitSignal = anySignal([signal, keyGone.signal]);
  waitForDelete(client, myKey, myRevision, waitSignal).then(
    () => keyGone.abort(new LockLostError(`${what}: this session's place in the queue was deleted (lease revoked or expired)`)),
    () => undefined,
  );
  try {
    for (;;) {
      waitSignal.throwIfAborted();
      const ahead = await client.get(prefix, {
        rangeEnd: prefixRangeEnd(prefix),
        maxCreateRevision: myRevision - 1n,
        sortTarget: 'create',
        sortOrder: 'descend',
        limit: 1,
        signal: waitSignal,
      });
      const predecessor = ahead.kvs[0];
      if (predecessor === undefined) break;
      await waitForDelete(client, predecessor.key, ahead.header.revision, waitSignal);
    }
    const mine = await client.get(myKey, { signal: waitSignal });
    if (mine.kvs[0]?.createRevision !== myRevision || !session.alive) {
      throw new LockLostError(`${what}: this session's place in the queue is gone (session expired?)`);
    }
  } catch (error) {
    if (keyGone.signal.aborted) throw keyGone.signal.reason as Error;
    throw error;
  } finally {
    keyGone.abort();
  }
}

/**
 * Waits until fewer than `slots` keys under `prefix` were created before `myRevision` (a semaphore's
 * turn). Keys ahead only ever leave (a newer key sorts behind), so one watch of the prefix counts their
 * deletes down (an estimate that falls below `slots` is confirmed by a read); it resumes across
 * failover and recounts after a compaction. Fails with LockLostError as
 * soon as this session's own key is deleted, and re-checks the key after waiting.
 */
export async function waitForSlot(session: Session, prefix: Buffer, myKey: Buffer, myRevision: bigint, slots: number, signal: AbortSignal, what: string): Promise<void> {
  if (slots === 1) return waitForTurn(session, prefix, myKey, myRevision, signal, what);
  const client = session.client;
  const rangeEnd = prefixRangeEnd(prefix);
  // `count` ignores revision filters (etcd's rule), so count the filtered keys, reading at most `slots`.
  const countAhead = async (): Promise<{ ahead: bigint; revision: bigint }> => {
    const read = await client.get(prefix, { rangeEnd, maxCreateRevision: myRevision - 1n, sortTarget: 'create', sortOrder: 'ascend', limit: slots, keysOnly: true, signal });
    return { ahead: BigInt(read.kvs.length) + (read.more ? 1n : 0n), revision: read.header.revision };
  };
  const before = await countAhead();
  let ahead = before.ahead;
  if (ahead >= BigInt(slots)) {
    const watch = client.watch(prefix, { rangeEnd, startRevision: before.revision + 1n, noPut: true, prevKv: true, onCompacted: 'resync', signal });
    try {
      for await (const event of watch) {
        if (event.type === 'delete') {
          if (event.kv.key.equals(myKey)) throw new LockLostError(`${what}: this session's place in the queue was deleted (lease revoked or expired)`);
          // Without the previous value the deleted key's age is unknown: count again.
          if (event.prevKv === null) ahead = (await countAhead()).ahead;
          else if (event.prevKv.createRevision < myRevision) ahead--;
        } else if (event.type === 'resync') {
          if (!event.kvs.some((kv) => kv.key.equals(myKey))) throw new LockLostError(`${what}: this session's place in the queue is gone`);
          ahead = BigInt(event.kvs.filter((kv) => kv.createRevision < myRevision).length);
        }
        // `ahead` counted at most slots + 1 keys, so a low estimate is confirmed by a fresh count.
        if (ahead < BigInt(slots)) {
          ahead = (await countAhead()).ahead;
          if (ahead < BigInt(slots)) break;
        }
      }
    } finally {
      await watch.cancel();
    }
    signal.throwIfAborted();
  }
  const mine = await client.get(myKey, { signal });
  if (mine.kvs[0]?.createRevision !== myRevision || !session.alive) {
    throw new LockLostError(`${what}: this session's place in the queue is gone (session expired?)`);
  }
}
