/**
 * Lowe's memoization: the set of search configurations already visited. A configuration is the set
 * of linearized operations plus a branch set; reaching one twice cannot lead anywhere new, because
 * what remains to linearize, and from which states, is the same.
 */
import type { Bitset } from './bitset.js';
import { branchSetHash, branchSetsEqual, type BranchSet } from './branch-set.js';
import type { Model } from './model.js';

/** Configurations seen, bucketed by a 32-bit hash and resolved with exact comparisons. */
export class MemoCache<State> {
  private readonly buckets = new Map<number, { linearized: Bitset; branches: BranchSet<State> }[]>();
  private sizeValue = 0;

  constructor(private readonly model: Model<State, unknown, unknown>) {}

  /** Number of configurations stored. */
  get size(): number {
    return this.sizeValue;
  }

  /** Records the configuration and returns true, or returns false if it was already recorded. */
  addIfNew(linearized: Bitset, branches: BranchSet<State>): boolean {
    const key = (Math.imul(linearized.hash, 0x9e3779b1) ^ branchSetHash(branches)) >>> 0;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    for (const seen of bucket) {
      if (seen.linearized.equals(linearized) && branchSetsEqual(this.model, seen.branches, branches)) return false;
    }
    bucket.push({ linearized: linearized.clone(), branches });
    this.sizeValue += 1;
    return true;
  }
}
