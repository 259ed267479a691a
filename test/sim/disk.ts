import { MemoryStorage, type ConfState, type Entry, type HardState, type Snapshot } from '../../server/raft/index.js';
import type { SimRng } from './rng.js';

/** One write to a member's disk, in the order the member issued it. */
export type DiskWrite =
  | { readonly kind: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly kind: 'append'; readonly entries: readonly Entry[] }
  | { readonly kind: 'hardState'; readonly hardState: HardState }
  | { readonly kind: 'createSnapshot'; readonly index: number; readonly confState: ConfState; readonly data: Uint8Array }
  | { readonly kind: 'compact'; readonly index: number };

/** Applies one write to a MemoryStorage (the live page cache or the durable image). */
function applyWrite(storage: MemoryStorage, w: DiskWrite): void {
  switch (w.kind) {
    case 'snapshot':
      storage.applySnapshot(w.snapshot);
      return;
    case 'append':
      storage.append(w.entries);
      return;
    case 'hardState':
      storage.setHardState(w.hardState);
      return;
    case 'createSnapshot':
      storage.createSnapshot(w.index, w.confState, w.data);
      return;
    case 'compact':
      storage.compact(w.index);
  }
}

/** A deep copy of a MemoryStorage: its snapshot, the entries after it, and its HardState. */
export function cloneStorage(source: MemoryStorage): MemoryStorage {
  const copy = new MemoryStorage();
  const snap = source.snapshot();
  if (snap.metadata.index > 0) copy.applySnapshot(snap);
  const first = Math.max(source.firstIndex(), snap.metadata.index + 1);
  const last = source.lastIndex();
  if (last >= first) copy.append(source.entries(first, last + 1, Number.MAX_SAFE_INTEGER));
  copy.setHardState(source.initialState().hardState);
  return copy;
}

/**
 * A member's simulated disk. `live` is what the member and its RawNode read (the OS page cache: every
 * write lands there at once); `durable` is what survives a crash. Writes are queued in order and reach
 * `durable` on `sync()`. A crash keeps a random prefix of the unsynced writes (writes are never
 * reordered, but any suffix of them may be lost) and the next incarnation starts from `durable`.
 */
export class SimDisk {
  live: MemoryStorage;
  durable: MemoryStorage;
  private pending: DiskWrite[] = [];
  /** Writes lost by crashes so far (for the run's statistics). */
  lostWrites = 0;

  constructor(initial: MemoryStorage) {
    this.durable = initial;
    this.live = cloneStorage(initial);
  }

  /** Issues a write: visible at once in `live`, durable only after `sync()`. */
  write(w: DiskWrite): void {
    applyWrite(this.live, w);
    this.pending.push(w);
  }

  /** Makes every write issued so far durable (fsync). */
  sync(): void {
    for (const w of this.pending) applyWrite(this.durable, w);
    this.pending = [];
  }

  /** Number of writes not yet durable. */
  unsyncedWrites(): number {
    return this.pending.length;
  }

  /** Power loss: a random prefix of the unsynced writes survives, the rest is lost; `live` is rebuilt. */
  crash(rng: SimRng): void {
    const kept = rng.range(0, this.pending.length);
    for (const w of this.pending.slice(0, kept)) applyWrite(this.durable, w);
    this.lostWrites += this.pending.length - kept;
    this.pending = [];
    // Both images restart from the same copy, so they stay identical (same compaction offset too).
    this.durable = cloneStorage(this.durable);
    this.live = cloneStorage(this.durable);
  }
}
