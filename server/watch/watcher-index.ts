import IntervalTree, { Interval } from '@flatten-js/interval-tree';
import type { Watcher } from './watcher.js';

/**
 * The synced watchers, indexed so that finding the watchers of a changed key costs in proportion to
 * the watchers that match it: a map for single-key watchers, an interval tree for ranges and prefixes.
 */
export class WatcherIndex {
  private readonly byKey = new Map<string, Set<Watcher>>();
  private readonly byRange = new IntervalTree<Watcher>();
  private sizeValue = 0;

  get size(): number {
    return this.sizeValue;
  }

  add(watcher: Watcher): void {
    if (watcher.isSingleKey) {
      let set = this.byKey.get(watcher.range.key);
      if (set === undefined) this.byKey.set(watcher.range.key, (set = new Set()));
      set.add(watcher);
    } else {
      this.byRange.insert(new Interval(watcher.range.key, watcher.intervalHigh), watcher);
    }
    this.sizeValue++;
  }

  remove(watcher: Watcher): void {
    if (watcher.isSingleKey) {
      const set = this.byKey.get(watcher.range.key);
      if (set?.delete(watcher) !== true) return;
      if (set.size === 0) this.byKey.delete(watcher.range.key);
    } else if (this.byRange.remove(new Interval(watcher.range.key, watcher.intervalHigh), watcher) === undefined) {
      return;
    }
    this.sizeValue--;
  }

  /** Calls `visit` for every indexed watcher whose range contains `key`. */
  forEachMatch(key: string, visit: (watcher: Watcher) => void): void {
    const exact = this.byKey.get(key);
    if (exact !== undefined) for (const watcher of exact) visit(watcher);
    if (this.byRange.isEmpty()) return;
    // The tree holds closed intervals; the range end is exclusive, so re-check containment.
    for (const watcher of this.byRange.search(new Interval(key, key))) {
      if (watcher.matches(key)) visit(watcher);
    }
  }
}
