import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * The only source of randomness of the core (the election-timeout draw). Implementations must be
 * deterministic for a given seed so that a seed plus an input sequence replays exactly.
 */
export interface Rng {
  /** Returns an integer uniformly drawn from [0, maxExclusive). `maxExclusive` is a positive safe integer. */
  nextInt(maxExclusive: number): number;
}

/** Murmur3's 32-bit finalizer: spreads nearby seeds (1, 2, 3...) over the whole state space. */
function mixSeed(seed: number): number {
  let x = seed | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x;
}

/** Outputs discarded after seeding, so the first draws do not echo the seed. */
const WARM_UP_DRAWS = 8;

/**
 * A seeded generator (xoroshiro128+ from `pure-rand`). The same seed yields the same sequence. Seeds are
 * scrambled first: seeded directly with small integers, xoroshiro's first outputs are nearly linear in
 * the seed, which gave nodes seeded by their ids correlated election timeouts.
 */
export function seededRng(seed: number): Rng {
  const generator = xoroshiro128plus(mixSeed(seed));
  for (let i = 0; i < WARM_UP_DRAWS; i++) generator.next();
  return {
    nextInt(maxExclusive: number): number {
      if (!Number.isSafeInteger(maxExclusive) || maxExclusive <= 0) {
        throw new RangeError(`nextInt bound must be a positive safe integer, got ${maxExclusive}`);
      }
      return uniformInt(generator, 0, maxExclusive - 1);
    },
  };
}
