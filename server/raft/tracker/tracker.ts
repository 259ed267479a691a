import { jointCommittedIndex, jointIds, jointVoteResult, type JointConfig } from '../quorum/joint.js';
import type { VoteResult } from '../quorum/majority.js';
import type { ConfState, NodeId } from '../types.js';
import type { Progress } from './progress.js';

/**
 * The active membership configuration. Invariants (checked by the changer): learners are not voters;
 * `learnersNext` holds voters of the outgoing half only; outside joint consensus `voters[1]`, `learnersNext`
 * and `autoLeave` are empty/false.
 */
export interface TrackerConfig {
  voters: [Set<NodeId>, Set<NodeId>];
  learners: Set<NodeId>;
  learnersNext: Set<NodeId>;
  autoLeave: boolean;
}

/** A configuration with no members. */
export function emptyTrackerConfig(): TrackerConfig {
  return { voters: [new Set(), new Set()], learners: new Set(), learnersNext: new Set(), autoLeave: false };
}

/** Deep copy of a configuration (the changer works on copies). */
export function cloneTrackerConfig(c: TrackerConfig): TrackerConfig {
  return {
    voters: [new Set(c.voters[0]), new Set(c.voters[1])],
    learners: new Set(c.learners),
    learnersNext: new Set(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

/** True when the configuration is joint (has an outgoing half). */
export function isJoint(c: TrackerConfig): boolean {
  return c.voters[1].size > 0;
}

function sorted(ids: Iterable<NodeId>): NodeId[] {
  return [...ids].sort(compareNodeIds);
}

/** Orders node ids numerically when both look numeric, else lexically, so "2" < "10". */
export function compareNodeIds(a: NodeId, b: NodeId): number {
  if (a.length !== b.length && /^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ConfState describing a configuration, with ids sorted. */
export function confStateOf(c: TrackerConfig): ConfState {
  return {
    voters: sorted(c.voters[0]),
    votersOutgoing: sorted(c.voters[1]),
    learners: sorted(c.learners),
    learnersNext: sorted(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

/** Renders a configuration like `voters=(1 2)&&(1 3) learners=(4) learners_next=(3) autoleave`. */
export function describeTrackerConfig(c: TrackerConfig): string {
  let s = `voters=(${sorted(c.voters[0]).join(' ')})`;
  if (isJoint(c)) s += `&&(${sorted(c.voters[1]).join(' ')})`;
  if (c.learners.size > 0) s += ` learners=(${sorted(c.learners).join(' ')})`;
  if (c.learnersNext.size > 0) s += ` learners_next=(${sorted(c.learnersNext).join(' ')})`;
  if (c.autoLeave) s += ' autoleave';
  return s;
}

/**
 * The leader's bookkeeping: the active configuration, a Progress per member (voters and learners) and
 * the votes of the current election. Invariant: `progress` has an entry for exactly the members of
 * `config`.
 */
export class ProgressTracker {
  config: TrackerConfig = emptyTrackerConfig();
  progress = new Map<NodeId, Progress>();
  votes = new Map<NodeId, boolean>();
  readonly maxInflight: number;
  readonly maxInflightBytes: number;

  constructor(maxInflight: number, maxInflightBytes: number) {
    this.maxInflight = maxInflight;
    this.maxInflightBytes = maxInflightBytes;
  }

  /** The voter configuration. */
  jointConfig(): JointConfig {
    return this.config.voters;
  }

  /** The active configuration as a ConfState. */
  confState(): ConfState {
    return confStateOf(this.config);
  }

  /** True when the only voter is a single node (and the config is not joint). */
  isSingleton(): boolean {
    return this.config.voters[0].size === 1 && this.config.voters[1].size === 0;
  }

  /** The largest index durable on a quorum (by Progress.match). */
  committed(): number {
    return jointCommittedIndex(this.config.voters, (id) => this.progress.get(id)?.match);
  }

  /** Calls `fn` for each member in id order (so message order is deterministic). */
  visit(fn: (id: NodeId, pr: Progress) => void): void {
    for (const id of sorted(this.progress.keys())) fn(id, this.progress.get(id)!);
  }

  /** True when a quorum of voters was recently active (CheckQuorum). */
  quorumActive(): boolean {
    const votes = new Map<NodeId, boolean>();
    for (const [id, pr] of this.progress) {
      if (!pr.isLearner) votes.set(id, pr.recentActive);
    }
    return jointVoteResult(this.config.voters, votes) === 'won';
  }

  /** Voter ids, sorted. */
  voterIds(): NodeId[] {
    return sorted(jointIds(this.config.voters));
  }

  /** Learner ids (including learnersNext), sorted. */
  learnerIds(): NodeId[] {
    return sorted(new Set([...this.config.learners, ...this.config.learnersNext]));
  }

  /** Forgets the votes of the previous election. */
  resetVotes(): void {
    this.votes = new Map();
  }

  /** Records a vote; the first vote of a node in an election is the one that counts. */
  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** Counts the votes recorded so far among voters. */
  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of jointIds(this.config.voters)) {
      const v = this.votes.get(id);
      if (v === undefined) continue;
      if (v) granted++;
      else rejected++;
    }
    return { granted, rejected, result: jointVoteResult(this.config.voters, this.votes) };
  }
}
