import { MemoryStorage, bootstrap, describeMessage, type ConfState, type Message, type NodeId } from '../../server/raft/index.js';
import { InvariantChecker } from './invariants.js';
import { SimMember, type MemberHooks } from './member.js';
import { FailoverMeter } from './metrics.js';
import { SimNetwork, type MessageFate } from './network.js';
import { SLOTS_PER_TICK, type SimParams } from './params.js';
import type { SimRng } from './rng.js';
import { Scheduler } from './scheduler.js';

/** The configuration applied at the highest index anywhere: the committed membership. */
export interface LatestConf {
  readonly index: number;
  readonly confState: ConfState;
}

/** Every id a configuration mentions. */
export function confMembers(cs: ConfState): Set<NodeId> {
  return new Set([...cs.voters, ...cs.votersOutgoing, ...cs.learners, ...cs.learnersNext]);
}

/**
 * The simulated cluster: members, the network between them and the clock. Members tick at their own
 * phase within each tick (so their timers are not aligned); the network delivers messages to running
 * members and reports snapshot outcomes and unreachable peers back to the sender's incarnation.
 */
export class SimCluster implements MemberHooks {
  readonly scheduler = new Scheduler();
  readonly members = new Map<NodeId, SimMember>();
  readonly network: SimNetwork;
  readonly invariants: InvariantChecker;
  readonly failovers = new FailoverMeter();
  latestConf: LatestConf;
  /** Member id -> the latest term in which it, as leader, committed an entry of that term. */
  readonly committedInTerm = new Map<NodeId, number>();
  trace: ((line: string) => void) | null = null;
  private readonly tickPhase = new Map<NodeId, number>();
  private nextId: number;

  constructor(
    readonly params: SimParams,
    private readonly rng: SimRng,
  ) {
    this.invariants = new InvariantChecker({ durabilityCheck: params.durabilityCheck });
    this.network = new SimNetwork(params.net, rng.fork(), this.scheduler, {
      deliver: (msg) => this.deliver(msg),
      outcome: (msg, inc, fate) => this.outcome(msg, inc, fate),
    });
    const voters = Array.from({ length: params.members }, (_, i) => String(i + 1));
    this.nextId = voters.length + 1;
    for (const id of voters) {
      const storage = new MemoryStorage();
      bootstrap(storage, { voters });
      this.addMemberWith(id, storage);
    }
    this.latestConf = { index: 1, confState: { voters, votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false } };
  }

  private addMemberWith(id: NodeId, storage: MemoryStorage): SimMember {
    const member = new SimMember(id, storage, this.params, this.rng.fork(), this);
    this.members.set(id, member);
    this.tickPhase.set(id, this.rng.nextInt(SLOTS_PER_TICK));
    return member;
  }

  /** Starts a brand-new member with an empty disk (it joins once a conf change adds it). */
  addMember(): SimMember {
    return this.addMemberWith(String(this.nextId++), new MemoryStorage());
  }

  /** Current tick (fractional ticks are slots). */
  get tick(): number {
    return Math.floor(this.scheduler.now / SLOTS_PER_TICK);
  }

  /** Runs one slot: scheduled work, then the ticks of members whose phase it is. */
  runSlot(slot: number): void {
    this.invariants.tick = Math.floor(slot / SLOTS_PER_TICK);
    this.scheduler.runSlot(slot);
    const phase = slot % SLOTS_PER_TICK;
    for (const member of this.members.values()) {
      if (member.running && this.tickPhase.get(member.id) === phase) member.tick();
    }
  }

  /** The running member that believes it leads with the highest term, if any. */
  leader(): SimMember | undefined {
    let best: SimMember | undefined;
    for (const m of this.members.values()) {
      if (m.running && m.raftState === 'leader' && (best === undefined || m.term > best.term)) best = m;
    }
    return best;
  }

  /** The leader, if it has committed an entry of its own term (it serves writes and reads). */
  servingLeader(): SimMember | undefined {
    const leader = this.leader();
    return leader !== undefined && this.committedInTerm.get(leader.id) === leader.term ? leader : undefined;
  }

  /** Members clients may contact: those of the committed configuration (and one joining), not stopped. */
  clientMembers(): SimMember[] {
    const members = confMembers(this.latestConf.confState);
    return this.liveMembers().filter((m) => members.has(m.id));
  }

  /** Members that are not stopped (running or crashed), in id order of creation. */
  liveMembers(): SimMember[] {
    return [...this.members.values()].filter((m) => m.state !== 'stopped');
  }

  // MemberHooks

  send(member: SimMember, msg: Message): void {
    this.network.send(msg, member.incarnation);
  }

  leaderCommitted(member: SimMember, term: number): void {
    this.committedInTerm.set(member.id, term);
    this.failovers.leaderCommitted(this.scheduler.now, term);
  }

  confApplied(_member: SimMember, index: number, confState: ConfState): void {
    if (index > this.latestConf.index) this.latestConf = { index, confState };
  }

  private deliver(msg: Message): boolean {
    const member = this.members.get(msg.to);
    if (member === undefined || !member.running) return false;
    this.trace?.(`deliver ${describeMessage(msg)}`);
    member.receive(msg);
    return true;
  }

  private outcome(msg: Message, senderIncarnation: number, fate: MessageFate): void {
    const sender = this.members.get(msg.from);
    if (sender === undefined || !sender.running || sender.incarnation !== senderIncarnation) return;
    if (msg.type === 'snap') sender.withNode((n) => n.reportSnapshot(msg.to, fate === 'delivered'));
    else if (msg.type === 'app' && (fate === 'blocked' || fate === 'down')) sender.withNode((n) => n.reportUnreachable(msg.to));
  }
}
