import { SLOTS_PER_TICK } from './params.js';

/** One measured failover: ticks from losing the leader to a new leader committing in its own term. */
export interface FailoverSample {
  readonly ticks: number;
  readonly cause: 'crash' | 'partition';
  /** No other fault (crash, partition, transfer, membership change) happened meanwhile. */
  readonly clean: boolean;
}

interface Pending {
  readonly startSlot: number;
  readonly oldTerm: number;
  readonly cause: 'crash' | 'partition';
  clean: boolean;
}

/**
 * Measures failovers. A failover starts when the leader crashes or a partition cuts it off from a
 * quorum, and ends when a leader of a higher term commits an entry of its own term (its empty entry at
 * the latest): from then on the cluster serves writes again. If the old leader commits again in its old
 * term first (the partition did not really cut it off, or healed in time), nothing is recorded.
 */
export class FailoverMeter {
  readonly samples: FailoverSample[] = [];
  private pending: Pending | null = null;

  /** The leader of `term` was lost at `slot`. A second loss during a failover only marks it unclean. */
  leaderLost(slot: number, term: number, cause: 'crash' | 'partition'): void {
    if (this.pending === null) this.pending = { startSlot: slot, oldTerm: term, cause, clean: true };
    else this.pending.clean = false;
  }

  /** Some other disturbance happened (it makes a pending failover unclean). */
  disturbed(): void {
    if (this.pending !== null) this.pending.clean = false;
  }

  /** A leader of `term` committed an entry of `term` at `slot`. */
  leaderCommitted(slot: number, term: number): void {
    const p = this.pending;
    if (p === null) return;
    if (term === p.oldTerm) this.pending = null;
    else if (term > p.oldTerm) {
      this.samples.push({ ticks: (slot - p.startSlot) / SLOTS_PER_TICK, cause: p.cause, clean: p.clean });
      this.pending = null;
    }
  }
}

/** Summary statistics of a list of tick counts. */
export interface TickStats {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly worst: number;
}

/** Mean, nearest-rank percentiles and maximum of `values` (zeros when empty). */
export function tickStats(values: readonly number[]): TickStats {
  if (values.length === 0) return { count: 0, mean: 0, p50: 0, p99: 0, worst: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { count: sorted.length, mean, p50: rank(50), p99: rank(99), worst: sorted[sorted.length - 1]! };
}

/** Renders tick statistics on one line. */
export function formatTickStats(s: TickStats): string {
  if (s.count === 0) return 'no samples';
  return `n=${s.count} mean=${s.mean.toFixed(1)} p50=${s.p50.toFixed(1)} p99=${s.p99.toFixed(1)} worst=${s.worst.toFixed(1)} ticks`;
}
