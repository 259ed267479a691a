import type { Applied } from '../apply/applier.js';
import { ProposalDroppedError } from '../raft/index.js';
import { SynodError } from '../errors.js';

interface Waiter {
  readonly resolve: (applied: Applied) => void;
  readonly reject: (error: Error) => void;
  /** The log index the entry got, when this member was the leader that appended it. */
  index: number | null;
}

/**
 * Proposals waiting for their entry to be applied on this member, matched by the proposal id carried
 * in the entry. When this member appended the entry as leader it also knows the entry's index: if a
 * different entry is applied at that index, the proposal was lost in a leader change and certainly was
 * not applied, so it fails with a retryable `no_leader` instead of timing out.
 */
export class ProposalTracker {
  private readonly waiters = new Map<string, Waiter>();
  private readonly byIndex = new Map<number, string>();

  get size(): number {
    return this.waiters.size;
  }

  /** Registers a waiter; the returned promise settles when the entry is applied or the wait fails. */
  wait(proposalId: string, signal?: AbortSignal): Promise<Applied> {
    return new Promise<Applied>((resolve, reject) => {
      const onAbort = (): void => {
        this.forget(proposalId);
        reject(new SynodError('canceled', 'request canceled before its entry was applied; it may still be applied'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(proposalId, {
        index: null,
        resolve: (applied) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(applied);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
    });
  }

  /** Records the index the leader gave the entry of `proposalId`. */
  placedAt(proposalId: string, index: number): void {
    const waiter = this.waiters.get(proposalId);
    if (waiter === undefined) return;
    waiter.index = index;
    this.byIndex.set(index, proposalId);
  }

  /** Fails a waiter before its proposal entered Raft (so it certainly was not applied). */
  fail(proposalId: string, error: Error): void {
    const waiter = this.waiters.get(proposalId);
    this.forget(proposalId);
    waiter?.reject(error);
  }

  /** An entry was applied at `index` with `proposalId` (null for entries without one). */
  applied(index: number, proposalId: string | null, result: Applied | null): void {
    const expected = this.byIndex.get(index);
    if (expected !== undefined && expected !== proposalId) {
      const lost = this.waiters.get(expected);
      this.forget(expected);
      lost?.reject(new SynodError('no_leader', 'leadership changed before the write was committed; it was not applied'));
    }
    if (proposalId === null || result === null) return;
    const waiter = this.waiters.get(proposalId);
    if (waiter === undefined) return;
    this.forget(proposalId);
    waiter.resolve(result);
  }

  /** Fails every waiter (the member is stopping). */
  failAll(error: Error): void {
    const waiters = [...this.waiters.values()];
    this.waiters.clear();
    this.byIndex.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  private forget(proposalId: string): void {
    const waiter = this.waiters.get(proposalId);
    if (waiter?.index !== null && waiter?.index !== undefined) this.byIndex.delete(waiter.index);
    this.waiters.delete(proposalId);
  }
}

/** The error a caller gets for a proposal Raft refused: it certainly was not applied. */
export function dropError(error: unknown): Error {
  if (error instanceof ProposalDroppedError) {
    if (error.reason === 'uncommittedSizeCap') return new SynodError('too_many_requests', 'too many uncommitted writes; retry later');
    return new SynodError('no_leader', `write not accepted: ${error.message}`);
  }
  return error as Error;
}
