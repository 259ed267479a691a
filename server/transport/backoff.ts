/**
 * Capped exponential backoff with "equal jitter": the n-th consecutive delay is drawn uniformly from
 * [d/2, d] where d = min(max, min * 2^n). Jitter spreads the redials of many members that lost a peer
 * at the same moment. Randomness comes from `random` (Math.random by default; tests pass their own).
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly delayMsMin: number,
    private readonly delayMsMax: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call counts one more consecutive failure. */
  nextDelayMs(): number {
    const ceiling = Math.min(this.delayMsMax, this.delayMsMin * 2 ** Math.min(this.failures, 30));
    this.failures += 1;
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  /** A success: the next failure starts again from `delayMsMin`. */
  reset(): void {
    this.failures = 0;
  }
}
