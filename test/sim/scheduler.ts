/**
 * Simulated time. The clock counts slots (`SLOTS_PER_TICK` per Raft tick); work scheduled for a slot
 * runs in the order it was scheduled, so a run is a deterministic sequence of steps.
 */
export class Scheduler {
  /** The slot being run (or the last one run). */
  now = 0;
  private readonly buckets = new Map<number, (() => void)[]>();
  private pendingCount = 0;

  /** Runs `fn` at slot `slot` (the current slot is allowed: it runs after what is already queued). */
  at(slot: number, fn: () => void): void {
    if (slot < this.now) throw new RangeError(`cannot schedule at slot ${slot}, now is ${this.now}`);
    const bucket = this.buckets.get(slot);
    if (bucket === undefined) this.buckets.set(slot, [fn]);
    else bucket.push(fn);
    this.pendingCount++;
  }

  /** Runs `fn` `delaySlots` slots from now. */
  after(delaySlots: number, fn: () => void): void {
    this.at(this.now + delaySlots, fn);
  }

  /** Moves to `slot` and runs everything scheduled for it, including work scheduled while running. */
  runSlot(slot: number): void {
    this.now = slot;
    const bucket = this.buckets.get(slot);
    if (bucket === undefined) return;
    for (let i = 0; i < bucket.length; i++) {
      this.pendingCount--;
      bucket[i]!();
    }
    this.buckets.delete(slot);
  }

  /** Number of scheduled, not yet run, items. */
  pending(): number {
    return this.pendingCount;
  }
}
