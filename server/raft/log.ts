import { CompactedError, UnavailableError, raftAssert } from './errors.js';
import { limitSize, type Storage } from './storage.js';
import { Unstable } from './unstable.js';
import { entrySizeBytes, type Entry, type Snapshot } from './types.js';

/**
 * The log as Raft sees it: durable `storage` plus the `unstable` tail. Tracks `committed`,
 * `applying` (handed out in a Ready) and `applied`, with applied <= applying <= committed <= lastIndex.
 * Committed entries are handed out only once they are durable locally (below `unstable.offset`).
 */
export class RaftLog {
  readonly storage: Storage;
  readonly unstable: Unstable;
  committed: number;
  applying: number;
  applied: number;
  private readonly maxApplyingBytes: number;

  constructor(storage: Storage, maxApplyingBytes: number) {
    this.storage = storage;
    this.maxApplyingBytes = maxApplyingBytes;
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applying = first - 1;
    this.applied = first - 1;
  }

  /** One-line summary of the log's indexes, for logs and assertion messages. */
  toString(): string {
    return `committed=${this.committed}, applied=${this.applied}, applying=${this.applying}, unstable.offset=${this.unstable.offset}, unstable.offsetInProgress=${this.unstable.offsetInProgress}, len(unstable.entries)=${this.unstable.entries.length}`;
  }

  /**
   * Follower-side append of a leader's MsgApp. Returns the last new index when the entry at
   * (index, logTerm) matches, else null. Never truncates a committed entry.
   */
  maybeAppend(index: number, logTerm: number, committed: number, ents: readonly Entry[]): number | null {
    if (!this.matchTerm(index, logTerm)) return null;
    const lastNewIndex = index + ents.length;
    const conflict = this.findConflict(ents);
    if (conflict !== 0) {
      raftAssert(conflict > this.committed, () => `entry ${conflict} conflicts with committed entry [committed(${this.committed})]`);
      this.append(ents.slice(conflict - index - 1));
    }
    this.commitTo(Math.min(committed, lastNewIndex));
    return lastNewIndex;
  }

  /** Appends entries (possibly overwriting an uncommitted suffix); returns the new last index. */
  append(ents: readonly Entry[]): number {
    const first = ents[0];
    if (first === undefined) return this.lastIndex();
    raftAssert(first.index - 1 >= this.committed, () => `after(${first.index - 1}) is out of range [committed(${this.committed})]`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** Index of the first entry in `ents` whose term differs from ours (or that we lack); 0 if none. */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term`, with that term. Used for rejection hints so a
   * leader can skip a whole term of divergent entries in one round trip. Returns [0, 0] if none.
   */
  findConflictByTerm(index: number, term: number): [number, number] {
    for (let i = Math.min(index, this.lastIndex()); i > 0; i--) {
      const t = this.termOrNull(i);
      if (t === null) return [i, 0];
      if (t <= term) return [i, t];
    }
    return [0, 0];
  }

  /** Entries not yet handed out for persistence. */
  nextUnstableEntries(): Entry[] {
    return this.unstable.nextEntries();
  }

  /** The snapshot waiting to be persisted, if any. */
  nextUnstableSnapshot(): Snapshot | null {
    return this.unstable.nextSnapshot();
  }

  /** True while a received snapshot is not yet durable. */
  hasSnapshotPending(): boolean {
    return this.unstable.snapshot !== null;
  }

  /** Highest index that is both committed and durable locally: the limit of what may be applied. */
  maxAppliableIndex(): number {
    return Math.min(this.committed, this.unstable.offset - 1);
  }

  /** True when committed, durable entries wait to be handed out. */
  hasNextCommittedEntries(): boolean {
    if (this.hasSnapshotPending()) return false;
    return this.applying < this.maxAppliableIndex();
  }

  /** Committed, durable entries not yet handed out, cut to the per-Ready byte limit. */
  nextCommittedEntries(): Entry[] {
    if (this.hasSnapshotPending()) return [];
    const lo = this.applying + 1;
    const hi = this.maxAppliableIndex() + 1;
    if (lo >= hi) return [];
    return this.slice(lo, hi, this.maxApplyingBytes);
  }

  /** The latest snapshot (pending or durable). */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** First index still held (storage's, or past a pending snapshot). */
  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  /** Last index held, unstable entries included. */
  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** Moves the commit index forward. Asserts it never passes the last index. */
  commitTo(toCommit: number): void {
    if (this.committed >= toCommit) return;
    raftAssert(
      this.lastIndex() >= toCommit,
      () => `tocommit(${toCommit}) is out of range [lastIndex(${this.lastIndex()})]. Was the raft log corrupted, truncated, or lost?`,
    );
    this.committed = toCommit;
  }

  /** Entries up to `index` were applied by the app. Asserts applied <= committed and monotonicity. */
  appliedTo(index: number): void {
    if (index === 0) return;
    raftAssert(
      this.committed >= index && index >= this.applied,
      () => `applied(${index}) is out of range [prevApplied(${this.applied}), committed(${this.committed})]`,
    );
    this.applied = index;
    this.applying = Math.max(this.applying, index);
  }

  /** Entries up to `index` were handed out in a Ready for applying. */
  acceptApplying(index: number): void {
    raftAssert(index <= this.committed, () => `applying(${index}) passes committed(${this.committed})`);
    this.applying = index;
  }

  /** Term of the last entry (asserts it is known). */
  lastTerm(): number {
    const t = this.termOrNull(this.lastIndex());
    raftAssert(t !== null, 'unexpected error when getting the last term');
    return t;
  }

  /** Term at `index`; throws CompactedError / UnavailableError outside [firstIndex-1, lastIndex]. */
  term(index: number): number {
    const fromUnstable = this.unstable.maybeTerm(index);
    if (fromUnstable !== null) return fromUnstable;
    const dummyIndex = this.firstIndex() - 1;
    if (index < dummyIndex) throw new CompactedError(index, dummyIndex + 1);
    if (index > this.lastIndex()) throw new UnavailableError(index);
    return this.storage.term(index);
  }

  /**
   * Term at `index`, or null when it is compacted or unavailable. Checks the bounds first: a follower
   * asks for the term one past its log on every append, and throwing for it cost 2 % of its CPU.
   */
  termOrNull(index: number): number | null {
    const fromUnstable = this.unstable.maybeTerm(index);
    if (fromUnstable !== null) return fromUnstable;
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return null;
    try {
      return this.storage.term(index);
    } catch (err) {
      if (err instanceof CompactedError || err instanceof UnavailableError) return null;
      throw err;
    }
  }

  /** Entries from `index` to the end, cut to `maxBytes`. */
  entries(index: number, maxBytes: number): Entry[] {
    if (index > this.lastIndex()) return [];
    return this.slice(index, this.lastIndex() + 1, maxBytes);
  }

  /** True when a candidate whose last entry is (lastIndex, term) is at least as up to date as us (§5.4.1). */
  isUpToDate(lastIndex: number, term: number): boolean {
    const ourTerm = this.lastTerm();
    return term > ourTerm || (term === ourTerm && lastIndex >= this.lastIndex());
  }

  /** True when the entry at `index` exists and has `term`. */
  matchTerm(index: number, term: number): boolean {
    return this.termOrNull(index) === term;
  }

  /**
   * Commits `maxIndex` if it is ahead and its entry has `term` (the current term): a leader only commits
   * entries of its own term by counting replicas (§5.4.2). `allowOldTerms` is the Figure 8 bug, for tests.
   */
  maybeCommit(maxIndex: number, term: number, allowOldTerms: boolean): boolean {
    if (maxIndex <= this.committed) return false;
    if (!allowOldTerms && this.termOrNull(maxIndex) !== term) return false;
    this.commitTo(maxIndex);
    return true;
  }

  /** Replaces the log with a snapshot; the snapshot index becomes committed. */
  restore(snap: Snapshot): void {
    this.committed = snap.metadata.index;
    this.unstable.restore(snap);
  }

  /** Entries in [lo, hi) across storage and unstable, cut to `maxBytes` (at least one entry). */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    this.checkOutOfBounds(lo, hi);
    if (lo === hi) return [];
    const offset = this.unstable.offset;
    let result: Entry[] = [];
    if (lo < offset) {
      const stored = this.storage.entries(lo, Math.min(hi, offset), maxBytes);
      // A short read from storage means the size limit cut it; stop there.
      if (stored.length < Math.min(hi, offset) - lo) return stored;
      result = stored;
    }
    if (hi > offset) {
      const fromUnstable = this.unstable.slice(Math.max(lo, offset), hi);
      result = result.length > 0 ? result.concat(fromUnstable) : fromUnstable;
    }
    return limitSize(result, maxBytes);
  }

  private checkOutOfBounds(lo: number, hi: number): void {
    raftAssert(lo <= hi, () => `invalid slice ${lo} > ${hi}`);
    const first = this.firstIndex();
    if (lo < first) throw new CompactedError(lo, first);
    const length = this.lastIndex() + 1 - first;
    raftAssert(hi <= first + length, () => `slice[${lo},${hi}) out of bound [${first},${this.lastIndex()}]`);
  }
}

/** Total `entrySizeBytes` of a list of entries. */
export function entriesSizeBytes(ents: readonly Entry[]): number {
  let total = 0;
  for (const e of ents) total += entrySizeBytes(e);
  return total;
}
