import type { NodeId } from '../../server/raft/index.js';
import { confMembers, type SimCluster } from './cluster.js';
import type { SimMember } from './member.js';
import type { SimRng } from './rng.js';

/** The shapes a partition takes. */
export type PartitionMode = 'isolate' | 'isolateIn' | 'isolateOut' | 'split' | 'splitOneWay' | 'bridge';

const MODES: readonly PartitionMode[] = ['isolate', 'isolateIn', 'isolateOut', 'split', 'splitOneWay', 'bridge'];

/** Counters of injected faults. */
export interface FaultStats {
  partitions: number;
  crashes: number;
  restarts: number;
  transfers: number;
}

/**
 * Injects the safety phase's faults once per tick, each drawn from the seed's parameters: partitions
 * (symmetric, asymmetric, one-way, bridged) that start and heal at random, member crashes (the leader
 * more often) and restarts, and leader-transfer requests. Leader losses are reported to the failover
 * meter.
 */
export class FaultInjector {
  readonly stats: FaultStats = { partitions: 0, crashes: 0, restarts: 0, transfers: 0 };

  constructor(
    private readonly cluster: SimCluster,
    private readonly rng: SimRng,
  ) {}

  /** One tick of faults. */
  tick(): void {
    this.partitions();
    this.crashes();
    this.transfers();
  }

  private partitions(): void {
    const { network, params } = this.cluster;
    if (network.partitioned()) {
      if (this.rng.chance(params.net.partitionHealChance)) {
        network.heal();
        this.cluster.trace?.('HEAL partition');
        const leader = this.cluster.leader();
        // The old leader kept its quorum once healed: not a failover (leaderCommitted settles it).
        if (leader !== undefined) this.cluster.failovers.disturbed();
      }
      return;
    }
    if (!this.rng.chance(params.net.partitionStartChance)) return;
    const ids = this.cluster.liveMembers().map((m) => m.id);
    if (ids.length < 2) return;
    const leader = this.cluster.leader();
    const target = leader !== undefined && this.rng.chance(params.net.partitionLeaderBias) ? leader.id : this.rng.pick(ids);
    const mode = this.rng.pick(MODES);
    this.partition(mode, target, ids);
    this.stats.partitions++;
    this.cluster.trace?.(`PARTITION ${mode} around ${target}: ${network.describePartition()}`);
    if (leader !== undefined && this.cutOffFromQuorum(leader)) {
      this.cluster.failovers.leaderLost(this.cluster.scheduler.now, leader.term, 'partition');
    } else {
      this.cluster.failovers.disturbed();
    }
  }

  private partition(mode: PartitionMode, target: NodeId, ids: NodeId[]): void {
    const net = this.cluster.network;
    const others = ids.filter((id) => id !== target);
    switch (mode) {
      case 'isolate':
      case 'isolateIn':
      case 'isolateOut':
        for (const o of others) {
          if (mode !== 'isolateIn') net.block(target, o);
          if (mode !== 'isolateOut') net.block(o, target);
        }
        return;
      case 'split':
      case 'splitOneWay': {
        const shuffled = this.shuffle(others);
        const minority = [target, ...shuffled.slice(0, this.rng.nextInt(Math.floor(ids.length / 2)))];
        const rest = ids.filter((id) => !minority.includes(id));
        for (const a of minority) {
          for (const b of rest) {
            net.block(a, b);
            if (mode === 'split') net.block(b, a);
          }
        }
        return;
      }
      case 'bridge': {
        // Two sides that only the bridge member can talk to (the Cloudflare 2020 shape).
        const shuffled = this.shuffle(others);
        const bridge = shuffled[0]!;
        const sideA = [target, ...shuffled.slice(1, 1 + this.rng.nextInt(Math.max(1, shuffled.length - 1)))];
        const sideB = ids.filter((id) => id !== bridge && !sideA.includes(id));
        for (const a of sideA) {
          for (const b of sideB) {
            net.block(a, b);
            net.block(b, a);
          }
        }
      }
    }
  }

  private shuffle(ids: NodeId[]): NodeId[] {
    const out = [...ids];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.rng.nextInt(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** True when fewer than a quorum of the leader's voters (itself included) have both links open to it. */
  private cutOffFromQuorum(leader: SimMember): boolean {
    const cs = this.cluster.latestConf.confState;
    const net = this.cluster.network;
    const reachable = (id: NodeId): boolean => id === leader.id || (!net.isBlocked(leader.id, id) && !net.isBlocked(id, leader.id));
    const lacksQuorum = (voters: readonly NodeId[]): boolean =>
      voters.length > 0 && voters.filter(reachable).length < Math.floor(voters.length / 2) + 1;
    return lacksQuorum(cs.voters) || lacksQuorum(cs.votersOutgoing);
  }

  private crashes(): void {
    const { params, failovers, scheduler } = this.cluster;
    const leader = this.cluster.leader();
    for (const m of this.cluster.liveMembers()) {
      if (m.state === 'crashed') {
        if (this.rng.chance(params.crash.restartChance)) {
          m.restart();
          this.stats.restarts++;
        }
        continue;
      }
      const p = m === leader ? params.crash.chance + params.crash.leaderChance : params.crash.chance;
      if (!this.rng.chance(p)) continue;
      if (m === leader) failovers.leaderLost(scheduler.now, m.term, 'crash');
      else failovers.disturbed();
      m.crash();
      this.stats.crashes++;
    }
  }

  private transfers(): void {
    if (!this.rng.chance(this.cluster.params.transferChance)) return;
    const leader = this.cluster.leader();
    if (leader === undefined) return;
    const voters = [...confMembers(this.cluster.latestConf.confState)].filter((id) => id !== leader.id);
    if (voters.length === 0) return;
    const to = this.rng.pick(voters);
    // Usually asked of the leader; sometimes of another member, which forwards it.
    const running = this.cluster.liveMembers().filter((m) => m.running);
    const via = this.rng.chance(0.8) ? leader : this.rng.pick(running);
    this.cluster.trace?.(`TRANSFER to ${to} asked of ${via.id}`);
    via.withNode((n) => n.transferLeadership(to));
    this.stats.transfers++;
    this.cluster.failovers.disturbed();
  }

  /** Liveness phase: heal the network and restart every crashed member. */
  healAll(): void {
    this.cluster.network.healForever();
    for (const m of this.cluster.liveMembers()) {
      m.allowCrashInReady = false;
      if (m.state === 'crashed') m.restart();
    }
  }
}
