import type { Applied } from '../apply/applier.js';
import { ProposalDroppedError } from '../raft/index.js';
import { SynodError } from '../errors.js';

interface Waiter {
  readonly resolve: (applied: Applied) => void;
  readonly reject: (error: Error) => void;
  /** The log index the entry got, when this member was the leader that appended it. */
  index: number | null;
  /**
   * The only term the entry can have (Raft appends a proposal, forwarded or not, only in the term it
   * was made in); Infinity until placed, and once a snapshot may have covered it (fate unknown).
   */
  term: number;
}

/**
 * Proposals waiting for their entry to be applied on this member, matched by the proposal id carried
 * in the entry. A proposal certainly was not applied, and fails with a retryable `leader_changed`
 * instead of timing out, when
 * - this member appended it as leader at some index, and a different entry is applied there; or
 * - an entry of a later term than the proposal's is applied: entries are applied in log order and
 *   terms never decrease along the log, so every entry of the proposal's term that will ever be
 *   committed has been applied by then.
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
        term: Infinity,
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

  /**
   * Records that Raft took the proposal in `term` (the node's term right after `propose`), and the
   * index it got when this member appended it as leader (null when it was forwarded).
   */
  placed(proposalId: string, term: number, index: number | null): void {
    const waiter = this.waiters.get(proposalId);
    if (waiter === undefined) return;
    waiter.term = term;
    if (index === null) return;
    waiter.index = index;
    this.byIndex.set(index, proposalId);
  }

  /** Fails a waiter before its proposal entered Raft (so it certainly was not applied). */
  fail(proposalId: string, error: Error): void {
    const waiter = this.waiters.get(proposalId);
    this.forget(proposalId);
    waiter?.reject(error);
  }

  /** `entries` were applied, in order, and the applier returned `results` for them. */
  appliedEntries(entries: readonly { index: number; term: number }[], results: readonly Applied[]): void {
    const byIndex = new Map(results.map((result) => [result.index, result]));
    for (const entry of entries) {
      const result = byIndex.get(entry.index) ?? null;
      this.applied(entry.index, result?.proposalId ?? null, result);
    }
    if (entries.length > 0) this.appliedUpToTerm(entries.at(-1)!.term);
  }

  /** An entry was applied at `index` with `proposalId` (null for entries without one). */
  private applied(index: number, proposalId: string | null, result: Applied | null): void {
    const expected = this.byIndex.get(index);
    if (expected !== undefined && expected !== proposalId) {
      const lost = this.waiters.get(expected);
      this.forget(expected);
      lost?.reject(leaderChanged());
    }
    if (proposalId === null || result === null) return;
    const waiter = this.waiters.get(proposalId);
    if (waiter === undefined) return;
    this.forget(proposalId);
    waiter.resolve(result);
  }

  /**
   * Entries up to one of `term` have been applied: proposals of earlier terms still waiting were lost.
   * Waiters are in proposal order, so their terms never decrease (skipping those of unknown fate).
   */
  private appliedUpToTerm(term: number): void {
    for (const [proposalId, waiter] of this.waiters) {
      if (waiter.term === Infinity) continue;
      if (waiter.term >= term) return;
      this.forget(proposalId);
      waiter.reject(leaderChanged());
    }
  }

  /**
   * A snapshot of `term` replaced the log: a proposal of that term or earlier may be inside it
   * (applied, result unknown) or lost, so it is left to its timeout.
   */
  snapshotInstalled(term: number): void {
    for (const waiter of this.waiters.values()) if (waiter.term <= term) waiter.term = Infinity;
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

function leaderChanged(): SynodError {
  return new SynodError('leader_changed', 'leader changed before the write was committed; it was not applied');
}

/** The error a caller gets for a proposal Raft refused: it certainly was not applied. */
export function dropError(error: unknown): Error {
  if (error instanceof ProposalDroppedError) {
    if (error.reason === 'uncommittedSizeCap') return new SynodError('too_many_requests', 'too many uncommitted writes; retry later');
    if (error.reason === 'termChanged') return leaderChanged();
    return new SynodError('no_leader', `write not accepted: ${error.message}`);
  }
  return error as Error;
}
