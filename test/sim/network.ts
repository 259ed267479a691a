import type { Message, NodeId } from '../../server/raft/index.js';
import type { NetParams } from './params.js';
import type { SimRng } from './rng.js';
import type { Scheduler } from './scheduler.js';

/** What became of a message: delivered, lost on the wire, dropped by a partition, or nobody was there. */
export type MessageFate = 'delivered' | 'lost' | 'blocked' | 'down';

/** Where the network hands a message that arrived, and reports what happened to it. */
export interface NetworkEndpoints {
  /** Delivers `msg` to its destination; returns false when nobody is there (crashed or stopped). */
  deliver(msg: Message): boolean;
  /** What became of the first copy of `msg` (drives snapshot and unreachable reports). */
  outcome(msg: Message, senderIncarnation: number, fate: MessageFate): void;
}

/** Counters of one run's network. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  duplicated: number;
  blocked: number;
  /** Snapshot messages sent (InstallSnapshot). */
  snapshots: number;
}

/**
 * A seeded, lossy network between members. Each message is lost with `lossRate`, duplicated with
 * `dupRate`, and delayed by a random number of slots (sometimes by a much longer extra delay, which
 * reorders it). Partitions are sets of blocked directed links, so they can be symmetric, asymmetric or
 * one-way; a link is checked when the message arrives, so messages in flight when a partition starts
 * are lost too.
 */
export class SimNetwork {
  private readonly blockedLinks = new Set<string>();
  private faulty = true;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, duplicated: 0, blocked: 0, snapshots: 0 };

  constructor(
    private readonly params: NetParams,
    private readonly rng: SimRng,
    private readonly scheduler: Scheduler,
    private readonly endpoints: NetworkEndpoints,
  ) {}

  /** Sends `msg` from a member in its incarnation `senderIncarnation`. */
  send(msg: Message, senderIncarnation: number): void {
    this.stats.sent++;
    if (msg.type === 'snap') this.stats.snapshots++;
    const lost = this.faulty && this.rng.chance(this.params.lossRate);
    if (lost) {
      this.stats.lost++;
      this.scheduler.after(this.delay(), () => this.endpoints.outcome(msg, senderIncarnation, 'lost'));
    } else {
      this.scheduler.after(this.delay(), () => this.arrive(msg, senderIncarnation, true));
    }
    if (this.faulty && this.rng.chance(this.params.dupRate)) {
      this.stats.duplicated++;
      this.scheduler.after(this.delay(), () => this.arrive(msg, senderIncarnation, false));
    }
  }

  private arrive(msg: Message, senderIncarnation: number, first: boolean): void {
    let fate: MessageFate;
    if (this.isBlocked(msg.from, msg.to)) {
      this.stats.blocked++;
      fate = 'blocked';
    } else {
      fate = this.endpoints.deliver(msg) ? 'delivered' : 'down';
      if (fate === 'delivered') this.stats.delivered++;
    }
    if (first) this.endpoints.outcome(msg, senderIncarnation, fate);
  }

  private delay(): number {
    let slots = this.rng.range(this.params.delayMinSlots, this.params.delayMaxSlots);
    if (this.faulty && this.rng.chance(this.params.reorderRate)) slots += this.rng.range(1, this.params.reorderMaxSlots);
    return slots;
  }

  /** True when messages from `from` to `to` are currently dropped. */
  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blockedLinks.size > 0 && this.blockedLinks.has(`${from}>${to}`);
  }

  /** Blocks the directed link `from` -> `to`. */
  block(from: NodeId, to: NodeId): void {
    this.blockedLinks.add(`${from}>${to}`);
  }

  /** True while some link is blocked. */
  partitioned(): boolean {
    return this.blockedLinks.size > 0;
  }

  /** The blocked links, as `from>to` strings (for traces). */
  describePartition(): string {
    return [...this.blockedLinks].sort().join(' ');
  }

  /** Unblocks every link. */
  heal(): void {
    this.blockedLinks.clear();
  }

  /** Liveness phase: no more loss, duplication, reordering or partitions (delays stay). */
  healForever(): void {
    this.heal();
    this.faulty = false;
  }
}
