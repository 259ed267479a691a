import { ReadIndexDroppedError } from '../raft/index.js';
import { SynodError } from '../errors.js';

interface Round {
  readonly ctx: string;
  readonly waiters: { resolve: () => void; reject: (error: Error) => void }[];
  index: number | null;
  startedAtMs: number;
}

/**
 * Linearizable reads by ReadIndex, batched: every read that arrives while a round is in flight joins
 * the next round, so one heartbeat round serves any number of reads. A round whose answer does not come
 * (its request was dropped in a leader change) is retried with a fresh context; a context is never reused.
 */
export class ReadIndexBatcher {
  private inFlight: Round | null = null;
  private next: Round['waiters'] = [];
  private seq = 0;
  private readonly ready: Round[] = [];

  constructor(
    private readonly bootId: string,
    /** Issues a ReadIndex request with a unique context (throws ReadIndexDroppedError without a leader). */
    private readonly issue: (ctx: string) => void,
    private readonly appliedIndex: () => number,
    private readonly nowMs: () => number,
    private readonly retryAfterMs: number,
  ) {}

  /** Resolves once local state reflects every write acknowledged before the call. */
  wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      if (signal !== undefined) {
        const onAbort = (): void => reject(new SynodError('canceled', 'read canceled'));
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.resolve = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      }
      this.next.push(waiter);
      if (this.inFlight === null) this.startRound();
    });
  }

  /** A ReadState arrived from Raft. */
  onReadState(ctx: string, index: number): void {
    if (this.inFlight === null || this.inFlight.ctx !== ctx) return;
    this.inFlight.index = index;
    this.ready.push(this.inFlight);
    this.inFlight = null;
    this.release();
    if (this.next.length > 0) this.startRound();
  }

  /** Called after entries are applied: releases rounds whose read index is now applied. */
  release(): void {
    const applied = this.appliedIndex();
    while (this.ready.length > 0 && this.ready[0]!.index! <= applied) {
      for (const waiter of this.ready.shift()!.waiters) waiter.resolve();
    }
  }

  /** Called on every tick: retries a round that went unanswered too long. */
  tick(): void {
    if (this.inFlight !== null && this.nowMs() - this.inFlight.startedAtMs >= this.retryAfterMs) {
      const waiters = this.inFlight.waiters;
      this.inFlight = null;
      this.next = [...waiters, ...this.next];
      this.startRound();
    }
  }

  /** Fails every pending read. */
  failAll(error: Error): void {
    const all = [...(this.inFlight?.waiters ?? []), ...this.next, ...this.ready.flatMap((round) => round.waiters)];
    this.inFlight = null;
    this.next = [];
    this.ready.length = 0;
    for (const waiter of all) waiter.reject(error);
  }

  private startRound(): void {
    const round: Round = { ctx: `${this.bootId}.r${++this.seq}`, waiters: this.next, index: null, startedAtMs: this.nowMs() };
    this.next = [];
    try {
      this.issue(round.ctx);
      this.inFlight = round;
    } catch (error) {
      const reason = error instanceof ReadIndexDroppedError ? new SynodError('no_leader', 'no leader: cannot serve a linearizable read') : error;
      for (const waiter of round.waiters) waiter.reject(reason as Error);
    }
  }
}
