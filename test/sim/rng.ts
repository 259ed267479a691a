import { seededRng, type Rng } from '../../server/raft/index.js';

/** Resolution of probabilities drawn by `SimRng.chance` (parts per million). */
const CHANCE_SCALE = 1_000_000;

/**
 * The simulator's only source of randomness: a seeded generator (the Raft core's `seededRng`) with the
 * helpers the simulator needs. Every decision of a run is drawn from one of these, so a seed replays
 * exactly. `fork` derives an independent stream, so that a subsystem drawing more or fewer numbers does
 * not shift the decisions of the others.
 */
export class SimRng implements Rng {
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = seededRng(seed);
  }

  /** An integer uniformly drawn from [0, maxExclusive). */
  nextInt(maxExclusive: number): number {
    return this.rng.nextInt(maxExclusive);
  }

  /** An integer uniformly drawn from [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.rng.nextInt(hi - lo + 1);
  }

  /** True with probability `p` (0 <= p <= 1). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.rng.nextInt(CHANCE_SCALE) < Math.round(p * CHANCE_SCALE);
  }

  /** A probability drawn uniformly from [lo, hi]. */
  probability(lo: number, hi: number): number {
    return lo + ((hi - lo) * this.rng.nextInt(CHANCE_SCALE + 1)) / CHANCE_SCALE;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[this.rng.nextInt(items.length)]!;
  }

  /** A new generator seeded from this one. */
  fork(): SimRng {
    return new SimRng(this.rng.nextInt(0x7fffffff));
  }

  /** A seed for another generator (e.g. a RawNode's election-timeout rng). */
  seed(): number {
    return this.rng.nextInt(0x7fffffff);
  }
}
