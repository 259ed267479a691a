import { raftAssert } from './errors.js';
import type { Entry, Snapshot } from './types.js';

/**
 * The part of the log not yet durable: an optional incoming snapshot and entries from `offset` on.
 * `offsetInProgress` / `snapshotInProgress` mark what a Ready already handed to the app for
 * persistence. Entries leave this structure only through `stableTo`, which checks the (term, index)
 * still matches, so an acknowledgement for an overwritten entry is ignored.
 */
export class Unstable {
  snapshot: Snapshot | null = null;
  entries: Entry[] = [];
  /** Index of entries[0] (or where the next entry goes). */
  offset: number;
  snapshotInProgress = false;
  /** Entries below this index were handed out in a Ready but not yet acknowledged. */
  offsetInProgress: number;

  constructor(offset: number) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  /** First index if a snapshot is pending, else null (the storage decides). */
  maybeFirstIndex(): number | null {
    return this.snapshot === null ? null : this.snapshot.metadata.index + 1;
  }

  /** Last index held here, else null. */
  maybeLastIndex(): number | null {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot === null ? null : this.snapshot.metadata.index;
  }

  /** Term at `index` if held here, else null. */
  maybeTerm(index: number): number | null {
    if (index < this.offset) {
      if (this.snapshot !== null && this.snapshot.metadata.index === index) return this.snapshot.metadata.term;
      return null;
    }
    const entry = this.entries[index - this.offset];
    return entry === undefined ? null : entry.term;
  }

  /** Entries not yet handed out for persistence. */
  nextEntries(): Entry[] {
    const handedOut = this.offsetInProgress - this.offset;
    return handedOut >= this.entries.length ? [] : this.entries.slice(handedOut);
  }

  /** The snapshot, if not yet handed out for persistence. */
  nextSnapshot(): Snapshot | null {
    return this.snapshot === null || this.snapshotInProgress ? null : this.snapshot;
  }

  /** Marks everything held here as handed out for persistence. */
  acceptInProgress(): void {
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined) this.offsetInProgress = last.index + 1;
    if (this.snapshot !== null) this.snapshotInProgress = true;
  }

  /** Entries up to `index` are durable, provided the entry there still has `term`. */
  stableTo(term: number, index: number): void {
    const found = this.maybeTerm(index);
    if (found === null || found !== term || index < this.offset) return;
    const drop = index + 1 - this.offset;
    this.entries = this.entries.slice(drop);
    this.offset = index + 1;
    this.offsetInProgress = Math.max(this.offsetInProgress, this.offset);
  }

  /** The snapshot at `index` is durable. */
  stableSnapTo(index: number): void {
    if (this.snapshot !== null && this.snapshot.metadata.index === index) {
      this.snapshot = null;
      this.snapshotInProgress = false;
    }
  }

  /** Replaces everything with a snapshot received from the leader. */
  restore(snap: Snapshot): void {
    this.offset = snap.metadata.index + 1;
    this.offsetInProgress = this.offset;
    this.entries = [];
    this.snapshot = snap;
    this.snapshotInProgress = false;
  }

  /** Appends `ents`, first truncating any held suffix at or after `ents[0].index`. */
  truncateAndAppend(ents: readonly Entry[]): void {
    const first = ents[0];
    if (first === undefined) return;
    const fromIndex = first.index;
    if (fromIndex === this.offset + this.entries.length) {
      this.entries = this.entries.concat(ents);
    } else if (fromIndex <= this.offset) {
      // Replaces everything held here (and, once persisted, a suffix of storage too).
      this.entries = [...ents];
      this.offset = fromIndex;
      this.offsetInProgress = this.offset;
    } else {
      this.entries = this.entries.slice(0, fromIndex - this.offset).concat(ents);
      this.offsetInProgress = Math.min(this.offsetInProgress, fromIndex);
    }
  }

  /** Entries in [lo, hi), which must lie within what is held here. */
  slice(lo: number, hi: number): Entry[] {
    raftAssert(
      lo >= this.offset && lo <= hi && hi <= this.offset + this.entries.length,
      () => `unstable.slice[${lo},${hi}) out of bound [${this.offset},${this.offset + this.entries.length}]`,
    );
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
