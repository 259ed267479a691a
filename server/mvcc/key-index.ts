import sortedBtree from 'sorted-btree';
import { EMPTY, ZERO_BYTE, compareBytes, type Bytes, type KeyRange } from './bytes.js';
import type { KeyValue, Revision } from './types.js';
import { assert } from '../errors.js';

const BTree = sortedBtree.default;

/**
 * One generation of a key: from the put that created it to the delete that ended it (if any).
 * `mains`/`subs` hold the revisions of every change still kept (compaction drops old ones), in
 * ascending order; when `closed`, the last one is the tombstone.
 */
interface Generation {
  /** Revision of the put that created the generation; 0 for one restored from a lone delete. */
  readonly createRevision: number;
  readonly mains: number[];
  readonly subs: number[];
  closed: boolean;
}

/** Everything the index knows about one key: its kept revisions and its live value, if any. */
export interface KeyHistory {
  readonly key: Bytes;
  readonly generations: Generation[];
  /** The live value at the current revision, or null when the key is deleted. */
  current: KeyValue | null;
}

/** Where a key stood at some revision: the change in effect then. */
export interface RevisionAt {
  readonly revision: Revision;
  readonly createRevision: number;
  /** True when the change in effect is a delete: the key did not exist at that revision. */
  readonly tombstone: boolean;
}

/**
 * The in-memory ordered index of the key space: key -> generations of revisions plus the live value.
 * Values of older revisions live in storage; this index says which revision to fetch.
 * Invariant: within a key, (main, sub) revisions strictly increase across generations, and only the
 * last generation may be open.
 */
export class KeyIndex {
  private readonly tree = new BTree<Bytes, KeyHistory>(undefined, compareBytes);

  /** Number of keys with any kept history (live or not). */
  get size(): number {
    return this.tree.size;
  }

  /** Removes every key. */
  clear(): void {
    this.tree.clear();
  }

  get(key: Bytes): KeyHistory | undefined {
    return this.tree.get(key);
  }

  /** Records a put: `kv.modRevision` with `sub` becomes the newest revision of the key. */
  recordPut(kv: KeyValue, sub: number): void {
    const history = this.getOrCreate(kv.key);
    assertFollows(history, kv.modRevision, sub);
    let generation = history.generations.at(-1);
    if (generation === undefined || generation.closed) {
      generation = { createRevision: kv.createRevision, mains: [], subs: [], closed: false };
      history.generations.push(generation);
    }
    generation.mains.push(kv.modRevision);
    generation.subs.push(sub);
    history.current = kv;
  }

  /** Records a delete of a live key at (main, sub). */
  recordDelete(key: Bytes, main: number, sub: number): void {
    const history = this.tree.get(key);
    const generation = history?.generations.at(-1);
    assert(history !== undefined && generation !== undefined && !generation.closed, 'delete of a key that is not live');
    assertFollows(history, main, sub);
    generation.mains.push(main);
    generation.subs.push(sub);
    generation.closed = true;
    history.current = null;
  }

  /**
   * Records a delete read back from storage on start-up. Unlike `recordDelete` the key need not be
   * live: compaction keeps a delete made at the compact revision but drops the put before it, so the
   * delete can be the first stored change of its key. It then becomes a generation of its own.
   */
  restoreDelete(key: Bytes, main: number, sub: number): void {
    const history = this.getOrCreate(key);
    const generation = history.generations.at(-1);
    if (generation !== undefined && !generation.closed) {
      this.recordDelete(key, main, sub);
      return;
    }
    assertFollows(history, main, sub);
    history.generations.push({ createRevision: 0, mains: [main], subs: [sub], closed: true });
    history.current = null;
  }

  /** Histories of every key inside the range, in key order. */
  *histories(range: KeyRange): Generator<KeyHistory> {
    if (range.end === EMPTY) {
      const history = this.tree.get(range.key);
      if (history !== undefined) yield history;
      return;
    }
    const unbounded = range.end === ZERO_BYTE;
    for (const [key, history] of this.tree.entries(range.key)) {
      if (!unbounded && key >= range.end) return;
      yield history;
    }
  }

  /** The change in effect for `history` at revision `atMain`, or null if the key had no change yet. */
  revisionAt(history: KeyHistory, atMain: number): RevisionAt | null {
    const generations = history.generations;
    for (let g = generations.length - 1; g >= 0; g--) {
      const generation = generations[g]!;
      const first = generation.mains[0];
      if (first === undefined || first > atMain) continue;
      const i = lastAtOrBelow(generation.mains, atMain);
      const tombstone = generation.closed && i === generation.mains.length - 1;
      return {
        revision: { main: generation.mains[i]!, sub: generation.subs[i]! },
        createRevision: generation.createRevision,
        tombstone,
      };
    }
    return null;
  }

  /**
   * Drops every revision that no read or watch at `atMain` or later can need: for each key, all
   * revisions older than `atMain` except a put still in effect at `atMain`. Every change made at
   * `atMain` itself is kept, so a watch from `atMain` sees it (etcd 3.4 drops a delete made exactly at
   * the compact revision, later etcd keeps it; reads answer the same either way).
   * Returns the dropped revisions so storage can remove them.
   */
  compact(atMain: number): Revision[] {
    const dropped: Revision[] = [];
    const emptied: Bytes[] = [];
    for (const [key, history] of this.tree.entries()) {
      compactHistory(history, atMain, dropped);
      if (history.generations.length === 0 && history.current === null) emptied.push(key);
    }
    for (const key of emptied) this.tree.delete(key);
    return dropped;
  }

  private getOrCreate(key: Bytes): KeyHistory {
    let history = this.tree.get(key);
    if (history === undefined) {
      history = { key, generations: [], current: null };
      this.tree.set(key, history);
    }
    return history;
  }
}

/**
 * Asserts that (main, sub) follows the key's last kept revision, across generations. One main may
 * repeat: a txn may change a key twice (a put, then a delete in a later nested txn; or a from-key
 * delete, then a put of a key inside it).
 */
function assertFollows(history: KeyHistory, main: number, sub: number): void {
  const last = history.generations.at(-1);
  const lastMain = last?.mains.at(-1);
  const lastSub = last?.subs.at(-1);
  const follows = lastMain === undefined || lastMain < main || (lastMain === main && lastSub! < sub);
  assert(follows, `revision ${main}.${sub} of a key does not follow ${lastMain}.${lastSub}`);
}

/** Index of the last element <= target in an ascending array whose first element is <= target. */
function lastAtOrBelow(sorted: readonly number[], target: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (sorted[mid]! <= target) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Drops the key's revisions older than `atMain` except the put in effect at `atMain`, which reads there
 * still need. Revisions at `atMain` or later all stay, even a delete made at `atMain` before a put of the
 * same txn recreated the key (a from-key delete can precede a put of a key inside it).
 */
function compactHistory(history: KeyHistory, atMain: number, dropped: Revision[]): void {
  const spared = putInEffectBefore(history, atMain);
  for (const generation of history.generations) {
    let older = 0;
    while (older < generation.mains.length && generation.mains[older]! < atMain) older++;
    // The spared put is the last revision older than atMain, so the last of its generation's older ones.
    const cut = generation === spared ? older - 1 : older;
    for (let i = 0; i < cut; i++) dropped.push({ main: generation.mains[i]!, sub: generation.subs[i]! });
    generation.mains.splice(0, cut);
    generation.subs.splice(0, cut);
  }
  const kept = history.generations.filter((generation) => generation.mains.length > 0);
  history.generations.splice(0, history.generations.length, ...kept);
}

/** The generation whose last revision older than `atMain` is a put still in effect at `atMain`, if any. */
function putInEffectBefore(history: KeyHistory, atMain: number): Generation | undefined {
  for (let g = history.generations.length - 1; g >= 0; g--) {
    const generation = history.generations[g]!;
    if ((generation.mains[0] ?? Infinity) > atMain) continue;
    const i = lastAtOrBelow(generation.mains, atMain);
    const tombstone = generation.closed && i === generation.mains.length - 1;
    return generation.mains[i]! < atMain && !tombstone ? generation : undefined;
  }
  return undefined;
}
