import { ProposalDroppedError, type ConfChange, type ConfState, type NodeId } from '../../server/raft/index.js';
import { confMembers, type SimCluster } from './cluster.js';
import type { SimRng } from './rng.js';

/** A membership change the operator pursues until the committed configuration shows it. */
interface Goal {
  readonly change: ConfChange;
  readonly describe: string;
  readonly done: (cs: ConfState) => boolean;
  /** A member created for this goal (it runs until the change is in). */
  readonly joining: NodeId | null;
  lastProposedTick: number;
}

/** Ticks between proposals of the same goal. */
const RETRY_TICKS = 15;
/** Ticks after a goal is reached before the next one: longer than any message delay, so a delayed copy of an old proposal cannot undo a newer change. */
const COOLDOWN_TICKS = 25;

/** Counters of the operator's work. */
export interface OperatorStats {
  changes: number;
  proposals: number;
}

/**
 * The cluster operator: at random times it picks a membership change (add a learner, promote it, add
 * or remove a voter, demote one, replace one through a joint configuration) and proposes it to the
 * leader until the committed configuration shows it. Joining members start with an empty disk and
 * catch up by snapshot. Members no longer in the committed configuration are stopped for good, and ids
 * are never reused.
 */
export class MembershipOperator {
  private goal: Goal | null = null;
  private cooldownUntil = 0;
  readonly stats: OperatorStats = { changes: 0, proposals: 0 };
  active = true;

  constructor(
    private readonly cluster: SimCluster,
    private readonly rng: SimRng,
  ) {}

  /** The goal in progress, for reports. */
  describe(): string {
    return this.goal === null ? 'no membership change in progress' : `membership change in progress: ${this.goal.describe}`;
  }

  /** One tick: stop removed members, pursue or pick a goal. */
  tick(tick: number): void {
    const cs = this.cluster.latestConf.confState;
    this.stopRemoved();
    if (this.goal !== null && this.goal.done(cs)) {
      this.goal = null;
      this.stats.changes++;
      this.cooldownUntil = tick + COOLDOWN_TICKS;
    }
    if (!this.active) return;
    if (this.goal === null) {
      if (tick < this.cooldownUntil || cs.votersOutgoing.length > 0) return;
      if (!this.rng.chance(this.cluster.params.membershipChance)) return;
      this.goal = this.pickGoal(cs, tick);
      if (this.goal === null) return;
    } else if (tick - this.goal.lastProposedTick < RETRY_TICKS) return;
    this.propose(this.goal, tick);
  }

  /**
   * Stops members no longer in the committed configuration, but only once every member of that
   * configuration holds a durable commit index at or past it. A configuration takes effect when a member
   * applies it, so a member that has not learned the change is committed still counts the removed
   * member's vote (in a joint configuration it cannot be elected without it): stopping the removed
   * member earlier can stall the cluster for good.
   */
  private stopRemoved(): void {
    const { index, confState } = this.cluster.latestConf;
    const members = confMembers(confState);
    const retired = this.cluster.liveMembers().filter((m) => !members.has(m.id) && m.id !== this.goal?.joining);
    if (retired.length === 0 || confState.votersOutgoing.length > 0) return;
    for (const id of members) {
      const m = this.cluster.members.get(id);
      if (m === undefined || m.durable.initialState().hardState.commit < index) return;
    }
    for (const m of retired) {
      this.cluster.trace?.(`OPERATOR stops ${m.id} (not in the configuration)`);
      m.stop();
    }
  }

  private propose(goal: Goal, tick: number): void {
    goal.lastProposedTick = tick;
    const leader = this.cluster.leader();
    if (leader === undefined) return;
    this.stats.proposals++;
    this.cluster.trace?.(`OPERATOR proposes ${goal.describe} to ${leader.id}`);
    leader.withNode((n) => {
      try {
        n.proposeConfChange(goal.change);
      } catch (err) {
        if (!(err instanceof ProposalDroppedError)) throw err;
      }
    });
  }

  private pickGoal(cs: ConfState, tick: number): Goal | null {
    const initial = this.cluster.params.members;
    const voters = cs.voters;
    const learners = cs.learners;
    const options: (() => Goal)[] = [];
    const goal = (describe: string, change: ConfChange, done: (c: ConfState) => boolean, joining: NodeId | null = null): Goal => ({
      describe,
      change,
      done,
      joining,
      lastProposedTick: tick - RETRY_TICKS,
    });
    const fresh = (): NodeId => this.cluster.addMember().id;
    const single = (type: 'addNode' | 'removeNode' | 'addLearner', nodeId: NodeId): ConfChange => ({
      transition: 'auto',
      changes: [{ type, nodeId }],
      context: '',
    });
    if (voters.length + learners.length < initial + 2 && learners.length === 0) {
      options.push(() => {
        const id = fresh();
        return goal(`add learner ${id}`, single('addLearner', id), (c) => c.learners.includes(id), id);
      });
    }
    if (voters.length < initial + 1) {
      for (const l of learners) options.push(() => goal(`promote ${l}`, single('addNode', l), (c) => c.voters.includes(l)));
      options.push(() => {
        const id = fresh();
        return goal(`add voter ${id}`, single('addNode', id), (c) => c.voters.includes(id), id);
      });
    }
    for (const l of learners) options.push(() => goal(`remove learner ${l}`, single('removeNode', l), (c) => !confMembers(c).has(l)));
    if (voters.length > initial - 1 && voters.length > 2) {
      const v = this.rng.pick(voters);
      options.push(() => goal(`remove voter ${v}`, single('removeNode', v), (c) => !confMembers(c).has(v)));
      options.push(() => goal(`demote ${v}`, single('addLearner', v), (c) => c.learners.includes(v) && c.votersOutgoing.length === 0));
    }
    if (voters.length >= 2) {
      const v = this.rng.pick(voters);
      options.push(() => {
        const id = fresh();
        const transition = this.rng.pick(['auto', 'implicit'] as const);
        const change: ConfChange = { transition, changes: [{ type: 'addNode', nodeId: id }, { type: 'removeNode', nodeId: v }], context: '' };
        return goal(`replace ${v} by ${id} (joint, ${transition})`, change, (c) => c.voters.includes(id) && !confMembers(c).has(v) && c.votersOutgoing.length === 0, id);
      });
    }
    if (options.length === 0) return null;
    return this.rng.pick(options)();
  }
}
