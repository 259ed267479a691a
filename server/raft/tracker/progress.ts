import { Inflights } from './inflights.js';

/**
 * How the leader replicates to one follower. `probe`: one MsgApp per heartbeat until a match is found.
 * `replicate`: optimistic pipelining, bounded by inflights. `snapshot`: a snapshot is in flight and
 * appends are paused until the app reports its outcome.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/**
 * The leader's view of one follower. Invariant: match < next. `match` is the highest index known to be
 * durable on the follower; `next` is the next index to send.
 */
export class Progress {
  match: number;
  next: number;
  state: ProgressState = 'probe';
  /** In `snapshot` state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Set on any message from the follower; cleared by every CheckQuorum round. */
  recentActive: boolean;
  /** The highest commit index sent to the follower (in an append or heartbeat). */
  sentCommit = 0;
  /** In probe/replicate: true when no further MsgApp may be sent right now. */
  msgAppFlowPaused = false;
  readonly inflights: Inflights;
  isLearner: boolean;

  constructor(options: { match: number; next: number; inflights: Inflights; isLearner: boolean; recentActive: boolean }) {
    this.match = options.match;
    this.next = options.next;
    this.inflights = options.inflights;
    this.isLearner = options.isLearner;
    this.recentActive = options.recentActive;
  }

  private resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  /** Back to probing from match+1 (or past a snapshot just sent). */
  becomeProbe(): void {
    // Appends in flight may be lost: only what the follower surely holds bounds what it was told.
    this.sentCommit = Math.min(this.sentCommit, this.match);
    if (this.state === 'snapshot') {
      const pendingSnapshot = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pendingSnapshot + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  /** Start pipelining from match+1. */
  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  /** A snapshot at `snapshotIndex` is being sent. */
  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** Account for a MsgApp with `entryCount` entries and `bytes` bytes that was just sent. */
  sentEntries(entryCount: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (entryCount > 0) {
        this.next += entryCount;
        this.inflights.add(this.next - 1, bytes);
      }
      this.msgAppFlowPaused = this.inflights.full();
    } else if (this.state === 'probe') {
      if (entryCount > 0) this.msgAppFlowPaused = true;
    }
  }

  /** Records that a commit index was sent (appends and heartbeats carry one). */
  sentCommitTo(commit: number): void {
    this.sentCommit = Math.max(this.sentCommit, commit);
  }

  /** True when the follower may not know commit index `commit` yet and can be sent an append. */
  canBumpCommit(commit: number): boolean {
    return this.state !== 'snapshot' && this.sentCommit < commit;
  }

  /** An ack for `index` arrived. Returns true if `match` moved forward. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.msgAppFlowPaused = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A MsgApp at `rejected` was refused; `matchHint` is the follower's best guess of a matching index.
   * Returns false when the rejection is stale (it does not concern the current probe).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /** True when the leader must not send a MsgApp now. */
  isPaused(): boolean {
    return this.state === 'snapshot' ? true : this.msgAppFlowPaused;
  }

  /** Compact rendering for log lines, e.g. `StateProbe match=3 next=4 paused`. */
  toString(): string {
    let s = `StateReplicate match=${this.match} next=${this.next}`;
    if (this.state === 'probe') s = `StateProbe match=${this.match} next=${this.next}`;
    if (this.state === 'snapshot') s = `StateSnapshot match=${this.match} next=${this.next} pendingSnap=${this.pendingSnapshot}`;
    if (this.isLearner) s += ' learner';
    if (this.isPaused()) s += ' paused';
    if (!this.recentActive) s += ' inactive';
    if (this.inflights.count() > 0) s += ` inflight=${this.inflights.count()}`;
    if (this.inflights.full()) s += '[full]';
    return s;
  }
}
