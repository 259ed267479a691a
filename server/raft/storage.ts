import {
  CompactedError,
  SnapshotOutOfDateError,
  UnavailableError,
  assertSafeIndex,
  raftAssert,
} from './errors.js';
import {
  emptyHardState,
  emptySnapshot,
  entrySizeBytes,
  type ConfState,
  type Entry,
  type HardState,
  type Snapshot,
} from './types.js';

/**
 * The durable log as the core reads it. Synchronous by design: the member keeps a `MemoryStorage`
 * mirror of what it persisted on disk. Methods throw `CompactedError` for indexes below the first
 * retained one and `UnavailableError` for indexes past the end; `snapshot()` may throw
 * `SnapshotTemporarilyUnavailableError`. Storage must never return entries that were not persisted.
 */
export interface Storage {
  /** The persisted HardState and the ConfState of the latest snapshot (or bootstrap). */
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), cut to `maxBytes` total but always at least one entry when the range is non-empty. */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of the entry at `index`; valid for [firstIndex()-1, lastIndex()]. */
  term(index: number): number;
  /** Index of the first available entry (snapshot index + 1). */
  firstIndex(): number;
  /** Index of the last entry (the snapshot index when the log is empty). */
  lastIndex(): number;
  /** The most recent snapshot. */
  snapshot(): Snapshot;
}

/** Keeps the first entries whose total size fits `maxBytes`; always keeps at least one. */
export function limitSize(entries: Entry[], maxBytes: number): Entry[] {
  if (entries.length === 0) return entries;
  let size = entrySizeBytes(entries[0]!);
  let limit = 1;
  while (limit < entries.length) {
    size += entrySizeBytes(entries[limit]!);
    if (size > maxBytes) break;
    limit++;
  }
  return limit === entries.length ? entries : entries.slice(0, limit);
}

/**
 * An in-memory `Storage`. It holds a dummy entry at the snapshot index so the term of `firstIndex()-1`
 * stays known. The app writes to it in Ready order: `applySnapshot`, `append`, `setHardState`.
 * Invariants: entries are contiguous; compaction never passes the latest snapshot.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = emptyHardState();
  private snap: Snapshot = emptySnapshot();
  /** ents[0] is the dummy entry at the snapshot index. */
  private ents: Entry[] = [{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }];

  /** Copies of the stored HardState and the latest snapshot's ConfState. */
  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.hardState }, confState: structuredCloneConfState(this.snap.metadata.confState) };
  }

  /** Records the HardState persisted alongside the entries. */
  setHardState(hs: HardState): void {
    assertSafeIndex(hs.term, 'hardState.term');
    assertSafeIndex(hs.commit, 'hardState.commit');
    this.hardState = { ...hs };
  }

  /** Entries in [lo, hi), size-limited; CompactedError below the first index. */
  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    const offset = this.offset();
    if (lo <= offset) throw new CompactedError(lo, offset + 1);
    raftAssert(hi <= this.lastIndex() + 1, () => `entries' hi(${hi}) is out of bound lastIndex(${this.lastIndex()})`);
    raftAssert(lo <= hi, () => `invalid entries range [${lo}, ${hi})`);
    if (this.ents.length === 1) throw new UnavailableError(lo);
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxBytes);
  }

  /** Term at `index`, valid from the snapshot index to the last index. */
  term(index: number): number {
    const offset = this.offset();
    if (index < offset) throw new CompactedError(index, offset + 1);
    const entry = this.ents[index - offset];
    if (entry === undefined) throw new UnavailableError(index);
    return entry.term;
  }

  /** Snapshot index + 1. */
  firstIndex(): number {
    return this.offset() + 1;
  }

  /** Index of the last stored entry (the snapshot index if none). */
  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  /** The latest snapshot (applied or created). */
  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces the whole log with `snap` (a snapshot received from the leader). Refuses older snapshots. */
  applySnapshot(snap: Snapshot): void {
    const current = this.snap.metadata.index;
    if (snap.metadata.index < current) throw new SnapshotOutOfDateError(snap.metadata.index, current);
    this.snap = snap;
    this.ents = [{ term: snap.metadata.term, index: snap.metadata.index, type: 'normal', data: new Uint8Array(0) }];
  }

  /**
   * Records a snapshot of the state machine at `index` (which the app has applied). `confState` is the
   * configuration in force at `index`; omit it to keep the previous snapshot's. Returns the snapshot.
   */
  createSnapshot(index: number, confState: ConfState | null, data: Uint8Array): Snapshot {
    const current = this.snap.metadata.index;
    if (index <= current) throw new SnapshotOutOfDateError(index, current);
    raftAssert(index <= this.lastIndex(), () => `snapshot ${index} is out of bound lastIndex(${this.lastIndex()})`);
    const term = this.term(index);
    this.snap = {
      metadata: { index, term, confState: structuredCloneConfState(confState ?? this.snap.metadata.confState) },
      data,
    };
    return this.snap;
  }

  /**
   * Discards entries up to and including `compactIndex`. The app may only compact what a snapshot
   * covers, so a lagging follower can always be sent that snapshot instead.
   */
  compact(compactIndex: number): void {
    const offset = this.offset();
    if (compactIndex <= offset) throw new CompactedError(compactIndex, offset + 1);
    raftAssert(compactIndex <= this.lastIndex(), () => `compact ${compactIndex} is out of bound lastIndex(${this.lastIndex()})`);
    raftAssert(
      compactIndex <= this.snap.metadata.index,
      () => `compact ${compactIndex} passes the latest snapshot at ${this.snap.metadata.index}; call createSnapshot first`,
    );
    const i = compactIndex - offset;
    const dummy: Entry = { term: this.ents[i]!.term, index: compactIndex, type: 'normal', data: new Uint8Array(0) };
    this.ents = [dummy, ...this.ents.slice(i + 1)];
  }

  /**
   * Appends entries (Ready.entries). Entries at or after an existing index replace the stored suffix;
   * entries the snapshot already covers are ignored. Asserts that no gap is created.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const lastNew = entries[0]!.index + entries.length - 1;
    if (lastNew < first) return;
    let toAppend = entries;
    if (first > entries[0]!.index) toAppend = entries.slice(first - entries[0]!.index);
    const at = toAppend[0]!.index - this.offset();
    raftAssert(at <= this.ents.length, () => `missing log entry [last: ${this.lastIndex()}, append at: ${toAppend[0]!.index}]`);
    for (const e of toAppend) {
      assertSafeIndex(e.index, 'entry.index');
      assertSafeIndex(e.term, 'entry.term');
    }
    // In place: the array never leaves this class (entries() hands out slices), and copying the
    // whole log on every append cost more than the append itself once thousands of entries are held.
    this.ents.length = at;
    for (const e of toAppend) this.ents.push(e);
  }

  private offset(): number {
    return this.ents[0]!.index;
  }
}

function structuredCloneConfState(cs: ConfState): ConfState {
  return {
    voters: [...cs.voters],
    votersOutgoing: [...cs.votersOutgoing],
    learners: [...cs.learners],
    learnersNext: [...cs.learnersNext],
    autoLeave: cs.autoLeave,
  };
}
